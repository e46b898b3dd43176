"""Drawing a run: metrics, charts, truth table. Each function draws into a container.

Charts get a ``key`` suffix from the caller because the live loop draws the
same chart many times in one script run, and Streamlit needs a fresh key each time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import mlp_figures as figs
from mlp_core import metrics as scores
from mlp_core.datasets import Dataset
from mlp_core.features import FEATURE_LABELS
from mlp_core.grid import decision_grid, discretize, neuron_lines
from mlp_core.network import Network, parameter_breakdown
from mlp_core.optimizers import T, buffers, lr_at
from mlp_core.projection import Plane, feature_plane, plane_grid, principal_plane
from mlp_core.reference import OptimizerState, Trace, evaluate, optimizer_update
from mlp_core.training import downsample_indices

from .run import Run

CHART_CONFIG = {"displaylogo": False, "responsive": True}
GRID_RESOLUTION = 40
PARAM_DELTA_CHARS = 26
# Pixels: "1,000,000", "0.000265016" and "100.0%" at the metric font, and a
# 26-character parameter breakdown; all five fit one row of a 1400 px wide window
# (with a test set's accuracy, or R² and RMSE, "Parameters" wraps to a second row).
METRIC_WIDTHS = {"epoch": 155, "loss": 195, "accuracy": 120, "parameters": 195}
# Weight charts: widths in "units" of one matrix column; a chart's labels and colour
# bar take about WEIGHT_CHART_OVERHEAD units, and a row of the page's weight area
# (3/5 of the main column) holds WEIGHT_ROW_UNITS before its cells get too narrow.
WEIGHT_CHART_OVERHEAD = 6
WEIGHT_ROW_UNITS = 24
WEIGHTS_EVERY = 6    # live frames between redraws of the weight charts
# A weight matrix with more cells than this is a wall of colour as a heatmap (64x32
# on digits: 2,048 cells in a third of the page): it gets a one-line summary instead.
MAX_HEATMAP_CELLS = 32 * 32
MAX_BIAS_CELLS = 64   # a 1x256 bias row is a barcode: a note too
# Layers wider than this are drawn in part by the network diagram (figs' own cap).
DIAGRAM_UNITS = 16
SUBTITLE_PX = 36     # room for a subtitle: the diagram's own note sits under it, not beside
CURVE_POINTS = 200   # x values of a 1-D regression's curves
# CPU seconds a redraw may spend on gradient norms of snapshots not yet measured (one
# backprop each; beyond the first, the rest wait for later redraws).
GRADNORM_FRAME_S = 0.02
GRADNORM_PAGE_S = 0.25


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


class MetricRow:
    """A wrapping row of fixed-width metrics, redrawn frame after frame in one script run.

    Not columns: in equal columns a value like "0.000206157" was cut to "0.000206…" (on
    a laptop-width page every value was), and fixed widths keep the row still while the
    values change during training. Each metric keeps its element, and is sent again
    only when what it shows changed: a live frame sends the Epoch and the losses, not a
    new row of six metrics for the browser to build (docs/live-view.md).
    """

    def __init__(self, container):
        self._row = container.container(horizontal=True, gap="small")
        self._shown = {}     # label -> (slot, what it shows)

    def metric(self, label: str, value: str, **kwargs) -> None:
        slot, shown = self._shown.get(label, (None, None))
        if slot is None:
            slot = self._row.empty()
        if shown != (value, kwargs):
            slot.metric(label, value, **kwargs)
        self._shown[label] = (slot, (value, kwargs))


def metrics(row: MetricRow, run: Run, net: Network, epoch: int, last_loss: float) -> None:
    """The run's numbers at ``epoch`` in ``row``."""
    data = run.data
    row.metric("Epoch", f"{epoch:,}", width=METRIC_WIDTHS["epoch"])
    row.metric("Train loss", fmt_loss(last_loss), width=METRIC_WIDTHS["loss"],
               help="Loss of the last epoch's forward pass, before its update "
                    "(the number the tutorial prints).")
    if data.n_test:
        test_loss = _eval(run, net, data.X_test, data.y_test)[0]
        row.metric("Test loss", fmt_loss(test_loss), width=METRIC_WIDTHS["loss"])
    score_metrics(row, run, net)
    total, breakdown = parameter_breakdown(net.layer_sizes, net.bias)
    # The delta is one line of the metric's width: a longer breakdown shows on hover only.
    short = len(breakdown) <= PARAM_DELTA_CHARS
    row.metric("Parameters", f"{total:,}", delta=breakdown if short else None,
               delta_color="off", delta_arrow="off", width=METRIC_WIDTHS["parameters"],
               help=f"Weights and biases per layer: {breakdown}")


