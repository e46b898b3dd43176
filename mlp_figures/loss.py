"""The loss curve: loss against epoch for one or more series."""

from __future__ import annotations

import math
from collections.abc import Sequence

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

LOG_FLOOR = 1e-12  #: smallest value plotted on a log-scaled loss axis

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
    vals = [float(v) for v in rounded(np.array(vals)) if lo <= v <= hi]
    return {"tickmode": "array", "tickvals": vals, "ticktext": [_tick_text(v) for v in vals]}


def _epoch_line(epoch: int, line: dict) -> dict:
    """A vertical line across the plot at ``epoch``."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": int(epoch), "x1": int(epoch),
            "y0": 0, "y1": 1, "line": line}


def _line_label(epoch: int, text: str, color: str,
                prepared: list[tuple[str, np.ndarray, np.ndarray]]) -> dict:
    """``text`` just above the plot area at ``epoch``, on the inner side of its line.

    Above the plot area, it never covers the data; on the inner side, it neither
    reaches past the last epoch (plotly would widen the x range to fit an
    axis-referenced annotation) nor is cut off.
    """
    xe = np.concatenate([e.astype(float) for _, e, _ in prepared] + [[epoch]])
    xe = xe[np.isfinite(xe)]
    mid = (xe.min() + xe.max()) / 2
    return {
        "text": text,
        "x": int(epoch),
        "xref": "x",
        "y": 1,
        "yref": "paper",
        "xanchor": "right" if epoch > mid else "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"color": color, "size": style.ANNOTATION_FONT_SIZE},
    }


def _nearest_point(series: tuple[str, np.ndarray, np.ndarray], epoch: int, log_y: bool,
                   floor: float) -> tuple[int | float, float] | None:
    """The finite point of ``series`` (label, epochs, values) nearest ``epoch``, as plotted."""
    _, e, v = series
    v = np.where(np.isfinite(v) & (v <= 0), floor, v) if log_y else v
    ok = np.flatnonzero(np.isfinite(v) & np.isfinite(e.astype(float)))
    if not ok.size:
        return None
    j = ok[np.argmin(np.abs(e[ok].astype(float) - epoch))]
    return as_numbers(e[j: j + 1])[0], rounded(v[j])


def loss_curve(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    log_y: bool = False,
    marker_epoch: int | None = None,
    diverged_epoch: int | None = None,
    title: str = "Loss",
    height: int = style.DEFAULT_HEIGHT,
    planned_epochs: int | None = None,
    stopped_epoch: int | None = None,
    stopped_label: str = "stopped early",
    best_epoch: int | None = None,
    edited_epochs: Sequence[int] = (),
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
    stopped_epoch : int, optional
        Early stopping: a green dashed vertical line where training stopped,
        labelled ``stopped_label`` (say why) above the plot area as
        "diverged" is.
    best_epoch : int, optional
        Early stopping that restored the best weights: a green ring on the
        last series (the test loss, when there is one) at its nearest
        recorded epoch, the weights the run kept.
    edited_epochs : sequence of int, optional
        Epochs where the weights were set by hand: a purple dotted vertical
        line at each, the last labelled "weights set by hand" as "diverged" is.

    Returns
    -------
    go.Figure
        One ``Scatter`` (lines) trace per series, plus one marker-dot
        ``Scatter`` if ``marker_epoch`` is given and the first series has
        a finite value, plus one ring ``Scatter`` for ``best_epoch``.  With
        two or more series a horizontal legend sits below the x-axis title,
        never over the data.
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
                "x": as_numbers(e),
                "y": rounded(v),
                "name": label,
                "mode": "lines" if e.shape[0] > 1 else "lines+markers",
                "line": {"color": color, "width": style.LINE_WIDTH},
                "hovertemplate": f"{label}: %{{y:.4g}}<extra></extra>",
            }
        )

    shapes: list[dict] = []
    if marker_epoch is not None:
        shapes.append(_epoch_line(marker_epoch, {"color": style.MARKER_COLOR, "width": 1.5}))
        if prepared:
            _, e, v = prepared[0]
            v_plot = np.where(np.isfinite(v) & (v <= 0), floor, v) if log_y else v
            ok = np.isfinite(v_plot) & np.isfinite(e.astype(float))
            if ok.any():
                idx = np.flatnonzero(ok)
                j = idx[np.argmin(np.abs(e[idx].astype(float) - marker_epoch))]
                xj = as_numbers(e[j : j + 1])
                data.append(
                    {
                        "type": "scatter",
                        "x": xj,
                        "y": [rounded(v_plot[j])],
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
    for epoch in edited_epochs:
        shapes.append(_epoch_line(epoch, {"color": style.EDITED_COLOR, "width": 2,
                                          "dash": "dot"}))
    if len(edited_epochs):
        annotations.append(_line_label(edited_epochs[-1], "weights set by hand",
                                       style.EDITED_COLOR, prepared))
    for epoch, text, color in ((diverged_epoch, "diverged", style.DIVERGED_COLOR),
                               (stopped_epoch, stopped_label, style.STOPPED_COLOR)):
        if epoch is None:
            continue
        shapes.append(_epoch_line(epoch, {"color": color, "width": 2, "dash": "dash"}))
        annotations.append(_line_label(epoch, text, color, prepared))
    if best_epoch is not None and prepared:
        ring = _nearest_point(prepared[-1], best_epoch, log_y, floor if log_y else 0.0)
        if ring is not None:
            data.append({
                "type": "scatter", "x": [ring[0]], "y": [ring[1]], "mode": "markers",
                "name": "best", "showlegend": False,
                "marker": {"size": style.MARKER_DOT_SIZE + 4, "color": "rgba(0,0,0,0)",
                           "line": {"color": style.STOPPED_COLOR, "width": 3}},
                "hovertemplate": "best epoch %{x}: %{y:.4g} (weights kept)<extra></extra>",
            })

    if not any(e.shape[0] for _, e, _ in prepared):
        annotations.append(no_data_note())
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
