"""Tests of the figures for real problems (issue 14): many classes, images, regression,
and the hidden-size sweep on real data. Each test reads the figure's data back."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import mlp_figures as mf
from mlp_figures import style
from mlp_figures.sweeps import RuleMark
from tests.test_figures import check_common, rule_rows, walk_finite


def full_validation(fig: go.Figure) -> None:
    """The unvalidated spec is what plotly's full validation makes of it (no typos)."""
    spec = fig.to_dict()
    validated = go.Figure(spec)
    assert validated.to_dict() == spec
    assert json.loads(fig.to_json()) == json.loads(validated.to_json())
    assert "template" in spec["layout"]


def texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


# --------------------------------------------------------------------------
# confusion matrix, per-class accuracy
# --------------------------------------------------------------------------

IRIS = ["setosa", "versicolor", "virginica"]


def test_confusion_matrix_counts_shares_and_recall():
    C = np.array([[10, 0, 0], [1, 8, 1], [0, 3, 7]])
    fig = mf.confusion_matrix_figure(C, IRIS)
    check_common(fig)
    full_validation(fig)
    assert fig.layout.title.text == "Confusion matrix"
    (hm,) = fig.data
    assert list(hm.x) == IRIS and list(hm.y) == IRIS
    assert fig.layout.yaxis.autorange == "reversed"  # class 0 in the top row
    assert fig.layout.yaxis.title.text == "true class"
    assert fig.layout.xaxis.title.text == "predicted class"
    # colour = row-normalised share: row 1 has 10 rows, 8 on the diagonal
    assert np.allclose(np.array(hm.z, dtype=float), C / C.sum(axis=1, keepdims=True), atol=1e-4)
    assert (hm.zmin, hm.zmax) == (0, 1)
    cells = {(a.y, a.x): a for a in fig.layout.annotations if a.xref == "x"}
    assert len(cells) == 9
    assert {k: a.text for k, a in cells.items()} == {
        (i, j): str(C[i, j]) for i in range(3) for j in range(3)
    }
    # white text on the dark (high-share) cells only
    assert cells[(0, 0)].font.color == style.TEXT_LIGHT
    assert cells[(2, 1)].font.color == style.TEXT_DARK
    recall = [a for a in fig.layout.annotations if a.xref == "paper"]
    assert [a.text for a in recall] == ["recall 1.00", "recall 0.80", "recall 0.70"]
    assert [a.y for a in recall] == [0, 1, 2] and all(a.x == 1 for a in recall)
    assert fig.layout.margin.r >= 90  # room for the recall column
    assert "3 of 10 rows (30%)" in hm.customdata[2][1]


def test_confusion_matrix_reads_for_ten_classes_and_says_na_for_an_empty_class():
    C = np.eye(10, dtype=int) * 20
    C[3] = 0
    C[9, 4] = 5
    fig = mf.confusion_matrix_figure(C, [str(i) for i in range(10)])
    check_common(fig)
    assert fig.layout.height >= 400
    recall = [a.text for a in fig.layout.annotations if a.xref == "paper"]
    assert recall[3] == "recall n/a" and recall[9] == "recall 0.80" and recall[0] == "recall 1.00"
    assert sum(a.xref == "x" for a in fig.layout.annotations) == 100
    assert np.array(fig.data[0].z, dtype=float)[3].tolist() == [0.0] * 10  # no NaN row


def test_confusion_matrix_without_rows_has_a_note_and_rejects_bad_input():
    for C in (np.zeros((3, 3), int), np.zeros((0, 0), int)):
        fig = mf.confusion_matrix_figure(C, IRIS[: len(C)])
        check_common(fig)
        full_validation(fig)
        assert fig.data == () and texts(fig) == ["No test rows to count yet"]
    with pytest.raises(ValueError):
        mf.confusion_matrix_figure(np.zeros((2, 3), int))
    with pytest.raises(ValueError):
        mf.confusion_matrix_figure(np.eye(3, dtype=int), ["a", "b"])
    with pytest.raises(ValueError):
        mf.confusion_matrix_figure(-np.eye(2))


