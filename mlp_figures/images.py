"""Small square images in a grid: first-layer weights as pictures, misclassified inputs."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, finite_max_abs, make_figure, no_data_note, rounded

#: weight_images: at most this many units are drawn (the title says when more exist).
MAX_UNITS_SHOWN = 32
#: misclassified_images: at most this many images are drawn.
MAX_IMAGES_SHOWN = 24
_GRID_HEIGHT_MAX = 500  # px; every figure stays at most this tall
_TILE_GAP = 0.02  # paper units between tiles, horizontally
_LABEL_PX = 17  # px above a tile for one line of its label


def _side(n_in: int) -> int:
    side = math.isqrt(n_in)
    if side * side != n_in or side == 0:
        raise ValueError(f"{n_in} inputs are not a square image (side = sqrt(n_in))")
    return side


def _image_grid(
    tiles: np.ndarray,
    labels: list[str],
    *,
    ncols: int,
    coloraxis: dict,
    hovertemplate: str,
    title: str,
    label_lines: int = 1,
    height: int | None = None,
) -> go.Figure:
    """Tiles ``(n, side, side)`` as heatmaps in a grid, row 0 of each image at its top.

    Every tile has its own pair of hidden axes (``x``/``y``, ``x2``/``y2``, ...), square
    pixels (``scaleanchor``), and a label annotation above it; all share ``coloraxis``.
    """
    n, side, _ = tiles.shape
    nrows = -(-n // ncols)
    label_px = _LABEL_PX * label_lines
    margin = {"l": 10, "r": 70 if coloraxis.get("showscale", True) else 10, "t": 52, "b": 10}
    if height is None:
        # a tile as tall as a column is wide on a ~600 px chart, capped to fit 500 px
        tile_px = min(max(600 // max(ncols, 1) - 12, 40), 110)
        height = margin["t"] + margin["b"] + nrows * (tile_px + label_px + 8)
        height = int(min(max(height, 220), _GRID_HEIGHT_MAX))
    plot_px = height - margin["t"] - margin["b"]
    row_h = 1.0 / nrows
    gap_y = min((label_px + 8) / plot_px, 0.5 * row_h)
    col_w = 1.0 / ncols
    data: list[dict] = []
    annotations: list[dict] = []
    layout = base_layout(title, height, margin)
    for t in range(n):
        r, c = divmod(t, ncols)
        suffix = "" if t == 0 else str(t + 1)
        x_dom = [round(c * col_w + _TILE_GAP / 2, 4), round((c + 1) * col_w - _TILE_GAP / 2, 4)]
        top = 1 - r * row_h - gap_y
        y_dom = [round(max(1 - (r + 1) * row_h, 0), 4), round(top, 4)]
        data.append({
            "type": "heatmap",
            "z": rounded(tiles[t]),
            "coloraxis": "coloraxis",
            "xaxis": f"x{suffix}",
            "yaxis": f"y{suffix}",
            "name": labels[t].replace("<br>", " "),
            "hovertemplate": hovertemplate,
        })
        hidden = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
        layout[f"xaxis{suffix}"] = {**hidden, "domain": x_dom, "range": [-0.5, side - 0.5],
                                    "anchor": f"y{suffix}", "constrain": "domain"}
        layout[f"yaxis{suffix}"] = {**hidden, "domain": y_dom, "range": [side - 0.5, -0.5],
                                    "anchor": f"x{suffix}", "scaleanchor": f"x{suffix}",
                                    "constrain": "domain"}
        annotations.append({
            "text": labels[t], "xref": f"x{suffix} domain", "yref": f"y{suffix} domain",
            "x": 0.5, "y": 1, "xanchor": "center", "yanchor": "bottom", "showarrow": False,
            "font": {"size": style.ANNOTATION_FONT_SIZE - 1},
        })
    layout["annotations"] = annotations
    layout["coloraxis"] = coloraxis
    layout["showlegend"] = False
    return make_figure(data, layout)


def weight_images(
    W1: np.ndarray,
    *,
    max_units: int = MAX_UNITS_SHOWN,
    unit_names: list[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Each first-layer unit's incoming weights drawn as a square image.

    Parameters
    ----------
    W1 : np.ndarray, shape (n_in, h)
        First-layer weights (``X @ W1``); ``n_in`` must be a square, ``side**2``
        (64 for 8x8 digits, 784 for 28x28). Column j is unit j's image, reshaped
        row by row (``W1[:, j].reshape(side, side)``), as the input pixels are.
    max_units : int, default :data:`MAX_UNITS_SHOWN`
        Draw the first this many units; the title says so when there are more.
    unit_names : list[str], length h, optional
        Tile titles; default ``"h1"``, ``"h2"``, ...
    title : str, optional
        Default ``"First-layer weights as 8x8 images"`` (plus ``", first 32 of 256
        units"`` when capped).

    Returns
    -------
    go.Figure
        One ``Heatmap`` per unit shown (``min(h, max_units)``, up to 8 a row), all on
        one diverging colour axis centred at 0 (``cmid`` 0, ``cmin = -cmax``, the
        largest finite ``|w|`` of the units shown); the unit's name above each tile.
        Hidden axes. With h = 0 a note instead.
    """
    A = np.asarray(W1, dtype=float)
    if A.ndim != 2:
        raise ValueError(f"W1 must have shape (n_in, h), got {A.shape}")
    n_in, h = A.shape
    side = _side(n_in)
    names = unit_names if unit_names is not None else [f"h{j + 1}" for j in range(h)]
    if len(names) != h:
        raise ValueError(f"got {len(names)} unit names for {h} units")
    shown = min(h, max(int(max_units), 1))
    if title is None:
        title = f"First-layer weights as {side}x{side} images"
        if shown < h:
            title += f", first {shown} of {h} units"
    tiles = A[:, :shown].T.reshape(shown, side, side)
    zmax = float(rounded(finite_max_abs(tiles, default=1.0)))
    coloraxis = {
        "colorscale": style.DIVERGING_SCALE, "cmin": -zmax, "cmax": zmax, "cmid": 0,
        "colorbar": {"thickness": 12, "len": 0.8, "title": {"text": "w", "side": "right"}},
    }
    if shown == 0:
        layout = base_layout(title, 220)
        layout.update(xaxis={"visible": False}, yaxis={"visible": False},
                      annotations=[no_data_note("No hidden units")])
        return make_figure([], layout)
    tiles = np.clip(tiles, -zmax, zmax)  # +-inf to the ends of the scale; NaN stays a gap
    return _image_grid(tiles, [str(s) for s in names[:shown]], ncols=min(shown, 8),
                       coloraxis=coloraxis, title=title,
                       hovertemplate=("row %{y}, column %{x}<br>w = %{z:.3g}"
                                      "<extra>%{fullData.name}</extra>"))


