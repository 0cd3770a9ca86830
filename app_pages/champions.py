"""Champions: coverage by team, the roster, the activity log with quick entry, roster import, the champion effect."""

import pandas as pd
import streamlit as st

from cxchange import access, champions, charts, hierarchy, services, ui
from cxchange.importing import ImportRejected
from cxchange.importing.roster import template_csv
from cxchange.text import markdown_text, plural

st.title("Champions")
st.caption(
    "Employees who carry the change into their team. Champions are named people by design: use an alias "
    "where a champion prefers one."
)
ui.say_kept("champions_message")

today = ui.today()
settings = ui.settings()
ratio = settings["champion_ratio"]
quiet_days = int(settings["champion_quiet_days"])
teams = ui.active_teams()  # coverage is today's: archived teams need no champion
roster = ui.champion_roster()
log = ui.champion_activity_log()
team_ids = {str(name): int(team_id) for name, team_id in zip(teams["name"], teams["id"], strict=True)}
if not team_ids:
    st.info("There are no teams yet: import a survey file or load the demo under Settings first.")
    st.stop()
rows = ui.computed(champions.coverage, teams, roster, log, today, ratio, quiet_days)
editing = ui.may_edit()  # a viewer reads the roster and the log; the services check every write again


def done(text: str) -> None:
    """Keep the message for the next run, and rerun (the write changed the file: the next run reads it anew)."""
    ui.keep("champions_message", text)
    st.rerun()


def coverage_tab() -> None:
    """The organisation's headline, the chart of people per champion by team, and the table behind it."""
    summary = champions.coverage_summary(rows)
    a, b, c, d = st.columns(4)
    a.metric("Active champions", summary["champions"])
    people = summary["people_per_champion"]
    b.metric("People per champion", "none active" if people != people else f"{people:.0f}")
    needed = summary["needed"]
    gap = (
        ""
        if needed is None
        else " · met"
        if summary["target_met"]
        else f" · {needed - summary['champions']} more needed"
    )
    b.caption(f"Target: 1 per {ratio:g}{gap}")
    c.metric("Teams with no champion in post", f"{summary['teams_without']} of {summary['teams']}")
    d.metric(f"Quiet teams (in post, no session in {quiet_days} days)", summary["teams_quiet"])
    if summary["without"]:
        names = ", ".join(markdown_text(name) for name in summary["without"])
        st.warning(f"**No champion in post:** {names}.", icon=":material/person_off:")
    if summary["quiet"]:
        st.warning(
            f"**Quiet for more than {quiet_days} days:** {', '.join(map(markdown_text, summary['quiet']))}. "
            "Log a session under Activity log when a champion has run one.",
            icon=":material/notifications_paused:",
        )
    ui.team_chart(
        charts.coverage_chart,
        rows,
        ratio,
        key="coverage_chart",
        title=f"Champion coverage on {today:%d %B %Y}",
        quiet_days=quiet_days,
    )
    st.caption("Click a team to open its detail.")
    table = champions.coverage_table(rows, ratio, quiet_days)
    ui.table(
        table, hide_index=True, width="stretch", height=(len(table) + 1) * 35 + 3, name="champion coverage by team"
    )


