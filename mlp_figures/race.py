"""The optimizer race: loss curves to a target, paths on the loss landscape, lines, gradients.

Every builder takes one entry per racer in a dict ``label -> arrays``, in race
order; a racer keeps its colour (``style.SERIES_COLORS[i]``) in every chart.
"""

from __future__ import annotations

import base64
import math
import struct
import zlib

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import (
    BOTTOM_LEGEND_PX,
    as_numbers,
    base_layout,
    bottom_legend,
    epoch_player,
    fmt_number,
    make_figure,
    rounded,
)
from .loss import LOG_FLOOR, _log_ticks

LANDSCAPE_HEIGHT = 620  #: px; the landscape is the page's main picture
#: Pale Viridis (mixed with white): low loss dark, high loss light, pale enough that
#: the racers' coloured paths stand out on it.
LANDSCAPE_SCALE = [
    [0.0, "#5B3C75"],
    [0.25, "#6A80A8"],
    [0.5, "#79BFB1"],
    [0.75, "#B9E2A1"],
    [1.0, "#FBF5C9"],
]
#: Colour bands of the landscape (filled contours) and how much finer than the loss
#: grid its picture is drawn. The picture is a layout image, not a contour trace:
#: Plotly's animation without a full redraw removes a contour or heatmap trace from
#: the plot while it plays, and a full redraw per frame makes it flicker.
LANDSCAPE_BANDS = 18
UPSAMPLE = 8
PATH_WIDTH = 3.0
GHOST_OPACITY = 0.3  #: the whole path, under the animated trail
HEAD_SIZE = 13
START_SIZE = 16
#: Most animation frames: each holds every racer's trail so far, so the figure grows
#: with frames x points; 60 frames of log-spaced epochs show the early moves in detail.
MAX_FRAMES = 60
FRAME_MS = 120
#: Dash style of each layer in the gradient-norm chart (colour is the racer).
LAYER_DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
TARGET_COLOR = "#444444"


def _color(i: int) -> str:
    return style.SERIES_COLORS[i % len(style.SERIES_COLORS)]


def _legend_rows(labels: list[str], per_row: int = 3) -> int:
    return max(1, math.ceil(len(labels) / per_row))


def _with_bottom_legend(layout: dict, labels: list[str]) -> None:
    layout["showlegend"] = True
    layout["legend"] = bottom_legend()
    layout["margin"]["b"] += BOTTOM_LEGEND_PX * _legend_rows(labels)


