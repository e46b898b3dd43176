"""Line and bar charts: loss curves, hidden-size sweeps, comparisons."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import BOTTOM_LEGEND_PX, _fmt, _nums, _r, base_layout, bottom_legend, make_figure

LOG_FLOOR = 1e-12  #: smallest value plotted on a log-scaled loss axis


def _no_data_note(text: str = "No data yet") -> dict:
    """Annotation centred on an empty plot."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "showarrow": False,
        "font": {"size": style.FONT_SIZE + 2, "color": style.PARAM_COLOR},
    }


#: Log axes spanning at least this many decades get labels at powers of ten only.
LOG_DECADES_ONLY = 2.5
#: ... and at most this many of them (every n-th power beyond).
LOG_MAX_DECADE_TICKS = 8


def _tick_text(v: float) -> str:
    """Full short label for a log-axis tick: "0.05", "2000", "1e-5", "5e6"."""
    s = f"{v:.6g}"
    if "e" in s:
        mantissa, exp = s.split("e")
        s = f"{mantissa}e{int(exp)}"
    return s


def _log_ticks(lo: float, hi: float) -> dict:
    """Tick settings for a log axis showing ``lo .. hi`` (both > 0).

    Plotly labels the minor ticks of a log axis with bare digits ("5" for
    0.5, "2" for 0.02), which reads as a wrong value; over one to
    :data:`LOG_DECADES_ONLY` decades this labels 1-2-5 steps in full,
    over more only powers of ten.  Under one decade plotly's own ticks
    are already full numbers: returns ``{}``.
    """
    if not (0 < lo < hi) or not math.isfinite(hi):
        return {}
    decades = math.log10(hi / lo)
    if decades < 1:
        return {}
    k0, k1 = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if decades < LOG_DECADES_ONLY:
        vals = [m * 10.0**k for k in range(k0, k1 + 1) for m in (1, 2, 5)]
    else:
        step = max(1, math.ceil(decades / LOG_MAX_DECADE_TICKS))
        vals = [10.0**k for k in range(k0, k1 + 1) if k % step == 0]
    vals = [float(v) for v in _r(np.array(vals)) if lo <= v <= hi]
    return {"tickmode": "array", "tickvals": vals, "ticktext": [_tick_text(v) for v in vals]}


