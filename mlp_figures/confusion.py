"""How a classifier's test rows were labelled: the confusion matrix and per-class recall."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, fmt_number, make_figure, no_data_note, rounded

#: Right margin (px) that holds the "recall 0.93" column beside the matrix.
RECALL_COLUMN_PX = 96
ZERO_TEXT_COLOR = "#B0B0B0"  #: a cell's "0": there, but quieter than the counts


def _class_names(class_names, k: int) -> list[str]:
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    if len(names) != k:
        raise ValueError(f"got {len(names)} class names for {k} classes")
    return names


def row_recall(counts: np.ndarray) -> np.ndarray:
    """Per-class recall from a confusion matrix: the diagonal over each row's total.

    Parameters
    ----------
    counts : np.ndarray, shape (k, k)
        ``counts[i, j]`` = rows of true class i predicted as class j.

    Returns
    -------
    np.ndarray of float, shape (k,)
        NaN for a class with no rows.
    """
    C = np.asarray(counts, dtype=float)
    total = C.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.diag(C) / np.where(total > 0, total, 1.0), np.nan)


def _count_color(count: int, share: float) -> str:
    """White on dark cells, grey for an empty cell (a 10x10 matrix is mostly zeros)."""
    if count == 0:
        return ZERO_TEXT_COLOR
    return style.TEXT_LIGHT if share > 0.55 else style.TEXT_DARK


def _check_counts(counts) -> np.ndarray:
    C = np.asarray(counts)
    if C.ndim != 2 or C.shape[0] != C.shape[1]:
        raise ValueError(f"counts must have shape (k, k), got {C.shape}")
    C = np.nan_to_num(C.astype(float), nan=0.0, posinf=0.0, neginf=0.0)
    if np.any(C < 0) or np.any(np.round(C) != C):
        raise ValueError("counts must be non-negative integers")
    return C.astype(np.int64)


def confusion_matrix_figure(
    counts: np.ndarray,
    class_names=None,
    *,
    title: str = "Confusion matrix",
    height: int | None = None,
) -> go.Figure:
    """Confusion matrix: a count in each cell, coloured by its row's share; recall per row.

    Parameters
    ----------
    counts : np.ndarray of int, shape (k, k)
        ``counts[i, j]`` = rows of true class i that were predicted as class j
        (rows true, columns predicted, as scikit-learn's ``confusion_matrix``).
    class_names : sequence of str, length k, optional
        Default ``"0"``, ``"1"``, ...
    title : str, default "Confusion matrix"
    height : int, optional
        Default 360 px up to 5 classes, 440 px above (k = 2..10 stay readable).

    Returns
    -------
    go.Figure
        One ``Heatmap`` (z = the row-normalised share 0..1, class 0 in the top row);
        layout annotations: one count per cell (white on dark cells, light grey
        for 0), then one
        ``"recall 0.93"`` per row (two decimals) in a column right of the matrix
        (``"recall n/a"`` for a class with no rows). With k = 0 or no rows at all, a
        note instead.
    """
    C = _check_counts(counts)
    k = C.shape[0]
    names = _class_names(class_names, k)
    if height is None:
        height = style.DEFAULT_HEIGHT if k <= 5 else 440
    layout = base_layout(title, height,
                         {**style.MARGIN, "r": RECALL_COLUMN_PX, "t": style.MARGIN["t"] + 8})
    layout["xaxis"] = {"title": {"text": "predicted class"}, "type": "category",
                       "showgrid": False, "showline": False, "ticks": "", "side": "bottom"}
    layout["yaxis"] = {"title": {"text": "true class"}, "type": "category",
                       "autorange": "reversed", "showgrid": False, "showline": False, "ticks": ""}
    if k == 0 or C.sum() == 0:
        layout["annotations"] = [no_data_note("No test rows to count yet")]
        return make_figure([], layout)

    total = C.sum(axis=1, keepdims=True)
    share = C / np.where(total > 0, total, 1)
    recall = row_recall(C)
    pct = np.round(100 * share).astype(int)
    hover = [[f"{C[i, j]} of {total[i, 0]} rows ({pct[i, j]}%)" for j in range(k)]
             for i in range(k)]
    heatmap = {
        "type": "heatmap",
        "z": rounded(share),
        "x": names,
        "y": names,
        "zmin": 0,
        "zmax": 1,
        "colorscale": style.SHARE_SCALE,
        "showscale": False,  # the recall column takes the right edge; hover gives the share
        "xgap": 2,
        "ygap": 2,
        "customdata": hover,
        "hovertemplate": "true %{y}, predicted %{x}<br>%{customdata}<extra></extra>",
    }
    font_size = style.CELL_FONT_SIZE if k <= 6 else style.CELL_FONT_SIZE - 1
    annotations = [
        {"x": j, "y": i, "xref": "x", "yref": "y", "text": str(C[i, j]), "showarrow": False,
         "font": {"size": font_size, "color": _count_color(C[i, j], share[i, j])}}
        for i in range(k) for j in range(k)
    ]
    recall_font = {"size": style.ANNOTATION_FONT_SIZE, "color": style.TEXT_DARK}
    for i, r in enumerate(recall):
        text = "recall n/a" if not np.isfinite(r) else f"recall {r:.2f}"
        annotations.append({"text": text, "x": 1, "xref": "paper", "xanchor": "left",
                            "xshift": 8, "y": i, "yref": "y", "showarrow": False,
                            "font": recall_font})
    layout["annotations"] = annotations
    return make_figure([heatmap], layout)


def per_class_accuracy_figure(
    recall: np.ndarray,
    class_names=None,
    *,
    title: str = "Per-class accuracy",
    height: int = style.DEFAULT_HEIGHT,
) -> go.Figure:
    """Bars of each class's accuracy (recall: the share of its rows labelled right).

    Parameters
    ----------
    recall : np.ndarray, shape (k,)
        0..1 per class; NaN (a class with no test rows) draws no bar, labelled "n/a".
    class_names : sequence of str, length k, optional
        Default ``"0"``, ``"1"``, ...
    title : str, default "Per-class accuracy"
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        One ``Bar`` trace, bar i in ``style.CLASS_PALETTE[i]``, its value as text;
        y axis 0..1. With k = 0 a note instead.
    """
    r = np.asarray(recall, dtype=float).ravel()
    k = r.size
    names = _class_names(class_names, k)
    colors = [style.CLASS_PALETTE[i % len(style.CLASS_PALETTE)] for i in range(k)]
    ok = np.isfinite(r)
    data = [{
        "type": "bar",
        "x": names,
        "y": rounded(np.clip(r, 0, 1)),
        "marker": {"color": colors},
        "text": [fmt_number(v, 2) if f else "n/a" for v, f in zip(r, ok, strict=True)],
        "textposition": ["inside" if f and v >= 0.15 else "outside"
                         for v, f in zip(r, ok, strict=True)],
        "insidetextanchor": "end",
        "textangle": 0,
        "cliponaxis": False,
        "hovertemplate": "class %{x}: %{y:.3f} of its rows right<extra></extra>",
    }]
    layout = base_layout(title, height)
    layout.update(showlegend=False, bargap=0.3,
                  uniformtext={"mode": "hide", "minsize": 10})
    layout["xaxis"] = {"title": {"text": "true class"}, "type": "category", "showgrid": False}
    layout["yaxis"] = {"title": {"text": "accuracy (recall)"}, "range": [0, 1.05],
                       "tickvals": [0, 0.25, 0.5, 0.75, 1]}
    if k == 0:
        layout["annotations"] = [no_data_note("No classes yet")]
    return make_figure(data, layout)
