"""What each neuron sees: every unit's activation over the input plane (or along x)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, make_figure, rounded
from .boundary import clip_line_to_box

MAP_PX = (64, 120)   # a small map's height: 16 maps share a ~1,000 px wide row, 4 get more
ROW_PX = 1040        # the page's main column, about, on a laptop
ROW_TITLE_PX = 34    # room above each row of maps for the layer's title and unit names
GAP = 0.012          # gap between two maps, as a fraction of the figure's width
CURVE_HEIGHT_PX = 150
_MAP_AXIS = {"visible": False, "fixedrange": True, "constrain": "domain"}
DETAIL_HEIGHT = 380


def _percent(a: np.ndarray, top: float) -> list:
    """``a`` as whole percents of ``top``: the colour cannot show finer, and 2-3 digit
    numbers keep a figure of 35 maps near 30 KB (3-significant-digit floats doubled it)."""
    return np.round(np.asarray(a, dtype=float) * (100.0 / top)).astype(int).tolist()


def _scale_top(lo: float, hi: float) -> float:
    return max(abs(lo), abs(hi)) or 1.0


def unit_maps(
    xs: np.ndarray,
    ys: np.ndarray,
    maps: list[np.ndarray],
    names: list[list[str]],
    layer_titles: list[str],
    ranges: list[tuple[float, float]],
    *,
    title: str = "What each neuron sees",
) -> go.Figure:
    """One small heatmap per unit, one row per layer (input at the top, output at the bottom).

    Parameters
    ----------
    xs : np.ndarray, shape (gx,)
    ys : np.ndarray, shape (gy,)
        The evenly spaced grid the maps are evaluated on.
    maps : list of np.ndarray, each shape (gy, gx, n_l)
        ``maps[l][i, j, u]``: unit ``u`` of layer ``l`` at ``(xs[j], ys[i])``.
    names : list of list of str, ``names[l]`` length n_l
        Each unit's name, shown above its map and on hover (``"h1.3"``).
    layer_titles : list of str, length L
        Each row's title, e.g. ``"hidden 1 (tanh): -1 to 1"``.
    ranges : list of (float, float), length L
        Each layer's colour range ``(lo, hi)`` with ``lo < hi``; white is its middle.
    title : str

    Returns
    -------
    go.Figure
        One heatmap trace per unit, in layer order (trace ``k`` is the ``k``-th unit
        counting from the first input), each on its own axes ``x{k+1}``/``y{k+1}``;
        its ``z`` (gy, gx) holds whole percents of ``max(|lo|, |hi|)`` (the hover says so).
    """
    if not (len(maps) == len(names) == len(layer_titles) == len(ranges)):
        raise ValueError("maps, names, layer_titles and ranges need one entry per layer")
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    widest = max(m.shape[2] for m in maps)
    n_rows = len(maps)
    map_px = min(MAP_PX[1], max(MAP_PX[0], ROW_PX // widest))
    row_px = map_px + ROW_TITLE_PX
    height = n_rows * row_px + 40
    layout = base_layout(title, height, margin={"l": 8, "r": 8, "t": 40, "b": 8})
    layout["showlegend"] = False
    # What every map's axes and labels share goes in the template, once, not 35 times:
    # it is most of a figure's size after the maps themselves.
    base = layout["template"]["layout"]
    layout["template"] = {"layout": {
        **base, "xaxis": _MAP_AXIS, "yaxis": _MAP_AXIS,
        "annotationdefaults": {"xref": "paper", "yref": "paper", "showarrow": False,
                               "font": {"size": 12}}}}
    cell = (1.0 - GAP * (widest - 1)) / widest
    x0_, y0_ = rounded(xs[0]), rounded(ys[0])
    dx, dy = rounded(xs[1] - xs[0]), rounded(ys[1] - ys[0])
    traces, annotations = [], []
    k = 0
    for l, (m, unit_names, (lo, hi)) in enumerate(zip(maps, names, ranges)):
        n = m.shape[2]
        if len(unit_names) != n:
            raise ValueError(f"layer {l} has {n} units but {len(unit_names)} names")
        row_top = 1.0 - l / n_rows
        y_dom = [round(row_top - 1.0 / n_rows, 4),
                 round(row_top - ROW_TITLE_PX / (n_rows * row_px), 4)]
        # Rows with fewer units than the widest sit in its middle, as in the diagram.
        left = (1.0 - (n * cell + (n - 1) * GAP)) / 2
        annotations.append({
            "text": f"<b>{layer_titles[l]}</b>", "x": 0, "y": row_top, "xanchor": "left",
            "yanchor": "top"})
        coloraxis = f"coloraxis{l + 1}" if l else "coloraxis"
        top = _scale_top(lo, hi)
        layout[coloraxis] = {"cmin": round(100 * lo / top), "cmax": round(100 * hi / top),
                             "colorscale": style.BOUNDARY_SCALE, "showscale": False}
        for u in range(n):
            k += 1
            x0 = round(left + u * (cell + GAP), 4)
            xa, ya = ("x", "y") if k == 1 else (f"x{k}", f"y{k}")
            traces.append({
                "type": "heatmap", "z": _percent(m[:, :, u], top),
                "x0": x0_, "dx": dx, "y0": y0_, "dy": dy,
                "coloraxis": coloraxis, "zsmooth": "best", "xaxis": xa, "yaxis": ya,
                "name": unit_names[u],
                "hovertemplate": f"{unit_names[u]}: %{{z}}% of {top:.3g}"
                                 "<br>(%{x:.2f}, %{y:.2f})<extra></extra>"})
            layout[f"xaxis{k}" if k > 1 else "xaxis"] = {
                "domain": [x0, round(x0 + cell, 4)], "anchor": ya, "scaleanchor": ya}
            layout[f"yaxis{k}" if k > 1 else "yaxis"] = {
                "domain": y_dom, "anchor": xa}
            annotations.append({
                "text": unit_names[u], "x": round(x0 + cell / 2, 4), "y": y_dom[1],
                "yanchor": "bottom"})
    layout["annotations"] = annotations
    return make_figure(traces, layout)


def unit_curves(
    x: np.ndarray,
    layers: list[np.ndarray],
    names: list[list[str]],
    layer_titles: list[str],
    *,
    x_title: str = "x",
    title: str = "What each neuron sees",
) -> go.Figure:
    """Each unit's activation against the one input: one panel per layer, one line per unit.

    Parameters
    ----------
    x : np.ndarray, shape (n,)
        The input values, increasing.
    layers : list of np.ndarray, each shape (n, n_l)
        The activations of each layer shown (hidden layers and the output).
    names : list of list of str, ``names[l]`` length n_l
    layer_titles : list of str, one per panel
    x_title : str
    title : str

    Returns
    -------
    go.Figure
        One line trace per unit, panel ``l`` on axes ``x{l+1}``/``y{l+1}``.
    """
    if not (len(layers) == len(names) == len(layer_titles)):
        raise ValueError("layers, names and layer_titles need one entry per layer")
    n_rows = len(layers)
    height = n_rows * CURVE_HEIGHT_PX + 70
    layout = base_layout(title, height)
    layout["showlegend"] = True     # which line is which unit, without hovering
    layout["legend"] = {"orientation": "v", "x": 1.01, "y": 1, "font": {"size": 12}}
    xr = rounded(x)
    traces, annotations = [], []
    gap = 0.35 / max(n_rows, 1) * (1 if n_rows > 1 else 0)
    span = (1.0 - gap * (n_rows - 1)) / n_rows
    for l, (a, unit_names) in enumerate(zip(layers, names)):
        top = 1.0 - l * (span + gap)
        xa, ya = ("x", "y") if l == 0 else (f"x{l + 1}", f"y{l + 1}")
        for u, name in enumerate(unit_names):
            traces.append({
                "type": "scatter", "mode": "lines", "x": xr, "y": rounded(a[:, u], sig=3),
                "name": name, "xaxis": xa, "yaxis": ya,
                "line": {"width": 1.5,
                         "color": style.SERIES_COLORS[u % len(style.SERIES_COLORS)]},
                "hovertemplate": f"{name}: %{{y:.3g}} at x = %{{x:.3g}}<extra></extra>"})
        layout[f"xaxis{l + 1}" if l else "xaxis"] = {
            "anchor": ya, "domain": [0, 1], "showgrid": False,
            "title": {"text": x_title if l == n_rows - 1 else ""}}
        layout[f"yaxis{l + 1}" if l else "yaxis"] = {
            "anchor": xa, "domain": [top - span, top], "zeroline": True}
        annotations.append({
            "text": f"<b>{layer_titles[l]}</b>", "xref": "paper", "yref": "paper", "x": 0,
            "y": top, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
            "font": {"size": 12}})
    layout["annotations"] = annotations
    return make_figure(traces, layout)


def unit_map_detail(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    zrange: tuple[float, float],
    *,
    name: str,
    line: tuple[float, float, float] | None = None,
    title: str = "",
) -> go.Figure:
    """One unit's map, large, with its line ``w1 x + w2 y + b = 0`` when given.

    Parameters
    ----------
    xs : np.ndarray, shape (gx,)
    ys : np.ndarray, shape (gy,)
    z : np.ndarray, shape (gy, gx)
        The unit's activation at ``(xs[j], ys[i])``.
    zrange : (float, float)
        The colour range, as in :func:`unit_maps`.
    name : str
        The unit's name, for the colour bar and hover.
    line : (w1, w2, b), optional
        Drawn where it crosses the plane (a first-layer unit on the inputs x1, x2).
    title : str

    Returns
    -------
    go.Figure
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    lo, hi = zrange
    layout = base_layout(title, DETAIL_HEIGHT)
    layout["showlegend"] = False
    layout["xaxis"] = {"title": {"text": "x\u2081"}, "range": [float(xs[0]), float(xs[-1])],
                       "constrain": "domain", "showgrid": False, "mirror": True}
    layout["yaxis"] = {"title": {"text": "x\u2082"}, "range": [float(ys[0]), float(ys[-1])],
                       "scaleanchor": "x", "constrain": "domain", "showgrid": False,
                       "mirror": True}
    traces = [{
        "type": "heatmap", "x": rounded(xs), "y": rounded(ys), "z": rounded(z, sig=3),
        "zmin": lo, "zmax": hi, "colorscale": style.BOUNDARY_SCALE, "zsmooth": "best",
        "colorbar": {"thickness": 12, "len": 0.9, "title": {"text": name, "side": "right"}},
        "hovertemplate": f"{name} = %{{z}}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"}]
    if line is not None:
        seg = clip_line_to_box(*line, float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1]))
        if seg is not None:
            (xa, ya), (xb, yb) = seg
            traces.append({
                "type": "scatter", "mode": "lines", "x": rounded([xa, xb]),
                "y": rounded([ya, yb]), "hoverinfo": "skip",
                "line": {"color": style.NEURON_LINE_COLOR, "width": 2, "dash": "dash"}})
    return make_figure(traces, layout)
