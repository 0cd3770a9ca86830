"""Actions: what the programme promised its teams, who owns it and by when; what is overdue; and, once done,
what moved for the element it targeted ("you said, we did")."""

import zlib

import streamlit as st

from cxchange import actions, hierarchy, services, ui
from cxchange.model import ELEMENT_LABELS, ELEMENTS, KOTTER_STEPS
from cxchange.text import agree, markdown_text, plural, upper_first

st.title("Actions")
st.caption(
    "The programme's promises to its teams: what will be done, by whom, by when, and which ADKAR element or "
    "Kotter step it works on. Closed actions show what moved for their team in the next survey wave."
)
ui.say_kept("actions_message")

today = ui.today()
settings = ui.settings()
label_set = settings["kotter_labels"]
initiative_id = ui.initiative_picker(key="actions_initiative")
if initiative_id is None:
    st.info(
        "There is no initiative yet: one starts with the first survey import under Import & entry. "
        "To look around first, load the demo organisation under Settings → Workspace."
    )
    st.stop()
log = ui.initiative_actions(initiative_id)
teams = ui.teams()
tree = hierarchy.team_tree(teams)
tree = tree[tree["team_id"] != 0]
team_names = dict(zip(tree["team_id"], tree["team"], strict=True))
team_depth = dict(zip(tree["team_id"], tree["depth"], strict=True))
editing = ui.may_edit()  # a viewer reads the log; the services check every write again

counts = actions.summary(log, today)
for column, (label, value) in zip(
    st.columns(4),
    [
        ("Open", counts["open"]),
        ("In progress", counts["in progress"]),
        ("Overdue", counts["overdue"]),
        ("Done", counts["done"]),
    ],
    strict=True,
):
    column.metric(label, value)


NONE = 0  # the form's choice of no team or no Kotter step (team and step ids start at 1)


def team_label(team_id: int) -> str:
    if team_id == NONE:
        return f"{actions.NO_TEAM} (no one team)"
    return "\u2003" * max(team_depth[team_id] - 1, 0) + team_names[team_id]


def step_label(step: int) -> str:
    return "none" if step == NONE else f"{step}. {KOTTER_STEPS[step - 1].label(label_set)}"


def add_action(initiative_id: int) -> None:
    """The add form's callback: store the action, or keep the form filled and say what is wrong."""
    state = st.session_state
    try:
        ui.call(
            services.add_action,
            initiative_id,
            state["action_title"],
            owner=state["action_owner"],
            team_id=state["action_team"] or None,
            element=state["action_element"] or None,
            kotter_step=state["action_step"] or None,
            due_on=state["action_due"],
            source=state["action_source"],
            today=ui.today(),
        )
    except ValueError as problem:
        state["action_problems"] = getattr(problem, "problems", [str(problem)])
        return
    ui.keep("actions_message", f"Added “{' '.join(state['action_title'].split())}” to the log.")
    state["action_title"], state["action_owner"], state["action_due"] = "", "", None
    state["action_element"], state["action_step"] = "", NONE


def log_view() -> None:
    """Filters, the overdue warning, and the log as an editor whose Status, Owner and Due save together."""
    if log.empty:
        st.info("No actions logged for this initiative yet. Add the first under **Add an action**.")
        return
    team_col, status_col, overdue_col = st.columns([2, 2, 1])
    with team_col:
        root = ui.team_picker("Team (and the teams below it)", key="actions_team")
    statuses = status_col.multiselect("Status", actions.STATUSES, default=list(actions.STATUSES), key="actions_status")
    overdue_only = overdue_col.toggle("Overdue only", key="actions_overdue")
    team_ids = None if root == 0 else hierarchy.subtree_ids(teams, root)
    shown = actions.filter_actions(log, today, team_ids, statuses, overdue_only)
    late = actions.overdue(shown, today)
    barriers = actions.latest_barriers(ui.readiness_frame(initiative_id))
    flags = actions.action_flags(shown, barriers, today)
    aimed_past = shown[flags["past_barrier"].to_numpy(bool)]
    if not aimed_past.empty:
        named = [
            f"“{markdown_text(row.title)}” ({markdown_text(row.team)}: "
            f"{actions.past_barrier_text(row.element, barriers[int(row.team_id)])})"
            for row in aimed_past.itertuples()
        ]
        st.warning(
            f"**{plural(len(aimed_past), 'open action')} {agree(len(aimed_past), 'is', 'are')} aimed past "
            f"{agree(len(aimed_past), 'its', 'their')} team's barrier**, so the team cannot take it up yet "
            f"(ADKAR goes in order): {'; '.join(named)}.",
            icon=":material/flag:",
        )
    if not late.empty:
        worst = late.iloc[0]
        st.warning(
            f"**{plural(len(late), 'action')} {agree(len(late), 'is', 'are')} overdue.** "
            f"The longest: “{markdown_text(worst['title'])}”, "
            f"{actions.overdue_text(int(worst['days_overdue']))}.",
            icon=":material/warning:",
        )
    if shown.empty:
        st.info("No action matches these filters.")
        return
    table = actions.log_table(shown, today, label_set, barriers)
    if not editing:
        ui.table(table, hide_index=True, width="stretch", name="action log")
        st.caption(f"{len(shown)} of {len(log)} actions. Changing an action needs the editor role.")
        return
    version = st.session_state.get("actions_log_version", 0)
    edited = st.data_editor(
        table,
        # Edits are kept by row position: rows that move (a filter, a save, another user's write) start afresh.
        key=f"actions_log:{initiative_id}:{zlib.crc32(table.index.to_numpy().tobytes())}:{version}",
        hide_index=True,
        width="stretch",
        on_change="ignore",  # edits wait for Save: no rerun per cell on a shared screen
        disabled=[column for column in table.columns if column not in actions.LOG_EDITS],
        column_config={
            "Overdue": st.column_config.TextColumn(width=160, help="Open or in progress, and past its due date."),
            "Barrier": st.column_config.TextColumn(
                help="Open, and aimed at an ADKAR element after its team's barrier in the latest wave."
            ),
            "Action": st.column_config.TextColumn(width=360),
            "Status": st.column_config.SelectboxColumn(width=110, options=list(actions.STATUSES), required=True),
            "Owner": st.column_config.TextColumn(max_chars=actions.OWNER_LIMIT),
            "Due": st.column_config.DateColumn(width=110, format="YYYY-MM-DD"),
            "Votes": st.column_config.NumberColumn(help="Dot-votes from workshops."),
        },
        placeholder=ui.MISSING,
    )
    ui.table_downloads(table, "action log")
    st.caption(
        f"{len(shown)} of {len(log)} actions. Change a status, owner or due date in the table, then save; "
        "closing an action (done or dropped) records today as its closing date."
    )
    if st.button("Save changes", type="primary", key="actions_save"):
        changes = actions.edits(table, edited)
        if not changes:
            st.info("Nothing to save: no status, owner or due date has been changed.")
            return
        try:
            applied = ui.call(services.update_actions, changes, today=today)
        except ValueError as problem:
            found = getattr(problem, "problems", [str(problem)])
            ui.say("error", "Nothing was saved:", found)
            return
        lines = actions.describe_applied(applied)
        st.session_state["actions_log_version"] = version + 1
        ui.keep("actions_message", f"Saved changes to {plural(len(lines), 'action')}:", lines)
        st.rerun()


