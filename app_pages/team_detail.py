"""Team detail: one team's elements over time, its barrier point and remedies, champions, actions, comments."""

import streamlit as st

from cxchange import charts, hierarchy, readiness, ui
from cxchange.model import ELEMENT_LABELS, REMEDIES
from cxchange.text import markdown_text

settings = ui.settings()
min_n = int(settings["min_group_size"])
tree = hierarchy.team_tree(ui.teams())
ids = dict(zip(tree["team"], tree["team_id"], strict=True))
if tree.empty or len(ids) == 1:
    st.title("Team detail")
    st.info("No teams yet: they appear with the first survey import or team-level entry.")
    st.stop()

# The team comes from the link (?team=Name), so any chart or message can point here.
asked = st.query_params.get("team")
if asked is not None and asked not in ids:
    st.warning(f"There is no team called “{markdown_text(asked)}”; choose one below.")
if asked in ids and st.session_state.get("detail_team_link") != asked:
    st.session_state["detail_team_link"] = asked  # apply a link once; the picker may change it afterwards
    st.session_state["detail_team"] = ids[asked]
header = st.container()
left, right = st.columns(2)
with left:
    team_id = ui.team_picker("Team", key="detail_team", include_organisation=False)
with right:
    initiative_id = ui.initiative_picker()
team_name = tree.set_index("team_id").loc[team_id, "team"]
st.query_params["team"] = st.session_state["detail_team_link"] = team_name
header.title(markdown_text(team_name))

frame = ui.readiness_frame(initiative_id)
rows = frame[frame["team_id"] == team_id].sort_values("opened_on")
members = hierarchy.subtree_ids(ui.teams(), team_id)
if rows.empty:
    st.info("This team has no survey results in this initiative yet.")
    st.stop()

latest = rows.iloc[-1]
wave_id, wave_name = int(latest["wave_id"]), latest["wave"]
index_col, n_col, barrier_col = st.columns(3)
if latest["suppressed"]:
    index_col.metric(f"Readiness index, {wave_name}", "hidden")
    index_col.caption(hierarchy.suppression_text(latest["suppression"], min_n).capitalize() + ": no figures are shown.")
else:
    change = readiness.change_between(frame, team_id, wave_id)
    index_col.metric(
        f"Readiness index, {wave_name}",
        f"{latest['readiness']:.0f}",
        delta=f"{change.delta:+.1f} since {change.previous_wave}" if change and change.significant else None,
    )
    index_col.caption(readiness.change_text(frame, team_id, wave_id, min_n))
    n_col.metric("Complete responses (n)", f"{int(latest['n']):,}")
    n_col.caption(readiness.n_caption(latest))
    point = latest["barrier_point"]
    barrier_col.metric("Barrier point now", ELEMENT_LABELS[point] if point else "none")
    barrier_col.caption(f"First element at or below {settings['barrier_threshold']:g}.")
    if point:
        st.warning(f"**What helps with {ELEMENT_LABELS[point]}:** {REMEDIES[point]}", icon=":material/lightbulb:")

wave_order = ui.waves(initiative_id)["name"].tolist()
profile = readiness.element_trend_rows(frame, team_id)
if not profile.empty:
    ui.chart(charts.element_profiles, profile, wave_order, title=f"{team_name}: ADKAR elements over all waves")

history_col, path_col = st.columns(2)
with history_col:
    st.subheader("Barrier point by wave")
    ui.table(
        readiness.barrier_history(frame, team_id, min_n),
        hide_index=True,
        width="stretch",
        column_config={"Readiness index": st.column_config.NumberColumn(format="%.1f")},
        name=f"{team_name} barrier points by wave",
    )
with path_col:
    st.subheader(f"Roll-up, {wave_name}")
    st.caption("The team within the teams above it; each figure is weighted by its respondents.")
    wave_rows = frame[frame["wave_id"] == wave_id]
    ui.table(
        readiness.roll_up_path(wave_rows, team_id, min_n),
        hide_index=True,
        width="stretch",
        column_config={"Readiness index": st.column_config.NumberColumn(format="%.1f")},
        name=f"{team_name} roll-up {wave_name}",
    )

if not latest["suppressed"]:
    shares = readiness.likert_shares(
        ui.answer_counts(wave_id), ui.teams(), wave_rows[wave_rows["team_id"] == team_id], "all"
    )
    if not shares.empty:
        ui.chart(charts.likert_bars, shares, by="element", title=f"Answers by element, {wave_name}")

st.subheader("Champions")
champions = ui.team_champions(members)
if champions.empty:
    st.caption("No champion in this team yet.")
else:
    ui.table(readiness.champion_table(champions), hide_index=True, width="stretch", name=f"{team_name} champions")

st.subheader("Open actions")
actions = ui.open_actions(members, initiative_id)
if actions.empty:
    st.caption("No open actions for this team.")
else:
    ui.table(readiness.action_table(actions), hide_index=True, width="stretch", name=f"{team_name} open actions")

st.subheader(f"What people said, {wave_name}")
comments, note = ui.comments(wave_id, team_id)
st.caption(note)
if comments:
    ui.table({"Comment": comments}, hide_index=True, width="stretch", name=f"{team_name} comments {wave_name}")
