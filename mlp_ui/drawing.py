"""The Playground's "Draw your own" panel: click on the plane to add and remove points.

The points are a ``mlp_core.datasets.Drawing`` in ``st.session_state`` (keys.DRAWING),
so they stay while the person switches pages; ``mlp_ui.run.current_data`` trains on
them like any data set. They are not in the link (a link carries settings, and a
drawing is data): the panel says so and offers them as a CSV file that the sidebar's
CSV upload reads back.

How a click arrives: see ``mlp_figures.drawing``. The chart is a widget whose
selection Streamlit keeps until the chart changes; after each handled click its key
changes (keys.DRAW_CLICKS), so the next click, even on the same spot after an Undo,
is a fresh selection and not the old one repeated or toggled off.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from mlp_core.datasets import DRAWN_CLASSES, MAX_DRAWN_POINTS, Drawing
from mlp_core.datasets.drawn import grid_values
from mlp_figures import drawing_plane
from mlp_figures.drawing import GRID_CURVE

from . import keys
from .controls import button
from .run import drawing, reset_run

# The class picker's colour marks, Streamlit's nearest named colours to the
# figures' class palette (orange, blue, bluish green, reddish purple).
CLASS_MARKS = (":orange[●]", ":blue[●]", ":green[●]", ":violet[●]")
CSV_NAME = "drawn-points.csv"


def _plane_key() -> str:
    return f"draw-plane-{st.session_state.get(keys.DRAW_CLICKS, 0)}"


def _change(new: Drawing) -> None:
    """Keep ``new`` as the session's drawing; the run on the old points is over."""
    if new is not drawing():
        st.session_state[keys.DRAWING] = new
        reset_run()
    st.session_state[keys.DRAW_CLICKS] = st.session_state.get(keys.DRAW_CLICKS, 0) + 1


def after_click(d: Drawing, point: dict, label: int) -> Drawing:
    """The drawing after a click that selected ``point``, one of the points of
    Streamlit's selection (``curve_number``, ``x``, ``y``, ``customdata``): a grid
    marker adds a point of class ``label`` there (unless the drawing is full), a drawn
    point is removed."""
    if point.get("curve_number") != GRID_CURVE:
        index = point["customdata"]
        return d.remove(int(index[0] if isinstance(index, list) else index))
    return d if d.full else d.add(point["x"], point["y"], label)


def _clicked(key: str) -> None:
    points = st.session_state[key].selection.points
    if points:        # empty: a double click cleared the selection, nothing was clicked
        _change(after_click(drawing(), points[0], st.session_state.get(keys.DRAW_CLASS, 0)))


def _undo() -> None:
    _change(drawing().undo())


def _clear() -> None:
    _change(drawing().clear())


def _summary(d: Drawing) -> str:
    counts = d.counts()
    if not counts:
        return "No points yet."
    parts = [f"{n} of class {c}" for c, n in enumerate(counts) if n]
    return f"{len(d.points)} point{'s' if len(d.points) != 1 else ''}: {', '.join(parts)}."


def draw_points(container) -> None:
    """The drawing panel: the plane to click on, the class a click adds, Undo, Clear and
    Download."""
    d = drawing()
    with container.container(border=True):
        plane, side = st.columns([3, 2])
        X, y = d.arrays()
        fig = drawing_plane(grid_values(), X, y, DRAWN_CLASSES)
        key = _plane_key()
        plane.plotly_chart(fig, key=key, on_select=partial(_clicked, key),
                           selection_mode="points", width="stretch",
                           config={"displayModeBar": False})
        side.radio("A click on the plane adds", range(DRAWN_CLASSES), horizontal=True,
                   format_func=lambda c: f"{CLASS_MARKS[c]} class {c}", key=keys.DRAW_CLASS,
                   persist_state="session")
        side.caption("Click on the plane to add a point of this class there; click a point "
                     "to remove it.")
        side.markdown(_summary(d))
        if d.full:
            side.warning(f"The drawing holds {MAX_DRAWN_POINTS} points, the most it can: "
                         "remove some to add others.")
        c1, c2 = side.columns(2)
        button(c1, "Undo", key="draw-undo", on_click=_undo, disabled=not d.can_undo,
               width="stretch")
        button(c2, "Clear", key="draw-clear", on_click=_clear, disabled=not d.points,
               width="stretch")
        side.download_button("Download points (CSV)", data=d.to_csv(), file_name=CSV_NAME,
                             mime="text/csv", on_click="ignore", key="draw-download",
                             disabled=not d.points, width="stretch")
        side.caption("Drawn points are kept in this browser session only, not in the link: "
                     "download them to keep them, and load the file back with the sidebar's "
                     "*Upload CSV*.")
