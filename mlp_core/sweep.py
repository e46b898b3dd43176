"""Hidden-size sweeps: many small runs on the compiled kernel, across all cores.

Each (hidden size, seed) run is independent, so the sweep hands them to a
thread pool; the kernel releases the GIL, so two cores train two networks at
once. Two kinds of sweep share the pool:

- ``sweep_hidden_sizes``, the tutorial's question on gates and 2-D sets: runs are
  checked every ``epochs // 100`` epochs for success (every training point
  right, or a chosen accuracy), which gives epochs-to-success to within 1 %.
- ``sweep_scores``, the practitioner's on real data: each run is scored on
  held-out rows (the test split, or each fold of a k-fold split of the training
  rows), so under- and over-fitting show, and ``best_width`` picks a width.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, fields

import numpy as np

from . import dense
from ._validate import check_float, check_int
from .activations import OUTPUT_ACTIVATIONS
from .datasets import Dataset
from .kernel import LOSS_NOT_FINITE, OK, WEIGHTS_EXPLODED
from .network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES, Network, parameter_breakdown
from .optimizers import new_state
from .reference import evaluate
from .training import MAX_ABS_WEIGHT, TrainConfig, downsample_indices, kernel_for, kernel_settings

MAX_SWEEP_RUNS = 2_000
# The sweep's widths stay within what a tutorial-sized sweep needs (and what its
# page offers) until sweeps on real data sets get their own page.
MAX_SWEEP_HIDDEN = 64
CHECKS_PER_RUN = 100
MAX_FOLDS = 10
MAX_SEEDS = 100
# Held-out rows of a k-fold split are drawn by a generator of this seed (not the
# run's seed), so every run of a sweep sees the same folds.
FOLD_SEED = 0
# Points of each run's loss history kept for the page (a chart, not an analysis).
HISTORY_POINTS = 200


@dataclass(frozen=True)
class SweepRow:
    hidden: int
    seed: int
    params: int
    final_train_loss: float
    final_test_loss: float | None
    train_accuracy: float
    test_accuracy: float | None
    success: bool
    epochs_to_success: int | None
    diverged: bool


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep: hidden sizes ``low..high``, ``seeds`` seeds each (0..seeds-1)."""

    low: int = 1
    high: int = 16
    seeds: int = 10
    layers: int = 1
    activation: str = "sigmoid"
    bias: bool = True
    init: str = "xavier"
    success_accuracy: float = 1.0
    #: explicit widths (ascending, 1..MAX_HIDDEN_NODES), e.g. 1, 2, 4, ..., 128; they
    #: replace ``low..high`` (which stays within MAX_SWEEP_HIDDEN)
    widths: tuple[int, ...] = ()
    #: 0: score on the test split; 2..MAX_FOLDS: k-fold cross-validation on the training rows
    folds: int = 0
    output: str = "sigmoid"
    n_outputs: int = 1

    def __post_init__(self):
        check_int("sweep low", self.low, 1, MAX_SWEEP_HIDDEN)
        check_int("sweep high", self.high, self.low, MAX_SWEEP_HIDDEN)
        check_int("seeds", self.seeds, 1, MAX_SEEDS)
        check_int("hidden layers", self.layers, 1, MAX_HIDDEN_LAYERS)
        check_float("success accuracy", self.success_accuracy, 0.0, 1.0, lo_open=True)
        widths = tuple(self.widths)
        for w in widths:
            check_int("width", w, 1, MAX_HIDDEN_NODES)
        if any(b <= a for a, b in zip(widths, widths[1:])):
            raise ValueError(f"widths must be ascending without repeats, got "
                             f"{', '.join(str(w) for w in widths)}")
        object.__setattr__(self, "widths", tuple(int(w) for w in widths))
        if self.folds != 0:
            check_int("folds", self.folds, 2, MAX_FOLDS)
        if self.output not in OUTPUT_ACTIVATIONS:
            raise ValueError(f"output must be one of {', '.join(OUTPUT_ACTIVATIONS)}, "
                             f"got {self.output!r}")
        if self.n_runs > MAX_SWEEP_RUNS:
            raise ValueError(f"a sweep may have at most {MAX_SWEEP_RUNS:,} runs, "
                             f"this one has {self.n_runs:,}")

    @property
    def hidden_sizes(self) -> list[int]:
        return list(self.widths) if self.widths else list(range(self.low, self.high + 1))

    @property
    def n_runs(self) -> int:
        """Networks trained: one per width, seed and fold."""
        return len(self.hidden_sizes) * self.seeds * max(1, self.folds)

    def network(self, n_inputs: int, hidden: int, seed: int) -> Network:
        return Network.create(n_inputs, (hidden,) * self.layers, n_outputs=self.n_outputs,
                              output=self.output, activation=self.activation, bias=self.bias,
                              init=self.init, seed=seed)