def test_row_recall():
    from mlp_figures.confusion import row_recall

    r = row_recall(np.array([[3, 1], [0, 0]]))
    assert r[0] == 0.75 and np.isnan(r[1])


def test_per_class_accuracy_bars_in_class_colours():
    fig = mf.per_class_accuracy_figure(np.array([1.0, 0.5, np.nan, 0.1]), list("abcd"))
    check_common(fig)
    full_validation(fig)
    (bar,) = fig.data
    assert list(bar.x) == list("abcd")
    assert bar.y == (1.0, 0.5, None, 0.1)
    assert list(bar.marker.color) == list(style.CLASS_PALETTE[:4])
    assert list(bar.text) == ["1", "0.5", "n/a", "0.1"]
    assert list(bar.textposition) == ["inside", "inside", "outside", "outside"]
    assert tuple(fig.layout.yaxis.range) == (0, 1.05)
    fig = mf.per_class_accuracy_figure(np.array([]))
    check_common(fig)
    assert texts(fig) == ["No classes yet"]


def test_class_palette_is_ten_distinct_colours_starting_with_the_binary_pair():
    pal = style.CLASS_PALETTE
    assert len(pal) == 10 and pal[:2] == style.CLASS_COLORS
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in pal], dtype=float)
    d = np.sqrt(((rgb[:, None] - rgb[None]) ** 2).sum(-1))
    assert d[np.triu_indices(10, 1)].min() > 70  # far apart in RGB
    assert np.all(rgb.sum(axis=1) < 3 * 225)  # none too pale to see on white


def test_all_new_figures_are_json_clean():
    for fig in (mf.confusion_matrix_figure(np.array([[1, 2], [3, 4]])),
                mf.per_class_accuracy_figure(np.array([0.3, np.inf]))):
        walk_finite(fig.to_plotly_json())


# --------------------------------------------------------------------------
# images: first-layer weights, misclassified inputs
# --------------------------------------------------------------------------


def grid_check(fig):
    """A grid of tiles: titled, clean JSON, tiles on their own hidden, square axes."""
    check_common(fig, axes=False)
    full_validation(fig)
    for i, tr in enumerate(fig.data):
        suffix = "" if i == 0 else str(i + 1)
        assert (tr.xaxis, tr.yaxis) == (f"x{suffix}", f"y{suffix}")
        ya = fig.layout[f"yaxis{suffix}"]
        assert ya.scaleanchor == f"x{suffix}" and ya.visible is False
        assert ya.range[0] > ya.range[1]  # image row 0 at the top
        assert tr.coloraxis == "coloraxis"


def test_digit_weight_images_one_8x8_tile_per_unit_on_one_scale_centred_at_zero():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(64, 5))
    W[9, 2] = 4.0  # the largest |w| sets the scale
    fig = mf.digit_weight_images(W)
    grid_check(fig)
    assert fig.layout.title.text == "First-layer weights as 8x8 images"
    assert len(fig.data) == 5
    z = np.array(fig.data[2].z, dtype=float)
    assert z.shape == (8, 8) and z[1, 1] == 4.0  # input 9 = row 1, column 1
    assert np.allclose(np.array(fig.data[0].z, dtype=float), W[:, 0].reshape(8, 8), atol=5e-4)
    ca = fig.layout.coloraxis
    assert (ca.cmin, ca.cmax, ca.cmid) == (-4.0, 4.0, 0)
    assert ca.colorscale[0][1] == style.DIVERGING_SCALE[0][1]
    assert texts(fig) == ["h1", "h2", "h3", "h4", "h5"]


def test_digit_weight_images_caps_wide_layers_and_says_so():
    fig = mf.digit_weight_images(np.ones((64, 256)))
    grid_check(fig)
    assert len(fig.data) == 32
    assert fig.layout.title.text.endswith("first 32 of 256 units")
    assert texts(fig)[-1] == "h32"
    assert fig.layout.height <= 500
    # 8 tiles a row, 4 rows, none overlapping
    doms = sorted({tuple(fig.layout[f"xaxis{s}"].domain) for s in ["", *map(str, range(2, 33))]})
    assert len(doms) == 8 and all(a[1] <= b[0] for a, b in zip(doms, doms[1:]))
    with pytest.raises(ValueError):
        mf.digit_weight_images(np.ones((63, 4)))


