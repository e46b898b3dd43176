"""Build every figure of ``mlp_figures`` from made-up data and save as HTML.

Usage::

    python scripts/render_figures_demo.py [OUT_DIR]

Writes one ``<name>.html`` per figure (plotly.js loaded from the plotly
package, inlined once into ``plotly.min.js`` next to them so the pages
work offline) plus ``index.html`` linking them, into
``bench_out/figures_demo/`` by default (git-ignored).  Prints the JSON
size of each figure.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from plotly.offline import get_plotlyjs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlp_figures import (  # noqa: E402
    boundary_animation,
    comparison_bars,
    decision_boundary,
    loss_curve,
    network_diagram,
    success_rate,
    sweep_summary,
    weight_heatmap,
)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def spiral(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals, ``n`` points per class, in about [-5, 5]^2."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    pts = []
    labels = []
    for c in (0, 1):
        r = t * 0.5
        ang = t + c * np.pi
        xy = np.c_[r * np.cos(ang), r * np.sin(ang)] + rng.normal(0, 0.2, (n, 2))
        pts.append(xy)
        labels.append(np.full(n, c))
    return np.vstack(pts), np.concatenate(labels)


def xor_net_output(xs: np.ndarray, ys: np.ndarray, sharp: float = 1.0) -> np.ndarray:
    """A hand-made 2-2-1 XOR network evaluated on the grid, shape (gy, gx)."""
    X, Y = np.meshgrid(xs, ys)
    h1 = sigmoid(sharp * (6 * X + 6 * Y - 3))
    h2 = sigmoid(sharp * (6 * X + 6 * Y - 9))
    return sigmoid(sharp * (8 * h1 - 8 * h2 - 4))


def build_all() -> dict:
    rng = np.random.default_rng(0)
    figs = {}

    # 1. loss curves ------------------------------------------------------
    ep = np.arange(0, 5000, 5)[:1000]
    train = 0.25 * np.exp(-ep / 800) + 0.002 + rng.normal(0, 0.002, ep.size).clip(0)
    test = 0.25 * np.exp(-ep / 900) + 0.01 + rng.normal(0, 0.003, ep.size).clip(0)
    figs["loss_curve"] = loss_curve(
        {"train": (ep, train), "test": (ep, test)}, marker_epoch=1234, title="Loss (XOR, 2-4-1)"
    )
    # training stops at divergence, so the red line is at the last epoch
    e80 = np.arange(1, 81)
    diverging = 0.3 * np.exp(e80 / 8.0)
    diverging[-1] = np.inf
    figs["loss_curve_log_diverged"] = loss_curve(
        {"train": (e80, diverging), "test": (e80, 1.1 * diverging)},
        log_y=True,
        marker_epoch=40,
        diverged_epoch=80,
        title="Loss with a too-large learning rate",
    )
    # the "Hidden layer vs none" page: XOR, 200,000 epochs, log scale; the
    # no-hidden-layer loss stays flat at 0.5 along the top of the plot
    e200k = np.unique(np.linspace(1, 200_000, 1000).astype(int))
    figs["loss_curve_hidden_vs_none"] = loss_curve(
        {
            "hidden layer (2-4-1)": (
                e200k,
                0.5 * np.exp(-e200k / 3000) + 0.0005 + 0.002 * np.exp(-e200k / 40_000),
            ),
            "no hidden layer (2-1)": (e200k, np.full(e200k.size, 0.5)),
        },
        log_y=True,
        title="Loss (sse), log scale",
    )

    # 2. weight heatmaps --------------------------------------------------
    W_hidden = np.array([[4.91, -3.02, 0.114], [4.87, -2.95, -0.0062]])
    figs["weight_heatmap"] = weight_heatmap(W_hidden, title="weight_hidden (2x3)")
    figs["weight_heatmap_bias"] = weight_heatmap(
        np.array([[-2.1, 4.4, 0.3]]), title="bias_hidden (1x3)", row_labels=["bias"]
    )
    figs["weight_heatmap_big"] = weight_heatmap(
        rng.normal(0, 1, (20, 24)), title="weight_hidden (20x24)"
    )

    # 3. network diagrams -------------------------------------------------
    W1 = np.array([[4.9, -3.0, 0.1], [4.8, -2.9, -0.6]])
    W2 = np.array([[6.2], [-5.5], [0.4]])
    figs["network_diagram"] = network_diagram(
        [2, 3, 1],
        [W1, W2],
        [np.array([-2.1, 4.4, 0.3]), np.array([-1.2])],
        title="Network (OR gate, 2-3-1)",
    )
    x_in = np.array([1.0, 0.0])
    h = sigmoid(x_in @ W1 + np.array([-2.1, 4.4, 0.3]))
    o = sigmoid(h @ W2 + np.array([-1.2]))
    figs["network_diagram_activations"] = network_diagram(
        [2, 3, 1],
        [W1, W2],
        [np.array([-2.1, 4.4, 0.3]), np.array([-1.2])],
        activations=[x_in, h, o],
        title="Forward pass for input (1, 0)",
    )
    sizes = [2, 64, 64, 1]
    Ws = [rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    Bs = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    figs["network_diagram_big"] = network_diagram(sizes, Ws, Bs, title="Network (2-64-64-1)")

    # 4. decision boundary ------------------------------------------------
    xs = np.linspace(-0.5, 1.5, 40)
    ys = np.linspace(-0.5, 1.5, 40)
    Xtr = rng.uniform(-0.4, 1.4, (300, 2))
    ytr = (np.round(Xtr[:, 0]).clip(0, 1) != np.round(Xtr[:, 1]).clip(0, 1)).astype(int)
    Xte = rng.uniform(-0.4, 1.4, (100, 2))
    yte = (np.round(Xte[:, 0]).clip(0, 1) != np.round(Xte[:, 1]).clip(0, 1)).astype(int)
    figs["decision_boundary"] = decision_boundary(
        xs,
        ys,
        xor_net_output(xs, ys),
        X_train=Xtr,
        y_train=ytr,
        X_test=Xte,
        y_test=yte,
        neuron_lines=[(6.0, 6.0, -3.0), (6.0, 6.0, -9.0), (0.0, 0.0, 1.0)],
        title="Decision boundary (XOR, 2-2-1)",
    )
    # no hidden layer: one line, the output unit's; P = 0.5 everywhere
    X4 = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    figs["decision_boundary_no_hidden"] = decision_boundary(
        xs,
        ys,
        np.full((ys.size, xs.size), 0.5),
        X_train=X4,
        y_train=np.array([0, 1, 1, 0]),
        neuron_lines=[(0.8, -1.1, 0.1)],
        line_labels=["out"],
        title="no hidden layer (2-1)",
    )
    Xs, ysp = spiral(150, rng)
    gx = np.linspace(-5, 5, 40)
    G, H = np.meshgrid(gx, gx)
    P_sp = sigmoid(3 * np.sin(np.hypot(G, H) * 2 - np.arctan2(H, G)))
    figs["decision_boundary_spiral"] = decision_boundary(
        gx, gx, P_sp, X_train=Xs, y_train=ysp, title="Spiral", show_colorbar=False
    )

    # 5. animation ----------------------------------------------------------
    xs30 = np.linspace(-0.5, 1.5, 30)
    epochs = np.linspace(0, 3000, 30).astype(int)
    frames = [xor_net_output(xs30, xs30, sharp=0.05 + k / 29) for k in range(30)]
    losses = list(0.25 * np.exp(-epochs / 800) + 0.003)
    figs["boundary_animation"] = boundary_animation(
        xs30, xs30, frames, list(epochs), losses, X_train=Xtr[:100], y_train=ytr[:100]
    )

    # 6. sweeps (the sweep page's default sizes 1..16 and the tutorial's
    # rules of thumb for 2 inputs, 1 output) -----------------------------------
    hs = np.arange(1, 17)
    rules = [
        (1, 3, "< 2x inputs (1-3)", "fewer than twice the 2 inputs: at most 3 hidden nodes"),
        (2, 2, "2/3 in + out (2)", "floor(2x2/3 + 1) = 2 hidden nodes"),
        (1, 2, "between out and in (1-2)", "between the output (1) and input (2) counts"),
    ]
    med = np.r_[0.25, 0.02, 0.004, 0.003 * np.ones(13)] + 0.001 * rng.random(16)
    figs["sweep_summary"] = sweep_summary(
        hs,
        median=med,
        q_low=med * 0.6,
        q_high=med * 1.7,
        metric_label="final train loss",
        param_counts=4 * hs + 1,
        rule_marks=rules,
        band_label="25-75 % of 10 seeds",
        title="Final training loss",
    )
    figs["success_rate"] = success_rate(
        hs,
        np.r_[0.0, 0.6, 0.9, np.ones(13)],
        epochs_to_success_median=np.r_[np.nan, 2100, 1500, rng.uniform(500, 900, 13)],
        rule_marks=rules,
        title="Share of seeds that succeed",
    )
    # 4 inputs (iris-like): wider rules; sizes 1, 2, 4, ..., 64 on a log axis
    rules4 = [
        (1, 7, "< 2x inputs (1-7)", "fewer than twice the 4 inputs: at most 7 hidden nodes"),
        (3, 3, "2/3 in + out (3)", "floor(2x4/3 + 1) = 3 hidden nodes"),
        (1, 4, "between out and in (1-4)", "between the output (1) and input (4) counts"),
    ]
    hs2 = np.array([1, 2, 4, 8, 16, 32, 64])
    acc = np.array([70.0, 88, 96, 98, 99, 99, 99])
    figs["sweep_summary_log_x"] = sweep_summary(
        hs2,
        median=acc,
        q_low=acc - 6,
        q_high=np.minimum(acc + 3, 100),
        metric_label="training accuracy (%)",
        rule_marks=rules4,
        log_x=True,
        title="Training accuracy",
    )
    figs["success_rate_sparse_sizes"] = success_rate(
        hs2,
        np.array([0.1, 0.5, 0.9, 1.0, 1.0, 1.0, 1.0]),
        rule_marks=rules4,
        title="Share of seeds that succeed (4 inputs)",
    )

    # 7. comparison bars -----------------------------------------------------
    figs["comparison_bars"] = comparison_bars(
        ["hidden layer (2-4-1)", "no hidden layer (2-1)"],
        [1.0, 0.5],
        title="XOR accuracy",
        y_title="accuracy",
        y_range=(0, 1),
    )
    return figs


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "bench_out" / "figures_demo"
    out.mkdir(parents=True, exist_ok=True)
    (out / "plotly.min.js").write_text(get_plotlyjs(), encoding="utf-8")
    figs = build_all()
    links = []
    for name, fig in figs.items():
        html = fig.to_html(
            full_html=True, include_plotlyjs="plotly.min.js", config={"displaylogo": False}
        )
        (out / f"{name}.html").write_text(html, encoding="utf-8")
        size = len(fig.to_json())
        print(f"{name:32s} {size / 1024:7.1f} KB JSON  {len(fig.data):2d} traces")
        links.append(f'<li><a href="{name}.html">{name}</a> ({size / 1024:.1f} KB)</li>')
    (out / "index.html").write_text(
        "<!doctype html><title>mlp_figures demo</title><h1>mlp_figures demo</h1><ul>"
        + "".join(links)
        + "</ul>",
        encoding="utf-8",
    )
    print(f"wrote {len(figs)} figures to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
