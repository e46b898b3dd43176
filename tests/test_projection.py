"""The 2-D views of many-input data that the Playground draws regions on."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.network import Network
from mlp_core.projection import feature_plane, plane_grid, principal_plane


def test_principal_plane_finds_the_directions_the_data_spread_in():
    rng = np.random.default_rng(0)
    # Spread 5 along e2, 2 along e0, tiny elsewhere: PC 1 = e2, PC 2 = e0.
    X = rng.normal(size=(500, 4)) * np.array([2.0, 0.01, 5.0, 0.01]) + np.array([1, 2, 3, 4])
    plane = principal_plane(X)
    np.testing.assert_allclose(plane.origin, X.mean(axis=0))
    np.testing.assert_allclose(np.abs(plane.axes[0]), [0, 0, 1, 0], atol=0.05)
    np.testing.assert_allclose(np.abs(plane.axes[1]), [1, 0, 0, 0], atol=0.05)
    np.testing.assert_allclose(plane.axes @ plane.axes.T, np.eye(2), atol=1e-12)
    assert plane.axes[0, 2] > 0 and plane.axes[1, 0] > 0   # signs fixed
    # Variance shares as numpy's eigenvalues of the covariance give them.
    eig = np.sort(np.linalg.eigvalsh(np.cov(X.T)))[::-1]
    assert plane.titles[0] == f"PC 1 ({eig[0] / eig.sum():.0%} of variance)"
    assert plane.titles[1] == f"PC 2 ({eig[1] / eig.sum():.0%} of variance)"


def test_points_on_the_plane_map_back_to_themselves():
    X = np.random.default_rng(1).normal(size=(50, 6))
    plane = principal_plane(X)
    uv = np.random.default_rng(2).normal(size=(7, 2))
    np.testing.assert_allclose(plane.coords(plane.to_inputs(uv)), uv, atol=1e-12)


def test_feature_plane_holds_the_other_features_at_their_mean():
    X = np.arange(24, dtype=float).reshape(6, 4)
    plane = feature_plane(X, 3, 1, ["a", "b", "c", "d"])
    assert plane.titles == ("d", "b")
    inputs = plane.to_inputs(np.array([[10.0, -5.0]]))
    np.testing.assert_allclose(inputs, [[X[:, 0].mean(), -5.0, X[:, 2].mean(), 10.0]])
    np.testing.assert_allclose(plane.coords(X), X[:, [3, 1]])
    assert feature_plane(X, 0, 1).titles == ("x1", "x2")


@pytest.mark.parametrize("i, j", [(0, 0), (0, 4), (-1, 1)])
def test_feature_plane_refuses_a_bad_pair(i, j):
    with pytest.raises(ValueError, match="two different features"):
        feature_plane(np.ones((3, 4)), i, j)


@pytest.mark.parametrize("X", [np.ones((3, 1)), np.ones((0, 3)), np.array([[1.0, np.nan, 2]])])
def test_bad_inputs_are_refused(X):
    with pytest.raises(ValueError):
        principal_plane(X)


def test_constant_and_single_row_data_still_give_a_plane():
    for X in (np.ones((5, 3)), np.array([[1.0, 2.0, 3.0]])):
        plane = principal_plane(X)
        assert np.all(np.isfinite(plane.axes)) and "0% of variance" in plane.titles[1]
        xs, ys, inputs = plane_grid(plane, X, resolution=5)
        assert xs.shape == ys.shape == (5,) and np.all(np.isfinite(inputs))


def test_grid_covers_the_points_and_reshapes_to_gy_gx_k():
    data = make_dataset("iris")
    X = np.vstack([data.X_train, data.X_test])
    plane = principal_plane(data.X_train)
    xs, ys, inputs = plane_grid(plane, X, resolution=30)
    uv = plane.coords(X)
    assert xs[0] < uv[:, 0].min() and xs[-1] > uv[:, 0].max()
    assert ys[0] < uv[:, 1].min() and ys[-1] > uv[:, 1].max()
    assert inputs.shape == (30 * 30, 4)
    net = Network.create(4, (5,), n_outputs=3, output="softmax", seed=0)
    probs = net.outputs(inputs).reshape(len(ys), len(xs), 3)
    # Row r, column c is the input at (xs[c], ys[r]).
    np.testing.assert_allclose(probs[7, 11], net.outputs(plane.to_inputs([[xs[11], ys[7]]]))[0])
    np.testing.assert_allclose(probs.sum(axis=2), 1.0)
    with pytest.raises(ValueError, match="resolution"):
        plane_grid(plane, X, resolution=1)
