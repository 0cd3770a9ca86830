"""Workshop: set a session up, then present it on a shared screen, one idea per screen, each screen fitting it."""

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st

from cxchange import actions, champions, charts, kotter, pulses, qr, readiness, scoring, services, ui, workshop
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.text import html_text, markdown_text, plural

settings = ui.settings()
min_n = int(settings["min_group_size"])
label_set = str(settings["kotter_labels"])
params = st.query_params
editing = ui.may_edit()  # a viewer follows the session; votes and captured actions are an editor's


# Live pulse: the room answers on its phones while the shared screen shows how many have, then the figures. ------
LIVE = workshop.Step("live", "Live pulse")
LIVE_SECONDS = 3  # how often the presenter's screen looks for new answers


def local_time(moment: str) -> str:
    """An ISO time in UTC as the person's clock shows it ("14:35"; their browser's zone where it tells us)."""
    zone = st.context.timezone
    try:
        shown = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone) if zone else None)
    except (ValueError, ZoneInfoNotFoundError):
        shown = datetime.fromisoformat(moment).astimezone()
    return f"{shown:%H:%M}" if shown.date() == datetime.now(shown.tzinfo).date() else f"{shown:%d %b %H:%M}"


def open_pulse_form(wave_id: int, chosen: list[str]) -> None:
    """An editor opens a pulse on the wave: its teams (the session's by default), form, outcome item, comment
    question, minutes; the services' refusal, if any, in one sentence."""
    names = ui.active_teams()["name"].tolist()
    with st.form("open_pulse", border=False):
        teams = st.multiselect(
            "Teams asked", names, default=[team for team in chosen if team in names], key="pulse_teams",
            help="Each phone says its team (a team's own link or QR code fixes it).",
        )  # fmt: skip
        form_col, minutes_col = st.columns([2, 1])
        form = form_col.radio("Form", list(pulses.FORMS), format_func=pulses.FORMS.get, key="pulse_form")
        minutes = minutes_col.number_input(
            "Open for (minutes)", min_value=1, max_value=7 * 24 * 60, value=int(settings["pulse_minutes"]), step=5,
            key="pulse_minutes",
        )  # fmt: skip
        outcome = st.checkbox("Also ask the outcome statement (how sure people are the programme succeeds)")
        question = st.text_input(
            "Comment question (optional)", max_chars=300, key="pulse_comment",
            help=f"Comments show only for a team with at least {settings['min_comment_group_size']} answers.",
        )  # fmt: skip
        if st.form_submit_button("Open pulse", type="primary"):
            try:
                opened = ui.call(
                    services.open_pulse, wave_id, teams, form=form, outcome=outcome, comment_question=question,
                    minutes=int(minutes),
                )  # fmt: skip
            except ValueError as refused:
                st.error(markdown_text(refused))
            else:
                st.session_state["pulse_opened"] = f"Pulse open until {local_time(opened['closes_at'])}."
                st.rerun()


def close_button(pulse_id: int, key: str) -> None:
    """An editor's "Close pulse": the link stops taking answers at once."""
    if editing and st.button("Close pulse", key=key, icon=":material/stop_circle:"):
        try:
            ui.call(services.close_pulse, pulse_id)
        except ValueError as refused:
            st.error(markdown_text(refused))
        else:
            st.session_state["pulse_closed"] = "Pulse closed: its link takes no more answers."
            st.rerun()


def pulse_teams(row: Any) -> dict[int, str]:
    """A pulse row's teams, id -> name."""
    return dict(zip(json.loads(row.teams_json), json.loads(row.team_names), strict=True))


def pulse_links(row: Any) -> None:
    """The whole pulse's link, one per team, and the caption on who can reach them."""
    st.code(ui.pulse_link(row.token), language=None, wrap_lines=True)
    teams = pulse_teams(row)
    if len(teams) > 1:
        st.markdown(
            "One link per team (the team is fixed): "
            + " · ".join(f"[{markdown_text(name)}]({ui.pulse_link(row.token, team)})" for team, name in teams.items())
        )
    if ui.phones_cannot_reach():
        st.caption(
            "This app answers this computer only (127.0.0.1): phones cannot reach these links. To let them, run "
            "`python -m cxchange pulse serve --db … --host 0.0.0.0` on this computer and set CXCHANGE_PULSE_URL to "
            "the address phones reach it at (for example `http://192.168.1.20:8614`) before starting the app, or use "
            "a team deployment (README, Deploying)."
        )


