"""Settings: the organisation (teams, merges, org files), initiatives and waves, the question bank, the
thresholds every view uses, people and their roles, the audit trail, and the workspace (demo, empty start,
backups). Admins only (app.py leaves the page out for other roles; every service checks again)."""

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from cxchange import access, names, organisation, questions, sample_data, services, store, ui
from cxchange.importing import ImportRejected
from cxchange.model import ELEMENT_LABELS, KOTTER_LABEL_SETS
from cxchange.settings import SETTINGS
from cxchange.text import agree, markdown_text, plural

st.title("Settings")
current = ui.settings()
today = ui.today()


def done(key: str, text: str) -> None:
    """Keep the message for the next run, and rerun."""
    ui.keep(key, text)
    st.rerun()


def attempt(key: str, failure: str, success: Callable[[Any], str], service: Callable[..., Any], *args: Any) -> None:
    """Run a service: where it refuses, say so beside the form (nothing changed, `failure` first); where it
    succeeds, keep `success(its result)` for the next run and rerun."""
    try:
        result = ui.call(service, *args)
    except ValueError as problem:
        ui.say("error", f"{failure} {problem}".strip())
    else:
        done(key, success(result))


def organisation_tab() -> None:
    """The team grid, merges and their undo, and the org file."""
    ui.say_kept("org_message")
    teams = ui.teams()
    merges = ui.read(store.org.merges)
    in_place = merges[merges["undone_at"].isna()]
    grid = ui.computed(organisation.team_grid, teams, in_place["from_team_id"].astype(int).tolist())
    active = sorted(teams.loc[teams["archived_on"].isna(), "name"])
    st.subheader("Teams")
    st.caption(
        "Add a team in the empty row at the bottom, rename one, choose its parent, give its headcount (the people "
        "in the team itself, not those of the teams below it) or archive it. An archived team leaves the pickers "
        "and today's views and keeps its history. A new team can be chosen as a parent once it is saved."
    )
    version = st.session_state.setdefault("org_version", 0)
    edited = st.data_editor(
        grid,
        key=f"org_grid:{version}",
        hide_index=True,
        width="stretch",
        num_rows="add",
        column_order=["Team", "Parent team", "Headcount", "Code", "Archived"],
        column_config={
            "Team": st.column_config.TextColumn(required=True, max_chars=names.MAX_LENGTH, width="medium"),
            "Parent team": st.column_config.SelectboxColumn(options=active, help="Empty: a top-level team."),
            "Headcount": st.column_config.NumberColumn(
                min_value=0, step=1, format="%d", help="People in the team itself (response rates use it)."
            ),
            "Code": st.column_config.TextColumn(
                help="Optional: the team's code in your HR system (org files match it)."
            ),
            "Archived": st.column_config.CheckboxColumn(help="Archived teams keep their history."),
        },
        placeholder=ui.MISSING,
    )
    ui.table_downloads(grid.drop(columns="id"), "teams")
    if st.button("Save teams", type="primary", key="org_save"):
        rows = organisation.grid_rows(grid, edited)
        if not rows:
            st.info("Nothing to save: the grid is as stored.")
        else:
            try:
                plan = ui.call(services.save_teams, rows)
            except services.TeamsRefused as refused:
                ui.say("error", "Nothing was saved:", refused.problems)
            else:
                st.session_state["org_version"] = version + 1
                done("org_message", "Saved the teams: " + plan.summary())

    st.subheader("Merge two teams")
    st.caption(
        "Everything of the first team (responses, entered results, champions, actions, CX figures, sponsor "
        "activities, the teams below it) moves to the second; the first is archived and its name still finds "
        "the second in new files. A merge can be undone."
    )
    ids = dict(zip(teams["name"], teams["id"].astype(int), strict=True))
    with st.form("merge_teams"):
        left, right = st.columns(2)
        source = left.selectbox("Merge this team", active, index=None, placeholder="Choose", key="merge_from")
        target = right.selectbox("into this team", active, index=None, placeholder="Choose", key="merge_into")
        if st.form_submit_button("Merge", key="merge_submit"):
            if source is None or target is None:
                st.error("Choose both teams: the one merged away and the one it goes into.")
            else:
                attempt(
                    "org_message", "", lambda merged: merged["summary"], services.merge_teams, ids[source], ids[target]
                )
    for merge in in_place.itertuples():
        moved = json.loads(merge.moved)
        line, button = st.columns([4, 1])
        line.write(
            markdown_text(
                f"{merge.merged_at[:16].replace('T', ' ')} · "
                + organisation.merge_summary(merge.from_name, merge.into_name, moved)
            )
        )
        if button.button("Undo merge", key=f"undo_merge:{merge.id}"):
            attempt("org_message", "", lambda sentence: sentence, services.undo_merge, int(merge.id))

    st.subheader("Import an org file")
    st.caption(
        "A CSV or Excel file with a row per team: team, parent team and headcount (optional: team code). "
        "Teams match by code, then by name; a parent may be a team further down the file. Nothing is saved "
        "until every row is right."
    )
    uploaded = st.file_uploader("Org file", type=["csv", "xlsx"], key="org_upload")
    if uploaded is None:
        return
    try:
        preview = ui.dry_run(services.import_teams, uploaded.getvalue(), uploaded.name)
    except ImportRejected as problem:
        ui.say("error", problem)
        return
    if preview.problems:
        these = agree(len(preview.problems), "this problem is", f"these {len(preview.problems)} problems are")
        ui.say("error", f"Nothing can be imported from {uploaded.name} until {these} fixed:", preview.problems)
        return
    counts = preview.plan.counts()
    created, updated, unchanged = st.columns(3)
    created.metric("Will create", counts["create"])
    updated.metric("Will update", counts["update"])
    unchanged.metric("Unchanged", counts["unchanged"])
    labels = {"create": "will create", "update": "will update", "unchanged": "unchanged"}
    ui.table(
        pd.DataFrame(
            {
                "Row": [team.row for team in preview.plan.teams],
                "Team": [team.name for team in preview.plan.teams],
                "What happens": [labels[team.outcome] for team in preview.plan.teams],
                "Details": [team.sentence().split(": ", 1)[1] for team in preview.plan.teams],
            }
        ),
        "org file preview",
        hide_index=True,
        width="stretch",
    )
    if preview.ignored_columns:
        st.caption(markdown_text(f"Columns left out: {', '.join(preview.ignored_columns)}."))
    if st.button("Apply", type="primary", key="org_apply", disabled=not (counts["create"] or counts["update"])):
        try:
            result = ui.call(services.import_teams, uploaded.getvalue(), uploaded.name)
        except ImportRejected as problem:
            ui.say("error", problem)
            return
        if result.problems:
            ui.say("error", "Nothing was imported:", result.problems)
            return
        st.session_state["org_version"] = st.session_state.get("org_version", 0) + 1
        done("org_message", f"Imported {uploaded.name}: {result.plan.summary(done=True)}")


