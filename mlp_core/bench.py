"""``python -m mlp_core bench``: the tutorial's loop, the reference path and the
fast path, timed on the same work in one process, reported as ratios.

The tutorial's loop is its OR code as printed, including the ``print`` of the
error every epoch (sent to an in-memory sink, so terminal speed does not count).
"""

from __future__ import annotations

import contextlib
import io
import json
import time

import numpy as np

from .datasets import make_dataset
from .network import Network
from .reference import apply_update, backprop
from .sweep import SweepSpec, sweep_hidden_sizes
from .training import TrainConfig, Trainer

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
    """Compile (or load from the disk cache) the kernel; return the seconds it took."""
    X = OR_X.astype(float)
    y = OR_Y[:, 0].astype(float)
    t0 = time.perf_counter()
    Trainer(Network.create(2, (3,), init="tutorial"), X, y, TrainConfig(lr=0.05, epochs=2)).train()
    return time.perf_counter() - t0


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
