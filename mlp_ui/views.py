"""Drawing a run: metrics, charts, truth table. Each function draws into a container.

Charts get a ``key`` suffix from the caller because the live loop draws the
same chart many times in one script run, and Streamlit needs a fresh key each time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import mlp_figures as figs
from mlp_core.datasets import Dataset
from mlp_core.grid import decision_grid, neuron_lines
from mlp_core.network import Network, parameter_breakdown
from mlp_core.reference import evaluate
from mlp_core.training import downsample_indices

from .run import Run

CHART_CONFIG = {"displaylogo": False, "responsive": True}
GRID_RESOLUTION = 40
PARAM_DELTA_CHARS = 26
# Pixels: "1,000,000", "0.000265016" and "100.0%" at the metric font, and a
# 26-character parameter breakdown; all five fit one row of a 1400 px wide window.
METRIC_WIDTHS = {"epoch": 155, "loss": 195, "accuracy": 120, "parameters": 195}
# Weight charts: widths in "units" of one matrix column; a chart's labels and colour
# bar take about WEIGHT_CHART_OVERHEAD units, and a row of the page's weight area
# (3/5 of the main column) holds WEIGHT_ROW_UNITS before its cells get too narrow.
WEIGHT_CHART_OVERHEAD = 6
WEIGHT_ROW_UNITS = 24
WEIGHTS_EVERY = 6    # live frames between redraws of the weight charts


def fmt_loss(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:.6g}"


def fmt_output(p: float) -> str:
    """An output to 6 decimals; a hair off 0.5 shows its side, since that decides the class."""
    if p != 0.5 and abs(p - 0.5) < 5e-7:
        return f"0.5 {'+' if p > 0.5 else '−'} {abs(p - 0.5):.0e}"
    return f"{p:.6f}"


def fmt_accuracy(value: float | None, n: int | None = None) -> str:
    if value is None or value != value:
        return "—"
    if n is not None and n <= 16:
        return f"{round(value * n)}/{n}"
    return f"{value:.1%}"


def weight_names(net: Network) -> list[str]:
    """The tutorial's names for each weight matrix: weight_hidden, weight_output."""
    hidden = net.n_hidden_layers
    names = ["weight_hidden" if hidden == 1 else f"weight_hidden_{l + 1}" for l in range(hidden)]
    return names + ["weight_output"]


def metrics(container, run: Run, net: Network, epoch: int, last_loss: float) -> None:
    data = run.data
    # A wrapping row of fixed-width metrics, not columns: in equal columns a value like
    # "0.000206157" was cut to "0.000206…" (on a laptop-width page every value was),
    # and fixed widths keep the row still while the values change during training.
    row = container.container(horizontal=True, gap="small")
    row.metric("Epoch", f"{epoch:,}", width=METRIC_WIDTHS["epoch"])
    row.metric("Train loss", fmt_loss(last_loss), width=METRIC_WIDTHS["loss"],
               help="Loss of the last epoch's forward pass, before its update "
                    "(the number the tutorial prints).")
    if data.n_test:
        test_loss = _eval(run, net, data.X_test, data.y_test)[0]
        row.metric("Test loss", fmt_loss(test_loss), width=METRIC_WIDTHS["loss"])
    acc = _eval(run, net, data.X_train, data.y_train)[1]
    row.metric("Accuracy", fmt_accuracy(acc, data.n_train), width=METRIC_WIDTHS["accuracy"],
               help="On the training set.")
    total, breakdown = parameter_breakdown(net.layer_sizes, net.bias)
    # The delta is one line of the metric's width: a longer breakdown shows on hover only.
    short = len(breakdown) <= PARAM_DELTA_CHARS
    row.metric("Parameters", f"{total:,}", delta=breakdown if short else None,
               delta_color="off", delta_arrow="off", width=METRIC_WIDTHS["parameters"],
               help=f"Weights and biases per layer: {breakdown}")


def _eval(run: Run, net: Network, X, y):
    # The reference path's forward pass, the same one the truth table and Predict use,
    # so an output a hair from 0.5 is classified the same way everywhere on screen.
    return evaluate(net, X, y, run.trainer.config.loss)


