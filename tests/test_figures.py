"""Tests of the pure plotly figure builders in ``mlp_figures``."""

from __future__ import annotations

import copy
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

import mlp_figures as mf
from mlp_figures import style
from mlp_figures._util import BOTTOM_LEGEND_PX, rounded, rounded_probs
from mlp_figures.boundary import LABEL_GAP
from mlp_figures.sweeps import RULE_BAND_COLOR, RULE_ROW_PX, RuleMark

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def walk_finite(obj, path="fig"):
    """Assert no NaN / inf anywhere in a to_plotly_json() structure."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            walk_finite(v, f"{path}.{k}")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            walk_finite(v, f"{path}[{i}]")
    elif isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            assert np.all(np.isfinite(obj)), f"non-finite in {path}"
        elif obj.dtype == object:
            walk_finite(obj.tolist(), path)
    elif isinstance(obj, (float, np.floating)):
        assert math.isfinite(obj), f"non-finite {obj} at {path}"


def _reject_constant(name):
    raise AssertionError(f"figure JSON contains {name}")


def json_size(fig: go.Figure) -> int:
    return len(fig.to_json())


def check_common(fig: go.Figure, *, axes: bool = True) -> None:
    """Properties every figure must have."""
    assert isinstance(fig, go.Figure)
    assert fig.layout.title.text, "figure needs a title"
    assert fig.layout.height is not None and style.ROW_HEATMAP_HEIGHT <= fig.layout.height <= 500
    assert fig.layout.uirevision == style.UIREVISION
    m = fig.layout.margin
    assert m.t is not None and m.t >= 40, "top margin must leave room for the title"
    assert m.l is not None and m.b is not None and m.r is not None
    # axis lines touch the plot area (Streamlit's theme would pad them 8 px off)
    assert m.pad == 0
    # the title is pinned to the top edge, above any labels in the top margin
    t = fig.layout.title
    assert (t.yref, t.y, t.yanchor) == ("container", 1, "top")
    legend = fig.layout.legend
    if fig.layout.showlegend is not False and legend.y is not None:
        # a legend never sits over the plot area
        assert legend.yref == "container" and legend.y == 0 and legend.orientation == "h"
    if axes:
        assert fig.layout.xaxis.title.text
        assert fig.layout.yaxis.title.text
    walk_finite(fig.to_plotly_json())
    json.loads(fig.to_json(), parse_constant=_reject_constant)  # strict JSON: no NaN / Infinity


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@pytest.fixture
def rng():
    return np.random.default_rng(42)


# --------------------------------------------------------------------------
# rounding helpers
# --------------------------------------------------------------------------


def test_r_rounds_to_4_significant_digits_and_drops_non_finite():
    out = rounded([0.1 + 0.2, 123456.7, -0.000123456, 2 / 3, np.nan, np.inf, -np.inf, 0.0, -0.0])
    assert out == [0.3, 123500.0, -0.0001235, 0.6667, None, None, None, 0.0, 0.0]
    assert rounded(np.pi) == 3.142
    assert rounded(np.nan) is None
    assert rounded(np.array([[1.23456, 2.0], [np.nan, 5e-30]])) == [[1.235, 2.0], [None, 5e-30]]
    assert rounded(1.234567e300) == 1.235e300


def test_r_serialises_short(rng):
    vals = rng.normal(0, 1, 1000) * 10.0 ** rng.integers(-6, 6, 1000)
    text = json.dumps(rounded(vals))
    for tok in text.strip("[]").split(", "):
        mantissa = tok.split("e")[0].lstrip("-").replace(".", "").strip("0")
        assert len(mantissa) <= 4, tok


def test_round_prob_clips_and_sanitises():
    assert rounded_probs([[-0.5, 0.123456, 1.7, np.nan, np.inf, 3e-9]]) == [
        [0.0, 0.1235, 1.0, None, 1.0, 0.0]
    ]


# --------------------------------------------------------------------------
# loss_curve
# --------------------------------------------------------------------------


def _three_series(rng, n=1000):
    ep = np.arange(n) * 7
    return {
        "train": (ep, 0.3 * np.exp(-ep / 2000) + rng.random(n) * 0.01),
        "test": (ep, 0.3 * np.exp(-ep / 2500) + rng.random(n) * 0.01 + 0.02),
        "no hidden layer": (ep, 0.25 + rng.random(n) * 1e-3),
    }


def test_loss_curve_basic_and_budget(rng):
    fig = mf.loss_curve(_three_series(rng))
    check_common(fig)
    assert [type(t) for t in fig.data] == [go.Scatter] * 3
    assert [t.name for t in fig.data] == ["train", "test", "no hidden layer"]
    assert fig.layout.xaxis.title.text == "Epoch"
    assert fig.layout.yaxis.title.text == "Loss"
    assert fig.layout.title.text == "Loss"
    assert fig.layout.yaxis.type == "linear"
    assert len(fig.data[0].x) == 1000
    assert all(isinstance(v, int) for v in fig.data[0].x)
    assert json_size(fig) < 60_000
    # legend below the x-axis title (inside the plot it covered a flat curve)
    assert fig.layout.showlegend is True
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.legend.yanchor == "bottom" and fig.layout.legend.orientation == "h"
    assert fig.layout.margin.b == style.MARGIN["b"] + BOTTOM_LEGEND_PX


def test_loss_curve_before_training_spans_the_planned_epochs():
    # only the epoch-0 points: plotly centred them on an axis from -1 to 1, with
    # fractional epochs and negative losses
    start = {"train": (np.array([0]), np.array([0.35])), "test": (np.array([0]), np.array([5.2]))}
    fig = mf.loss_curve(start, planned_epochs=200_000)
    check_common(fig)
    lo, hi = fig.layout.xaxis.range
    assert -0.05 * 200_000 < lo < 0 and hi == 200_000
    assert fig.layout.yaxis.rangemode == "tozero"
    assert all(t.mode == "lines+markers" for t in fig.data)
    # once an epoch has run, the axis follows the data
    started = {"train": (np.array([1, 2]), np.array([0.35, 0.34]))}
    assert mf.loss_curve(started, planned_epochs=200_000).layout.xaxis.range is None
    assert mf.loss_curve(start, log_y=True, planned_epochs=10).layout.yaxis.rangemode is None


def test_loss_curve_single_series_has_no_legend_row():
    fig = mf.loss_curve({"train": (np.arange(5), np.ones(5))})
    assert fig.layout.showlegend is False
    assert fig.layout.margin.b == style.MARGIN["b"]


def test_loss_curve_log_ticks_are_full_numbers():
    ep = np.arange(1, 201)
    # XOR, no hidden layer: flat at 0.5; hidden layer: down to 5e-4 (3 decades)
    fig = mf.loss_curve(
        {"hidden": (ep, 0.5 * np.exp(-ep / 20) + 5e-4), "none": (ep, np.full(200, 0.5))},
        log_y=True,
    )
    check_common(fig)
    ya = fig.layout.yaxis
    assert ya.tickmode == "array"
    assert list(ya.tickvals) == [0.001, 0.01, 0.1]
    assert list(ya.ticktext) == ["0.001", "0.01", "0.1"]
    # 1-2 decades: 1-2-5 steps, each labelled in full (not "5" for 0.5)
    fig = mf.loss_curve({"a": (ep, np.geomspace(0.5, 0.004, 200))}, log_y=True)
    assert list(fig.layout.yaxis.ticktext) == ["0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5"]
    # under one decade plotly's own ticks are full numbers already
    fig = mf.loss_curve({"a": (ep, np.linspace(0.3, 0.05, 200))}, log_y=True)
    assert fig.layout.yaxis.tickmode is None
    # a diverging loss over hundreds of decades: at most 8 powers of ten
    fig = mf.loss_curve({"a": (ep, np.geomspace(0.1, 1e300, 200))}, log_y=True)
    assert 2 <= len(fig.layout.yaxis.tickvals) <= 8
    assert fig.layout.yaxis.ticktext[0] == "1" and fig.layout.yaxis.ticktext[1] == "1e38"


def test_loss_curve_log_clips_non_positive():
    ep = np.arange(5)
    fig = mf.loss_curve({"train": (ep, np.array([1.0, 0.1, 0.0, -1.0, 0.01]))}, log_y=True)
    check_common(fig)
    assert fig.layout.yaxis.type == "log"
    ys = fig.data[0].y
    assert all(v is not None and v > 0 for v in ys)
    assert ys[2] == ys[3] == 0.01  # clipped to the smallest positive value


def test_loss_curve_log_all_zero_uses_floor():
    fig = mf.loss_curve({"train": (np.arange(3), np.zeros(3))}, log_y=True)
    check_common(fig)
    assert all(v > 0 for v in fig.data[0].y)


def test_loss_curve_marker_and_diverged(rng):
    series = _three_series(rng, n=100)
    fig = mf.loss_curve(series, marker_epoch=352, diverged_epoch=600, title="Training loss")
    check_common(fig)
    assert fig.layout.title.text == "Training loss"
    assert len(fig.data) == 4  # 3 series + scrubber dot
    dot = fig.data[3]
    assert dot.mode == "markers"
    assert dot.x == (350,)  # nearest recorded epoch (multiples of 7)
    first_y = series["train"][1][50]
    assert dot.y[0] == pytest.approx(first_y, rel=1e-3)
    shapes = fig.layout.shapes
    assert len(shapes) == 2
    assert shapes[0].x0 == 352 and shapes[0].yref == "paper"
    assert shapes[1].x0 == 600 and shapes[1].line.dash == "dash"
    assert shapes[1].line.color == style.DIVERGED_COLOR
    assert [a.text for a in fig.layout.annotations] == ["diverged"]
    # the label sits above the plot area, on the inner side of the line
    label = fig.layout.annotations[0]
    assert (label.yref, label.y, label.yanchor) == ("paper", 1, "bottom")
    assert label.xanchor == "right"  # 600 is past the middle of epochs 0..693
    fig = mf.loss_curve(series, diverged_epoch=100)
    assert fig.layout.annotations[0].xanchor == "left"


def test_loss_curve_sanitises_non_finite():
    ep = np.arange(6)
    vals = np.array([1.0, np.nan, 0.5, np.inf, -np.inf, 0.2])
    fig = mf.loss_curve({"train": (ep, vals), "test": (ep, vals)}, marker_epoch=1)
    check_common(fig)
    assert fig.data[0].y == (1.0, None, 0.5, None, None, 0.2)
    assert fig.data[2].x == (0,) or fig.data[2].x == (2,)  # nearest finite point


def test_loss_curve_empty_series_is_valid():
    fig = mf.loss_curve({})
    check_common(fig)
    assert len(fig.data) == 0
    fig = mf.loss_curve({"train": (np.array([], int), np.array([]))}, marker_epoch=3)
    check_common(fig)


# --------------------------------------------------------------------------
# weight_heatmap
# --------------------------------------------------------------------------


def test_weight_heatmap_cells_and_annotations():
    W = np.array([[4.91234, -3.0, 0.1144], [4.87, -2.95, -0.006212]])
    fig = mf.weight_heatmap(W, title="weight_hidden (2x3)")
    check_common(fig)
    assert fig.layout.title.text == "weight_hidden (2x3)"
    assert [type(t) for t in fig.data] == [go.Heatmap]
    hm = fig.data[0]
    assert list(hm.y) == ["in 1", "in 2"] and list(hm.x) == ["h1", "h2", "h3"]
    assert hm.z[0][0] == 4.912 and hm.z[1][2] == -0.006212
    assert fig.layout.yaxis.autorange == "reversed"  # row 0 at the top
    assert hm.zmax == pytest.approx(4.912) and hm.zmin == -hm.zmax and hm.zmid == 0
    texts = {(a.x, a.y): a.text for a in fig.layout.annotations}
    assert len(texts) == 6
    assert texts[(0, 0)] == "4.91"
    assert texts[(1, 0)] == "-3"
    assert texts[(2, 0)] == "0.114"
    assert texts[(2, 1)] == "-0.00621"
    for (j, i), t in texts.items():
        assert float(t) == pytest.approx(float(f"{W[i, j]:.3g}"))
    # readable: white on strong cells, dark on pale cells
    colours = {(a.x, a.y): a.font.color for a in fig.layout.annotations}
    assert colours[(0, 0)] == style.TEXT_LIGHT
    assert colours[(2, 0)] == style.TEXT_DARK


def test_weight_heatmap_zero_matrix_and_labels():
    fig = mf.weight_heatmap(
        np.zeros((1, 3)), title="bias_hidden (1x3)", row_labels=["bias"], col_labels=["a", "b", "a"]
    )
    check_common(fig)
    hm = fig.data[0]
    assert hm.zmax == 1.0
    assert list(hm.y) == ["bias"]
    assert len(set(hm.x)) == 3  # duplicate labels made unique
    assert all(a.text == "0" for a in fig.layout.annotations)


def test_weight_heatmap_explicit_zmax_and_1d_bias():
    fig = mf.weight_heatmap(np.array([0.5, -0.25]), title="bias_output", zmax=2.0)
    check_common(fig)
    assert fig.data[0].zmax == 2.0
    assert len(fig.layout.annotations) == 2


def _cell_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.xref == "x"]


def test_weight_heatmap_wide_or_tall_has_no_cell_text_but_says_so(rng):
    # 16 columns of a half-page chart are ~28 px each: "-0.558" overlapped its neighbours
    for shape in [(20, 17), (16, 16), (2, 16), (17, 2)]:
        fig = mf.weight_heatmap(rng.normal(size=shape), title=f"w {shape}")
        check_common(fig)
        assert _cell_texts(fig) == [], shape
        assert [a.text for a in fig.layout.annotations] == ["hover a cell for its value"]
        assert fig.data[0].hovertemplate
    # as many rows as a 16-unit layer and columns up to 8 still carry their numbers
    fig = mf.weight_heatmap(rng.normal(size=(16, 8)), title="w (16x8)")
    assert len(_cell_texts(fig)) == 128 and len(fig.layout.annotations) == 128


def test_weight_heatmap_of_one_row_is_short():
    assert mf.weight_heatmap(np.zeros((1, 8)), title="b").layout.height == style.ROW_HEATMAP_HEIGHT
    assert mf.weight_heatmap(np.zeros((2, 8)), title="w").layout.height == style.DEFAULT_HEIGHT
    assert mf.weight_heatmap(np.zeros((1, 3)), title="b", height=400).layout.height == 400


def test_weight_heatmap_sanitises_non_finite():
    W = np.array([[np.nan, np.inf], [-np.inf, 0.5]])
    fig = mf.weight_heatmap(W, title="broken")
    check_common(fig)
    z = fig.data[0].z
    assert z[0][0] is None
    assert z[0][1] == 0.5 and z[1][0] == -0.5  # clipped to +-zmax
    texts = {(a.x, a.y): a.text for a in fig.layout.annotations}
    assert texts[(0, 0)] == "NaN" and texts[(1, 0)] == "+inf"


def test_weight_heatmap_rejects_bad_labels():
    with pytest.raises(ValueError):
        mf.weight_heatmap(np.zeros((2, 3)), title="x", row_labels=["a"])


# --------------------------------------------------------------------------
# network_diagram
# --------------------------------------------------------------------------


def _or_net():
    W1 = np.array([[4.9, -3.0, 0.1], [4.8, -2.9, -0.6]])
    W2 = np.array([[6.2], [-5.5], [0.4]])
    b = [np.array([-2.1, 4.4, 0.3]), np.array([-1.2])]
    return W1, W2, b


def _edge_hover(fig):
    for t in fig.data:
        if t.name == "edge weights":
            return list(t.hovertext)
    raise AssertionError("no edge hover trace")


def test_network_diagram_small():
    W1, W2, b = _or_net()
    fig = mf.network_diagram([2, 3, 1], [W1, W2], b, title="Network (2-3-1)")
    check_common(fig, axes=False)
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False
    assert all(isinstance(t, go.Scatter) for t in fig.data)
    assert len(fig.data) <= 20
    hover = _edge_hover(fig)
    assert len(hover) == 9
    assert "w[x1->h1] = 4.9" in hover
    assert "w[x2->h3] = -0.6" in hover
    assert "w[h2->out] = -5.5" in hover
    # hover dots of different edges do not coincide
    hov = next(t for t in fig.data if t.name == "edge weights")
    assert len(set(zip(hov.x, hov.y, strict=True))) == 9
    # line traces: colour by sign, widest edge = max width
    lines = [t for t in fig.data if t.mode == "lines"]
    assert {t.line.color for t in lines} <= {style.POS_COLOR, style.NEG_COLOR}
    widths = [t.line.width for t in lines]
    assert max(widths) == style.EDGE_MAX_WIDTH and min(widths) >= style.EDGE_MIN_WIDTH
    widest = lines[int(np.argmax(widths))]
    assert widest.line.color == style.POS_COLOR  # 6.2 is the largest |w|
    n_segments = sum(sum(v is None for v in t.x) for t in lines)
    assert n_segments == 9
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert len(nodes.x) == 6
    assert any("bias = -2.1" in h for h in nodes.hovertext)
    assert any("bias = -1.2" in h for h in nodes.hovertext)
    captions = [a.text for a in fig.layout.annotations]
    assert "input (2)" in captions and "hidden (3)" in captions and "output (1)" in captions


def test_network_diagram_big_is_truncated_and_within_budget(rng):
    sizes = [2, 64, 64, 1]
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    Bs = [rng.normal(size=b) for b in sizes[1:]]
    fig = mf.network_diagram(sizes, Ws, Bs)
    check_common(fig, axes=False)
    assert len(fig.data) <= 20
    assert json_size(fig) < 150_000
    nodes = next(t for t in fig.data if t.name == "nodes")
    assert len(nodes.x) == 2 + 16 + 16 + 1
    assert sum(a.text == "+48 more" for a in fig.layout.annotations) == 2
    assert len(_edge_hover(fig)) == 2 * 16 + 16 * 16 + 16


@pytest.mark.parametrize("sizes, widest", [
    ([2, 3, 1], style.EDGE_MAX_WIDTH),
    ([2, 8, 1], style.EDGE_MAX_WIDTH),        # 16 edges: still full width
    ([2, 8, 8, 1], style.EDGE_MAX_WIDTH / 2),  # 64 edges
    ([2, 16, 16, 1], style.EDGE_MAX_WIDTH / 4),  # 256 edges at 8 px hid each other
    ([2, 64, 64, 1], style.EDGE_MAX_WIDTH / 4),  # only 16 nodes a layer are drawn
])
def test_network_diagram_thins_the_edges_of_dense_layers(sizes, widest):
    Ws = [np.full((a, b), 2.0) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    fig = mf.network_diagram(sizes, Ws)
    widths = [t.line.width for t in fig.data if t.mode == "lines"]
    assert max(widths) == pytest.approx(widest, abs=0.01)
    assert min(widths) >= style.EDGE_MIN_WIDTH


def test_network_diagram_sanitises_non_finite():
    W1 = np.array([[np.nan, np.inf, 1.0]])
    W2 = np.array([[1.0], [-np.inf], [0.0]])
    fig = mf.network_diagram(
        [1, 3, 1],
        [W1, W2],
        [np.array([np.nan, 0, 0]), np.array([np.inf])],
    )
    check_common(fig, axes=False)
    hover = _edge_hover(fig)
    assert "w[x1->h1] = NaN" in hover and "w[h2->out] = -inf" in hover


def test_network_diagram_rejects_bad_shapes():
    with pytest.raises(ValueError):
        mf.network_diagram([2, 3, 1], [np.zeros((3, 2)), np.zeros((3, 1))])
    with pytest.raises(ValueError):
        mf.network_diagram([2, 3, 1], [np.zeros((2, 3))])


# --------------------------------------------------------------------------
# decision_boundary
# --------------------------------------------------------------------------


def _xor_grid(n=40, lo=-0.5, hi=1.5):
    xs = np.linspace(lo, hi, n)
    ys = np.linspace(lo, hi, n)
    X, Y = np.meshgrid(xs, ys)
    h1 = sigmoid(6 * X + 6 * Y - 3)
    h2 = sigmoid(6 * X + 6 * Y - 9)
    return xs, ys, sigmoid(8 * h1 - 8 * h2 - 4)


def _points(rng, n):
    X = rng.uniform(-0.4, 1.4, (n, 2))
    y = (np.round(X[:, 0]).clip(0, 1) != np.round(X[:, 1]).clip(0, 1)).astype(int)
    return X, y


def test_decision_boundary_full(rng):
    xs, ys, P = _xor_grid()
    Xtr, ytr = _points(rng, 300)
    Xte, yte = _points(rng, 100)
    lines = [(6.0, 6.0, -3.0), (6.0, 6.0, -9.0), (0.0, 0.0, 1.0), (1.0, -1.0, 0.0)]
    fig = mf.decision_boundary(
        xs, ys, P, X_train=Xtr, y_train=ytr, X_test=Xte, y_test=yte, neuron_lines=lines
    )
    check_common(fig)
    assert fig.layout.title.text == "Decision boundary"
    types = [type(t) for t in fig.data]
    assert types == [go.Heatmap, go.Contour, go.Scatter] + [go.Scatter] * 4
    hm, ct = fig.data[0], fig.data[1]
    assert len(hm.z) == 40 and len(hm.z[0]) == 40
    assert hm.zmin == 0 and hm.zmax == 1 and hm.zmid == 0.5
    assert ct.contours.start == ct.contours.end == 0.5
    # axis ranges exactly the grid, equal aspect
    assert tuple(fig.layout.xaxis.range) == (xs[0], xs[-1])
    assert tuple(fig.layout.yaxis.range) == (ys[0], ys[-1])
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    # points: train circles, test diamonds, split by class
    tr0, tr1, te0, te1 = fig.data[3:]
    assert len(tr0.x) + len(tr1.x) == 300 and len(te0.x) + len(te1.x) == 100
    assert len(tr1.x) == int(ytr.sum())
    assert tr0.marker.color == style.CLASS_COLORS[0] and tr1.marker.color == style.CLASS_COLORS[1]
    assert te0.marker.symbol == "diamond" and tr0.marker.symbol == "circle"
    # neuron lines: h3 (w1 = w2 = 0) skipped, labels kept per neuron index
    assert [a.text for a in fig.layout.annotations] == ["h1", "h2", "h4"]
    assert json_size(fig) < 80_000


def test_decision_boundary_heatmap_fills_the_axes_frame():
    xs, ys, P = _xor_grid(40)
    fig = mf.decision_boundary(xs, ys, np.full_like(P, 0.5), X_train=np.zeros((0, 2)), y_train=[])
    hm = fig.data[0]
    # cells are centred on the grid points, so the outer cells reach half a
    # cell past the axis range (which is the outer grid points) and are cut
    # off by the frame: no gap between colour and frame ...
    assert hm.x[0] == fig.layout.xaxis.range[0] and hm.x[-1] == fig.layout.xaxis.range[1]
    assert hm.y[0] == fig.layout.yaxis.range[0] and hm.y[-1] == fig.layout.yaxis.range[1]
    assert hm.x0 is None and hm.dx is None and hm.xtype is None
    # ... and no padding between the plot area and the frame (axis lines)
    assert fig.layout.margin.pad == 0
    assert fig.layout.xaxis.mirror is True and fig.layout.yaxis.mirror is True
    assert fig.layout.xaxis.constrain == fig.layout.yaxis.constrain == "domain"


def test_decision_boundary_line_labels():
    xs, ys, P = _xor_grid(10)
    X, y = np.zeros((1, 2)), np.zeros(1)
    line = [(0.8, -1.1, 0.1)]
    fig = mf.decision_boundary(xs, ys, P, X_train=X, y_train=y, neuron_lines=line)
    assert [a.text for a in fig.layout.annotations] == ["h1"]
    # no hidden layer: the one line is the output unit's
    fig = mf.decision_boundary(
        xs, ys, P, X_train=X, y_train=y, neuron_lines=line, line_labels=["out"]
    )
    check_common(fig)
    (label,) = fig.layout.annotations
    assert label.text == "out" and label.hovertext.startswith("out: 0.8")
    # labels follow the line index, also when a line is skipped
    fig = mf.decision_boundary(
        xs,
        ys,
        P,
        X_train=X,
        y_train=y,
        neuron_lines=[(0.0, 0.0, 1.0), (1.0, -1.0, 0.0)],
        line_labels=["a", "b"],
    )
    assert [a.text for a in fig.layout.annotations] == ["b"]
    with pytest.raises(ValueError):
        mf.decision_boundary(
            xs, ys, P, X_train=X, y_train=y, neuron_lines=line, line_labels=["a", "b"]
        )


def test_decision_boundary_line_labels_keep_apart(rng):
    # 16 units of a trained spiral net: lines cross near the plot's edges, and their
    # labels at one spot each used to stack into "h2h15"
    xs, ys, P = _xor_grid(20, lo=-1.5, hi=1.5)
    X, y = np.zeros((1, 2)), np.zeros(1)
    lines = [tuple(v) for v in rng.normal(size=(16, 3))]
    lines += [(1.0, 1.0, -0.01 * k) for k in range(4)]  # four lines almost on top of each other
    fig = mf.decision_boundary(xs, ys, P, X_train=X, y_train=y, neuron_lines=lines)
    labels = [(a.x, a.y) for a in fig.layout.annotations]
    gap_x, gap_y = (g * 3.0 for g in LABEL_GAP)
    for i, (xa, ya) in enumerate(labels):
        for xb, yb in labels[:i]:
            assert abs(xa - xb) > gap_x * 0.99 or abs(ya - yb) > gap_y * 0.99
    texts = [a.text for a in fig.layout.annotations]
    assert len(texts) == len(set(texts)) >= 12, texts
    assert "h17" in texts, "the first of the near-equal lines is labelled"
    # an unlabelled line is still drawn
    dashed = next(t for t in fig.data if getattr(t, "name", "") == "hidden neurons")
    assert sum(v is None for v in dashed.x) == sum(
        mf.clip_line_to_box(*ln, xs[0], xs[-1], ys[0], ys[-1]) is not None for ln in lines)


def test_decision_boundary_neuron_lines_clipped_inside():
    xs, ys, P = _xor_grid(20, lo=-1.0, hi=2.0)
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    lines = [
        (6.0, 6.0, -3.0),
        (1.0, 0.0, -0.25),
        (0.0, 2.0, -1.0),
        (1.0, 1e-9, -1.5),
        (3.0, -1.0, 0.5),
    ]
    fig = mf.decision_boundary(xs, ys, P, X_train=X, y_train=np.array([0, 1]), neuron_lines=lines)
    check_common(fig)
    tr = fig.data[2]
    assert tr.mode == "lines" and tr.line.dash == "dash"
    pts = [(x, y) for x, y in zip(tr.x, tr.y, strict=True) if x is not None]
    assert len(pts) == 2 * len(lines)
    eps = 1e-3
    for x, y in pts:
        assert xs[0] - eps <= x <= xs[-1] + eps
        assert ys[0] - eps <= y <= ys[-1] + eps
    # each segment lies on its line (up to 4-digit rounding)
    for k, (w1, w2, b) in enumerate(lines):
        for x, y in pts[2 * k : 2 * k + 2]:
            assert abs(w1 * x + w2 * y + b) < 1e-2 * (abs(w1) + abs(w2) + abs(b))
    for a in fig.layout.annotations:
        assert xs[0] <= a.x <= xs[-1] and ys[0] <= a.y <= ys[-1]


def test_clip_line_to_box_cases(rng):
    box = (-1.0, 1.0, -2.0, 2.0)
    assert mf.clip_line_to_box(0.0, 0.0, 1.0, *box) is None
    assert mf.clip_line_to_box(1.0, 0.0, -5.0, *box) is None  # x = 5, outside
    assert mf.clip_line_to_box(np.nan, 1.0, 0.0, *box) is None
    seg = mf.clip_line_to_box(1.0, 0.0, -0.5, *box)  # x = 0.5, vertical
    assert sorted(seg) == [(0.5, -2.0), (0.5, 2.0)]
    seg = mf.clip_line_to_box(0.0, 1.0, 0.0, *box)  # y = 0, horizontal
    assert sorted(seg) == [(-1.0, 0.0), (1.0, 0.0)]
    seg = mf.clip_line_to_box(2.0, -1.0, 0.0, *box)  # y = 2x through both corners
    assert sorted(seg) == [(-1.0, -2.0), (1.0, 2.0)]
    for _ in range(500):
        w1, w2, b = rng.normal(size=3)
        seg = mf.clip_line_to_box(w1, w2, b, *box)
        if seg is None:
            continue
        for x, y in seg:
            assert -1 - 1e-9 <= x <= 1 + 1e-9 and -2 - 1e-9 <= y <= 2 + 1e-9
            assert abs(w1 * x + w2 * y + b) < 1e-9


def test_decision_boundary_sanitises_and_no_colorbar(rng):
    xs, ys, P = _xor_grid(10)
    P = P.copy()
    P[0, 0] = np.nan
    P[1, 1] = np.inf
    P[2, 2] = -3.0
    P[3, 3] = 1.5
    X = np.array([[0.0, 0.0], [np.nan, 1.0], [1.0, 1.0]])
    y = np.array([[0.1], [0.9], [0.7]])  # probabilities, shape (n, 1)
    fig = mf.decision_boundary(
        xs,
        ys,
        P,
        X_train=X,
        y_train=y,
        neuron_lines=[(np.inf, 1.0, 0.0)],
        title="XOR",
    )
    check_common(fig)
    z = fig.data[0].z
    assert z[0][0] is None and z[1][1] == 1.0 and z[2][2] == 0.0 and z[3][3] == 1.0
    assert len(fig.data) == 4  # no neuron-line trace (the only line was not finite)
    assert len(fig.data[2].x) == 1 and len(fig.data[3].x) == 1  # NaN point dropped


def test_decision_boundary_rejects_wrong_shape():
    xs, ys, P = _xor_grid(10)
    with pytest.raises(ValueError):
        mf.decision_boundary(xs, ys, P.T[:, :9], X_train=np.zeros((1, 2)), y_train=np.zeros(1))


# --------------------------------------------------------------------------
# boundary_animation
# --------------------------------------------------------------------------


def test_boundary_animation_budget_and_controls(rng):
    xs = np.linspace(-0.5, 1.5, 30)
    epochs = list(np.linspace(0, 3000, 30).astype(int))
    frames = []
    for k in range(30):
        X, Y = np.meshgrid(xs, xs)
        frames.append(sigmoid((k / 10 + 0.1) * (6 * X - 6 * Y)) + rng.normal(0, 1e-3, X.shape))
    losses = [0.25 * np.exp(-e / 800) for e in epochs]
    losses[-1] = np.nan
    Xtr, ytr = _points(rng, 100)
    fig = mf.boundary_animation(xs, xs, frames, epochs, losses, X_train=Xtr, y_train=ytr)
    check_common(fig)
    assert [type(t) for t in fig.data] == [go.Heatmap, go.Scatter, go.Scatter]
    assert len(fig.frames) == 30
    for fr in fig.frames:
        assert fr.traces == (0,)
        assert len(fr.data) == 1 and isinstance(fr.data[0], go.Heatmap)
        assert len(fr.data[0].z) == 30
    assert "epoch 0" in fig.layout.title.text
    assert "diverged" in fig.frames[-1].layout.title.text
    slider = fig.layout.sliders[0]
    assert [s.label for s in slider.steps] == [str(e) for e in epochs]
    assert all(s.method == "animate" for s in slider.steps)
    assert [s.args[0][0] for s in slider.steps] == [f.name for f in fig.frames]
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.method for b in buttons] == ["animate", "animate"]
    assert "Play" in buttons[0].label and "Pause" in buttons[1].label
    assert tuple(fig.layout.xaxis.range) == (xs[0], xs[-1])
    assert fig.layout.margin.pad == 0  # frame touches the heatmap (also with the slider margin)
    assert json_size(fig) < 400_000


def test_boundary_animation_without_frames():
    xs = np.linspace(0, 1, 5)
    fig = mf.boundary_animation(
        xs, xs, [], [], [], X_train=np.zeros((2, 2)), y_train=np.array([0, 1])
    )
    check_common(fig)
    assert len(fig.frames) == 0


def test_boundary_animation_rejects_length_mismatch():
    xs = np.linspace(0, 1, 5)
    with pytest.raises(ValueError):
        mf.boundary_animation(
            xs, xs, [np.zeros((5, 5))], [0, 1], [0.1], X_train=np.zeros((1, 2)), y_train=np.zeros(1)
        )


# --------------------------------------------------------------------------
# sweeps
# --------------------------------------------------------------------------

HS = np.array([1, 2, 3, 4, 6, 8, 12, 16])
#: a single value and a range
RULES = [RuleMark(2, 2, "2/3 rule"), RuleMark(1, 3, "< 2x in (1-3)")]
#: the tutorial's three rules for 2 inputs and 1 output (as pages/sweep.py passes them)
XOR_RULES = [
    RuleMark(1, 3, "< 2x inputs (1-3)"),
    RuleMark(2, 2, "2/3 in + out (2)"),
    RuleMark(1, 2, "between out and in (1-2)"),
]


def rule_rows(fig) -> dict[str, int]:
    """Each rule's label and the row above the plot it was drawn in, read off the figure.

    A mark in the x range is a shape carrying its own label: a line reaches up to
    the bottom of its row, a band to the top of its row. A mark beside the range
    is an arrow annotation shifted up to its row.
    """
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    rows = {}
    for shape in fig.layout.shapes:
        assert (shape.layer, shape.xref, shape.yref) == ("between", "x", "paper")
        assert shape.label.font.color == style.RULE_COLOR
        assert shape.label.font.size < style.FONT_SIZE
        reach = (shape.y1 - 1) * plot_px / RULE_ROW_PX - (shape.type == "rect")
        assert reach == pytest.approx(round(reach), abs=0.05)
        rows[shape.label.text] = round(reach)
    for a in fig.layout.annotations:
        if a.font.color == style.RULE_COLOR:
            assert (a.xref, a.yref, a.y, a.yanchor, a.showarrow) == ("x", "paper", 1, "bottom",
                                                                     False)
            rows[a.text] = a.yshift // RULE_ROW_PX
    # a row each, so no two labels can overlap; the top margin holds the title and the rows
    assert sorted(rows.values()) == list(range(len(rows)))
    if rows:
        assert fig.layout.margin.t >= 34 + RULE_ROW_PX * len(rows)
    return rows


def test_sweep_summary_full():
    med = 0.2 / HS + 0.01
    fig = mf.sweep_summary(
        HS,
        median=med,
        q_low=med * 0.5,
        q_high=med * 2,
        metric_label="final test loss",
        param_counts=4 * HS + 1,
        rule_marks=RULES,
    )
    check_common(fig)
    assert fig.layout.yaxis.title.text == "final test loss"
    assert fig.layout.xaxis.title.text == "Hidden units"
    band, median, params = fig.data
    assert band.fill == "toself" and len(band.x) == 2 * len(HS)
    assert list(median.x) == list(HS) and all(isinstance(v, int) for v in median.x)
    assert list(fig.layout.xaxis.tickvals) == list(HS)
    # secondary axis: parameter count (named by its axis, not in the legend)
    assert params.yaxis == "y2" and params.line.dash == "dot" and params.showlegend is False
    assert fig.layout.yaxis2.overlaying == "y" and fig.layout.yaxis2.side == "right"
    # explicit x range around the sizes (annotations must not widen it)
    lo, hi = fig.layout.xaxis.range
    assert lo < 1 < 16 < hi and hi - lo < 17
    # single value: dotted line; range: translucent band low-0.5 .. high+0.5; behind the data
    line, rect = fig.layout.shapes
    assert line.type == "line" and line.line.dash == "dot" and line.x0 == line.x1 == 2
    assert rect.type == "rect" and (rect.x0, rect.x1) == (0.5, 3.5)
    assert rect.fillcolor == RULE_BAND_COLOR and rect.line.width == 0
    assert line.y0 == 0 and rect.y0 == 0
    # the line gets the lowest row, so it crosses no other label on its way up
    assert rule_rows(fig) == {"2/3 rule": 0, "< 2x in (1-3)": 1}
    # labels on the left half of the plot run rightwards from their mark
    assert line.label.xanchor == "left" and line.label.textangle == 0
    assert rect.label.textposition == "top left"


def test_sweep_summary_three_xor_rules_take_three_rows():
    h = np.arange(1, 17)
    fig = mf.sweep_summary(
        h,
        median=1 / h,
        q_low=0.5 / h,
        q_high=2 / h,
        metric_label="loss",
        param_counts=4 * h + 1,
        rule_marks=XOR_RULES,
    )
    check_common(fig)
    rows = rule_rows(fig)
    assert rows["2/3 in + out (2)"] == 0  # the line
    assert sorted(rows.values()) == [0, 1, 2]
    kinds = sorted((s.type, s.x0, s.x1) for s in fig.layout.shapes)
    assert kinds == [("line", 2, 2), ("rect", 0.5, 2.5), ("rect", 0.5, 3.5)]


def test_rule_marks_on_the_right_label_leftwards_and_beside_the_range_get_an_arrow():
    h = np.array([1, 2, 4, 8, 16])
    marks = [
        RuleMark(np.nan, np.nan, "nan"),
        RuleMark(100, 100, "far"),
        RuleMark(15, 15, "fifteen"),
        RuleMark(6, 4, "swapped"),
    ]
    fig = mf.sweep_summary(
        h, median=h * 1.0, q_low=h * 1.0, q_high=h * 1.0, metric_label="m", rule_marks=marks
    )
    check_common(fig)
    rows = rule_rows(fig)
    assert set(rows) == {"far \u2192", "fifteen", "swapped"}  # the NaN mark is skipped
    far = next(a for a in fig.layout.annotations if a.text == "far \u2192")
    assert far.xanchor == "right" and far.x == fig.layout.xaxis.range[1]
    shapes = {s.label.text: s for s in fig.layout.shapes}
    assert shapes["fifteen"].label.xanchor == "right"
    swapped = shapes["swapped"]
    assert (swapped.type, swapped.x0, swapped.x1) == ("rect", 3.5, 6.5)


def test_sweep_summary_sanitises_and_minimal():
    med = np.array([0.1, np.nan, 0.05, np.inf])
    h = np.array([1, 2, 3, 4])
    fig = mf.sweep_summary(
        h, median=med, q_low=med - 0.01, q_high=med + 0.01, metric_label="loss", title="Sweep"
    )
    check_common(fig)
    assert len(fig.data) == 2
    assert fig.data[1].y == (0.1, None, 0.05, None)
    assert len(fig.data[0].x) == 4  # band over the 2 finite sizes only
    with pytest.raises(ValueError):
        mf.sweep_summary(h, median=med[:3], q_low=med, q_high=med, metric_label="x")


def test_success_rate():
    rate = np.array([0.0, 0.55, 0.8, 0.9, 0.95, 1.0, 1.0, np.nan])
    ep = np.array([np.nan, 2100, 1500, 1200, 900, 800, 700, 650])
    fig = mf.success_rate(HS, rate, epochs_to_success_median=ep, rule_marks=RULES)
    check_common(fig)
    bar, line = fig.data
    assert isinstance(bar, go.Bar)
    assert bar.y == (0.0, 55.0, 80.0, 90.0, 95.0, 100.0, 100.0, None)
    assert list(fig.layout.xaxis.ticktext) == [str(h) for h in HS]
    assert line.yaxis == "y2" and line.y[0] is None
    assert fig.layout.yaxis2.side == "right"
    assert tuple(fig.layout.yaxis.range) == (0, 102)
    assert tuple(fig.layout.xaxis.range) == (-0.5, 7.5)
    # a bar text too small to read is hidden, not shrunk
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize >= 10
    rule_line, band = sorted(fig.layout.shapes, key=lambda sh: sh.type)
    # the line at size 2 (bar 1) starts just above that bar (55 %), not through it
    assert rule_line.type == "line" and rule_line.x0 == rule_line.x1 == 1
    assert rule_line.y0 == pytest.approx(56 / 102, abs=1e-3) and rule_line.layer == "between"
    # the band covers the slots of sizes 1..3 (bars 0..2) exactly
    assert band.type == "rect" and (band.x0, band.x1) == (-0.5, 2.5)
    assert rule_rows(fig) == {"2/3 rule": 0, "< 2x in (1-3)": 1}
    fig = mf.success_rate(HS, rate)
    check_common(fig)
    assert len(fig.data) == 1 and "shapes" not in fig.to_dict()["layout"]


def test_success_rate_rule_marks_between_sparse_sizes():
    h = np.array([1, 2, 4, 8, 16, 32, 64])
    rate = np.array([0.1, 0.5, 0.9, 1, 1, 1, 1.0])
    marks = [
        RuleMark(3, 3, "three"),          # between the bars of 2 and 4
        RuleMark(1, 3, "one to three"),   # sizes 1 and 2, and 3 (not swept)
        RuleMark(1, 1, "one"),            # on the short bar of size 1
        RuleMark(100, 200, "huge"),       # right of every bar
    ]
    fig = mf.success_rate(h, rate, rule_marks=marks)
    check_common(fig)
    shapes = {(s.type, s.x0): s for s in fig.layout.shapes}
    three = shapes[("line", 1.5)]
    assert three.y0 == 0  # between two bars: full height
    one = shapes[("line", 0)]
    assert one.y0 == pytest.approx((10 + 9) / 102, abs=1e-3)  # above the bar and its "10%"
    band = shapes[("rect", -0.5)]
    # reaches into the gap towards size 4 (not in the range), not into its bar
    assert 1.5 < band.x1 <= 2 - 0.35
    assert set(rule_rows(fig)) == {"three", "one to three", "one", "huge \u2192"}
    huge = next(a for a in fig.layout.annotations if a.text == "huge \u2192")
    assert huge.xanchor == "right"
    assert len(fig.layout.shapes) == 3


def test_success_rate_many_sizes_thin_tick_labels():
    h = np.arange(1, 17)
    fig = mf.success_rate(h, np.ones(16), rule_marks=XOR_RULES)
    check_common(fig)
    xa = fig.layout.xaxis
    assert list(xa.tickvals) == list(range(16))  # a tick per bar ...
    shown = [t for t in xa.ticktext if t]
    assert shown == ["1", "3", "5", "7", "9", "11", "13", "15"]  # ... a label on every 2nd
    assert xa.tickangle == 0
    assert len(rule_rows(fig)) == 3
    fig = mf.success_rate(np.arange(1, 11), np.ones(10))
    assert all(fig.layout.xaxis.ticktext)


# --------------------------------------------------------------------------
# comparison_bars
# --------------------------------------------------------------------------


def test_comparison_bars():
    fig = mf.comparison_bars(
        ["hidden layer", "no hidden layer"],
        [1.0, 0.5],
        title="XOR accuracy",
        y_title="accuracy",
        y_range=(0, 1),
    )
    check_common(fig)
    assert [type(t) for t in fig.data] == [go.Bar]
    assert list(fig.data[0].x) == ["hidden layer", "no hidden layer"]
    assert fig.data[0].y == (1.0, 0.5)
    assert list(fig.data[0].text) == ["1", "0.5"]
    assert tuple(fig.layout.yaxis.range) == (0, 1)
    assert fig.layout.yaxis.title.text == "accuracy"
    fig = mf.comparison_bars(["a", "b"], [np.nan, 0.3], title="t", y_title="y")
    check_common(fig)
    assert fig.data[0].y == (None, 0.3) and fig.data[0].text[0] == "n/a"


# --------------------------------------------------------------------------
# unvalidated construction: full validation here instead of at run time
# --------------------------------------------------------------------------

_NF = np.array([1.0, np.nan, 0.5, np.inf, -np.inf, 0.2])  # non-finite mix
_HS = np.array([1, 2, 3, 4, 6, 8, 12, 16])
_RULES_ODD = RULES + [
    RuleMark(np.nan, np.nan, "nan"),
    RuleMark(100, 120, "far"),     # beyond the last size
    RuleMark(0.5, 0.5, "left"),    # left of the first size
    RuleMark(3.5, 3.5, "between"),
]


def _net_weights(sizes, seed=0):
    g = np.random.default_rng(seed)
    return [g.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]


def _grid_probs(n=12):
    xs = np.linspace(-0.5, 1.5, n)
    X, Y = np.meshgrid(xs, xs)
    return xs, sigmoid(6 * X - 6 * Y)


def _bad_probs(n=12):
    _, P = _grid_probs(n)
    P = P.copy()
    P[0, 0], P[1, 1], P[2, 2] = np.nan, np.inf, -3.0
    return P


_G = np.random.default_rng(7)
_XTR = _G.uniform(-0.4, 1.4, (40, 2))
_YTR = (_XTR[:, 0] > _XTR[:, 1]).astype(int)
_XS, _P = _grid_probs()

#: name -> builder call; representative and edge-case inputs of every builder
BUILDS = {
    "loss: live size": lambda: mf.loss_curve(
        {
            "train": (np.arange(1000), np.linspace(1, 0, 1000)),
            "test": (np.arange(1000), np.ones(1000)),
        },
        marker_epoch=500,
    ),
    "loss: no series": lambda: mf.loss_curve({}),
    "loss: empty series, marker": lambda: mf.loss_curve(
        {"train": (np.array([], int), np.array([]))}, marker_epoch=3
    ),
    "loss: non-finite, diverged": lambda: mf.loss_curve(
        {"train": (np.arange(6), _NF), "test": (np.arange(6), _NF)},
        marker_epoch=1,
        diverged_epoch=4,
    ),
    "loss: log, non-positive": lambda: mf.loss_curve(
        {"train": (np.arange(6), np.array([1.0, 0.1, 0.0, -1.0, 0.01, np.nan]))},
        log_y=True,
        marker_epoch=2,
    ),
    "loss: log, 3 decades, diverged at the end": lambda: mf.loss_curve(
        {
            "hidden layer": (np.arange(1, 201), np.geomspace(0.5, 5e-4, 200)),
            "no hidden layer": (np.arange(1, 201), np.full(200, 0.5)),
        },
        log_y=True,
        diverged_epoch=200,
    ),
    "loss: one point, float epochs": lambda: mf.loss_curve(
        {"a": (np.array([0.5]), np.array([0.3]))}, marker_epoch=9
    ),
    "heatmap: 16x16": lambda: mf.weight_heatmap(_G.normal(size=(16, 16)), title="w (16x16)"),
    "heatmap: 20x17, no cell text": lambda: mf.weight_heatmap(_G.normal(size=(20, 17)), title="w"),
    "heatmap: bias, labels, zmax": lambda: mf.weight_heatmap(
        np.zeros(3), title="b", row_labels=["bias"], col_labels=["a", "b", "a"], zmax=2.0
    ),
    "heatmap: non-finite": lambda: mf.weight_heatmap(
        np.array([[np.nan, np.inf], [-np.inf, 0.5]]), title="x"
    ),
    "heatmap: all NaN": lambda: mf.weight_heatmap(np.full((2, 2), np.nan), title="x"),
    "diagram: 2-3-1": lambda: mf.network_diagram(
        [2, 3, 1], _net_weights([2, 3, 1]), [np.ones(3), np.ones(1)]
    ),
    "diagram: 2-16-16-1 live size": lambda: mf.network_diagram(
        [2, 16, 16, 1], _net_weights([2, 16, 16, 1]), [np.zeros(16), np.zeros(16), np.zeros(1)]
    ),
    "diagram: 2-64-64-1 truncated": lambda: mf.network_diagram(
        [2, 64, 64, 1],
        _net_weights([2, 64, 64, 1]),
    ),
    "diagram: non-finite": lambda: mf.network_diagram(
        [1, 3, 1],
        [np.array([[np.nan, np.inf, 1.0]]), np.array([[1.0], [-np.inf], [0.0]])],
        [np.array([np.nan, 0, 0]), np.array([np.inf])],
    ),
    "diagram: zero weights": lambda: mf.network_diagram([2, 2], [np.zeros((2, 2))]),
    "diagram: input layer only": lambda: mf.network_diagram([3], []),
    "boundary: 40x40, lines, test points": lambda: mf.decision_boundary(
        *_xor_grid(),
        X_train=_XTR,
        y_train=_YTR,
        X_test=_XTR[:8],
        y_test=_YTR[:8],
        neuron_lines=[(6.0, 6.0, -3.0), (0.0, 0.0, 1.0), (1.0, -1.0, 0.0)],
    ),
    "boundary: non-finite, no lines drawn": lambda: mf.decision_boundary(
        _XS,
        _XS,
        _bad_probs(),
        X_train=np.array([[0.0, 0.0], [np.nan, 1.0]]),
        y_train=np.array([[0.1], [0.9]]),
        neuron_lines=[(np.inf, 1.0, 0.0)],
    ),
    "boundary: no hidden layer, line_labels": lambda: mf.decision_boundary(
        _XS,
        _XS,
        np.full((_XS.size, _XS.size), 0.5),
        X_train=_XTR,
        y_train=_YTR,
        neuron_lines=[(0.8, -1.1, 0.1)],
        line_labels=["out"],
    ),
    "boundary: no points": lambda: mf.decision_boundary(
        _XS, _XS, _P, X_train=np.zeros((0, 2)), y_train=np.zeros(0)
    ),
    "replay: zero frames": lambda: mf.boundary_animation(
        _XS, _XS, [], [], [], X_train=_XTR, y_train=_YTR
    ),
    "replay: 3 frames, NaN loss": lambda: mf.boundary_animation(
        _XS,
        _XS,
        [_P, _bad_probs(), _P],
        [0, 10, 10],
        [0.3, np.nan, np.inf],
        X_train=_XTR,
        y_train=_YTR,
    ),
    "sweep: full": lambda: mf.sweep_summary(
        _HS,
        median=0.2 / _HS,
        q_low=0.1 / _HS,
        q_high=0.4 / _HS,
        metric_label="loss",
        param_counts=4 * _HS + 1,
        rule_marks=_RULES_ODD,
    ),
    "sweep: non-finite": lambda: mf.sweep_summary(
        np.arange(1, 7), median=_NF, q_low=_NF - 0.1, q_high=_NF + 0.1, metric_label="loss"
    ),
    "sweep: empty": lambda: mf.sweep_summary(
        np.array([]), median=np.array([]), q_low=np.array([]), q_high=np.array([]), metric_label="l"
    ),
    "sweep: 14 sizes": lambda: mf.sweep_summary(
        2 ** np.arange(14),
        median=np.ones(14),
        q_low=np.ones(14),
        q_high=np.ones(14),
        metric_label="l",
    ),
    "sweep: 16 sizes, three XOR rules": lambda: mf.sweep_summary(
        np.arange(1, 17),
        median=1 / np.arange(1, 17),
        q_low=0.5 / np.arange(1, 17),
        q_high=2 / np.arange(1, 17),
        metric_label="loss",
        param_counts=4 * np.arange(1, 17) + 1,
        rule_marks=XOR_RULES,
    ),
    "sweep: powers of two, rules": lambda: mf.sweep_summary(
        2 ** np.arange(7),
        median=np.ones(7),
        q_low=np.ones(7),
        q_high=np.ones(7),
        metric_label="l",
        rule_marks=_RULES_ODD,
    ),
    "success: 16 sizes, three XOR rules": lambda: mf.success_rate(
        np.arange(1, 17), np.linspace(0, 1, 16), rule_marks=XOR_RULES
    ),
    "success: sparse sizes, rules": lambda: mf.success_rate(
        2 ** np.arange(7), np.linspace(0.1, 1, 7), rule_marks=_RULES_ODD
    ),
    "success: full": lambda: mf.success_rate(
        _HS,
        np.array([0.0, 0.55, 0.8, 0.9, 0.95, 1.0, 1.0, np.nan]),
        epochs_to_success_median=np.array([np.nan, 2100, 1500, 1200, 900, 800, 700, 650]),
        rule_marks=_RULES_ODD,
    ),
    "success: empty": lambda: mf.success_rate(np.array([]), np.array([])),
    "success: one size": lambda: mf.success_rate(np.array([4]), np.array([0.5]), rule_marks=RULES),
    "bars: range": lambda: mf.comparison_bars(
        ["a", "b"], [1.0, 0.5], title="t", y_title="y", y_range=(0, 1)
    ),
    "bars: non-finite, empty range": lambda: mf.comparison_bars(
        ["a", "b", "c"], [np.nan, -1.0, np.inf], title="t", y_title="y", y_range=(1, 1)
    ),
    "bars: none": lambda: mf.comparison_bars([], [], title="t", y_title="y"),
}


def test_builds_cover_every_builder():
    called = {name.split(":")[0] for name in BUILDS}
    assert called == {
        "loss",
        "heatmap",
        "diagram",
        "boundary",
        "replay",
        "sweep",
        "success",
        "bars",
    }


@pytest.mark.parametrize("name", list(BUILDS))
def test_builder_output_passes_full_validation(name):
    """Builders skip plotly's validation; a full re-validation must accept
    their output unchanged (catches typos in property names and values
    plotly would coerce)."""
    fig = BUILDS[name]()
    assert isinstance(fig, go.Figure)
    spec = fig.to_dict()
    validated = go.Figure(spec)  # raises on an unknown property or bad value
    assert validated.to_dict() == spec
    assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    assert "template" in spec["layout"]  # never plotly's default template
    check_common(fig, axes=fig.layout.xaxis.visible is not False)


@pytest.mark.parametrize("name", ["loss: live size", "diagram: 2-16-16-1 live size"])
def test_builder_output_behaves_like_a_figure(name):
    fig = BUILDS[name]()
    assert fig.to_plotly_json()["layout"]["title"]["text"] == fig.layout.title.text
    assert len(fig.data) == len(fig.to_dict()["data"])
    # what st.plotly_chart does with a figure
    import plotly.io
    import plotly.tools

    sent = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    assert json.loads(plotly.io.to_json(sent, validate=False)) == json.loads(fig.to_json())
    # copies are ordinary (validated) figures with the same content
    assert copy.deepcopy(fig).to_dict() == fig.to_dict()


def test_unvalidated_typo_is_caught_by_revalidation():
    from mlp_figures._util import base_layout, make_figure

    fig = make_figure([{"type": "scatter", "x": [1], "markr": {"size": 3}}], base_layout("t", 360))
    with pytest.raises(ValueError):
        go.Figure(fig.to_dict())


def test_live_builders_do_not_validate_data_arrays(monkeypatch):
    """Guard against a return to ``go.Scatter(x=...)`` style construction:
    validating the data arrays is what made a redraw cost 20-50 ms."""
    from _plotly_utils import basevalidators

    def boom(self, v, *args, **kwargs):
        raise AssertionError(f"validated {self.parent_name}.{self.plotly_name}")

    monkeypatch.setattr(basevalidators.DataArrayValidator, "validate_coerce", boom)
    for name in BUILDS:
        if not name.startswith("replay: 3"):  # plotly always validates animation frames
            BUILDS[name]()


# --------------------------------------------------------------------------
# package hygiene
# --------------------------------------------------------------------------


def test_package_is_pure():
    code = (
        "import sys, mlp_figures; print([m for m in ('streamlit', 'mlp_core') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    pattern = re.compile(r"^\s*(from|import)\s+(streamlit|mlp_core|mlp_ui)\b", re.MULTILINE)
    for src in (ROOT / "mlp_figures").glob("*.py"):
        assert not pattern.search(src.read_text()), src


def test_all_builders_exported():
    for name in (
        "loss_curve",
        "weight_heatmap",
        "network_diagram",
        "decision_boundary",
        "boundary_animation",
        "sweep_summary",
        "success_rate",
        "comparison_bars",
    ):
        assert callable(getattr(mf, name)) and name in mf.__all__


def test_figure_hands_its_spec_to_streamlit_and_builds_the_tree_on_first_use():
    """What st.plotly_chart sends must not depend on whether plotly's tree exists."""
    fig = BUILDS["loss: live size"]()
    sent_lazily = fig.to_json()
    assert fig.to_dict() is fig.to_dict()           # no copy before the tree exists
    fig.update_layout(title_text="edited")          # first real use builds the figure
    assert fig.layout.title.text == "edited"
    assert fig.to_dict() is not fig.to_dict()       # plotly's own copies from now on
    assert fig.to_dict()["layout"]["title"]["text"] == "edited"
    unedited = json.loads(sent_lazily)
    unedited["layout"]["title"]["text"] = "edited"
    assert json.loads(fig.to_json()) == unedited