def score_metrics(row, run: Run, net: Network) -> None:
    """Accuracy (train, and test when there is a test set); R² and RMSE for regression."""
    data = run.data
    if net.task == "regress":
        # The test set when there is one: a curve through every training point scores
        # R² = 1 there and says nothing about the rest of the curve.
        which, X, y = (("test", data.X_test, data.y_test) if data.n_test
                       else ("training", data.X_train, data.y_train))
        out, target = net.outputs(X), net.encode_targets(y)
        where = f"On the {which} set ({len(X):,} rows)."
        row.metric("R²", fmt_score(scores.r2(out, target)), width=METRIC_WIDTHS["accuracy"],
                   help=f"{where} 1 - (residual sum of squares) / (total sum of squares "
                        "about the mean): 1 is a perfect fit, 0 no better than the mean.")
        row.metric("RMSE", fmt_score(scores.rmse(out, target)), width=METRIC_WIDTHS["accuracy"],
                   help=f"{where} Root mean squared error, in the target's units.")
        return
    acc = _eval(run, net, data.X_train, data.y_train)[1]
    row.metric("Accuracy", fmt_accuracy(acc, data.n_train), width=METRIC_WIDTHS["accuracy"],
               help="On the training set.")
    if data.n_test and not data.is_gate:
        test_acc = _eval(run, net, data.X_test, data.y_test)[1]
        row.metric("Test accuracy", fmt_accuracy(test_acc, data.n_test),
                   width=METRIC_WIDTHS["accuracy"],
                   help=f"On the {data.n_test:,} held-out test rows.")


def fmt_score(value: float) -> str:
    return "—" if value != value or not np.isfinite(value) else f"{value:.4g}"


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
        series = {"train": (rec_epochs[:1], np.array([tr.loss_after(0)]))}
    test = np.array(tr.records["test_loss"])
    if run.data.n_test and len(rec_epochs):
        series["test"] = (rec_epochs, test)
    stop = tr.stopped
    return figs.loss_curve(series, log_y=log_y, marker_epoch=marker_epoch,
                           planned_epochs=run.settings.epochs,
                           diverged_epoch=tr.diverged.epoch if tr.diverged else None,
                           stopped_epoch=stop.epoch if stop else None,
                           stopped_label=stop_label(stop) if stop else "",
                           best_epoch=stop.best_epoch if stop and stop.reason == "patience"
                           else None,
                           edited_epochs=tr.edited_epochs,
                           title=f"Loss ({tr.config.loss})")


def stop_label(stop) -> str:
    """Why early stopping stopped (a ``training.EarlyStop``), short enough for a chart."""
    if stop.reason == "target":
        return "stopped: target loss reached"
    return f"stopped: test loss flat, best epoch {stop.best_epoch:,} kept"


def next_weights(run: Run, trace: Trace) -> tuple[list[np.ndarray], float]:
    """The weights after the next update from ``trace`` (the run's backprop at its current
    weights) by the run's optimizer, and the learning rate of that epoch's schedule.

    The trainer's own optimizer state is copied, not advanced: this is what "Advance one
    epoch" will do (full batch: one update per epoch).
    """
    tr = run.trainer
    cfg = tr.config
    lr = lr_at(cfg.schedule, cfg.lr, tr.epoch, cfg.epochs, cfg.step_size, cfg.gamma)
    first, second, _ = buffers(tr.opt_state)
    state = OptimizerState(int(tr.opt_state[T]), first.copy(), second.copy())
    after = tr.net.copy()
    optimizer_update(after, trace, state, lr, cfg)
    return after.weights, lr


def gradient_norms_figure(run: Run, marker_epoch: int | None = None, *, live: bool = False):
    """The gradient norm of each weight matrix at the run's snapshots (each computed once;
    a wide net's fill in over a few redraws, within ``GRADNORM_FRAME_S`` of CPU in a live
    frame and ``GRADNORM_PAGE_S`` in a page's own run)."""
    budget = GRADNORM_FRAME_S if live else GRADNORM_PAGE_S
    epochs, norms = run.grad_norms.at_snapshots(run.trainer, budget_s=budget)
    # The gradient at the weights after e epochs drives epoch e + 1's update; the loss
    # curve draws the loss at those weights at e + 1 too.
    return figs.gradient_norms_chart(epochs + 1, norms, weight_names(run.net),
                                     marker_epoch=None if marker_epoch is None
                                     else marker_epoch + 1)