def digit_weight_images(W1: np.ndarray, *, max_units: int = MAX_UNITS_SHOWN,
                        title: str | None = None) -> go.Figure:
    """First-layer weights of a digits network, one 8x8 image per hidden unit.

    Parameters
    ----------
    W1 : np.ndarray, shape (64, h)
        ``h`` up to 256; the first ``max_units`` are drawn.
    max_units : int, default :data:`MAX_UNITS_SHOWN`
    title : str, optional

    Returns
    -------
    go.Figure
        As :func:`weight_images`.
    """
    if np.asarray(W1).shape[:1] != (64,):
        raise ValueError(f"W1 of a digits network has 64 rows, got shape {np.shape(W1)}")
    return weight_images(W1, max_units=max_units, title=title)


def misclassified_images(
    images: np.ndarray,
    true: np.ndarray,
    predicted: np.ndarray,
    class_names=None,
    *,
    max_images: int = MAX_IMAGES_SHOWN,
    title: str | None = None,
) -> go.Figure:
    """The test images the network got wrong, each titled with its true and predicted class.

    Parameters
    ----------
    images : np.ndarray, shape (m, side**2)
        One image a row, pixels row by row (8x8 digits: ``side`` = 8). Raw pixel
        values (0..16 for digits) read best; standardized ones work too. Drawn in
        grey on one shared scale from the smallest to the largest pixel shown:
        low = white paper, high = black ink.
    true, predicted : np.ndarray of int, shape (m,)
        Class labels 0..k-1. Rows where they agree are left out, so the page may pass
        every test row.
    class_names : sequence of str, optional
        Name of each label; default the label itself.
    max_images : int, default :data:`MAX_IMAGES_SHOWN`
        Draw the first this many (the title says how many there are).
    title : str, optional
        Default ``"Misclassified test images (24 of 31)"``.

    Returns
    -------
    go.Figure
        One greyscale ``Heatmap`` per image shown (up to 6 a row), each titled
        ``"true 3<br>→ predicted 8"``. With nothing misclassified a friendly note.
    """
    X = np.asarray(images, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"images must have shape (m, side**2), got {X.shape}")
    t = np.asarray(true).ravel().astype(int)
    p = np.asarray(predicted).ravel().astype(int)
    if not (t.shape == p.shape == (X.shape[0],)):
        raise ValueError("images, true and predicted must have the same number of rows")
    side = _side(X.shape[1]) if X.shape[0] else 0

    def name(c: int) -> str:
        return str(class_names[c]) if class_names is not None else str(c)

    wrong = np.flatnonzero(t != p)
    shown = wrong[: max(int(max_images), 1)]
    if title is None:
        title = "Misclassified test images"
        if wrong.size > shown.size:
            title += f" ({shown.size} of {wrong.size})"
        elif wrong.size:
            title += f" ({wrong.size})"
    if shown.size == 0:
        layout = base_layout(title, 220)
        note = ("No test images yet" if t.size == 0
                else f"None: all {t.size} test images are classified right")
        layout.update(xaxis={"visible": False}, yaxis={"visible": False},
                      annotations=[no_data_note(note)])
        return make_figure([], layout)
    tiles = X[shown].reshape(shown.size, side, side)
    finite = tiles[np.isfinite(tiles)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi <= lo:
        hi = lo + 1.0
    coloraxis = {"colorscale": style.IMAGE_SCALE, "cmin": rounded(lo), "cmax": rounded(hi),
                 "showscale": False}
    labels = [f"true {name(t[i])}<br>\u2192 predicted {name(p[i])}" for i in shown]
    return _image_grid(np.clip(tiles, lo, hi), labels, ncols=min(shown.size, 6),
                       coloraxis=coloraxis, title=title, label_lines=2,
                       hovertemplate="row %{y}, column %{x}<br>pixel %{z:.3g}"
                                     "<extra>%{fullData.name}</extra>")
