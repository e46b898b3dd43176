"""The hidden-space figure (mlp_figures.hiddenspace): frames, fixed axes, size, validity."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import mlp_figures as figs
from mlp_core.datasets import make_dataset
from mlp_core.hiddenspace import hidden_space, plane_grid_lines
from mlp_core.network import Network
from mlp_core.training import TrainConfig, Trainer
from mlp_figures import style
from mlp_figures.hiddenspace import plane_in_box
from mlp_ui.hidden_space import GRID_LINES, GRID_SAMPLES, MAX_FRAMES, frame_indices
from tests.test_figures import check_common

# What the Playground may send for one chart (tests/test_app_playground.py's budget).
MAX_FIGURE_BYTES = 200_000


def validated(fig: go.Figure) -> dict:
    """The figure's dict after plotly's full validation, which must not change it."""
    spec = fig.to_dict()
    assert go.Figure(spec).to_dict() == spec
    return spec


def synthetic(u: int, F: int = 5, separators: bool = True) -> go.Figure:
    rng = np.random.default_rng(0)
    points = [np.tanh(rng.normal(0, 1 + k, (6, u))) for k in range(F)]
    lines = [np.tanh(rng.normal(0, 1 + k, (4, 7, u))) for k in range(F)]
    seps = [(np.ones(u), -0.1 * k) for k in range(F)] if separators else None
    return figs.hidden_space_animation(points, lines, np.array([0, 1, 0, 1, 1, 0]),
                                       [10 * k for k in range(F)], layer=1, separators=seps,
                                       start=2)


@pytest.mark.parametrize("u", [2, 3])
def test_frames_controls_and_names(u):
    fig = synthetic(u)
    spec = validated(fig)
    check_common(fig, axes=u == 2)
    names = [t["name"] for t in spec["data"]]
    assert names == ["grid of the plane", "w·h + b = 0", "class 0", "class 1"]
    kinds = [t["type"] for t in spec["data"]]
    assert kinds == (["scatter"] * 4 if u == 2 else ["scatter3d", "mesh3d", "scatter3d",
                                                     "scatter3d"])
    assert len(spec["frames"]) == 5
    assert all(f["traces"] == [0, 1, 2, 3] for f in spec["frames"])
    slider = spec["layout"]["sliders"][0]
    assert slider["active"] == 2 and [s["label"] for s in slider["steps"]] == \
        ["0", "10", "20", "30", "40"]
    assert [s["args"][0][0] for s in slider["steps"]] == [f["name"] for f in spec["frames"]]
    buttons = spec["layout"]["updatemenus"][0]["buttons"]
    assert "Play" in buttons[0]["label"] and "Pause" in buttons[1]["label"]
    # the first picture is the start frame's
    assert spec["data"][2] == {**spec["data"][2], **spec["frames"][2]["data"][2]}
    assert spec["layout"]["title"]["text"] == "Hidden layer 1 \u2014 epoch 20"
    assert spec["data"][2]["marker"]["color"] == style.CLASS_COLORS[0]


@pytest.mark.parametrize("u", [2, 3])
def test_axes_are_fixed_over_every_frame_and_hold_all_of_it(u):
    spec = validated(synthetic(u))
    axes = ([spec["layout"]["scene"][f"{a}axis"] for a in "xyz"] if u == 3
            else [spec["layout"]["xaxis"], spec["layout"]["yaxis"]])
    assert [a["title"]["text"] for a in axes] == [
        f"unit {j}" + ("" if u == 3 else " of hidden layer 1") for j in range(1, u + 1)]
    for a, axis in zip("xyz", axes):
        lo, hi = axis["range"]
        values = [v for f in spec["frames"] for t in f["data"] if t["type"] != "mesh3d"
                  for v in t[a] if v is not None]
        assert lo <= min(values) and max(values) <= hi
        assert max(values) - min(values) > 0.8 * (hi - lo)     # and not much more
    assert all("xaxis" not in f.get("layout", {}) for f in spec["frames"])


def test_one_frame_is_a_still_picture_and_no_separator_without_one():
    rng = np.random.default_rng(1)
    fig = figs.hidden_space_animation([rng.random((3, 2))], [rng.random((2, 4, 2))],
                                      np.array([0, 1, 1]), [0], layer=2)
    spec = validated(fig)
    assert "frames" not in spec or not spec["frames"]
    assert "sliders" not in spec["layout"]
    assert [t["name"] for t in spec["data"]] == ["grid of the plane", "class 0", "class 1"]


def test_non_finite_activations_become_gaps_not_nan():
    points = [np.array([[np.nan, 1.0], [0.5, np.inf]]), np.array([[0.1, 0.2], [0.3, 0.4]])]
    lines = [np.full((2, 3, 2), np.nan), np.zeros((2, 3, 2))]
    fig = figs.hidden_space_animation(points, lines, np.array([0, 1]), [0, 5], layer=1,
                                      separators=[(np.array([np.nan, 1.0]), 0.0), None])
    check_common(fig)
    validated(fig)


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="shape \\(n, 2\\) or \\(n, 3\\)"):
        figs.hidden_space_animation([np.zeros((3, 4))], [np.zeros((1, 2, 4))],
                                    np.zeros(3), [0], layer=1)
    with pytest.raises(ValueError, match="same length"):
        figs.hidden_space_animation([np.zeros((3, 2))], [], np.zeros(3), [0], layer=1)
    with pytest.raises(ValueError, match="2 labels for 3 points"):
        figs.hidden_space_animation([np.zeros((3, 2))], [np.zeros((1, 2, 2))],
                                    np.zeros(2), [0], layer=1)


def test_plane_in_box_is_the_planes_polygon_inside_the_box():
    box = [(0.0, 1.0), (-1.0, 1.0), (0.0, 2.0)]
    w, b = np.array([1.0, 1.0, 1.0]), -1.5
    poly = plane_in_box(w, b, box)
    np.testing.assert_allclose(poly @ w + b, 0, atol=1e-9)
    for j, (lo, hi) in enumerate(box):
        assert np.all((poly[:, j] >= lo - 1e-12) & (poly[:, j] <= hi + 1e-12))
    # in order around the polygon: consecutive edges all turn the same way
    edges = np.roll(poly, -1, axis=0) - poly
    turns = np.cross(edges, np.roll(edges, -1, axis=0)) @ w
    assert np.all(turns > 0) or np.all(turns < 0)
    unit = [(0.0, 1.0)] * 3
    assert len(plane_in_box(np.ones(3), -1.5, unit)) == 6        # the cube's hexagon
    assert len(plane_in_box(np.array([0.0, 0.0, 1.0]), -0.5, unit)) == 4
    assert plane_in_box(np.ones(3), -5.0, unit) is None           # misses the box
    assert plane_in_box(np.zeros(3), 1.0, unit) is None


def xor_figure(hidden: int, activation: str, epochs: int) -> go.Figure:
    """The Playground's figure for XOR on a 2-hidden-2-1 net after ``epochs`` epochs."""
    data = make_dataset("xor")
    net = Network.create(2, (hidden,), activation=activation, bias=True, init="xavier")
    trainer = Trainer(net, data.X_train, data.y_train,
                      TrainConfig(lr=0.5, epochs=epochs, loss="bce"))
    trainer.train()
    grid = plane_grid_lines(data.bounds(), GRID_LINES, GRID_SAMPLES[hidden])
    picks = frame_indices(len(trainer.snapshot_epochs), len(trainer.snapshot_epochs) // 3)
    spaces = [hidden_space(trainer.network_at(i), data.X_train, 1, grid) for i in picks]
    return figs.hidden_space_animation(
        [s.points for s in spaces], [s.lines for s in spaces], data.y_train,
        [trainer.snapshot_epochs[i] for i in picks], layer=1,
        separators=[s.separator for s in spaces])


@pytest.mark.parametrize("hidden, activation", [(2, "tanh"), (3, "sigmoid"), (3, "relu")])
def test_xor_figure_stays_small(hidden, activation):
    fig = xor_figure(hidden, activation, 3000)
    assert len(fig.frames) in (MAX_FRAMES, MAX_FRAMES + 1)  # + the moment if it is between two
    size = len(fig.to_json())
    print(f"XOR 2-{hidden}-1 {activation}: {size:,} bytes")
    assert size < MAX_FIGURE_BYTES
    json.loads(fig.to_json(), parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
