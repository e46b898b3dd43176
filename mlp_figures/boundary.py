"""Decision boundary of a 2-D classifier, static and as a replay animation."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import (
    BOTTOM_LEGEND_PX,
    base_layout,
    bottom_legend,
    class_labels,
    fmt_number,
    make_figure,
    points_2d,
    rounded,
    rounded_probs,
)


def _grid(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(xs, dtype=float).ravel()
    y = np.asarray(ys, dtype=float).ravel()
    if x.size < 2 or y.size < 2:
        raise ValueError("xs and ys need at least 2 grid values each")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("grid coordinates xs, ys must be finite")
    return x, y


def _check_probs(p: np.ndarray, gx: int, gy: int, what: str = "probs") -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.shape != (gy, gx):
        raise ValueError(f"{what} must have shape (len(ys), len(xs)) = {(gy, gx)}, got {arr.shape}")
    return arr


def clip_line_to_box(
    w1: float, w2: float, b: float, x0: float, x1: float, y0: float, y1: float
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Segment of the line ``w1*x + w2*y + b = 0`` inside a rectangle.

    Parameters
    ----------
    w1, w2, b : float
        Line coefficients.
    x0, x1, y0, y1 : float
        Rectangle ``[x0, x1] x [y0, y1]`` (x0 < x1, y0 < y1).

    Returns
    -------
    ((xa, ya), (xb, yb)) or None
        End points on the rectangle border, or None if the line misses the
        rectangle, touches it in a single point, or is degenerate
        (``w1 = w2 = 0`` or non-finite coefficients).
    """
    if not all(np.isfinite(v) for v in (w1, w2, b)) or (w1 == 0 and w2 == 0):
        return None
    pts: list[tuple[float, float]] = []
    if w2 != 0:  # intersections with the vertical sides
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 <= y <= y1:
                pts.append((x, y))
    if w1 != 0:  # intersections with the horizontal sides
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 <= x <= x1:
                pts.append((x, y))
    if len(pts) < 2:
        return None
    # farthest pair (corners may be found twice)
    best = max(
        ((p, q) for k, p in enumerate(pts) for q in pts[k + 1 :]),
        key=lambda pq: (pq[0][0] - pq[1][0]) ** 2 + (pq[0][1] - pq[1][1]) ** 2,
    )
    if best[0] == best[1]:
        return None
    return best


def _point_traces(X: np.ndarray, y: np.ndarray, *, test: bool) -> list[dict]:
    """Two scatter traces (class 0, class 1) for train or test points."""
    X = points_2d(X)
    lab = class_labels(y, X.shape[0])
    ok = np.all(np.isfinite(X), axis=1)
    traces = []
    for c in (0, 1):
        sel = ok & (lab == c)
        traces.append(
            {
                "type": "scatter",
                "x": rounded(X[sel, 0]),
                "y": rounded(X[sel, 1]),
                "mode": "markers",
                "name": f"test: {c}" if test else f"class {c}",
                "marker": {
                    "symbol": "diamond" if test else "circle",
                    "size": style.TEST_MARKER_SIZE if test else style.TRAIN_MARKER_SIZE,
                    "color": style.CLASS_COLORS[c],
                    "line": {
                        "color": style.TEST_OUTLINE if test else style.TRAIN_OUTLINE,
                        "width": 1.5 if test else 1.0,
                    },
                },
                "hovertemplate": (
                    f"class {c} ({'test' if test else 'train'})"
                    "<br>(%{x:.3g}, %{y:.3g})<extra></extra>"
                ),
            }
        )
    return traces


def _heatmap(x: list, y: list, z: list) -> dict:
    """P(class 1) heatmap trace; ``x``, ``y``, ``z`` already rounded."""
    return {
        "type": "heatmap",
        "x": x,
        "y": y,
        "z": z,
        "zmin": 0,
        "zmax": 1,
        "zmid": 0.5,
        "colorscale": style.BOUNDARY_SCALE,
        "zsmooth": "best",
        "colorbar": {
            "thickness": 12,
            "len": 0.9,
            "title": {"text": "P(class 1)", "side": "right"},
            "tickvals": [0, 0.5, 1],
        },
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>P(class 1) = %{z:.3f}<extra></extra>",
        "name": "P(class 1)",
    }


