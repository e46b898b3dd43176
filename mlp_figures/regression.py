"""Regression: a 1-D fit built from its hidden units' bumps, and a predicted 2-D surface."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import (
    BOTTOM_LEGEND_PX,
    base_layout,
    bottom_legend,
    fmt_number,
    make_figure,
    no_data_note,
    points_2d,
    rounded,
)

#: regression_fit_1d: up to this many hidden units get a curve (and a colour) each;
#: wider layers are drawn as one grey trace, so the browser is not sent 256 traces.
MAX_UNIT_TRACES = 32
UNIT_LINE_WIDTH = 1.3
UNIT_OPACITY = 0.75
FIT_COLOR = "#1E1E1E"  #: the network's prediction
TEST_POINT_COLOR = style.NEG_COLOR
TRAIN_POINT_COLOR = style.POS_COLOR


def _flat(a, what: str) -> np.ndarray:
    arr = np.asarray(a, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{what} must have shape (n,) or (n, 1), got {arr.shape}")
    return arr


def _y_range(core: list[np.ndarray], extra: list[np.ndarray]) -> list[float] | None:
    """The y range that shows ``core`` (points, fit) whole and ``extra`` (unit curves)
    up to half the core's span beyond it, so one huge unit does not flatten the fit."""
    vals = np.concatenate([v.ravel() for v in core]) if core else np.zeros(0)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return None
    lo, hi = float(vals.min()), float(vals.max())
    span = hi - lo if hi > lo else 1.0
    more = np.concatenate([v.ravel() for v in extra]) if extra else np.zeros(0)
    more = more[np.isfinite(more)]
    if more.size:
        lo = min(lo, max(float(more.min()), lo - 0.5 * span))
        hi = max(hi, min(float(more.max()), hi + 0.5 * span))
    pad = 0.06 * (hi - lo if hi > lo else 1.0)
    return [float(rounded(lo - pad)), float(rounded(hi + pad))]


def _points(x, y, name: str, color: str, symbol: str, outline: str) -> dict:
    ok = np.isfinite(x) & np.isfinite(y)
    return {
        "type": "scatter", "x": rounded(x[ok]), "y": rounded(y[ok]), "mode": "markers",
        "name": name,
        "marker": {"color": color, "size": style.TRAIN_MARKER_SIZE - 1, "symbol": symbol,
                   "opacity": 0.85, "line": {"color": outline, "width": 1}},
        "hovertemplate": f"{name}<br>x = %{{x:.3g}}, y = %{{y:.3g}}<extra></extra>",
    }


