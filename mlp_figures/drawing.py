"""The plane to draw points on ("Draw your own"): clicks become points.

Streamlit reports a Plotly chart's *selections*, never a click on empty space.
So the plane is covered by a grid of invisible markers (trace 0, ``GRID_CURVE``):
a click anywhere selects the nearest one (Plotly's ``hoverdistance``, 20 px, is
wider than half a grid cell), and the selection carries its position. The drawn
points come after it, larger and visible, each carrying its index in the drawing
as ``customdata``. The grid leaves out the positions that hold a point: a marker
under a point won the click in Chromium, and the point could not be removed.
Why not a click-events component: this needs only Streamlit's public ``on_select``
and Plotly, which the app already keeps up to date; a third-party component is one
more package to keep in step with every Streamlit release.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import BOTTOM_LEGEND_PX, base_layout, bottom_legend, make_figure, rounded

GRID_CURVE = 0          #: curve number of the invisible grid in the figure's data
# Fully transparent markers still take clicks (Plotly picks the nearest point whatever
# its opacity: tests/e2e/test_drawing.py clicks them in Chromium).
GRID_OPACITY = 0
GRID_MARKER_SIZE = 4    #: px
POINT_MARKER_SIZE = 14  #: px; big enough to hit with a mouse or a finger


def drawing_plane(grid: np.ndarray, X: np.ndarray, labels: np.ndarray, n_classes: int, *,
                  title: str = "Your points", height: int = style.BOUNDARY_HEIGHT + 60
                  ) -> go.Figure:
    """The clickable plane with the points drawn so far.

    Parameters
    ----------
    grid : ndarray of shape (g,)
        The positions a point may take on either axis, ascending; the plane is
        ``[grid[0], grid[-1]]`` squared.
    X : ndarray of shape (n, 2)
        The drawn points, in drawing order (``customdata`` is the row index).
    labels : ndarray of shape (n,)
        Their classes, ``0 .. n_classes - 1``.
    n_classes : int
        Classes offered (each gets a legend entry, drawn or not), at most
        ``len(style.CLASS_PALETTE)``.

    Returns
    -------
    go.Figure
        Trace ``GRID_CURVE`` is the grid (a marker at every ``(grid[i], grid[j])`` that
        holds no point, no hover label); then one trace per class. Axes fixed: dragging
        neither zooms nor pans.
    """
    g = np.asarray(grid, dtype=float).ravel()
    X = np.asarray(X, dtype=float).reshape(-1, 2)
    labels = np.asarray(labels, dtype=int).ravel()
    if g.size < 2 or np.any(np.diff(g) <= 0):
        raise ValueError("grid must hold at least 2 ascending values")
    if labels.shape != (X.shape[0],):
        raise ValueError(f"labels must have shape ({X.shape[0]},), got {labels.shape}")
    if not 2 <= n_classes <= len(style.CLASS_PALETTE):
        raise ValueError(f"n_classes must be 2 to {len(style.CLASS_PALETTE)}, got {n_classes}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    gx, gy = (a.ravel() for a in np.meshgrid(g, g))
    taken = np.isclose(gx[:, None], X[None, :, 0]) & np.isclose(gy[:, None], X[None, :, 1])
    free = ~taken.any(axis=1)
    data = [{
        "type": "scatter", "mode": "markers", "name": "grid", "showlegend": False,
        "x": rounded(gx[free]), "y": rounded(gy[free]),
        "marker": {"size": GRID_MARKER_SIZE, "color": style.MARKER_COLOR,
                   "opacity": GRID_OPACITY},
        # "none" hides the label but still reports clicks ("skip" would not).
        "hoverinfo": "none",
        # A selection dims the unselected points; the grid must stay invisible.
        "selected": {"marker": {"opacity": GRID_OPACITY}},
        "unselected": {"marker": {"opacity": GRID_OPACITY}},
    }]
    index = np.arange(X.shape[0])
    for c in range(n_classes):
        mine = labels == c
        data.append({
            "type": "scatter", "mode": "markers", "name": f"class {c}",
            "x": rounded(X[mine, 0]), "y": rounded(X[mine, 1]),
            "customdata": index[mine].tolist(),
            "marker": {"size": POINT_MARKER_SIZE, "color": style.CLASS_PALETTE[c],
                       "line": {"color": style.TRAIN_OUTLINE, "width": 1.5}},
            "unselected": {"marker": {"opacity": 1}},
            "hovertemplate": f"class {c} (%{{x}}, %{{y}})<br>click to remove<extra></extra>",
        })
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout["legend"] = bottom_legend()
    layout["hovermode"] = "closest"
    layout["dragmode"] = False
    pad = (g[1] - g[0]) / 2       # half a cell: points on the edge are drawn whole
    for axis, name in (("xaxis", "x\u2081"), ("yaxis", "x\u2082")):
        layout[axis] = {"title": {"text": name}, "range": [float(g[0] - pad), float(g[-1] + pad)],
                        "fixedrange": True, "zeroline": True, "mirror": True,
                        "constrain": "domain"}
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    return make_figure(data, layout)
