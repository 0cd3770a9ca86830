"""Workshop: set a session up, then present it on a shared screen, one idea per screen, each screen fitting it."""

import streamlit as st

from cxchange import actions, champions, charts, kotter, readiness, services, ui, workshop
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.text import html_text, markdown_text, plural

settings = ui.settings()
min_n = int(settings["min_group_size"])
label_set = str(settings["kotter_labels"])
params = st.query_params
editing = ui.may_edit()  # a viewer follows the session; votes and captured actions are an editor's

if "step" not in params:
    st.title("Workshop")
    st.caption(
        "Run a session with leaders or champions on a shared screen: large type, one idea per screen, "
        "actions captured as the room names them, each with an owner and a due date. No names, no comments and "
        "no small groups are shown."
    )
    initiative_id = ui.initiative_picker(key="workshop_initiative")
    wave_id = ui.wave_picker(initiative_id, key="workshop_wave")
    if initiative_id is None or wave_id is None:
        st.info("A session needs survey results: import a survey or load the demo under Settings → Workspace.")
        st.stop()
    frame = ui.readiness_frame(initiative_id)
    wave_rows = frame[(frame["wave_id"] == wave_id) & (frame["team_id"] != 0)].sort_values("order")
    stuck = wave_rows[~wave_rows["suppressed"] & wave_rows["barrier_point"].notna() & (wave_rows["direct_n"] > 0)]
    chosen = st.multiselect(
        "Teams to look at one by one",
        wave_rows["team"].tolist(),
        default=stuck["team"].tolist()[:4],
        help="Hidden teams (too few responses) can be chosen, but their screen shows no figure.",
    )
    kinds = st.multiselect(
        "Steps of the session", list(workshop.KINDS), default=list(workshop.KINDS), format_func=workshop.KINDS.get
    )
    steps = workshop.session_steps(kinds, chosen)
    st.caption(" → ".join(step.title for step in steps) if steps else "Choose at least one step.")
    if st.button("Start the session", type="primary", disabled=not steps):
        link = {"initiative": str(initiative_id), "wave": str(wave_id), "teams": chosen, "steps": kinds}
        if editing:  # the session gets its own id: its link, and every action captured in it, carry it
            link["session"] = str(ui.call(services.start_workshop_session, initiative_id, wave_id, chosen))
        st.query_params.from_dict(link | {"step": steps[0].slug})
        st.rerun()
    st.stop()

# Presenting: everything comes from the link, so a step can be opened, shared and reloaded (the next day too).
st.html(ui.PROJECTOR_CSS)
initiative_id, wave_id = workshop.link_id(params.get("initiative")), workshop.link_id(params.get("wave"))
session_id = workshop.link_id(params.get("session")) or None  # None: a link from before sessions had ids
steps = workshop.session_steps(params.get_all("steps") or list(workshop.KINDS), params.get_all("teams"))
frame = ui.readiness_frame(initiative_id)
wave_rows = frame[frame["wave_id"] == wave_id]
if not steps or wave_rows.empty:
    st.error("This session's link no longer matches the workspace (its initiative or wave is gone).")
    if st.button("Set up a new session"):
        st.query_params.clear()
        st.rerun()
    st.stop()
at = workshop.position(steps, params.get("step"))
step = steps[at]
wave_name = wave_rows["wave"].iloc[0]
today = ui.today()


def go(to: int) -> None:
    st.query_params["step"] = steps[to].slug


back, where, forward, end = st.columns([1, 4, 1, 1], vertical_alignment="center")
back.button("← Previous", on_click=go, args=(at - 1,), disabled=at == 0, width="stretch")
# Team names come from files and links: every text is escaped before it goes into HTML or markdown.
where.markdown(f"<div class='cx-where'>{html_text(workshop.progress(steps, at))}</div>", unsafe_allow_html=True)
forward.button("Next →", on_click=go, args=(at + 1,), disabled=at == len(steps) - 1, type="primary", width="stretch")
if end.button("End", width="stretch"):
    st.query_params.clear()
    st.rerun()

st.markdown(f"# {markdown_text(step.title)}")
if not (editing and step.kind in workshop.CAPTURE_KINDS):  # else beside the form's button
    ui.say_kept("workshop_added")
ui.say_kept("workshop_problem")
chosen_rows = wave_rows[wave_rows["team"].isin([s.team for s in steps if s.team]) | (wave_rows["team_id"] == 0)]