def _boundary_layout(x: np.ndarray, y: np.ndarray, title: str, height: int) -> dict:
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout["hovermode"] = "closest"
    layout["legend"] = bottom_legend()
    layout["xaxis"] = {
        "title": {"text": "x\u2081"},
        "range": [float(x[0]), float(x[-1])],
        "constrain": "domain",
        "showgrid": False,
        "mirror": True,
    }
    layout["yaxis"] = {
        "title": {"text": "x\u2082"},
        "range": [float(y[0]), float(y[-1])],
        "scaleanchor": "x",
        "scaleratio": 1,
        "constrain": "domain",
        "showgrid": False,
        "mirror": True,
    }
    return layout


# Where along a unit's line its label may go (near one end first, inside the plot),
# and how far apart two labels must be, as fractions of the plot's width and height.
LABEL_SPOTS = (0.85, 0.15, 0.5, 0.7, 0.3)
LABEL_GAP = (0.12, 0.09)


def _free_label_spot(xa: float, ya: float, xb: float, yb: float,
                     placed: list[tuple[float, float]], width: float,
                     height: float) -> tuple[float, float]:
    """The first spot on the segment (xa, ya)-(xb, yb) clear of the ``placed`` labels.

    Appends it to ``placed``; returns ``(nan, nan)`` when every spot is taken (then
    the line goes unlabelled rather than under another label: 16 units used to
    stack "h2h15" at the plot's edge).
    """
    for t in LABEL_SPOTS:
        tx, ty = xa + t * (xb - xa), ya + t * (yb - ya)
        if all(abs(tx - px) > LABEL_GAP[0] * width or abs(ty - py) > LABEL_GAP[1] * height
               for px, py in placed):
            placed.append((tx, ty))
            return tx, ty
    return math.nan, math.nan


def decision_boundary(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    *,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    neuron_lines: list[tuple[float, float, float]] | None = None,
    line_labels: list[str] | None = None,
    title: str = "Decision boundary",
    height: int = style.BOUNDARY_HEIGHT,
) -> go.Figure:
    """Network output over the input plane with the data points on top.

    Parameters
    ----------
    xs : np.ndarray, shape (gx,)
        Grid x values, ascending and finite.
    ys : np.ndarray, shape (gy,)
        Grid y values, ascending and finite.
    probs : np.ndarray, shape (gy, gx)
        Network output P(class 1) at ``(xs[j], ys[i])``; clipped to [0, 1],
        NaN cells left blank.
    X_train : np.ndarray, shape (n, 2)
    y_train : np.ndarray, shape (n,) or (n, 1) (0/1 or probabilities) or (n, 2) one-hot
        Drawn as filled circles in the class colour, white outline.
    X_test : np.ndarray, shape (m, 2), optional
    y_test : np.ndarray, shape (m,) or (m, 1) or (m, 2), optional
        Drawn as diamonds with a black outline.
    neuron_lines : list of (w1, w2, b), optional
        First-layer neuron k's line ``w1*x + w2*y + b = 0`` drawn thin and
        dashed, clipped to the plot area, labelled ``line_labels[k]``.
        Lines with ``w1 = w2 = 0`` (or missing the area) are skipped.
    line_labels : list[str], same length as ``neuron_lines``, optional
        Label of each line (also used in its hover text).  Default
        ``"h1"``, ``"h2"``, ...; pass e.g. ``["out"]`` for a network with
        no hidden layer, whose single line is the output unit's.
    title : str, default "Decision boundary"
    height : int, default ``style.BOUNDARY_HEIGHT``

    Returns
    -------
    go.Figure
        Traces in order: ``Heatmap`` (P), ``Contour`` (the 0.5 line),
        optional neuron-line ``Scatter``, 2 train ``Scatter`` (class 0, 1),
        2 test ``Scatter`` if test data is given.  Equal aspect ratio; axis
        ranges exactly ``[xs[0], xs[-1]] x [ys[0], ys[-1]]``, the outer
        grid points, so the heatmap (whose outer cells reach half a cell
        beyond them) fills the axes frame; ``margin.pad`` is 0 so the frame
        touches the plot area.
    """
    x, y = _grid(xs, ys)
    P = _check_probs(probs, x.size, y.size)
    if neuron_lines and line_labels is not None and len(line_labels) != len(neuron_lines):
        raise ValueError(f"got {len(line_labels)} line_labels for {len(neuron_lines)} neuron_lines")
    rx, ry, z = rounded(x), rounded(y), rounded_probs(P)
    data = [
        _heatmap(rx, ry, z),
        {
            "type": "contour",
            "x": rx,
            "y": ry,
            "z": z,
            "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
            "line": {"color": style.BOUNDARY_LINE_COLOR, "width": style.BOUNDARY_LINE_WIDTH},
            "showscale": False,
            "hoverinfo": "skip",
            "name": "P = 0.5",
            "showlegend": False,
        },
    ]

    annotations = []
    if neuron_lines:
        kept: list[tuple[int, float, float, float]] = []  # (k, w1, w2, b)
        ends: list[float] = []  # xa, ya, xb, yb, label x, label y per kept line
        placed: list[tuple[float, float]] = []
        for k, line in enumerate(neuron_lines):
            w1, w2, b = (float(v) for v in line)
            seg = clip_line_to_box(w1, w2, b, x[0], x[-1], y[0], y[-1])
            if seg is None:
                continue
            (xa, ya), (xb, yb) = seg
            kept.append((k, w1, w2, b))
            tx, ty = _free_label_spot(xa, ya, xb, yb, placed, x[-1] - x[0], y[-1] - y[0])
            ends += [xa, ya, xb, yb, tx, ty]
        if kept:
            spots = rounded(np.array(ends, dtype=float).reshape(-1, 6))
            lx: list = []
            ly: list = []
            for (k, w1, w2, b), (xa, ya, xb, yb, tx, ty) in zip(kept, spots, strict=True):
                lx += [xa, xb, None]
                ly += [ya, yb, None]
                if tx is None:  # every spot on this line is taken by other labels
                    continue
                label = str(line_labels[k]) if line_labels is not None else f"h{k + 1}"
                annotations.append(
                    {
                        "text": label,
                        "x": tx,
                        "y": ty,
                        "xref": "x",
                        "yref": "y",
                        "showarrow": False,
                        "font": {
                            "size": style.ANNOTATION_FONT_SIZE,
                            "color": style.NEURON_LINE_COLOR,
                        },
                        "bgcolor": "rgba(255,255,255,0.75)",
                        "borderpad": 1,
                        "hovertext": (
                            f"{label}: {fmt_number(w1)}\u00b7x\u2081 "
                            f"+ {fmt_number(w2)}\u00b7x\u2082 + {fmt_number(b)} = 0"
                        ),
                    }
                )
            data.append(
                {
                    "type": "scatter",
                    "x": lx,
                    "y": ly,
                    "mode": "lines",
                    "line": {
                        "color": style.NEURON_LINE_COLOR,
                        "width": style.NEURON_LINE_WIDTH,
                        "dash": "dash",
                    },
                    "hoverinfo": "skip",
                    "name": "hidden neurons",
                    "showlegend": False,
                }
            )

    data += _point_traces(X_train, y_train, test=False)
    if X_test is not None and y_test is not None:
        data += _point_traces(X_test, y_test, test=True)

    layout = _boundary_layout(x, y, title, height)
    if annotations:
        layout["annotations"] = annotations
    return make_figure(data, layout)