def test_weight_images_any_square_input_and_a_note_without_units():
    fig = mf.weight_images(np.arange(784 * 3, dtype=float).reshape(784, 3), unit_names=list("abc"))
    grid_check(fig)
    assert fig.layout.title.text == "First-layer weights as 28x28 images"
    assert np.array(fig.data[0].z).shape == (28, 28) and texts(fig) == list("abc")
    with pytest.raises(ValueError, match="square"):
        mf.weight_images(np.ones((10, 2)))
    fig = mf.weight_images(np.ones((64, 0)))
    check_common(fig, axes=False)
    assert fig.data == () and texts(fig) == ["No hidden units"]
    fig = mf.weight_images(np.array([[np.nan, np.inf, 0.0, 1.0]]).T)  # 2x2, non-finite
    walk_finite(fig.to_plotly_json())
    assert [list(r) for r in fig.data[0].z] == [[None, 1.0], [0.0, 1.0]]


def test_misclassified_images_only_the_wrong_ones_titled_true_and_predicted():
    m = 30
    X = np.tile(np.arange(64.0), (m, 1)) / 4
    true = np.arange(m) % 10
    pred = true.copy()
    wrong = [2, 5, 7]
    pred[wrong] = [8, 0, 1]
    X[5, 0] = 16.0
    fig = mf.misclassified_images(X, true, pred, [f"d{c}" for c in range(10)])
    grid_check(fig)
    assert fig.layout.title.text == "Misclassified test images (3)"
    assert texts(fig) == ["true d2<br>\u2192 predicted d8", "true d5<br>\u2192 predicted d0",
                          "true d7<br>\u2192 predicted d1"]
    assert np.array(fig.data[1].z, dtype=float)[0, 0] == 16.0
    assert np.array(fig.data[0].z).shape == (8, 8)
    ca = fig.layout.coloraxis
    assert ca.showscale is False and (ca.cmin, ca.cmax) == (0.0, 16.0)
    assert ca.colorscale[0][1] == "#FFFFFF" and ca.colorscale[-1][1] == "#000000"


def test_misclassified_images_caps_at_24_and_has_a_friendly_note_when_none():
    m = 40
    fig = mf.misclassified_images(np.zeros((m, 64)), np.zeros(m, int), np.ones(m, int))
    grid_check(fig)
    assert len(fig.data) == 24 and fig.layout.title.text.endswith("(24 of 40)")
    assert texts(fig)[0] == "true 0<br>\u2192 predicted 1"
    fig = mf.misclassified_images(np.zeros((3, 64)), np.arange(3), np.arange(3))
    check_common(fig, axes=False)
    full_validation(fig)
    assert fig.data == () and texts(fig) == ["None: all 3 test images are classified right"]
    fig = mf.misclassified_images(np.zeros((0, 64)), np.zeros(0), np.zeros(0))
    assert texts(fig) == ["No test images yet"]
    with pytest.raises(ValueError):
        mf.misclassified_images(np.zeros((3, 64)), np.arange(3), np.arange(2))


# --------------------------------------------------------------------------
# decision regions in k colours
# --------------------------------------------------------------------------


def _hex(c):
    return np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _regions_input(k, g=5):
    xs = np.linspace(-1, 1, g)
    ys = np.linspace(0, 2, g + 1)
    P = np.full((ys.size, xs.size, k), 0.0)
    P[..., 0] = 1.0  # sure of class 0 ...
    P[0, 0] = 1.0 / k  # ... except a cell where every class is as likely
    P[1, 2] = 0.0
    P[1, 2, k - 1] = 1.0  # and one sure of the last class
    return xs, ys, P