def initiatives_tab() -> None:
    """Initiatives with their owner and sponsor; each one's waves by opening date."""
    ui.say_kept("initiatives_message")
    initiatives = ui.read(store.org.initiatives)
    st.subheader("Initiatives")
    if initiatives.empty:
        st.info("No initiative yet: add the first one below.")
    else:
        ui.table(
            pd.DataFrame(
                {
                    "Initiative": initiatives["name"],
                    "Owner": initiatives["owner"],
                    "Sponsor": initiatives["sponsor"],
                    "Started": initiatives["started_on"],
                    "Archived": initiatives["archived_on"].fillna(""),
                }
            ),
            "initiatives",
            hide_index=True,
            width="stretch",
        )
    with st.form("new_initiative", clear_on_submit=True):
        st.write("**New initiative**")
        name_col, owner_col, sponsor_col = st.columns(3)
        name = name_col.text_input("Name", key="initiative_name")
        owner = owner_col.text_input("Owner", help="The one person accountable for it.", key="initiative_owner")
        sponsor = sponsor_col.text_input("Sponsor", help="The senior sponsor.", key="initiative_sponsor")
        if st.form_submit_button("Add initiative", key="initiative_add"):
            attempt(
                "initiatives_message",
                "Nothing was added.",
                lambda _: f"Added the initiative {name.strip()}.",
                services.add_initiative,
                name,
                owner,
                sponsor,
                today,
            )
    if initiatives.empty:
        return
    labels = dict(zip(initiatives["id"].astype(int), initiatives["name"], strict=True))
    chosen = st.selectbox("Initiative to edit", list(labels), format_func=labels.get, key="initiative_edit")
    row = initiatives.set_index("id").loc[chosen]
    with st.form(f"edit_initiative:{chosen}"):
        name_col, owner_col, sponsor_col = st.columns(3)
        name = name_col.text_input("Name", value=row["name"])
        owner = owner_col.text_input("Owner", value=row["owner"] or "")
        sponsor = sponsor_col.text_input("Sponsor", value=row["sponsor"] or "")
        if st.form_submit_button("Save initiative", key="initiative_save"):
            attempt(
                "initiatives_message",
                "Nothing was saved.",
                lambda _: f"Saved the initiative {name.strip()}.",
                services.update_initiative,
                chosen,
                name,
                owner,
                sponsor,
            )
    archived = row["archived_on"] is not None and not pd.isna(row["archived_on"])
    if st.button("Bring it back" if archived else "Archive this initiative", key="initiative_archive"):
        ui.call(services.archive_initiative, chosen, not archived)
        done(
            "initiatives_message",
            f"{row['name']} {'is back' if archived else 'is archived: its waves and board are kept'}.",
        )

    st.subheader(f"Waves of {row['name']}")
    waves = ui.waves(chosen)
    if waves.empty:
        st.info("No wave yet: add one before its survey file arrives, so the file finds it.")
    else:
        ui.table(
            pd.DataFrame({"Wave": waves["name"], "Opens": waves["opened_on"], "Closes": waves["closes_on"].fillna("")}),
            f"waves of {row['name']}",
            hide_index=True,
            width="stretch",
        )
    with st.form(f"new_wave:{chosen}", clear_on_submit=True):
        st.write("**New wave**")
        name_col, opens_col, closes_col = st.columns(3)
        wave_name = name_col.text_input("Name", placeholder="e.g. 2027 Q1", key="wave_name")
        opens = opens_col.date_input("Opens", value=today, key="wave_opens")
        closes = closes_col.date_input("Closes (optional)", value=None, key="wave_closes")
        if st.form_submit_button("Add wave", key="wave_add"):
            attempt(
                "initiatives_message",
                "Nothing was added.",
                lambda _: f"Added the wave {wave_name.strip()} to {row['name']}.",
                services.add_wave,
                row["name"],
                wave_name,
                opens,
                closes,
            )
    if waves.empty:
        return
    wave_labels = dict(zip(waves["id"].astype(int), waves["name"], strict=True))
    wave_id = st.selectbox("Wave to edit", list(wave_labels), format_func=wave_labels.get, key="wave_edit")
    wave = waves.set_index("id").loc[wave_id]
    with st.form(f"edit_wave:{wave_id}"):
        name_col, opens_col, closes_col = st.columns(3)
        wave_name = name_col.text_input("Name", value=wave["name"])
        opens = opens_col.date_input("Opens", value=date.fromisoformat(wave["opened_on"][:10]))
        closes = closes_col.date_input(
            "Closes (optional)", value=date.fromisoformat(wave["closes_on"][:10]) if wave["closes_on"] else None
        )
        if st.form_submit_button("Save wave", key="wave_save"):
            attempt(
                "initiatives_message",
                "Nothing was saved.",
                lambda _: f"Saved the wave {wave_name.strip()}.",
                services.update_wave,
                wave_id,
                wave_name,
                opens,
                closes,
            )
    if st.button("Delete this wave", key="wave_delete", help="Only a wave that holds no responses yet."):
        attempt(
            "initiatives_message",
            "Nothing was deleted.",
            lambda name: f"Deleted the wave {name}.",
            services.delete_wave,
            wave_id,
        )


