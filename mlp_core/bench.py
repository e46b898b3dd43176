"""``python -m mlp_core bench``: the tutorial's loop, the reference path and the
fast path, timed on the same work in one process, reported as ratios.

The tutorial's loop is its OR code as printed, including the ``print`` of the
error every epoch (sent to an in-memory sink, so terminal speed does not count).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np

from .activations import OUTPUT_IDS
from .datasets import make_dataset
from .dense import DENSE_FROM_MACS, wins_over_loops
from .losses import LOSS_IDS
from .network import Network
from .optimizers import new_state
from .reference import apply_update, backprop
from .sweep import SweepSpec, sweep_hidden_sizes
from .training import KernelSettings, TrainConfig, Trainer

OR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
OR_Y = np.array([[0, 1, 1, 1]]).reshape(4, 1)


def tutorial_loop(epochs: int, X=OR_X, y=OR_Y, weight_hidden=None, weight_output=None,
                  lr: float = 0.05) -> float:
    """The tutorial's OR training loop, statement for statement (its names, its prints)."""
    input_features, target_output = X, y
    weight_hidden = (np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
                     if weight_hidden is None else weight_hidden.copy())
    weight_output = (np.array([[0.7], [0.8], [0.9]])
                     if weight_output is None else weight_output.copy())

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_der(x):
        return sigmoid(x) * (1 - sigmoid(x))

    error_out = None
    for _epoch in range(epochs):
        input_hidden = np.dot(input_features, weight_hidden)
        output_hidden = sigmoid(input_hidden)
        input_op = np.dot(output_hidden, weight_output)
        output_op = sigmoid(input_op)
        error_out = ((1 / 2) * (np.power((output_op - target_output), 2)))
        print(error_out.sum())
        derror_douto = output_op - target_output
        douto_dino = sigmoid_der(input_op)
        dino_dwo = output_hidden
        derror_dwo = np.dot(dino_dwo.T, derror_douto * douto_dino)
        derror_dino = derror_douto * douto_dino
        dino_douth = weight_output
        derror_douth = np.dot(derror_dino, dino_douth.T)
        douth_dinh = sigmoid_der(input_hidden)
        dinh_dwh = input_features
        derror_wh = np.dot(dinh_dwh.T, douth_dinh * derror_douth)
        weight_hidden -= lr * derror_wh
        weight_output -= lr * derror_dwo
    return float(error_out.sum())


def _timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def warmup() -> float:
    """Compile (or load from the disk cache) the kernel and ``dense.py``; return the seconds
    it took. (Compiling dense.py takes ~8 s, loading it from the cache under 1 s.)"""
    X = OR_X.astype(float)
    y = OR_Y[:, 0].astype(float)
    t0 = time.perf_counter()
    Trainer(Network.create(2, (3,), init="tutorial"), X, y, TrainConfig(lr=0.05, epochs=2)).train()
    _warm_dense()
    return time.perf_counter() - t0


def _warm_dense() -> None:
    """Every output kind and hidden activation once through ``dense.train_stops``, full batch
    and mini-batch: the argument types every later call has, so all of it is compiled."""
    from .dense import train_stops
    X = np.random.default_rng(0).normal(size=(8, 3))
    for out, loss, k in (("sigmoid", "bce", 1), ("softmax", "ce", 3), ("linear", "mse", 2)):
        Y = np.zeros((8, k))
        Y[:, 0] = 1.0
        sizes = np.array([3, 4, k], dtype=np.int64)
        n_params = 3 * 4 + 4 + 4 * k + k
        for act_id in range(4):
            for batch_size in (8, 3):
                settings = KernelSettings(sizes, act_id, OUTPUT_IDS[out], LOSS_IDS[loss], True,
                                          0.1, 2, 0.01, batch_size, 0)
                train_stops(X, Y, X, Y, np.zeros(n_params), *settings, 0,
                            np.array([1, 2], dtype=np.int64), np.zeros(2), 1e4,
                            np.zeros((2, 4)), np.zeros((2, n_params)), new_state(n_params))


def _reference(epochs: int) -> float:
    net = Network.create(2, (3,), init="tutorial")
    X, y = OR_X.astype(float), OR_Y.astype(float)
    trace = None
    for _ in range(epochs):
        trace = backprop(net, X, y, "sse")
        apply_update(net, trace, 0.05)
    return trace.error


def _fast(epochs: int) -> float:
    net = Network.create(2, (3,), init="tutorial")
    trainer = Trainer(net, OR_X.astype(float), OR_Y[:, 0].astype(float),
                      TrainConfig(lr=0.05, epochs=epochs))
    trainer.train()
    return trainer.last_loss