def loss_curve(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_y: bool = False,
    marker_epoch: int | None = None,
    diverged_epoch: int | None = None,
    title: str = "Loss",
    height: int = style.DEFAULT_HEIGHT,
    planned_epochs: int | None = None,
) -> go.Figure:
    """Loss against epoch for one or more series.

    Parameters
    ----------
    series : dict[str, tuple[np.ndarray, np.ndarray]]
        Label (e.g. ``"train"``, ``"test"``, ``"hidden layer"``) ->
        ``(epochs, values)``, both shape (n,), already downsampled by the
        caller (n <= ~1000).  Non-finite values become gaps.
    log_y : bool, default False
        Log-scaled y axis; values <= 0 are clipped up to the smallest
        positive finite value of all series (at least ``LOG_FLOOR``).
        Tick labels are full numbers (see :func:`_log_ticks`).
    marker_epoch : int, optional
        Timeline scrubber: a vertical line at this epoch plus a dot on the
        first series at its nearest recorded epoch.
    diverged_epoch : int, optional
        Red dashed vertical line; the label "diverged" sits just above the
        plot area, on the side of the line towards the middle of the plot.
    title : str, default "Loss"
    height : int, default ``style.DEFAULT_HEIGHT``
        Fixed figure height in px.
    planned_epochs : int, optional
        While no series has gone past epoch 0, the x axis runs from 0 to
        this, so the initial loss sits at the start of the run to come
        (plotly would centre a lone point on an axis from -1 to 1).

    Returns
    -------
    go.Figure
        One ``Scatter`` (lines) trace per series, plus one marker-dot
        ``Scatter`` if ``marker_epoch`` is given and the first series has
        a finite value.  With two or more series a horizontal legend sits
        below the x-axis title, never over the data.
    """
    data: list[dict] = []
    prepared: list[tuple[str, np.ndarray, np.ndarray]] = []
    for label, (epochs, values) in series.items():
        e = np.asarray(epochs).ravel()
        v = np.asarray(values, dtype=float).ravel()
        n = min(e.shape[0], v.shape[0])
        prepared.append((str(label), e[:n], v[:n]))

    if log_y:
        allv = np.concatenate([v for _, _, v in prepared]) if prepared else np.array([])
        pos = allv[np.isfinite(allv) & (allv > 0)]
        floor = max(float(pos.min()), LOG_FLOOR) if pos.size else LOG_FLOOR

    for i, (label, e, v) in enumerate(prepared):
        if log_y:
            v = np.where(np.isfinite(v) & (v <= 0), floor, v)
        color = style.SERIES_COLORS[i % len(style.SERIES_COLORS)]
        data.append(
            {
                "type": "scatter",
                "x": _nums(e),
                "y": _r(v),
                "name": label,
                "mode": "lines" if e.shape[0] > 1 else "lines+markers",
                "line": {"color": color, "width": style.LINE_WIDTH},
                "hovertemplate": f"{label}: %{{y:.4g}}<extra></extra>",
            }
        )

    shapes: list[dict] = []
    if marker_epoch is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": int(marker_epoch),
                "x1": int(marker_epoch),
                "y0": 0,
                "y1": 1,
                "line": {"color": style.MARKER_COLOR, "width": 1.5},
            }
        )
        if prepared:
            _, e, v = prepared[0]
            v_plot = np.where(np.isfinite(v) & (v <= 0), floor, v) if log_y else v
            ok = np.isfinite(v_plot) & np.isfinite(e.astype(float))
            if ok.any():
                idx = np.flatnonzero(ok)
                j = idx[np.argmin(np.abs(e[idx].astype(float) - marker_epoch))]
                xj = _nums(e[j : j + 1])
                data.append(
                    {
                        "type": "scatter",
                        "x": xj,
                        "y": [_r(v_plot[j])],
                        "mode": "markers",
                        "name": f"epoch {xj[0]}",
                        "showlegend": False,
                        "marker": {
                            "size": style.MARKER_DOT_SIZE,
                            "color": style.MARKER_COLOR,
                            "line": {"color": "#FFFFFF", "width": 2},
                        },
                        "hovertemplate": "epoch %{x}: %{y:.4g}<extra></extra>",
                    }
                )

    annotations: list[dict] = []
    if diverged_epoch is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": int(diverged_epoch),
                "x1": int(diverged_epoch),
                "y0": 0,
                "y1": 1,
                "line": {"color": style.DIVERGED_COLOR, "width": 2, "dash": "dash"},
            }
        )
        # Above the plot area (never over the data), on the inner side of the
        # line: a label reaching past the last epoch would widen the x range
        # (plotly autoranges to fit axis-referenced annotations) or be cut off.
        xe = np.concatenate([e.astype(float) for _, e, _ in prepared] + [[diverged_epoch]])
        xe = xe[np.isfinite(xe)]
        mid = (xe.min() + xe.max()) / 2
        annotations.append(
            {
                "text": "diverged",
                "x": int(diverged_epoch),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "xanchor": "right" if diverged_epoch > mid else "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": style.DIVERGED_COLOR, "size": style.ANNOTATION_FONT_SIZE},
            }
        )

    if not any(e.shape[0] for _, e, _ in prepared):
        annotations.append(_no_data_note())
    not_started = all(np.all(e.astype(float) <= 0) for _, e, _ in prepared)
    layout = base_layout(title, height)
    if shapes:  # (plotly drops empty lists from the figure, so do we)
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    show_legend = len(prepared) > 1
    if show_legend:  # below the x-axis title: a legend inside the plot covers curves
        layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout.update(
        hovermode="x unified",
        showlegend=show_legend,
        legend=bottom_legend(),
        xaxis={"title": {"text": "Epoch"}, "rangemode": "nonnegative",
               # a step left of 0: a dot on the axis line would be cut in half
               **({"range": [-0.02 * planned_epochs, int(planned_epochs)]}
                  if not_started and planned_epochs else {})},
        yaxis={
            "title": {"text": "Loss"},
            "type": "log" if log_y else "linear",
            **({} if log_y else {"rangemode": "tozero"}),  # a loss is never negative
            **(_log_ticks(float(pos.min()), float(pos.max())) if log_y and pos.size else {}),
        },
    )
    return make_figure(data, layout)


# --------------------------------------------------------------------------
# Sweeps over the hidden-layer size
# --------------------------------------------------------------------------

#: A rule of thumb for the hidden size: ``(low, high, short_label, wording)``;
#: ``low == high`` for a single recommended value.
RuleMark = tuple[float, float, str, str]

