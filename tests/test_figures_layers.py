"""mlp_figures.layers: what a live chart draws once, apart from what moves."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from mlp_figures import decision_boundary, loss_curve, regression_fit_1d, regression_surface_2d
from mlp_figures.layers import CLEAR, boundary_field, points_layer


def _boundary(**kw):
    rng = np.random.default_rng(0)
    xs, ys = np.linspace(-1, 1, 6), np.linspace(-2, 2, 5)
    probs = rng.random((5, 6))
    probs[0, 0] = np.nan
    X = rng.normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(float)
    return xs, ys, probs, decision_boundary(xs, ys, probs, X_train=X, y_train=y, **kw)


def test_points_layer_moves_the_markers_and_the_legend_over_the_rest():
    _, _, _, fig = _boundary(X_test=np.zeros((3, 2)), y_test=np.array([0, 1, 1]))
    base, layer = points_layer(fig)
    spec, b, top = fig.to_dict(), base.to_dict(), layer.to_dict()
    assert [t["type"] for t in b["data"]] == ["heatmap", "contour"]
    assert [t["name"] for t in top["data"]] == ["class 0", "class 1", "test: 0", "test: 1"]
    assert top["data"] == spec["data"][2:]                  # the same traces, untouched
    assert b["layout"]["showlegend"] is False
    # The layer's plot has the same place and scale, drawn on nothing.
    for axis in ("xaxis", "yaxis"):
        assert {**spec["layout"][axis], "visible": False} == top["layout"][axis]
    assert top["layout"]["margin"] == spec["layout"]["margin"]
    assert top["layout"]["height"] == spec["layout"]["height"]
    assert top["layout"]["paper_bgcolor"] == top["layout"]["plot_bgcolor"] == CLEAR
    assert "title" not in top["layout"]
    go.Figure(b), go.Figure(top)                            # valid plotly figures


def test_points_layer_leaves_a_figure_alone_without_points_or_with_a_second_legend():
    loss = loss_curve({"train": (np.arange(1, 5), np.array([1.0, 0.5, 0.3, 0.2]))},
                      log_y=False)
    assert points_layer(loss) == (loss, None)
    x = np.linspace(-1, 1, 9)
    grid = np.linspace(-1, 1, 20)
    fit = regression_fit_1d(x, x ** 2, None, None, grid, grid ** 2)
    assert points_layer(fit) == (fit, None)                 # its line is in the legend


def test_boundary_field_carries_the_heatmap_and_its_level_line_as_numbers():
    _, _, _, fig = _boundary()
    rest, field = boundary_field(fig)
    spec, r = fig.to_dict(), rest.to_dict()
    heat, contour = spec["data"][0], spec["data"][1]
    assert field["z"] == heat["z"] and field["z"][0][0] is None      # blank cells stay blank
    assert (field["x"], field["y"]) == (heat["x"], heat["y"])
    assert (field["zmin"], field["zmax"], field["level"]) == (0, 1, 0.5)
    assert field["colorscale"] == heat["colorscale"] and field["line"] == contour["line"]
    # The rest keeps the points, the axes, the title and the colour bar, on a clear plot.
    scale = r["data"][0]["marker"]
    assert scale["showscale"] and scale["colorbar"] == heat["colorbar"]
    assert (scale["cmin"], scale["cmax"], scale["colorscale"]) == (0, 1, heat["colorscale"])
    assert r["data"][1:] == spec["data"][2:]
    assert r["layout"]["paper_bgcolor"] == r["layout"]["plot_bgcolor"] == CLEAR
    assert r["layout"]["xaxis"] == spec["layout"]["xaxis"]
    go.Figure(r)


def test_boundary_field_is_only_for_a_decision_boundary():
    loss = loss_curve({"train": (np.arange(1, 5), np.array([1.0, 0.5, 0.3, 0.2]))},
                      log_y=False)
    assert boundary_field(loss) is None


def test_boundary_field_leaves_a_predicted_surface_whole():
    """Its heatmap has no fixed scale and its contours many levels: not one canvas field."""
    xs = ys = np.linspace(-1.0, 1.0, 5)
    surface = regression_surface_2d(xs, ys, np.outer(ys, xs), np.zeros((3, 2)), np.arange(3.0))
    assert boundary_field(surface) is None
