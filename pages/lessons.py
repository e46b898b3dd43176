"""Lessons: short guided experiments, each step checked on your own run."""

import streamlit as st

from mlp_ui import lesson_view
from mlp_ui.run import page_settings

st.title("Lessons")
st.caption("Each lesson is a few steps: set up, train in the Playground, answer, and press "
           "**Check my run**. Your progress is kept for this browser.")
page_settings()
lesson_view.page()
