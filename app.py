"""cxchange: route to the pages; the workspace banner sits above every page."""

import streamlit as st

from cxchange import ui

# An emoji favicon is drawn by the page itself; a ":material/..." one is fetched from fonts.gstatic.com.
st.set_page_config(page_title="cxchange", page_icon="👥", layout="wide")

page = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("app_pages/readiness.py", title="Readiness", icon=":material/grid_on:"),
        st.Page("app_pages/team_detail.py", title="Team detail", icon=":material/group:"),
        st.Page("app_pages/cx_outcomes.py", title="CX outcomes", icon=":material/sentiment_satisfied:"),
        st.Page("app_pages/kotter_board.py", title="Kotter board", icon=":material/view_kanban:"),
        st.Page("app_pages/champions.py", title="Champions", icon=":material/campaign:"),
        st.Page("app_pages/programme_health.py", title="Programme health", icon=":material/monitor_heart:"),
        st.Page("app_pages/actions.py", title="Actions", icon=":material/task_alt:"),
        st.Page("app_pages/workshop.py", title="Workshop", icon=":material/co_present:"),
        st.Page("app_pages/reports.py", title="Reports & export", icon=":material/download:"),
        st.Page("app_pages/import_entry.py", title="Import & entry", icon=":material/upload_file:"),
        st.Page("app_pages/settings.py", title="Settings", icon=":material/settings:"),
    ]
)
ui.reach_note()
ui.open_workspace_or_explain()  # created with the demo where there is none yet, schema brought up to date
ui.demo_banner()
with ui.database_errors():
    page.run()
