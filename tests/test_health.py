"""Health warnings: units that stopped learning, and optimizer settings that overshoot."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.health import health_warnings, optimizer_warnings
from mlp_core.network import Network
from mlp_core.training import TrainConfig

OR = make_dataset("or")


def tutorial_net() -> Network:
    return Network.create(2, (3,), init="tutorial")


def test_the_tutorial_run_has_nothing_to_warn_about():
    assert health_warnings(tutorial_net(), OR.X_train, TrainConfig(lr=0.05)) == []


@pytest.mark.parametrize("optimizer, lr, warned", [
    ("adam", 1.0, True), ("adam", 0.5, True), ("adam", 0.05, False),
    ("rmsprop", 1.0, True), ("rmsprop", 0.01, False),
    ("sgd", 1.0, False), ("momentum", 1.0, False),
])
def test_adam_and_rmsprop_with_a_large_rate_are_warned_about(optimizer, lr, warned):
    found = optimizer_warnings(tutorial_net(), TrainConfig(optimizer=optimizer, lr=lr))
    assert bool(found) == warned, found
    if warned:
        assert len(found) == 1
        text = found[0]
        assert f"learning rate {lr:g}" in text and "9 weights" in text and "Try 0.001" in text


def test_rmsprop_says_its_first_steps_are_ten_times_larger():
    # After one update v = (1 - alpha) g^2 = 0.01 g^2: the step is lr g / (0.1 |g|) = 10 lr.
    text = optimizer_warnings(tutorial_net(), TrainConfig(optimizer="rmsprop", lr=1.0))[0]
    assert "10 times" in text
    alpha, g, lr = 0.99, 0.37, 1.0
    v = (1 - alpha) * g * g
    assert lr * g / np.sqrt(v) == pytest.approx(10 * lr)


@pytest.mark.parametrize("optimizer, mu, warned", [
    ("momentum", 0.99, True), ("nesterov", 0.995, True), ("momentum", 0.9, False),
    ("adam", 0.99, False),   # Adam does not read momentum
])
def test_momentum_near_one_is_warned_about(optimizer, mu, warned):
    found = optimizer_warnings(tutorial_net(), TrainConfig(optimizer=optimizer, momentum=mu,
                                                               lr=0.01))
    assert bool(found) == warned, found
    if warned:
        assert f"Momentum {mu:g}" in found[0] and f"{round(1 / (1 - mu))}" in found[0]


def test_unit_warnings_still_come_first_and_without_a_config():
    net = Network.create(2, (3,), activation="sigmoid", init="xavier", seed=0)
    net.weights[0][:] = 200.0          # every hidden unit saturated on every OR point
    X = OR.X_train + 1.0
    assert len(health_warnings(net, X)) == 1
    both = health_warnings(net, X, TrainConfig(optimizer="adam", lr=1.0))
    assert len(both) == 2 and both[0].startswith("Saturated") and both[1].startswith("Adam")