def bank_tab() -> None:
    """The question bank: every item, add one, retire or bring one back."""
    ui.say_kept("bank_message")
    items = ui.read(store.bank.items)
    st.caption(
        "The statements survey files are matched to. A retired item stays in the waves that asked it and is "
        "matched no more; a company's own wording mapped to an element during an import is added here too."
    )
    ui.table(questions.bank_table(items), "question bank", hide_index=True, width="stretch")
    with st.form("new_item", clear_on_submit=True):
        st.write("**New statement**")
        element_col, code_col = st.columns([2, 1])
        element = element_col.selectbox(
            "Element", list(questions.PREFIXES), format_func=ELEMENT_LABELS.get, key="item_element"
        )
        code = code_col.text_input(
            "Code (optional)", help="Empty: the element's prefix and the next number.", key="item_code"
        )
        wording = st.text_area("Wording", key="item_text")
        if st.form_submit_button("Add statement", key="item_add"):
            attempt(
                "bank_message",
                "Nothing was added.",
                lambda added: f"Added {added} to the question bank.",
                services.add_item,
                element,
                wording,
                code or None,
            )
    labels = {str(c): f"{c} · {t}" for c, t in zip(items["code"], items["text"], strict=True)}
    left, right = st.columns([4, 1])
    chosen = left.selectbox("Statement", list(labels), format_func=labels.get, key="item_toggle")
    active = bool(items.set_index("code").loc[chosen, "active"])
    if right.button("Retire" if active else "Bring back", key="item_toggle_button"):
        ui.call(services.set_item_active, chosen, not active)
        done("bank_message", f"{chosen} is {'retired' if active else 'back in the bank'}.")


