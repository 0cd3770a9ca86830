"""The server `make run` starts: the Streamlit app (app.py, which routes to the pages) and, beside it, the live
pulse's respondent page (/pulse/TOKEN, cxchange.pulse_web), which phones open without signing in and which
reaches nothing else. `streamlit run server.py` serves both, with .streamlit/config.toml as for app.py."""

import streamlit as st

from cxchange import pulse_web, store

app = st.App("app.py", routes=pulse_web.PulseSite(store.default_path).routes())
