"""Hidden-size sweeps: many small runs on the compiled kernel, across all cores.

Each (hidden size, seed) run is independent, so the sweep hands them to a
thread pool; the kernel releases the GIL, so two cores train two networks at
once. Runs are checked every ``epochs // 100`` epochs for success (every
training point right, or a chosen accuracy), which gives epochs-to-success to
within 1 % of the run.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass

import numpy as np

from ._validate import check_float, check_int
from .datasets import Dataset
from .kernel import OK
from .network import MAX_HIDDEN_LAYERS, Network, parameter_breakdown
from .reference import evaluate
from .training import MAX_ABS_WEIGHT, TrainConfig, kernel_for, kernel_settings

MAX_SWEEP_RUNS = 2_000
# The sweep's widths stay within what a tutorial-sized sweep needs (and what its
# page offers) until sweeps on real data sets get their own page.
MAX_SWEEP_HIDDEN = 64
CHECKS_PER_RUN = 100


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

    def __post_init__(self):
        check_int("sweep low", self.low, 1, MAX_SWEEP_HIDDEN)
        check_int("sweep high", self.high, self.low, MAX_SWEEP_HIDDEN)
        check_int("seeds", self.seeds, 1, 100)
        check_int("hidden layers", self.layers, 1, MAX_HIDDEN_LAYERS)
        check_float("success accuracy", self.success_accuracy, 0.0, 1.0, lo_open=True)
        if self.n_runs > MAX_SWEEP_RUNS:
            raise ValueError(f"a sweep may have at most {MAX_SWEEP_RUNS:,} runs, "
                             f"this one has {self.n_runs:,}")

    @property
    def hidden_sizes(self) -> list[int]:
        return list(range(self.low, self.high + 1))

    @property
    def n_runs(self) -> int:
        return (self.high - self.low + 1) * self.seeds


def train_one(data: Dataset, hidden: int, seed: int, spec: SweepSpec,
            config: TrainConfig, cancel: threading.Event | None = None) -> SweepRow:
    """Train one network of the sweep and summarise it."""
    net = Network.create(data.n_features, (hidden,) * spec.layers, activation=spec.activation,
                         bias=spec.bias, init=spec.init, seed=seed)
    X = np.ascontiguousarray(data.X_train, dtype=np.float64)
    y = np.ascontiguousarray(data.y_train, dtype=np.float64)
    Y = net.encode_targets(y)
    k = kernel_settings(net, config, len(X))
    compiled = kernel_for(net.layer_sizes, min(k.batch_size, len(X)))
    losses = np.zeros(config.epochs)
    chunk = max(1, config.epochs // CHECKS_PER_RUN)
    epoch, first_success, diverged = 0, None, False
    while epoch < config.epochs and not (cancel is not None and cancel.is_set()):
        n = min(chunk, config.epochs - epoch)
        done, status = compiled.train_epochs(X, Y, net.params, *k, epoch, n, losses,
                                             MAX_ABS_WEIGHT)
        epoch += int(done)
        if status != OK:
            diverged = True
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
    Network.create(data.n_features, (spec.low,) * spec.layers, activation=spec.activation,
                   bias=spec.bias, init=spec.init, seed=0)
    rows: list[SweepRow] = []
    workers = workers or min(len(jobs), os.cpu_count() or 1)
    cancel = cancel if cancel is not None else threading.Event()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(train_one, data, h, s, spec, config, cancel) for h, s in jobs]
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
    return sorted(rows, key=lambda r: (r.hidden, r.seed))


def estimated_seconds(data: Dataset, spec: SweepSpec, config: TrainConfig) -> float:
    """A rough, deliberately pessimistic run time, to refuse sweeps too big for a shared server."""
    per_epoch = 0.0
    for h in spec.hidden_sizes:
        sizes = (data.n_features, *(h,) * spec.layers, 1)
        macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
        per_epoch += spec.seeds * (5e-7 + 1e-8 * data.n_train * (macs + sum(sizes)))
    return per_epoch * config.epochs / max(1, min(2, os.cpu_count() or 1))


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


def rows_to_csv(rows: list[SweepRow]) -> str:
    """The sweep's rows as CSV text, one line per (hidden, seed)."""
    if not rows:
        return ""
    names = list(asdict(rows[0]))
    lines = [",".join(names)]
    for r in rows:
        lines.append(",".join("" if v is None else str(v) for v in asdict(r).values()))
    return "\n".join(lines) + "\n"
