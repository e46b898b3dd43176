"""Comparing saved runs: seed groups as median and spread, settings against the score."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import BOTTOM_LEGEND_PX, as_numbers, base_layout, bottom_legend, make_figure, rounded
from .loss import LOG_FLOOR, _log_ticks

GROUP_POINTS = 200        #: points of a group's median curve
BAND_OPACITY = 0.18       #: the spread band's fill
PARALLEL_HEIGHT = 420     #: px
PARALLEL_MARGIN = {"l": 70, "r": 70, "t": 120, "b": 30}
PARALLEL_LABEL_ANGLE = -20   #: degrees: neighbouring setting names never run into each other
SCORE_SCALE = [[0.0, "#F0E442"], [0.5, "#56B4E9"], [1.0, "#0072B2"]]


class SeedGroup(NamedTuple):
    """Runs that differ only in their seed: a label and each run's ``(epochs, losses)``."""

    label: str
    curves: Sequence[tuple[np.ndarray, np.ndarray]]


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def group_quantiles(curves: Sequence[tuple[np.ndarray, np.ndarray]], points: int = GROUP_POINTS
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(epochs, median, low, high)`` of several loss curves on one epoch grid.

    Each curve is interpolated onto ``points`` epochs up to the longest run; a curve
    counts only up to its own last epoch (a paused run says nothing after it).
    ``low``/``high`` are the smallest and largest loss of the runs there: with a
    handful of seeds, every run is the spread. NaN where no run reaches.
    """
    ends = [float(np.max(e)) for e, _ in curves if len(e)]
    starts = [float(np.min(e)) for e, _ in curves if len(e)]
    if not ends:
        empty = np.zeros(0)
        return empty, empty, empty, empty
    grid = np.linspace(min(starts), max(ends), points)
    stack = np.full((len(curves), points), np.nan)
    for i, (e, v) in enumerate(curves):
        e, v = np.asarray(e, dtype=float), np.asarray(v, dtype=float)
        ok = np.isfinite(v)
        if ok.sum() < 1:
            continue
        e, v = e[ok], v[ok]
        inside = (grid >= e.min()) & (grid <= e.max())
        stack[i, inside] = np.interp(grid[inside], e, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # an all-NaN column stays NaN
        return (grid, np.nanmedian(stack, axis=0), np.nanmin(stack, axis=0),
                np.nanmax(stack, axis=0))


def seed_spread(groups: Sequence[SeedGroup], *, log_y: bool = False,
                title: str = "Loss: median over seeds, band from lowest to highest",
                height: int = style.DEFAULT_HEIGHT) -> go.Figure:
    """Each seed group's median loss curve with a band from its lowest to highest run.

    Parameters
    ----------
    groups : SeedGroup per group; each curve ``(epochs (n,), losses (n,))``
    log_y : log-scaled loss axis (values <= 0 clipped to ``LOG_FLOOR``)

    Returns
    -------
    go.Figure
        Per group: a filled band (two traces, no legend entry) and the median line,
        named "<label> (n seeds)".
    """
    data: list[dict] = []
    for i, group in enumerate(groups):
        color = style.SERIES_COLORS[i % len(style.SERIES_COLORS)]
        epochs, median, low, high = group_quantiles(group.curves)
        if log_y:
            median, low, high = (np.maximum(a, LOG_FLOOR) for a in (median, low, high))
        x = as_numbers(np.round(epochs))
        name = f"{group.label} ({len(group.curves)} seeds)"
        data.append({"type": "scatter", "x": x, "y": rounded(high), "mode": "lines",
                     "line": {"width": 0, "color": color}, "showlegend": False,
                     "hoverinfo": "skip", "legendgroup": f"g{i}"})
        data.append({"type": "scatter", "x": x, "y": rounded(low), "mode": "lines",
                     "line": {"width": 0, "color": color}, "fill": "tonexty",
                     "fillcolor": _rgba(color, BAND_OPACITY), "showlegend": False,
                     "hoverinfo": "skip", "legendgroup": f"g{i}"})
        data.append({"type": "scatter", "x": x, "y": rounded(median), "mode": "lines",
                     "name": name, "legendgroup": f"g{i}",
                     "line": {"color": color, "width": style.LINE_WIDTH},
                     "hovertemplate": f"median: %{{y:.4g}}<extra>{_hover_label(name)}</extra>"})
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    ticks = {}
    if log_y:
        shown = np.concatenate([np.asarray(d["y"], dtype=float) for d in data]) if data \
            else np.zeros(0)
        shown = shown[np.isfinite(shown) & (shown > 0)]
        if shown.size:
            ticks = _log_ticks(float(shown.min()), float(shown.max()))
    layout.update(showlegend=True, legend=bottom_legend(), hovermode="x unified",
                  xaxis={"title": {"text": "Epoch"}, "rangemode": "nonnegative"},
                  yaxis={"title": {"text": "Loss"}, "type": "log" if log_y else "linear",
                         **({} if log_y else {"rangemode": "tozero"}), **ticks})
    return make_figure(data, layout)


def _hover_label(text: str) -> str:
    # Plotly reads <...> in hover text as markup: a label is data, never markup.
    return text.replace("<", "&lt;").replace(">", "&gt;")


class Axis(NamedTuple):
    """One setting on a parallel-coordinates chart: numbers, or category names."""

    label: str
    values: Sequence


def _dimension(axis: Axis) -> dict:
    values = list(axis.values)
    numeric = all(isinstance(v, (int, float, np.integer, np.floating))
                  and not isinstance(v, bool) for v in values)
    if numeric:
        return {"label": axis.label, "values": rounded(np.asarray(values, dtype=float))}
    names = sorted({str(v) for v in values})
    index = {name: i for i, name in enumerate(names)}
    return {"label": axis.label, "values": [index[str(v)] for v in values],
            "tickvals": list(range(len(names))), "ticktext": names,
            "range": [-0.5, len(names) - 0.5] if len(names) == 1 else [0, len(names) - 1]}


def settings_parallel(axes: Sequence[Axis], score: Sequence[float], score_name: str, *,
                      title: str = "Settings and the final score",
                      height: int = PARALLEL_HEIGHT) -> go.Figure:
    """A parallel-coordinates chart: one line per run, from its settings to its score.

    Parameters
    ----------
    axes : the settings to draw, each an ``Axis`` with one value per run (numbers or
        names; names get one tick each)
    score : one final score per run (NaN for a run without one, drawn at the bottom)
    score_name : the last axis's label, e.g. "test accuracy"

    Returns
    -------
    go.Figure
        One ``parcoords`` trace coloured by the score.
    """
    s = np.asarray(score, dtype=float)
    finite = s[np.isfinite(s)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    shown = np.where(np.isfinite(s), s, lo)
    dims = [_dimension(a) for a in axes]
    dims.append({"label": score_name, "values": rounded(shown)})
    trace = {"type": "parcoords", "dimensions": dims,
             "line": {"color": rounded(shown), "colorscale": SCORE_SCALE,
                      # One score for every run: a colour bar would repeat one number.
                      "cmin": lo, "cmax": hi if hi > lo else lo + 1e-9, "showscale": hi > lo,
                      "colorbar": {"title": {"text": score_name}, "thickness": 14,
                                   "tickformat": ".3g"}},
             "labelangle": PARALLEL_LABEL_ANGLE, "labelside": "top",
             "labelfont": {"size": style.FONT_SIZE}, "tickfont": {"size": style.FONT_SIZE - 2}}
    layout = base_layout(title, height, margin=dict(PARALLEL_MARGIN))
    return make_figure([trace], layout)