@pytest.mark.parametrize("k", [2, 3, 10])
def test_class_regions_colour_is_the_top_class_lightness_its_probability(k):
    xs, ys, P = _regions_input(k)
    X = np.c_[np.linspace(-1, 1, 2 * k), np.linspace(0, 2, 2 * k)]
    y = np.arange(2 * k) % k
    fig = mf.class_regions(xs, ys, P, X_train=X, y_train=y, X_test=X[:3], y_test=y[:3],
                           class_names=[f"c{c}" for c in range(k)])
    check_common(fig)
    full_validation(fig)
    img = fig.data[0]
    assert img.type == "image"
    assert (img.x0, img.dx, img.y0, img.dy) == (-1.0, 0.5, 0.0, 0.4)
    z = np.array(img.z, dtype=float)
    assert z.shape == (6, 5, 3)
    lo, hi = mf.boundary.REGION_SHADE
    white = np.full(3, 255.0)
    sure0 = white + hi * (_hex(style.CLASS_PALETTE[0]) - white)
    assert np.allclose(z[3, 3], sure0, atol=0.6)  # row i = ys[i], column j = xs[j]
    surelast = white + hi * (_hex(style.CLASS_PALETTE[k - 1]) - white)
    assert np.allclose(z[1, 2], surelast, atol=0.6)
    unsure = white + lo * (_hex(style.CLASS_PALETTE[0]) - white)
    assert np.allclose(z[0, 0], unsure, atol=0.6)  # paler where the net is unsure
    assert img.hovertext[1][2] == f"c{k - 1} (100%)"
    # one legend entry per class, in its colour; test points join their class's group
    train = fig.data[1:1 + k]
    assert [t.name for t in train] == [f"c{c}" for c in range(k)]
    assert [t.marker.color for t in train] == list(style.CLASS_PALETTE[:k])
    assert [len(t.x) for t in train] == [2] * k
    test = fig.data[1 + k:1 + 2 * k]
    assert all(t.showlegend is False and t.marker.symbol == "diamond" for t in test)
    assert [t.legendgroup for t in test] == [t.legendgroup for t in train]
    assert sum(len(t.x) for t in test) == 3
    assert fig.data[-1].name == "test points"
    assert tuple(fig.layout.xaxis.range) == (-1, 1) and tuple(fig.layout.yaxis.range) == (0, 2)


def test_class_regions_for_a_projection_sigmoid_and_bad_cells():
    xs = np.linspace(0, 1, 4)
    P = np.full((4, 4, 1), 0.9)  # one sigmoid output: P(class 1)
    P[0, 0, 0] = np.nan
    X = np.array([[0.1, 0.1], [np.nan, 0.5], [0.9, 0.9]])
    fig = mf.class_regions(xs, xs, P, X_train=X, y_train=np.array([[1, 0], [0, 1], [0, 1.0]]),
                           x_title="PC 1", y_title="PC 2", equal_aspect=False)
    check_common(fig)
    full_validation(fig)
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == ("PC 1", "PC 2")
    assert fig.layout.yaxis.scaleanchor is None
    z = np.array(fig.data[0].z)
    assert z[0, 0].tolist() == [255, 255, 255] and fig.data[0].hovertext[0][0] == "n/a (0%)"
    white = np.full(3, 255.0)
    share = mf.boundary.REGION_SHADE[0] + 0.8 * np.diff(mf.boundary.REGION_SHADE)[0]
    assert np.allclose(z[2, 2], white + share * (_hex(style.POS_COLOR) - white), atol=0.6)
    assert [t.name for t in fig.data[1:]] == ["class 0", "class 1"]
    assert [len(t.x) for t in fig.data[1:]] == [1, 1]  # the NaN point is dropped
    with pytest.raises(ValueError):
        mf.class_regions(xs, xs, np.ones((4, 4)), X_train=X, y_train=np.zeros(3))
    with pytest.raises(ValueError, match="evenly"):
        mf.class_regions(np.array([0, 1, 3.0]), xs, np.ones((4, 3, 2)) / 2,
                         X_train=X, y_train=np.zeros(3))
    with pytest.raises(ValueError):
        mf.class_regions(xs, xs, np.ones((4, 4, 11)), X_train=X, y_train=np.zeros(3))


