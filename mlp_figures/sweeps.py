"""Hidden-size sweeps: a metric's median and spread, the share of seeds that
succeed, and the rules of thumb marked on both."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import (
    BOTTOM_LEGEND_PX,
    as_numbers,
    base_layout,
    bottom_legend,
    make_figure,
    no_data_note,
    rounded,
)


class RuleMark(NamedTuple):
    """A rule of thumb for the hidden size: one size (``low == high``) or a range."""

    low: float
    high: float
    label: str


class Span(NamedTuple):
    """Where a mark is drawn: x in the x axis's units; ``y0`` its bottom (paper units)."""

    x0: float
    x1: float
    y0: float


RULE_FONT_SIZE = style.ANNOTATION_FONT_SIZE - 2  #: px, rule labels above the plot
RULE_ROW_PX = 15  #: height of one row of rule labels above the plot area
RULE_BAND_COLOR = "rgba(106,61,154,0.10)"  #: ``style.RULE_COLOR``, translucent
_BAR_HALF_WIDTH = 0.35  # success_rate bars: bargap 0.3 -> 0.7 slot wide
_TITLE_PX = 34  # the title's band at the top (TITLE_PAD_PX + one line of title)


def _rule_marks(marks: Sequence[RuleMark], place: Callable[[float, float], Span | None],
                x_range: tuple[float, float], layout: dict, *, log_x: bool = False) -> None:
    """Draw rules of thumb as shapes behind the data, each labelled in a row of its own.

    One size is a dotted vertical line, a range a translucent band; both sit in
    the ``"between"`` layer (over the grid, under every trace). Every mark gets
    its own row above the plot area, lines the lowest ones (so no line crosses
    another mark's label on its way up), and reaches up to that row, where
    Plotly's own shape label names it: labels never share a row, so they never
    overlap, whatever their width. A label runs from its mark towards the middle
    of the plot. A mark beside the x range gets only a label with an arrow at
    that edge. Appends to ``layout``'s shapes and annotations and raises its top
    margin to fit the rows.

    Parameters
    ----------
    marks : sequence of RuleMark
        Non-finite ones are skipped.
    place : callable (low, high) -> Span or None
        Where a mark goes in x-axis units (None: nothing to draw).
    x_range : (lo, hi)
        The x axis's range as set in the layout.
    layout : dict
        The figure's layout, with ``height`` and ``margin``.
    log_x : bool, default False
        The x axis is logarithmic: ``x_range`` and the spans stay in data units
        (Plotly places shapes on a log axis by data value), the middle is the
        geometric one, and the arrow labels beside the range get log10 positions
        (Plotly places annotations on a log axis by exponent).
    """
    u_lo, u_hi = x_range
    middle = math.sqrt(u_lo * u_hi) if log_x else (u_lo + u_hi) / 2

    def axis_x(v: float) -> float:
        return float(rounded(math.log10(v))) if log_x else v

    spans = []
    for mark in marks:
        if not (math.isfinite(mark.low) and math.isfinite(mark.high)):
            continue
        span = place(min(mark.low, mark.high), max(mark.low, mark.high))
        if span is not None and all(map(math.isfinite, span)):
            spans.append((span.x0 != span.x1, span.x0, mark.label, span))
    if not spans:
        return
    spans.sort(key=lambda item: item[:2])   # lines first, then left to right
    margin = layout["margin"]
    margin["t"] = max(margin["t"], _TITLE_PX + RULE_ROW_PX * len(spans) + 2)
    plot_px = max(float(layout["height"] - margin["t"] - margin["b"]), 50.0)
    font = {"color": style.RULE_COLOR, "size": RULE_FONT_SIZE}
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    for row, (is_band, _, label, span) in enumerate(spans):
        row_bottom = float(rounded(1 + RULE_ROW_PX * row / plot_px))
        if span.x1 < u_lo or span.x0 > u_hi:
            left = span.x1 < u_lo
            annotations.append({
                "text": f"\u2190 {label}" if left else f"{label} \u2192",
                "x": axis_x(u_lo if left else u_hi), "xref": "x",
                "xanchor": "left" if left else "right",
                "y": 1, "yref": "paper", "yanchor": "bottom", "yshift": RULE_ROW_PX * row,
                "showarrow": False, "font": font,
            })
            continue
        x0, x1 = max(span.x0, u_lo), min(span.x1, u_hi)   # the visible part
        on_left = (math.sqrt(x0 * x1) if log_x else (x0 + x1) / 2) <= middle
        shape = {"xref": "x", "yref": "paper", "x0": rounded(x0), "x1": rounded(x1),
                 "y0": rounded(span.y0), "layer": "between"}
        if is_band:
            shape.update(type="rect", fillcolor=RULE_BAND_COLOR, line={"width": 0},
                         y1=float(rounded(1 + RULE_ROW_PX * (row + 1) / plot_px)),
                         label={"text": label, "font": font, "padding": 2,
                                "textposition": "top left" if on_left else "top right"})
        else:
            shape.update(type="line", line={"color": style.RULE_COLOR, "width": 2, "dash": "dot"},
                         y1=row_bottom,
                         label={"text": label, "font": font, "textposition": "end",
                                "textangle": 0, "yanchor": "bottom", "padding": 1,
                                "xanchor": "left" if on_left else "right"})
        shapes.append(shape)