def regression_fit_1d(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray | None,
    y_test: np.ndarray | None,
    grid_x: np.ndarray,
    prediction: np.ndarray,
    contributions: np.ndarray | None = None,
    unit_names: list[str] | None = None,
    *,
    output_bias: float | None = None,
    x_title: str = "x",
    y_title: str = "y",
    title: str = "Network fit",
    height: int = style.DEFAULT_HEIGHT,
) -> go.Figure:
    """A 1-D regression: the data, the network's curve, and each hidden unit's part of it.

    With a linear output, ``prediction = contributions.sum(axis=1) + output_bias``:
    the thin curves are the bumps and steps that add up to the fit.

    Parameters
    ----------
    x_train, y_train : np.ndarray, shape (n,) (or (n, 1))
        Training points (blue circles).
    x_test, y_test : np.ndarray, shape (m,), or None
        Held-out points (orange diamonds).
    grid_x : np.ndarray, shape (g,)
        Ascending x values the curves are drawn at.
    prediction : np.ndarray, shape (g,) (or (g, 1))
        Network output at ``grid_x`` (thick black line).
    contributions : np.ndarray, shape (g, h), optional
        Hidden unit j's output at ``grid_x`` times its outgoing weight. Thin curves
        in one legend group, ``"hidden units"`` (one legend entry: a click hides
        them all); one trace and colour per unit up to :data:`MAX_UNIT_TRACES`
        units, one grey trace for wider layers.
    unit_names : list[str], length h, optional
        Hover names of the units; default ``"h1"``, ``"h2"``, ...
    output_bias : float, optional
        The output unit's bias, drawn flat and dashed in the same group.
    x_title, y_title : str
    title : str, default "Network fit"
    height : int, default ``style.DEFAULT_HEIGHT``

    Returns
    -------
    go.Figure
        Traces in order: train ``Scatter``, test ``Scatter`` (if given), the unit
        curves, the bias line (if given), the prediction (drawn last, on top).
        The y range shows the points and the fit whole, and unit curves that reach
        further up to half the data's span beyond them (zoom out for the rest).
        Non-finite values are left out (points) or become gaps (curves).
    """
    xt, yt = _flat(x_train, "x_train"), _flat(y_train, "y_train")
    if xt.shape != yt.shape:
        raise ValueError("x_train and y_train must have the same length")
    gx, pred = _flat(grid_x, "grid_x"), _flat(prediction, "prediction")
    if gx.shape != pred.shape:
        raise ValueError("grid_x and prediction must have the same length")
    rgx = rounded(gx)
    data = [_points(xt, yt, "train", TRAIN_POINT_COLOR, "circle", style.TRAIN_OUTLINE)]
    core = [yt, pred]
    if x_test is not None and y_test is not None:
        xs, ys = _flat(x_test, "x_test"), _flat(y_test, "y_test")
        if xs.shape != ys.shape:
            raise ValueError("x_test and y_test must have the same length")
        data.append(_points(xs, ys, "test", TEST_POINT_COLOR, "diamond", style.TEST_OUTLINE))
        core.append(ys)
    extra: list[np.ndarray] = []
    group = {"legendgroup": "hidden units"}
    if contributions is not None:
        Cn = np.asarray(contributions, dtype=float)
        if Cn.ndim != 2 or Cn.shape[0] != gx.size:
            raise ValueError(f"contributions must have shape (len(grid_x), h) = ({gx.size}, h), "
                             f"got {Cn.shape}")
        h = Cn.shape[1]
        names = unit_names if unit_names is not None else [f"h{j + 1}" for j in range(h)]
        if len(names) != h:
            raise ValueError(f"got {len(names)} unit names for {h} units")
        extra.append(Cn)
        label = f"hidden units ({h})"
        line = {"width": UNIT_LINE_WIDTH}
        if h <= MAX_UNIT_TRACES:
            for j in range(h):
                data.append({
                    "type": "scatter", "x": rgx, "y": rounded(Cn[:, j]), "mode": "lines",
                    "name": label, **group, "showlegend": j == 0, "opacity": UNIT_OPACITY,
                    "line": {**line, "color": style.SERIES_COLORS[j % 6]},
                    "hovertemplate": f"{names[j]}: %{{y:.3g}}<extra></extra>",
                })
        elif h:
            xs_all = (rgx + [None]) * h
            ys_all: list = []
            text: list = []
            for j in range(h):
                ys_all += rounded(Cn[:, j]) + [None]
                text += [str(names[j])] * gx.size + [""]
            data.append({
                "type": "scatter", "x": xs_all, "y": ys_all, "text": text, "mode": "lines",
                "name": label, **group, "opacity": 0.5,
                "line": {**line, "color": style.PARAM_COLOR},
                "hovertemplate": "%{text}: %{y:.3g}<extra></extra>",
            })
    if output_bias is not None and np.isfinite(output_bias) and gx.size:
        b = float(output_bias)
        extra.append(np.array([b]))
        data.append({
            "type": "scatter", "x": [rgx[0], rgx[-1]], "y": [rounded(b)] * 2, "mode": "lines",
            "name": f"output bias {fmt_number(b)}", **group,
            "showlegend": contributions is None,
            "line": {"width": UNIT_LINE_WIDTH, "dash": "dash", "color": style.PARAM_COLOR},
            "hovertemplate": f"output bias: {fmt_number(b, 4)}<extra></extra>",
        })
    data.append({
        "type": "scatter", "x": rgx, "y": rounded(pred), "mode": "lines", "name": "network",
        "line": {"color": FIT_COLOR, "width": style.LINE_WIDTH + 0.5},
        "hovertemplate": "network: %{y:.3g} at x = %{x:.3g}<extra></extra>",
    })
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout["legend"] = bottom_legend()
    layout["hovermode"] = "closest"
    layout["xaxis"] = {"title": {"text": x_title}}
    layout["yaxis"] = {"title": {"text": y_title}}
    yr = _y_range(core, extra)
    if yr is not None:
        layout["yaxis"]["range"] = yr
    if xt.size == 0 and gx.size == 0:
        layout["annotations"] = [no_data_note()]
    return make_figure(data, layout)