def live_link(wave_id: int) -> dict[str, str]:
    """The session link's part for the wave's newest open pulse (none where no pulse is open)."""
    found = ui.pulse_list(wave_id)
    found = found[found["state"] == "open"]
    return {} if found.empty else {"live": str(int(found["id"].iloc[0]))}


def live_pulse_panel(initiative_id: int, wave_id: int, chosen: list[str]) -> None:
    """The set-up page's live pulse: the wave's open pulses with their links, QR codes and figures; an editor
    opens and closes them here."""
    st.subheader("Live pulse")
    st.caption(
        "The room answers the ADKAR statements on their phones, anonymously; the answers are responses of this "
        "wave, in an import of their own (undo removes them). The shared screen shows how many have answered, "
        "then each team's figures once it has enough answers."
    )
    for key in ("pulse_opened", "pulse_closed"):
        if done := st.session_state.pop(key, None):
            st.success(done)
    found = ui.pulse_list(wave_id)
    for row in found[found["state"] == "open"].itertuples():
        with st.container(border=True):
            code, about = st.columns([1, 2])
            code.image(qr.svg(ui.pulse_link(row.token)), width=240, caption="Scan to answer")
            with about:
                form = pulses.FORMS[row.form].split(":")[0]
                st.markdown(
                    f"**{markdown_text(', '.join(pulse_teams(row).values()))}** · {markdown_text(form)} form · "
                    f"closes at {local_time(row.closes_at)}"
                )
                pulse_links(row)
                present, close = st.columns(2)
                if present.button("Show it on the shared screen", key=f"present_{row.id}", type="primary"):
                    st.query_params.from_dict(
                        {"initiative": str(initiative_id), "wave": str(wave_id), "teams": chosen,
                         "steps": [LIVE.kind], "live": str(row.id), "step": LIVE.slug}
                    )  # fmt: skip
                    st.rerun()
                with close:
                    close_button(int(row.id), key=f"close_{row.id}")
            live_figures(int(row.id), initiative_id, wave_id)
    if editing:
        with st.expander(
            "Open a live pulse", expanded=not (found["state"] == "open").any(), icon=":material/qr_code_2:"
        ):
            open_pulse_form(wave_id, chosen)
    elif (found["state"] != "open").all():
        st.markdown("No pulse is open on this wave. An editor opens one here.")


def figures_line(row: pd.Series, threshold: float) -> str:
    """A team's published pulse figures: the five element means (2 decimals) with the n behind them, and the
    barrier point judged on the means as printed, as HTML (escaped)."""
    means = " · ".join(f"{ELEMENT_LABELS[element]} {row[element]:.2f}" for element in ELEMENTS)
    point = scoring.barrier_points(row.to_frame().T, threshold, decimals=2).iloc[0]
    stuck = f"Stuck at: {ELEMENT_LABELS[point]}" if isinstance(point, str) else "No barrier point"
    n = int(row["n"])
    return (
        f"<p>{html_text(means)} · n = {n:,} {'answer' if n == 1 else 'answers'} to this pulse</p>"
        f"<div class='cx-mid'>{html_text(stuck)}</div>"
    )


def wave_pulse(wave_id: int, pulse_id: int):
    """The pulse a session's link names, as a row of the wave's pulses; None (and said so) where it is gone."""
    found = ui.pulse_list(wave_id)
    found = found[found["id"].astype(int) == pulse_id]
    if found.empty:
        st.error("This session's link names a pulse that is not one of this wave's (its answers may have been undone).")
        return None
    return next(found.itertuples())