def _drop_empty(layout: dict, *keys: str) -> None:
    """Remove empty lists (plotly drops them from the figure, so do we)."""
    for key in keys:
        if key in layout and not layout[key]:
            del layout[key]


def _finite_range(*arrays: np.ndarray) -> tuple[float, float]:
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return 0.0, 1.0
    lo, hi = float(vals.min()), float(vals.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)



def _like_sizes(values, h: np.ndarray, what: str) -> np.ndarray:
    """``values`` flat, as floats, one per hidden size (else ValueError naming ``what``)."""
    v = np.asarray(values, dtype=float).ravel()
    if v.shape != h.shape:
        raise ValueError(f"{what} must have the same shape as hidden_sizes")
    return v


def _add_right_axis(layout: dict, title: str, color: str) -> None:
    """A secondary y axis on the right, in ``color``, starting at zero."""
    layout["yaxis2"] = {
        "title": {"text": title, "font": {"color": color}},
        "overlaying": "y",
        "side": "right",
        "showgrid": False,
        "showline": True,
        "linecolor": color,
        "tickfont": {"color": color},
        "ticks": "outside",
        "rangemode": "tozero",
        "tickmode": "auto",
        "automargin": True,
    }
    layout["margin"] = {**layout["margin"], "r": 80}


def sweep_summary(
    hidden_sizes: np.ndarray,
    *,
    median: np.ndarray,
    q_low: np.ndarray,
    q_high: np.ndarray,
    metric_label: str,
    param_counts: np.ndarray | None = None,
    rule_marks: Sequence[RuleMark] = (),
    title: str = "Effect of hidden-layer size",
    height: int = style.DEFAULT_HEIGHT,
) -> go.Figure:
    """Median of a metric with a shaded quantile band against hidden size.

    Parameters
    ----------
    hidden_sizes : np.ndarray, shape (k,)
        Hidden-layer sizes (integers), ascending.
    median, q_low, q_high : np.ndarray, shape (k,)
        Median and lower / upper quantile of the metric over repeated runs.
        Non-finite entries become gaps (the band skips them).
    metric_label : str
        y-axis title, e.g. ``"final test loss"``.
    param_counts : np.ndarray, shape (k,), optional
        Number of trainable parameters, drawn grey and dotted on a
        secondary (right) y axis.
    rule_marks : sequence of RuleMark
        Rules of thumb for the hidden size: one size is a dotted vertical
        line, a range a light purple band from ``low - 0.5`` to
        ``high + 0.5``, each labelled in its own row above the plot area
        (see ``_rule_marks``).
    title : str
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces: band (``Scatter`` fill="toself"), median ``Scatter``,
        optional parameter-count ``Scatter`` on ``y2`` (not in the legend:
        its grey right axis is titled "parameters"), The x range is set
        explicitly: the finite sizes plus 4 % (at least half a hidden unit)
        on each side.
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    med = np.asarray(median, dtype=float).ravel()
    lo = np.asarray(q_low, dtype=float).ravel()
    hi = np.asarray(q_high, dtype=float).ravel()
    if not (h.shape == med.shape == lo.shape == hi.shape):
        raise ValueError("hidden_sizes, median, q_low, q_high must have the same shape")
    hx = as_numbers(h)

    ok = np.isfinite(h) & np.isfinite(lo) & np.isfinite(hi)
    bx = h[ok]
    data: list[dict] = [
        {
            "type": "scatter",
            "x": as_numbers(np.concatenate([bx, bx[::-1]])),
            "y": rounded(np.concatenate([hi[ok], lo[ok][::-1]])),
            "fill": "toself",
            "fillcolor": "rgba(0,114,178,0.18)",
            "line": {"width": 0, "color": "rgba(0,114,178,0)"},
            "name": "spread across seeds",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": hx,
            "y": rounded(med),
            "customdata": [list(t) for t in zip(rounded(lo), rounded(hi), strict=True)],
            "mode": "lines+markers",
            "name": "median",
            "line": {"color": style.SERIES_COLORS[0], "width": style.LINE_WIDTH},
            "marker": {"size": 8},
            "hovertemplate": (
                "hidden = %{x}<br>median = %{y:.4g}"
                "<br>band %{customdata[0]:.4g} to %{customdata[1]:.4g}<extra></extra>"
            ),
        },
    ]
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    if param_counts is not None:
        pc = _like_sizes(param_counts, h, "param_counts")
        data.append(
            {
                "type": "scatter",
                "x": hx,
                "y": as_numbers(pc),
                "yaxis": "y2",
                "mode": "lines+markers",
                "name": "parameters",
                "showlegend": False,  # the grey right axis says it; keeps the legend one row
                "line": {"color": style.PARAM_COLOR, "width": 2, "dash": "dot"},
                "marker": {"size": 6, "color": style.PARAM_COLOR},
                "hovertemplate": "hidden = %{x}<br>%{y} parameters<extra></extra>",
            }
        )
        _add_right_axis(layout, "parameters", style.PARAM_COLOR)

    xaxis: dict = {"title": {"text": "Hidden units"}}
    finite_h = h[np.isfinite(h)]
    if finite_h.size:
        # an explicit range: plotly would otherwise widen it to fit the labels
        u_lo, u_hi = float(finite_h.min()), float(finite_h.max())
        pad = max(0.04 * (u_hi - u_lo), 0.5)
        x_range = (float(rounded(u_lo - pad)), float(rounded(u_hi + pad)))
        xaxis["range"] = list(x_range)

        def place(low: float, high: float) -> Span:
            return Span(low, low, 0.0) if low == high else Span(low - 0.5, high + 0.5, 0.0)

        _rule_marks(rule_marks, place, x_range, layout)
    if 0 < finite_h.size <= 12:
        xaxis.update(tickmode="array", tickvals=as_numbers(finite_h))
    else:
        xaxis.update(tickformat="d")
    if h.size == 0:
        layout.setdefault("annotations", []).append(no_data_note())
    _drop_empty(layout, "shapes", "annotations")
    layout["hovermode"] = "closest"
    layout["legend"] = bottom_legend()
    layout["xaxis"] = xaxis
    layout["yaxis"] = {"title": {"text": metric_label}}
    return make_figure(data, layout)


def _index_positions(sizes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Map hidden sizes to bar indices (linear interpolation, extrapolated).

    With a single size, one hidden unit is one bar slot.
    """
    idx = np.arange(sizes.size, dtype=float)
    if sizes.size == 0:
        return np.full(values.shape, np.nan)
    if sizes.size == 1:
        return values - sizes[0]
    pos = np.interp(values, sizes, idx)
    below = values < sizes[0]
    above = values > sizes[-1]
    pos = np.where(below, (values - sizes[0]) / (sizes[1] - sizes[0]), pos)
    pos = np.where(above, idx[-1] + (values - sizes[-1]) / (sizes[-1] - sizes[-2]), pos)
    return pos


