"""A small bar chart comparing a few models."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, fmt_number, make_figure, rounded


def comparison_bars(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    y_title: str,
    y_range: tuple[float, float] | list[float] | None = None,
    height: int = style.DEFAULT_HEIGHT,
) -> go.Figure:
    """Small bar chart, e.g. accuracy of a hidden-layer net vs. no hidden layer.

    Parameters
    ----------
    labels : list[str], length k
    values : list[float], length k
        Non-finite values draw no bar and are labelled "n/a".
    title, y_title : str
    y_range : (low, high), optional
        Fixed y range (e.g. ``(0, 1)`` for accuracy); autorange otherwise.
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        One ``Bar`` trace.
    """
    v = np.asarray(values, dtype=float).ravel()
    if len(labels) != v.size:
        raise ValueError("labels and values must have the same length")
    colors = [style.SERIES_COLORS[i % len(style.SERIES_COLORS)] for i in range(v.size)]
    # value text inside tall bars, above short ones (relative to the tallest)
    vmax = float(np.max(np.abs(v[np.isfinite(v)]), initial=0.0))
    if y_range is not None and np.isfinite(float(y_range[1])) and float(y_range[1]) > 0:
        vmax = float(y_range[1])
    textpos = [
        "inside" if np.isfinite(x) and vmax > 0 and abs(x) >= 0.15 * vmax else "outside" for x in v
    ]
    data = [
        {
            "type": "bar",
            "x": [str(s) for s in labels],
            "y": rounded(v),
            "marker": {"color": colors},
            "text": [fmt_number(x) if np.isfinite(x) else "n/a" for x in v],
            "textposition": textpos,
            "cliponaxis": False,
            "textangle": 0,
            "hovertemplate": "%{x}: %{y:.4g}<extra></extra>",
        }
    ]
    layout = base_layout(title, height)
    layout.update(showlegend=False, bargap=0.35)
    layout["xaxis"] = {"title": {"text": "Model"}, "type": "category", "showgrid": False}
    yaxis: dict = {"title": {"text": y_title}}
    if y_range is not None:
        lo, hi = (float(y_range[0]), float(y_range[1]))
        if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
            yaxis["range"] = [rounded(lo), rounded(hi)]
    layout["yaxis"] = yaxis
    return make_figure(data, layout)