def run_bench(epochs: int = 200_000, sweep: bool = False, as_json: bool = False) -> int:
    compile_seconds = warmup()
    with contextlib.redirect_stdout(io.StringIO()):
        t_tut, e_tut = _timed(lambda: tutorial_loop(epochs))
    t_ref, e_ref = _timed(lambda: _reference(epochs))
    t_fast, e_fast = _timed(lambda: _fast(epochs))
    result = {
        "epochs": epochs,
        "compile_or_cache_load_seconds": compile_seconds,
        "tutorial_seconds": t_tut, "reference_seconds": t_ref, "fast_seconds": t_fast,
        "fast_vs_tutorial": t_tut / t_fast, "reference_vs_tutorial": t_tut / t_ref,
        "fast_vs_reference": t_ref / t_fast,
        "final_error": {"tutorial": e_tut, "reference": e_ref, "fast": e_fast},
    }
    if sweep:
        result["sweep"] = bench_sweep()
    if as_json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"OR 2-3-1, {epochs:,} epochs (kernel compile/cache load: {compile_seconds:.2f} s)")
    print(f"  tutorial loop as printed  {t_tut:8.3f} s   final error {e_tut!r}")
    print(f"  reference path            {t_ref:8.3f} s   final error {e_ref!r}")
    print(f"  fast path                 {t_fast:8.3f} s   final error {e_fast!r}")
    print(f"  fast path is {t_tut / t_fast:.0f}x the tutorial loop, "
          f"{t_ref / t_fast:.0f}x the reference path")
    if sweep:
        s = result["sweep"]
        print(f"XOR sweep {s['runs']} runs x {s['epochs']:,} epochs, best of {s['repeats']}: "
              f"{s['sweep_model_epochs_per_second']:,.0f} model-epochs/s vs tutorial loop "
              f"{s['tutorial_model_epochs_per_second']:,.0f}/s: {s['ratio']:.0f}x")
        print("  each turn: " + ", ".join(f"{r:.0f}x" for r in s["ratio_per_repeat"])
              + "; cores busy during the sweep: "
              + ", ".join(f"{c:.2f}" for c in s["sweep_cores_busy"])
              + (f"; {s['diverged_runs']} runs diverged" if s["diverged_runs"] else ""))
    return 0


