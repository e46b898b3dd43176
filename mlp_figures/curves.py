"""Line and bar charts: loss curves, hidden-size sweeps, comparisons."""

from __future__ import annotations

from collections.abc import Sequence

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


def loss_curve(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_y: bool = False,
    marker_epoch: int | None = None,
    diverged_epoch: int | None = None,
    title: str = "Loss",
    height: int = style.DEFAULT_HEIGHT,
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
    marker_epoch : int, optional
        Timeline scrubber: a vertical line at this epoch plus a dot on the
        first series at its nearest recorded epoch.
    diverged_epoch : int, optional
        Red dashed vertical line annotated "diverged".
    title : str, default "Loss"
    height : int, default ``style.DEFAULT_HEIGHT``
        Fixed figure height in px.

    Returns
    -------
    go.Figure
        One ``Scatter`` (lines) trace per series, plus one marker-dot
        ``Scatter`` if ``marker_epoch`` is given and the first series has
        a finite value.
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
        annotations.append(
            {
                "text": "diverged",
                "x": int(diverged_epoch),
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "showarrow": False,
                "font": {"color": style.DIVERGED_COLOR, "size": style.ANNOTATION_FONT_SIZE},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )

    if not any(e.shape[0] for _, e, _ in prepared):
        annotations.append(_no_data_note())
    layout = base_layout(title, height)
    if shapes:  # (plotly drops empty lists from the figure, so do we)
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    layout.update(
        hovermode="x unified",
        showlegend=len(prepared) > 1,
        legend={
            "x": 0.99,
            "xanchor": "right",
            "y": 0.98,
            "yanchor": "top",
            "bgcolor": "rgba(255,255,255,0.75)",
        },
        xaxis={"title": {"text": "Epoch"}},
        yaxis={"title": {"text": "Loss"}, "type": "log" if log_y else "linear"},
    )
    return make_figure(data, layout)


# --------------------------------------------------------------------------
# Sweeps over the hidden-layer size
# --------------------------------------------------------------------------


def _rule_marks(
    marks: Sequence[tuple[float, str, str]] | None,
    xpos: np.ndarray,
    y_lo: float,
    y_hi: float,
) -> tuple[list[dict], list[dict], list[dict]]:
    """Vertical dotted rule-of-thumb lines, label on top, wording on hover.

    Parameters
    ----------
    marks : list of (hidden_value, short_label, wording)
    xpos : np.ndarray, shape (len(marks),)
        x position of each mark in data coordinates of the figure.
    y_lo, y_hi : float
        Data range of the primary y axis for the invisible hover markers.

    Returns
    -------
    shapes, annotations, traces : list of dict
        Layout shapes and annotations to append, and zero or one hover
        trace.
    """
    shapes: list[dict] = []
    annotations: list[dict] = []
    if not marks:
        return shapes, annotations, []
    hx: list = []
    hy: list = []
    ht: list[str] = []
    ys = _r(np.linspace(y_lo, y_hi, 6))
    xr = _r(np.asarray(xpos, dtype=float))
    for k, ((_, short, wording), x, xv) in enumerate(zip(marks, xpos, xr, strict=True)):
        if not np.isfinite(x):
            continue
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": xv,
                "x1": xv,
                "y0": 0,
                "y1": 1,
                "line": {"color": style.RULE_COLOR, "width": 2, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "text": str(short),
                "hovertext": str(wording),
                "x": xv,
                "xref": "x",
                "y": 1 - 0.09 * (k % 3),
                "yref": "paper",
                "yanchor": "top",
                "showarrow": False,
                "font": {"color": style.RULE_COLOR, "size": style.ANNOTATION_FONT_SIZE},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
        for yv in ys:
            hx.append(xv)
            hy.append(yv)
            ht.append(f"<b>{short}</b><br>{wording}")
    if not hx:
        return shapes, annotations, []
    trace = {
        "type": "scatter",
        "x": hx,
        "y": hy,
        "mode": "markers",
        "marker": {"size": 14, "color": "rgba(0,0,0,0)"},
        "hovertext": ht,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False,
        "name": "rules of thumb",
    }
    return shapes, annotations, [trace]


def _finite_range(*arrays: np.ndarray) -> tuple[float, float]:
    vals = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return 0.0, 1.0
    lo, hi = float(vals.min()), float(vals.max())
    return (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)


def sweep_summary(
    hidden_sizes: np.ndarray,
    *,
    median: np.ndarray,
    q_low: np.ndarray,
    q_high: np.ndarray,
    metric_label: str,
    param_counts: np.ndarray | None = None,
    rule_marks: list[tuple[float, str, str]] | None = None,
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
    rule_marks : list of (hidden_value, short_label, wording), optional
        Rules of thumb: vertical dotted line at ``hidden_value``,
        ``short_label`` at the top, ``wording`` on hover.
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
        optional parameter-count ``Scatter`` on ``y2``, optional invisible
        hover ``Scatter`` for the rule marks.
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    med = np.asarray(median, dtype=float).ravel()
    lo = np.asarray(q_low, dtype=float).ravel()
    hi = np.asarray(q_high, dtype=float).ravel()
    if not (h.shape == med.shape == lo.shape == hi.shape):
        raise ValueError("hidden_sizes, median, q_low, q_high must have the same shape")
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
                "line": {"color": style.PARAM_COLOR, "width": 2, "dash": "dot"},
                "marker": {"size": 6, "color": style.PARAM_COLOR},
                "hovertemplate": "hidden = %{x}<br>%{y} parameters<extra></extra>",
            }
        )
        layout["yaxis2"] = {
            "title": {"text": "parameters", "font": {"color": style.PARAM_COLOR}},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "showline": True,
            "linecolor": style.PARAM_COLOR,
            "tickfont": {"color": style.PARAM_COLOR},
            "ticks": "outside",
            "rangemode": "tozero",
            "tickmode": "auto",
            "automargin": True,
        }
        layout["margin"] = {**layout["margin"], "r": 80}

    y_lo, y_hi = _finite_range(med, lo, hi)
    shapes, annotations, hover = _rule_marks(
        rule_marks, np.array([m[0] for m in rule_marks or []], dtype=float), y_lo, y_hi
    )
    data += hover
    if h.size == 0:
        annotations.append(_no_data_note())
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    layout["hovermode"] = "closest"
    layout["legend"] = bottom_legend()
    xaxis: dict = {"title": {"text": "Hidden units"}}
    if log_x:
        xaxis["type"] = "log"
    finite_h = h[np.isfinite(h)]
    if 0 < finite_h.size <= 12:
        xaxis.update(tickmode="array", tickvals=_nums(finite_h))
    else:
        xaxis.update(tickformat="d")
    layout["xaxis"] = xaxis
    layout["yaxis"] = {"title": {"text": metric_label}}
    return make_figure(data, layout)


def _index_positions(sizes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Map hidden sizes to bar indices (linear interpolation, extrapolated)."""
    idx = np.arange(sizes.size, dtype=float)
    if sizes.size == 0:
        return np.full(values.shape, np.nan)
    if sizes.size == 1:
        return np.where(values == sizes[0], 0.0, np.nan)
    pos = np.interp(values, sizes, idx)
    below = values < sizes[0]
    above = values > sizes[-1]
    pos = np.where(below, (values - sizes[0]) / (sizes[1] - sizes[0]), pos)
    pos = np.where(above, idx[-1] + (values - sizes[-1]) / (sizes[-1] - sizes[-2]), pos)
    return pos


def success_rate(
    hidden_sizes: np.ndarray,
    rate: np.ndarray,
    *,
    epochs_to_success_median: np.ndarray | None = None,
    rule_marks: list[tuple[float, str, str]] | None = None,
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
    rule_marks : list of (hidden_value, short_label, wording), optional
        As in :func:`sweep_summary`; values between two sizes are placed
        between their bars.
    title : str
    rate_scale : {"auto", "fraction", "percent"}, default "auto"
        "auto" treats ``rate`` as a fraction if every finite value is <= 1.
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces: ``Bar``, optional epochs ``Scatter`` on ``y2``, optional
        invisible hover ``Scatter`` for the rule marks.
    """
    h = np.asarray(hidden_sizes, dtype=float).ravel()
    r = np.asarray(rate, dtype=float).ravel()
    if h.shape != r.shape:
        raise ValueError("hidden_sizes and rate must have the same shape")
    finite_r = r[np.isfinite(r)]
    if rate_scale == "auto":
        rate_scale = "fraction" if finite_r.size == 0 or finite_r.max() <= 1.0 else "percent"
    if rate_scale not in ("fraction", "percent"):
        raise ValueError("rate_scale must be 'auto', 'fraction' or 'percent'")
    pct = np.clip(r * (100.0 if rate_scale == "fraction" else 1.0), 0.0, 100.0)
    idx = list(range(h.size))
    labels = [str(v) for v in _nums(h)]

    data: list[dict] = [
        {
            "type": "bar",
            "x": idx,
            "y": _r(pct),
            "customdata": labels,
            "name": "success rate",
            "marker": {"color": style.POS_COLOR},
            "text": [("" if not np.isfinite(p) else f"{p:.0f}%") for p in pct],
            "textposition": ["inside" if np.isfinite(p) and p >= 15 else "outside" for p in pct],
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
                "name": "median epochs to success",
                "line": {"color": style.NEG_COLOR, "width": 2},
                "marker": {"size": 8, "color": style.NEG_COLOR},
                "hovertemplate": "hidden = %{customdata}<br>median %{y:.0f} epochs<extra></extra>",
            }
        )
        layout["yaxis2"] = {
            "title": {"text": "epochs to success", "font": {"color": style.NEG_COLOR}},
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "showline": True,
            "linecolor": style.NEG_COLOR,
            "tickfont": {"color": style.NEG_COLOR},
            "ticks": "outside",
            "rangemode": "tozero",
            "tickmode": "auto",
            "automargin": True,
        }
        layout["margin"] = {**layout["margin"], "r": 80}
        layout["margin"]["b"] += BOTTOM_LEGEND_PX

    shapes, annotations, hover = _rule_marks(
        rule_marks,
        _index_positions(h, np.array([m[0] for m in rule_marks or []], dtype=float)),
        0.0,
        100.0,
    )
    data += hover
    if h.size == 0:
        annotations.append(_no_data_note())
    if shapes:
        layout["shapes"] = shapes
    if annotations:
        layout["annotations"] = annotations
    layout.update(
        hovermode="closest",
        bargap=0.3,
        showlegend=epochs_to_success_median is not None,
        legend=bottom_legend(),
        xaxis={
            "title": {"text": "Hidden units"},
            "tickmode": "array",
            "tickvals": idx,
            "ticktext": labels,
            "showgrid": False,
        },
        yaxis={
            "title": {"text": "success rate (%)"},
            "range": [0, 102],
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
