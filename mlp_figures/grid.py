"""Grid sweeps: scores against width (one line per combination of the other settings) and
a width x learning-rate heatmap."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import BOTTOM_LEGEND_PX, base_layout, bottom_legend, make_figure, no_data_note, rounded
from .runs import SCORE_SCALE

GRID_LINES_HEIGHT = 440  #: px; the legend under the plot may take two rows
GRID_HEATMAP_HEIGHT = 400  #: px
BAND_OPACITY = 0.15  #: a line's quartile band
LOG_X_SPAN = 16  #: widths spanning this ratio or more get a log x axis
HEATMAP_TEXT_MAX_CELLS = 200  #: more cells than this: no numbers written in them
CLICK_MARKER_PX = 28  #: the invisible square over each heatmap cell that a click selects


class GridLine(NamedTuple):
    """One combination of the settings other than width: a label and its trials' scores.

    ``train`` and ``heldout`` have shape ``(n_widths, n_trials)`` (NaN where a trial is
    missing or diverged); ``ids`` names each width's cell (a click sends it back).
    """

    label: str
    train: np.ndarray
    heldout: np.ndarray
    ids: Sequence[str]


def width_quartiles(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(q25, median, q75)`` of each row of ``scores`` (w, n), NaN ignored; NaN for a row
    with no finite score."""
    S = np.where(np.isfinite(scores), scores, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanpercentile(S, [25, 50, 75], axis=1) if S.size else np.full((3, 0), np.nan)
    return q[0], q[1], q[2]


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def grid_width_scores(widths: np.ndarray, lines: Sequence[GridLine], score_name: str, *,
                      title: str = "Score against width",
                      height: int = GRID_LINES_HEIGHT) -> go.Figure:
    """Median held-out (solid) and training (dotted) score against width, one colour per line,
    with the held-out quartile band over seeds and folds.

    Parameters
    ----------
    widths : (w,) the hidden widths, ascending
    lines : the combinations to draw, each a ``GridLine`` with ``(w, n)`` score arrays
    score_name : the y axis's name, e.g. "accuracy"

    Returns
    -------
    go.Figure
        Per line: a band (``fill="toself"``), the training median and the held-out median,
        whose markers carry the cell's id as ``customdata`` (widths without a finite score
        are left out).
    """
    x = np.asarray(widths, dtype=float)
    data: list[dict] = []
    for i, line in enumerate(lines):
        color = style.SERIES_COLORS[i % len(style.SERIES_COLORS)]
        lo, med, hi = width_quartiles(np.asarray(line.heldout, dtype=float))
        _, train_med, _ = width_quartiles(np.asarray(line.train, dtype=float))
        ok = np.isfinite(med)
        if not ok.any():
            continue
        xs = x[ok]
        data.append({"type": "scatter", "mode": "lines",
                     "x": rounded(np.concatenate([xs, xs[::-1]])),
                     "y": rounded(np.concatenate([hi[ok], lo[ok][::-1]])), "fill": "toself",
                     "fillcolor": _rgba(color, BAND_OPACITY), "line": {"width": 0},
                     "hoverinfo": "skip", "showlegend": False, "legendgroup": line.label})
        data.append({"type": "scatter", "mode": "lines", "x": rounded(xs),
                     "y": rounded(train_med[ok]), "name": f"{line.label} (train)",
                     "line": {"color": color, "width": 1.5, "dash": "dot"},
                     "legendgroup": line.label, "showlegend": False,
                     "hovertemplate": f"train median: %{{y:.3g}}<extra>{line.label}</extra>"})
        data.append({"type": "scatter", "mode": "lines+markers", "x": rounded(xs),
                     "y": rounded(med[ok]), "name": line.label, "legendgroup": line.label,
                     "customdata": [line.ids[j] for j in np.flatnonzero(ok)],
                     "line": {"color": color, "width": style.LINE_WIDTH},
                     "marker": {"size": 9, "color": color},
                     "hovertemplate": (f"width %{{x}}: held-out median %{{y:.3g}}"
                                       f"<extra>{line.label}</extra>")})
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    log = x.size > 0 and x.min() > 0 and x.max() / x.min() >= LOG_X_SPAN
    layout.update(showlegend=True, legend=bottom_legend(),
                  xaxis={"title": {"text": "Hidden width"},
                         "type": "log" if log else "linear",
                         **({"tickvals": rounded(x), "ticktext": [f"{w:g}" for w in x]}
                            if x.size <= 12 else {})},
                  yaxis={"title": {"text": f"{score_name} (median, quartiles; dotted: train)"}})
    if not data:
        layout["annotations"] = [no_data_note("No cell finished yet")]
    return make_figure(data, layout)


def grid_heatmap(widths: np.ndarray, lrs: np.ndarray, scores: np.ndarray, score_name: str, *,
                 ids: Sequence[Sequence[str]] | None = None,
                 title: str = "Mean held-out score by width and learning rate",
                 height: int = GRID_HEATMAP_HEIGHT) -> go.Figure:
    """A heatmap of ``scores`` (n_lrs, n_widths): widths across, learning rates up.

    Parameters
    ----------
    widths : (w,) hidden widths, one column each (evenly spaced, as categories)
    lrs : (r,) learning rates, one row each
    scores : (r, w) the mean held-out score of each cell; NaN: not finished (a gap)
    score_name : the colour bar's title
    ids : (r, w) each cell's id, sent back by a click as ``customdata``

    Returns
    -------
    go.Figure
        A ``heatmap`` trace, each cell's value written in it when there are few cells; with
        ``ids``, a scatter of invisible markers on the finished cells carrying their ids.
    """
    S = np.asarray(scores, dtype=float)
    xs = [str(int(w)) for w in widths]
    ys = [f"{lr:g}" for lr in lrs]
    finite = S[np.isfinite(S)]
    trace = {"type": "heatmap", "x": xs, "y": ys, "z": rounded(S),
             "colorscale": SCORE_SCALE, "hoverongaps": False,
             "colorbar": {"title": {"text": score_name}, "thickness": 14},
             "hovertemplate": (f"width %{{x}}, lr %{{y}}: {score_name} %{{z:.3g}}"
                               "<extra></extra>")}
    if finite.size:
        trace.update(zmin=float(finite.min()), zmax=float(max(finite.max(), finite.min() + 1e-9)))
    data = [trace]
    if ids is not None:
        trace["customdata"] = [list(row) for row in ids]
        # Streamlit's on_select sees clicks on points, not on heatmap cells: an invisible
        # marker over each finished cell carries its id (and the hover text).
        r, c = np.nonzero(np.isfinite(S))
        trace["hoverinfo"] = "skip"
        trace.pop("hovertemplate")
        data.append({"type": "scatter", "mode": "markers", "x": [xs[j] for j in c],
                     "y": [ys[i] for i in r], "customdata": [ids[i][j] for i, j in zip(r, c)],
                     "text": [f"{S[i, j]:.3g}" for i, j in zip(r, c)],
                     "marker": {"size": CLICK_MARKER_PX, "symbol": "square",
                                "color": "rgba(0,0,0,0)"},
                     "showlegend": False,
                     "hovertemplate": (f"width %{{x}}, lr %{{y}}: {score_name} %{{text}}"
                                       "<extra></extra>")})
    if S.size <= HEATMAP_TEXT_MAX_CELLS:
        trace["text"] = [["" if not np.isfinite(v) else f"{v:.3g}" for v in row] for row in S]
        trace["texttemplate"] = "%{text}"
        trace["textfont"] = {"size": style.FONT_SIZE - 2}
    layout = base_layout(title, height)
    layout.update(xaxis={"title": {"text": "Hidden width"}, "type": "category"},
                  yaxis={"title": {"text": "Learning rate"}, "type": "category"})
    if not finite.size:
        layout["annotations"] = [no_data_note("No cell finished yet")]
    return make_figure(data, layout)
