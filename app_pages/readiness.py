"""Readiness: team × element heatmap, answers, barrier points, trends, change and key drivers, with filters."""

import streamlit as st

from cxchange import analysis, charts, hierarchy, readiness, ui
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.text import agree, plural

st.title("Readiness")
settings = ui.settings()
min_n = int(settings["min_group_size"])

initiative_col, waves_col = st.columns([1, 2])
with initiative_col:
    initiative_id = ui.initiative_picker()
with waves_col:
    wave_ids = ui.wave_range_picker(initiative_id)
team_col, group_col = st.columns([1, 2])
with team_col:
    root = ui.team_picker("Team (and the teams below it)")
with group_col:
    group = ui.group_picker()

ui.pulses_held_notice(initiative_id)
frame = ui.readiness_frame(initiative_id, group)
if not wave_ids or frame.empty:
    st.info(
        "No survey results yet. Upload a survey export under Import & entry, or load the demo organisation "
        "under Settings → Workspace to see how it looks."
    )
    st.stop()

members = hierarchy.subtree_ids(ui.teams(), root)
wave_id = wave_ids[-1]
in_view = frame[frame["team_id"].isin(members)]
wave_rows = in_view[in_view["wave_id"] == wave_id]
wave_order = ui.waves(initiative_id).set_index("id").loc[wave_ids, "name"].tolist()
wave_name = wave_order[-1]
group_text = "" if group == "all" else f", {readiness.GROUPS[group].lower()}"
if wave_rows.empty or wave_rows["suppressed"].all():
    st.info(
        f"No figure can be shown for this team in {wave_name}{group_text}: fewer than {min_n} complete responses, "
        "or hidden so that a smaller group cannot be worked out. Choose a larger team, another wave or all respondents."
    )
    st.stop()

hidden_teams = int(wave_rows["suppressed"].sum())
hidden_note = (
    f"{plural(hidden_teams, 'team')} with hidden figures {agree(hidden_teams, 'is', 'are')} left out."
    if hidden_teams
    else ""
)


heatmap_tab, answers_tab, barrier_tab, trend_tab, change_tab, drivers_tab = st.tabs(
    ["Heatmap", "Answers", "Barrier points", "Trends", "Change", "Key drivers"]
)

with heatmap_tab:
    sort = st.selectbox("Sort teams by", list(charts.HEATMAP_SORTS), format_func=charts.HEATMAP_SORTS.get, key="sort")
    ui.team_chart(
        charts.readiness_heatmap,
        wave_rows,
        min_n,
        title=f"Readiness by team and element, {wave_name}{group_text}",
        sort=sort,
        threshold=float(settings["barrier_threshold"]),
        key="heatmap",
    )
    if root != 0:
        root_name = wave_rows.loc[wave_rows["team_id"] == root, "team"].iloc[0]
        st.page_link(
            "app_pages/team_detail.py",
            label=f"Open {root_name} in Team detail",
            icon=":material/open_in_new:",
            query_params={"team": root_name},
        )
    st.caption("Click a team on any chart of teams to open its detail.")

with answers_tab:
    element = st.radio("Element", list(ELEMENTS), format_func=ELEMENT_LABELS.get, horizontal=True, key="likert_element")
    shares = ui.computed(readiness.likert_shares, ui.answer_counts(wave_id), ui.teams(), wave_rows, group)
    shares = shares[shares["element"] == element]
    if shares.empty:
        st.info("No answers to the items of this element in this wave (team-level entries carry no answers).")
    else:
        ui.team_chart(
            charts.likert_bars,
            shares,
            by="team",
            title=f"{ELEMENT_LABELS[element]}: answers by team, {wave_name}",
            key="likert",
        )
        if hidden_note:
            st.caption(hidden_note)

with barrier_tab:
    shares = ui.computed(readiness.barrier_shares, ui.barrier_counts(wave_id), ui.teams(), wave_rows, group)
    ui.team_chart(
        charts.barrier_chart,
        shares,
        title=f"Where respondents are stuck, {wave_name}{group_text}",
        key="barriers",
    )
    st.caption(
        f"Threshold: an element score at or below {settings['barrier_threshold']:g} on the 1–5 scale. {hidden_note}"
    )

with trend_tab:
    measure = st.selectbox("Measure", list(readiness.MEASURES), format_func=readiness.MEASURES.get, key="measure")
    lines = readiness.trend_lines(in_view[in_view["wave_id"].isin(wave_ids)], root, measure)
    ui.team_chart(
        charts.readiness_trend,
        lines,
        wave_order,
        title=f"{readiness.MEASURES[measure]} over waves{group_text}",
        measure=readiness.MEASURES[measure],
        colours=charts.team_colours(ui.all_teams()),
        highlight=ui.highlight_picker(lines, key="trend_highlight"),
        key="trend",
    )

with change_tab:
    earlier = wave_order[:-1]
    if not earlier:
        st.info("Choose a range of two or more waves to compare.")
    else:
        since = st.selectbox(f"Change since (to {wave_name})", earlier[::-1], key="since")
        before_id = wave_ids[wave_order.index(since)]
        table = ui.computed(analysis.changes, frame, before_id, wave_id, sorted(members))
        if table.empty:
            st.info("No team is shown in both waves.")
        else:
            st.markdown(analysis.describe_changes(table))
            st.caption(analysis.describe_families(table))
            ui.team_chart(
                charts.change_grid,
                table,
                title=f"Change by team and element, {since} → {wave_name}{group_text}",
                key="changes",
            )

with drivers_tab:
    root_row = wave_rows[wave_rows["team_id"] == root].iloc[0]
    scores = readiness.in_group(ui.response_scores(wave_id), group)
    if root_row["suppressed"]:
        drivers = None
    else:
        drivers = ui.computed(analysis.key_drivers, scores[scores["team_id"].isin(members)])
    if drivers is None or drivers["share"].isna().all():
        st.info("Too few respondents with the outcome item answered to weigh the elements for this team.")
    else:
        st.markdown(analysis.describe_drivers(drivers))
        ui.chart(
            charts.priority_matrix,
            drivers,
            title=f"Key drivers of confidence in the programme, {wave_name}",
        )