#: success_rate: at most this many x tick labels (every n-th size otherwise).
MAX_BAR_LABELS = 10


def success_rate(
    hidden_sizes: np.ndarray,
    rate: np.ndarray,
    *,
    epochs_to_success_median: np.ndarray | None = None,
    rule_marks: Sequence[RuleMark] = (),
    title: str = "How often training succeeds",
    height: int = style.DEFAULT_HEIGHT,
) -> go.Figure:
    """Bars of success rate (0..100 %) per hidden size.

    Bars are evenly spaced (one slot per hidden size, labelled with the
    size), so sizes such as 1, 2, 4, ..., 64 stay readable.

    Parameters
    ----------
    hidden_sizes : np.ndarray, shape (k,)
        Hidden-layer sizes, ascending.
    rate : np.ndarray, shape (k,)
        Share of seeds that succeeded, 0..1, drawn in per cent.
        Non-finite -> no bar.
    epochs_to_success_median : np.ndarray, shape (k,), optional
        Median epochs until success; a line on a secondary (right) axis.
        NaN where no run succeeded.
    rule_marks : sequence of RuleMark
        As in :func:`sweep_summary`.  A band covers the slots of the sizes
        in ``[low, high]`` (reaching into the gap towards a neighbouring
        size that is not in the range but closer than half a unit); a
        single value between two sizes sits between their bars, on a size
        it starts above that bar (and its label).
    title : str
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces: ``Bar``, optional epochs ``Scatter`` on ``y2``.  With more than
        :data:`MAX_BAR_LABELS` sizes only every n-th size is labelled (all
        keep a tick); bar texts that would need a font below 10 px are
        hidden (hover shows the value).
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    r = np.asarray(rate, dtype=float).ravel()
    if h.shape != r.shape:
        raise ValueError("hidden_sizes and rate must have the same shape")
    pct = np.clip(r * 100.0, 0.0, 100.0)
    k = h.size
    idx = list(range(k))
    labels = [str(v) for v in as_numbers(h)]
    inside = [bool(np.isfinite(p) and p >= 15) for p in pct]

    data: list[dict] = [
        {
            "type": "bar",
            "x": idx,
            "y": rounded(pct),
            "customdata": labels,
            "name": "success rate",
            "marker": {"color": style.POS_COLOR},
            "text": [("" if not np.isfinite(p) else f"{p:.0f}%") for p in pct],
            "textposition": ["inside" if i else "outside" for i in inside],
            "cliponaxis": False,
            "textangle": 0,
            "hovertemplate": "hidden = %{customdata}<br>success %{y:.1f}%<extra></extra>",
        }
    ]
    layout = base_layout(title, height)
    if epochs_to_success_median is not None:
        ep = _like_sizes(epochs_to_success_median, h, "epochs_to_success_median")
        data.append(
            {
                "type": "scatter",
                "x": idx,
                "y": rounded(ep),
                "customdata": labels,
                "yaxis": "y2",
                "mode": "lines+markers",
                "name": "median epochs",  # short: the legend fits one row at ~450 px
                "line": {"color": style.NEG_COLOR, "width": 2},
                "marker": {"size": 8, "color": style.NEG_COLOR},
                "hovertemplate": "hidden = %{customdata}<br>median %{y:.0f} epochs<extra></extra>",
            }
        )
        _add_right_axis(layout, "epochs to success", style.NEG_COLOR)
        layout["margin"]["b"] += BOTTOM_LEGEND_PX

    y_max = 102.0
    xaxis: dict = {
        "title": {"text": "Hidden units"},
        "tickmode": "array",
        "tickvals": idx,
        "ticktext": labels,
        "tickangle": 0,
        "showgrid": False,
    }
    if k:
        step = -(-k // MAX_BAR_LABELS)  # ceil
        if step > 1:
            xaxis["ticktext"] = [lab if i % step == 0 else "" for i, lab in enumerate(labels)]
        x_range = (-0.5, k - 0.5)
        xaxis["range"] = list(x_range)

        def place(low: float, high: float) -> Span | None:
            if low == high:
                p = float(_index_positions(h, np.array([low]))[0])
                y0 = 0.0
                j = int(round(p))
                if abs(p - j) < 1e-9 and 0 <= j < k and np.isfinite(pct[j]):
                    # on a bar: start above it and its outside label
                    y0 = min((float(pct[j]) + (1.0 if inside[j] else 9.0)) / y_max, 1.0)
                return Span(p, p, y0)
            x0, x1 = (float(v) for v in _index_positions(h, np.array([low - 0.5, high + 0.5])))
            below = np.flatnonzero(h < low)
            above = np.flatnonzero(h > high)
            if below.size:
                x0 = max(x0, below[-1] + _BAR_HALF_WIDTH)
            if above.size:
                x1 = min(x1, above[0] - _BAR_HALF_WIDTH)
            return Span(x0, x1, 0.0) if x1 > x0 else None

        _rule_marks(rule_marks, place, x_range, layout)
    else:
        layout["annotations"] = [no_data_note()]
    _drop_empty(layout, "shapes", "annotations")
    layout.update(
        hovermode="closest",
        bargap=0.3,
        uniformtext={"mode": "hide", "minsize": 10},
        showlegend=epochs_to_success_median is not None,
        legend=bottom_legend(),
        xaxis=xaxis,
        yaxis={
            "title": {"text": "success rate (%)"},
            "range": [0, y_max],
            "tickvals": [0, 25, 50, 75, 100],
        },
    )
    return make_figure(data, layout)



#: hidden_size_scores: a log x axis once the widths span more than this factor.
LOG_X_SPAN = 16
SPREADS = {  # name -> (legend word, low quantile, high quantile)
    "iqr": ("quartile band", 0.25, 0.75),
    "minmax": ("min-max band", 0.0, 1.0),
}
TRAIN_COLOR = style.PARAM_COLOR  #: train curves: grey, the test curve is what matters
TEST_COLOR = style.SERIES_COLORS[0]
REAL_SWEEP_HEIGHT = 440  #: px; five rows of marks above a plot that stays readable


def best_widths(widths: np.ndarray, test_scores: np.ndarray) -> tuple[float, float]:
    """The width with the highest mean test score, and the smallest within one SE of it.

    Parameters
    ----------
    widths : np.ndarray, shape (w,)
        Hidden-layer widths, ascending.
    test_scores : np.ndarray, shape (w, s)
        Held-out score (higher is better: accuracy, R²) of each width and seed;
        non-finite runs are left out of the means.

    Returns
    -------
    (best, one_se) : (float, float)
        ``best`` has the highest mean; ``one_se`` is the smallest width whose mean is
        at least ``mean[best] - SE[best]``, SE = the sample standard deviation of the
        best width's scores over the square root of their number (0 with one seed).
        Both NaN when no width has a finite score.
    """
    h = np.asarray(widths, dtype=float).ravel()
    S = np.asarray(test_scores, dtype=float).reshape(h.size, -1)
    ok = np.isfinite(S)
    n = ok.sum(axis=1)
    mean = np.where(n > 0, np.where(ok, S, 0.0).sum(axis=1) / np.maximum(n, 1), -np.inf)
    if not np.any(n > 0):
        return math.nan, math.nan
    b = int(np.argmax(mean))
    vals = S[b][ok[b]]
    se = float(np.std(vals, ddof=1) / math.sqrt(vals.size)) if vals.size > 1 else 0.0
    within = np.flatnonzero(mean >= mean[b] - se - 1e-12)
    return float(h[b]), float(h[within[np.argmin(h[within])]])


def _seed_offsets(pos: np.ndarray, s: int) -> np.ndarray:
    """Small x offsets (axis units) that set a width's seeds side by side, clickable."""
    if s < 2:
        return np.zeros(1)
    gaps = np.diff(np.sort(pos))
    gap = float(gaps.min()) if gaps.size and gaps.min() > 0 else 1.0
    return np.linspace(-0.18 * gap, 0.18 * gap, s)


