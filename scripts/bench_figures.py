"""Time every figure builder of ``mlp_figures`` at the playground's live sizes.

Usage::

    python scripts/bench_figures.py [--baseline REF] [--repeat N]

Builds each figure from fixed made-up inputs and prints milliseconds of CPU
time per build for

* ``before``: the builders of git revision ``REF`` (default
  :data:`DEFAULT_BASELINE`, the last revision that built figures through
  validating ``go.Scatter(...)`` / ``fig.update_layout(...)`` calls),
  loaded from ``git show`` into a throw-away package ``mlp_figures_baseline``;
  skipped if git or the revision is unavailable (``--baseline none``);
* ``after``: the working-tree ``mlp_figures`` (plain dicts,
  ``go.Figure(..., _validate=False)``);
* ``+send``: ``after`` plus what ``st.plotly_chart`` does with the figure
  on the server (``plotly.tools.return_figure_from_figure_or_data`` and
  ``plotly.io.to_json``);

the ratio before / after, and whether both produce the same figure JSON
(``json.dumps(fig.to_dict(), sort_keys=True)`` compared; key order inside
the JSON objects is not compared, it does not matter to plotly.js).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import plotly.io
import plotly.tools

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mlp_figures  # noqa: E402

#: Revision whose ``mlp_figures`` built figures with full plotly validation.
DEFAULT_BASELINE = "5ca16ba"

#: Target for the live builders (ms per build on one core).
TARGET_MS = 3.0


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def load_baseline(ref: str) -> ModuleType | None:
    """Import ``mlp_figures`` as of git revision ``ref`` under another name."""
    try:
        names = subprocess.run(
            ["git", "ls-tree", "--name-only", f"{ref}:mlp_figures"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"(no baseline: cannot read {ref}:mlp_figures: {err})")
        return None
    with tempfile.TemporaryDirectory(prefix="bench_figures_") as tmp:
        pkg = Path(tmp) / "mlp_figures_baseline"
        pkg.mkdir()
        for name in names:
            if name.endswith(".py"):
                src = subprocess.run(
                    ["git", "show", f"{ref}:mlp_figures/{name}"],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                (pkg / name).write_text(src)
        sys.path.insert(0, tmp)
        try:
            # the package's __init__ imports all its modules, so the files
            # are not needed after this
            return importlib.import_module("mlp_figures_baseline")
        finally:
            sys.path.remove(tmp)


def cases(rng: np.random.Generator) -> dict[str, tuple[str, Callable[[ModuleType], object], bool]]:
    """name -> (builder, call(module) -> figure, live) with fixed inputs."""
    # loss curve: 2 series x 1000 points, scrubber dot, diverged line
    ep = np.arange(1, 1001) * 5
    series = {
        "train": (ep, 0.3 * np.exp(-ep / 2000) + rng.random(1000) * 0.01),
        "test": (ep, 0.3 * np.exp(-ep / 2500) + rng.random(1000) * 0.01 + 0.02),
    }

    # decision boundary: 40 x 40 grid, 200 train + 40 test points, 16 neuron lines
    xs = np.linspace(-1.5, 1.5, 40)
    gx, gy = np.meshgrid(xs, xs)
    P = sigmoid(4 * np.sin(2 * gx) * np.cos(2 * gy))
    Xtr = rng.uniform(-1.4, 1.4, (200, 2))
    ytr = (np.sin(2 * Xtr[:, 0]) * np.cos(2 * Xtr[:, 1]) > 0).astype(int)
    Xte = rng.uniform(-1.4, 1.4, (40, 2))
    yte = (np.sin(2 * Xte[:, 0]) * np.cos(2 * Xte[:, 1]) > 0).astype(int)
    W1 = rng.normal(0, 2, (2, 16))
    b1 = rng.normal(0, 1, 16)
    lines = [(W1[0, k], W1[1, k], b1[k]) for k in range(16)]

    # network 2-16-16-1 with biases
    sizes = [2, 16, 16, 1]
    Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    Bs = [rng.normal(size=b) for b in sizes[1:]]
    W16 = rng.normal(size=(16, 16))

    # replay: 24 frames of 28 x 28
    xr = np.linspace(-1.5, 1.5, 28)
    rx, ry = np.meshgrid(xr, xr)
    frames = [sigmoid((k + 1) / 6 * (3 * rx - 2 * ry)) for k in range(24)]
    f_epochs = [int(e) for e in np.linspace(0, 5000, 24)]
    f_losses = [0.25 * np.exp(-e / 1500) for e in f_epochs]

    # sweep page
    hs = np.array([1, 2, 3, 4, 6, 8, 12, 16])
    med = 0.2 / hs + 0.01
    rules = [
        (2, "2/3 rule", "hidden = 2/3 of inputs + outputs"),
        (3.5, "< 2x in", "fewer than twice the inputs"),
        (8, "between", "between input and output size"),
    ]
    rate = np.array([0.0, 0.55, 0.8, 0.9, 0.95, 1.0, 1.0, 1.0])
    ep_succ = np.array([np.nan, 2100, 1500, 1200, 900, 800, 700, 650])

    return {
        "loss_curve 2x1000": (
            "loss_curve",
            lambda m: m.loss_curve(series, marker_epoch=2500, title="Loss (mse)"),
            True,
        ),
        "decision_boundary 40x40+240pt+16 lines": (
            "decision_boundary",
            lambda m: m.decision_boundary(
                xs, xs, P, X_train=Xtr, y_train=ytr, X_test=Xte, y_test=yte, neuron_lines=lines
            ),
            True,
        ),
        "weight_heatmap 16x16": (
            "weight_heatmap",
            lambda m: m.weight_heatmap(W16, title="weight_hidden (16x16)"),
            True,
        ),
        "weight_heatmap 1x16 (bias)": (
            "weight_heatmap",
            lambda m: m.weight_heatmap(b1.reshape(1, -1), title="bias_hidden (1x16)"),
            True,
        ),
        "network_diagram 2-16-16-1": (
            "network_diagram",
            lambda m: m.network_diagram(sizes, Ws, Bs, title="Network 2-16-16-1"),
            True,
        ),
        "boundary_animation 24x28x28": (
            "boundary_animation",
            lambda m: m.boundary_animation(
                xr, xr, frames, f_epochs, f_losses, X_train=Xtr, y_train=ytr
            ),
            False,
        ),
        "sweep_summary 8 sizes": (
            "sweep_summary",
            lambda m: m.sweep_summary(
                hs,
                median=med,
                q_low=med * 0.5,
                q_high=med * 2,
                metric_label="final train loss",
                param_counts=4 * hs + 1,
                rule_marks=rules,
            ),
            False,
        ),
        "success_rate 8 sizes": (
            "success_rate",
            lambda m: m.success_rate(hs, rate, epochs_to_success_median=ep_succ, rule_marks=rules),
            False,
        ),
        "comparison_bars 2": (
            "comparison_bars",
            lambda m: m.comparison_bars(
                ["hidden layer", "no hidden layer"],
                [100.0, 50.0],
                title="XOR accuracy",
                y_title="accuracy (%)",
                y_range=(0, 100),
            ),
            False,
        ),
    }


def ms_per_call(fn: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` batches, in ms of CPU time per call (batches of ~0.2 s).

    CPU time of this process (``time.process_time``), not wall time, so
    that other load on the machine inflates the numbers less.
    """
    t = timeit.Timer(fn, timer=time.process_time)
    number, _ = t.autorange()
    number = max(1, number)
    return min(t.repeat(repeat=repeat, number=number)) / number * 1e3