def train_one(data: Dataset, hidden: int, seed: int, spec: SweepSpec,
            config: TrainConfig, cancel: threading.Event | None = None) -> SweepRow:
    """Train one network of the sweep and summarise it."""
    net = spec.network(data.n_features, hidden, seed)
    X = np.ascontiguousarray(data.X_train, dtype=np.float64)
    y = np.ascontiguousarray(data.y_train, dtype=np.float64)
    Y = net.encode_targets(y)
    k = kernel_settings(net, config, len(X))
    compiled = kernel_for(net.layer_sizes, min(k.batch_size, len(X)))
    losses = np.zeros(config.epochs)
    opt_state = new_state(len(net.params))
    chunk = max(1, config.epochs // CHECKS_PER_RUN)
    epoch, first_success, diverged = 0, None, False
    while epoch < config.epochs and not (cancel is not None and cancel.is_set()):
        n = min(chunk, config.epochs - epoch)
        done, status = compiled.train_epochs(X, Y, net.params, *k, epoch, n, losses,
                                             MAX_ABS_WEIGHT, opt_state)
        epoch += int(done)
        if status != OK:
            diverged = status in (LOSS_NOT_FINITE, WEIGHTS_EXPLODED)
            break
        if first_success is None:
            _, correct = compiled.loss_and_score(X, Y, net.params, k.sizes, k.act_id, k.out_id,
                                                 k.loss_id)
            if correct / len(X) >= spec.success_accuracy:
                first_success = epoch
    train_loss, train_acc = evaluate(net, X, y, config.loss)
    test_loss, test_acc = evaluate(net, data.X_test, data.y_test, config.loss)
    has_test = data.n_test > 0
    return SweepRow(
        hidden=hidden, seed=seed, params=parameter_breakdown(net.layer_sizes, spec.bias)[0],
        final_train_loss=train_loss, final_test_loss=test_loss if has_test else None,
        train_accuracy=train_acc, test_accuracy=test_acc if has_test else None,
        success=bool(train_acc >= spec.success_accuracy and not diverged),
        epochs_to_success=first_success if not diverged else None, diverged=diverged,
    )


def sweep_hidden_sizes(data: Dataset, spec: SweepSpec, config: TrainConfig, *,
                       progress=None, cancel: threading.Event | None = None,
                       workers: int | None = None) -> list[SweepRow]:
    """Every (hidden, seed) run of ``spec``, sorted by hidden size then seed.

    ``progress(done, total)`` is called as runs finish (from this thread);
    setting ``cancel`` (from another thread) stops the sweep early and returns the
    runs finished so far. An exception raised by ``progress`` (Streamlit stopping
    the page's script) also cancels the runs not yet finished.
    """
    jobs = [(h, s) for h in spec.hidden_sizes for s in range(spec.seeds)]
    # Fail on a bad init/shape before starting threads, with the engine's own message.
    spec.network(data.n_features, spec.hidden_sizes[0], 0)
    rows = _run_pool([(train_one, (data, h, s, spec, config)) for h, s in jobs],
                     progress, cancel, workers)
    return sorted(rows, key=lambda r: (r.hidden, r.seed))


def _run_pool(jobs: list, progress, cancel: threading.Event | None, workers: int | None) -> list:
    """Results of ``fn(*args, cancel)`` for each ``(fn, args)`` of ``jobs``, in finishing order.

    Stops early (returning what finished) when ``cancel`` is set or ``progress`` raises.
    """
    rows: list = []
    if not jobs:
        return rows
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    cancel = cancel if cancel is not None else threading.Event()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(fn, *args, cancel) for fn, args in jobs]
        try:
            for future in as_completed(futures):
                if cancel.is_set():
                    break
                rows.append(future.result())
                if progress is not None:
                    progress(len(rows), len(jobs))
        finally:
            # Whatever ended the loop (done, cancel, or an exception such as a UI
            # rerun raised inside ``progress``), no run may go on in the background.
            if len(rows) < len(jobs):
                cancel.set()
                for f in futures:
                    f.cancel()
    return rows