def hidden_size_scores(
    widths: np.ndarray,
    train_scores: np.ndarray,
    test_scores: np.ndarray,
    rules: Sequence[RuleMark] = (),
    score_name: str = "accuracy",
    *,
    seeds: Sequence[int] | None = None,
    spread: str = "iqr",
    title: str = "Hidden-layer size: train and test score",
    height: int = REAL_SWEEP_HEIGHT,
) -> go.Figure:
    """Train and held-out score against hidden width, over seeds, with the picks marked.

    Under-fitting shows as both curves low, over-fitting as the train curve
    climbing away from the test curve. The best width (highest mean test score),
    the smallest width within one standard error of it and the rules of thumb are
    all :class:`RuleMark`s, drawn alike (see ``_rule_marks``).

    Parameters
    ----------
    widths : np.ndarray, shape (w,)
        Hidden-layer widths, ascending, > 0.
    train_scores, test_scores : np.ndarray, shape (w, s)
        Score of each width (row) and seed (column) on the training and held-out
        data (test split or k-fold mean); higher is better. Non-finite runs are
        left out.
    rules : sequence of RuleMark
        The rules of thumb for this data set's input and output counts.
    score_name : str, default "accuracy"
        y-axis title and hover name: ``"accuracy"`` or ``"R²"``. With ``"R²"`` the
        axis stops at -1 (a diverged seed's R² of -40 would flatten the rest).
    seeds : sequence of int, length s, optional
        The seed of each column (what the page needs to rebuild a run); default
        0..s-1.
    spread : {"iqr", "minmax"}, default "iqr"
        The band around each median: inter-quartile range or min to max; the
        legend says which.
    title : str
    height : int, default :data:`REAL_SWEEP_HEIGHT`

    Returns
    -------
    go.Figure
        Traces in order: train band, train median, train runs, test band, test
        median, test runs. The band is a ``Scatter`` with ``fill="toself"``; a
        median a ``Scatter`` line named ``"train: median, quartile band"`` (the
        legend entry of its group); a runs trace one marker per (width, seed)
        with ``customdata = [width, seed]`` (a click on it names the model),
        seeds of one width set a little apart. A log x axis (ticks at the
        widths) when ``max / min > LOG_X_SPAN``. With w = 0 a note instead.
    """
    if spread not in SPREADS:
        raise ValueError(f"spread must be one of {sorted(SPREADS)}, got {spread!r}")
    h = np.asarray(widths, dtype=float).ravel()
    tr = np.asarray(train_scores, dtype=float)
    te = np.asarray(test_scores, dtype=float)
    if tr.ndim != 2 or tr.shape != te.shape or tr.shape[0] != h.size:
        raise ValueError(f"train_scores and test_scores must have shape (len(widths), seeds) "
                         f"= ({h.size}, s), got {tr.shape} and {te.shape}")
    s = tr.shape[1]
    seed_ids = [int(v) for v in seeds] if seeds is not None else list(range(s))
    if len(seed_ids) != s:
        raise ValueError(f"got {len(seed_ids)} seeds for {s} columns")
    word, q_lo, q_hi = SPREADS[spread]
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout["legend"] = bottom_legend()
    layout["hovermode"] = "closest"
    # no vertical grid: a grid line at a width ran through the best width's mark
    layout["xaxis"] = {"title": {"text": "Hidden units"}, "showgrid": False}
    layout["yaxis"] = {"title": {"text": score_name}}
    ok_h = np.isfinite(h) & (h > 0)
    if h.size == 0 or not np.any(ok_h):
        layout["annotations"] = [no_data_note()]
        return make_figure([], layout)
    if not np.all(ok_h) or np.any(np.diff(h) <= 0):
        raise ValueError("widths must be positive and ascending")
    log_x = h[-1] / h[0] > LOG_X_SPAN
    pos = np.log10(h) if log_x else h
    offsets = _seed_offsets(pos, s)
    hx = as_numbers(h)

    def quantiles(S: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = np.full((3, h.size), np.nan)
        for i, row in enumerate(S):
            v = row[np.isfinite(row)]
            if v.size:
                out[:, i] = np.quantile(v, [0.5, q_lo, q_hi])
        return out[0], out[1], out[2]

    data: list[dict] = []
    for split, S, color, rgba in (("train", tr, TRAIN_COLOR, "rgba(127,127,127,0.18)"),
                                  ("test", te, TEST_COLOR, "rgba(0,114,178,0.18)")):
        med, lo, hi = quantiles(S)
        ok = np.isfinite(med)
        group = {"legendgroup": split}
        data.append({
            "type": "scatter", "x": as_numbers(np.concatenate([h[ok], h[ok][::-1]])),
            "y": rounded(np.concatenate([hi[ok], lo[ok][::-1]])), "fill": "toself",
            "fillcolor": rgba, "line": {"width": 0, "color": "rgba(0,0,0,0)"},
            "name": f"{split} {word}", **group, "showlegend": False, "hoverinfo": "skip",
        })
        data.append({
            "type": "scatter", "x": hx, "y": rounded(med), "mode": "lines+markers",
            "name": f"{split}: median, {word}", **group,
            "line": {"color": color, "width": style.LINE_WIDTH,
                     **({"dash": "dash"} if split == "train" else {})},
            "marker": {"size": 7, "color": color},
            "customdata": [list(t) for t in zip(rounded(lo), rounded(hi), strict=True)],
            "hovertemplate": (f"{split}, hidden = %{{x}}<br>median {score_name} = %{{y:.3f}}"
                              f"<br>{word}: %{{customdata[0]:.3f}} to %{{customdata[1]:.3f}}"
                              "<extra></extra>"),
        })
        ii, jj = np.nonzero(np.isfinite(S))
        px = pos[ii] + offsets[jj] if s > 1 else pos[ii]
        data.append({
            "type": "scatter", "x": rounded(10 ** px if log_x else px), "y": rounded(S[ii, jj]),
            "mode": "markers", "name": f"{split} runs", **group, "showlegend": False,
            "marker": {"size": 6, "color": color, "opacity": 0.55,
                       "symbol": "circle-open" if split == "train" else "circle"},
            "customdata": [[int(h[i]) if h[i] == round(h[i]) else float(h[i]), seed_ids[j]]
                           for i, j in zip(ii, jj, strict=True)],
            "hovertemplate": (f"{split} {score_name} %{{y:.3f}}<br>hidden = %{{customdata[0]}}, "
                              "seed %{customdata[1]}<br>click to open this model<extra></extra>"),
        })

    best, one_se = best_widths(h, te)
    marks = list(rules)
    if math.isfinite(best):
        if best == one_se:
            marks.append(RuleMark(best, best,
                                  f"best mean held-out = smallest within 1 SE ({best:g})"))
        else:
            marks += [RuleMark(best, best, f"best mean held-out ({best:g})"),
                      RuleMark(one_se, one_se, f"smallest within 1 SE of best ({one_se:g})")]
    xaxis = layout["xaxis"]
    pad_frac = 0.06
    p_lo, p_hi = float(pos[0]), float(pos[-1])
    pad = max(pad_frac * (p_hi - p_lo), 0.05 if log_x else 0.5)
    if log_x:
        x_range = (10 ** (p_lo - pad), 10 ** (p_hi + pad))
        xaxis.update(type="log", range=[rounded(p_lo - pad), rounded(p_hi + pad)])

        def place(low: float, high: float) -> Span:
            return Span(low, low, 0.0) if low == high else \
                Span(max(low - 0.5, low * 0.9), high + 0.5, 0.0)
    else:
        x_range = (float(rounded(p_lo - pad)), float(rounded(p_hi + pad)))
        xaxis["range"] = list(x_range)

        def place(low: float, high: float) -> Span:
            return Span(low, low, 0.0) if low == high else Span(low - 0.5, high + 0.5, 0.0)

    _rule_marks(marks, place, x_range, layout, log_x=log_x)
    if h.size <= 12:
        xaxis.update(tickmode="array", tickvals=hx)
    else:
        xaxis.update(tickformat="d")
    if score_name == "R\u00b2":
        finite = np.concatenate([tr[np.isfinite(tr)], te[np.isfinite(te)]])
        if finite.size and finite.min() < -1:
            top = max(float(finite.max()), 0.0)
            layout["yaxis"]["range"] = [-1.05, float(rounded(top + 0.05 * (top + 1)))]
    _drop_empty(layout, "shapes", "annotations")
    return make_figure(data, layout)