def thresholds_tab() -> None:
    """The thresholds every view uses."""
    form_column, _ = st.columns([3, 2])
    form_column.subheader("Thresholds")
    with form_column.form("settings"):
        values = {}
        for number, setting in enumerate(SETTINGS):
            if number == 0 or setting.section != SETTINGS[number - 1].section:
                st.markdown(f"**{setting.section}**")
            if setting.choices:
                values[setting.name] = st.selectbox(
                    setting.label,
                    setting.choices,
                    index=setting.choices.index(current[setting.name]),
                    format_func=KOTTER_LABEL_SETS.get,
                    help=setting.help,
                )
            else:
                values[setting.name] = st.number_input(
                    setting.label,
                    min_value=type(setting.default)(setting.minimum),
                    max_value=type(setting.default)(setting.maximum),
                    value=current[setting.name],
                    step=0.1 if isinstance(setting.default, float) else 1,
                    help=setting.help,
                )
        if st.form_submit_button("Save settings", type="primary", key="settings_save"):
            try:
                ui.call(services.save_settings, values)
            except ValueError as problem:
                ui.say("error", problem)
            else:
                st.toast("Settings saved; every view now uses them.", icon=":material/check:")


def close_dialog() -> None:
    st.session_state.pop("confirm", None)


# Every way of replacing the workspace: (dialog title, explanation, confirm label, backup label, action, message).
REPLACEMENTS = {
    "empty": (
        "Start an empty workspace?",
        "Every team, survey result and log in this workspace will be removed, so you can enter your own. "
        "Settings and the question bank stay. A backup of the current workspace is kept, and the demo can "
        "be loaded again at any time.",
        "Yes, start empty",
        "before-empty",
        lambda: ui.call(services.clear_workspace),
        "Started an empty workspace. The previous one is kept in {kept}.",
    ),
    "demo": (
        "Load the demo organisation?",
        f"The workspace will be replaced by {sample_data.DEMO_NAME}, the made-up demo organisation. "
        "A backup of the current workspace is kept first.",
        "Yes, load the demo",
        "before-demo",
        lambda: ui.call(services.write_demo),
        "Loaded the demo. The previous workspace is kept in {kept}.",
    ),
    "restore": (
        "Restore this backup?",
        "The workspace will be replaced by the backup {backup}. A backup of the current workspace is kept first.",
        "Yes, restore it",
        "before-restore",
        lambda: ui.call(services.restore_backup, st.session_state["restore_from"]),
        "Restored {backup}. The previous workspace is kept in {kept}.",
    ),
}