def loss_figure(run: Run, *, log_y: bool, marker_epoch: int | None = None):
    tr = run.trainer
    losses = tr.losses
    idx = downsample_indices(len(losses), 1000)
    rec_epochs = np.array(tr.records["epoch"])
    if len(losses):
        series = {"train": (idx + 1, losses[idx])}
    else:
        # before the first epoch: the initial weights' loss, as the metrics show it, and
        # beside the test set's own epoch-0 point
        series = {"train": (rec_epochs[:1], np.array(tr.records["train_loss"][:1]))}
    test = np.array(tr.records["test_loss"])
    if run.data.n_test and len(rec_epochs):
        series["test"] = (rec_epochs, test)
    return figs.loss_curve(series, log_y=log_y, marker_epoch=marker_epoch,
                           planned_epochs=run.settings.epochs,
                           diverged_epoch=tr.diverged.epoch if tr.diverged else None,
                           title=f"Loss ({tr.config.loss})")


def unit_labels(net: Network) -> list[str]:
    """Names of the units whose lines ``neuron_lines`` returns: h1.., or the output unit."""
    n = net.layer_sizes[1]
    return ["out"] if net.n_hidden_layers == 0 else [f"h{j + 1}" for j in range(n)]


def boundary_figure(data: Dataset, net: Network, *, show_lines: bool,
                    title: str = "Decision boundary", line_labels: list[str] | None = None):
    if net.layer_sizes[0] != 2:
        return None
    xs, ys, probs = decision_grid(net, data.bounds(), GRID_RESOLUTION)
    return figs.decision_boundary(
        xs, ys, probs, X_train=data.X_train, y_train=data.y_train,
        X_test=data.X_test if data.n_test else None,
        y_test=data.y_test if data.n_test else None,
        neuron_lines=neuron_lines(net) if show_lines else None,
        line_labels=line_labels if show_lines else None, title=title)


def weight_figures(net: Network) -> list:
    out = []
    for name, W, b in zip(weight_names(net), net.weights, net.biases):
        rows, cols = W.shape
        out.append(figs.weight_heatmap(W, title=f"{name} ({rows}x{cols})"))
        if net.bias:
            bname = name.replace("weight", "bias")
            out.append(figs.weight_heatmap(b.reshape(1, -1), title=f"{bname} (1x{cols})"))
    return out


def weight_rows(net: Network, budget: int = WEIGHT_ROW_UNITS) -> list[list[tuple[int, int]]]:
    """Rows of ``(index into weight_figures, relative width)`` for the weight charts.

    A chart's width is its matrix's columns plus room for its labels and colour bar;
    a row holds at most ``budget`` of those units (a wider chart gets a row alone),
    and a layer's weights and biases share a row when they fit together.
    """
    per = 2 if net.bias else 1
    items: list[list[tuple[int, int]]] = []
    for l, W in enumerate(net.weights):
        units = W.shape[1] + WEIGHT_CHART_OVERHEAD
        charts = [(l * per + k, units) for k in range(per)]
        items.extend([charts] if per * units <= budget else [[c] for c in charts])
    rows: list[list[tuple[int, int]]] = []
    for item in items:
        size = sum(u for _, u in item)
        if rows and sum(u for _, u in rows[-1]) + size <= budget and len(rows[-1]) + len(item) <= 4:
            rows[-1].extend(item)
        else:
            rows.append(list(item))
    return rows


def network_figure(net: Network):
    return figs.network_diagram(list(net.layer_sizes), list(net.weights),
                                list(net.biases) if net.bias else None,
                                title=f"Network {net.architecture()}")


def truth_table(container, data: Dataset, net: Network) -> None:
    out = net.predict_proba(data.X_train)
    predicted = (out >= 0.5).astype(int)
    target = data.y_train.astype(int)
    right = predicted == target
    table = pd.DataFrame({
        "x1": data.X_train[:, 0].astype(int), "x2": data.X_train[:, 1].astype(int),
        "target": target, "output": [fmt_output(v) for v in out], "predicted": predicted,
        "right": np.where(right, "✓", "✗"),
    })
    container.dataframe(table, hide_index=True, width="content")
    if right.all():
        container.success(f"All {len(right)} rows right.")
    else:
        container.info(f"{int(right.sum())} of {len(right)} rows right.")


def chart(container, fig, key: str) -> None:
    if fig is not None:
        container.plotly_chart(fig, key=key, config=CHART_CONFIG, width="stretch")
