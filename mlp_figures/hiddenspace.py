"""Hidden space: a 2- or 3-unit layer's view of the points and the input plane, animated.

One frame per moment of the run: the training points where the layer puts them, the
straight grid lines of the input plane as the layer bends them, and, when the layer
feeds one sigmoid output, the output unit's line ``w·h + b = 0`` (a plane in 3-D).
The browser plays the frames; the axes stay put so the motion reads as motion.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import BOTTOM_LEGEND_PX, base_layout, bottom_legend, epoch_player, make_figure
from .boundary import clip_line_to_box

#: Grid lines of the input plane: thin and grey, under the points.
GRID_LINE_COLOR = "#A8A8A8"
GRID_LINE_WIDTH = 1.0
SEPARATOR_COLOR = style.BOUNDARY_LINE_COLOR
#: The output unit's plane in 3-D: see-through, so the points behind it show.
SEPARATOR_OPACITY = 0.25
POINT_SIZE_3D = 6
#: Coordinates are rounded to a step of at most this share of an axis (under a pixel
#: of a 500 px plot): a few digits a number keep a run's frames in a few hundred KB.
AXIS_RESOLUTION = 500
#: Room around the points and lines, as a share of each axis's span.
AXIS_PAD = 0.05
FRAME_MS = 300
#: Below the plot: the axis title, then Play / Pause, then the epoch slider.
CONTROLS_PX = 150


def _check_frames(points, lines, epochs) -> tuple[list[np.ndarray], list[np.ndarray], int]:
    pts = [np.asarray(p, dtype=float) for p in points]
    lns = [np.asarray(g, dtype=float) for g in lines]
    if not pts or not (len(pts) == len(lns) == len(epochs)):
        raise ValueError("points, lines and frame_epochs need the same length, at least 1; "
                         f"got {len(pts)}, {len(lns)}, {len(epochs)}")
    u = pts[0].shape[-1] if pts[0].ndim == 2 else 0
    if u not in (2, 3):
        raise ValueError(f"points must have shape (n, 2) or (n, 3), got {pts[0].shape}")
    for k, (p, g) in enumerate(zip(pts, lns)):
        if p.shape != pts[0].shape or g.ndim != 3 or g.shape[2] != u:
            raise ValueError(f"frame {k}: points {p.shape} and lines {g.shape} do not match "
                             f"(n, {u}) and (lines, samples, {u})")
    return pts, lns, u


def axis_ranges(points: list[np.ndarray], lines: list[np.ndarray]) -> list[tuple[float, float]]:
    """Each unit's axis range over every frame's finite points and lines, padded.

    One range for the whole animation: axes that followed each frame would hide the
    motion (a layer that only grows looks still).
    """
    u = points[0].shape[-1]
    values = np.concatenate([np.concatenate([p.reshape(-1, u), g.reshape(-1, u)])
                             for p, g in zip(points, lines)])
    ranges = []
    for j in range(u):
        col = values[:, j]
        col = col[np.isfinite(col)]
        lo, hi = (float(col.min()), float(col.max())) if col.size else (0.0, 1.0)
        pad = AXIS_PAD * (hi - lo) if hi > lo else 0.5
        ranges.append((lo - pad, hi + pad))
    return ranges


def _decimals(span: float) -> int:
    """Decimal places that resolve ``span / AXIS_RESOLUTION``."""
    return int(np.clip(math.ceil(-math.log10(span / AXIS_RESOLUTION)), 0, 12))


def _coords(a: np.ndarray, decimals: int) -> list:
    """``a`` rounded to ``decimals`` places as a flat list; NaN / inf -> None (a gap)."""
    arr = np.asarray(a, dtype=float).ravel()
    finite = np.isfinite(arr)
    out = np.round(np.where(finite, arr, 0.0), decimals)
    out = np.where(out == 0.0, 0.0, out)        # no "-0.0"
    obj = out.astype(object)
    obj[~finite] = None
    return obj.tolist()


def _polyline(lines: np.ndarray, j: int) -> np.ndarray:
    """Coordinate ``j`` of every line, one after another, NaN between two lines (a gap)."""
    m, s, _ = lines.shape
    out = np.full((m, s + 1), np.nan)
    out[:, :s] = lines[:, :, j]
    return out.ravel()[:-1]


def plane_in_box(w: np.ndarray, b: float,
                 box: list[tuple[float, float]]) -> np.ndarray | None:
    """The polygon where the plane ``h @ w + b = 0`` cuts the box, corners in order.

    Parameters
    ----------
    w : ndarray of shape (3,)
    b : float
    box : three (lo, hi) ranges

    Returns
    -------
    ndarray of shape (m, 3), 3 <= m <= 6, or None
        Its corners around the polygon (so a fan of triangles from the first fills
        it); None when the plane misses the box or is degenerate.
    """
    w = np.asarray(w, dtype=float)
    if not (np.all(np.isfinite(w)) and math.isfinite(b)) or not np.any(w):
        return None
    found = []
    for free in range(3):                # each of the box's 12 edges runs along one axis
        fixed = [a for a in range(3) if a != free]
        if w[free] == 0:
            continue
        for c0 in box[fixed[0]]:
            for c1 in box[fixed[1]]:
                t = -(b + w[fixed[0]] * c0 + w[fixed[1]] * c1) / w[free]
                if box[free][0] <= t <= box[free][1]:
                    p = np.empty(3)
                    p[free], p[fixed[0]], p[fixed[1]] = t, c0, c1
                    found.append(p)
    if len(found) < 3:
        return None
    scale = np.array([hi - lo for lo, hi in box])
    scale = np.where(scale > 0, scale, 1.0)
    pts = np.unique(np.round(np.array(found) / scale, 9), axis=0) * scale  # corners twice
    if len(pts) < 3:
        return None
    normal = w / np.linalg.norm(w)
    e1 = np.cross(normal, [1.0, 0.0, 0.0] if abs(normal[0]) < 0.9 else [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(normal, e1)
    rel = pts - pts.mean(axis=0)
    return pts[np.argsort(np.arctan2(rel @ e2, rel @ e1))]


def hidden_space_animation(
    points: list[np.ndarray],
    lines: list[np.ndarray],
    labels: np.ndarray,
    frame_epochs: list[int],
    *,
    layer: int,
    separators: list[tuple[np.ndarray, float] | None] | None = None,
    start: int = -1,
    class_names: list[str] | None = None,
    frame_ms: int = FRAME_MS,
    height: int = style.ANIMATION_HEIGHT,
) -> go.Figure:
    """A hidden layer's view of the training points and of the input plane, over the run.

    Parameters
    ----------
    points : list of F ndarray, each (n, u) with u = 2 or 3
        The layer's activations of the training points at each frame.
    lines : list of F ndarray, each (m, s, u)
        The layer's activations along m grid lines of the input plane, s points each.
    labels : ndarray of shape (n,)
        Class of each point, 0..k-1 (colours ``style.CLASS_PALETTE``, the decision
        boundary's for two classes).
    frame_epochs : list of F int
        Epoch of each frame (slider labels and title).
    layer : int
        Which hidden layer (1 for the first): 2-D axis titles say "unit j of hidden layer
        L", 3-D ones "unit j" (the title names the layer).
    separators : list of F ``(w (u,), b)`` or None, optional
        The output unit's ``w`` and ``b`` at each frame when the layer feeds one sigmoid
        output: its line (plane) ``h @ w + b = 0`` is drawn. None: no such trace.
    start : int, default -1
        The frame shown first and where the slider stands (e.g. the timeline's moment).
    class_names : list of str, optional
        Legend names of the classes; default "class 0", "class 1", ...

    Returns
    -------
    go.Figure
        Traces in order: the grid lines (``"grid of the plane"``), the separator
        (``"w·h + b = 0"``, only with ``separators``), one point trace per class
        present. 2-D ``scatter`` with fixed ``xaxis``/``yaxis`` ranges, or 3-D
        ``scatter3d`` (separator ``mesh3d``) with fixed ``scene`` ranges. With F > 1,
        ``fig.frames`` holds F frames named by index and epoch, ``layout.updatemenus``
        Play / Pause and ``layout.sliders`` one step per frame; all played by the
        browser.
    """
    pts, lns, u = _check_frames(points, lines, frame_epochs)
    F = len(pts)
    epochs = [int(e) for e in frame_epochs]
    start = range(F)[start]
    lab = np.asarray(labels).astype(int).ravel()
    if lab.shape[0] != pts[0].shape[0]:
        raise ValueError(f"got {lab.shape[0]} labels for {pts[0].shape[0]} points")
    if separators is not None and len(separators) != F:
        raise ValueError(f"separators need one entry per frame: {len(separators)} for {F}")
    ranges = axis_ranges(pts, lns)
    places = [_decimals(hi - lo) for lo, hi in ranges]
    # Ends on the rounding grid: a separator clipped to the box stays inside once rounded.
    ranges = [(math.floor(lo * 10 ** d) / 10 ** d, math.ceil(hi * 10 ** d) / 10 ** d)
              for (lo, hi), d in zip(ranges, places)]
    classes = [int(c) for c in np.unique(lab) if 0 <= c < len(style.CLASS_PALETTE)]
    names = class_names or [f"class {c}" for c in range(max(classes, default=0) + 1)]
    three_d = u == 3
    kind = "scatter3d" if three_d else "scatter"
    axes = ("x", "y", "z")[:u]

    def xyz(values: np.ndarray, j: int) -> list:
        return _coords(values, places[j])

    def separator(k: int) -> dict:
        sep = separators[k]
        if three_d:
            poly = None if sep is None else plane_in_box(sep[0], float(sep[1]), ranges)
            poly = np.zeros((0, 3)) if poly is None else poly
            m = len(poly)
            return {"type": "mesh3d", **{a: xyz(poly[:, j], j) for j, a in enumerate(axes)},
                    "i": [0] * max(m - 2, 0), "j": list(range(1, m - 1)),
                    "k": list(range(2, m))}
        seg = None if sep is None else clip_line_to_box(
            float(sep[0][0]), float(sep[0][1]), float(sep[1]), *ranges[0], *ranges[1])
        ends = np.array(seg) if seg else np.zeros((0, 2))
        return {"type": "scatter", "x": xyz(ends[:, 0], 0), "y": xyz(ends[:, 1], 1)}

    def frame_traces(k: int) -> list[dict]:
        traces = [{"type": kind, **{a: xyz(_polyline(lns[k], j), j)
                                    for j, a in enumerate(axes)}}]
        if separators is not None:
            traces.append(separator(k))
        traces += [{"type": kind, **{a: xyz(pts[k][lab == c, j], j)
                                     for j, a in enumerate(axes)}} for c in classes]
        return traces

    def frame_title(k: int) -> str:
        return f"Hidden layer {layer} \u2014 epoch {epochs[k]:,}"

    unit = ", ".join(f"%{{{a}:.3f}}" for a in axes)
    data = frame_traces(start)
    data[0].update(mode="lines", name="grid of the plane", hoverinfo="skip",
                   line={"color": GRID_LINE_COLOR, "width": GRID_LINE_WIDTH * (2 if three_d
                                                                               else 1)})
    if separators is not None:
        if three_d:
            data[1].update(name="w·h + b = 0", color=SEPARATOR_COLOR,
                           opacity=SEPARATOR_OPACITY, showlegend=True, hoverinfo="skip",
                           flatshading=True)
        else:
            data[1].update(mode="lines", name="w·h + b = 0", hoverinfo="skip",
                           line={"color": SEPARATOR_COLOR, "width": style.BOUNDARY_LINE_WIDTH,
                                 "dash": "dash"})
    first_point = 2 if separators is not None else 1
    for c, trace in zip(classes, data[first_point:]):
        marker = {"color": style.CLASS_PALETTE[c], "size": POINT_SIZE_3D if three_d
                  else style.TRAIN_MARKER_SIZE}
        if not three_d:
            marker["line"] = {"color": style.TRAIN_OUTLINE, "width": 1.0}
        trace.update(mode="markers", name=names[c], marker=marker,
                     hovertemplate=f"{names[c]}<br>h = ({unit})<extra></extra>")

    # In a cube three long titles run into each other: the figure's title names the layer.
    titles = [f"unit {j + 1}" if three_d else f"unit {j + 1} of hidden layer {layer}"
              for j in range(u)]
    layout = base_layout(frame_title(start), height)
    layout["legend"] = bottom_legend()
    layout["hovermode"] = "closest"
    if three_d:
        layout["scene"] = {
            f"{a}axis": {"title": {"text": t}, "range": list(r)}
            for a, t, r in zip(axes, titles, ranges)} | {
            "aspectmode": "cube",
            # Plotly's default eye (1.25, 1.25, 1.25) put the axis titles past the scene's
            # bottom edge: further back, lower, and looking a little below the centre,
            # the cube sits higher and all three titles stay in view.
            "camera": {"eye": {"x": 1.65, "y": 1.65, "z": 0.8},
                       "center": {"x": 0, "y": 0, "z": -0.2}}}
    else:
        for a, t, r in zip(axes, titles, ranges):
            layout[f"{a}axis"] = {"title": {"text": t}, "range": list(r), "showgrid": False,
                                  "mirror": True}
    layout["margin"] = {**layout["margin"], "b": layout["margin"]["b"] + BOTTOM_LEGEND_PX}
    if three_d:     # no axis title under a scene: its room goes to the cube
        layout["margin"].update(l=10, r=10, b=BOTTOM_LEGEND_PX + 10)
    if F == 1:
        return make_figure(data, layout)

    frame_names = [f"{k}:{e}" for k, e in enumerate(epochs)]  # unique if epochs repeat
    animated = list(range(len(data)))
    fig_frames = [{"name": frame_names[k], "data": frame_traces(k), "traces": animated,
                   "layout": {"title": {"text": frame_title(k)}}} for k in range(F)]
    layout["margin"]["b"] += CONTROLS_PX
    layout["updatemenus"], layout["sliders"] = epoch_player(
        frame_names, list(epochs), start, frame_ms=frame_ms, redraw=True, from_current=True,
        buttons_pad=60, slider_pad=100)
    return make_figure(data, layout, fig_frames)