def roster_tab() -> None:
    """Add a champion, edit the roster in a grid, retire a champion: each write checked whole first."""
    if not editing:
        st.caption("You can read the roster; adding and editing champions needs the editor role.")
        if roster.empty:
            st.info("No champions yet.")
            return
        grid = ui.computed(champions.roster_grid, roster, log, today)
        ui.table(
            grid.drop(columns=["id"]),
            hide_index=True,
            width="stretch",
            column_order=["Name or alias", "Team", "Start", "End", "Active today", "Last activity", "Sessions"],
            name="champion roster",
        )
        return
    with st.form("add_champion", clear_on_submit=True):
        st.write("**Add a champion**")
        left, middle, right, end = st.columns(4)
        alias = left.text_input("Name or alias", max_chars=champions.MAX_ALIAS, key="add_alias")
        team = middle.selectbox("Team", sorted(team_ids), index=None, placeholder="Choose a team", key="add_team")
        started = right.date_input("Start", value=today, key="add_start")
        ended = end.date_input("End (optional)", value=None, key="add_end")
        if st.form_submit_button("Add champion", type="primary", key="add_submit"):
            try:
                ui.call(services.add_champion, alias, team, started, ended)
            except ValueError as problem:  # access.Refused too: a team outside the person's teams
                ui.say("error", f"Nothing was added. {problem}")
            else:
                done(f"Added {alias} to the roster of {team} from {started:%Y-%m-%d}.")

    if roster.empty:
        st.info("No champions yet: add one above, or import a roster file under Import.")
        return
    st.write("**The roster**")
    st.caption(
        "Edit a name, team or date in the grid and save; set an end date to record that a champion stepped down. "
        "A champion is active from the start date up to, not including, the end date."
    )
    grid = ui.computed(champions.roster_grid, roster, log, today)
    version = st.session_state.setdefault("roster_version", 0)
    edited = st.data_editor(
        grid,
        hide_index=True,
        width="stretch",
        key=f"roster_grid:{version}",
        disabled=["id", "Active today", "Last activity", "Sessions"],
        column_order=["Name or alias", "Team", "Start", "End", "Active today", "Last activity", "Sessions"],
        column_config={
            "Team": st.column_config.SelectboxColumn(options=sorted(team_ids), required=True),
            "Start": st.column_config.DateColumn(format="YYYY-MM-DD", required=True),
            "End": st.column_config.DateColumn(format="YYYY-MM-DD"),
        },
        placeholder=ui.MISSING,
    )
    ui.table_downloads(grid, "champion roster")
    if st.button("Save roster changes", key="roster_save"):
        edits = champions.roster_edits(grid, edited)
        if not edits:
            st.info("Nothing to save: the grid is as stored.")
        else:
            try:
                changed = ui.call(services.update_champions, edits)
            except ValueError as problem:
                ui.say("error", "Nothing was saved:", str(problem).splitlines())
            else:
                st.session_state["roster_version"] = version + 1
                done(f"Saved the roster: {plural(changed, 'champion')} changed.")

    active = roster[champions.active_mask(roster, today)]
    if active.empty:
        return
    with st.form("retire_champion"):
        st.write("**A champion steps down**")
        st.caption("They count as active up to the day before; sessions on that day can still be logged.")
        left, right = st.columns(2)
        labels = {int(i): f"{a} · {t}" for i, a, t in zip(active["id"], active["alias"], active["team"], strict=True)}
        chosen = left.selectbox(
            "Champion", list(labels), format_func=labels.get, index=None, placeholder="Choose", key="retire_champion"
        )
        ended = right.date_input("Stepped down on", value=today, key="retire_date")
        if st.form_submit_button("Record the step down", key="retire_submit"):
            if chosen is None:
                st.error("Choose the champion who steps down.")
                return
            try:
                ui.call(services.retire_champion, chosen, ended)
            except ValueError as problem:
                ui.say("error", f"Nothing was saved. {problem}")
            else:
                done(f"{labels[chosen]} stepped down on {ended:%Y-%m-%d}.")