@st.fragment(run_every=LIVE_SECONDS)
def live_figures(pulse_id: int, initiative_id: int, wave_id: int) -> None:
    """Per team of the pulse: how many have answered (rounded below the minimum group size), then the figures
    published for it (services.pulse_published: the pulse's own answers of the team, moving only in steps
    of at least the minimum group size, so no change on the screen is one person's answer). Comments only
    once the pulse has closed, from their own minimum, in a fixed shuffled order. Redrawn every few seconds."""
    pulse = wave_pulse(wave_id, pulse_id)
    if pulse is None:
        return
    teams = pulse_teams(pulse)
    counts = ui.pulse_counts(pulse_id)
    published = ui.read(services.pulse_published, pulse_id).set_index("team_id")
    threshold = float(settings["barrier_threshold"])
    for team_id, name in teams.items():
        count = counts.get(team_id, 0)
        st.markdown(
            f"<div class='cx-live-team'>{html_text(name)}: {html_text(pulses.answer_count_text(count, min_n))}</div>",
            unsafe_allow_html=True,
        )
        if team_id not in published.index:
            continue
        if isinstance(published.loc[team_id, "held"], str):
            st.markdown(markdown_text(published.loc[team_id, "held"]))
            continue
        st.markdown(figures_line(published.loc[team_id], threshold), unsafe_allow_html=True)
        if pulse.state == "closed" and isinstance(pulse.comment_question, str):
            shown, note = ui.read(services.pulse_comments, ui.settings(), pulse_id, team_id)
            if shown:
                st.markdown(markdown_text(note))  # the room reads it at the projector's size, as the figures
                for comment in shown[:3]:
                    st.markdown(f"> {markdown_text(comment)}")
    if not published.empty:
        st.markdown(markdown_text(pulses.steps_text(min_n)))
    if pulse.state != "open":
        st.markdown("This pulse has closed: it takes no more answers.")


def live_step(initiative_id: int, wave_id: int, pulse_id: int) -> None:
    """The presenter's live step: the QR code and link large, and the live figures beside them."""
    row = wave_pulse(wave_id, pulse_id)
    if row is None:
        return
    code, figures = st.columns([2, 3], gap="large")
    with code:
        if row.state == "open":
            st.image(qr.svg(ui.pulse_link(row.token)), width=330)
            st.markdown(f"<div class='cx-link'>{html_text(ui.pulse_link(row.token))}</div>", unsafe_allow_html=True)
            st.markdown(f"Closes at {local_time(row.closes_at)}.")
            close_button(int(row.id), key="close_live")
        else:
            closed = row.closed_at if isinstance(row.closed_at, str) else row.closes_at  # NaN: it ran out
            st.markdown(f"<div class='cx-mid'>Closed at {local_time(closed)}</div>", unsafe_allow_html=True)
    with figures:
        live_figures(int(row.id), initiative_id, wave_id)


# The live step's own type: a team's count as large as a headline, the link small enough to fit one line.
LIVE_CSS = """
<style>
.cx-live-team { font-size: 34px; font-weight: 600; line-height: 1.2; margin: 0.2rem 0; color: #000; }
.cx-link { font-size: 20px; word-break: break-all; color: #111; }
</style>
"""

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
        link |= live_link(wave_id)  # an open pulse on the wave: the session starts on its live step
        if editing:  # the session gets its own id: its link, and every action captured in it, carry it
            link["session"] = str(ui.call(services.start_workshop_session, initiative_id, wave_id, chosen))
        st.query_params.from_dict(link | {"step": LIVE.slug if "live" in link else steps[0].slug})
        st.rerun()
    live_pulse_panel(initiative_id, wave_id, chosen)
    st.stop()

# Presenting: everything comes from the link, so a step can be opened, shared and reloaded (the next day too).
st.html(ui.PROJECTOR_CSS)
initiative_id, wave_id = workshop.link_id(params.get("initiative")), workshop.link_id(params.get("wave"))
session_id = workshop.link_id(params.get("session")) or None  # None: a link from before sessions had ids
steps = workshop.session_steps(params.get_all("steps") or list(workshop.KINDS), params.get_all("teams"))
frame = ui.readiness_frame(initiative_id)
wave_rows = frame[frame["wave_id"] == wave_id]
live_id = workshop.link_id(params.get("live"))
if live_id:  # a session with a live pulse opens on it; a wave with no results yet has only that step
    steps = [LIVE] if wave_rows.empty else [LIVE, *steps]
if not steps or (wave_rows.empty and not live_id):
    st.error("This session's link no longer matches the workspace (its initiative or wave is gone).")
    if st.button("Set up a new session"):
        st.query_params.clear()
        st.rerun()
    st.stop()
at = workshop.position(steps, params.get("step"))
step = steps[at]
wave_name = wave_rows["wave"].iloc[0] if not wave_rows.empty else ""
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


if step.kind == "live":
    st.html(LIVE_CSS)
    live_step(initiative_id, wave_id, live_id)
elif step.kind == "pulse":
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
        # n and the rate on a line of their own: in the narrow column beside the answers, one headline line
        # wrapped mid-phrase ("readiness index · n =" / "78 · 52% of 150").
        f"<div class='cx-big'>{html_text(screen['index'])}</div>"
        f"<div class='cx-mid'>readiness index</div><p>{html_text(screen['n'] + rate)}</p>",
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
