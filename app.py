"""MLP Playground: the router and the shared sidebar.

Widgets made here keep their values on every page; each page reads the
validated Settings from session state.
"""

import streamlit as st

from mlp_ui.navigation import pages
from mlp_ui.reconnect import watch_reconnects
from mlp_ui.shared import session_id, shared
from mlp_ui.sidebar import render_sidebar
from mlp_ui.workspace import mount_workspace

st.set_page_config(page_title="MLP Playground", page_icon=":material/hub:", layout="wide")

page = st.navigation(pages())
hub = shared()  # the process-wide pacing state; its first call starts the memory janitor
with hub.measure_rerun(session_id()):  # live frames make room for this rerun (its CPU counts)
    st.session_state["settings"] = render_sidebar()
    with st.sidebar:
        watch_reconnects()  # a restarted server redraws an idle page at once
        mount_workspace()   # this browser's id for its saved runs (the Runs page)
    page.run()
