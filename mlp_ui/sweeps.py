"""What the sweep and compare pages draw for a network on any data: 2-D regions in k
colours, a confusion matrix, a 1-D or 2-D regression fit, and the held-out sweep's
widths box and opened model."""

from __future__ import annotations

import re

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.datasets import Dataset
from mlp_core.grid import decision_grid
from mlp_core.metrics import confusion_matrix
from mlp_core.network import MAX_HIDDEN_NODES, Network
from mlp_core.sweep import ScoreRow, SweepSpec

from . import views

# A shared classroom server should not give one click more CPU than this (both sweep pages).
MAX_CLICK_SECONDS = 45.0
GRID = 60  # points per side of a region / surface grid
CURVE_POINTS = 200  # x values of a 1-D fit


def parse_widths(text: str) -> tuple[int, ...]:
    """Hidden widths from ``"1, 2, 4, 8"`` or ``"1-16"`` (or both), ascending, no repeats.

    Raises ValueError with a sentence for the page on anything else.
    """
    tokens = [t for t in re.split(r"[,\s;]+", text.strip()) if t]
    if not tokens:
        raise ValueError("Enter at least one width, e.g. 1, 2, 4, 8, 16 or 1-16.")
    out: set[int] = set()
    for token in tokens:
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", token)
        if not m:
            raise ValueError(f"“{token}” is not a width: write whole numbers such as 1, 2, 4 "
                             "or a range such as 1-16.")
        low = int(m.group(1))
        high = int(m.group(2)) if m.group(2) else low
        if high < low:
            raise ValueError(f"The range “{token}” is empty: {high} is below {low}.")
        if low < 1 or high > MAX_HIDDEN_NODES:
            raise ValueError(f"Widths must be 1 to {MAX_HIDDEN_NODES}; “{token}” is not.")
        out.update(range(low, high + 1))
    return tuple(sorted(out))


def doubling(up_to: int) -> str:
    """``"1, 2, 4, ..., up_to"``: the geometric list the widths box starts from."""
    return ", ".join(str(2 ** i) for i in range(int(np.log2(up_to)) + 1))


def regions_figure(data: Dataset, net: Network, title: str):
    """Decision regions of a 2-input classifier: one sigmoid output or k classes."""
    if net.output_activation == "sigmoid" and net.n_outputs == 1:
        return views.boundary_figure(data, net, show_lines=False, title=title)
    xs, ys, probs = decision_grid(net, data.bounds(), GRID)
    return figs.class_regions(xs, ys, probs, X_train=data.X_train, y_train=data.y_train,
                              X_test=data.X_test if data.n_test else None,
                              y_test=data.y_test if data.n_test else None,
                              class_names=data.classes, x_title=data.feature_names[0],
                              y_title=data.feature_names[1], title=title)


def confusion_figure(data: Dataset, net: Network, title: str):
    """Confusion matrix on the test split (the training rows when there is none)."""
    X, y = (data.X_test, data.y_test) if data.n_test else (data.X_train, data.y_train)
    counts = confusion_matrix(y, net.predict(X), data.n_classes)
    where = "test split" if data.n_test else "training rows"
    return figs.confusion_matrix_figure(counts, data.classes, title=f"{title} ({where})")


def fit_figure(data: Dataset, net: Network, title: str):
    """A regression network's fit: the curve (1 input) or surface (2 inputs); None otherwise."""
    has_test = data.n_test > 0
    if data.n_features == 1:
        x = data.X_train[:, 0]
        lo = min(x.min(), data.X_test[:, 0].min()) if has_test else x.min()
        hi = max(x.max(), data.X_test[:, 0].max()) if has_test else x.max()
        grid = np.linspace(lo, hi, CURVE_POINTS)
        prediction = net.outputs(grid.reshape(-1, 1))[:, 0]
        return figs.regression_fit_1d(x, data.y_train[:, 0],
                                      data.X_test[:, 0] if has_test else None,
                                      data.y_test[:, 0] if has_test else None, grid, prediction,
                                      x_title=data.feature_names[0],
                                      y_title=data.target_names[0], title=title)
    if data.n_features == 2:
        x0, x1, y0, y1 = data.bounds()
        g1, g2 = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        mesh = np.column_stack([a.ravel() for a in np.meshgrid(g1, g2)])
        prediction = net.outputs(mesh)[:, 0].reshape(GRID, GRID)
        return figs.regression_surface_2d(
            g1, g2, prediction, data.X_train, data.y_train[:, 0],
            test_points=data.X_test if has_test else None,
            test_targets=data.y_test[:, 0] if has_test else None,
            x_title=data.feature_names[0], y_title=data.feature_names[1],
            target_name=data.target_names[0], title=title)
    return None


def model_figure(data: Dataset, net: Network, title: str):
    """The one chart that shows what ``net`` does with ``data``, whatever the data."""
    if net.task == "regress":
        return fit_figure(data, net, title)
    if data.n_features == 2:
        return regions_figure(data, net, title)
    return confusion_figure(data, net, title)


def score_words(task: str) -> tuple[str, str]:
    """``(name, chart name)`` of a task's score: accuracy, or R²."""
    return ("R²", "R\u00b2") if task == "regress" else ("accuracy", "accuracy")


def fmt_score(value: float, task: str) -> str:
    if not np.isfinite(value):
        return "—"
    return f"{value:.3f}" if task == "regress" else f"{value:.1%}"


def run_network(data: Dataset, spec: SweepSpec, row: ScoreRow) -> Network:
    """The trained network of one sweep run, rebuilt from its kept weights."""
    sizes = (data.n_features, *(row.hidden,) * spec.layers, spec.n_outputs)
    return Network(sizes, spec.activation, spec.bias, params=row.params.copy(),
                   output_activation=spec.output)


def show_model(data: Dataset, spec: SweepSpec, row: ScoreRow, loss: str, folds: int) -> None:
    """One run of a held-out sweep: its scores, its model chart, loss curve and weights."""
    net = run_network(data, spec, row)
    task = net.task
    where = ("nothing (this data has no test split)" if row.fold < 0 and not data.n_test else
             "the test split" if row.fold < 0 else
             f"fold 1 of {folds} (the model trained on the other {folds - 1})")
    st.subheader(f"Width {row.hidden}, seed {row.seed}: {net.architecture()}")
    st.caption(f"Held out: {where}. {row.epochs:,} epochs"
               + (", diverged" if row.diverged else "") + ".")
    name, _ = score_words(task)
    m = st.columns(3)
    m[0].metric(f"Training {name}", fmt_score(row.train_score, task))
    m[1].metric(f"Held-out {name}", fmt_score(row.heldout_score, task))
    m[2].metric("Parameters", f"{row.n_params:,}")
    left, right = st.columns(2)
    epochs, losses = row.history
    views.chart(left, figs.loss_curve({"train": (epochs, losses)}, log_y=True,
                                      title=f"Loss ({loss}), log scale"), "sw-model-loss")
    title = ("Fit" if task == "regress" else
             "Decision regions" if data.n_features == 2 else "Confusion matrix")
    views.chart(right, model_figure(data, net, title), "sw-model-main")
    figures = views.weight_figures(net)
    for r, row_items in enumerate(views.weight_rows(net)):
        cols = st.columns([units for _, units in row_items])
        for col, (i, _) in zip(cols, row_items):
            views.chart(col, figures[i], f"sw-model-w{r}-{i}")