def vote(action_id: int, votes: int) -> None:
    """A +1 or −1 click: the new count saved at once (services.set_votes), or why not said."""
    try:
        ui.call(services.set_votes, {action_id: votes})
    except ValueError as refused:
        ui.keep("workshop_problem", refused, kind="error")


def capture(team_names: list[str], barrier: str, with_step: bool) -> None:
    """The action form: what, who owns it, by when (two weeks on unless the room says), for which team and
    element; stored in this session (a link without one starts one first, so the action is never lost)."""
    with st.form("capture", clear_on_submit=True, border=False):
        title = st.text_input("What will we do?", max_chars=actions.TITLE_LIMIT)
        team_col, element_col = st.columns(2)
        team = team_col.selectbox(
            "For which team", team_names, index=team_names.index(step.team) if step.team in team_names else 0
        )
        elements = ["", *ELEMENTS]
        element = element_col.selectbox(
            "ADKAR element it targets",
            elements,
            index=elements.index(barrier.lower()) if barrier.lower() in elements else 0,
            format_func=lambda e: ELEMENT_LABELS.get(e, "—"),
        )
        owner_col, due_col = st.columns(2)
        owner = owner_col.text_input("Owner (who will see it done)", max_chars=actions.OWNER_LIMIT)
        due = due_col.date_input("Due", value=actions.default_due(today), format="YYYY-MM-DD")
        kotter_step = None
        if with_step:
            steps_offered = [None, *range(1, 9)]
            kotter_step = st.selectbox(
                "Kotter step it serves (optional)",
                steps_offered,
                format_func=lambda number: "—" if number is None else kotter.label(number, label_set),
            )
        button_col, note_col = st.columns([1, 2], vertical_alignment="center")
        # what happened to the last action sits beside the button, so the form keeps its height
        note = note_col.empty()
        ui.say_kept("workshop_added", where=note)
        if button_col.form_submit_button("Add to the action log", type="primary"):
            teams = ui.teams().set_index("name")["id"]
            try:
                session = session_id or ui.call(
                    services.start_workshop_session, initiative_id, wave_id, params.get_all("teams")
                )
                ui.call(
                    services.add_action,
                    initiative_id,
                    title,
                    owner=owner,
                    due_on=due,
                    team_id=int(teams[team]) if team in teams.index else None,
                    element=element or None,
                    kotter_step=kotter_step,
                    source="workshop",
                    session_id=session,
                    today=today,
                )
            except ValueError as refused:
                found = getattr(refused, "problems", [str(refused)])
                ui.say("error", "Nothing was added:", found, where=note)
            else:
                st.query_params["session"] = str(session)
                ui.keep("workshop_added", f"Added: {title}")
                st.rerun()


def capture_form() -> None:
    programme = [] if ui.scope() is not None else ["Across the programme"]  # a scoped editor's teams only
    team_names = [*programme, *wave_rows.loc[wave_rows["team_id"] != 0, "team"]]
    barrier = workshop.team_screen(wave_rows, step.team, min_n)["barrier"] if step.team else ""
    capture(team_names, barrier, with_step=step.kind == "actions")


if step.kind == "pulse":
    pulse = workshop.pulse(wave_rows, readiness.change_text(frame, 0, wave_id, min_n), min_n)
    rate = readiness.rate_suffix(wave_rows[wave_rows["team_id"] == 0])
    st.markdown(
        f"<div class='cx-big'>{html_text(pulse.index)}</div><div class='cx-mid'>readiness index, "
        f"{html_text(wave_name)} · {html_text(pulse.n + rate)}</div><p>{html_text(pulse.change)}</p>",
        unsafe_allow_html=True,
    )
elif step.kind == "heatmap":
    rows = chosen_rows if len(chosen_rows) > 1 else wave_rows
    ui.chart(charts.readiness_heatmap, rows, min_n, projector=True)
elif step.kind == "barriers":
    rows = chosen_rows if len(chosen_rows) > 1 else wave_rows
    shares = ui.computed(readiness.barrier_shares, ui.barrier_counts(wave_id), ui.teams(), rows, "all")
    ui.chart(charts.barrier_chart, shares, projector=True)