def confirm_replacement(kind: str) -> None:
    """Ask before replacing the workspace; on yes, keep a checked backup, replace, say where the backup is.

    A backup that cannot be restored says why instead of offering to; an empty start says how many backups
    of earlier workspaces stay (each holds every response it copied) and offers to delete them all.
    """
    title, explanation, confirm_label, backup_label, action, message = REPLACEMENTS[kind]
    source = st.session_state.get("restore_from")
    backup_name = getattr(source, "name", "")
    folder = ui.db_path().parent / "backups"
    earlier = store.backups(ui.db_path())

    @st.dialog(title, on_dismiss=close_dialog)
    def dialog() -> None:
        st.write(markdown_text(explanation.format(backup=backup_name)))
        if kind == "restore" and (problem := store.backup_problem(source, store.backup_key())):
            ui.say("error", problem)
            if st.button("Cancel"):
                close_dialog()
                st.rerun()
            return
        delete_all = False
        if kind == "empty" and earlier:
            size = sum(path.stat().st_size for path in earlier) / 1e6
            st.warning(
                f"{plural(len(earlier), 'backup')} of earlier workspaces {agree(len(earlier), 'stays', 'stay')} in "
                f"{folder} ({size:,.1f} MB), each with every response it copied."
            )
            delete_all = st.checkbox(
                "Delete every backup too, and keep none of this workspace: nothing can bring it back",
                key="delete_backups",
            )
        if st.button(confirm_label, type="primary"):
            if delete_all:
                action()
                deleted = ui.call(services.delete_backups)
                text = (
                    f"Started an empty workspace and deleted {plural(deleted, 'backup')}: nothing of the previous "
                    "one is kept."
                )
            else:
                kept = ui.call(services.backup_workspace, backup_label)
                action()
                text = message.format(kept=kept.name, backup=backup_name)
                if kind == "empty":
                    left = len(store.backups(ui.db_path()))
                    text += (
                        f" {plural(left, 'backup')} {agree(left, 'is', 'are')} kept in {folder} (the newest "
                        f"{int(current['backups_kept'])}, a setting under Thresholds); starting empty again "
                        "offers to delete them."
                    )
            ui.keep("workspace_message", text)
            close_dialog()
            st.rerun()
        if st.button("Cancel"):
            close_dialog()
            st.rerun()

    dialog()


# A backup key shorter than this is easy to guess (scrypt makes each guess cost, not enough): the tab says so.
KEY_SHORTEST = 16


def encryption_note() -> None:
    """Whether backups are encrypted, with which key's source, and what a lost key means."""
    try:
        key, where = store.backup_key_source()
    except ValueError as problem:
        ui.say("error", f"Backups cannot be taken until this is corrected: {problem}")
        return
    if key is None:
        st.info(
            "Backups are **not encrypted**: anyone who gets a backup file can read every response in it. To encrypt "
            'them, set `key = "..."` under `[backups]` in `.streamlit/secrets.toml` (or `CXCHANGE_BACKUP_KEY`): '
            "every backup taken from then on is encrypted (README: Backups).",
            icon=":material/lock_open:",
        )
        return
    st.success(
        f"Backups are **encrypted** (AES-256-GCM) with the backup key from {where}. Keep a copy of the key apart "
        "from the backups: without it no encrypted backup can be restored, by anyone.",
        icon=":material/lock:",
    )
    if len(key) < KEY_SHORTEST:
        st.warning(
            f"The backup key is {len(key)} characters long: use at least {KEY_SHORTEST} random ones (for example "
            'the output of `python -c "import secrets; print(secrets.token_urlsafe(32))"`).'
        )


def backup_label(path) -> str:
    """A backup as the picker names it: file name, size, and whether it is encrypted."""
    sealed = " · encrypted" if store.is_sealed(path) else ""
    return f"{path.name} · {path.stat().st_size / 1e6:,.1f} MB{sealed}"


def workspace_tab() -> None:
    """Demo, an empty start, backups."""
    kind = ui.read(store.settings.workspace_kind)
    st.write(
        f"This workspace holds the **demo organisation, {sample_data.DEMO_NAME}**."
        if kind == "demo"
        else "This workspace holds **your own organisation's data**."
    )
    ui.say_kept("workspace_message")

    empty_col, demo_col = st.columns(2)
    # The open dialog lives in session state, so the click on its confirm button finds it again.
    if empty_col.button("Start an empty workspace", disabled=not ui.read(store.has_data)):
        st.session_state["confirm"] = "empty"
    if demo_col.button("Load the demo organisation"):
        st.session_state["confirm"] = "demo"

    backups = store.backups(ui.db_path())
    encryption_note()
    if backups:
        with st.expander(f"Backups ({len(backups)})"):
            chosen = st.selectbox("Backup", backups, format_func=backup_label)
            restore_col, download_col = st.columns(2)
            if restore_col.button("Restore this backup"):
                st.session_state["restore_from"] = chosen
                st.session_state["confirm"] = "restore"
            # The file as it is kept: an encrypted backup downloads encrypted (read only when clicked).
            download_col.download_button(
                "Download this backup",
                data=lambda: chosen.read_bytes(),
                file_name=chosen.name,
                mime="application/octet-stream",
                on_click="ignore",
                key="backup_download",
            )

    if kind_to_confirm := st.session_state.get("confirm"):
        confirm_replacement(kind_to_confirm)