@dataclass(frozen=True)
class ScoreRow:
    """One run of a held-out sweep: a width, a seed, and the fold it held out.

    Scores are accuracy (classification) or R² (regression); ``heldout`` is the
    test split (``fold == -1``) or fold ``fold`` of the training rows. ``params``
    (the final weights, ``Network.params`` layout) and ``history`` (epochs (p,)
    and losses (p,), downsampled) are kept for the runs that open as a model on
    the page (the test split's, or fold 0's), None otherwise; they are left out
    of comparisons and of the CSV.
    """

    hidden: int
    seed: int
    fold: int
    n_params: int
    train_loss: float
    heldout_loss: float
    train_score: float
    heldout_score: float
    diverged: bool
    epochs: int
    params: np.ndarray | None = field(default=None, repr=False, compare=False)
    history: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False,
                                                          compare=False)


def fold_labels(y: np.ndarray, folds: int, *, stratify: bool, seed: int = FOLD_SEED) -> np.ndarray:
    """Which fold (0..folds-1) each training row belongs to, shape ``(n,)`` int64.

    Rows are shuffled by a generator of ``seed``; with ``stratify`` (class labels
    ``y`` of shape (n,)) each class's rows are dealt out in turn, so every fold
    holds each class's share to within one row. The same ``y`` always gives the
    same folds, wherever and by however many workers the runs are trained.
    """
    y = np.asarray(y)
    n = len(y)
    if not 2 <= folds <= n:
        raise ValueError(f"{folds}-fold cross-validation needs at least {folds} training rows, "
                         f"this data has {n}")
    rng = np.random.default_rng(seed)
    if stratify:
        labels = y.reshape(n, -1)[:, 0]
        order = np.concatenate([rng.permutation(np.flatnonzero(labels == c))
                                for c in np.unique(labels)])
    else:
        order = rng.permutation(n)
    out = np.empty(n, dtype=np.int64)
    out[order] = np.arange(n) % folds
    return out


def _split(data: Dataset, fold: int, labels: np.ndarray | None):
    """``(X_fit, y_fit, X_held, y_held)``: the training rows minus ``fold``, and ``fold``
    (or all training rows and the test split when ``fold`` is -1)."""
    if fold < 0:
        return data.X_train, data.y_train, data.X_test, data.y_test
    held = labels == fold
    return (np.ascontiguousarray(data.X_train[~held]), np.ascontiguousarray(data.y_train[~held]),
            np.ascontiguousarray(data.X_train[held]), np.ascontiguousarray(data.y_train[held]))


