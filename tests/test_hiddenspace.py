"""Hidden space (mlp_core.hiddenspace): a layer's activations of the points and the plane's grid."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.hiddenspace import (
    drawable_layers,
    hidden_space,
    layer_activations,
    plane_grid_lines,
)
from mlp_core.network import Network
from mlp_core.training import TrainConfig, Trainer

XOR = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)


def one_point_at_a_time(net: Network, point: np.ndarray, layer: int) -> np.ndarray:
    """The tutorial's arithmetic for one point, written out: features, then x·W + b, f."""
    x1, x2 = point
    table = {"x1": x1, "x2": x2, "x1sq": x1 * x1, "x2sq": x2 * x2, "x1x2": x1 * x2,
             "sinx1": np.sin(x1), "sinx2": np.sin(x2)}
    a = np.array([table[n] for n in net.features]) if net.features else np.array(point)
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
         "relu": lambda z: np.maximum(z, 0.0)}[net.hidden_activation]
    for W, b in zip(net.weights[:layer], net.biases[:layer]):
        a = f(np.array([sum(a[i] * W[i, j] for i in range(len(a))) + b[j]
                        for j in range(W.shape[1])]))
    return a


@pytest.mark.parametrize("hidden, activation, features", [
    ((2,), "tanh", None),
    ((3,), "sigmoid", None),
    ((3, 2), "relu", None),
    ((2, 2), "tanh", ("x1", "x2", "x1sq", "x2sq", "x1x2")),
])
def test_points_and_grid_are_the_forward_pass_activations(hidden, activation, features):
    net = Network.create(2, hidden, activation=activation, bias=True, init="xavier", seed=3,
                         features=features)
    X = np.random.default_rng(0).uniform(-2, 2, (25, 2))
    grid = plane_grid_lines((-2.0, 2.0, -1.5, 1.5), n_lines=5, n_samples=7)
    for layer in range(1, len(hidden) + 1):
        space = hidden_space(net, X, layer, grid)
        _, acts = net.forward(X)
        np.testing.assert_allclose(space.points, acts[layer], rtol=0, atol=1e-12)
        _, grid_acts = net.forward(grid.reshape(-1, 2))
        np.testing.assert_allclose(space.lines, grid_acts[layer].reshape(10, 7, -1),
                                   rtol=0, atol=1e-12)
        for i in (0, 7, 24):
            np.testing.assert_allclose(space.points[i], one_point_at_a_time(net, X[i], layer),
                                       rtol=0, atol=1e-12)
        assert space.points.shape == (25, hidden[layer - 1])


def test_grid_lines_run_edge_to_edge_and_hit_the_gates_corners():
    grid = plane_grid_lines((-0.5, 1.5, -0.5, 1.5), n_lines=9, n_samples=30)
    assert grid.shape == (18, 30, 2)
    vertical, horizontal = grid[:9], grid[9:]
    assert np.all(vertical[:, :, 0] == vertical[:, :1, 0])        # x1 constant along each
    assert np.all(horizontal[:, :, 1] == horizontal[:, :1, 1])    # x2 constant along each
    assert set(vertical[:, 0, 0]) >= {0.0, 0.5, 1.0}
    assert vertical[:, 0, 1].tolist() == [-0.5] * 9 and vertical[:, -1, 1].tolist() == [1.5] * 9
    with pytest.raises(ValueError, match="at least 2 lines"):
        plane_grid_lines((0, 1, 0, 1), n_lines=1)


def test_separator_is_the_output_units_line_only_for_the_top_layer():
    net = Network.create(2, (2, 2), activation="tanh", bias=True, seed=1)
    grid = plane_grid_lines((0, 1, 0, 1), 3, 3)
    assert hidden_space(net, XOR, 1, grid).separator is None
    w, b = hidden_space(net, XOR, 2, grid).separator
    np.testing.assert_array_equal(w, net.weights[2][:, 0])
    assert b == net.biases[2][0]
    # h·w + b is the output unit's input: the output is 0.5 exactly on the line
    h = layer_activations(net, XOR, 2)
    np.testing.assert_allclose(h @ w + b, net.output_pre_activation(XOR), rtol=0, atol=1e-12)
    softmax = Network.create(2, (2,), n_outputs=2, output="softmax", bias=True)
    assert hidden_space(softmax, XOR, 1, grid).separator is None


def test_trained_xor_is_split_by_one_line_in_the_hidden_space():
    """The lesson: in the plane no line splits XOR; in the trained layer's space one does."""
    data = make_dataset("xor")
    net = Network.create(2, (2,), activation="tanh", bias=True, init="xavier", seed=0)
    Trainer(net, data.X_train, data.y_train,
            TrainConfig(lr=0.5, epochs=3000, loss="bce")).train()
    space = hidden_space(net, data.X_train, 1, plane_grid_lines(data.bounds()))
    w, b = space.separator
    assert np.array_equal(space.points @ w + b >= 0, data.y_train == 1)


@pytest.mark.parametrize("kwargs, layers", [
    (dict(hidden=(2,)), [1]),
    (dict(hidden=(3, 3)), [1, 2]),
    (dict(hidden=(16,)), []),
    (dict(hidden=(16, 2)), [2]),
    (dict(hidden=()), []),
    (dict(hidden=(2,), n_outputs=3, output="softmax"), [1]),
    (dict(hidden=(2,), n_outputs=2, output="sigmoid"), []),       # independent labels
    (dict(hidden=(2,), output="linear"), []),                    # regression
    (dict(hidden=(2,), features=("x1sq", "x2sq", "x1x2")), [1]),  # still points of a plane
    (dict(n_inputs=4, hidden=(2,)), []),
])
def test_drawable_layers(kwargs, layers):
    assert drawable_layers(Network.create(**kwargs)) == layers


def test_layer_must_be_hidden():
    net = Network.create(2, (2,))
    with pytest.raises(ValueError, match="hidden layer, 1 to 1"):
        layer_activations(net, XOR, 2)
