"""cxchange: route to the pages; the sign-in gate, who is using it and the workspace banner sit above every page."""

import streamlit as st

from cxchange import ui

# An emoji favicon is drawn by the page itself; a ":material/..." one is fetched from fonts.gstatic.com.
st.set_page_config(page_title="cxchange", page_icon="👥", layout="wide")

ui.pulse_only()  # a phone that opened the app with a pulse token sees the way to the form, nothing else
me = ui.front_door()  # with sign-in configured, nothing below runs for someone not signed in or without a role
PAGES = (
    ("app_pages/overview.py", "Overview", ":material/dashboard:"),
    ("app_pages/readiness.py", "Readiness", ":material/grid_on:"),
    ("app_pages/team_detail.py", "Team detail", ":material/group:"),
    ("app_pages/cx_outcomes.py", "CX outcomes", ":material/sentiment_satisfied:"),
    ("app_pages/kotter_board.py", "Kotter board", ":material/view_kanban:"),
    ("app_pages/champions.py", "Champions", ":material/campaign:"),
    ("app_pages/programme_health.py", "Programme health", ":material/monitor_heart:"),
    ("app_pages/actions.py", "Actions", ":material/task_alt:"),
    ("app_pages/workshop.py", "Workshop", ":material/co_present:"),
    ("app_pages/reports.py", "Reports & export", ":material/download:"),
    ("app_pages/import_entry.py", "Import & entry", ":material/upload_file:"),
    ("app_pages/settings.py", "Settings", ":material/settings:"),
)
page = st.navigation(
    [
        st.Page(path, title=title, icon=icon, default=path == PAGES[0][0])
        for path, title, icon in PAGES
        if ui.may_open(me, path)  # a page a role or scope may not use is not there to open
    ]
)
ui.who_box(me)
ui.open_workspace_or_explain()  # created with the demo where there is none yet, schema brought up to date
ui.demo_banner()
with ui.database_errors():
    page.run()