elif step.kind == "team":
    screen = workshop.team_screen(wave_rows, step.team, min_n)
    rate = readiness.rate_suffix(wave_rows[wave_rows["team"] == step.team])
    figures, answers = st.columns([1, 2]) if screen["barrier"] else (st.container(), None)
    figures.markdown(
        f"<div class='cx-big'>{html_text(screen['index'])}</div>"
        f"<div class='cx-mid'>readiness index · {html_text(screen['n'] + rate)}</div>",
        unsafe_allow_html=True,
    )
    if screen["barrier"]:
        figures.markdown(
            f"<div class='cx-mid'>Stuck at: {html_text(screen['barrier'])}</div><p>{html_text(screen['remedy'])}</p>",
            unsafe_allow_html=True,
        )
        team_rows = wave_rows[wave_rows["team"] == step.team]
        shares = ui.computed(readiness.likert_shares, ui.answer_counts(wave_id), ui.teams(), team_rows, "all")
        if not shares.empty:
            with answers:
                ui.chart(charts.likert_bars, shares, by="element", projector=True)
elif step.kind == "act":
    screen = workshop.team_screen(wave_rows, step.team, min_n)
    if screen["barrier"] and screen["barrier"] != "No barrier":
        st.markdown(f"Stuck at **{markdown_text(screen['barrier'])}**: {markdown_text(screen['remedy'])}")
    if editing:
        capture_form()
    else:
        st.markdown("The facilitator captures the room's actions here.")
elif step.kind == "kotter":
    board = kotter.board(ui.kotter_steps(initiative_id), label_set)
    warnings = kotter.warnings(board, ui.kotter_history(initiative_id), today, int(settings["stale_weeks"]), label_set)
    table, notes = st.columns([3, 2]) if warnings else (st.container(), None)
    table.table(
        {
            "Step": [kotter.label(number, label_set) for number in board["step"]],
            "Status": board["status"].tolist(),
        }
    )
    if warnings:
        with notes.container(height=430, border=False):  # many warnings scroll here, not the screen
            for warning in warnings:
                ui.say("warning", warning.reason)
elif step.kind == "champions":
    rows = ui.computed(
        champions.coverage,
        ui.teams(),
        ui.champion_roster(),
        ui.champion_activity_log(),
        today,
        settings["champion_ratio"],
        int(settings["champion_quiet_days"]),
    )
    summary = champions.coverage_summary(rows)
    st.markdown(
        f"<div class='cx-big'>{summary['champions']}</div><div class='cx-mid'>active champions · one per "
        f"{summary['people_per_champion']:.0f} people (target: one per {settings['champion_ratio']:g})</div>",
        unsafe_allow_html=True,
    )
    if summary["without"]:
        st.markdown(f"**No active champion:** {', '.join(map(markdown_text, summary['without']))}")
    if summary["quiet"]:
        st.markdown(
            f"**Quiet, no session for more than {settings['champion_quiet_days']} days:** "
            f"{', '.join(map(markdown_text, summary['quiet']))}"
        )
elif step.kind == "actions":
    captured = workshop.ranked(workshop.session_actions(ui.initiative_actions(initiative_id), session_id, today))
    votes_col, form_col = st.columns([1, 1], gap="large") if editing else (st.container(), None)
    with votes_col:
        if captured.empty:
            st.markdown("No actions captured in this session yet.")
        elif not editing:
            st.markdown(
                "\n".join(
                    f"{place}. **{markdown_text(row.title)}** — {plural(int(row.votes), 'vote')}"
                    for place, row in enumerate(captured.itertuples(), 1)
                )
            )
        else:
            st.caption(f"{plural(len(captured), 'action')} · dot-votes: click +1 or −1; each click is saved.")
            with st.container(height=min(430, 40 + 90 * len(captured)), border=False):  # a long list scrolls here
                for place, row in enumerate(captured.itertuples(), 1):
                    text, count, up, down = st.columns([7, 2, 2, 2], vertical_alignment="center")
                    text.markdown(f"{place}. **{markdown_text(row.title)}**")
                    count.markdown(f"<div class='cx-votes'>{int(row.votes)}</div>", unsafe_allow_html=True)
                    up.button("+1", key=f"vote_up_{row.id}", on_click=vote, args=(int(row.id), int(row.votes) + 1))
                    down.button(
                        "−1",
                        key=f"vote_down_{row.id}",
                        on_click=vote,
                        args=(int(row.id), workshop.voted(row.votes, -1)),
                        disabled=int(row.votes) == 0,
                    )
    if form_col is not None:
        with form_col:
            capture_form()
