"""The loss landscape: planes through weight space, the loss on a grid and along lines.

The batched loss is checked against the reference path's ``evaluate`` (one network
at a time), the planes against what they promise (orthonormal, through the start,
holding every path that lies in a plane), and the random directions against Li et
al.'s filter normalisation written out here.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.landscape import (
    MAX_LANDSCAPE_WORK,
    MIN_GRID_RESOLUTION,
    filter_normalized_direction,
    grid_resolution,
    landscape,
    line_losses,
    losses_at,
    macs_per_row,
    parameter_names,
    trainable_mask,
    weight_plane,
)
from mlp_core.network import Network
from mlp_core.reference import evaluate

CASES = [
    # (inputs, hidden, outputs, output, activation, bias, loss)
    (2, (3,), 1, "sigmoid", "sigmoid", False, "sse"),
    (2, (4, 3), 1, "sigmoid", "tanh", True, "bce"),
    (2, (5,), 3, "softmax", "relu", True, "ce"),
    (1, (4,), 1, "linear", "tanh", True, "mse"),
]


def _data(n_in: int, k: int, output: str, rng):
    X = rng.normal(size=(7, n_in))
    if output == "softmax":
        y = rng.integers(0, k, size=7).astype(float)
    elif output == "linear":
        y = rng.normal(size=7)
    else:
        y = rng.integers(0, 2, size=7).astype(float)
    return X, y


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[1]}-{c[3]}-{c[6]}")
def test_batched_loss_equals_the_reference_loss_of_each_network(case):
    n_in, hidden, k, output, act, bias, loss = case
    rng = np.random.default_rng(3)
    net = Network.create(n_in, hidden, n_outputs=k, output=output, activation=act, bias=bias,
                         init="xavier", seed=1)
    X, y = _data(n_in, k, output, rng)
    thetas = rng.normal(size=(9, net.n_params)) * trainable_mask(net)
    got = losses_at(net, X, net.encode_targets(y), loss, thetas)
    want = [evaluate(net.with_params(t), X, y, loss)[0] for t in thetas]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_batched_loss_is_the_same_in_small_batches(monkeypatch):
    net = Network.create(2, (6,), bias=True, seed=2)
    rng = np.random.default_rng(0)
    X, y = _data(2, 1, "sigmoid", rng)
    thetas = rng.normal(size=(40, net.n_params))
    whole = losses_at(net, X, net.encode_targets(y), "sse", thetas)
    import mlp_core.landscape as landscape_module
    monkeypatch.setattr(landscape_module, "MAX_BATCH_FLOATS", 1)
    np.testing.assert_array_equal(losses_at(net, X, net.encode_targets(y), "sse", thetas), whole)


def test_overflowing_loss_is_nan_not_inf():
    net = Network.create(2, (3,), output="linear", bias=True, seed=0)
    X = np.array([[1e200, 1e200]])
    theta = np.full(net.n_params, 1e200)
    assert np.isnan(losses_at(net, X, np.array([[0.0]]), "sse", theta[None])[0])


def test_trainable_mask_and_names_follow_the_params_layout():
    net = Network.create(2, (3,), bias=False)
    mask = trainable_mask(net)
    assert mask.sum() == net.n_trainable == 9
    names = parameter_names(net)
    assert len(names) == net.n_params
    view = net.with_params(np.arange(net.n_params, dtype=float))
    # W1[1,2] is weights[0][1, 2]; b1 slots are not trainable without bias
    assert view.params[names.index("W1[1,2]")] == view.weights[0][1, 2]
    assert not mask[names.index("b1[0]")]
    assert trainable_mask(Network.create(2, (3,), bias=True)).all()


def test_plane_of_paths_in_a_plane_holds_them_exactly():
    net = Network.create(2, (4,), bias=True, seed=0)
    rng = np.random.default_rng(1)
    start = net.params.copy()
    d1, d2 = rng.normal(size=(2, net.n_params))
    coeffs = rng.normal(size=(30, 2))
    points = start + coeffs[:, :1] * d1 + coeffs[:, 1:] * d2
    plane = weight_plane(net, start, points, rng)
    assert plane.kind == "pca"
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    np.testing.assert_array_equal(plane.origin, start)
    # every point is where its coordinates say: nothing is lost in the projection
    np.testing.assert_allclose(plane.to_params(plane.coords(points)), points, atol=1e-10)
    assert plane.captured == pytest.approx(1.0)
    assert plane.shares[0] >= plane.shares[1] > 0
    assert "of the paths' spread" in plane.titles[0]


def test_first_direction_is_the_one_the_paths_spread_most_along():
    net = Network.create(2, (3,), seed=0)
    start = net.params.copy()
    mask = trainable_mask(net)
    big = np.where(mask, 1.0, 0.0) * np.arange(net.n_params)
    big /= np.linalg.norm(big)
    small = np.zeros(net.n_params)
    small[np.flatnonzero(mask)[0]] = 1.0
    small -= (small @ big) * big
    small /= np.linalg.norm(small)
    t = np.linspace(-1, 1, 21)[:, None]
    points = np.vstack([start + 10 * t * big, start + 0.5 * t * small])
    plane = weight_plane(net, start, points, np.random.default_rng(0))
    assert abs(plane.axes[0] @ big) == pytest.approx(1.0)
    assert abs(plane.axes[1] @ small) == pytest.approx(1.0)


def test_paths_on_a_line_get_one_random_direction_orthogonal_to_it():
    net = Network.create(2, (3,), bias=True, seed=0)
    start = net.params.copy()
    d = np.random.default_rng(5).normal(size=net.n_params)
    points = start + np.linspace(0, 1, 10)[:, None] * d
    plane = weight_plane(net, start, points, np.random.default_rng(0))
    assert plane.kind == "pca+random"
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    assert abs(plane.axes[0] @ d) / np.linalg.norm(d) == pytest.approx(1.0)
    assert np.isnan(plane.shares[1])
    assert plane.titles[1].startswith("random direction")


def test_paths_that_never_moved_get_two_random_directions_without_bias_slots():
    net = Network.create(2, (3,), bias=False, seed=0)
    start = net.params.copy()
    plane = weight_plane(net, start, np.tile(start, (5, 1)), np.random.default_rng(0))
    assert plane.kind == "random"
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    assert np.all(plane.axes[:, ~trainable_mask(net)] == 0)


def test_filter_normalised_direction_matches_each_units_weight_norm():
    net = Network.create(3, (4, 2), bias=True, seed=7)
    d = net.with_params(filter_normalized_direction(net, np.random.default_rng(0)))
    for W_d, W in zip(d.weights, net.weights):
        # one "filter" is a unit's incoming weights: a column of W (n_in, n_out)
        np.testing.assert_allclose(np.linalg.norm(W_d, axis=0), np.linalg.norm(W, axis=0))
    for b in d.biases:
        assert np.all(b == 0)


def test_two_trainable_weights_give_the_exact_surface_over_them():
    net = Network.create(1, (1,), output="linear", bias=False, seed=0)
    assert net.n_trainable == 2
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 1)), rng.normal(size=6)
    points = net.params + rng.normal(size=(4, net.n_params)) * trainable_mask(net)
    plane = weight_plane(net, net.params, points, rng)
    assert plane.kind == "exact"
    # the coordinates are the weights themselves
    np.testing.assert_allclose(plane.coords(points), points[:, trainable_mask(net)])
    land = landscape(net, X, net.encode_targets(y), "mse", plane, points, resolution=5)
    w1, w2 = land.us[3], land.vs[1]
    params = np.zeros(net.n_params)
    params[trainable_mask(net)] = (w1, w2)
    assert land.loss[1, 3] == pytest.approx(evaluate(net.with_params(params), X, y, "mse")[0])


def test_landscape_window_holds_every_point_with_room_to_spare():
    net = Network.create(2, (3,), seed=0)
    rng = np.random.default_rng(2)
    X, y = _data(2, 1, "sigmoid", rng)
    start = net.params.copy()
    points = start + rng.normal(size=(20, net.n_params)) * trainable_mask(net)
    plane = weight_plane(net, start, points, rng)
    land = landscape(net, X, net.encode_targets(y), "sse", plane, points, resolution=7)
    uv = plane.coords(points)
    assert land.loss.shape == (7, 7)
    assert land.us[0] < uv[:, 0].min() and uv[:, 0].max() < land.us[-1]
    assert land.vs[0] < uv[:, 1].min() and uv[:, 1].max() < land.vs[-1]
    # each cell is the loss of the network at that point of the plane
    theta = plane.to_params(np.array([[land.us[2], land.vs[5]]]))[0]
    assert land.loss[5, 2] == pytest.approx(evaluate(net.with_params(theta), X, y, "sse")[0])


def test_line_losses_run_from_the_start_to_the_final_vector():
    net = Network.create(2, (3,), bias=True, seed=0)
    rng = np.random.default_rng(4)
    X, y = _data(2, 1, "sigmoid", rng)
    final = net.params + rng.normal(size=net.n_params)
    alphas = np.array([0.0, 0.5, 1.0])
    got = line_losses(net, X, net.encode_targets(y), "bce", net.params, final, alphas)
    want = [evaluate(net.with_params(p), X, y, "bce")[0]
            for p in (net.params, (net.params + final) / 2, final)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_grid_resolution_is_cut_to_the_work_budget():
    small = Network.create(2, (3,))
    assert grid_resolution(small, 4) == 41
    wide = Network.create(2, (64, 64), bias=True)
    rows = 100
    g = grid_resolution(wide, rows)
    assert MIN_GRID_RESOLUTION <= g < 41
    assert g * g * rows * macs_per_row(wide) <= MAX_LANDSCAPE_WORK
    assert grid_resolution(Network.create(784, (256, 256), n_outputs=10, output="softmax"),
                           5000) == MIN_GRID_RESOLUTION


def test_landscape_of_a_real_data_set_runs_on_its_rows():
    data = make_dataset("spiral", samples=120, noise=0.05, test_fraction=0.0, seed=0)
    net = Network.create(2, (16, 16), activation="tanh", bias=True, seed=0)
    Y = net.encode_targets(data.y_train)
    points = net.params + np.random.default_rng(0).normal(size=(10, net.n_params))
    plane = weight_plane(net, net.params, points, np.random.default_rng(0))
    land = landscape(net, data.X_train, Y, "bce", plane, points, resolution=9)
    assert np.all(np.isfinite(land.loss))


def test_landscape_rows_fit_the_smallest_grid_in_the_work_budget():
    from mlp_core.landscape import landscape_rows
    small = Network.create(2, (3,))
    assert landscape_rows(small, 200) == 200
    digits = Network.create(64, (32,), n_outputs=10, output="softmax")
    m = landscape_rows(digits, 1437)
    assert 1 <= m < 1437
    assert MIN_GRID_RESOLUTION ** 2 * m * macs_per_row(digits) <= MAX_LANDSCAPE_WORK


def test_loss_volume_is_the_loss_at_each_weight_triple():
    from mlp_core.landscape import loss_volume
    net = Network.create(2, (1,), bias=False, seed=0)
    assert net.n_trainable == 3
    rng = np.random.default_rng(0)
    X, y = _data(2, 1, "sigmoid", rng)
    points = net.params + rng.normal(size=(6, net.n_params)) * trainable_mask(net)
    vol = loss_volume(net, X, net.encode_targets(y), "sse", points, resolution=5)
    assert vol.loss.shape == (5, 5, 5) and vol.titles == ("W1[0,0]", "W1[1,0]", "W2[0,0]")
    xyz = vol.coords(points)
    for a, c in zip(vol.axes, xyz.T):
        assert a[0] < c.min() and c.max() < a[-1]
    params = np.zeros(net.n_params)
    params[vol.slots] = (vol.axes[0][1], vol.axes[1][3], vol.axes[2][4])
    assert vol.loss[1, 3, 4] == pytest.approx(evaluate(net.with_params(params), X, y, "sse")[0])
    with pytest.raises(ValueError, match="exactly 3 trainable"):
        loss_volume(Network.create(2, (3,)), X, net.encode_targets(y), "sse", points[:, :1])