RULE_FONT_SIZE = style.ANNOTATION_FONT_SIZE - 2  #: px, rule labels above the plot
RULE_ROW_PX = 15  #: height of one row of rule labels
RULE_MAX_ROWS = 3
#: Labels are packed into rows for a plot area this narrow (a ~450 px wide
#: Streamlit column); wider plots only leave more room between them.
RULE_PACK_PLOT_PX = 300.0
_RULE_CHAR_PX = 0.6 * RULE_FONT_SIZE  # generous average glyph width
_RULE_GAP_PX = 8.0
RULE_BAND_COLOR = "rgba(106,61,154,0.10)"  #: ``style.RULE_COLOR``, translucent
_BAR_HALF_WIDTH = 0.35  # success_rate bars: bargap 0.3 -> 0.7 slot wide
_TITLE_PX = 34  # the title's band at the top (TITLE_PAD_PX + one line of title)

# (kind, x0, x1, y0): kind "line" (x0 == x1) or "band"; x in data units of the
# x axis; y0 = bottom of a line in paper units
_Geom = tuple[str, float, float, float]


def _as_marks(marks: Sequence | None) -> list[RuleMark]:
    """Normalise rule marks to ``(low, high, short, wording)`` with low <= high.

    A 3-tuple ``(value, short, wording)`` (the old form) is read as the single
    value ``low = high = value``.
    """
    out: list[RuleMark] = []
    for m in marks or []:
        if len(m) == 4:
            lo, hi, short, wording = m
        elif len(m) == 3:
            lo, short, wording = m
            hi = lo
        else:
            raise ValueError(f"rule mark must be (low, high, short_label, wording), got {m!r}")
        lo, hi = float(lo), float(hi)
        out.append((min(lo, hi), max(lo, hi), str(short), str(wording)))
    return out