def boundary_animation(
    xs: np.ndarray,
    ys: np.ndarray,
    frames: list[np.ndarray],
    frame_epochs: list[int],
    frame_losses: list[float],
    *,
    X_train: np.ndarray,
    y_train: np.ndarray,
    title: str = "Training replay",
    frame_ms: int = 250,
    height: int = style.ANIMATION_HEIGHT,
) -> go.Figure:
    """Replay of the decision boundary during training (runs in the browser).

    Only the boundary heatmap is animated; the training points stay.  A
    play / pause button and an epoch slider drive plotly frames, so no
    server round trip is needed.

    Parameters
    ----------
    xs : np.ndarray, shape (gx,)
    ys : np.ndarray, shape (gy,)
    frames : list[np.ndarray], length F, each shape (gy, gx)
        P(class 1) on the grid at each recorded epoch.
    frame_epochs : list[int], length F
        Epoch of each frame (slider labels).
    frame_losses : list[float], length F
        Loss at each frame, shown in the title while playing.
    X_train : np.ndarray, shape (n, 2)
    y_train : np.ndarray, shape (n,) or (n, 1) or (n, 2)
    title : str, default "Training replay"
    frame_ms : int, default 250
        Time per frame while playing.
    height : int, default ``style.ANIMATION_HEIGHT``
        Taller than other figures to fit the slider and buttons.

    Returns
    -------
    go.Figure
        Traces: ``Heatmap`` (frame 0), 2 train ``Scatter``; ``fig.frames``
        holds F frames (each only the heatmap ``z``), named by epoch;
        ``layout.updatemenus`` has Play / Pause, ``layout.sliders`` one
        step per frame.  With F = 0 a static figure with a note.
    """
    x, y = _grid(xs, ys)
    F = len(frames)
    if not (len(frame_epochs) == F and len(frame_losses) == F):
        raise ValueError("frames, frame_epochs and frame_losses must have the same length")
    epochs = [int(e) for e in frame_epochs]
    losses = [float(v) for v in frame_losses]

    def frame_title(k: int) -> str:
        loss = losses[k]
        loss_txt = fmt_number(loss, 4) if np.isfinite(loss) else "diverged"
        return f"{title} \u2014 epoch {epochs[k]}, loss {loss_txt}"

    P0 = (
        _check_probs(frames[0], x.size, y.size, "frames[0]")
        if F
        else np.full((y.size, x.size), 0.5)
    )
    data = [_heatmap(rounded(x), rounded(y), rounded_probs(P0))]
    data += _point_traces(X_train, y_train, test=False)
    layout = _boundary_layout(x, y, frame_title(0) if F else title, height)
    if F == 0:
        layout["annotations"] = [
            {
                "text": "No frames recorded yet",
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "font": {"size": style.FONT_SIZE + 2},
            }
        ]
        return make_figure(data, layout)

    names = [f"{k}:{e}" for k, e in enumerate(epochs)]  # unique even if epochs repeat
    fig_frames = [
        {
            "name": names[k],
            "data": [
                {
                    "type": "heatmap",
                    "z": rounded_probs(_check_probs(P, x.size, y.size, f"frames[{k}]")),
                }
            ],
            "traces": [0],
            "layout": {"title": {"text": frame_title(k)}},
        }
        for k, P in enumerate(frames)
    ]
    play_args = {
        "frame": {"duration": int(frame_ms), "redraw": True},
        "transition": {"duration": 0},
        "fromcurrent": True,
        "mode": "immediate",
    }
    layout["margin"] = {**layout["margin"], "b": 180}  # below the plot: axis title, buttons, slider
    layout["showlegend"] = False  # colours match the P(class 1) colour bar
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "pad": {"t": 68, "r": 10},
            "font": {"size": style.FONT_SIZE},
            "buttons": [
                {"label": "\u25b6 Play", "method": "animate", "args": [None, play_args]},
                {
                    "label": "\u275a\u275a Pause",
                    "method": "animate",
                    "args": [
                        [None],
                        {
                            "frame": {"duration": 0, "redraw": False},
                            "mode": "immediate",
                            "transition": {"duration": 0},
                        },
                    ],
                },
            ],
        }
    ]
    layout["sliders"] = [
        {
            "active": 0,
            "x": 0,
            "len": 1,
            "xanchor": "left",
            "y": 0,
            "yanchor": "top",
            "pad": {"t": 106, "b": 0},
            "currentvalue": {
                "prefix": "epoch ",
                "font": {"size": style.FONT_SIZE, "color": style.TEXT_DARK},
            },
            "font": {"size": style.FONT_SIZE - 3},  # plotly thins crowded labels
            "steps": [
                {
                    "label": str(epochs[k]),
                    "method": "animate",
                    "args": [
                        [names[k]],
                        {
                            "frame": {"duration": 0, "redraw": True},
                            "mode": "immediate",
                            "transition": {"duration": 0},
                        },
                    ],
                }
                for k in range(F)
            ],
        }
    ]
    return make_figure(data, layout, fig_frames)


