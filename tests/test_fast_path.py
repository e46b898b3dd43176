"""The compiled kernel (through ``Trainer``) against the readable reference path,
and the Trainer's stop/resume, snapshot and history bookkeeping.

The reference path (``backprop`` + ``apply_update``, ~60 us an epoch) is the slow
side of every comparison, so the reference runs go to a pool of two worker
processes as soon as the first comparison starts, and each test waits only for its own.
"""

from __future__ import annotations

import itertools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
import pytest

from mlp_core import Dataset, Network, TrainConfig, Trainer, make_dataset
from mlp_core.kernel import epoch_permutation
from mlp_core.reference import apply_update, backprop
from mlp_core.script import _SHUFFLE
from mlp_core.training import MAX_RECORDS, MAX_SNAPSHOTS

EPOCHS = 10_000
RTOL = 1e-9


@dataclass(frozen=True)
class Case:
    """A network and a training configuration, buildable in any process."""

    dataset: str
    hidden: tuple[int, ...]
    activation: str
    bias: bool
    config: TrainConfig
    samples: int = 200

    def data(self) -> Dataset:
        if self.dataset == "wide":
            # 5 features: the kernel's loops over inputs beyond the 2-D sets.
            rng = np.random.default_rng(0)
            X = rng.normal(size=(self.samples, 5))
            y = (X[:, 0] * X[:, 1] + X[:, 2] > 0).astype(float)
            return Dataset("wide", X, y, np.zeros((0, 5)), np.zeros(0), tuple("abcde"))
        return make_dataset(self.dataset, samples=self.samples)

    def network(self) -> Network:
        return Network.create(self.data().n_features, self.hidden, activation=self.activation,
                              bias=self.bias, init="xavier", seed=0)


XOR_CASES = {
    f"{act}-{loss}-{'bias' if bias else 'no-bias'}-{depth}":
        Case("xor", (4,) * depth, act, bias, TrainConfig(lr=0.1, epochs=EPOCHS, loss=loss))
    for act, loss, bias, depth in itertools.product(
        ("sigmoid", "tanh", "relu", "linear"), ("sse", "mse", "bce"), (True, False), (1, 2))
}
MOONS_CASES = {
    # 32 training rows in batches of 10: three full batches and a ragged one of 2.
    "moons-minibatch": Case("moons", (5,), "tanh", True,
                            TrainConfig(lr=0.1, epochs=EPOCHS, loss="bce", batch_size=10, seed=7),
                            samples=40),
    "moons-l2": Case("moons", (6, 3), "sigmoid", True,
                     TrainConfig(lr=0.1, epochs=EPOCHS, loss="mse", reg="l2", reg_rate=0.01),
                     samples=40),
    "moons-l1-minibatch-sse": Case("moons", (4,), "relu", False,
                                   TrainConfig(lr=0.05, epochs=2_000, loss="sse", batch_size=16,
                                               reg="l1", reg_rate=0.02, seed=3),
                                   samples=40),
}
OTHER_SHAPES = {
    "no-hidden-bce-bias": Case("and", (), "sigmoid", True,
                               TrainConfig(lr=0.1, epochs=EPOCHS, loss="bce")),
    "no-hidden-sse": Case("or", (), "sigmoid", False, TrainConfig(lr=0.1, epochs=EPOCHS)),
    "four-hidden-layers": Case("xor", (3, 4, 5, 2), "tanh", True,
                               TrainConfig(lr=0.1, epochs=3_000, loss="mse")),
    "wide-minibatch": Case("wide", (6,), "relu", True,
                           TrainConfig(lr=0.05, epochs=3_000, loss="bce", batch_size=9, seed=1),
                           samples=30),
}
CASES = {**XOR_CASES, **MOONS_CASES, **OTHER_SHAPES}