def _rule_marks(
    marks: list[RuleMark],
    place: Callable[[float, float], _Geom | None],
    x_range: tuple[float, float],
    y_top: float,
    layout: dict,
    *,
    log_x: bool = False,
) -> list[dict]:
    """Rule-of-thumb marks: shapes behind the data, labels above the plot area.

    A single value is a dotted vertical line, a range a translucent band;
    both sit in the ``"between"`` layer (over the grid, under every trace).
    Short labels go in rows above the plot area (never over data), packed so
    that they do not overlap at :data:`RULE_PACK_PLOT_PX` (lines first, so
    they get the lowest rows); each line or band reaches up to the bottom
    of its own label.  A mark outside the x range gets only a label with an
    arrow at that edge.  The wording shows on hovering the label or an
    invisible marker at the top of the mark.

    Parameters
    ----------
    marks : list of (low, high, short_label, wording)
    place : callable (low, high) -> (kind, x0, x1, y0) or None
        Geometry of a mark in x-axis data units (None: not drawable).
    x_range : (lo, hi)
        The x axis range as set in the layout (log10 units for a log axis).
    y_top : float
        y (primary axis data units) of the invisible hover markers.
    layout : dict
        The figure layout (with ``height`` and ``margin``); gets the shapes
        and annotations appended and the top margin raised to fit the rows.
    log_x : bool, default False
        The x axis is log-scaled (annotations then need log10 positions).

    Returns
    -------
    list of dict
        Zero or one invisible hover trace.
    """
    u_lo, u_hi = x_range
    span = u_hi - u_lo
    per_px = span / RULE_PACK_PLOT_PX
    # (is a band, x, left end, width (axis units), xanchor, text, wording, shape)
    items: list[tuple[bool, float, float, float, str, str, str, dict | None]] = []
    hx: list[float] = []
    ht: list[str] = []
    for lo, hi, short, wording in marks:
        if not (np.isfinite(lo) and np.isfinite(hi)):
            continue
        geom = place(lo, hi)
        if geom is None:
            continue
        kind, x0, x1, y0 = geom
        if not (math.isfinite(x0) and math.isfinite(x1) and math.isfinite(y0)):
            continue
        if log_x:
            if x1 <= 0:
                continue
            a = math.log10(x0) if x0 > 0 else -math.inf
            b = math.log10(x1)
        else:
            a, b = x0, x1
        text = short
        shape = None
        if b < u_lo:
            text = f"\u2190 {short}"
        elif a > u_hi:
            text = f"{short} \u2192"
        else:
            if kind == "line":
                line = {"color": style.RULE_COLOR, "width": 2, "dash": "dot"}
                shape = {"type": "line", "line": line}
            else:
                shape = {"type": "rect", "fillcolor": RULE_BAND_COLOR, "line": {"width": 0}}
            shape.update(xref="x", yref="paper", x0=x0, x1=x1, y0=y0, layer="between")
            uc = (max(a, u_lo) + min(b, u_hi)) / 2  # middle of the visible part
            hx.append(10**uc if log_x else uc)
            ht.append(f"<b>{short}</b><br>{wording}")
        # Anchored so that the label stays above the plot area and over its
        # mark at any width: centred if that fits at RULE_PACK_PLOT_PX, else
        # starting at the mark's left end (ending at its right end).  The
        # width in axis units is an upper bound (wider plots: narrower), so
        # labels that do not overlap here never do.
        width = (len(text) * _RULE_CHAR_PX + 4) * per_px
        va, vb = max(a, u_lo), min(b, u_hi)  # visible part (a point if outside)
        if vb < va:
            va = vb = u_lo if b < u_lo else u_hi
        centre = (va + vb) / 2
        if centre - width / 2 >= u_lo and centre + width / 2 <= u_hi:
            anchor, x, left = "center", centre, centre - width / 2
        elif centre - width / 2 < u_lo and va + width <= u_hi:
            anchor, x, left = "left", va, va
        elif centre + width / 2 > u_hi and vb - width >= u_lo:
            anchor, x, left = "right", vb, vb - width
        else:  # wider than the plot
            anchor, x, left = "center", (u_lo + u_hi) / 2, (u_lo + u_hi - width) / 2
        items.append((kind == "band", x, left, width, anchor, text, wording, shape))

    # each label in the lowest row where it overlaps no other; lines first, so
    # no dotted line has to cross another label on its way up to its own
    gap = _RULE_GAP_PX * per_px
    rows: list[list[tuple[float, float]]] = []
    placed: list[tuple[int, tuple]] = []
    for item in sorted(items, key=lambda t: (t[0], t[2])):
        left, right = item[2], item[2] + item[3]
        row = next(
            (
                k
                for k, spans in enumerate(rows)
                if all(right + gap <= s0 or left >= s1 + gap for s0, s1 in spans)
            ),
            None,
        )
        if row is None:
            if len(rows) < RULE_MAX_ROWS:
                rows.append([])
                row = len(rows) - 1
            else:  # no room: the top row (labels may overlap)
                row = RULE_MAX_ROWS - 1
        rows[row].append((left, right))
        placed.append((row, item))

    margin = layout["margin"]
    if rows:
        margin["t"] = max(margin["t"], _TITLE_PX + RULE_ROW_PX * len(rows) + 2)
    plot_px = max(float(layout["height"] - margin["t"] - margin["b"]), 50.0)
    shapes = layout.setdefault("shapes", [])
    annotations = layout.setdefault("annotations", [])
    to_round: list[tuple[dict, str]] = []  # (dict, key) of every number, rounded at once
    for row, (_, x, _, _, anchor, text, wording, shape) in sorted(placed, key=lambda p: p[1][2]):
        if shape is not None:
            shape["y1"] = 1 + RULE_ROW_PX * row / plot_px  # up to its label
            shapes.append(shape)
            to_round += [(shape, "x0"), (shape, "x1"), (shape, "y0"), (shape, "y1")]
        annotations.append(
            {
                "text": text,
                "hovertext": wording,
                "x": x,
                "xref": "x",
                "xanchor": anchor,
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": RULE_ROW_PX * row,
                "showarrow": False,
                "font": {"color": style.RULE_COLOR, "size": RULE_FONT_SIZE},
            }
        )
        to_round.append((annotations[-1], "x"))
    rounded = _r(np.array([d[k] for d, k in to_round] + hx + [y_top], dtype=float))
    for (d, k), v in zip(to_round, rounded, strict=False):
        d[k] = v
    if not hx:
        return []
    return [
        {
            "type": "scatter",
            "x": rounded[len(to_round) : -1],
            "y": rounded[-1:] * len(hx),
            "mode": "markers",
            "marker": {"size": 14, "color": "rgba(0,0,0,0)"},
            "hovertext": ht,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "showlegend": False,
            "name": "rules of thumb",
        }
    ]


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
    rule_marks: list[RuleMark] | None = None,
    title: str = "Effect of hidden-layer size",
    band_label: str = "spread across seeds",
    log_x: bool = False,
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
    rule_marks : list of (low, high, short_label, wording), optional
        Rules of thumb for the hidden size.  ``low == high``: a dotted
        vertical line at that size; else a light purple band from
        ``low - 0.5`` to ``high + 0.5``; both behind the data.
        ``short_label`` goes above the plot area (rows of labels, the top
        margin grows with them), ``wording`` shows on hover.  A mark
        outside the swept sizes gets only a label with an arrow at that
        edge.  Non-finite marks are skipped.  (A 3-tuple ``(value,
        short_label, wording)`` still works, as ``low = high = value``.)
    title : str
    band_label : str, default "spread across seeds"
        Legend entry of the shaded band (e.g. "25-75 % of seeds").
    log_x : bool, default False
        Log-scaled x axis (useful for sizes 1, 2, 4, ..., 64).
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces: band (``Scatter`` fill="toself"), median ``Scatter``,
        optional parameter-count ``Scatter`` on ``y2`` (not in the legend:
        its grey right axis is titled "parameters"), optional invisible
        hover ``Scatter`` for the rule marks.  The x range is set
        explicitly: the finite sizes plus 4 % (at least half a hidden unit,
        or 0.05 decades on a log axis) on each side.
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    med = np.asarray(median, dtype=float).ravel()
    lo = np.asarray(q_low, dtype=float).ravel()
    hi = np.asarray(q_high, dtype=float).ravel()
    if not (h.shape == med.shape == lo.shape == hi.shape):
        raise ValueError("hidden_sizes, median, q_low, q_high must have the same shape")
    marks = _as_marks(rule_marks)
    hx = _nums(h)

    ok = np.isfinite(h) & np.isfinite(lo) & np.isfinite(hi)
    bx = h[ok]
    data: list[dict] = [
        {
            "type": "scatter",
            "x": _nums(np.concatenate([bx, bx[::-1]])),
            "y": _r(np.concatenate([hi[ok], lo[ok][::-1]])),
            "fill": "toself",
            "fillcolor": "rgba(0,114,178,0.18)",
            "line": {"width": 0, "color": "rgba(0,114,178,0)"},
            "name": band_label,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "x": hx,
            "y": _r(med),
            "customdata": [list(t) for t in zip(_r(lo), _r(hi), strict=True)],
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
        pc = np.asarray(param_counts, dtype=float).ravel()
        if pc.shape != h.shape:
            raise ValueError("param_counts must have the same shape as hidden_sizes")
        data.append(
            {
                "type": "scatter",
                "x": hx,
                "y": _nums(pc),
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
    if log_x:
        xaxis["type"] = "log"
    finite_h = h[np.isfinite(h) & (h > 0)] if log_x else h[np.isfinite(h)]
    if finite_h.size:
        # an explicit range: plotly would otherwise widen it to fit the labels
        u = np.log10(finite_h) if log_x else finite_h
        u_lo, u_hi = float(u.min()), float(u.max())
        pad = max(0.04 * (u_hi - u_lo), 0.05 if log_x else 0.5)
        x_range = (float(_r(u_lo - pad)), float(_r(u_hi + pad)))
        xaxis["range"] = list(x_range)
        tiny = float(finite_h.min()) / 100  # left of the x range (log axis)

        def place(low: float, high: float) -> _Geom | None:
            if low == high:
                return None if log_x and low <= 0 else ("line", low, low, 0.0)
            x0, x1 = low - 0.5, high + 0.5
            if log_x and x0 <= 0:
                x0 = tiny
            return ("band", x0, x1, 0.0)

        y_top = _finite_range(med, lo, hi)[1]
        data += _rule_marks(marks, place, x_range, y_top, layout, log_x=log_x)
    if 0 < finite_h.size <= 12:
        xaxis.update(tickmode="array", tickvals=_nums(finite_h))
    else:
        xaxis.update(tickformat="d")
    if h.size == 0:
        layout.setdefault("annotations", []).append(_no_data_note())
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
    rule_marks: list[RuleMark] | None = None,
    title: str = "How often training succeeds",
    rate_scale: str = "auto",
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
        Success rate, either a fraction 0..1 or a percentage 0..100
        (see ``rate_scale``).  Non-finite -> no bar.
    epochs_to_success_median : np.ndarray, shape (k,), optional
        Median epochs until success; a line on a secondary (right) axis.
        NaN where no run succeeded.
    rule_marks : list of (low, high, short_label, wording), optional
        As in :func:`sweep_summary`.  A band covers the slots of the sizes
        in ``[low, high]`` (reaching into the gap towards a neighbouring
        size that is not in the range but closer than half a unit); a
        single value between two sizes sits between their bars, on a size
        it starts above that bar (and its label).
    title : str
    rate_scale : {"auto", "fraction", "percent"}, default "auto"
        "auto" treats ``rate`` as a fraction if every finite value is <= 1.
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces: ``Bar``, optional epochs ``Scatter`` on ``y2``, optional
        invisible hover ``Scatter`` for the rule marks.  With more than
        :data:`MAX_BAR_LABELS` sizes only every n-th size is labelled (all
        keep a tick); bar texts that would need a font below 10 px are
        hidden (hover shows the value).
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    r = np.asarray(rate, dtype=float).ravel()
    if h.shape != r.shape:
        raise ValueError("hidden_sizes and rate must have the same shape")
    marks = _as_marks(rule_marks)
    finite_r = r[np.isfinite(r)]
    if rate_scale == "auto":
        rate_scale = "fraction" if finite_r.size == 0 or finite_r.max() <= 1.0 else "percent"
    if rate_scale not in ("fraction", "percent"):
        raise ValueError("rate_scale must be 'auto', 'fraction' or 'percent'")
    pct = np.clip(r * (100.0 if rate_scale == "fraction" else 1.0), 0.0, 100.0)
    k = h.size
    idx = list(range(k))
    labels = [str(v) for v in _nums(h)]
    inside = [bool(np.isfinite(p) and p >= 15) for p in pct]

    data: list[dict] = [
        {
            "type": "bar",
            "x": idx,
            "y": _r(pct),
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
        ep = np.asarray(epochs_to_success_median, dtype=float).ravel()
        if ep.shape != h.shape:
            raise ValueError("epochs_to_success_median must have the same shape as hidden_sizes")
        data.append(
            {
                "type": "scatter",
                "x": idx,
                "y": _r(ep),
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

        def place(low: float, high: float) -> _Geom | None:
            if low == high:
                p = float(_index_positions(h, np.array([low]))[0])
                y0 = 0.0
                j = int(round(p))
                if abs(p - j) < 1e-9 and 0 <= j < k and np.isfinite(pct[j]):
                    # on a bar: start above it and its outside label
                    y0 = min((float(pct[j]) + (1.0 if inside[j] else 9.0)) / y_max, 1.0)
                return ("line", p, p, y0)
            x0, x1 = (float(v) for v in _index_positions(h, np.array([low - 0.5, high + 0.5])))
            below = np.flatnonzero(h < low)
            above = np.flatnonzero(h > high)
            if below.size:
                x0 = max(x0, below[-1] + _BAR_HALF_WIDTH)
            if above.size:
                x1 = min(x1, above[0] - _BAR_HALF_WIDTH)
            return ("band", x0, x1, 0.0) if x1 > x0 else None

        data += _rule_marks(marks, place, x_range, 100.0, layout)
    else:
        layout["annotations"] = [_no_data_note()]
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


def comparison_bars(
    labels: list[str],
    values: list[float],
    *,
    title: str,
    y_title: str,
    y_range: tuple[float, float] | list[float] | None = None,
    x_title: str = "Model",
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
    x_title : str, default "Model"
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
            "y": _r(v),
            "marker": {"color": colors},
            "text": [_fmt(x) if np.isfinite(x) else "n/a" for x in v],
            "textposition": textpos,
            "cliponaxis": False,
            "textangle": 0,
            "hovertemplate": "%{x}: %{y:.4g}<extra></extra>",
        }
    ]
    layout = base_layout(title, height)
    layout.update(showlegend=False, bargap=0.35)
    layout["xaxis"] = {"title": {"text": x_title}, "type": "category", "showgrid": False}
    yaxis: dict = {"title": {"text": y_title}}
    if y_range is not None:
        lo, hi = (float(y_range[0]), float(y_range[1]))
        if np.isfinite(lo) and np.isfinite(hi) and hi > lo:
            yaxis["range"] = [_r(lo), _r(hi)]
    layout["yaxis"] = yaxis
    return make_figure(data, layout)