#: class_regions: a region's colour is mixed with white, from this share of the class
#: colour where the network is unsure (top probability 1/k) to the next one where it is
#: sure; pale enough that the saturated points stand out on it.
REGION_SHADE = (0.1, 0.5)
#: class_regions: px; the legend sits on the right, so the square plot gets the height
REGIONS_HEIGHT = 420
#: class_regions: with more points than this the markers shrink (to 60 % at most)
MANY_POINTS = 300


def _class_labels_k(y, n: int, k: int) -> np.ndarray:
    """Labels 0..k-1 from ``(n,)`` labels or ``(n, k)`` one-hot / probabilities."""
    arr = np.asarray(y, dtype=float)
    lab = np.argmax(np.nan_to_num(arr), axis=1) if arr.ndim == 2 and arr.shape[1] > 1 \
        else np.nan_to_num(arr.reshape(-1), nan=-1).round().astype(int)
    if lab.shape[0] != n:
        raise ValueError(f"got {lab.shape[0]} labels for {n} points")
    return lab


def _hex_rgb(color: str) -> np.ndarray:
    return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def region_colors(probs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The colour of each grid cell: its top class's colour, paler the less sure the net is.

    Parameters
    ----------
    probs : np.ndarray, shape (gy, gx, k)
        Class probabilities (rows sum to 1; k = 1 means P(class 1) of a sigmoid net).

    Returns
    -------
    rgb : np.ndarray of uint8, shape (gy, gx, 3)
        White where a cell's probabilities are not finite.
    top : np.ndarray of int, shape (gy, gx)
        The argmax class (-1 where not finite).
    p_top : np.ndarray of float, shape (gy, gx)
        Its probability (NaN where not finite).
    """
    P = np.asarray(probs, dtype=float)
    if P.ndim == 3 and P.shape[2] == 1:  # one sigmoid output: P(class 1)
        P = np.concatenate([1 - P, P], axis=2)
    k = P.shape[2]
    if k > len(style.CLASS_PALETTE):
        raise ValueError(f"at most {len(style.CLASS_PALETTE)} classes can be coloured, got {k}")
    ok = np.all(np.isfinite(P), axis=2)
    P = np.where(ok[..., None], np.clip(P, 0.0, 1.0), 0.0)
    top = np.where(ok, np.argmax(P, axis=2), -1)
    p_top = np.where(ok, np.max(P, axis=2), np.nan)
    sure = np.clip((np.nan_to_num(p_top) - 1 / k) / (1 - 1 / k), 0.0, 1.0)
    share = REGION_SHADE[0] + (REGION_SHADE[1] - REGION_SHADE[0]) * sure
    palette = np.array([_hex_rgb(c) for c in style.CLASS_PALETTE[:k]])
    white = np.full(3, 255.0)
    rgb = white + share[..., None] * (palette[np.maximum(top, 0)] - white)
    rgb[~ok] = white
    return np.round(rgb).astype(np.uint8), top, p_top


def class_regions(
    xs: np.ndarray,
    ys: np.ndarray,
    probs: np.ndarray,
    *,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    class_names=None,
    x_title: str = "x\u2081",
    y_title: str = "x\u2082",
    equal_aspect: bool = True,
    title: str = "Decision regions",
    height: int = REGIONS_HEIGHT,
) -> go.Figure:
    """Decision regions of a k-class network in k colours, the data points on top.

    Works for any 2-D view: the two inputs of a 2-D data set, or a projection of a
    wider one (first two principal components, or two chosen features with the
    others held at their mean) with ``x_title="PC 1", y_title="PC 2"``.

    Parameters
    ----------
    xs : np.ndarray, shape (gx,)
        Grid x values, ascending, evenly spaced, finite.
    ys : np.ndarray, shape (gy,)
        Grid y values, ascending, evenly spaced, finite.
    probs : np.ndarray, shape (gy, gx, k)
        Class probabilities at ``(xs[j], ys[i])`` (row i = ``ys[i]``, as
        :func:`decision_boundary`'s ``probs``); k = 2..10, or k = 1 for P(class 1)
        of a single sigmoid output. A cell's colour is its argmax class's colour
        (``style.CLASS_PALETTE``), mixed with white by how sure the net is
        (:data:`REGION_SHADE`); non-finite cells are white.
    X_train : np.ndarray, shape (n, 2)
    y_train : np.ndarray, shape (n,) labels 0..k-1, or (n, k) one-hot
        Filled circles in the class colour, white outline.
    X_test : np.ndarray, shape (m, 2), optional
    y_test : np.ndarray, shape (m,) or (m, k), optional
        Diamonds in the class colour with a black outline. Markers shrink with
        more than :data:`MANY_POINTS` points in all (to 60 % at ~830).
    class_names : sequence of str, length k (2 for k = 1), optional
        Legend entries; default ``"class 0"``, ``"class 1"``, ...
    x_title, y_title : str
        Axis titles.
    equal_aspect : bool, default True
        One unit is as long on both axes.
    title : str, default "Decision regions"
    height : int, default :data:`REGIONS_HEIGHT`

    Returns
    -------
    go.Figure
        Traces: an ``Image`` (the regions; hover names the class and its
        probability), one train ``Scatter`` per class (legend entry = class name,
        legend group = class), then, with test data, one test ``Scatter`` per class
        (same group, no entry of its own) and an entry-only ``"test points"`` trace.
        Axis ranges are exactly the outer grid points. Legend on the right.
    """
    x, y = _grid(xs, ys)
    P = np.asarray(probs, dtype=float)
    if P.ndim != 3 or P.shape[:2] != (y.size, x.size):
        raise ValueError(f"probs must have shape (len(ys), len(xs), k) = {(y.size, x.size)} + "
                         f"(k,), got {P.shape}")
    dx, dy = np.diff(x), np.diff(y)
    if not (np.allclose(dx, dx[0], rtol=1e-6) and np.allclose(dy, dy[0], rtol=1e-6)
            and dx[0] > 0 and dy[0] > 0):
        raise ValueError("xs and ys must be ascending and evenly spaced")
    rgb, top, p_top = region_colors(P)
    k = max(P.shape[2], 2)
    names = [str(c) for c in class_names] if class_names is not None \
        else [f"class {c}" for c in range(k)]
    if len(names) != k:
        raise ValueError(f"got {len(names)} class names for {k} classes")
    hover = np.where(top >= 0, np.array(names, dtype=object)[np.maximum(top, 0)], "n/a")
    pct = np.where(np.isfinite(p_top), np.round(np.nan_to_num(p_top) * 100), 0).astype(int)
    hovertext = [[f"{h} ({q}%)" for h, q in zip(hr, pr, strict=True)]
                 for hr, pr in zip(hover.tolist(), pct.tolist(), strict=True)]
    data: list[dict] = [{
        "type": "image",
        "z": rgb.tolist(),
        "x0": float(rounded(x[0])),
        "dx": float(rounded(dx[0])),
        "y0": float(rounded(y[0])),
        "dy": float(rounded(dy[0])),
        "hovertext": hovertext,
        "hovertemplate": "(%{x:.3g}, %{y:.3g})<br>%{hovertext}<extra></extra>",
        "name": "regions",
    }]

    n_points = len(X_train) + (len(X_test) if X_test is not None and y_test is not None else 0)
    # hundreds of points (digits: ~1800) hid the regions; smaller markers, down to 60 %
    scale = max(0.6, math.sqrt(MANY_POINTS / n_points)) if n_points > MANY_POINTS else 1.0

    def points(X, labels, test: bool) -> list[dict]:
        X = points_2d(X)
        lab = _class_labels_k(labels, X.shape[0], k)
        ok = np.all(np.isfinite(X), axis=1)
        out = []
        for c in range(k):
            sel = ok & (lab == c)
            out.append({
                "type": "scatter",
                "x": rounded(X[sel, 0]),
                "y": rounded(X[sel, 1]),
                "mode": "markers",
                "name": names[c],
                "legendgroup": f"class {c}",
                "showlegend": not test,
                "marker": {
                    "symbol": "diamond" if test else "circle",
                    "size": round(scale * (style.TEST_MARKER_SIZE if test
                                           else style.TRAIN_MARKER_SIZE), 1),
                    "color": style.CLASS_PALETTE[c],
                    "line": {"color": style.TEST_OUTLINE if test else style.TRAIN_OUTLINE,
                             "width": 1.5 if test and scale == 1.0 else 1.0},
                },
                "hovertemplate": (f"{names[c]} ({'test' if test else 'train'})"
                                  "<br>(%{x:.3g}, %{y:.3g})<extra></extra>"),
            })
        return out

    data += points(X_train, y_train, test=False)
    if X_test is not None and y_test is not None:
        data += points(X_test, y_test, test=True)
        data.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers",
            "name": "test points", "legendgroup": "test", "hoverinfo": "skip",
            "marker": {"symbol": "diamond", "size": style.TEST_MARKER_SIZE,
                       "color": "#FFFFFF", "line": {"color": style.TEST_OUTLINE, "width": 1.5}},
        })
    layout = base_layout(title, height)
    layout["hovermode"] = "closest"
    # a column on the right holds ten class names; under the plot they wrapped into rows
    layout["legend"] = {"orientation": "v", "font": {"size": style.FONT_SIZE - 1},
                        "itemclick": "toggle", "tracegroupgap": 2, "itemsizing": "constant"}
    # the square plot sits at the right, beside its legend, not mid-page away from it
    layout["xaxis"] = {"title": {"text": x_title}, "range": [float(x[0]), float(x[-1])],
                       "constrain": "domain", "constraintoward": "right", "showgrid": False,
                       "mirror": True}
    layout["yaxis"] = {"title": {"text": y_title}, "range": [float(y[0]), float(y[-1])],
                       "constrain": "domain", "showgrid": False, "mirror": True}
    if equal_aspect:
        layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    return make_figure(data, layout)