def score_one(data: Dataset, hidden: int, seed: int, fold: int, spec: SweepSpec,
              config: TrainConfig, labels: np.ndarray | None = None,
              cancel: threading.Event | None = None) -> ScoreRow:
    """Train one network on the rows not held out and score it on those held out.

    ``fold`` -1 holds out the test split; otherwise ``labels`` (``fold_labels``)
    says which training rows fold ``fold`` holds out.
    """
    X_fit, y_fit, X_held, y_held = _split(data, fold, labels)
    net = spec.network(data.n_features, hidden, seed)
    Y = net.encode_targets(y_fit)
    k = kernel_settings(net, config, len(X_fit))
    compiled = kernel_for(net.layer_sizes, min(k.batch_size, len(X_fit)))
    losses = np.zeros(config.epochs)
    opt_state = new_state(len(net.params))
    # ~20 calls a run: enough for cancelling to take effect quickly, few enough to cost nothing
    chunk = max(1, config.epochs // 20)
    epoch, diverged = 0, False
    while epoch < config.epochs and not (cancel is not None and cancel.is_set()):
        done, status = compiled.train_epochs(X_fit, Y, net.params, *k, epoch,
                                             min(chunk, config.epochs - epoch), losses,
                                             MAX_ABS_WEIGHT, opt_state)
        epoch += int(done)
        if status != OK:
            # A target loss reached ends a run early too, without failing it.
            diverged = status in (LOSS_NOT_FINITE, WEIGHTS_EXPLODED)
            break
    train_loss, train_score = evaluate(net, X_fit, y_fit, config.loss)
    held_loss, held_score = evaluate(net, X_held, y_held, config.loss)
    keep = fold <= 0
    idx = downsample_indices(epoch, HISTORY_POINTS)
    return ScoreRow(
        hidden=hidden, seed=seed, fold=fold,
        n_params=parameter_breakdown(net.layer_sizes, spec.bias)[0],
        train_loss=float(train_loss), heldout_loss=float(held_loss),
        train_score=float(train_score), heldout_score=float(held_score), diverged=diverged,
        epochs=epoch, params=net.params.copy() if keep else None,
        history=(idx + 1, losses[idx].copy()) if keep else None,
    )


def sweep_scores(data: Dataset, spec: SweepSpec, config: TrainConfig, *, progress=None,
                 cancel: threading.Event | None = None,
                 workers: int | None = None) -> list[ScoreRow]:
    """Every (width, seed, fold) run of ``spec``, scored on held-out rows, sorted so.

    ``spec.folds`` 0 scores on the test split (which must have rows); k >= 2
    splits the training rows into k folds by ``fold_labels`` (stratified for
    classification). ``progress`` and ``cancel`` as for ``sweep_hidden_sizes``.
    """
    labels = None
    if spec.folds:
        labels = fold_labels(data.y_train, spec.folds, stratify=data.task == "classify")
        folds = list(range(spec.folds))
    elif data.n_test == 0:
        raise ValueError(f"{data.name} has no test split to score on; use k-fold "
                         "cross-validation instead")
    else:
        folds = [-1]
    spec.network(data.n_features, spec.hidden_sizes[0], 0)
    jobs = [(score_one, (data, h, s, f, spec, config, labels))
            for h in spec.hidden_sizes for s in range(spec.seeds) for f in folds]
    rows = _run_pool(jobs, progress, cancel, workers)
    return sorted(rows, key=lambda r: (r.hidden, r.seed, r.fold))


def score_matrix(rows: list[ScoreRow], which: str = "heldout_score"
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(widths (w,), seeds (s,), scores (w, s))``: each width and seed's score, averaged
    over its folds; NaN where a run is missing (a cancelled sweep) or not finite."""
    widths = np.array(sorted({r.hidden for r in rows}), dtype=np.int64)
    seeds = np.array(sorted({r.seed for r in rows}), dtype=np.int64)
    sums = np.zeros((widths.size, seeds.size))
    counts = np.zeros((widths.size, seeds.size))
    wi = {int(w): i for i, w in enumerate(widths)}
    si = {int(s): j for j, s in enumerate(seeds)}
    for r in rows:
        v = getattr(r, which)
        if np.isfinite(v):
            sums[wi[r.hidden], si[r.seed]] += v
            counts[wi[r.hidden], si[r.seed]] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return widths, seeds, np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def best_width(widths: np.ndarray, scores: np.ndarray) -> tuple[int | None, int | None]:
    """The width with the highest mean score and the smallest width within one SE of it.

    ``scores`` (w, s), higher is better, NaN left out. SE is the best width's
    sample standard deviation over the square root of its count (0 with one
    value). ``(None, None)`` when no score is finite. The same rule as
    ``mlp_figures.best_widths``, which marks it on the chart.
    """
    S = np.asarray(scores, dtype=float)
    ok = np.isfinite(S)
    n = ok.sum(axis=1)
    if not n.any():
        return None, None
    mean = np.where(n > 0, np.where(ok, S, 0.0).sum(axis=1) / np.maximum(n, 1), -np.inf)
    b = int(np.argmax(mean))
    vals = S[b][ok[b]]
    se = float(np.std(vals, ddof=1) / np.sqrt(vals.size)) if vals.size > 1 else 0.0
    within = np.flatnonzero(mean >= mean[b] - se - 1e-12)
    return int(widths[b]), int(np.min(np.asarray(widths)[within]))


# Per-epoch cost models, deliberately pessimistic (2-3x what one quiet core measures):
# the compiled loops pay per row and unit; the BLAS path (dense.py) pays per batch, per
# row (the elementwise passes) and per multiply-add. Measured best-of-3 on digits
# 64-h-10, 1,438 rows: 0.19 ms/epoch at h = 1, 0.68 ms at 32 (~2e-10 s per multiply-add),
# 4.2 ms at 256; breast cancer 30-16-1: 0.11 ms.
LOOP_SECONDS_PER_EPOCH = 5e-7
LOOP_SECONDS_PER_ROW_UNIT = 1e-8
DENSE_SECONDS_PER_BATCH = 4e-5
DENSE_SECONDS_PER_ROW = 2e-7
DENSE_SECONDS_PER_MAC = 5e-10


def run_seconds(data: Dataset, sizes, folds: int, config: TrainConfig) -> float:
    """A rough, deliberately pessimistic time for one run on one core.

    ``sizes`` are the network's layer sizes, input first; the run trains on the
    rows ``folds`` leaves it (k-1 of k folds with cross-validation, 0: all
    training rows), on the kernel ``training.kernel_for`` would pick for it.
    """
    rows = data.n_train * (folds - 1) // folds if folds else data.n_train
    rows = max(1, rows)
    batch = min(config.batch_size or rows, rows)
    batches = -(-rows // batch)
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    if kernel_for(sizes, batch) is dense:
        per_epoch = (batches * DENSE_SECONDS_PER_BATCH
                     + rows * (DENSE_SECONDS_PER_ROW + DENSE_SECONDS_PER_MAC * macs))
    else:
        per_epoch = (LOOP_SECONDS_PER_EPOCH
                     + LOOP_SECONDS_PER_ROW_UNIT * rows * (macs + sum(sizes)))
    return per_epoch * config.epochs


def estimated_seconds(data: Dataset, spec: SweepSpec, config: TrainConfig) -> float:
    """A rough, deliberately pessimistic run time, to refuse sweeps too big for a shared server.

    Each run is costed by ``run_seconds``; the runs share up to two cores.
    """
    total = 0.0
    for h in spec.hidden_sizes:
        sizes = (data.n_features, *(h,) * spec.layers, spec.n_outputs)
        total += spec.seeds * max(1, spec.folds) * run_seconds(data, sizes, spec.folds, config)
    return total / max(1, min(2, os.cpu_count() or 1))


def summarize(rows: list[SweepRow]) -> dict[str, np.ndarray]:
    """Per hidden size: median and quartiles of losses and accuracies, success rate.

    Every array has shape ``(n_hidden_sizes,)``; NaN marks a statistic with no data
    (e.g. epochs to success when no seed succeeded).
    """
    sizes = sorted({r.hidden for r in rows})
    out: dict[str, list] = {k: [] for k in (
        "hidden", "params", "success_rate", "epochs_to_success_median")}
    metrics = ("final_train_loss", "final_test_loss", "train_accuracy", "test_accuracy")
    for m in metrics:
        for stat in ("median", "q25", "q75"):
            out[f"{m}_{stat}"] = []
    for h in sizes:
        group = [r for r in rows if r.hidden == h]
        out["hidden"].append(h)
        out["params"].append(group[0].params)
        out["success_rate"].append(float(np.mean([r.success for r in group])))
        eps = [r.epochs_to_success for r in group if r.success and r.epochs_to_success]
        out["epochs_to_success_median"].append(float(np.median(eps)) if eps else np.nan)
        for m in metrics:
            vals = np.array([getattr(r, m) for r in group if getattr(r, m) is not None], float)
            q = np.percentile(vals, [50, 25, 75]) if len(vals) else [np.nan] * 3
            for stat, v in zip(("median", "q25", "q75"), q):
                out[f"{m}_{stat}"].append(float(v))
    return {k: np.array(v, dtype=float) for k, v in out.items()}


def rows_to_csv(rows: list) -> str:
    """The sweep's rows (``SweepRow``s or ``ScoreRow``s) as CSV text, one line per run.

    A ``ScoreRow``'s weights and loss history stay out: the columns are its numbers.
    """
    if not rows:
        return ""
    names = [f.name for f in fields(rows[0]) if f.compare]
    lines = [",".join(names)]
    for r in rows:
        lines.append(",".join("" if v is None else str(v)
                              for v in (getattr(r, n) for n in names)))
    return "\n".join(lines) + "\n"