WHOLE_ORGANISATION = "Whole organisation"
WHEN = "D MMM YYYY, HH:mm"
"""How the People and Audit tabs show a moment (moment.js tokens, Streamlit's DatetimeColumn)."""


def people_tab() -> None:
    """Who may sign in, with which role, for which teams."""
    ui.say_kept("people_message")
    st.write(
        "Each person signs in with their organisation's account. A role holds for a team and every team below it, "
        "or for the whole organisation: "
        + "; ".join(f"**{role}** {text}" for role, text in access.ROLE_HELP.items())
        + "."
    )
    if not ui.sign_in_configured():
        st.caption(
            "Sign-in is not configured, so this computer's user is the admin and nobody else can open the app. "
            "The roles below take effect once `[auth]` is set in `.streamlit/secrets.toml` (README: Deploying)."
        )
    people = ui.call(services.users)
    if people.empty:
        st.info("Nobody has a role yet. Add the first admin below, or list them in $CXCHANGE_ADMINS.")
    else:
        shown = people.assign(
            team=people["team"].fillna(WHOLE_ORGANISATION), added_at=pd.to_datetime(people["added_at"], utc=True)
        )
        st.dataframe(
            shown[["email", "role", "team", "added_at", "added_by"]],
            hide_index=True,
            column_config={
                "email": "E-mail",
                "role": "Role",
                "team": "Teams",
                "added_at": st.column_config.DatetimeColumn("Added (UTC)", format=WHEN),
                "added_by": "By",
            },
            placeholder=ui.MISSING,
        )
    teams = ui.active_teams()
    with st.form("person", clear_on_submit=True):
        st.subheader("Give a role")
        email = st.text_input("E-mail", placeholder="name@example.com")
        left, right = st.columns(2)
        role = left.selectbox("Role", access.ROLES)
        team = right.selectbox("For", [WHOLE_ORGANISATION, *teams["name"]])
        if st.form_submit_button("Save role", type="primary"):
            scope = None if team == WHOLE_ORGANISATION else team
            attempt(
                "people_message",
                "Nothing was changed:",
                lambda given: (
                    f"{given['email']} is now {given['role']} for {given['team'] or 'the whole organisation'}."
                ),
                services.save_user,
                email,
                role,
                scope,
            )
    if not people.empty:
        with st.form("remove person"):
            st.subheader("Take a role away")
            chosen = st.selectbox("Person", people["email"])
            if st.form_submit_button("Remove role"):
                attempt(
                    "people_message",
                    "Nothing was changed:",
                    lambda _: f"{chosen} has no role any more.",
                    services.remove_user,
                    chosen,
                )


def audit_tab() -> None:
    """Every write, who did it and when, newest first; filterable and downloadable."""
    left, middle, right = st.columns(3)
    since = left.date_input("From", today - timedelta(days=30), key="audit_since")
    trail = ui.call(services.audit_trail, since.isoformat() if since else None)
    actors = sorted(trail["actor"].unique())
    who = middle.selectbox("Who", ["Everyone", *actors], key="audit_who")
    actions_ = right.multiselect("What", sorted(trail["action"].unique()), key="audit_what", placeholder="Everything")
    if who != "Everyone":
        trail = trail[trail["actor"] == who]
    if actions_:
        trail = trail[trail["action"].isin(actions_)]
    if trail.empty:
        st.info("No write is recorded for these choices.")
        return
    st.caption(f"{len(trail)} entries, newest first. The trail is append-only: nobody can edit or remove an entry.")
    shown = trail.assign(
        detail=trail["detail"].where(trail["detail"] != "{}", ""), at=pd.to_datetime(trail["at"], utc=True)
    )
    ui.table(
        shown[["at", "actor", "role", "action", "target", "detail"]],
        "audit trail",
        hide_index=True,
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format=WHEN),
            "actor": "Who",
            "role": "Role",
            "action": "What",
            "target": "On",
            "detail": st.column_config.TextColumn("Details", width="large"),
        },
    )


TABS = {
    "Organisation": organisation_tab,
    "Initiatives & waves": initiatives_tab,
    "Question bank": bank_tab,
    "Thresholds": thresholds_tab,
    "People": people_tab,
    "Audit": audit_tab,
    "Workspace": workspace_tab,
}
for tab, draw in zip(st.tabs(list(TABS)), TABS.values(), strict=True):
    with tab:
        draw()
