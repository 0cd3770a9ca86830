"""Team detail: one team's elements over time, its barrier point and remedies, champions, actions, comments."""

import streamlit as st

from cxchange import actions, charts, hierarchy, readiness, services, ui
from cxchange.model import ELEMENT_LABELS, ELEMENTS, REMEDIES
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

ui.pulses_held_notice(initiative_id)
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

# Half-width tables: short headings (the help says them in full) keep n and the response rate in view.
NARROW_FIGURES = {
    "Readiness index": st.column_config.NumberColumn("Index", format="%.1f", help="Readiness index (0–100)"),
    "Responses (n)": st.column_config.NumberColumn("n", help="Complete responses (n)"),
}
history_col, path_col = st.columns(2)
with history_col:
    st.subheader("Barrier point by wave")
    ui.table(
        readiness.barrier_history(frame, team_id, min_n),
        hide_index=True,
        width="stretch",
        column_config=NARROW_FIGURES,
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
        column_config=NARROW_FIGURES,
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
today = ui.today()
barriers = actions.latest_barriers(frame)
open_log = ui.open_actions(members, initiative_id)
if open_log.empty:
    st.caption("No open actions for this team.")
else:
    ui.table(
        actions.open_table(open_log, barriers, today),
        hide_index=True,
        width="stretch",
        name=f"{team_name} open actions",
        column_config={"Flags": st.column_config.TextColumn(width="medium")},
    )
# The barrier as this page shows it (none where the team is hidden); the rule is programme health's too.
barrier = None if latest["suppressed"] else barriers.get(team_id)
if barrier:
    cover = actions.barrier_cover(team_id, barrier, ui.initiative_actions(initiative_id), ui.teams(), today)
    said = actions.cover_text(team_name, cover)
    if cover.state == "on time":
        st.caption(markdown_text(said))
    else:
        ui.say("warning", said, icon=":material/flag:")
        if ui.may_edit() and initiative_id is not None:
            with st.form("barrier_action", clear_on_submit=True):
                st.markdown(f"**Add an action aimed at {ELEMENT_LABELS[barrier]}** · {REMEDIES[barrier]}")
                title_col, owner_col, due_col = st.columns([3, 2, 1])
                title = title_col.text_input("What will be done", max_chars=actions.TITLE_LIMIT, key="barrier_title")
                owner = owner_col.text_input("Owner", max_chars=actions.OWNER_LIMIT, key="barrier_owner")
                due = due_col.date_input(
                    "Due", value=actions.default_due(today), format="YYYY-MM-DD", key="barrier_due"
                )
                element = st.selectbox(
                    "ADKAR element it targets",
                    list(ELEMENTS),
                    index=ELEMENTS.index(barrier),
                    format_func=ELEMENT_LABELS.get,
                    key="barrier_element",
                )
                if st.form_submit_button("Add the action", type="primary"):
                    try:
                        ui.call(
                            services.add_action,
                            initiative_id,
                            title,
                            owner=owner,
                            due_on=due,
                            team_id=team_id,
                            element=element,
                            source="review",
                            today=today,
                        )
                    except ValueError as problem:
                        found = getattr(problem, "problems", [str(problem)])
                        ui.say("error", "Nothing was added:", found)
                    else:
                        ui.keep("detail_added", f"Added “{title}” for {team_name}.")
                        st.rerun()
ui.say_kept("detail_added")

st.subheader(f"What people said, {wave_name}")
comments, note = ui.comments(wave_id, team_id)
st.caption(note)
if comments:
    ui.table({"Comment": comments}, hide_index=True, width="stretch", name=f"{team_name} comments {wave_name}")
