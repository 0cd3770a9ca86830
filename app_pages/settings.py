"""Settings: the thresholds every view uses, and the workspace (demo, empty start, backups)."""

import streamlit as st

from cxchange import sample_data, services, store, ui
from cxchange.model import KOTTER_LABEL_SETS
from cxchange.settings import SETTINGS

st.title("Settings")
current = ui.settings()

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
    if st.form_submit_button("Save settings", type="primary"):
        try:
            ui.call(services.save_settings, values)
        except ValueError as problem:
            st.error(str(problem))
        else:
            st.toast("Settings saved; every view now uses them.", icon=":material/check:")


st.subheader("Workspace")
kind = ui.read(store.settings.workspace_kind)
st.write(
    f"This workspace holds the **demo organisation, {sample_data.DEMO_NAME}**."
    if kind == "demo"
    else "This workspace holds **your own organisation's data**."
)


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
    """Ask before replacing the workspace; on yes, keep a backup, replace, say where the backup is."""
    title, explanation, confirm_label, backup_label, action, message = REPLACEMENTS[kind]
    backup_name = getattr(st.session_state.get("restore_from"), "name", "")

    @st.dialog(title, on_dismiss=close_dialog)
    def dialog() -> None:
        st.write(explanation.format(backup=backup_name))
        if st.button(confirm_label, type="primary"):
            kept = ui.call(store.backup, store.backup_path(ui.db_path(), backup_label))
            action()
            st.session_state["workspace_message"] = message.format(kept=kept.name, backup=backup_name)
            close_dialog()
            st.rerun()
        if st.button("Cancel"):
            close_dialog()
            st.rerun()

    dialog()


if message := st.session_state.pop("workspace_message", None):
    st.success(message)

empty_col, demo_col = st.columns(2)
# The open dialog lives in session state, so the click on its confirm button finds it again.
if empty_col.button("Start an empty workspace", disabled=not ui.read(store.has_data)):
    st.session_state["confirm"] = "empty"
if demo_col.button("Load the demo organisation"):
    st.session_state["confirm"] = "demo"

backups = store.backups(ui.db_path())
if backups:
    with st.expander(f"Backups ({len(backups)})"):
        chosen = st.selectbox("Backup", backups, format_func=lambda path: path.name)
        if st.button("Restore this backup"):
            st.session_state["restore_from"] = chosen
            st.session_state["confirm"] = "restore"

if kind_to_confirm := st.session_state.get("confirm"):
    confirm_replacement(kind_to_confirm)