def measure_gradient_norms(run: Run) -> None:
    """Measure a few more of the run's gradient norms, within ``GRADNORM_FRAME_S``, without
    drawing them: on the live frames that skip their chart, so that a Pause finds them
    measured and the paused page does not spend up to ``GRADNORM_PAGE_S`` on them first."""
    run.grad_norms.at_snapshots(run.trainer, budget_s=GRADNORM_FRAME_S)


def unit_labels(net: Network) -> list[str]:
    """Names of the units whose lines ``neuron_lines`` returns: h1.., or the output unit."""
    n = net.layer_sizes[1]
    return ["out"] if net.n_hidden_layers == 0 else [f"h{j + 1}" for j in range(n)]


def boundary_figure(data: Dataset, net: Network, *, show_lines: bool,
                    title: str = "Decision boundary", line_labels: list[str] | None = None,
                    show_test: bool = True, by_class: bool = False):
    """The tutorial's two-colour plane; ``show_test``: with the test points too,
    ``by_class``: coloured by the predicted class only (the sidebar's Discretize output)."""
    if net.n_data_inputs != 2:
        return None
    xs, ys, probs = decision_grid(net, data.bounds(), GRID_RESOLUTION)
    test = show_test and data.n_test > 0
    return figs.decision_boundary(
        xs, ys, discretize(probs) if by_class else probs, X_train=data.X_train,
        y_train=data.y_train, X_test=data.X_test if test else None,
        y_test=data.y_test if test else None,
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


def input_labels(net: Network) -> list[str] | None:
    """The first layer's inputs by feature (``x1²``, ...) for a net with input features."""
    return None if net.features is None else [FEATURE_LABELS[n] for n in net.features]


def network_figure(net: Network):
    return figs.network_diagram(list(net.layer_sizes), list(net.weights),
                                list(net.biases) if net.bias else None,
                                title=f"Network {net.architecture()}",
                                input_names=input_labels(net))


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


# --------------------------------------------------------------------------- real problems
# What the Playground draws beside the loss depends on the data and the output layer:
# the tutorial's two-colour boundary for a 2-input sigmoid net, k-colour regions for
# more classes or more inputs (on a plane through the data), curves and surfaces for
# regression.

PLANE_VIEWS = {"pca": "first two principal components", "features": "pick two features"}


def picture_kind(data: Dataset, net: Network) -> str:
    """Which chart shows what ``net`` does with ``data``.

    ``"boundary"`` (2 inputs, one sigmoid output: the tutorial's picture),
    ``"regions"`` (2 inputs, k outputs), ``"regions-plane"`` (more inputs: regions
    on a plane), ``"curve"`` (1-input regression), ``"surface"`` (2-input
    regression), ``"surface-plane"`` (wider regression), or ``"none"``.
    """
    n_in = net.n_data_inputs
    if net.task == "regress":
        return {1: "curve", 2: "surface"}.get(n_in, "surface-plane")
    if n_in == 2:
        binary = net.output_activation == "sigmoid" and net.n_outputs == 1
        return "boundary" if binary else "regions"
    return "regions-plane" if n_in > 2 else "none"


def shows_classes(data: Dataset, net: Network) -> bool:
    """True when a confusion matrix and per-class accuracy belong on the page.

    Every classifier but the tutorial's 2-input, one-output picture (whose boundary
    and truth table already show each point) and multi-label sigmoid nets.
    """
    if net.task != "classify" or picture_kind(data, net) == "boundary":
        return False
    return net.output_activation == "softmax" or net.n_outputs == 1


def make_plane(data: Dataset, view: str = "pca", features: tuple[int, int] = (0, 1)) -> Plane:
    """The plane a many-input picture is drawn on: ``view`` is a key of ``PLANE_VIEWS``."""
    if view == "features":
        return feature_plane(data.X_train, *features, feature_names=data.feature_names)
    return principal_plane(data.X_train)


def _class_names(data: Dataset, net: Network) -> list[str] | None:
    k = max(net.n_outputs, 2)
    return list(data.classes) if len(data.classes) == k else None


def _plane_inputs(data: Dataset, plane: Plane | None, resolution: int):
    """Grid ``xs, ys``, the inputs at its cells, and a ``coords`` function for the points."""
    if plane is None:   # 2 inputs: the plane is the input space itself
        x0, x1, y0, y1 = data.bounds()
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, np.column_stack([gx.ravel(), gy.ravel()]), (lambda X: X)
    points = np.vstack([data.X_train, data.X_test]) if data.n_test else data.X_train
    xs, ys, inputs = plane_grid(plane, points, resolution)
    return xs, ys, inputs, plane.coords


def regions_figure(data: Dataset, net: Network, plane: Plane | None = None, *,
                   show_test: bool = True, by_class: bool = False):
    """k-colour decision regions on the input plane (2 inputs) or on ``plane``;
    ``show_test`` and ``by_class`` as for ``boundary_figure``."""
    xs, ys, inputs, coords = _plane_inputs(data, plane, GRID_RESOLUTION)
    probs = net.outputs(inputs).reshape(len(ys), len(xs), -1)
    if by_class:
        probs = discretize(probs)
    test = show_test and data.n_test > 0
    if plane is None:
        x_title, y_title = _input_titles(data)
        title, equal = "Decision regions", True
    else:
        x_title, y_title = plane.titles
        title = "Decision regions on a 2-D view of the data"
        equal = False
    return figs.class_regions(
        xs, ys, probs, X_train=coords(data.X_train), y_train=data.y_train,
        X_test=coords(data.X_test) if test else None,
        y_test=data.y_test if test else None, class_names=_class_names(data, net),
        x_title=x_title, y_title=y_title, equal_aspect=equal, title=title)


def scored_split(data: Dataset) -> tuple[str, np.ndarray, np.ndarray]:
    """``(name, X, labels)`` of the rows the confusion matrix counts: test if any, else train."""
    if data.n_test:
        return "test set", data.X_test, data.y_test
    return "training set", data.X_train, data.y_train


def class_figures(data: Dataset, net: Network) -> tuple:
    """The confusion matrix (with per-class recall) and per-class accuracy bars."""
    which, X, y = scored_split(data)
    k = max(net.n_outputs, 2)
    counts = scores.confusion_matrix(y, net.predict(X), k)
    names = _class_names(data, net)
    suffix = f" ({which}, {len(X):,} rows)"
    return (figs.confusion_matrix_figure(counts, names, title="Confusion matrix" + suffix),
            figs.per_class_accuracy_figure(scores.per_class_recall(counts), names,
                                           title="Per-class accuracy" + suffix))


def is_digits(data: Dataset) -> bool:
    return data.image_shape == (8, 8)


def raw_images(data: Dataset, X: np.ndarray) -> np.ndarray:
    """``X`` in the data's own units (undo the standardization): digits' 0..16 pixels."""
    if data.feature_mean is None or data.feature_scale is None:
        return X
    return X * data.feature_scale + data.feature_mean


def image_figures(data: Dataset, net: Network) -> tuple:
    """Digits: first-layer weights as 8x8 images, and the misclassified test images."""
    which, X, y = scored_split(data)
    weights = figs.digit_weight_images(net.weights[0]) if net.n_hidden_layers else None
    wrong = figs.misclassified_images(
        raw_images(data, X), y.astype(int), net.predict(X), _class_names(data, net),
        title=None if which == "test set" else "Misclassified training images")
    return weights, wrong


def regression_figure(data: Dataset, net: Network, plane: Plane | None = None):
    """1 input: points, fit and each last-hidden-unit's part; else the predicted surface."""
    target = data.target_names[0] if data.target_names else "y"
    if net.n_data_inputs == 1:
        lo = min(data.X_train.min(), data.X_test.min() if data.n_test else np.inf)
        hi = max(data.X_train.max(), data.X_test.max() if data.n_test else -np.inf)
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        grid = np.linspace(lo - pad, hi + pad, CURVE_POINTS)
        _, acts = net.forward(grid.reshape(-1, 1))
        contributions = bias = None
        if net.n_hidden_layers:
            # The output is linear: sum_j a_j * w_j + b, so each term is one unit's part.
            contributions = acts[-2] * net.weights[-1][:, 0]
            bias = float(net.biases[-1][0]) if net.bias else None
        names = [f"h{j + 1}" for j in range(net.layer_sizes[-2])] if net.n_hidden_layers \
            else None
        x_name = data.feature_names[0] if data.feature_names else "x"
        return figs.regression_fit_1d(
            data.X_train[:, 0], _first_target(data.y_train),
            data.X_test[:, 0] if data.n_test else None,
            _first_target(data.y_test) if data.n_test else None, grid, acts[-1][:, 0],
            contributions, names, output_bias=bias, x_title=x_name, y_title=target,
            title="Network fit, made of each hidden unit's part")
    xs, ys, inputs, coords = _plane_inputs(data, plane, GRID_RESOLUTION)
    surface = net.outputs(inputs)[:, 0].reshape(len(ys), len(xs))
    titles = plane.titles if plane is not None else _input_titles(data)
    return figs.regression_surface_2d(
        xs, ys, surface, coords(data.X_train), _first_target(data.y_train),
        test_points=coords(data.X_test) if data.n_test else None,
        test_targets=_first_target(data.y_test) if data.n_test else None,
        x_title=titles[0], y_title=titles[1], target_name=target,
        title="Predicted surface" if plane is None else "Predicted surface on a 2-D view")


def _input_titles(data: Dataset) -> tuple[str, str]:
    names = data.feature_names
    return (names[0], names[1]) if len(names) == 2 else ("x\u2081", "x\u2082")


def _first_target(y: np.ndarray) -> np.ndarray:
    return y[:, 0] if y.ndim == 2 else y


def weight_views(net: Network) -> list:
    """As ``weight_figures``, but a matrix too big to read is a one-line note (a str)."""
    out = []
    for l, (name, W, b) in enumerate(zip(weight_names(net), net.weights, net.biases)):
        rows, cols = W.shape
        # Rows of the first matrix are the input features; with no hidden layer its
        # columns are the outputs, not hidden units.
        row_labels = input_labels(net) if l == 0 else None
        col_labels = (["out"] if cols == 1 else [f"o{j + 1}" for j in range(cols)]) \
            if net.n_hidden_layers == 0 else None
        if rows * cols > MAX_HEATMAP_CELLS:
            a = np.abs(W)
            out.append(f"**{name}** ({rows}x{cols}, {rows * cols:,} weights): too many "
                       f"cells to read as a heatmap. Mean |w| {a.mean():.3g}, largest "
                       f"{a.max():.3g}.")
        else:
            out.append(figs.weight_heatmap(W, title=f"{name} ({rows}x{cols})",
                                           row_labels=row_labels, col_labels=col_labels))
        if net.bias:
            bname = name.replace("weight", "bias")
            out.append(figs.weight_heatmap(b.reshape(1, -1), title=f"{bname} (1x{cols})",
                                           row_labels=["b"], col_labels=col_labels)
                       if cols <= MAX_BIAS_CELLS else
                       f"**{bname}** (1x{cols}): mean |b| {np.abs(b).mean():.3g}.")
    return out


def network_view(net: Network):
    """The network diagram, its title saying when wide layers are drawn in part."""
    fig = network_figure(net)
    if max(net.layer_sizes) > DIAGRAM_UNITS:
        # A subtitle, not a longer title: "Network 784-256-256-10 (...)" ran out of the
        # diagram's two-fifths of the page and was cut off.
        fig.layout.title.subtitle.text = f"first {DIAGRAM_UNITS} units of wider layers drawn"
        fig.layout.margin.t = (fig.layout.margin.t or 0) + SUBTITLE_PX
    return fig


# Widget keys of the plane picker (page widgets, not settings: they change the view only).
PLANE_VIEW_KEY, PLANE_X_KEY, PLANE_Y_KEY = "plane_view", "plane_x", "plane_y"


def plane_picker(container, data: Dataset) -> Plane:
    """The "View" select above a many-input picture, and the plane it picks."""
    view = container.selectbox(
        "View", list(PLANE_VIEWS), format_func=lambda v: f"View: {PLANE_VIEWS[v]}",
        key=PLANE_VIEW_KEY, label_visibility="collapsed",
        help="The network has more inputs than a chart has axes: its regions are drawn "
             "on a plane through the data, the one the training points spread most in "
             "(principal components), or two features with the others at their mean.")
    if view != "features":
        return make_plane(data)
    names = list(data.feature_names)
    c1, c2 = container.columns(2)
    i = c1.selectbox("x axis", range(len(names)), format_func=names.__getitem__,
                     key=PLANE_X_KEY)
    j = c2.selectbox("y axis", range(len(names)), index=1, format_func=names.__getitem__,
                     key=PLANE_Y_KEY)
    if i == j:
        container.caption("Pick two different features; showing the next one on the y axis.")
        j = (i + 1) % len(names)
    return make_plane(data, "features", (i, j))
