"""Workshop: set a session up, then present it on a shared screen, one idea per screen."""

import streamlit as st

from cxchange import champions, charts, kotter, readiness, services, ui, workshop
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.text import html_text, markdown_text

settings = ui.settings()
min_n = int(settings["min_group_size"])
label_set = str(settings["kotter_labels"])
params = st.query_params

if "step" not in params:
    st.title("Workshop")
    st.caption(
        "Run a session with leaders or champions on a shared screen: large type, one idea per screen, "
        "actions captured as the room names them. No names, no comments and no small groups are shown."
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
        st.query_params.from_dict(
            {
                "initiative": str(initiative_id),
                "wave": str(wave_id),
                "teams": chosen,
                "steps": kinds,
                "step": steps[0].slug,
            }
        )
        st.rerun()
    st.stop()

# Presenting: everything comes from the link, so a step can be opened, shared and reloaded.
st.html(ui.PROJECTOR_CSS)
initiative_id, wave_id = workshop.link_id(params.get("initiative")), workshop.link_id(params.get("wave"))
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
editing = ui.may_edit()  # a viewer follows the session; votes and captured actions are an editor's
step = steps[at]
wave_name = wave_rows["wave"].iloc[0]


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
if added := st.session_state.pop("workshop_added", None):
    st.success(added)
chosen_rows = wave_rows[wave_rows["team"].isin([s.team for s in steps if s.team]) | (wave_rows["team_id"] == 0)]

if step.kind == "pulse":
    pulse = workshop.pulse(wave_rows, readiness.change_text(frame, 0, wave_id, min_n), min_n)
    st.markdown(
        f"<div class='cx-big'>{html_text(pulse.index)}</div><div class='cx-mid'>readiness index, "
        f"{html_text(wave_name)} · {html_text(pulse.n)}</div><p>{html_text(pulse.change)}</p>",
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
    st.markdown(
        f"<div class='cx-big'>{html_text(screen['index'])}</div>"
        f"<div class='cx-mid'>readiness index · {html_text(screen['n'])}</div>",
        unsafe_allow_html=True,
    )
    if screen["barrier"]:
        st.markdown(
            f"<div class='cx-mid'>Stuck at: {html_text(screen['barrier'])}</div><p>{html_text(screen['remedy'])}</p>",
            unsafe_allow_html=True,
        )
        team_rows = wave_rows[wave_rows["team"] == step.team]
        shares = ui.computed(readiness.likert_shares, ui.answer_counts(wave_id), ui.teams(), team_rows, "all")
        if not shares.empty:
            ui.chart(
                charts.likert_bars,
                shares,
                by="element",
                projector=True,
            )
elif step.kind == "kotter":
    board = kotter.board(ui.kotter_steps(initiative_id), label_set)
    st.table(
        {
            "Step": [kotter.label(number, label_set) for number in board["step"]],
            "Status": board["status"].tolist(),
        }
    )
    for warning in kotter.warnings(
        board, ui.kotter_history(initiative_id), ui.today(), int(settings["stale_weeks"]), label_set
    ):
        st.warning(warning.reason)
elif step.kind == "champions":
    rows = ui.computed(
        champions.coverage,
        ui.teams(),
        ui.champion_roster(),
        ui.champion_activity_log(),
        ui.today(),
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
    captured = workshop.session_actions(ui.initiative_actions(initiative_id), ui.today())
    if captured.empty:
        st.markdown("No actions captured in this session yet.")
    elif editing:
        with st.form("votes"):
            votes = {
                int(row.id): st.number_input(
                    markdown_text(row.title), min_value=0, value=int(row.votes), step=1, key=f"vote_{row.id}"
                )
                for row in workshop.ranked(captured).itertuples()
            }
            if st.form_submit_button("Save the dot-votes", type="primary"):
                ui.call(services.set_votes, votes)
                st.rerun()
    if not captured.empty:
        st.markdown(
            "\n".join(
                f"{place}. **{markdown_text(row.title)}** — {row.votes} votes"
                for place, row in enumerate(workshop.ranked(captured).itertuples(), 1)
            )
        )

if step.kind in workshop.CAPTURE_KINDS and editing:
    with (
        st.expander("Capture an action", expanded=step.kind == "actions"),
        st.form("capture", clear_on_submit=True),
    ):
        title = st.text_input("What will we do?")
        programme = [] if ui.scope() is not None else ["Across the programme"]  # a scoped editor's teams only
        team_names = [*programme, *wave_rows.loc[wave_rows["team_id"] != 0, "team"]]
        team = st.selectbox(
            "For which team", team_names, index=team_names.index(step.team) if step.team in team_names else 0
        )
        barrier = workshop.team_screen(wave_rows, step.team, min_n)["barrier"] if step.team else ""
        elements = ["", *ELEMENTS]
        element = st.selectbox(
            "ADKAR element it targets",
            elements,
            index=elements.index(barrier.lower()) if barrier.lower() in elements else 0,
            format_func=lambda e: ELEMENT_LABELS.get(e, "—"),
        )
        kotter_step = None
        if step.kind == "kotter":
            kotter_step = st.selectbox(
                "Kotter step it serves", range(1, 9), format_func=lambda number: kotter.label(number, label_set)
            )
        if st.form_submit_button("Add to the action log", type="primary"):
            teams = ui.teams().set_index("name")["id"]
            try:
                ui.call(
                    services.add_action,
                    initiative_id,
                    title,
                    team_id=int(teams[team]) if team in teams.index else None,
                    element=element or None,
                    kotter_step=kotter_step,
                    source="workshop",
                    today=ui.today(),
                )
            except ValueError as problem:
                st.error(markdown_text(problem))
            else:
                st.session_state["workshop_added"] = f"Added: {markdown_text(title)}"
                st.rerun()
