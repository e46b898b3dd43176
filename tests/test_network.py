"""Network construction, inference, what it can learn, and parameter validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlp_core import (
    Network,
    TrainConfig,
    Trainer,
    decision_grid,
    make_dataset,
    neuron_lines,
    parameter_breakdown,
    rules_of_thumb,
)
from mlp_core.network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES

XOR = make_dataset("xor")


def _rows_right(net: Network) -> int:
    return int(np.sum(net.predict(XOR.X_train) == XOR.y_train))


# --- what networks can learn ----------------------------------------------------------


def test_xor_2_4_1_with_bias_at_defaults():
    solved = []
    for seed in range(10):
        net = Network.create(2, (4,), bias=True, seed=seed)
        trainer = Trainer(net, XOR.X_train, XOR.y_train, TrainConfig())
        trainer.train()
        assert trainer.diverged is None
        solved.append(_rows_right(net) == 4)
    assert sum(solved) >= 9, solved


@pytest.mark.parametrize("init", ["tutorial", "uniform", "xavier", "he"])
@pytest.mark.parametrize("lr", [0.05, 0.5, 5.0])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_no_hidden_layer_never_solves_xor(init, lr, bias):
    for seed in range(1 if init == "tutorial" else 3):
        for loss in ("sse", "bce"):
            net = Network.create(2, (), init=init, bias=bias, seed=seed)
            trainer = Trainer(net, XOR.X_train, XOR.y_train,
                              TrainConfig(lr=lr, epochs=5_000, loss=loss))
            trainer.train()
            assert _rows_right(net) <= 3
            assert trainer.current_metrics()["train_accuracy"] <= 0.75


# --- structure ------------------------------------------------------------------------


def test_parameter_count_tutorial():
    assert parameter_breakdown((2, 3, 1), bias=False) == (9, "2x3 + 3x1 = 9")


def test_parameter_count_with_bias():
    assert parameter_breakdown((2, 3, 1), bias=True) == (13, "(2x3 + 3) + (3x1 + 1) = 13")


@pytest.mark.parametrize("hidden", [(), (3,), (8, 4), (1, 1, 1, 1)])
@pytest.mark.parametrize("bias", [True, False])
def test_parameter_count_agrees_with_network(hidden, bias):
    net = Network.create(3, hidden, bias=bias)
    total, text = parameter_breakdown(net.layer_sizes, bias)
    assert total == net.n_trainable
    assert text.endswith(f"= {total}")
    sizes = (3, *hidden, 1)
    assert net.layer_sizes == sizes
    assert net.n_params == sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert net.params.shape == (net.n_params,)
    assert [W.shape for W in net.weights] == list(zip(sizes[:-1], sizes[1:]))
    assert [b.shape for b in net.biases] == [(n,) for n in sizes[1:]]


def test_weights_are_views_of_params():
    net = Network.create(2, (3,), init="tutorial")
    net.weights[1][2, 0] = 42.0
    assert net.params[2 * 3 + 3 + 2] == 42.0
    copy = net.copy()
    copy.weights[0][0, 0] = -1.0
    assert net.weights[0][0, 0] == 0.1


@pytest.mark.parametrize("init", ["uniform", "xavier", "he"])
def test_initializers_are_seeded(init):
    a = Network.create(2, (5, 4), init=init, seed=11)
    b = Network.create(2, (5, 4), init=init, seed=11)
    c = Network.create(2, (5, 4), init=init, seed=12)
    np.testing.assert_array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    np.testing.assert_array_equal(np.concatenate(a.biases), 0.0)


@pytest.mark.parametrize("n", [1, 4, 50])
def test_predict_shapes(n):
    net = Network.create(2, (4, 3), activation="tanh", bias=True, seed=1)
    X = np.random.default_rng(0).normal(size=(n, 2))
    proba = net.predict_proba(X)
    labels = net.predict(X)
    assert proba.shape == labels.shape == (n,)
    assert np.all((proba > 0) & (proba < 1))
    assert set(np.unique(labels)) <= {0, 1}
    np.testing.assert_array_equal(labels, (proba >= 0.5).astype(int))
    assert net.output_pre_activation(X).shape == (n,)


def test_forward_shapes():
    net = Network.create(2, (4, 3), bias=True)
    zs, acts = net.forward(np.zeros((5, 2)))
    assert [z.shape for z in zs] == [(5, 4), (5, 3), (5, 1)]
    assert [a.shape for a in acts] == [(5, 2), (5, 4), (5, 3), (5, 1)]


@pytest.mark.parametrize("resolution", [2, 7, 40])
def test_decision_grid(resolution):
    net = Network.create(2, (4,), activation="relu", bias=True, seed=2)
    xs, ys, probs = decision_grid(net, (-1.0, 2.0, -3.0, 0.5), resolution)
    assert xs.shape == ys.shape == (resolution,)
    assert probs.shape == (resolution, resolution)
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-1.0, 2.0, -3.0, 0.5)
    assert np.all((probs >= 0) & (probs <= 1))
    i, j = resolution - 1, 0
    np.testing.assert_allclose(probs[i, j], net.predict_proba(np.array([[xs[j], ys[i]]]))[0],
                               rtol=1e-15)


def test_decision_grid_needs_two_inputs():
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        decision_grid(Network.create(3, (2,)), (0, 1, 0, 1))


@pytest.mark.parametrize("hidden,expected", [((3,), 3), ((7, 2), 7), ((), 1)])
def test_neuron_lines(hidden, expected):
    net = Network.create(2, hidden, bias=True, seed=4)
    lines = neuron_lines(net)
    assert len(lines) == expected
    W, b = net.weights[0], net.biases[0]
    assert lines[0] == (W[0, 0], W[1, 0], b[0])
    assert neuron_lines(Network.create(3, hidden)) == []


def test_rules_of_thumb_two_inputs_one_output():
    rules = rules_of_thumb(2, 1)
    assert [(r.low, r.high) for r in rules] == [(1, 3), (2, 2), (1, 2)]
    assert [r.value for r in rules] == [2.0, 2.0, 1.5]
    assert all(r.wording for r in rules)


# --- validation -------------------------------------------------------------------------

BAD_VALUES = {
    "negative lr": (lambda: TrainConfig(lr=-1.0), r"^lr must be"),
    "lr 0": (lambda: TrainConfig(lr=0), r"^lr must be a number in \(0, "),
    "NaN lr": (lambda: TrainConfig(lr=math.nan), r"^lr must be a finite number"),
    "inf lr": (lambda: TrainConfig(lr=math.inf), r"^lr must be a finite number"),
    "lr too high": (lambda: TrainConfig(lr=2e6), r"^lr must be"),
    "lr not a number": (lambda: TrainConfig(lr="fast"), r"^lr must be a number"),
    "epochs 0": (lambda: TrainConfig(epochs=0), r"^epochs must be an integer in \[1, "),
    "epochs fractional": (lambda: TrainConfig(epochs=2.5), r"^epochs must be an integer"),
    "epochs bool": (lambda: TrainConfig(epochs=True), r"^epochs must be an integer"),
    "epochs too many": (lambda: TrainConfig(epochs=10**7), r"^epochs must be an integer"),
    "unknown loss": (lambda: TrainConfig(loss="hinge"),
                     r"^loss must be one of sse, mse, bce, ce"),
    "batch size 0": (lambda: TrainConfig(batch_size=0), r"^batch size must be"),
    "unknown reg": (lambda: TrainConfig(reg="l3"), r"^reg must be one of"),
    "negative reg rate": (lambda: TrainConfig(reg_rate=-0.1), r"^reg rate must be"),
    "config seed -1": (lambda: TrainConfig(seed=-1), r"^seed must be an integer"),
    "100 hidden layers": (lambda: Network.create(2, (3,) * 100),
                          rf"^hidden layers must be between 0 and {MAX_HIDDEN_LAYERS}, got 100"),
    "too many hidden nodes": (lambda: Network.create(2, (MAX_HIDDEN_NODES + 1,)),
                              rf"^hidden nodes must be an integer in \[1, {MAX_HIDDEN_NODES}\], "
                              rf"got {MAX_HIDDEN_NODES + 1}"),
    "785 inputs": (lambda: Network.create(785, (3,)), r"^inputs must be an integer in \[1, 784\]"),
    "11 outputs": (lambda: Network.create(2, (3,), n_outputs=11, output="softmax"),
                   r"^outputs must be an integer in \[1, 10\], got 11"),
    "one softmax output": (lambda: Network.create(2, (3,), output="softmax"),
                           r"^softmax outputs need at least 2 classes"),
    "unknown output": (lambda: Network.create(2, (3,), output="tanh"),
                       r"^output must be one of sigmoid, softmax, linear"),
    "tutorial init 2-3-2": (lambda: Network.create(2, (3,), n_outputs=2, output="softmax",
                                                   init="tutorial"),
                            r"^init 'tutorial' has fixed weights only for"),
    "0 hidden nodes": (lambda: Network.create(2, (3, 0)), r"^hidden nodes must be"),
    "0 inputs": (lambda: Network.create(0, (3,)), r"^inputs must be"),
    "unknown activation": (lambda: Network.create(2, (3,), activation="softmax"),
                           r"^activation must be one of sigmoid, tanh, relu, linear"),
    "unknown init": (lambda: Network.create(2, (3,), init="ones"),
                     r"^init must be one of tutorial, uniform, xavier, he"),
    "tutorial init 2-4-1": (lambda: Network.create(2, (4,), init="tutorial"),
                            r"^init 'tutorial' has fixed weights only for a 2-3-1 or 2-1 "
                            r"network, not 2-4-1"),
    "tutorial init 3-3-1": (lambda: Network.create(3, (3,), init="tutorial"),
                                         r"^init 'tutorial'"),
    "seed -1": (lambda: Network.create(2, (3,), seed=-1), r"^seed must be an integer"),
    "seed fractional": (lambda: Network.create(2, (3,), seed=0.5), r"^seed must be an integer"),
    "params shape": (lambda: Network((2, 3, 1), params=np.zeros(5)),
                     r"^params must have shape \(13,\)"),
    "trainer X shape": (lambda: Trainer(Network.create(2, (3,)), np.zeros((4, 3)), np.zeros(4)),
                        r"^X must have shape \(n, 2\)"),
    "trainer rows": (lambda: Trainer(Network.create(2, (3,)), np.zeros((4, 2)), np.zeros(3)),
                     r"^X and y must have the same"),
}


@pytest.mark.parametrize("name", list(BAD_VALUES))
def test_bad_values_raise_value_error_naming_the_parameter(name):
    build, message = BAD_VALUES[name]
    with pytest.raises(ValueError, match=message):
        build()


def test_defaults_are_valid():
    config = TrainConfig()
    assert (config.lr, config.epochs, config.loss, config.batch_size) == (0.5, 20_000, "sse", None)
    net = Network.create()
    assert net.layer_sizes == (2, 3, 1) and not net.bias and net.hidden_activation == "sigmoid"


def test_the_largest_network_the_limits_allow():
    net = Network.create(784, (256,) * MAX_HIDDEN_LAYERS, n_outputs=10, output="softmax",
                         bias=True, seed=0)
    assert net.layer_sizes == (784, 256, 256, 256, 256, 10)
    assert net.n_params == 784 * 256 + 256 + 3 * (256 * 256 + 256) + 256 * 10 + 10
    assert net.weights[-1].shape == (256, 10) and net.biases[-1].shape == (10,)
    # Xavier keeps a wide layer's pre-activations of unit-scale inputs near unit scale.
    z = np.random.default_rng(1).normal(size=(50, 784)) @ net.weights[0]
    assert 0.3 < float(np.std(z)) < 1.5


def test_parameter_count_with_k_outputs():
    net = Network.create(64, (32,), n_outputs=10, output="softmax", bias=True)
    assert net.n_trainable == parameter_breakdown(net.layer_sizes, True)[0] == 64 * 32 + 32 + 330
