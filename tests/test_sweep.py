"""Hidden-size sweeps: what they find on XOR, their summaries, CSV, cancelling, bad specs."""

from __future__ import annotations

import threading
from dataclasses import asdict, fields

import numpy as np
import pytest

from mlp_core import TrainConfig, make_dataset
from mlp_core.sweep import (
    MAX_SWEEP_RUNS,
    SweepRow,
    SweepSpec,
    rows_to_csv,
    summarize,
    sweep_hidden_sizes,
    train_one,
)

XOR = make_dataset("xor")
SPEC = SweepSpec(low=1, high=6, seeds=5, activation="sigmoid", bias=True, init="xavier")
CONFIG = TrainConfig(lr=0.5, epochs=5_000, loss="sse")


@pytest.fixture(scope="module")
def xor_rows():
    return sweep_hidden_sizes(XOR, SPEC, CONFIG)


def _success_rate(rows, sizes) -> float:
    return float(np.mean([r.success for r in rows if r.hidden in sizes]))


def test_every_run_is_there_in_order(xor_rows):
    assert len(xor_rows) == SPEC.n_runs == 30
    assert [(r.hidden, r.seed) for r in xor_rows] == [
        (h, s) for h in range(1, 7) for s in range(5)]
    assert [r.params for r in xor_rows[::5]] == [5, 9, 13, 17, 21, 25]
    assert not any(r.diverged for r in xor_rows)
    assert all(r.final_test_loss is None and r.test_accuracy is None for r in xor_rows)


def test_one_hidden_node_never_solves_xor(xor_rows):
    one = [r for r in xor_rows if r.hidden == 1]
    assert not any(r.success for r in one)
    assert all(r.train_accuracy <= 0.75 and r.epochs_to_success is None for r in one)


def test_more_hidden_nodes_succeed_more_often(xor_rows):
    wide = _success_rate(xor_rows, range(4, 7))
    assert wide >= 0.6
    assert wide > _success_rate(xor_rows, (1, 2))


def test_success_is_consistent(xor_rows):
    for r in xor_rows:
        assert r.success == (r.train_accuracy == 1.0)
        if r.success:
            assert 0 < r.epochs_to_success <= CONFIG.epochs
            assert r.epochs_to_success % (CONFIG.epochs // 100) == 0


def test_rows_are_reproducible(xor_rows):
    again = train_one(XOR, 3, 2, SPEC, CONFIG)
    assert again == next(r for r in xor_rows if (r.hidden, r.seed) == (3, 2))
    single_worker = sweep_hidden_sizes(XOR, SweepSpec(low=2, high=3, seeds=2), CONFIG, workers=1)
    assert single_worker == [r for r in xor_rows if r.hidden in (2, 3) and r.seed < 2]


def test_summarize_shapes(xor_rows):
    summary = summarize(xor_rows)
    assert {v.shape for v in summary.values()} == {(6,)}
    np.testing.assert_array_equal(summary["hidden"], np.arange(1, 7))
    np.testing.assert_array_equal(summary["params"], [5, 9, 13, 17, 21, 25])
    assert summary["success_rate"][0] == 0.0
    assert np.isnan(summary["epochs_to_success_median"][0])
    assert np.all(np.isnan(summary["final_test_loss_median"]))
    for metric in ("final_train_loss", "train_accuracy"):
        q25, med, q75 = (summary[f"{metric}_{s}"] for s in ("q25", "median", "q75"))
        assert np.all((q25 <= med) & (med <= q75))
    for h in range(1, 7):
        losses = [r.final_train_loss for r in xor_rows if r.hidden == h]
        assert summary["final_train_loss_median"][h - 1] == np.median(losses)


def test_summarize_with_a_test_set():
    data = make_dataset("moons", samples=40)
    rows = sweep_hidden_sizes(data, SweepSpec(low=2, high=3, seeds=2),
                              TrainConfig(lr=0.5, epochs=200))
    summary = summarize(rows)
    assert summary["hidden"].shape == (2,)
    assert np.all(np.isfinite(summary["final_test_loss_median"]))
    assert all(r.test_accuracy is not None for r in rows)


def test_rows_to_csv(xor_rows):
    text = rows_to_csv(xor_rows)
    lines = text.splitlines()
    header = ("hidden,seed,params,final_train_loss,final_test_loss,train_accuracy,"
              "test_accuracy,success,epochs_to_success,diverged")
    assert lines[0] == header == ",".join(f.name for f in fields(SweepRow))
    assert len(lines) == 1 + len(xor_rows)
    assert text.endswith("\n")
    first = dict(zip(header.split(","), lines[1].split(",")))
    assert first["hidden"] == "1" and first["seed"] == "0"
    assert first["final_test_loss"] == "" and first["success"] == "False"
    assert float(first["final_train_loss"]) == xor_rows[0].final_train_loss
    assert rows_to_csv([]) == ""


def test_cancel_after_three_runs():
    cancel = threading.Event()
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done >= 3:
            cancel.set()

    rows = sweep_hidden_sizes(XOR, SPEC, CONFIG, progress=progress, cancel=cancel)
    assert 3 <= len(rows) < SPEC.n_runs
    assert calls[:3] == [(1, 30), (2, 30), (3, 30)]
    assert rows == sorted(rows, key=lambda r: (r.hidden, r.seed))


def test_cancel_before_start_returns_nothing():
    cancel = threading.Event()
    cancel.set()
    assert sweep_hidden_sizes(XOR, SPEC, CONFIG, cancel=cancel) == []


def test_progress_reaches_the_total():
    calls = []
    spec = SweepSpec(low=1, high=2, seeds=2)
    rows = sweep_hidden_sizes(XOR, spec, TrainConfig(lr=0.5, epochs=100),
                     progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(rows) == 4


@pytest.mark.parametrize("changes,message", [
    ({"low": 3, "high": 1}, r"^sweep high must be an integer in \[3, 64\], got 1$"),
    ({"low": 0}, r"^sweep low must be an integer in \[1, 64\], got 0$"),
    ({"high": 65}, r"^sweep high must be an integer"),
    ({"seeds": 0}, r"^seeds must be an integer in \[1, 100\], got 0$"),
    ({"seeds": 101}, r"^seeds must be an integer"),
    ({"layers": 5}, r"^hidden layers must be"),
    ({"success_accuracy": 0.0}, r"^success accuracy must be"),
    ({"low": 1, "high": 64, "seeds": 40},
     rf"^a sweep may have at most {MAX_SWEEP_RUNS:,} runs, this one has 2,560$"),
])
def test_bad_spec(changes, message):
    with pytest.raises(ValueError, match=message):
        SweepSpec(**{**asdict(SweepSpec()), **changes})


def test_bad_init_fails_before_starting():
    spec = SweepSpec(low=1, high=2, seeds=1, init="tutorial")
    with pytest.raises(ValueError, match=r"^init 'tutorial' has fixed weights only"):
        sweep_hidden_sizes(XOR, spec, CONFIG)


def test_diverging_runs_are_marked():
    rows = sweep_hidden_sizes(XOR, SweepSpec(low=2, high=2, seeds=2),
                     TrainConfig(lr=1e6, epochs=100, loss="bce"))
    assert all(r.diverged and not r.success and r.epochs_to_success is None for r in rows)
    assert all(np.isfinite(r.final_train_loss) for r in rows)
