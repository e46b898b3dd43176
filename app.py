"""MLP Playground: the router and the shared sidebar.

Widgets made here keep their values on every page; each page reads the
validated Settings from session state.
"""

import streamlit as st

from mlp_ui.reconnect import watch_reconnects
from mlp_ui.shared import session_id, shared
from mlp_ui.sidebar import render_sidebar

st.set_page_config(page_title="MLP Playground", page_icon=":material/hub:", layout="wide")

PAGES = [
    st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:",
            default=True),
    st.Page("pages/backprop.py", title="Backprop step by step", icon=":material/functions:",
            url_path="backprop"),
    st.Page("pages/compare.py", title="Hidden layer vs none", icon=":material/compare:",
            url_path="compare"),
    st.Page("pages/sweep.py", title="Hidden-size sweep", icon=":material/monitoring:",
            url_path="sweep"),
]

page = st.navigation(PAGES)
hub = shared()  # the process-wide pacing state; its first call starts the memory janitor
with hub.script_run(session_id()):  # live frames make room for this run (its CPU counts)
    st.session_state["settings"] = render_sidebar()
    with st.sidebar:
        watch_reconnects()  # a restarted server redraws an idle page at once
    page.run()