def said_and_done() -> None:
    """Done actions by team, each with what moved for its element from the wave before to the wave after."""
    done = actions.you_said_we_did(log, teams)
    if done.empty:
        st.info(
            "No action is done yet. When one is marked done, it shows here under its team, with what moved "
            "for the element it targeted once the next survey wave is in."
        )
        return
    effects = ui.computed(
        actions.action_effects,
        log,
        ui.readiness_frame(initiative_id),
        ui.waves(initiative_id),
        min_n=int(settings["min_group_size"]),
    )
    moved = dict(zip(effects["id"], effects["sentence"], strict=True))
    tested = int(effects["p"].notna().sum())
    st.caption(
        "Each element is compared between the last survey wave before the action was closed and the first wave "
        f"after. Up or down is said only where the change is significant across the {tested} actions tested "
        "(Welch's test, Benjamini–Hochberg correction). A move after an action is an association, not proof that "
        "the action caused it: other things changed too."
    )
    for team, rows in done.groupby("team", sort=False):
        st.subheader(markdown_text(team))
        for row in rows.itertuples(index=False):
            with st.container(border=True):
                details = [f"done {row.closed_on}"]
                if isinstance(row.source, str):
                    details.append("from another source" if row.source == "other" else f"from a {row.source}")
                targets = actions.targets_text(row.element, row.kotter_step, label_set)
                if targets:
                    details.append(f"targets {targets}")
                if isinstance(row.owner, str):
                    details.append(f"owner {markdown_text(row.owner)}")
                st.markdown(f"**{markdown_text(row.title)}**")
                line = " · ".join(details)
                st.caption(upper_first(line))
                st.markdown(f"**What moved:** {markdown_text(moved[row.id])}")


def add_form() -> None:
    """A new open action of this initiative; the form keeps what was typed until it is stored."""
    if not editing:
        st.info("Adding an action needs the editor role.")
        return
    # someone who looks after some teams logs actions for those teams, not for the programme as a whole
    choices = [*team_names] if ui.scope() is not None else [NONE, *team_names]
    with st.form("action_add"):
        st.text_input("What will be done", key="action_title", max_chars=actions.TITLE_LIMIT)
        left, right = st.columns(2)
        left.selectbox("Team", choices, format_func=team_label, key="action_team")
        right.text_input(
            "Owner", key="action_owner", max_chars=actions.OWNER_LIMIT, help="Required: who will see it done."
        )
        left.selectbox(
            "ADKAR element it targets",
            ["", *ELEMENTS],
            format_func=lambda element: ELEMENT_LABELS[element] if element else "none",
            key="action_element",
        )
        right.selectbox(
            "Kotter step it targets",
            [NONE, *(step.number for step in KOTTER_STEPS)],
            format_func=step_label,
            key="action_step",
        )
        left.date_input("Due", value=None, format="YYYY-MM-DD", key="action_due", help="Required.")
        right.selectbox("Source", actions.SOURCES, key="action_source")
        st.form_submit_button(
            "Add action", type="primary", on_click=add_action, args=(initiative_id,), key="action_submit"
        )
    if problems := st.session_state.pop("action_problems", None):
        ui.say("error", "Nothing was added:", problems)


# Keyed and tracked, so the tab in use stays open when a save or an add reruns the page.
log_tab, said_tab, add_tab = st.tabs(
    ["Action log", "You said, we did", "Add an action"], key="actions_tab", on_change="rerun"
)
with log_tab:
    log_view()
with said_tab:
    said_and_done()
with add_tab:
    add_form()