# --------------------------------------------------------------------------
# regression
# --------------------------------------------------------------------------


def _sine_fit(h=3):
    g = np.random.default_rng(3)
    x = np.linspace(-3, 3, 20)
    y = np.sin(x)
    grid = np.linspace(-3, 3, 50)
    C = np.stack([np.tanh(grid - c) * w for c, w in zip(np.linspace(-2, 2, h),
                                                        g.normal(size=h), strict=True)], 1)
    return x, y, grid, C


def test_regression_fit_1d_points_curve_and_unit_contributions_that_add_up():
    x, y, grid, C = _sine_fit(3)
    pred = C.sum(axis=1) + 0.25
    fig = mf.regression_fit_1d(x, y, x[:5] + 0.1, y[:5], grid, pred, C, ["a", "b", "c"],
                               output_bias=0.25)
    check_common(fig)
    full_validation(fig)
    names = [t.name for t in fig.data]
    assert names == ["train", "test"] + ["hidden units (3)"] * 3 + ["output bias 0.25", "network"]
    train, test, *units, bias, net = fig.data
    assert len(train.x) == 20 and len(test.x) == 5 and test.marker.symbol == "diamond"
    assert np.allclose(np.array(net.y, dtype=float), pred, atol=1e-3 * np.abs(pred).max())
    # the unit curves are one legend group with one entry, a colour and a hover name each
    assert {t.legendgroup for t in units} == {"hidden units"} == {bias.legendgroup}
    assert [t.showlegend for t in units] == [True, False, False] and bias.showlegend is False
    assert len({t.line.color for t in units}) == 3
    assert [t.hovertemplate.split(":")[0] for t in units] == ["a", "b", "c"]
    total = sum(np.array(t.y, dtype=float) for t in units) + np.array(bias.y).mean()
    assert np.allclose(total, np.array(net.y, dtype=float), atol=5e-3)
    assert bias.line.dash == "dash" and bias.y == (0.25, 0.25) and bias.x == (-3.0, 3.0)
    assert fig.layout.yaxis.range[0] <= -1 and fig.layout.yaxis.range[1] >= 1


def test_regression_fit_1d_wide_layer_is_one_trace_and_huge_units_do_not_flatten_the_fit():
    x, y, grid, C = _sine_fit(64)
    C[:, 0] *= 1000
    fig = mf.regression_fit_1d(x, y, None, None, grid, np.sin(grid), C)
    check_common(fig)
    full_validation(fig)
    assert [t.name for t in fig.data] == ["train", "hidden units (64)", "network"]
    units = fig.data[1]
    assert len(units.x) == 64 * 51 and units.text[0] == "h1" and units.text[-2] == "h64"
    lo, hi = fig.layout.yaxis.range
    assert -2.3 < lo < -1 and 1 < hi < 2.3  # y span 2: at most 1 beyond it, plus 6 % pad


def test_regression_fit_1d_without_units_bias_alone_and_bad_input():
    x, y, grid, _ = _sine_fit()
    fig = mf.regression_fit_1d(x.reshape(-1, 1), y.reshape(-1, 1), None, None, grid,
                               np.sin(grid), output_bias=0.5)
    check_common(fig)
    assert [t.name for t in fig.data] == ["train", "output bias 0.5", "network"]
    assert fig.data[1].showlegend is True
    y_bad = y.copy()
    y_bad[0] = np.nan
    fig = mf.regression_fit_1d(x, y_bad, None, None, grid, np.where(grid > 0, np.inf, 0.0))
    check_common(fig)
    assert len(fig.data[0].x) == 19 and None in fig.data[-1].y
    fig = mf.regression_fit_1d(np.zeros(0), np.zeros(0), None, None, np.zeros(0), np.zeros(0))
    check_common(fig)
    assert texts(fig) == ["No data yet"]
    with pytest.raises(ValueError):
        mf.regression_fit_1d(x, y, None, None, grid, np.sin(grid), np.ones((3, 2)))
    with pytest.raises(ValueError):
        mf.regression_fit_1d(x, y[:3], None, None, grid, np.sin(grid))