def reference_run(net: Network, X: np.ndarray, y: np.ndarray, config: TrainConfig) -> np.ndarray:
    """``config.epochs`` epochs of ``backprop`` + ``apply_update``; the per-epoch losses.

    Mini-batches take rows in ``kernel.epoch_permutation`` order; an epoch's loss
    combines its batches' losses as the full-batch loss would (sum for sse,
    row-weighted mean for mse and bce).
    """
    n = len(X)
    batch = config.batch_size or n
    order = np.arange(n)
    losses = np.empty(config.epochs)
    for epoch in range(config.epochs):
        if batch >= n:
            trace = backprop(net, X, y, config.loss, config.reg, config.reg_rate)
            apply_update(net, trace, config.lr)
            losses[epoch] = trace.error
            continue
        epoch_permutation(order, config.seed, epoch)
        total = 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            trace = backprop(net, X[rows], y[rows], config.loss, config.reg, config.reg_rate)
            apply_update(net, trace, config.lr)
            total += trace.error if config.loss == "sse" else trace.error * len(rows) / n
        losses[epoch] = total
    return losses


def _reference_case(name: str) -> tuple[np.ndarray, np.ndarray]:
    case = CASES[name]
    data = case.data()
    net = case.network()
    losses = reference_run(net, data.X_train, data.y_train, case.config)
    return net.params, losses


@pytest.fixture(scope="module")
def reference_results():
    """Futures of every case's reference run, computed two at a time in worker processes.

    "spawn" workers start clean (no threads or locks inherited from earlier tests) and
    import this module to find ``_reference_case``.
    """
    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    try:
        # Longest first (mini-batch runs make several passes an epoch), so that the two
        # workers finish together.
        longest_first = sorted(CASES, key=lambda n: CASES[n].config.batch_size is None)
        yield {name: pool.submit(_reference_case, name) for name in longest_first}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _assert_params_close(actual: np.ndarray, expected: np.ndarray) -> None:
    # Relative to the parameters' scale: a weight that ends near 0 has no relative digits.
    scale = float(np.max(np.abs(expected)))
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=RTOL * scale)


# Each case is under a second, but the 55 reference runs take ~35 s of CPU together.
@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_kernel_matches_reference(name, reference_results):
    case = CASES[name]
    data = case.data()
    trainer = Trainer(case.network(), data.X_train, data.y_train, case.config)
    trainer.train()
    assert trainer.diverged is None
    assert trainer.epoch == case.config.epochs
    ref_params, ref_losses = reference_results[name].result()
    assert np.all(np.isfinite(ref_losses))
    np.testing.assert_allclose(trainer.losses, ref_losses, rtol=RTOL, atol=0)
    _assert_params_close(trainer.net.params, ref_params)
    assert np.max(np.abs(trainer.net.params - case.network().params)) > 1e-2  # it trained
    if not case.bias:
        np.testing.assert_array_equal(np.concatenate(trainer.net.biases), 0.0)


# --- mini-batch order -----------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7, 32, 160])
def test_epoch_permutation_is_a_deterministic_permutation(n):
    first, again, other_epoch, other_seed = (np.empty(n, np.int64) for _ in range(4))
    epoch_permutation(first, 5, 11)
    epoch_permutation(again, 5, 11)
    epoch_permutation(other_epoch, 5, 12)
    epoch_permutation(other_seed, 6, 11)
    np.testing.assert_array_equal(np.sort(first), np.arange(n))
    np.testing.assert_array_equal(first, again)
    if n >= 7:
        assert not np.array_equal(first, other_epoch)
        assert not np.array_equal(first, other_seed)


def test_script_shuffle_matches_kernel():
    """The standalone script's pure-Python shuffle gives the kernel's order."""
    namespace = {"np": np}
    exec(_SHUFFLE, namespace)
    order = np.empty(33, np.int64)
    for seed, epoch in itertools.product((0, 1, 2**32 - 1), (0, 1, 999_999)):
        epoch_permutation(order, seed, epoch)
        np.testing.assert_array_equal(namespace["epoch_order"](33, seed, epoch), order)


# --- stop and resume -------------------------------------------------------------

RESUME_CASES = {
    "full-batch": XOR_CASES["sigmoid-sse-bias-1"],
    "mini-batch": replace(MOONS_CASES["moons-minibatch"], samples=200),
}


