"""Gradient norm per weight matrix against epoch: vanishing gradients made visible."""

from __future__ import annotations

import math

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
from .loss import _epoch_line, _log_ticks

GRADNORM_HEIGHT = 300  #: px; a small chart under the loss curve
#: Legend rows beyond the first (two names a row at half a page) add this much height.
LEGEND_ROW_PX = 22
LEGEND_PER_ROW = 2
#: Norms below this are drawn at it: a log axis has no place for 0 (a dead layer).
NORM_FLOOR = 1e-12


def gradient_norms_chart(
    epochs: np.ndarray,
    norms: np.ndarray,
    names: list[str],
    *,
    marker_epoch: int | None = None,
    title: str = "Gradient norm per layer",
    height: int = GRADNORM_HEIGHT,
) -> go.Figure:
    """One line per weight matrix: the norm of its gradient at each epoch, log against log.

    Both axes are logarithmic: norms span decades between layers, and a run's
    snapshots are spaced evenly in log epochs (its early epochs change it most).

    Parameters
    ----------
    epochs : np.ndarray, shape (m,)
        The epochs (>= 1) whose updates the gradients drive, increasing: the
        gradient at the weights after e epochs drives epoch e + 1, where the loss
        curve draws the loss at those weights.
    norms : np.ndarray, shape (m, L)
        ``norms[i, l]`` is ``||dE/dW_l||`` at ``epochs[i]``; non-finite values
        become gaps, values <= 0 sit at ``NORM_FLOOR``.
    names : list of str, length L
        Each weight matrix's name, input layer first (legend entries).
    marker_epoch : int, optional
        Timeline scrubber: a vertical line at this epoch (>= 1).
    title : str
    height : int, default ``GRADNORM_HEIGHT``

    Returns
    -------
    go.Figure
        ``L`` line traces (lines with markers while there are few points), a
        log y axis whose ticks read as full numbers, and a legend below the
        x-axis title when there are two or more layers.
    """
    e = np.asarray(epochs).ravel()
    v = np.asarray(norms, dtype=float).reshape(len(e), len(names))
    v = np.where(np.isfinite(v) & (v <= 0), NORM_FLOOR, v)
    data = [
        {
            "type": "scatter",
            "x": as_numbers(e),
            "y": rounded(v[:, l]),
            "name": name,
            "mode": "lines" if len(e) > 20 else "lines+markers",
            "line": {"color": style.SERIES_COLORS[l % len(style.SERIES_COLORS)],
                     "width": style.LINE_WIDTH},
            "hovertemplate": f"{name}: %{{y:.3g}}<extra></extra>",
        }
        for l, name in enumerate(names)
    ]
    rows = math.ceil(len(names) / LEGEND_PER_ROW) if len(names) > LEGEND_PER_ROW else 1
    layout = base_layout(title, height + (rows - 1) * LEGEND_ROW_PX)
    shown = v[np.isfinite(v)]
    if marker_epoch is not None:
        layout["shapes"] = [_epoch_line(marker_epoch,
                                        {"color": style.MARKER_COLOR, "width": 1.5})]
    if not len(e):
        layout["annotations"] = [no_data_note()]
    legend = len(names) > 1
    if legend:
        layout["margin"]["b"] += BOTTOM_LEGEND_PX + (rows - 1) * LEGEND_ROW_PX
    layout.update(
        hovermode="x unified",
        showlegend=legend,
        legend=bottom_legend(),
        xaxis={"title": {"text": "Epoch (log scale)"}, "type": "log",
               **(_log_ticks(float(e.min()), float(e.max())) if len(e) else {})},
        yaxis={"title": {"text": "‖dE/dW‖"}, "type": "log",
               **(_log_ticks(float(shown.min()), float(shown.max())) if shown.size else {})},
    )
    return make_figure(data, layout)
