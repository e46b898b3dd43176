"""Classroom: make a class with its classroom link; the teacher's live board for the projector."""

import streamlit as st

from mlp_ui import class_board, classroom
from mlp_ui.run import page_settings
from mlp_ui.safe import plain

st.title("Classroom")
settings = page_settings()
teaching = classroom.teacher()
if teaching is not None:
    class_board.show_board(*teaching)
else:
    member = classroom.current_member()
    if member is not None:
        st.info(f"You are in a class as **{plain(member[1])}**: train in the Playground or "
                "follow a lesson; your teacher's board shows your runs.")
    st.caption("A class gives students one link: it starts everyone from the same setup, "
               "holds the controls you lock or hide, and collects every run on a live board "
               "that shows nicknames only.")
    class_board.create_form(settings)
    class_board.show_link_only()
