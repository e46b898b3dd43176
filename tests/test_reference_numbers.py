"""The engine against the tutorial's own numbers (its code run as printed, float64 NumPy).

``tests/data/seed_tutorial_numbers.json`` is a copy of the shared reference file;
epoch index ``k`` there is the error of the (k+1)-th epoch's forward pass, which is
``Trainer.train_loss[k]`` here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlp_core import Network, TrainConfig, Trainer, make_dataset
from mlp_core.reference import apply_update, backprop

NUMBERS = json.loads(
    (Path(__file__).parent / "data" / "seed_tutorial_numbers.json").read_text()
)
OR = NUMBERS["or_gate_2_3_1_no_bias"]
SINGLE = NUMBERS["single_layer_or_2_1_no_bias"]


def _predictions(table: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """``{"[0, 1]": p, ...}`` as inputs (4, 2) and outputs (4,)."""
    points = np.array([json.loads(key) for key in table], dtype=float)
    return points, np.array(list(table.values()))


@pytest.fixture(scope="module")
def or_data():
    return make_dataset("or")


@pytest.fixture(scope="module")
def or_trainer(or_data):
    """The tutorial's OR run: 2-3-1, no bias, its weights, lr 0.05, 200,000 epochs, sse."""
    net = Network.create(2, (3,), init="tutorial", bias=False)
    config = TrainConfig(lr=0.05, epochs=200_000, loss="sse")
    trainer = Trainer(net, or_data.X_train, or_data.y_train, config)
    trainer.train()
    return trainer


@pytest.fixture(scope="module")
def single_layer_trainer(or_data):
    """The tutorial's single-layer comparison: 2-1, no bias, lr 0.05, 10,000 epochs, sse."""
    net = Network.create(2, (), init="tutorial", bias=False)
    trainer = Trainer(net, or_data.X_train, or_data.y_train,
                      TrainConfig(lr=0.05, epochs=10_000, loss="sse"))
    trainer.train()
    return trainer


def test_or_setup_is_the_tutorials(or_data):
    setup = OR["setup"]
    np.testing.assert_array_equal(or_data.X_train, setup["X"])
    np.testing.assert_array_equal(or_data.y_train, setup["target"])
    net = Network.create(2, (3,), init="tutorial", bias=False)
    np.testing.assert_array_equal(net.weights[0], setup["weight_hidden"])
    np.testing.assert_array_equal(net.weights[1], setup["weight_output"])
    np.testing.assert_array_equal(net.biases[0], 0.0)
    np.testing.assert_array_equal(net.biases[1], 0.0)
    assert (setup["lr"], setup["epochs"], setup["bias"]) == (0.05, 200_000, False)


def test_or_final_error(or_trainer):
    assert or_trainer.epoch == 200_000
    assert or_trainer.diverged is None
    np.testing.assert_allclose(or_trainer.last_loss, OR["result"]["final_error"], rtol=1e-9)


@pytest.mark.parametrize("index", sorted(OR["result"]["error_at_epoch_index"], key=int))
def test_or_error_at_epoch(or_trainer, index):
    expected = OR["result"]["error_at_epoch_index"][index]
    np.testing.assert_allclose(or_trainer.train_loss[int(index)], expected, rtol=1e-9)


def test_or_final_weights(or_trainer):
    net = or_trainer.net
    np.testing.assert_allclose(net.weights[0], OR["result"]["weight_hidden"], rtol=0, atol=1e-8)
    np.testing.assert_allclose(net.weights[1], OR["result"]["weight_output"], rtol=0, atol=1e-8)
    np.testing.assert_array_equal(net.biases[0], 0.0)
    np.testing.assert_array_equal(net.biases[1], 0.0)


def test_or_predictions(or_trainer):
    points, expected = _predictions(OR["result"]["predictions"])
    np.testing.assert_allclose(or_trainer.net.predict_proba(points), expected, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(or_trainer.net.predict(points), [0, 1, 1, 1])


def test_reference_path_matches_trainer_for_1000_epochs(or_data, or_trainer):
    net = Network.create(2, (3,), init="tutorial", bias=False)
    errors = np.empty(1000)
    for epoch in range(1000):
        trace = backprop(net, or_data.X_train, or_data.y_train, "sse")
        apply_update(net, trace, 0.05)
        errors[epoch] = trace.error
    np.testing.assert_allclose(errors, or_trainer.train_loss[:1000], rtol=1e-12, atol=0)

    fast = Network.create(2, (3,), init="tutorial", bias=False)
    trainer = Trainer(fast, or_data.X_train, or_data.y_train, TrainConfig(lr=0.05, epochs=1000))
    trainer.train()
    np.testing.assert_allclose(fast.params, net.params, rtol=1e-12, atol=0)


def test_reference_trace_has_the_tutorials_matrices(or_data):
    net = Network.create(2, (3,), init="tutorial", bias=False)
    trace = backprop(net, or_data.X_train, or_data.y_train, "sse")
    shapes = {
        "input_hidden": (4, 3), "output_hidden": (4, 3), "input_op": (4, 1), "output_op": (4, 1),
        "derror_douto": (4, 1), "douto_dino": (4, 1), "dino_dwo": (4, 3), "derror_dwo": (3, 1),
        "derror_dino": (4, 1), "dino_douth": (3, 1), "derror_douth": (4, 3),
        "douth_dinh": (4, 3), "dinh_dwh": (4, 2), "derror_dwh": (2, 3),
    }
    for name, shape in shapes.items():
        assert trace.get(name).shape == shape, name
    np.testing.assert_allclose(trace.error, OR["result"]["error_at_epoch_index"]["0"], rtol=1e-15)
    np.testing.assert_array_equal(trace.weight_gradients[0], trace.get("derror_dwh"))
    np.testing.assert_array_equal(trace.weight_gradients[1], trace.get("derror_dwo"))


def test_single_layer_weights_and_predictions(single_layer_trainer):
    expected = SINGLE["correct_derivative_of_input"]
    net = single_layer_trainer.net
    assert net.layer_sizes == (2, 1)
    np.testing.assert_allclose(net.weights[0], expected["weights"], rtol=0, atol=1e-8)
    points, probs = _predictions(expected["predictions"])
    np.testing.assert_allclose(net.predict_proba(points), probs, rtol=0, atol=1e-8)


def test_single_layer_loss_at_final_weights(single_layer_trainer):
    # half_sse is the error at the weights after the last update (not the last printed one).
    expected = SINGLE["correct_derivative_of_input"]["half_sse"]
    np.testing.assert_allclose(single_layer_trainer.current_metrics()["train_loss"], expected,
                               rtol=1e-9)


def test_single_layer_cannot_move_the_origin(single_layer_trainer):
    # No hidden layer and no bias: the output at (0, 0) is sigmoid(0) whatever the weights.
    assert single_layer_trainer.net.predict_proba(np.zeros((1, 2)))[0] == 0.5
    for params in single_layer_trainer.snapshot_params:
        net = single_layer_trainer.net.with_params(params)
        assert net.predict_proba(np.zeros((1, 2)))[0] == 0.5


@pytest.mark.parametrize("init", ["tutorial", "uniform", "xavier", "he"])
@pytest.mark.parametrize("lr", [0.05, 5.0])
def test_no_hidden_no_bias_origin_stays_half(or_data, init, lr):
    net = Network.create(2, (), init=init, bias=False, seed=3)
    Trainer(net, or_data.X_train, or_data.y_train, TrainConfig(lr=lr, epochs=2000)).train()
    assert net.predict_proba(np.zeros((1, 2)))[0] == 0.5
