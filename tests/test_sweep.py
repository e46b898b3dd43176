"""Hidden-size sweeps: what they find on XOR, their summaries, CSV, cancelling, bad specs."""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, fields, replace

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


# --------------------------------------------------------------------------- held-out sweeps

from mlp_core.metrics import r2  # noqa: E402
from mlp_core.network import Network  # noqa: E402
from mlp_core.reference import evaluate  # noqa: E402
from mlp_core.sweep import (  # noqa: E402
    ScoreRow,
    best_width,
    estimated_seconds,
    fold_labels,
    score_matrix,
    sweep_scores,
)

IRIS = make_dataset("iris")
IRIS_SPEC = SweepSpec(widths=(1, 2, 8), seeds=2, bias=True, output="softmax", n_outputs=3)
IRIS_CONFIG = TrainConfig(lr=0.5, epochs=300, loss="ce")


@pytest.fixture(scope="module")
def iris_rows():
    return sweep_scores(IRIS, IRIS_SPEC, IRIS_CONFIG)


def test_held_out_scores_are_the_test_split_accuracy(iris_rows):
    assert [(r.hidden, r.seed, r.fold) for r in iris_rows] == [
        (h, s, -1) for h in (1, 2, 8) for s in range(2)]
    for r in iris_rows:
        net = Network((4, r.hidden, 3), "sigmoid", True, params=r.params.copy(),
                      output_activation="softmax")
        assert r.heldout_score == evaluate(net, IRIS.X_test, IRIS.y_test, "ce")[1]
        assert r.train_score == evaluate(net, IRIS.X_train, IRIS.y_train, "ce")[1]
        assert r.n_params == 4 * r.hidden + r.hidden + 3 * r.hidden + 3
        epochs, losses = r.history
        assert epochs[-1] == r.epochs == 300 and len(epochs) == len(losses) <= 200
        assert np.all(np.isfinite(losses)) and losses[-1] < losses[0]
    # 8 softmax-fed hidden units learn iris; one unit cannot separate three classes as well
    wide = [r.heldout_score for r in iris_rows if r.hidden == 8]
    assert min(wide) >= 0.9
    assert np.mean(wide) > np.mean([r.heldout_score for r in iris_rows if r.hidden == 1])


def test_score_matrix_averages_folds_per_width_and_seed():
    rows = [ScoreRow(h, s, f, 1, 0.0, 0.0, 0.0, float(10 * h + s + f), False, 1)
            for h in (1, 4) for s in (0, 1) for f in (0, 1, 2)]
    widths, seeds, scores = score_matrix(rows)
    np.testing.assert_array_equal(widths, [1, 4])
    np.testing.assert_array_equal(seeds, [0, 1])
    np.testing.assert_array_equal(scores, [[11, 12], [41, 42]])  # fold mean: +1
    rows[0] = ScoreRow(1, 0, 0, 1, 0.0, 0.0, 0.0, float("nan"), True, 1)
    assert score_matrix(rows)[2][0, 0] == 11.5   # a non-finite fold is left out


def test_fold_labels_are_stratified_and_seeded():
    y = IRIS.y_train
    labels = fold_labels(y, 5, stratify=True)
    assert labels.shape == y.shape and set(labels) == set(range(5))
    for c in range(3):
        counts = np.bincount(labels[y == c], minlength=5)
        assert counts.max() - counts.min() <= 1, counts   # each class dealt out evenly
    sizes = np.bincount(labels)
    assert sizes.max() - sizes.min() <= 1
    np.testing.assert_array_equal(labels, fold_labels(y.copy(), 5, stratify=True))
    assert not np.array_equal(labels, fold_labels(y, 5, stratify=True, seed=1))
    plain = fold_labels(np.zeros(23), 4, stratify=False)
    assert sorted(np.bincount(plain)) == [5, 6, 6, 6]
    with pytest.raises(ValueError, match="needs at least 5 training rows, this data has 3"):
        fold_labels(np.zeros(3), 5, stratify=False)


def test_k_fold_holds_out_each_fold_once_and_is_the_same_whatever_the_workers():
    spec = SweepSpec(widths=(2, 4), seeds=2, bias=True, output="softmax", n_outputs=3, folds=3)
    config = TrainConfig(lr=0.5, epochs=100, loss="ce")
    many = sweep_scores(IRIS, spec, config, workers=2)
    one = sweep_scores(IRIS, spec, config, workers=1)
    assert len(many) == spec.n_runs == 12
    assert [(r.hidden, r.seed, r.fold) for r in many] == [
        (h, s, f) for h in (2, 4) for s in range(2) for f in range(3)]
    assert many == one
    for a, b in zip(many, one):
        assert (a.params is None) == (b.params is None) == (a.fold > 0)
        if a.params is not None:
            np.testing.assert_array_equal(a.params, b.params)
            np.testing.assert_array_equal(a.history[1], b.history[1])
    # each run is scored on its fold's rows, trained on the others
    labels = fold_labels(IRIS.y_train, 3, stratify=True)
    r = many[0]
    net = Network((4, 2, 3), "sigmoid", True, params=r.params.copy(), output_activation="softmax")
    held = labels == 0
    assert r.heldout_score == evaluate(net, IRIS.X_train[held], IRIS.y_train[held], "ce")[1]
    assert r.train_score == evaluate(net, IRIS.X_train[~held], IRIS.y_train[~held], "ce")[1]


