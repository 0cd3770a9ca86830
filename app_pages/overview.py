"""Overview: the organisation's readiness at a glance, the team heatmap, the trend, the barrier points."""

import streamlit as st

from cxchange import charts, readiness, services, summary, ui
from cxchange.text import markdown_text

st.title("Overview")
settings = ui.settings()
min_n = int(settings["min_group_size"])

left, right = st.columns(2)
with left:
    initiative_id = ui.initiative_picker()
with right:
    wave_id = ui.wave_picker(initiative_id)

ui.pulses_held_notice(initiative_id)
frame = ui.readiness_frame(initiative_id)
if wave_id is None or frame.empty:
    st.info(
        "No survey results yet. Upload a survey export under Import & entry, or load the demo organisation "
        "under Settings → Workspace to see how it looks."
    )
    st.stop()

wave_rows = frame[frame["wave_id"] == wave_id]
if wave_rows.empty:
    st.info("This wave has no complete responses yet: import a survey file or enter team-level results.")
    st.stop()
wave_name = wave_rows["wave"].iloc[0]
organisation = wave_rows[wave_rows["team_id"] == 0].iloc[0]
if organisation["suppressed"]:
    ui.say("info", f"{wave_name} has fewer than {min_n} complete responses in all: no figure can be shown yet.")
    st.stop()
change = readiness.change_between(frame, 0, wave_id)

# The executive summary every report opens with: the same function, the same numbers.
found = ui.read(services.executive_summary, initiative_id, wave_id, ui.scope() or 0, ui.today())
with st.container(border=True, key="executive_summary"):
    st.subheader(found.title)
    st.markdown("\n".join(f"- **{markdown_text(f.title)}**  \n{markdown_text(f.sentence)}" for f in found.findings))

index_col, n_col, barrier_col, hidden_col = st.columns(4)
index_col.metric(
    "Readiness index (0–100)",
    f"{organisation['readiness']:.0f}",
    delta=f"{change.delta:+.1f} since {change.previous_wave}" if change and change.significant else None,
    help="Mean of the five ADKAR element scores, rescaled: (mean − 1) / 4 × 100.",
)
index_col.caption(readiness.change_text(frame, 0, wave_id, min_n))
n_col.metric("Complete responses (n)", f"{int(organisation['n']):,}")
n_col.caption(readiness.n_caption(organisation))
stuck, shown = summary.teams_at_barrier(wave_rows)
barrier_col.metric("Teams at a barrier", f"{len(stuck)} of {shown}")
barrier_col.caption(
    f"An element at or below {settings['barrier_threshold']:.2f} on the 1–5 scale, its mean judged as shown."
)
all_teams = wave_rows[wave_rows["team_id"] != 0]
hidden_col.metric("Teams hidden", f"{int(all_teams['suppressed'].sum())} of {len(all_teams)}")
hidden_col.caption(f"Fewer than {min_n} responses, or hidden so a smaller group cannot be worked out.")

ui.team_chart(
    charts.readiness_heatmap,
    wave_rows,
    min_n,
    title=f"Readiness by team and ADKAR element, {wave_name}",
    threshold=float(settings["barrier_threshold"]),
    key="overview_heatmap",
)

top_level = frame[frame["depth"] == 1]
wave_order = ui.waves(initiative_id)["name"].tolist()
lines = readiness.trend_rows(top_level)
ui.team_chart(
    charts.readiness_trend,
    lines,
    wave_order,
    title="Readiness index by top-level team over all waves",
    colours=charts.team_colours(ui.all_teams()),
    highlight=ui.highlight_picker(lines, key="overview_highlight"),
    key="overview_trend",
)
st.caption("Click a team on a chart to open its detail.")

st.subheader(f"Barrier points, {wave_name}")
st.caption("Each team's first ADKAR element at or below the threshold: later elements cannot be built before it.")
table = readiness.team_table(frame, wave_id, min_n)
ui.table(
    table,
    hide_index=True,
    width="stretch",
    height=38 + 35 * len(table),
    column_config={
        "Readiness index": st.column_config.NumberColumn(format="%.1f"),
        "What helps": st.column_config.TextColumn(width="large"),
    },
    name=f"barrier points {wave_name}",
)

st.subheader(f"What people said, {wave_name}")
shown_teams = wave_rows.sort_values("order")
team_names = dict(zip(shown_teams["team"], shown_teams["team_id"], strict=True))
chosen = st.selectbox("Team", list(team_names), key="comments_team")
comments, note = ui.comments(wave_id, team_names[chosen])
st.caption(note)
if comments:
    ui.table({"Comment": comments}, hide_index=True, width="stretch", name=f"comments {chosen} {wave_name}")
