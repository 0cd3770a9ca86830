"""cxchange: route to the pages; the workspace banner sits above every page."""

import streamlit as st

from cxchange import ui

st.set_page_config(page_title="cxchange", page_icon=":material/groups:", layout="wide")

workspace = ui.open_workspace()
ui.demo_banner(workspace)

st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/settings.py", title="Settings", icon=":material/settings:"),
    ]
).run()