def regression_surface_2d(
    grid_x1: np.ndarray,
    grid_x2: np.ndarray,
    prediction: np.ndarray,
    points: np.ndarray,
    targets: np.ndarray,
    *,
    test_points: np.ndarray | None = None,
    test_targets: np.ndarray | None = None,
    x_title: str = "x\u2081",
    y_title: str = "x\u2082",
    target_name: str = "y",
    title: str = "Predicted surface",
    height: int = 420,
) -> go.Figure:
    """A 2-D regression: the predicted surface as a heatmap with contours, the points on top.

    Parameters
    ----------
    grid_x1 : np.ndarray, shape (gx,)
        Ascending grid values of the first input (x axis).
    grid_x2 : np.ndarray, shape (gy,)
        Ascending grid values of the second input (y axis).
    prediction : np.ndarray, shape (gy, gx)
        Network output at ``(grid_x1[j], grid_x2[i])`` (row i = ``grid_x2[i]``, as
        :func:`decision_boundary`'s ``probs``); NaN cells are left blank.
    points : np.ndarray, shape (n, 2)
        Training inputs (circles, white outline).
    targets : np.ndarray, shape (n,) (or (n, 1))
        Their targets, filled on the surface's colour scale: a point that matches
        the surface under it melts into it.
    test_points : np.ndarray, shape (m, 2), optional
    test_targets : np.ndarray, shape (m,), optional
        Held-out points (diamonds, black outline), same colour scale.
    x_title, y_title : str
    target_name : str, default "y"
        The colour bar's title.
    title : str, default "Predicted surface"
    height : int, default 420

    Returns
    -------
    go.Figure
        Traces: ``Heatmap`` (the prediction), ``Contour`` (lines only, labelled),
        train ``Scatter``, test ``Scatter`` (if given); all on one colour axis
        (``layout.coloraxis``, ``style.TARGET_SCALE``) spanning the prediction and
        every target. Equal aspect ratio; axis ranges are the outer grid points.
    """
    x = np.asarray(grid_x1, dtype=float).ravel()
    y = np.asarray(grid_x2, dtype=float).ravel()
    if x.size < 2 or y.size < 2 or not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("grid_x1 and grid_x2 need at least 2 finite values each")
    Z = np.asarray(prediction, dtype=float)
    if Z.shape != (y.size, x.size):
        raise ValueError(f"prediction must have shape (len(grid_x2), len(grid_x1)) = "
                         f"{(y.size, x.size)}, got {Z.shape}")
    P = points_2d(points)
    t = _flat(targets, "targets")
    if t.shape[0] != P.shape[0]:
        raise ValueError("points and targets must have the same number of rows")
    sets = [(P, t, False)]
    if test_points is not None and test_targets is not None:
        Pt, tt = points_2d(test_points), _flat(test_targets, "test_targets")
        if tt.shape[0] != Pt.shape[0]:
            raise ValueError("test_points and test_targets must have the same number of rows")
        sets.append((Pt, tt, True))
    allv = np.concatenate([Z.ravel()] + [s[1] for s in sets])
    allv = allv[np.isfinite(allv)]
    lo, hi = (float(allv.min()), float(allv.max())) if allv.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    rx, ry, rz = rounded(x), rounded(y), rounded(Z)
    data: list[dict] = [
        {"type": "heatmap", "x": rx, "y": ry, "z": rz, "coloraxis": "coloraxis",
         "zsmooth": "best", "name": "prediction",
         "hovertemplate": f"(%{{x:.3g}}, %{{y:.3g}})<br>predicted {target_name} = "
                          "%{z:.3g}<extra></extra>"},
        {"type": "contour", "x": rx, "y": ry, "z": rz, "showscale": False,
         "contours": {"coloring": "none", "showlabels": True,
                      "labelfont": {"size": style.ANNOTATION_FONT_SIZE - 2,
                                    "color": style.TEXT_DARK}},
         "line": {"color": "rgba(30,30,30,0.45)", "width": 1}, "ncontours": 8,
         "hoverinfo": "skip", "showlegend": False, "name": "contours"},
    ]
    for Q, v, test in sets:
        ok = np.all(np.isfinite(Q), axis=1) & np.isfinite(v)
        data.append({
            "type": "scatter", "x": rounded(Q[ok, 0]), "y": rounded(Q[ok, 1]),
            "mode": "markers", "name": "test" if test else "train",
            "marker": {"color": rounded(v[ok]), "coloraxis": "coloraxis",
                       "symbol": "diamond" if test else "circle",
                       "size": style.TEST_MARKER_SIZE if test else style.TRAIN_MARKER_SIZE,
                       "line": {"color": style.TEST_OUTLINE if test else style.TRAIN_OUTLINE,
                                "width": 1.5 if test else 1.0}},
            "hovertemplate": (f"{'test' if test else 'train'} (%{{x:.3g}}, %{{y:.3g}})"
                              f"<br>{target_name} = %{{marker.color:.3g}}<extra></extra>"),
        })
    layout = base_layout(title, height)
    layout["margin"]["b"] += BOTTOM_LEGEND_PX
    layout["legend"] = bottom_legend()
    layout["hovermode"] = "closest"
    layout["coloraxis"] = {
        "colorscale": style.TARGET_SCALE, "cmin": rounded(lo), "cmax": rounded(hi),
        "colorbar": {"thickness": 12, "len": 0.9, "title": {"text": target_name,
                                                             "side": "right"}},
    }
    # the square plot sits at the right, beside its colour bar, not mid-page away from it
    layout["xaxis"] = {"title": {"text": x_title}, "range": [float(x[0]), float(x[-1])],
                       "constrain": "domain", "constraintoward": "right", "showgrid": False,
                       "mirror": True}
    layout["yaxis"] = {"title": {"text": y_title}, "range": [float(y[0]), float(y[-1])],
                       "scaleanchor": "x", "scaleratio": 1, "constrain": "domain",
                       "showgrid": False, "mirror": True}
    return make_figure(data, layout)