def test_regression_surface_2d_points_on_the_surface_colour_scale():
    x1 = np.linspace(-1, 1, 5)
    x2 = np.linspace(0, 2, 4)
    Z = x1[None, :] + x2[:, None]  # (gy, gx): row i is x2[i]
    P = np.array([[0.0, 1.0], [1.0, 2.0], [np.nan, 0.0]])
    t = np.array([1.0, 5.0, 0.0])  # the target 5 widens the scale beyond the surface's 3
    fig = mf.regression_surface_2d(x1, x2, Z, P, t, test_points=P[:1], test_targets=t[:1],
                                   target_name="height")
    check_common(fig)
    full_validation(fig)
    heat, contour, train, test = fig.data
    assert np.array(heat.z, dtype=float)[3, 4] == 3.0 and heat.coloraxis == "coloraxis"
    assert contour.contours.coloring == "none" and contour.showscale is False
    assert train.marker.coloraxis == "coloraxis" and list(train.marker.color) == [1.0, 5.0]
    assert test.marker.symbol == "diamond" and list(test.marker.color) == [1.0]
    ca = fig.layout.coloraxis
    assert (ca.cmin, ca.cmax) == (-1.0, 5.0) and ca.colorbar.title.text == "height"
    assert fig.layout.yaxis.scaleanchor == "x"
    with pytest.raises(ValueError):
        mf.regression_surface_2d(x1, x2, Z.T, P, t)
    fig = mf.regression_surface_2d(x1, x2, np.zeros((4, 5)), np.zeros((0, 2)), np.zeros(0))
    check_common(fig)
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (-0.5, 0.5)


# --------------------------------------------------------------------------
# hidden-size sweep on real data
# --------------------------------------------------------------------------

DIGIT_RULES = [RuleMark(10, 64, "between (10-64)"), RuleMark(52, 52, "2/3 (52)"),
               RuleMark(1, 127, "< 2x in (< 128)")]


def _scores(widths, s=4, seed=0):
    g = np.random.default_rng(seed)
    w = np.asarray(widths, float)
    base = 0.95 - 0.4 * np.exp(-w / 5)
    train = base[:, None] + 0.03 + g.normal(0, 0.005, (w.size, s))
    test = base[:, None] + g.normal(0, 0.005, (w.size, s))
    return train, test


def test_best_widths_highest_mean_and_smallest_within_one_standard_error():
    widths = np.array([1, 2, 4, 8])
    test = np.array([[0.5, 0.5, 0.5], [0.88, 0.9, 0.92], [0.9, 0.95, 1.0], [0.8, 0.8, np.nan]])
    # best: 4 (mean 0.95, SE = 0.05 / sqrt 3 = 0.0289); width 2's mean 0.90 < 0.921
    assert mf.best_widths(widths, test) == (4.0, 4.0)
    test[1] = [0.92, 0.93, 0.94]  # mean 0.93 >= 0.921: the smaller width is enough
    assert mf.best_widths(widths, test) == (4.0, 2.0)
    assert mf.best_widths(widths[:1], np.array([[0.7]])) == (1.0, 1.0)  # one seed: SE 0
    best, one_se = mf.best_widths(widths, np.full((4, 2), np.nan))
    assert np.isnan(best) and np.isnan(one_se)