def race_loss_figure(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    *,
    target: float | None = None,
    reached: dict[str, int | None] | None = None,
    log_y: bool = True,
    log_x: bool = False,
    title: str = "Loss",
    height: int = style.DEFAULT_HEIGHT + 40,
) -> go.Figure:
    """Every racer's loss against epoch, the target as a line, and where each reached it.

    Parameters
    ----------
    series : dict[str, tuple[ndarray, ndarray]]
        Racer label -> ``(epochs, losses)``, both shape (n,), n <= ~1000.
    target : float, optional
        Horizontal dotted line at this loss, labelled "target".
    reached : dict[str, int or None], optional
        Racer label -> epoch it first reached the target: a dot there on its curve.
    log_y : bool, default True
        Log-scaled loss axis (losses <= 0 drawn at the smallest positive one).
    log_x : bool, default False
        Log-scaled epoch axis, so a race won in 100 epochs and one lost in 10,000
        both show; epoch 0 (the shared start) is drawn at epoch 1 there.

    Returns
    -------
    go.Figure
        One line ``Scatter`` per racer, then one marker ``Scatter`` per racer that
        reached the target.
    """
    reached = reached or {}
    last_epoch = max([float(np.max(e)) for e, _ in series.values() if len(e)] or [1.0])
    prepared = [(str(k), np.asarray(e).ravel(), np.asarray(v, dtype=float).ravel())
                for k, (e, v) in series.items()]
    allv = np.concatenate([v for _, _, v in prepared] + [np.array([target or np.nan])])
    pos = allv[np.isfinite(allv) & (allv > 0)]
    floor = max(float(pos.min()), LOG_FLOOR) if pos.size else LOG_FLOOR
    data: list[dict] = []
    for i, (label, e, v) in enumerate(prepared):
        if log_y:
            v = np.where(np.isfinite(v) & (v <= 0), floor, v)
        if log_x:
            e = np.maximum(e, 1)
        data.append({"type": "scatter", "x": as_numbers(e), "y": rounded(v), "name": label,
                     "mode": "lines", "legendgroup": label,
                     "line": {"color": _color(i), "width": style.LINE_WIDTH},
                     "hovertemplate": f"{label}: %{{y:.4g}}<extra></extra>"})
    for i, (label, _, _) in enumerate(prepared):
        epoch = reached.get(label)
        if epoch is not None and target is not None:
            data.append({"type": "scatter", "x": [max(int(epoch), 1) if log_x else int(epoch)],
                         "y": [rounded(target)],
                         "mode": "markers", "name": f"{label} reached", "showlegend": False,
                         "legendgroup": label,
                         "marker": {"size": style.MARKER_DOT_SIZE, "color": _color(i),
                                    "line": {"color": "#FFFFFF", "width": 2}},
                         "hovertemplate": f"{label}: target after %{{x:,}} epochs"
                                          "<extra></extra>"})
    layout = base_layout(title, height)
    if target is not None:
        layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                             "y0": rounded(target), "y1": rounded(target),
                             "line": {"color": TARGET_COLOR, "width": 1.5, "dash": "dot"}}]
        layout["annotations"] = [{"text": f"target {fmt_number(target)}", "xref": "paper",
                                  "x": 1, "xanchor": "right", "yref": "y",
                                  "y": math.log10(target) if log_y else target,
                                  "yanchor": "bottom", "showarrow": False,
                                  "font": {"size": style.ANNOTATION_FONT_SIZE,
                                           "color": TARGET_COLOR}}]
    _with_bottom_legend(layout, [p[0] for p in prepared])
    layout.update(
        hovermode="x unified",
        xaxis={"title": {"text": "Epoch" + (" (log scale)" if log_x else "")},
               **({"type": "log", **_log_ticks(1.0, max(2.0, last_epoch))} if log_x
                  else {"rangemode": "nonnegative"})},
        yaxis={"title": {"text": "Loss"}, "type": "log" if log_y else "linear",
               **({} if log_y else {"rangemode": "tozero"}),
               **(_log_ticks(float(pos.min()), float(pos.max())) if log_y and pos.size
                  else {})},
    )
    return make_figure(data, layout)