def send(fig: object) -> str:
    """What ``st.plotly_chart`` does with a figure on the server."""
    return plotly.io.to_json(
        plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True),
        validate=False,
    )


def canonical(fig: object) -> str:
    return json.dumps(fig.to_dict(), sort_keys=True, default=str)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=DEFAULT_BASELINE, help="git ref, or 'none'")
    ap.add_argument("--repeat", type=int, default=5, help="timing batches (best is kept)")
    args = ap.parse_args(argv)

    base = None if args.baseline.lower() == "none" else load_baseline(args.baseline)
    rng = np.random.default_rng(0)
    rows = []
    for name, (_, call, live) in cases(rng).items():
        after = ms_per_call(lambda call=call: call(mlp_figures), args.repeat)
        fig = call(mlp_figures)
        sent = ms_per_call(lambda fig=fig: send(fig), args.repeat)
        before = same = None
        if base is not None:
            before = ms_per_call(lambda call=call: call(base), args.repeat)
            same = canonical(call(base)) == canonical(fig)
        rows.append((name, live, before, after, after + sent, same))

    w = max(len(r[0]) for r in rows) + 2
    print(f"{'figure':<{w}}{'before':>9}{'after':>9}{'ratio':>8}{'+send':>9}  same JSON")
    print(f"{'':<{w}}{'ms':>9}{'ms':>9}{'':>8}{'ms':>9}")
    slow = []
    for name, live, before, after, total, same in rows:
        b = f"{before:9.2f}" if before is not None else f"{'-':>9}"
        ratio = f"{before / after:7.1f}x" if before is not None else f"{'-':>8}"
        s = "-" if same is None else ("yes" if same else "NO")
        tag = " (live)" if live else ""
        print(f"{name:<{w}}{b}{after:9.2f}{ratio}{total:9.2f}  {s}{tag}")
        if live and after > TARGET_MS:
            slow.append(name)
    if base is not None:
        print(f"before = mlp_figures at {args.baseline}; after = working tree")
    if slow:
        print(f"over the {TARGET_MS:g} ms target: {', '.join(slow)}")
    return 1 if any(r[5] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