def activity_tab() -> None:
    """Quick entry after a session, then the log; the message says what the session did to coverage."""
    active = roster[champions.active_mask(roster, today)]
    if not editing:
        st.caption("You can read the log; logging a session needs the editor role.")
    elif active.empty:
        st.info("No champion is active today: add one under Roster first.")
    else:
        with st.form("quick_entry"):
            st.write("**Log a session**")
            first, second, third = st.columns(3)
            labels = {
                int(i): f"{a} · {t}" for i, a, t in zip(active["id"], active["alias"], active["team"], strict=True)
            }
            champion = first.selectbox(
                "Champion",
                list(labels),
                format_func=labels.get,
                index=None,
                placeholder="Choose a champion",
                key="entry_champion",
            )
            kind = second.selectbox("Kind", champions.ACTIVITY_KINDS, format_func=str.capitalize, key="entry_kind")
            happened = third.date_input("Date", value=today, max_value=today, key="entry_date")
            reach, note_col = st.columns([1, 2])
            people = reach.number_input(
                "People reached", min_value=0, step=1, value=None, placeholder="How many", key="entry_people"
            )
            note = note_col.text_input("Note (optional)", max_chars=champions.MAX_NOTE, key="entry_note")
            if st.form_submit_button("Log session", type="primary", key="entry_submit"):
                if champion is None:
                    st.error("Choose the champion who ran the session.")
                else:
                    try:
                        ui.call(services.add_champion_activity, champion, kind, happened, people, note, today)
                    except ValueError as problem:
                        ui.say("error", f"Nothing was logged. {problem}")
                    else:
                        # The write changed the file's stamp, so these read the roster and log as they are now.
                        after = ui.computed(
                            champions.coverage,
                            teams,
                            ui.champion_roster(),
                            ui.champion_activity_log(),
                            today,
                            ratio,
                            quiet_days,
                        )
                        team_id = int(active.set_index("id").loc[champion, "team_id"])
                        done(
                            f"Logged a {kind} by {labels[champion]} on {happened:%Y-%m-%d} ({people} people reached). "
                            + champions.describe_coverage_change(rows, after, team_id)
                        )

    st.write("**The log**")
    if log.empty:
        st.caption("No session logged yet.")
        return
    shown_teams = ["All teams", *sorted(set(log["team"]))]
    team = st.selectbox("Team", shown_teams, key="log_team")
    part = log if team == "All teams" else log[log["team"] == team]
    kinds = part["kind"].value_counts()
    st.caption(
        f"{len(part):,} sessions, {int(part['people_reached'].sum()):,} people reached: "
        + ", ".join(plural(count, kind) for kind, count in kinds.items())
        + "."
    )
    ui.table(
        pd.DataFrame(
            {
                "Date": part["happened_on"],
                "Champion": part["alias"],
                "Team": part["team"],
                "Kind": part["kind"].str.capitalize(),
                "People reached": part["people_reached"],
                "Note": part["note"],
            }
        ),
        hide_index=True,
        width="stretch",
        height=420,
        name="champion activity log",
    )


