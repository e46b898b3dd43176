"""Backpropagation's gradient against central finite differences (``gradient_check``).

Step size: the objective is a float64 sum of order 0.1-1, so each evaluation carries
round-off of ~1e-16; divided by ``2 * eps`` that is ~1e-11 at the default
``eps=1e-6``, which is more than 1e-6 of the smallest gradients here (~1e-5).
``eps=3e-5`` keeps both round-off and the ``eps**2`` truncation error well below
1e-6 relative for every configuration.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core import Network, gradient_check, make_dataset
from mlp_core.activations import DERIVATIVES
from mlp_core.gradcheck import parameter_names

EPS = 3e-5
TOL = 1e-6
ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LOSSES = ("sse", "mse", "bce")
DATASETS = {
    "xor": make_dataset("xor"),
    "moons": make_dataset("moons", samples=20),
}


def _network(activation: str, bias: bool, depth: int) -> Network:
    """Xavier seed 0; biases (zero at creation) moved off 0 so no ReLU sits on its kink."""
    net = Network.create(2, (4,) * depth, activation=activation, bias=bias, init="xavier", seed=0)
    if bias:
        rng = np.random.default_rng(1)
        for b in net.biases:
            b[...] = rng.uniform(-0.2, 0.2, b.shape)
    return net


def _closest_kink(net: Network, X: np.ndarray) -> float:
    """Smallest |pre-activation| of a hidden unit that a small weight change can move.

    A row whose input to a layer is all zeros (XOR's (0, 0) without bias) has
    pre-activation exactly 0 there whatever the weights, so it cannot cross a kink.
    """
    zs, acts = net.forward(X)
    gaps = [np.inf]
    for z, a_in in zip(zs[:-1], acts[:-2]):
        movable = np.any(a_in != 0, axis=1) | net.bias
        if movable.any():
            gaps.append(float(np.min(np.abs(z[movable]))))
    return min(gaps)


@pytest.mark.parametrize("dataset", sorted(DATASETS))
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_matches_finite_differences(activation, loss, bias, depth, reg, dataset):
    data = DATASETS[dataset]
    net = _network(activation, bias, depth)
    if activation == "relu":
        assert _closest_kink(net, data.X_train) > 10 * EPS
    check = gradient_check(net, data.X_train, data.y_train, loss, reg,
                           0.05 if reg != "none" else 0.0, eps=EPS)
    assert len(check.names) == net.n_trainable
    worst = int(np.argmax(check.relative_error))
    assert check.max_relative_error < TOL, (
        f"{check.names[worst]}: analytic {check.analytic[worst]!r}, "
        f"numeric {check.numeric[worst]!r}"
    )
    # Not vacuous: the gradient is not zero everywhere.
    assert np.max(np.abs(check.analytic)) > 1e-4


def test_tutorial_network_gradient():
    data = make_dataset("or")
    net = Network.create(2, (3,), init="tutorial", bias=False)
    check = gradient_check(net, data.X_train, data.y_train, "sse")
    assert check.names == [
        "weight_hidden[0,0]", "weight_hidden[0,1]", "weight_hidden[0,2]",
        "weight_hidden[1,0]", "weight_hidden[1,1]", "weight_hidden[1,2]",
        "weight_output[0,0]", "weight_output[1,0]", "weight_output[2,0]",
    ]
    assert check.max_relative_error < TOL


@pytest.mark.parametrize("reg", ["l1", "l2"])
def test_regularization_changes_the_gradient(reg):
    data = DATASETS["moons"]
    net = _network("tanh", True, 1)
    plain = gradient_check(net, data.X_train, data.y_train, "bce", eps=EPS)
    regularized = gradient_check(net, data.X_train, data.y_train, "bce", reg, 0.05, eps=EPS)
    names = parameter_names(net)
    weights = np.array([kind == "w" for _, _, kind, _ in names])
    flat = np.array([net.weights[l][idx] if kind == "w" else 0.0 for _, l, kind, idx in names])
    expected_extra = 0.05 * (flat if reg == "l2" else np.sign(flat))
    np.testing.assert_allclose(regularized.analytic - plain.analytic, expected_extra,
                               rtol=1e-9, atol=1e-12)
    # Biases are never regularized.
    np.testing.assert_array_equal(regularized.analytic[~weights], plain.analytic[~weights])


def test_gradient_check_has_teeth(monkeypatch):
    """A wrong derivative in backprop must show up as a large relative error."""
    data = DATASETS["xor"]
    net = _network("sigmoid", True, 1)
    monkeypatch.setitem(DERIVATIVES, "sigmoid", lambda a, z: a)
    check = gradient_check(net, data.X_train, data.y_train, "sse", eps=EPS)
    assert check.max_relative_error > 1e-2


def test_gradient_check_max_params():
    data = DATASETS["xor"]
    net = _network("tanh", True, 2)
    check = gradient_check(net, data.X_train, data.y_train, "sse", eps=EPS, max_params=5)
    assert len(check.names) == 5
    assert check.analytic.shape == check.numeric.shape == check.relative_error.shape == (5,)


# --- outputs other than one sigmoid --------------------------------------------------

MULTI_OUTPUT = [("softmax", "ce", 3), ("linear", "mse", 2), ("linear", "sse", 1),
                ("sigmoid", "bce", 3), ("sigmoid", "mse", 3), ("sigmoid", "sse", 2)]


@pytest.mark.parametrize("reg", ["none", "l2"])
@pytest.mark.parametrize("depth", [0, 1, 2])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("output,loss,k", MULTI_OUTPUT)
def test_multi_output_gradient_matches_finite_differences(output, loss, k, bias, depth, reg):
    rng = np.random.default_rng(depth + 3 * k)
    X = rng.normal(size=(12, 3))
    if output == "softmax":
        y = rng.integers(0, k, 12)
    elif output == "sigmoid":
        y = (rng.random((12, k)) > 0.5).astype(float)
    else:
        y = rng.normal(size=(12, k))
    net = Network.create(3, (4,) * depth, n_outputs=k, output=output, activation="tanh",
                         bias=bias, init="xavier", seed=depth)
    if bias:
        for b in net.biases:
            b[...] = rng.uniform(-0.2, 0.2, b.shape)
    check = gradient_check(net, X, y, loss, reg, 0.05 if reg != "none" else 0.0, eps=EPS)
    assert len(check.names) == net.n_trainable
    worst = int(np.argmax(check.relative_error))
    assert check.max_relative_error < TOL, (
        f"{check.names[worst]}: analytic {check.analytic[worst]!r}, "
        f"numeric {check.numeric[worst]!r}")
    assert np.max(np.abs(check.analytic)) > 1e-4
