"""The class board's chart: one result of every student's run against one setting.

Each run is a dot; the runs that share a setting value (different students,
different seeds) are summarised by their median and the spread from the lowest to
the highest, so a class that ran a sweep together sees it as one picture.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import as_numbers, base_layout, make_figure, no_data_note, rounded

BOARD_HEIGHT = 420
#: Dots of one setting value are spread sideways by up to this share of the gap
#: between two values, so runs with equal results do not hide each other.
JITTER = 0.08
#: Up to this many distinct setting values get a tick each.
MAX_VALUE_TICKS = 20
DOT_COLOR = style.SERIES_COLORS[0]
MEDIAN_COLOR = style.TEXT_DARK


def _spread(n: int) -> np.ndarray:
    """Fixed sideways offsets for ``n`` dots (no randomness: the board must not jiggle)."""
    if n <= 1:
        return np.zeros(n)
    return np.linspace(-JITTER, JITTER, n)


def group_summary(x: Sequence, y: Sequence[float]) -> tuple[list, np.ndarray, np.ndarray,
                                                             np.ndarray, np.ndarray]:
    """Per distinct ``x`` (in sorted order): the value, median, lowest, highest and count.

    Non-finite ``y`` values are left out.
    """
    y = np.asarray(y, dtype=float)
    keep = np.isfinite(y)
    xs = [v for v, k in zip(x, keep) if k]
    ys = y[keep]
    values = sorted(set(xs), key=lambda v: (isinstance(v, str), v))
    med, low, high, count = (np.zeros(len(values)) for _ in range(4))
    for i, v in enumerate(values):
        group = ys[[j for j, xv in enumerate(xs) if xv == v]]
        med[i], low[i], high[i], count[i] = (np.median(group), group.min(), group.max(),
                                             len(group))
    return values, med, low, high, count


def class_results(x: Sequence, y: Sequence[float], hover: Sequence[str], *, x_title: str,
                  y_title: str, title: str = "", log_x: bool = False,
                  y_range: tuple[float, float] | None = None,
                  height: int = BOARD_HEIGHT) -> go.Figure:
    """Result ``y`` of each run against setting ``x``, with each value's median and spread.

    Parameters
    ----------
    x : sequence of numbers or str, one per run
        Numbers are placed on a number axis (``log_x`` for rates), anything else as
        categories in sorted order.
    y : sequence of float, one per run (non-finite: the run is left out)
    hover : sequence of str, one per run: who ran it and with which seed
    x_title, y_title, title : str
    y_range : (low, high), optional
        The y axis's fixed span (0-100 for a percentage), padded so dots at the ends show.

    Returns
    -------
    go.Figure
        A ``Scatter`` of dots (one per run) and, when there are any, a ``Scatter``
        of medians with error bars from the lowest to the highest run.
    """
    layout = base_layout(title, height)
    layout["xaxis"] = {"title": {"text": x_title}, "automargin": True}
    layout["yaxis"] = {"title": {"text": y_title}, "automargin": True}
    layout["showlegend"] = False
    if y_range is not None:
        pad = 0.04 * (y_range[1] - y_range[0])
        layout["yaxis"]["range"] = [y_range[0] - pad, y_range[1] + pad]
    yv = np.asarray(y, dtype=float)
    keep = np.isfinite(yv)
    if not keep.any():
        layout["annotations"] = [no_data_note("No runs to show yet")]
        layout["xaxis"]["visible"] = layout["yaxis"]["visible"] = False
        return make_figure([], layout)
    values, med, low, high, count = group_summary(x, yv)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    if numeric:
        position = {v: float(v) for v in values}
        gaps = np.diff(sorted(position.values())) if len(values) > 1 else np.array([1.0])
        width = float(gaps.min()) if not log_x else 1.0
        if log_x:
            layout["xaxis"]["type"] = "log"
        if len(values) <= MAX_VALUE_TICKS:
            # ticks at the values the class ran (hidden 2, 3, 4), not at 2.2, 2.4, ...
            layout["xaxis"].update(tickmode="array", tickvals=[position[v] for v in values],
                                   ticktext=[f"{v:g}" for v in values])
    else:
        position = {v: float(i) for i, v in enumerate(values)}
        width = 1.0
        layout["xaxis"].update(tickmode="array", tickvals=list(range(len(values))),
                               ticktext=[str(v) for v in values])
    dots_x, dots_y, dots_text = [], [], []
    for v in values:
        members = [i for i, xv in enumerate(x) if xv == v and keep[i]]
        for offset, i in zip(_spread(len(members)), members):
            base = position[v]
            dots_x.append(base * 10 ** (offset * 0.2) if log_x else base + offset * width)
            dots_y.append(yv[i])
            dots_text.append(str(hover[i]))
    data = [
        {"type": "scatter", "x": as_numbers(np.array(dots_x)), "y": rounded(np.array(dots_y)),
         "mode": "markers", "name": "runs", "text": dots_text,
         "marker": {"color": DOT_COLOR, "size": 9, "opacity": 0.55},
         "hovertemplate": "%{text}<br>%{y:.4g}<extra></extra>"},
        {"type": "scatter", "x": [position[v] for v in values], "y": rounded(med),
         "mode": "lines+markers", "name": "median",
         "text": [f"{int(c)} run{'' if c == 1 else 's'}" for c in count],
         "line": {"color": MEDIAN_COLOR, "width": style.LINE_WIDTH},
         "marker": {"color": MEDIAN_COLOR, "size": 12, "symbol": "diamond"},
         "error_y": {"type": "data", "symmetric": False, "array": rounded(high - med),
                     "arrayminus": rounded(med - low), "color": MEDIAN_COLOR, "thickness": 2,
                     "width": 8},
         "hovertemplate": "median %{y:.4g} of %{text}<extra></extra>"},
    ]
    return make_figure(data, layout)
