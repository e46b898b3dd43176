"""A learning rate that is far too high: the run stops itself and nothing non-finite leaks."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from mlp_core import Network, TrainConfig, Trainer, make_dataset
from mlp_core.training import MAX_ABS_WEIGHT

XOR = make_dataset("xor")
MOONS = make_dataset("moons")

# (dataset, hidden, activation, bias, config, lr that recovers): each diverges within a few
# epochs. A run that diverges late keeps weights already grown to ~1e3, which need a far
# smaller rate than one that diverges on its first update.
DIVERGING = {
    "xor-bce-lr-1e6": (XOR, (4,), "sigmoid", True,
                       TrainConfig(lr=1e6, epochs=2_000, loss="bce"), 0.05),
    "xor-linear-lr-1e6": (XOR, (4,), "linear", True,
                          TrainConfig(lr=1e6, epochs=2_000, loss="sse"), 0.05),
    "moons-linear-lr-3": (MOONS, (8, 8), "linear", True,
                          TrainConfig(lr=3.0, epochs=2_000, loss="bce"), 1e-4),
    "moons-relu-lr-30": (MOONS, (8, 8), "relu", True,
                         TrainConfig(lr=30.0, epochs=2_000, loss="bce"), 0.05),
    "moons-linear-minibatch": (MOONS, (8, 8), "linear", True,
                               TrainConfig(lr=3.0, epochs=2_000, loss="bce", batch_size=40), 1e-4),
}


def _trainer(name: str, **config_changes) -> Trainer:
    data, hidden, activation, bias, config, _ = DIVERGING[name]
    net = Network.create(2, hidden, activation=activation, bias=bias, init="xavier", seed=0)
    return Trainer(net, data.X_train, data.y_train, replace(config, **config_changes),
                   data.X_test, data.y_test)


@pytest.fixture(params=list(DIVERGING))
def diverged(request):
    trainer = _trainer(request.param)
    trainer.train()
    return request.param, trainer


def _has_test_set(trainer: Trainer) -> bool:
    return len(trainer.X_test) > 0


def test_stops_with_a_divergence(diverged):
    _, trainer = diverged
    d = trainer.diverged
    assert d is not None
    assert d.kind == "weights"
    assert d.epoch == trainer.epoch < trainer.target
    assert trainer.done
    assert "learning rate" in d.message
    assert f"in epoch {d.epoch + 1:,}" in d.message  # the failing epoch, counted from 1
    assert f"{trainer.config.lr:g}" in d.message
    # Stopped for good: running again does nothing.
    assert trainer.train() == 0


def test_keeps_the_last_good_parameters(diverged):
    name, trainer = diverged
    params = trainer.net.params
    assert np.all(np.isfinite(params))
    assert np.max(np.abs(params)) <= MAX_ABS_WEIGHT
    if trainer.config.batch_size is not None:
        return  # a mini-batch run stops after its last good batch, inside an epoch
    last_good = _trainer(name)
    assert last_good.train(n_epochs=trainer.diverged.epoch) == trainer.diverged.epoch
    assert last_good.diverged is None
    np.testing.assert_array_equal(params, last_good.net.params)
    np.testing.assert_array_equal(trainer.losses, last_good.losses)


def test_nothing_exposed_is_non_finite(diverged):
    _, trainer = diverged
    assert np.all(np.isfinite(trainer.losses))
    assert math.isfinite(trainer.last_loss)
    metrics = trainer.current_metrics()
    for key, value in metrics.items():
        if value is None:
            assert key.startswith("test_") and not _has_test_set(trainer)
        else:
            assert math.isfinite(value), key
    other_task = (("train_accuracy", "test_accuracy") if trainer.net.task == "regress"
                  else ("train_r2", "test_r2"))
    for key, values in trainer.records.items():
        if key in other_task or (key.startswith("test_") and not _has_test_set(trainer)):
            # No test rows, or the other task's score: the column is NaN as "no data"
            # (the UI draws no curve for it).
            assert np.all(np.isnan(values)), key
        else:
            assert np.all(np.isfinite(values)), key
    assert trainer.snapshot_epochs[0] == 0
    assert trainer.snapshot_epochs[-1] == trainer.epoch
    for params in trainer.snapshot_params:
        assert np.all(np.isfinite(params))
    for index in range(len(trainer.snapshot_params)):
        assert np.all(np.isfinite(trainer.network_at(index).predict_proba(trainer.X)))


def test_lower_learning_rate_clears_divergence_and_continues(diverged):
    name, trainer = diverged
    stopped_at = trainer.epoch
    trainer.set_config(replace(trainer.config, lr=DIVERGING[name][-1]))
    assert trainer.diverged is None and not trainer.done
    assert trainer.train() == trainer.target - stopped_at
    assert trainer.diverged is None
    assert trainer.epoch == trainer.target
    assert np.all(np.isfinite(trainer.losses))
    assert trainer.snapshot_epochs[-1] == trainer.target
    assert all(a < b for a, b in zip(trainer.snapshot_epochs, trainer.snapshot_epochs[1:]))
    assert all(a < b for a, b in zip(trainer.records["epoch"], trainer.records["epoch"][1:]))


def test_xor_bce_diverges_on_the_first_update():
    trainer = _trainer("xor-bce-lr-1e6")
    start = trainer.net.params.copy()
    trainer.train()
    assert trainer.diverged.epoch == 0
    assert len(trainer.losses) == 0
    assert trainer.last_loss == trainer.records["train_loss"][0]
    np.testing.assert_array_equal(trainer.net.params, start)
    assert "try 100000 or lower" in trainer.diverged.message


def test_lower_rate_on_the_same_network_solves_xor():
    trainer = _trainer("xor-bce-lr-1e6")
    trainer.train()
    trainer.set_config(replace(trainer.config, lr=0.5))
    trainer.train()
    assert trainer.current_metrics()["train_accuracy"] == 1.0


def test_callback_sees_only_finite_losses():
    trainer = _trainer("moons-linear-lr-3")
    seen = []
    trainer.train(callback=lambda progress: seen.append(progress.train_loss))
    assert trainer.diverged is not None
    assert seen and all(math.isfinite(v) for v in seen)