def test_hidden_size_scores_curves_bands_runs_and_marks():
    widths = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256])
    train, test = _scores(widths)
    test[5] += 0.1  # 32 is the best width by far
    fig = mf.hidden_size_scores(widths, train, test, DIGIT_RULES, "accuracy",
                                seeds=[11, 12, 13, 14])
    check_common(fig)
    full_validation(fig)
    assert fig.layout.yaxis.title.text == "accuracy"
    tb, tm, truns, sb, sm, sruns = fig.data
    assert [t.name for t in (tm, sm)] == ["train: median, quartile band",
                                          "test: median, quartile band"]
    assert [t.showlegend for t in fig.data] == [False, None, False, False, None, False]
    assert {t.legendgroup for t in (tb, tm, truns)} == {"train"}
    assert np.allclose(np.array(sm.y, dtype=float), np.median(test, axis=1), atol=5e-4)
    q1, q3 = np.quantile(test, [0.25, 0.75], axis=1)
    band_y = np.array(sb.y, dtype=float)
    assert np.allclose(band_y[:9], q3, atol=5e-4) and np.allclose(band_y[9:], q1[::-1], atol=5e-4)
    assert sb.fill == "toself" and len(sb.x) == 18
    # every run is a point that names its model
    assert len(sruns.x) == 36 and len(truns.x) == 36
    assert sorted(map(tuple, sruns.customdata)) == sorted(
        (int(w), s) for w in widths for s in (11, 12, 13, 14))
    i = next(k for k, cd in enumerate(sruns.customdata) if tuple(cd) == (32, 13))
    assert sruns.y[i] == pytest.approx(test[5, 2], abs=5e-4)
    assert 30 < sruns.x[i] < 34  # set a little beside its width, not on another
    # widths span 256x: a log axis with a tick at every width
    assert fig.layout.xaxis.type == "log" and list(fig.layout.xaxis.tickvals) == list(widths)
    lo, hi = fig.layout.xaxis.range
    assert 10 ** lo < 1 and 10 ** hi > 256
    rows = rule_rows(fig)
    assert set(rows) == {"between (10-64)", "2/3 (52)", "< 2x in (< 128)",
                         "best mean held-out = smallest within 1 SE (32)"}
    line = next(s for s in fig.layout.shapes if s.label.text.startswith("best"))
    assert line.type == "line" and line.x0 == line.x1 == 32  # data units on a log axis
    band = next(s for s in fig.layout.shapes if s.label.text.startswith("between"))
    assert (band.x0, band.x1) == (9.5, 64.5)


def test_hidden_size_scores_marks_best_and_one_se_apart_on_a_linear_axis():
    widths = np.array([2, 4, 8, 16])
    train, test = _scores(widths, s=3)
    # best 16 (mean 0.91, SE 0.02 / sqrt 3 = 0.0115): width 4's mean 0.90 is within it
    test[:] = [[0.5, 0.5, 0.5], [0.85, 0.9, 0.95], [0.86, 0.9, 0.94], [0.89, 0.91, 0.93]]
    fig = mf.hidden_size_scores(widths, train, test, [RuleMark(21, 21, "2/3 (21)")], "accuracy",
                                spread="minmax")
    check_common(fig)
    assert fig.layout.xaxis.type is None and fig.layout.xaxis.range[0] < 2
    assert fig.data[4].name == "test: median, min-max band"
    band_y = np.array(fig.data[3].y, dtype=float)
    assert band_y[1] == 0.95 and band_y[-2] == 0.85  # max of width 4, min of width 4
    rows = rule_rows(fig)
    assert set(rows) == {"best mean held-out (16)", "smallest within 1 SE of best (4)",
                         "2/3 (21) \u2192"}
    shapes = {s.label.text: (s.x0, s.x1) for s in fig.layout.shapes}
    assert shapes["best mean held-out (16)"] == (16, 16)
    assert shapes["smallest within 1 SE of best (4)"] == (4, 4)
    # the seeds' x offsets stay within a fifth of the gap between widths
    xs = np.array(fig.data[5].x, dtype=float).reshape(4, 3)
    assert np.all(np.abs(xs - widths[:, None]) <= 0.2 * 2)