def bench_sweep(low: int = 1, high: int = 16, seeds: int = 10, epochs: int = 20_000,
                repeats: int = 3) -> dict:
    """The 16 x 10 x 20,000 XOR sweep against the tutorial's loop on a sample of the same work.

    Running the tutorial's loop over all 3.2 million model-epochs would take minutes,
    so it runs one seed for a few hidden sizes across the range and the rates are
    compared (at 4 samples its cost per epoch is numpy's per-call overhead, the same
    for 1 or 16 hidden nodes, so the sample is representative).

    The machine may be shared, and a burst of other work slows whichever side is
    being timed; the two-thread sweep loses more to it than the one-thread loop. So
    the sample and the sweep are timed in turn, ``repeats`` times, and each side's
    best rate (its least disturbed run) is compared; every pair's ratio is kept too.
    """
    data = make_dataset("xor")
    spec = SweepSpec(low=low, high=high, seeds=seeds, init="uniform", bias=False)
    config = TrainConfig(lr=0.05, epochs=epochs)
    X, y = data.X_train, data.y_train.reshape(-1, 1)
    sample_sizes = sorted({low, (low + high) // 2, high})
    sample_epochs = max(1, epochs // 4)
    rng = np.random.default_rng(0)
    tut_rates, sweep_rates, sweep_seconds, sweep_cores = [], [], [], []
    rows = []
    for _ in range(max(1, repeats)):
        t_tut = 0.0
        with contextlib.redirect_stdout(io.StringIO()):
            for h in sample_sizes:
                t, _ = _timed(lambda h=h: tutorial_loop(sample_epochs, X, y, rng.random((2, h)),
                                                        rng.random((h, 1))))
                t_tut += t
        tut_rates.append(len(sample_sizes) * sample_epochs / t_tut)
        cpu0 = time.process_time()
        t_sweep, rows = _timed(lambda: sweep_hidden_sizes(data, spec, config))
        sweep_cores.append((time.process_time() - cpu0) / t_sweep)
        sweep_seconds.append(t_sweep)
        sweep_rates.append(len(rows) * epochs / t_sweep)
    tut_rate, sweep_rate = max(tut_rates), max(sweep_rates)
    return {"runs": len(rows), "epochs": epochs, "repeats": len(sweep_rates),
            "sweep_seconds": min(sweep_seconds),
            "sweep_model_epochs_per_second": sweep_rate,
            "tutorial_model_epochs_per_second": tut_rate, "ratio": sweep_rate / tut_rate,
            "ratio_per_repeat": [s / t for s, t in zip(sweep_rates, tut_rates)],
            "sweep_cores_busy": sweep_cores,
            # A diverged run stops early but is counted at full length above.
            "diverged_runs": sum(r.diverged for r in rows),
            "success_rate_by_hidden": {
                h: float(np.mean([r.success for r in rows if r.hidden == h]))
                for h in spec.hidden_sizes}}


# --- bench --real: wide networks on real data against scikit-learn ------------------

REAL_LR = 0.1
REAL_EPOCHS = 300
REAL_REPEATS = 5
# name: (scikit-learn loader, hidden layers, output kind, loss)
REAL_PROBLEMS = {
    "breast_cancer": ("load_breast_cancer", (16,), "sigmoid", "bce"),
    "digits": ("load_digits", (32,), "softmax", "ce"),
}
WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256)
WIDTH_SHAPES = ((2, 200), (2, 1000), (8, 200), (30, 455), (64, 1437))   # (inputs, rows)
# (inputs, rows, hidden) timed with mini-batches of BATCH_SIZES rows.
BATCH_NETS = ((64, 1437, 32), (64, 1437, 8), (30, 455, 16), (2, 1000, 64))
BATCH_SIZES = (16, 32, 64, 128, 256)
# The thread settings compared, as OPENBLAS_NUM_THREADS in a fresh process
# (OpenBLAS reads it once, when NumPy loads it); None leaves OpenBLAS's default.
THREAD_SETTINGS = (None, "1")


@dataclass(frozen=True)
class RealProblem:
    """A real data set split 80/20, standardized on the training rows, as the engine takes it."""

    name: str
    sizes: np.ndarray         # (n_layers + 1,) int64
    out: str
    loss: str
    X: np.ndarray             # (n_train, n_in), standardized
    Y: np.ndarray             # (n_train, k) float64: 0/1 for k = 1, one-hot for k > 1
    labels: np.ndarray        # (n_train,) class labels, what scikit-learn fits

    @property
    def architecture(self) -> str:
        return "-".join(str(s) for s in self.sizes)


def load_real_problem(name: str, seed: int = 0) -> RealProblem:
    """``REAL_PROBLEMS[name]`` from scikit-learn's bundled copy (no download)."""
    from sklearn import datasets

    loader, hidden, out, loss = REAL_PROBLEMS[name]
    X, y = getattr(datasets, loader)(return_X_y=True)
    rng = np.random.default_rng(seed)
    train = rng.permutation(len(X))[: int(round(0.8 * len(X)))]
    X, y = X[train].astype(np.float64), y[train]
    scale = X.std(axis=0)
    # Constant columns (digits' always-blank corner pixels) stay as they are, centred.
    scale[scale == 0.0] = 1.0
    X = np.ascontiguousarray((X - X.mean(axis=0)) / scale)
    k = int(y.max()) + 1
    Y = y.reshape(-1, 1).astype(np.float64) if out == "sigmoid" else np.eye(k)[y]
    sizes = np.array([X.shape[1], *hidden, Y.shape[1]], dtype=np.int64)
    return RealProblem(name, sizes, out, loss, X, Y, y)


def glorot_params(sizes, rng: np.random.Generator) -> np.ndarray:
    """scikit-learn's initialisation for logistic units (uniform, bound sqrt(2 / (in + out)),
    biases too), in the engine's flat layout, so both start from the same weights."""
    parts = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(2.0 / (n_in + n_out))
        parts += [rng.uniform(-bound, bound, (n_in, n_out)).ravel(),
                  rng.uniform(-bound, bound, n_out)]
    return np.concatenate(parts)


def _dense_epochs(p: RealProblem, params: np.ndarray, epochs: int, lr: float = REAL_LR,
                  batch_size: int | None = None) -> np.ndarray:
    from .dense import train_epochs
    loss_out = np.zeros(epochs)
    n = len(p.X)
    settings = KernelSettings(p.sizes, 0, OUTPUT_IDS[p.out], LOSS_IDS[p.loss], True, lr, 0, 0.0,
                              batch_size or n, 0)
    done, _ = train_epochs(p.X, p.Y, params, *settings, 0, epochs, loss_out, 1e4)
    return loss_out[:done]


def _loop_epochs(p: RealProblem, params: np.ndarray, epochs: int, lr: float = REAL_LR,
                 batch_size: int | None = None) -> np.ndarray:
    """The compiled loops (``kernel.train_epochs``) on ``p``'s network."""
    from . import kernel
    loss_out = np.zeros(epochs)
    settings = KernelSettings(p.sizes, 0, OUTPUT_IDS[p.out], LOSS_IDS[p.loss], True, lr, 0, 0.0,
                              batch_size or len(p.X), 0)
    done, _ = kernel.train_epochs(p.X, p.Y, params, *settings, 0, epochs, loss_out, 1e4)
    return loss_out[:done]


def _sklearn_model(p: RealProblem, params: np.ndarray):
    """An ``MLPClassifier`` doing what the engine does (full-batch gradient descent, no
    momentum, no penalty, no early stop, no shuffling), ready to start from ``params``."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    n = len(p.X)
    model = MLPClassifier(
        hidden_layer_sizes=tuple(int(h) for h in p.sizes[1:-1]), activation="logistic",
        solver="sgd", momentum=0.0, nesterovs_momentum=False, batch_size=n,
        learning_rate_init=REAL_LR, max_iter=1, alpha=0.0, tol=0.0, n_iter_no_change=10**9,
        early_stopping=False, shuffle=False, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(p.X, p.labels)    # builds its label encoding and layers
    return model


def _sklearn_epochs(model, p: RealProblem, params: np.ndarray, epochs: int) -> np.ndarray:
    """``epochs`` epochs of ``model`` from ``params``; its loss per epoch."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from .dense import layer_views
    Ws, bs = layer_views(params, p.sizes)
    # coefs_ and intercepts_ are the model's documented attributes; with warm_start
    # the next fit continues from them.
    model.coefs_ = [W.copy() for W in Ws]
    model.intercepts_ = [b.copy() for b in bs]
    model.set_params(max_iter=epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(p.X, p.labels)
    return np.asarray(model.loss_curve_[-epochs:])


def _best_per_epoch(fns: dict, epochs: int, repeats: int) -> dict:
    """Each function's best time per epoch in ms, the functions' calls interleaved
    (a burst of other work on a shared machine then hits every side alike)."""
    best = {name: np.inf for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t, _ = _timed(fn)
            best[name] = min(best[name], t)
    return {name: 1e3 * t / epochs for name, t in best.items()}


def bench_real_problems(epochs: int = REAL_EPOCHS, repeats: int = REAL_REPEATS) -> list[dict]:
    """Per-epoch time of dense, the loops (one output only) and scikit-learn on each problem."""
    rows = []
    for name in REAL_PROBLEMS:
        p = load_real_problem(name)
        start = glorot_params(p.sizes, np.random.default_rng(0))
        model = _sklearn_model(p, start)
        curves = {"dense": _dense_epochs(p, start.copy(), epochs),
                  "loops": _loop_epochs(p, start.copy(), epochs),
                  "sklearn": _sklearn_epochs(model, p, start.copy(), epochs)}
        fns = {"dense": lambda p=p, s=start: _dense_epochs(p, s.copy(), epochs),
               "loops": lambda p=p, s=start: _loop_epochs(p, s.copy(), epochs),
               "sklearn": lambda p=p, m=model, s=start: _sklearn_epochs(m, p, s.copy(), epochs)}
        ms = _best_per_epoch(fns, epochs, repeats)
        rows.append({
            "problem": name, "net": p.architecture, "rows": len(p.X), "epochs": epochs,
            "ms_per_epoch": ms, "speedup_vs_sklearn": {k: ms["sklearn"] / v for k, v in ms.items()},
            # The same work: from the same weights the loss curves must coincide.
            "max_loss_difference_vs_sklearn": {
                k: float(np.max(np.abs(c - curves["sklearn"]))) for k, c in curves.items()
                if k != "sklearn"},
            "final_loss": float(curves["dense"][-1])})
    return rows


def bench_widths(widths=WIDTHS, shapes=WIDTH_SHAPES, repeats: int = 3) -> list[dict]:
    """The loops and dense on n_in-h-1 sigmoid nets (bce, full batch): where dense wins."""
    rows = []
    rng = np.random.default_rng(0)
    for n_in, n_rows in shapes:
        X = rng.normal(size=(n_rows, n_in))
        Y = (X[:, :1] > 0).astype(np.float64)
        for h in widths:
            sizes = np.array([n_in, h, 1], dtype=np.int64)
            p = RealProblem(f"{n_in}x{n_rows}", sizes, "sigmoid", "bce", X, Y, Y[:, 0])
            start = glorot_params(sizes, rng)
            macs = n_rows * (n_in * h + h)   # multiply-adds of one forward pass
            # About 20 ms per timed call, at a guessed 1.5 ns per multiply-add.
            epochs = int(np.clip(2e7 / (1.5 * 3 * macs), 10, 5000))
            ms = _best_per_epoch({
                "loops": lambda p=p, s=start, e=epochs: _loop_epochs(p, s.copy(), e, 0.01),
                "dense": lambda p=p, s=start, e=epochs: _dense_epochs(p, s.copy(), e, 0.01),
            }, epochs, repeats)
            rows.append({"inputs": n_in, "rows": n_rows, "hidden": h, "macs_per_epoch": macs,
                         "ms_per_epoch": ms, "dense_speedup": ms["loops"] / ms["dense"]})
    return rows


def bench_batches(nets=BATCH_NETS, batch_sizes=BATCH_SIZES, epochs: int = 20,
                  repeats: int = 3) -> list[dict]:
    """The loops and dense with mini-batches: dense pays its per-call cost per batch."""
    rows = []
    rng = np.random.default_rng(0)
    for n_in, n_rows, h in nets:
        X = rng.normal(size=(n_rows, n_in))
        Y = (X[:, :1] > 0).astype(np.float64)
        sizes = np.array([n_in, h, 1], dtype=np.int64)
        p = RealProblem(f"{n_in}x{n_rows}", sizes, "sigmoid", "bce", X, Y, Y[:, 0])
        start = glorot_params(sizes, rng)
        for bs in batch_sizes:
            ms = _best_per_epoch({
                "loops": lambda p=p, s=start, b=bs: _loop_epochs(p, s.copy(), epochs, 0.01, b),
                "dense": lambda p=p, s=start, b=bs: _dense_epochs(p, s.copy(), epochs, 0.01, b),
            }, epochs, repeats)
            rows.append({"inputs": n_in, "rows": n_rows, "hidden": h, "batch_size": bs,
                         "macs_per_batch": bs * (n_in * h + h), "ms_per_epoch": ms,
                         "dense_speedup": ms["loops"] / ms["dense"]})
    return rows


def _machine() -> dict:
    import platform

    import numba
    import sklearn
    model = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "numba": numba.__version__,
            "scikit_learn": sklearn.__version__,
            "blas": f"{blas.get('name')} {blas.get('version')}",
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def _real_worker(widths: bool) -> dict:
    """One process's measurements (``python -m mlp_core.bench --real-worker``)."""
    return {"threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
            "problems": bench_real_problems(),
            "widths": bench_widths() if widths else [],
            "batches": bench_batches() if widths else []}


def _run_worker(threads: str | None, widths: bool) -> dict:
    env = dict(os.environ)
    env.pop("OPENBLAS_NUM_THREADS", None)
    if threads is not None:
        env["OPENBLAS_NUM_THREADS"] = threads
    args = [sys.executable, "-m", "mlp_core.bench", "--real-worker"]
    done = subprocess.run(args + ([] if widths else ["--no-widths"]), env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def _merge_best(runs: list[dict]) -> dict:
    """Several workers' results for one thread setting: each time its best."""
    merged = json.loads(json.dumps(runs[0]))
    for run in runs[1:]:
        for table in ("problems", "widths", "batches"):
            for row, other in zip(merged[table], run[table]):
                for k, v in other["ms_per_epoch"].items():
                    row["ms_per_epoch"][k] = min(row["ms_per_epoch"][k], v)
    for row in merged["problems"]:
        ms = row["ms_per_epoch"]
        row["speedup_vs_sklearn"] = {k: ms["sklearn"] / v for k, v in ms.items()}
    for row in merged["widths"] + merged["batches"]:
        row["dense_speedup"] = row["ms_per_epoch"]["loops"] / row["ms_per_epoch"]["dense"]
    return merged


def real_report(result: dict) -> str:
    """The ``bench --real`` tables as Markdown."""
    m = result["machine"]
    lines = [f"{m['date']}; {m['cpu']}, {m['cores']} cores; Python {m['python']}, NumPy "
             f"{m['numpy']} ({m['blas']}), numba {m['numba']}, scikit-learn "
             f"{m['scikit_learn']}. Full batch, lr {REAL_LR}, {REAL_EPOCHS} epochs from the "
             f"same weights, best of {REAL_REPEATS} interleaved calls x {result['rounds']} "
             "processes per thread setting.", "",
             "| problem | net | BLAS threads | dense ms/epoch | loops ms/epoch "
             "| scikit-learn ms/epoch | dense vs scikit-learn | loops vs scikit-learn "
             "| max loss difference vs scikit-learn |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run in result["runs"]:
        for row in run["problems"]:
            ms, up = row["ms_per_epoch"], row["speedup_vs_sklearn"]
            diff = max(row["max_loss_difference_vs_sklearn"].values())
            loops = f"{ms['loops']:.3f}" if "loops" in ms else "-"
            loops_up = f"{up['loops']:.2f}x" if "loops" in up else "-"
            lines.append(f"| {row['problem']} | {row['net']} | {run['threads']} "
                         f"| {ms['dense']:.3f} | {loops} | {ms['sklearn']:.3f} "
                         f"| **{up['dense']:.2f}x** | {loops_up} | {diff:.1e} |")
    runs = [run for run in result["runs"] if run["widths"]]
    for table, batch, macs in (("widths", "full", "macs_per_epoch"),
                               ("batches", "batch_size", "macs_per_batch")):
        if not runs:
            break
        last = runs[-1]
        kind = "full batch" if batch == "full" else "mini-batches"
        lines += ["", f"n_in-h-1 sigmoid nets, bce, lr 0.01; {kind}. Dense is used from "
                  f"{DENSE_FROM_MACS:,} multiply-adds per batch (the last column).", "",
                  "| inputs x rows | hidden | batch | multiply-adds per batch "
                  + "".join(f"| dense vs loops ({r['threads']} threads) " for r in runs)
                  + f"| loops ms/epoch | dense ms/epoch ({last['threads']} threads) | chosen |",
                  "|---|---|---|---" + "|---" * len(runs) + "|---|---|---|"]
        for i, row in enumerate(last[table]):
            ms = row["ms_per_epoch"]
            rows_per_batch = row["rows"] if batch == "full" else row[batch]
            sizes = (row["inputs"], row["hidden"], 1)
            chosen = "dense" if wins_over_loops(sizes, rows_per_batch) else "loops"
            lines.append(
                f"| {row['inputs']} x {row['rows']} | {row['hidden']} "
                f"| {row.get(batch, 'full')} | {row[macs]:,} "
                + "".join(f"| {r[table][i]['dense_speedup']:.2f}x " for r in runs)
                + f"| {ms['loops']:.4f} | {ms['dense']:.4f} | {chosen} |")
    return "\n".join(lines)


def run_real_bench(as_json: bool = False, rounds: int = 2) -> int:
    """``bench --real``: each thread setting in its own processes, alternating, ``rounds`` times."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("bench --real needs scikit-learn: pip install -r requirements-dev.txt",
              file=sys.stderr)
        return 2
    per_setting: dict = {t: [] for t in THREAD_SETTINGS}
    for _ in range(rounds):
        for threads in THREAD_SETTINGS:
            per_setting[threads].append(_run_worker(threads, widths=True))
    result = {"machine": _machine(), "rounds": rounds,
              "runs": [_merge_best(runs) for runs in per_setting.values()]}
    print(json.dumps(result, indent=1) if as_json else real_report(result))
    return 0


# --- optimizers: the cost of an update rule per epoch --------------------------------

OPTIMIZER_BENCH_NETS = {
    # name: (what, data set or None for the tutorial's OR, hidden, init, epochs per call,
    #        batch size or None for full batch)
    "or": ("tutorial OR 2-3-1, 4 rows, sse", None, (3,), "tutorial", 20_000, None),
    "spiral": ("spiral 2-16-16-1, 160 rows, sse", "spiral", (16, 16), "xavier", 200, None),
    # Ten updates an epoch: where an update rule's cost shows most on this net.
    "spiral-mini": ("spiral 2-16-16-1, batches of 16", "spiral", (16, 16), "xavier", 200, 16),
}
OPTIMIZER_GOAL = 1.5   # momentum and Adam at most this many times plain GD's epoch


def _optimizer_problem(name: str):
    """The network, inputs and encoded targets of ``OPTIMIZER_BENCH_NETS[name]``."""
    _, dataset, hidden, init, _, _ = OPTIMIZER_BENCH_NETS[name]
    if dataset is None:
        X, y = OR_X.astype(float), OR_Y[:, 0].astype(float)
    else:
        data = make_dataset(dataset, samples=200, seed=0)
        X, y = data.X_train, data.y_train
    net = Network.create(X.shape[1], hidden, init=init, seed=0)
    return net, np.ascontiguousarray(X), net.encode_targets(y)


def bench_optimizers(rounds: int = 30) -> dict:
    """Seconds per epoch of each optimizer on each ``OPTIMIZER_BENCH_NETS`` network.

    Every call trains the same epochs from the same start at lr 0.05 (at a
    constant rate: a schedule costs one rate an epoch) through the
    compiled path ``training.kernel_for`` picks (the Trainer's). The optimizers
    take turns, in a rotating order, ``rounds`` times. Times are this thread's CPU
    time (``time.thread_time``), not the wall clock: on a shared machine a call's
    wall time is mostly its wait for a core. Each one's time is its best call (a
    busy machine only ever adds time), and each ratio is to plain gradient
    descent's best in the same run. ``paired_median`` is the median, over rounds,
    of the ratio to that round's sgd call: a second view of the same runs.
    """
    from .optimizers import OPTIMIZERS
    from .training import kernel_for, kernel_settings

    result = {}
    for name, (what, _, _, _, epochs, batch_size) in OPTIMIZER_BENCH_NETS.items():
        net0, X, Y = _optimizer_problem(name)
        compiled = kernel_for(net0.layer_sizes, batch_size or len(X))
        times = {opt: [] for opt in OPTIMIZERS}
        losses = np.zeros(epochs)
        for r in range(rounds + 1):       # round 0 compiles or loads; it is not counted
            turn = OPTIMIZERS[r % len(OPTIMIZERS):] + OPTIMIZERS[:r % len(OPTIMIZERS)]
            for opt in turn:
                config = TrainConfig(lr=0.05, epochs=epochs, optimizer=opt,
                                     batch_size=batch_size)
                params = net0.params.copy()
                settings = kernel_settings(net0, config, len(X))
                state = new_state(len(params))
                t0 = time.thread_time()
                compiled.train_epochs(X, Y, params, *settings, 0, epochs, losses, 1e4, state)
                if r:
                    times[opt].append((time.thread_time() - t0) / epochs)
        best = {opt: min(t) for opt, t in times.items()}
        result[name] = {
            "what": what, "path": compiled.__name__.rsplit(".", 1)[-1], "epochs_per_call": epochs,
            "rounds": rounds,
            "seconds_per_epoch": best,
            "vs_sgd": {opt: best[opt] / best["sgd"] for opt in OPTIMIZERS},
            "paired_median": {opt: float(np.median(np.array(times[opt]) / np.array(times["sgd"])))
                              for opt in OPTIMIZERS},
        }
    return result


def optimizers_report(result: dict) -> str:
    """``bench_optimizers``' result as a Markdown table, and the goal's verdict."""
    lines = ["| network | path | optimizer | µs/epoch | vs plain GD (best) | "
             "vs plain GD (paired median) |", "|---|---|---|---|---|---|"]
    held = True
    for r in result.values():
        for opt, seconds in r["seconds_per_epoch"].items():
            ratio = r["vs_sgd"][opt]
            goal = opt in ("momentum", "adam")
            held = held and (not goal or ratio <= OPTIMIZER_GOAL)
            mark = "**" if goal else ""
            lines.append(f"| {r['what']} | {r['path']} | {opt} | {seconds * 1e6:.3f} | "
                         f"{mark}{ratio:.2f}x{mark} | {r['paired_median'][opt]:.2f}x |")
    rounds = next(iter(result.values()))["rounds"]
    lines.append("")
    lines.append(f"CPU time of the training thread, best of {rounds} interleaved calls each. "
                 f"Goal: momentum and Adam at most {OPTIMIZER_GOAL}x plain GD per epoch: "
                 f"{'held' if held else 'NOT held'}.")
    return "\n".join(lines)


# The grid benchmark's sweep: 2 widths x 2 rates x 10 seeds = 40 trainings of digits
# (64-w-10 tanh, softmax, ce, full batch, 400 epochs), each 0.33-0.47 s on one quiet core.
GRID_WIDTHS = (32, 48)
GRID_LRS = (0.3, 1.0)
GRID_SEEDS = 10
GRID_EPOCHS = 400
# And one of small trainings, where per-task overhead would show: moons (200 points),
# widths 2..8 x 10 seeds x 3 folds = 210 trainings of 300 epochs, a few ms each.
SMALL_WIDTHS = tuple(range(2, 9))
SMALL_EPOCHS = 300


def bench_grid(rounds: int = 2) -> dict:
    """One grid sweep on the local executor, on Dask with one worker and with two; and a
    sweep of small trainings on the local executor and Dask with two workers.

    Each round runs the executors in turn (so a neighbour's load falls on all of them
    alike); each executor's best round counts. ``wall`` is the sweep's seconds
    (the cluster is started and its workers warmed before), ``cpu`` the CPU seconds
    of the threads that trained, summed over the trainings.
    """
    from .dense import one_blas_thread
    from .executors import DaskExecutor, LocalExecutor
    from .gridsweep import GridSpec, rows_in_order, run_grid, tasks_for

    # As the CLI's sweep does, and as each Dask worker does when it joins.
    one_blas_thread()
    data = make_dataset("digits", test_fraction=0.2, seed=0)
    spec = GridSpec(widths=GRID_WIDTHS, lrs=GRID_LRS, seeds=GRID_SEEDS, output="softmax",
                    n_outputs=data.n_classes, config=TrainConfig(epochs=GRID_EPOCHS, loss="ce"))
    moons = make_dataset("moons", samples=200, noise=0.2, seed=0)
    small = GridSpec(widths=SMALL_WIDTHS, seeds=10, folds=3, output="sigmoid", n_outputs=1,
                     config=TrainConfig(epochs=SMALL_EPOCHS, loss="bce"))
    warmup()
    opened = {}
    best: dict[str, dict] = {}
    rows: dict[str, list] = {}
    small_best = {"local": float("inf"), "dask 2 workers": float("inf")}
    try:
        for name, open_one in (("local", LocalExecutor), ("dask 1 worker",
                               lambda: DaskExecutor("local:1")),
                               ("dask 2 workers", lambda: DaskExecutor("local:2"))):
            t0 = time.perf_counter()
            opened[name] = open_one()
            best[name] = {"start_seconds": time.perf_counter() - t0, "wall": float("inf")}
        for _ in range(rounds):
            for name, executor in opened.items():
                t0 = time.perf_counter()
                result = run_grid(data, spec, executor)
                wall = time.perf_counter() - t0
                rows[name] = [json.dumps(r, sort_keys=True) for r in rows_in_order(result)]
                if wall < best[name]["wall"]:
                    best[name].update(wall=wall, cpu=result.cpu_seconds,
                                      cpu_per_wall=result.cpu_seconds / wall)
            for name in small_best:
                t0 = time.perf_counter()
                run_grid(moons, small, opened[name])
                small_best[name] = min(small_best[name], time.perf_counter() - t0)
    finally:
        for executor in opened.values():
            executor.close()
    one, two, local = best["dask 1 worker"], best["dask 2 workers"], best["local"]
    return {"trainings": len(spec.cells) * spec.trials_per_cell, "epochs": GRID_EPOCHS,
            "rounds": rounds, "executors": best,
            "two_workers_vs_one": one["wall"] / two["wall"],
            "dask_overhead_vs_local": two["wall"] / local["wall"] - 1,
            "same_rows": len({tuple(r) for r in rows.values()}) == 1,
            "small": {"trainings": len(small.cells) * small.trials_per_cell,
                      "tasks": len(tasks_for(moons, small, small.cells)),
                      "epochs": SMALL_EPOCHS, "wall": small_best,
                      "dask_overhead_vs_local": (small_best["dask 2 workers"]
                                                 / small_best["local"] - 1)},
            "machine": {"cores": os.cpu_count(),
                        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}}


def grid_report(result: dict) -> str:
    lines = [f"grid sweep: {result['trainings']} trainings of digits 64-w-10, "
             f"{result['epochs']} epochs; best of {result['rounds']} rounds, "
             f"{result['machine']['cores']} cores"]
    lines.append(f"  {'executor':<15} {'wall s':>7} {'CPU s':>7} {'CPU/wall':>8} {'start s':>8}")
    for name, e in result["executors"].items():
        lines.append(f"  {name:<15} {e['wall']:7.2f} {e['cpu']:7.2f} {e['cpu_per_wall']:8.2f} "
                     f"{e['start_seconds']:8.2f}")
    lines.append(f"  2 workers vs 1: {result['two_workers_vs_one']:.2f}x; Dask (2 workers) "
                 f"vs local: {result['dask_overhead_vs_local']:+.1%} wall; rows "
                 + ("identical" if result["same_rows"] else "DIFFER"))
    small = result["small"]
    lines.append(f"small trainings: {small['trainings']} of moons 2-w-1, {small['epochs']} "
                 f"epochs, in {small['tasks']} tasks: local {small['wall']['local']:.2f} s, "
                 f"Dask (2 workers) {small['wall']['dask 2 workers']:.2f} s "
                 f"({small['dask_overhead_vs_local']:+.1%})")
    return "\n".join(lines)


def run_grid_bench(as_json: bool = False, rounds: int = 2) -> int:
    result = bench_grid(rounds)
    print(json.dumps(result, indent=1) if as_json else grid_report(result))
    return 0


def run_optimizers_bench(as_json: bool = False, rounds: int = 30) -> int:
    result = bench_optimizers(rounds)
    print(json.dumps(result, indent=1) if as_json else optimizers_report(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m mlp_core.bench --real [--json]`` (and the per-process worker)."""
    import argparse
    parser = argparse.ArgumentParser(prog="python -m mlp_core.bench")
    parser.add_argument("--real", action="store_true",
                        help="wide nets on breast cancer and digits against scikit-learn")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rounds", type=int, default=2,
                        help="processes per BLAS thread setting (default 2)")
    parser.add_argument("--real-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-widths", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.real_worker:
        print(json.dumps(_real_worker(not args.no_widths)))
        return 0
    if not args.real:
        parser.error("only --real runs from here; the other benchmarks: python -m mlp_core bench")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return run_real_bench(as_json=args.json, rounds=args.rounds)


if __name__ == "__main__":
    sys.exit(main())