def import_tab() -> None:
    """Upload a roster file, see what happens to every row, import it as one batch, undo a batch."""
    if not editing:
        st.info("Importing a roster file needs the editor role.")
        return
    st.write(
        "Upload a CSV or Excel file with a row per champion: columns **name** (or alias), **team**, **start** and, "
        "where a champion has stepped down, **end**; dates as YYYY-MM-DD. Nothing is written until you press "
        "Import, a file with any bad row imports nothing, and champions already in the roster are skipped."
    )
    st.download_button(
        "Download a template (CSV)",
        template_csv(),
        file_name="cxchange-champions.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    uploaded = st.file_uploader("Roster file", key="roster_upload")
    if uploaded is not None:
        try:
            preview = ui.dry_run(services.import_roster, uploaded.getvalue(), uploaded.name)
        except (ImportRejected, access.Refused) as problem:
            ui.say("error", problem)
        else:
            _preview(preview, uploaded)
    _history()


def _preview(preview, uploaded) -> None:
    st.write("**Preview**")
    if preview.already_imported:
        ui.say("info", preview.summary())
        return
    plan = preview.plan
    counts = plan.counts()
    add, skipped, errors = st.columns(3)
    add.metric("Champions to add", counts.get("add", 0))
    skipped.metric("Rows skipped", sum(counts.get(k, 0) for k in ("duplicate", "duplicate in file", "blank")))
    errors.metric("Rows with errors", counts.get("error", 0))
    if preview.ignored_columns:
        st.caption(markdown_text(f"Columns left out: {', '.join(preview.ignored_columns)}."))
    if plan.problems:
        shown = plan.problems[:50]
        more = [f"… and {len(plan.problems) - len(shown)} more"] if len(plan.problems) > len(shown) else []
        ui.say("error", preview.summary(), [*shown, *more])
    elif not counts.get("add"):
        ui.say("info", preview.summary())
    ui.table(
        plan.table(),
        hide_index=True,
        width="stretch",
        column_config={"What happens": st.column_config.TextColumn(width="large")},
        name="champion roster import preview",
    )
    if st.button("Import", type="primary", key="roster_import", disabled=bool(plan.problems) or not counts.get("add")):
        result = ui.call(services.import_roster, uploaded.getvalue(), uploaded.name)
        done(result.summary())


def _history() -> None:
    history = ui.champion_batches()
    if ui.scope() is not None:  # someone who looks after some teams sees (and undoes) their own imports only
        history = history[history["imported_by"] == ui.actor().name]
    st.write("**Roster imports**")
    if history.empty:
        st.caption("No roster file imported yet.")
        return
    ui.table(
        history.rename(
            columns={
                "id": "Batch",
                "file_name": "File",
                "imported_at": "Imported",
                "imported_by": "By",
                "champions": "Champions",
                "activities": "Sessions logged since",
            }
        ),
        hide_index=True,
        width="stretch",
        name="champion roster imports",
    )
    names = dict(zip(history["id"], history["file_name"], strict=True))
    batch = st.selectbox("Batch", list(names), format_func=lambda i: f"{i} · {names[i]}", key="roster_undo_batch")
    if st.button("Undo this import", key="roster_undo"):
        st.session_state["roster_confirm_undo"] = batch
    if st.session_state.get("roster_confirm_undo") == batch:
        held = history.set_index("id").loc[batch]
        st.warning(
            f"Remove batch {batch}: its {plural(held['champions'], 'champion')} and the "
            f"{plural(held['activities'], 'session')} logged for them since? This cannot be undone."
        )
        yes, no = st.columns(2)
        if yes.button("Yes, remove it", type="primary", key="roster_undo_yes"):
            try:
                removed = ui.call(services.undo_champion_batch, batch)
            except access.Refused as problem:  # champions of teams they no longer look after
                ui.say("error", problem)
                return
            st.session_state.pop("roster_confirm_undo")
            done(
                f"Removed batch {batch}: {plural(removed['champions'], 'champion')} and "
                f"{plural(removed['activities'], 'session')}."
            )
        if no.button("Keep it", key="roster_undo_no"):
            st.session_state.pop("roster_confirm_undo")
            st.rerun()


def effect_tab() -> None:
    """Readiness of teams with an active champion against those with none in post, wave by wave, as association."""
    left, right = st.columns([1, 2])
    with left:
        initiative_id = ui.initiative_picker(key="champions_initiative")
    with right:
        group = st.radio(
            "Respondents",
            ["all", "others"],
            format_func={"all": "All respondents", "others": "Everyone but champions"}.get,
            horizontal=True,
            key="effect_group",
            help="Champions' own answers may flatter their teams; leaving them out hides more small teams.",
        )
    waves = ui.waves(initiative_id)
    frame = ui.readiness_frame(initiative_id, group)
    if waves.empty or frame.empty:
        st.info("No survey results yet: the champion effect needs readiness figures.")
        return
    min_teams = int(settings["champion_effect_min_teams"])
    effect = ui.computed(champions.champion_effect, frame, roster, log, waves, min_teams, quiet_days)
    st.markdown(champions.describe_effect(effect, min_teams, quiet_days))
    lines = champions.effect_lines(effect)
    if not lines.empty:
        ui.chart(
            charts.champion_effect_chart,
            lines,
            waves["name"].tolist(),
            title="Readiness with an active champion and with none in post",
        )
    ui.table(
        champions.effect_table(effect),
        hide_index=True,
        width="stretch",
        column_config={
            name: st.column_config.NumberColumn(format="%.1f")
            for name in (*champions.EFFECT_GROUPS.values(), "Difference")
        },
        name="champion effect by wave",
    )
    hidden = int(effect["teams_hidden"].max()) if len(effect) else 0
    min_n = int(settings["min_group_size"])
    st.caption(
        "Each wave compares teams that had an active champion of their own on the day the wave opened (in post, "
        f"with a session logged in the {quiet_days} days before) with teams that had no champion in post. Teams "
        "whose champions were all quiet (in post, no session in that time) are neither, and are left out and "
        "counted. Only teams without teams below them count, and only where their figure is shown: teams with "
        f"{hierarchy.suppression_text('primary', min_n)} responses, or hidden so that a smaller group cannot be "
        f"worked out, are left out (up to {hidden} a wave), as are teams with only entered team means. Each team "
        "counts once: a group's index is the mean of its teams' indices, and the CI of the difference is Welch's "
        f"over teams, not respondents; with fewer than {min_teams} teams in a group it is not tested."
    )


coverage, roster_view, activity, imports, effect_view = st.tabs(
    ["Coverage", "Roster", "Activity log", "Import", "Champion effect"], key="champions_tabs"
)
with coverage:
    coverage_tab()
with roster_view:
    roster_tab()
with activity:
    activity_tab()
with imports:
    import_tab()
with effect_view:
    effect_tab()