def frame_epochs(epochs: list[np.ndarray], max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The epochs an animation shows: every racer's path epochs together, at most
    ``max_frames`` of them (evenly among the sorted epochs, the first and last kept)."""
    union = np.unique(np.concatenate([np.asarray(e, dtype=np.int64) for e in epochs]))
    if len(union) <= max_frames:
        return union
    pick = np.unique(np.round(np.linspace(0, len(union) - 1, max_frames)).astype(int))
    return union[pick]


def _upto(epochs: np.ndarray, frame_epoch: int) -> int:
    """Index of the last path point at or before ``frame_epoch`` (0 if none)."""
    return max(0, int(np.searchsorted(epochs, frame_epoch, side="right")) - 1)


def _log_colorbar(lo: float, hi: float) -> dict:
    """Colour-bar ticks at powers of ten (1-2-5 over a short range), labelled as losses."""
    ticks = _log_ticks(10 ** lo, 10 ** hi) or {
        "tickvals": list(np.linspace(10 ** lo, 10 ** hi, 4))}
    vals = [v for v in ticks.get("tickvals", []) if v > 0]
    return {"title": {"text": "loss", "side": "right"},
            "tickvals": rounded(np.log10(vals)), "ticktext": [fmt_number(v) for v in vals],
            "thickness": 14}


def banded_image(z: np.ndarray, lo: float, hi: float, bands: int = LANDSCAPE_BANDS,
                 upsample: int = UPSAMPLE) -> np.ndarray:
    """The landscape as an RGBA image: ``z`` (gv, gu) smoothed and cut into colour bands.

    ``z`` is interpolated bilinearly to ``upsample`` times the grid, split into
    ``bands`` equal bands between ``lo`` and ``hi`` (each one colour of
    ``LANDSCAPE_SCALE``, so the bands read as filled contours), and flipped so the
    first image row is the largest ``v``. NaN cells are transparent.

    Returns
    -------
    ndarray of shape (upsample * (gv - 1) + 1, upsample * (gu - 1) + 1, 4), uint8
    """
    z = np.asarray(z, dtype=float)
    gv, gu = z.shape
    fine_u = np.linspace(0, gu - 1, upsample * (gu - 1) + 1)
    fine_v = np.linspace(0, gv - 1, upsample * (gv - 1) + 1)
    filled = np.where(np.isfinite(z), z, hi)
    rows = np.array([np.interp(fine_u, np.arange(gu), r) for r in filled])
    fine = np.array([np.interp(fine_v, np.arange(gv), c) for c in rows.T]).T
    missing = np.array([np.interp(fine_u, np.arange(gu), r) for r in ~np.isfinite(z)])
    missing = np.array([np.interp(fine_v, np.arange(gv), c) for c in missing.T]).T > 0.5
    share = (fine - lo) / (hi - lo) if hi > lo else np.zeros_like(fine)
    band = np.clip(np.floor(share * bands), 0, bands - 1)
    centre = (band + 0.5) / bands
    stops = np.array([s for s, _ in LANDSCAPE_SCALE])
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _, c in LANDSCAPE_SCALE])
    image = np.empty(fine.shape + (4,), dtype=np.uint8)
    for ch in range(3):
        image[..., ch] = np.round(np.interp(centre, stops, rgb[:, ch]))
    image[..., 3] = np.where(missing, 0, 255)
    return image[::-1]


def png_data_uri(image: np.ndarray) -> str:
    """``image`` (h, w, 4) uint8 RGBA as a ``data:image/png;base64,...`` URI (stdlib only)."""
    h, w, _ = image.shape
    raw = b"".join(b"\x00" + image[r].tobytes() for r in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def landscape_figure(
    us: np.ndarray,
    vs: np.ndarray,
    loss: np.ndarray,
    paths: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    x_title: str = "direction 1",
    y_title: str = "direction 2",
    title: str = "Loss landscape",
    start_label: str = "shared start",
    height: int = LANDSCAPE_HEIGHT,
    max_frames: int = MAX_FRAMES,
) -> go.Figure:
    """The loss over a plane with every racer's path, animated in the browser.

    Parameters
    ----------
    us : ndarray of shape (gu,)
    vs : ndarray of shape (gv,)
        Ascending plane coordinates of the grid.
    loss : ndarray of shape (gv, gu)
        The loss at ``(us[c], vs[r])`` in ``loss[r, c]``; drawn on a log colour
        scale (NaN cells are left blank).
    paths : dict[str, tuple[ndarray, ndarray, ndarray]]
        Racer label -> ``(uv, epochs, losses)``: plane coordinates ``(K, 2)`` of its
        path points, their epochs ``(K,)`` ascending, and the loss there ``(K,)``.
        Every path starts at the shared start (its first point).
    max_frames : int
        Most animation frames (``frame_epochs``).

    Returns
    -------
    go.Figure
        The loss is a banded picture in ``layout.images`` (``banded_image``); trace 0
        holds invisible markers on the grid for its hover text and colour bar (log
        scale, labelled in losses). Then a start marker (1) and per racer its whole
        path, faint (static), its trail so far and its current point (both
        animated). It opens on the last frame (every path complete); Play runs
        the frames from epoch 0 and the slider picks one: the browser does all of
        it, with no server work per frame.
    """
    us = np.asarray(us, dtype=float)
    vs = np.asarray(vs, dtype=float)
    grid = np.asarray(loss, dtype=float)
    if grid.shape != (len(vs), len(us)):
        raise ValueError(f"loss must have shape (len(vs), len(us)) = {(len(vs), len(us))}, "
                         f"got {grid.shape}")
    positive = grid[np.isfinite(grid) & (grid > 0)]
    floor = float(positive.min()) if positive.size else LOG_FLOOR
    z = np.log10(np.where(np.isfinite(grid), np.maximum(grid, floor), np.nan))
    lo, hi = (float(np.nanmin(z)), float(np.nanmax(z))) if positive.size else (0.0, 1.0)
    gu, gv = np.meshgrid(us, vs)
    data: list[dict] = [{
        # invisible markers on the grid: the loss on hover, and the colour bar
        "type": "scatter", "x": rounded(gu.ravel()), "y": rounded(gv.ravel()),
        "mode": "markers", "name": "loss", "showlegend": False,
        "marker": {"color": rounded(np.nan_to_num(z, nan=hi).ravel()), "cmin": lo, "cmax": hi,
                   "colorscale": LANDSCAPE_SCALE, "showscale": True, "opacity": 0,
                   "size": 8, "colorbar": _log_colorbar(lo, hi)},
        "customdata": rounded(grid.ravel()),
        "hovertemplate": "loss %{customdata:.4g}<extra></extra>",
    }]
    labels = list(paths)
    prepared = []
    for label in labels:
        uv, epochs, losses = paths[label]
        prepared.append((np.asarray(uv, dtype=float).reshape(-1, 2),
                         np.asarray(epochs, dtype=np.int64).ravel(),
                         np.asarray(losses, dtype=float).ravel()))
    start = prepared[0][0][0] if prepared else np.zeros(2)
    data.append({"type": "scatter", "x": rounded(start[:1]), "y": rounded(start[1:2]),
                 "mode": "markers", "name": start_label,
                 "marker": {"symbol": "star", "size": START_SIZE, "color": "#000000",
                            "line": {"color": "#FFFFFF", "width": 1.5}},
                 "hovertemplate": f"{start_label}<extra></extra>"})
    frames_at = frame_epochs([p[1] for p in prepared], max_frames) if prepared else \
        np.zeros(0, dtype=np.int64)
    animated: list[int] = []

    def trail(i: int, k: int) -> tuple[dict, dict]:
        uv, epochs, losses = prepared[i]
        # the trail passes through the frames' points only, so each frame stays small
        idx = sorted({_upto(epochs, e) for e in frames_at[: k + 1]})
        head = idx[-1]
        line = {"type": "scatter", "x": rounded(uv[idx, 0]), "y": rounded(uv[idx, 1])}
        dot = {"type": "scatter", "x": rounded(uv[head:head + 1, 0]),
               "y": rounded(uv[head:head + 1, 1]),
               "text": [f"epoch {int(epochs[head]):,}, loss {fmt_number(losses[head], 4)}"]}
        return line, dot

    last = len(frames_at) - 1
    for i, label in enumerate(labels):
        uv, epochs, losses = prepared[i]
        color = _color(i)
        data.append({"type": "scatter", "x": rounded(uv[:, 0]), "y": rounded(uv[:, 1]),
                     "mode": "lines", "name": f"{label} (whole path)", "showlegend": False,
                     "legendgroup": label, "opacity": GHOST_OPACITY, "hoverinfo": "skip",
                     "line": {"color": color, "width": PATH_WIDTH}})
        line, dot = trail(i, last)
        animated += [len(data), len(data) + 1]
        data.append({**line, "mode": "lines", "name": label, "legendgroup": label,
                     "line": {"color": color, "width": PATH_WIDTH}, "hoverinfo": "skip"})
        data.append({**dot, "mode": "markers", "name": f"{label} now", "showlegend": False,
                     "legendgroup": label,
                     "marker": {"size": HEAD_SIZE, "color": color,
                                "line": {"color": "#FFFFFF", "width": 2}},
                     "hovertemplate": f"{label}<br>%{{text}}<extra></extra>"})

    layout = base_layout(title, height)
    layout["images"] = [{
        "source": png_data_uri(banded_image(z, lo, hi)), "xref": "x", "yref": "y",
        "x": float(us[0]), "y": float(vs[-1]), "sizex": float(us[-1] - us[0]),
        "sizey": float(vs[-1] - vs[0]), "sizing": "stretch", "xanchor": "left",
        "yanchor": "top", "layer": "below"}]
    layout["xaxis"] = {"title": {"text": x_title}, "range": rounded([us[0], us[-1]]),
                       "showgrid": False}
    layout["yaxis"] = {"title": {"text": y_title}, "range": rounded([vs[0], vs[-1]]),
                       "showgrid": False}
    layout["hovermode"] = "closest"
    if len(frames_at) < 2:
        _with_bottom_legend(layout, labels)
        return make_figure(data, layout)

    names = [f"{k}:{int(e)}" for k, e in enumerate(frames_at)]
    frames = []
    for k in range(len(frames_at)):
        frame_data = []
        for i in range(len(labels)):
            frame_data += list(trail(i, k))
        # no per-frame title: without a full redraw Plotly leaves the layout as it
        # is; the slider's label says the epoch
        frames.append({"name": names[k], "data": frame_data, "traces": animated})
    layout["updatemenus"], layout["sliders"] = epoch_player(
        names, list(frames_at), last, frame_ms=FRAME_MS, redraw=False, from_current=False,
        buttons_pad=68, slider_pad=106)
    # below the plot: axis title, buttons, slider, then the legend
    layout["margin"] = {**layout["margin"], "b": 180}
    _with_bottom_legend(layout, labels)
    return make_figure(data, layout, frames)


def line_losses_figure(
    alphas: np.ndarray,
    curves: dict[str, np.ndarray],
    *,
    log_y: bool = False,
    title: str = "Loss on the straight line from the start to each final point",
    height: int = style.DEFAULT_HEIGHT + 40,
) -> go.Figure:
    """The loss along ``start + alpha (final - start)`` for each racer.

    Parameters
    ----------
    alphas : ndarray of shape (m,)
        0 is the shared start, 1 the racer's final vector.
    curves : dict[str, ndarray]
        Racer label -> losses, shape (m,).
    """
    a = np.asarray(alphas, dtype=float)
    data = []
    allv = np.concatenate([np.asarray(v, dtype=float).ravel() for v in curves.values()]) \
        if curves else np.zeros(0)
    pos = allv[np.isfinite(allv) & (allv > 0)]
    floor = max(float(pos.min()), LOG_FLOOR) if pos.size else LOG_FLOOR
    for i, (label, v) in enumerate(curves.items()):
        v = np.asarray(v, dtype=float).ravel()
        if log_y:
            v = np.where(np.isfinite(v) & (v <= 0), floor, v)
        data.append({"type": "scatter", "x": rounded(a), "y": rounded(v), "name": label,
                     "mode": "lines", "line": {"color": _color(i), "width": style.LINE_WIDTH},
                     "hovertemplate": f"{label}: %{{y:.4g}}<extra></extra>"})
    layout = base_layout(title, height)
    marks = [(0.0, "start"), (1.0, "final")]
    layout["shapes"] = [{"type": "line", "xref": "x", "x0": x, "x1": x, "yref": "paper",
                         "y0": 0, "y1": 1, "line": {"color": TARGET_COLOR, "width": 1,
                                                    "dash": "dot"}} for x, _ in marks]
    layout["annotations"] = [{"text": text, "xref": "x", "x": x, "yref": "paper", "y": 1,
                              "yanchor": "bottom", "showarrow": False,
                              "font": {"size": style.ANNOTATION_FONT_SIZE,
                                       "color": TARGET_COLOR}} for x, text in marks]
    _with_bottom_legend(layout, list(curves))
    layout.update(
        hovermode="x unified",
        xaxis={"title": {"text": "α (0 = shared start, 1 = this optimizer's final weights)"}},
        yaxis={"title": {"text": "Loss"}, "type": "log" if log_y else "linear",
               **({} if log_y else {"rangemode": "tozero"}),
               **(_log_ticks(float(pos.min()), float(pos.max())) if log_y and pos.size
                  else {})},
    )
    return make_figure(data, layout)


def gradient_norms_figure(
    curves: dict[str, tuple[np.ndarray, np.ndarray]],
    layer_names: list[str],
    *,
    title: str = "Gradient norm of each weight matrix",
    height: int = style.DEFAULT_HEIGHT + 40,
) -> go.Figure:
    """Per-layer gradient norms against epoch: colour is the racer, dash the layer.

    Parameters
    ----------
    curves : dict[str, tuple[ndarray, ndarray]]
        Racer label -> ``(epochs (K,), norms (K, L))``.
    layer_names : list of str, length L
        Names of the weight matrices (the dash legend).

    Returns
    -------
    go.Figure
        One ``Scatter`` per racer and layer (log y axis; the legend shows each racer
        once), then one grey legend-only entry per layer for its dash.
    """
    data = []
    allv = []
    for i, (label, (epochs, norms)) in enumerate(curves.items()):
        e = np.asarray(epochs).ravel()
        n = np.asarray(norms, dtype=float).reshape(len(e), -1)
        allv.append(n.ravel())
        for l in range(n.shape[1]):
            name = layer_names[l] if l < len(layer_names) else f"layer {l + 1}"
            data.append({"type": "scatter", "x": as_numbers(e),
                         "y": rounded(np.where(n[:, l] > 0, n[:, l], np.nan)),
                         "name": label, "legendgroup": label, "showlegend": l == 0,
                         "mode": "lines",
                         "line": {"color": _color(i), "width": 2,
                                  "dash": LAYER_DASHES[l % len(LAYER_DASHES)]},
                         "hovertemplate": f"{label}, {name}: %{{y:.3g}}<extra></extra>"})
    if len(layer_names) > 1:
        for l, name in enumerate(layer_names):
            data.append({"type": "scatter", "x": [None], "y": [None], "mode": "lines",
                         "name": name, "hoverinfo": "skip",
                         "line": {"color": style.PARAM_COLOR, "width": 2,
                                  "dash": LAYER_DASHES[l % len(LAYER_DASHES)]}})
    layout = base_layout(title, height)
    _with_bottom_legend(layout, list(curves) + (layer_names if len(layer_names) > 1 else []))
    values = np.concatenate(allv) if allv else np.zeros(0)
    pos = values[np.isfinite(values) & (values > 0)]
    layout.update(
        hovermode="closest",
        xaxis={"title": {"text": "Epoch"}, "rangemode": "nonnegative"},
        yaxis={"title": {"text": "‖∂E/∂W‖"}, "type": "log",
               **(_log_ticks(float(pos.min()), float(pos.max())) if pos.size else {})},
    )
    return make_figure(data, layout)


#: Loss levels drawn as surfaces in the 3-weight view, and how see-through they are.
VOLUME_SURFACES = 5
VOLUME_OPACITY = 0.22
VOLUME_HEIGHT = 640


def _side_eye(axes, paths: list[np.ndarray]) -> dict:
    """A camera position looking at the paths from the side.

    Paths often run along the default view's diagonal (every weight falling
    together) and then look like dots: the eye is put square to the direction the
    paths spread most (in the cube the scene is drawn in), a little above it.
    """
    lo = np.array([a[0] for a in axes], dtype=float)
    span = np.array([a[-1] - a[0] for a in axes], dtype=float)
    pts = (np.vstack(paths) - lo) / np.where(span > 0, span, 1.0) if paths else np.zeros((1, 3))
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    d = np.linalg.svd(pts - pts.mean(axis=0), full_matrices=False)[2][0] if len(pts) > 1 \
        else np.array([1.0, 0.0, 0.0])
    side = np.cross(d, [0.0, 0.0, 1.0])
    if np.linalg.norm(side) < 0.3:      # the paths run up or down: look from the front
        side = np.cross(d, [1.0, 0.0, 0.0])
    side = 2.0 * side / np.linalg.norm(side)
    return {"x": round(float(side[0]), 3), "y": round(float(side[1]), 3), "z": 0.7}


def landscape_3d_figure(
    axes: tuple[np.ndarray, np.ndarray, np.ndarray],
    loss: np.ndarray,
    paths: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]],
    *,
    titles: tuple[str, str, str] = ("w1", "w2", "w3"),
    title: str = "Loss over all three weights",
    height: int = VOLUME_HEIGHT,
    max_frames: int = MAX_FRAMES,
) -> go.Figure:
    """The exact loss of a 3-weight network as nested surfaces, with every racer's path.

    Parameters
    ----------
    axes : tuple of 3 ndarray, each (g,)
        Ascending weight values along each axis.
    loss : ndarray of shape (g, g, g)
        The loss at ``(axes[0][i], axes[1][j], axes[2][k])`` in ``loss[i, j, k]``.
    paths : dict[str, tuple[ndarray, ndarray, ndarray]]
        Racer label -> ``(xyz (K, 3), epochs (K,), losses (K,))``.

    Returns
    -------
    go.Figure
        An ``Isosurface`` of log10(loss) at ``VOLUME_SURFACES`` levels (0), then per
        racer its trail so far and its current point (animated with frames, which a
        3-D scene redraws in full; the surfaces stay), opening on the last frame.
    """
    grids = np.meshgrid(*[np.asarray(a, dtype=float) for a in axes], indexing="ij")
    vol = np.asarray(loss, dtype=float)
    positive = vol[np.isfinite(vol) & (vol > 0)]
    floor = float(positive.min()) if positive.size else LOG_FLOOR
    z = np.log10(np.where(np.isfinite(vol), np.maximum(vol, floor), np.nanmax(vol)))
    lo, hi = float(np.nanmin(z)), float(np.nanmax(z))
    data: list[dict] = [{
        "type": "isosurface", "x": rounded(grids[0].ravel()), "y": rounded(grids[1].ravel()),
        "z": rounded(grids[2].ravel()), "value": rounded(z.ravel()),
        "isomin": lo + 0.05 * (hi - lo), "isomax": hi - 0.05 * (hi - lo),
        "surface": {"count": VOLUME_SURFACES}, "caps": {"x": {"show": False},
                                                      "y": {"show": False},
                                                      "z": {"show": False}},
        "opacity": VOLUME_OPACITY, "colorscale": LANDSCAPE_SCALE, "cmin": lo, "cmax": hi,
        "colorbar": _log_colorbar(lo, hi), "name": "loss", "showlegend": False,
        "hoverinfo": "skip",
    }]
    labels = list(paths)
    prepared = [(np.asarray(xyz, dtype=float).reshape(-1, 3), np.asarray(e, np.int64).ravel(),
                 np.asarray(v, dtype=float).ravel()) for xyz, e, v in paths.values()]
    frames_at = frame_epochs([p[1] for p in prepared], max_frames) if prepared else \
        np.zeros(0, dtype=np.int64)

    def trail(i: int, k: int) -> list[dict]:
        xyz, epochs, losses = prepared[i]
        idx = sorted({_upto(epochs, e) for e in frames_at[: k + 1]}) or [0]
        head = idx[-1]
        return [{"type": "scatter3d", "x": rounded(xyz[idx, 0]), "y": rounded(xyz[idx, 1]),
                 "z": rounded(xyz[idx, 2])},
                {"type": "scatter3d", "x": rounded(xyz[head:head + 1, 0]),
                 "y": rounded(xyz[head:head + 1, 1]), "z": rounded(xyz[head:head + 1, 2]),
                 "text": [f"epoch {int(epochs[head]):,}, loss {fmt_number(losses[head], 4)}"]}]

    last = max(0, len(frames_at) - 1)
    animated = []
    for i, label in enumerate(labels):
        line, dot = trail(i, last)
        animated += [len(data), len(data) + 1]
        data.append({**line, "mode": "lines", "name": label, "legendgroup": label,
                     "line": {"color": _color(i), "width": 6}, "hoverinfo": "skip"})
        data.append({**dot, "mode": "markers", "name": f"{label} now", "showlegend": False,
                     "legendgroup": label, "marker": {"size": 6, "color": _color(i)},
                     "hovertemplate": f"{label}<br>%{{text}}<extra></extra>"})
    layout = base_layout(title, height)
    layout["scene"] = {"xaxis": {"title": {"text": titles[0]}},
                       "yaxis": {"title": {"text": titles[1]}},
                       "zaxis": {"title": {"text": titles[2]}},
                       "aspectmode": "cube",
                       "camera": {"eye": _side_eye(axes, [p[0] for p in prepared])}}
    _with_bottom_legend(layout, labels)
    if len(frames_at) < 2:
        return make_figure(data, layout)
    names = [f"{k}:{int(e)}" for k, e in enumerate(frames_at)]
    frames = [{"name": names[k], "traces": animated,
               "data": [d for i in range(len(labels)) for d in trail(i, k)]}
              for k in range(len(frames_at))]
    layout["updatemenus"], layout["sliders"] = epoch_player(
        names, list(frames_at), last, frame_ms=FRAME_MS * 2, redraw=True, from_current=False,
        buttons_pad=10, slider_pad=48)
    layout["margin"] = {**layout["margin"], "b": 130}
    return make_figure(data, layout, frames)
