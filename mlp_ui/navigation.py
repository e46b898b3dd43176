"""The app's pages, declared once for the router (app.py) and for deep links."""

from __future__ import annotations

import streamlit as st


def pages() -> list:
    """The ``st.Page`` list, in menu order (the first is the default page)."""
    return [
        st.Page("pages/playground.py", title="Playground", icon=":material/play_circle:",
                default=True),
        st.Page("pages/backprop.py", title="Backprop step by step",
                icon=":material/functions:", url_path="backprop"),
        st.Page("pages/compare.py", title="Hidden layer vs none", icon=":material/compare:",
                url_path="compare"),
        st.Page("pages/sweep.py", title="Hidden-size sweep", icon=":material/monitoring:",
                url_path="sweep"),
        st.Page("pages/grid.py", title="Grid sweep", icon=":material/grid_on:",
                url_path="grid"),
        st.Page("pages/race.py", title="Optimizer race", icon=":material/sprint:",
                url_path="race"),
        st.Page("pages/runs.py", title="Runs", icon=":material/history:", url_path="runs"),
        st.Page("pages/lessons.py", title="Lessons", icon=":material/school:",
                url_path="lessons"),
        st.Page("pages/classroom.py", title="Classroom", icon=":material/groups:",
                url_path="classroom"),
    ]


def reroute_deep_link() -> None:
    """Send a page that ran without the router back through it, then rerun.

    Because a ``pages/`` folder sits next to app.py, a fresh server whose very
    first request is a deep link (``/backprop``) runs that page in Streamlit's
    legacy folder mode, without app.py (so without the sidebar). Declaring the
    navigation, as app.py does, ends that mode for the process; the rerun then
    goes through app.py and the link still works.
    """
    st.navigation(pages(), position="hidden")
    st.rerun()