def _trainer(case: Case, **config_changes) -> Trainer:
    data = case.data()
    config = replace(case.config, **config_changes)
    return Trainer(case.network(), data.X_train, data.y_train, config)


@pytest.fixture(scope="module", params=list(RESUME_CASES))
def resume_case(request):
    case = RESUME_CASES[request.param]
    whole = _trainer(case)
    whole.train()
    return case, whole


def _assert_same_run(a: Trainer, b: Trainer) -> None:
    assert a.epoch == b.epoch
    assert np.array_equal(a.net.params, b.net.params)
    assert np.array_equal(a.losses, b.losses)


def test_split_run_is_bit_identical(resume_case):
    case, whole = resume_case
    split = _trainer(case)
    assert split.train(n_epochs=3) == 3
    assert split.train(n_epochs=4321) == 4321
    assert split.train() == EPOCHS - 4324
    assert split.done
    _assert_same_run(split, whole)


def test_callback_stop_then_resume_is_bit_identical(resume_case):
    case, whole = resume_case
    stopped = _trainer(case)
    seen = []

    def stop_every_chunk(progress):
        seen.append(progress)
        return True

    calls = 0
    while not stopped.done:
        stopped.train(callback=stop_every_chunk)
        calls += 1
    assert calls == len(seen) > 10
    _assert_same_run(stopped, whole)
    epochs = [p.epoch for p in seen]
    assert epochs == sorted(set(epochs)) and epochs[-1] == EPOCHS
    assert all(p.target == EPOCHS for p in seen)
    assert all(p.train_loss == stopped.train_loss[p.epoch - 1] for p in seen)


def test_max_seconds_stops_and_resumes(resume_case):
    case, whole = resume_case
    timed = _trainer(case)
    first = timed.train(max_seconds=0.0)
    assert 0 < first < EPOCHS
    # A live view's frame calls train(max_seconds=...) again and again: each later call's
    # first chunk is cut by the pace an earlier call measured, not run whole to its stop.
    assert [timed.train(max_seconds=0.0) for _ in range(3)] == [1, 1, 1]
    timed.train()
    _assert_same_run(timed, whole)


def test_new_settings_forget_the_old_pace(resume_case):
    case, _ = resume_case
    timed = _trainer(case)
    timed.train(n_epochs=1000)
    timed.set_config(replace(timed.config, lr=timed.config.lr / 2))
    assert timed.train(max_seconds=0.0) > 1   # uncut: the first chunk runs to its stop


# --- snapshots and records --------------------------------------------------------


def _assert_timeline(trainer: Trainer) -> None:
    snaps = trainer.snapshot_epochs
    assert 2 <= len(snaps) <= MAX_SNAPSHOTS
    assert len(trainer.snapshot_params) == len(snaps)
    assert snaps[0] == 0 and snaps[-1] == trainer.epoch
    assert all(a < b for a, b in zip(snaps, snaps[1:]))
    np.testing.assert_array_equal(trainer.snapshot_params[-1], trainer.net.params)
    rec = trainer.records["epoch"]
    assert rec[0] == 0 and rec[-1] == trainer.epoch
    assert all(a < b for a, b in zip(rec, rec[1:]))
    assert {len(v) for v in trainer.records.values()} == {len(rec)}


