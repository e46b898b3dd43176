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
from mlp_core.network import Network, parameter_count
from mlp_core.reference import evaluate
from mlp_core.training import downsample_indices

from .run import Run

CHART_CONFIG = {"displaylogo": False, "responsive": True}
GRID_RESOLUTION = 40
WEIGHTS_EVERY = 6    # live frames between redraws of the weight charts


def fmt_loss(value: float | None) -> str:
    return "—" if value is None or value != value else f"{value:.6g}"


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
    cols = container.columns(5 if data.n_test else 4)
    cols[0].metric("Epoch", f"{epoch:,}")
    cols[1].metric("Train loss", fmt_loss(last_loss),
                   help="Loss of the last epoch's forward pass, before its update "
                        "(the number the tutorial prints).")
    i = 2
    if data.n_test:
        test_loss = _eval(run, net, data.X_test, data.y_test)[0]
        cols[i].metric("Test loss", fmt_loss(test_loss))
        i += 1
    acc = _eval(run, net, data.X_train, data.y_train)[1]
    cols[i].metric("Accuracy", fmt_accuracy(acc, data.n_train), help="On the training set.")
    total, breakdown = parameter_count(net.layer_sizes, net.bias)
    cols[i + 1].metric("Parameters", f"{total:,}", delta=breakdown, delta_color="off",
                       delta_arrow="off")


def _eval(run: Run, net: Network, X, y):
    # The reference path's forward pass, the same one the truth table and Predict use,
    # so an output a hair from 0.5 is classified the same way everywhere on screen.
    return evaluate(net, X, y, run.trainer.config.loss)


def loss_figure(run: Run, *, log_y: bool, marker_epoch: int | None = None):
    tr = run.trainer
    losses = tr.losses
    idx = downsample_indices(len(losses), 1000)
    series = {"train": (idx + 1, losses[idx])} if len(losses) else {}
    rec_epochs = np.array(tr.records["epoch"])
    test = np.array(tr.records["test_loss"])
    if run.data.n_test and len(rec_epochs):
        series["test"] = (rec_epochs, test)
    return figs.loss_curve(series, log_y=log_y, marker_epoch=marker_epoch,
                           diverged_epoch=tr.diverged.epoch if tr.diverged else None,
                           title=f"Loss ({tr.config.loss})")


def boundary_figure(data: Dataset, net: Network, *, show_lines: bool,
                    title: str = "Decision boundary"):
    if net.layer_sizes[0] != 2:
        return None
    xs, ys, probs = decision_grid(net, data.bounds(), GRID_RESOLUTION)
    return figs.decision_boundary(
        xs, ys, probs, X_train=data.X_train, y_train=data.y_train,
        X_test=data.X_test if data.n_test else None,
        y_test=data.y_test if data.n_test else None,
        neuron_lines=neuron_lines(net) if show_lines else None, title=title)


def weight_figures(net: Network) -> list:
    out = []
    for name, W, b in zip(weight_names(net), net.weights, net.biases):
        rows, cols = W.shape
        out.append(figs.weight_heatmap(W, title=f"{name} ({rows}x{cols})"))
        if net.bias:
            bname = name.replace("weight", "bias")
            out.append(figs.weight_heatmap(b.reshape(1, -1), title=f"{bname} (1x{cols})"))
    return out


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
        "target": target, "output": np.round(out, 6), "predicted": predicted,
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