def test_best_width_and_one_standard_error_by_hand():
    widths = np.array([1, 2, 4, 8])
    scores = np.array([[0.60, 0.70, 0.65],
                       [0.88, 0.90, 0.86],
                       [0.92, 0.90, 0.94],
                       [0.90, np.nan, 0.92]])
    # means 0.65, 0.88, 0.92, 0.91 (8: the nan left out) -> best width 4;
    # SE(4) = std([.92, .90, .94], ddof=1) / sqrt(3) = 0.02 / sqrt(3) = 0.011547;
    # 0.92 - 0.011547 = 0.908453: width 2 (0.88) is below, so the smallest within is 4.
    assert best_width(widths, scores) == (4, 4)
    scores[1] = [0.91, 0.91, 0.91]   # mean 0.91 >= 0.908453: width 2 is within one SE
    assert best_width(widths, scores) == (4, 2)
    assert best_width(widths, np.full((4, 3), np.nan)) == (None, None)
    assert best_width(np.array([3]), np.array([[0.5]])) == (3, 3)   # one seed: SE 0


def test_best_width_agrees_with_the_chart():
    import mlp_figures as figs
    rng = np.random.default_rng(3)
    widths = np.array([1, 2, 4, 8, 16])
    for _ in range(20):
        scores = rng.uniform(0.7, 1.0, (5, 4))
        assert best_width(widths, scores) == figs.best_widths(widths, scores)


def test_regression_sweep_scores_r2():
    data = make_dataset("sine")
    spec = SweepSpec(widths=(1, 16), seeds=2, bias=True, activation="tanh", output="linear",
                     n_outputs=1)
    rows = sweep_scores(data, spec, TrainConfig(lr=0.1, epochs=2000, loss="mse"))
    for r in rows:
        net = Network((1, r.hidden, 1), "tanh", True, params=r.params.copy(),
                      output_activation="linear")
        assert r.heldout_score == pytest.approx(r2(net.outputs(data.X_test), data.y_test),
                                                abs=1e-12)
    assert min(r.heldout_score for r in rows if r.hidden == 16) >= 0.8
    assert all(r.heldout_score <= 1 for r in rows)


def test_held_out_rows_to_csv(iris_rows):
    lines = rows_to_csv(iris_rows).splitlines()
    assert lines[0] == ("hidden,seed,fold,n_params,train_loss,heldout_loss,train_score,"
                        "heldout_score,diverged,epochs")
    first = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert first["fold"] == "-1" and float(first["heldout_score"]) == iris_rows[0].heldout_score
    assert len(lines) == 1 + len(iris_rows)


def test_held_out_sweep_needs_a_test_split_or_folds():
    with pytest.raises(ValueError, match="xor has no test split to score on; use k-fold"):
        sweep_scores(XOR, SweepSpec(widths=(2,), seeds=1), CONFIG)


@pytest.mark.parametrize("changes,message", [
    ({"widths": (4, 2)}, r"^widths must be ascending without repeats, got 4, 2$"),
    ({"widths": (1, 257)}, r"^width must be an integer in \[1, 256\], got 257$"),
    ({"folds": 1}, r"^folds must be an integer in \[2, 10\], got 1$"),
    ({"output": "tanh"}, r"^output must be one of sigmoid, softmax, linear"),
    ({"widths": tuple(range(1, 101)), "seeds": 5, "folds": 5},
     r"^a sweep may have at most 2,000 runs, this one has 2,500$"),
])
def test_bad_held_out_spec(changes, message):
    with pytest.raises(ValueError, match=message):
        SweepSpec(**changes)


def test_widths_list_up_to_256_and_the_estimate_costs_wide_nets_by_their_kernel():
    spec = SweepSpec(widths=(1, 2, 4, 8, 16, 32, 64, 128, 256), seeds=3)
    assert spec.hidden_sizes == [1, 2, 4, 8, 16, 32, 64, 128, 256] and spec.n_runs == 27
    cancer = make_dataset("breast_cancer")
    one = SweepSpec(widths=(16,), seeds=1)
    config = TrainConfig(lr=0.5, epochs=1000, loss="bce")
    # the BLAS path measures ~0.1 ms/epoch here; the guard allows at most ~2x that and 0.01x
    seconds = estimated_seconds(cancer, one, config) * min(2, os.cpu_count() or 1)
    assert 0.1e-3 * 1000 <= seconds <= 1.0
    digits = make_dataset("digits")
    d = SweepSpec(widths=(32,), seeds=1, output="softmax", n_outputs=10)
    seconds = estimated_seconds(digits, d, TrainConfig(epochs=1000, loss="ce"))
    assert 0.7e-3 * 1000 <= seconds * min(2, os.cpu_count() or 1) <= 5.0
    # k folds train k networks on (k-1)/k of the rows each
    five = estimated_seconds(digits, replace(d, folds=5), TrainConfig(epochs=1000, loss="ce"))
    assert 3.0 * seconds < five < 5.0 * seconds