def test_snapshots_and_records(resume_case):
    case, whole = resume_case
    _assert_timeline(whole)
    assert len(whole.records["epoch"]) <= MAX_RECORDS + 10
    # Early epochs get more frames than late ones.
    assert sum(e <= EPOCHS // 10 for e in whole.snapshot_epochs) > len(whole.snapshot_epochs) // 3


def test_snapshot_params_are_the_params_at_that_epoch(resume_case):
    case, whole = resume_case
    np.testing.assert_array_equal(whole.snapshot_params[0], case.network().params)
    for index in (1, len(whole.snapshot_epochs) // 2, len(whole.snapshot_epochs) - 2):
        epoch = whole.snapshot_epochs[index]
        replay = _trainer(case)
        replay.train(n_epochs=epoch)
        np.testing.assert_array_equal(whole.snapshot_params[index], replay.net.params)
        np.testing.assert_array_equal(whole.network_at(index).params, replay.net.params)


def test_records_are_evaluations_at_their_epochs(resume_case):
    case, whole = resume_case
    for i in (0, len(whole.records["epoch"]) // 3, -1):
        epoch = whole.records["epoch"][i]
        replay = _trainer(case)
        replay.train(n_epochs=epoch)
        loss, accuracy = replay.evaluate(replay.X, replay.y)
        assert whole.records["train_loss"][i] == loss
        assert whole.records["train_accuracy"][i] == accuracy


def test_test_set_records_are_evaluations_at_their_epochs():
    # The kernel measures the test set at each stop too (train_stops).
    data = make_dataset("moons", samples=200, test_fraction=0.3)
    assert len(data.X_test) > 0
    case = MOONS_CASES["moons-minibatch"]

    def trainer():
        return Trainer(case.network(), data.X_train, data.y_train, case.config,
                       data.X_test, data.y_test)

    whole = trainer()
    whole.train()
    for i in (1, len(whole.records["epoch"]) // 2, -1):
        epoch = whole.records["epoch"][i]
        replay = trainer()
        replay.train(n_epochs=epoch)
        loss, accuracy = replay.evaluate(replay.X_test, replay.y_test)
        assert whole.records["test_loss"][i] == loss
        assert whole.records["test_accuracy"][i] == accuracy


def test_one_kernel_call_covers_many_stops():
    # Every return to Python must take the GIL back, which a busy server grants
    # only after its switch interval: the tutorial's XOR run (~1,000 records)
    # returns a handful of times, not once per record.
    case = XOR_CASES["sigmoid-sse-bias-1"]
    data = case.data()
    trainer = Trainer(case.network(), data.X_train, data.y_train,
                      replace(case.config, epochs=200_000))
    calls = []
    trainer.train(callback=calls.append)
    assert trainer.done and len(trainer.records["epoch"]) > MAX_RECORDS
    assert len(calls) < len(trainer.records["epoch"]) / 5


def test_split_run_keeps_timeline_limits(resume_case):
    case, _ = resume_case
    split = _trainer(case)
    for n in (1, 2, 3, 500, 4321):
        split.train(n_epochs=n)
    split.train()
    _assert_timeline(split)
    assert len(split.records["epoch"]) <= MAX_RECORDS + 10


# --- extend -----------------------------------------------------------------------


def test_extend_continues_and_keeps_history(resume_case):
    case, whole = resume_case
    trainer = _trainer(case)
    trainer.train()
    before = trainer.losses.copy()
    first_records = {k: list(v) for k, v in trainer.records.items()}
    trainer.extend(5_000)
    assert trainer.target == EPOCHS + 5_000 and not trainer.done
    assert trainer.train() == 5_000
    assert trainer.epoch == EPOCHS + 5_000
    np.testing.assert_array_equal(trainer.losses[:EPOCHS], before)
    for key, values in first_records.items():
        assert trainer.records[key][: len(values)] == values
    _assert_timeline(trainer)

    longer = _trainer(case, epochs=EPOCHS + 5_000)
    longer.train()
    _assert_same_run(trainer, longer)


def test_repeated_extend_keeps_snapshot_budget():
    trainer = _trainer(XOR_CASES["tanh-bce-bias-1"], epochs=2_000)
    trainer.train()
    for extra in (2_000, 8_000, 30_000, 100_000):
        trainer.extend(extra)
        trainer.train()
        _assert_timeline(trainer)
    assert trainer.epoch == 142_000
    assert len(trainer.losses) == 142_000 and np.all(np.isfinite(trainer.losses))


@pytest.mark.parametrize("extra", [0, -1, 1.5])
def test_extend_rejects_bad_epochs(extra):
    trainer = _trainer(XOR_CASES["tanh-bce-bias-1"], epochs=10)
    with pytest.raises(ValueError, match="epochs must be an integer"):
        trainer.extend(extra)