def test_hidden_size_scores_r2_axis_stops_at_minus_one_and_gaps_and_empty_input():
    widths = np.array([1, 2, 4])
    train, test = _scores(widths, s=2)
    test[0, 0] = -40.0
    test[1, 1] = np.nan
    fig = mf.hidden_size_scores(widths, train, test, (), "R\u00b2")
    check_common(fig)
    full_validation(fig)
    assert fig.layout.yaxis.title.text == "R\u00b2" and fig.layout.yaxis.range[0] == -1.05
    assert len(fig.data[5].x) == 5  # the NaN run is no point
    fig = mf.hidden_size_scores(np.array([]), np.zeros((0, 3)), np.zeros((0, 3)))
    check_common(fig)
    full_validation(fig)
    assert fig.data == () and texts(fig) == ["No data yet"]
    with pytest.raises(ValueError):
        mf.hidden_size_scores(widths, train, test[:2])
    with pytest.raises(ValueError):
        mf.hidden_size_scores(widths[::-1], train, test)
    with pytest.raises(ValueError):
        mf.hidden_size_scores(widths, train, test, spread="sd")


def test_rule_marks_beside_a_log_range_point_at_its_edge_in_exponents():
    widths = np.array([4, 8, 16, 32, 64, 128])
    train, test = _scores(widths, s=2)
    fig = mf.hidden_size_scores(widths, train, test, [RuleMark(1, 1, "one"),
                                                      RuleMark(500, 600, "huge")])
    arrows = {a.text: a for a in fig.layout.annotations}
    assert arrows["\u2190 one"].x == fig.layout.xaxis.range[0]
    assert arrows["huge \u2192"].x == fig.layout.xaxis.range[1]


def test_every_new_builder_is_exported():
    for name in ("confusion_matrix_figure", "per_class_accuracy_figure", "digit_weight_images",
                 "weight_images", "misclassified_images", "class_regions", "regression_fit_1d",
                 "regression_surface_2d", "hidden_size_scores",
                 "best_widths"):
        assert callable(getattr(mf, name)) and name in mf.__all__


def test_new_builders_do_not_validate_data_arrays(monkeypatch):
    """They assemble plain dicts, as the live builders do (see test_figures.py)."""
    from _plotly_utils import basevalidators

    def boom(self, v, *args, **kwargs):
        raise AssertionError(f"validated {self.parent_name}.{self.plotly_name}")

    monkeypatch.setattr(basevalidators.DataArrayValidator, "validate_coerce", boom)
    widths = np.array([1, 2, 4])
    train, test = _scores(widths)
    x, y, grid, C = _sine_fit(3)
    xs, ys, P = _regions_input(3)
    mf.confusion_matrix_figure(np.eye(3, dtype=int))
    mf.per_class_accuracy_figure(np.ones(3))
    mf.digit_weight_images(np.ones((64, 40)))
    mf.misclassified_images(np.ones((5, 64)), np.arange(5), np.zeros(5))
    mf.class_regions(xs, ys, P, X_train=np.zeros((2, 2)), y_train=np.arange(2))
    mf.regression_fit_1d(x, y, x, y, grid, C.sum(1), C, output_bias=0.1)
    mf.regression_fit_1d(x, y, None, None, grid, C.sum(1), np.ones((grid.size, 40)))
    mf.regression_surface_2d(xs, ys, P[..., 0], np.zeros((2, 2)), np.zeros(2))
    mf.hidden_size_scores(widths, train, test, DIGIT_RULES)


def test_confusion_matrix_zero_cells_are_quiet():
    from mlp_figures.confusion import ZERO_TEXT_COLOR

    fig = mf.confusion_matrix_figure(np.array([[5, 0], [1, 4]]))
    colors = {(a.y, a.x): a.font.color for a in fig.layout.annotations if a.xref == "x"}
    assert colors[(0, 1)] == ZERO_TEXT_COLOR
    assert colors[(1, 0)] == style.TEXT_DARK and colors[(0, 0)] == style.TEXT_LIGHT


def test_class_regions_markers_shrink_with_many_points():
    xs, ys, P = _regions_input(3)
    few = mf.class_regions(xs, ys, P, X_train=np.zeros((30, 2)), y_train=np.zeros(30))
    many = mf.class_regions(xs, ys, P, X_train=np.zeros((1800, 2)), y_train=np.zeros(1800))
    assert few.data[1].marker.size == style.TRAIN_MARKER_SIZE
    assert many.data[1].marker.size == pytest.approx(0.6 * style.TRAIN_MARKER_SIZE, abs=0.05)
