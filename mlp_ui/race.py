"""The optimizer race page's widgets, its one computation and what it draws.

The race runs only on a press of Race; its result (lanes, landscape, lines) is kept
in session state under the inputs that made it, so any other rerun (a toggle, a
resize, another page and back) redraws without training again.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import streamlit as st

from mlp_core.datasets import Dataset
from mlp_core.landscape import LINE_ALPHAS, Landscape, Volume, grid_resolution, loss_volume
from mlp_core.network import Network
from mlp_core.optimizers import OPTIMIZER_LABELS, OPTIMIZER_PARAMS, OPTIMIZERS
from mlp_core.problems import problem_for
from mlp_core.race import (
    MAX_RACE_EPOCHS,
    MAX_RACERS,
    MIN_RACERS,
    PARAM_SYMBOLS,
    Racer,
    RaceResult,
    against_gradient_descent,
    race_epochs,
    race_landscape,
    race_lines,
    run_race,
)
from mlp_core.reference import evaluate
from mlp_core.settings import Settings
from mlp_core.training import TrainConfig
from mlp_figures.race import (
    MAX_FRAMES,
    gradient_norms_figure,
    landscape_3d_figure,
    landscape_figure,
    line_losses_figure,
    race_loss_figure,
)

from . import views
from .saving import save_race
from .sweeps import fmt_score, model_figure, score_words
from .teaching import spinner, step_lock

# Session-state and widget keys of this page, declared once.
RESULT = "race_result"          # (key, RaceView) of the last race
COUNT = "race-count"            # how many optimizers race
EPOCHS = "race-epochs"
TARGET = "race-target"
LOG_Y = "race-log"
LOG_X = "race-log-epochs"
RUN_BUTTON = "race-run"
# Streamlit forgets a widget's value when a page without it runs: the race's choices
# are copied here (widget key -> value) so they are back after a visit to another page.
KEPT = "race_kept"

# The racers offered first: the tutorial's gradient descent and the two most used.
DEFAULT_ORDER = ("sgd", "momentum", "adam", "rmsprop", "nesterov")
DEFAULT_COUNT = 3
DEFAULT_TARGET = 0.01
PARAM_LABELS = {"momentum": "Momentum μ", "beta1": "β1", "beta2": "β2", "alpha": "α",
                "eps": "ε"}
PARAM_DEFAULTS = {f.name: f.default for f in fields(TrainConfig)
                  if f.name in PARAM_SYMBOLS}


def kept(key: str, default, lo=None, hi=None) -> str:
    """``key``, after putting the widget's last value (else ``default``) in session state,
    clipped to ``[lo, hi]``; the widget then takes its value from there (no ``value=``)."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(KEPT, {}).get(key, default)
    value = st.session_state[key]
    if lo is not None and value < lo:
        st.session_state[key] = lo
    if hi is not None and value > hi:
        st.session_state[key] = hi
    return key


def remember(key: str, value):
    """Keep ``value`` of widget ``key`` for the next visit (see ``kept``); return it."""
    st.session_state.setdefault(KEPT, {})[key] = value
    return value


def widget_key(name: str, i: int) -> str:
    """Widget key of racer ``i``'s ``name`` (``"optimizer"``, ``"lr"`` or a parameter)."""
    return f"race-{name}-{i}"


@dataclass
class RaceView:
    """A finished race and what was computed for its charts."""

    result: RaceResult
    land: Landscape
    lines: dict[str, np.ndarray]
    volume: Volume | None = None    # the exact loss over 3 weights, for a 3-weight net


def start_network(settings: Settings, data: Dataset) -> tuple[Network, str | None]:
    """The shared start, from the sidebar's network and seed, and a note if its init changed.

    The tutorial's fixed weights exist only for its 2-3-1 network; other shapes
    start from uniform [0, 1) weights, as on the Hidden layer vs none page.
    """
    problem = problem_for(data, settings.loss)
    features = settings.features if data.n_features == 2 else None
    n_in = len(features) if features else data.n_features
    init, note = settings.init, None
    if init == "tutorial" and (n_in, *settings.hidden_layers,
                               problem.n_outputs) != (2, 3, 1):
        init = "uniform"
        note = ("The tutorial's fixed weights exist only for its 2-3-1 network; the race "
                "starts from uniform [0, 1) weights instead.")
    net = Network.create(data.n_features, settings.hidden_layers,
                         n_outputs=problem.n_outputs, output=problem.output,
                         activation=settings.activation, bias=settings.bias, init=init,
                         seed=settings.seed, features=features)
    return net, note


def racer_controls(container, settings: Settings) -> tuple[list[Racer], list[str]]:
    """One row per racer (optimizer, learning rate, its own parameters).

    Returns the racers that are valid and one sentence per row that is not.
    """
    count = remember(COUNT, container.number_input(
        "Optimizers in the race", MIN_RACERS, MAX_RACERS, step=1,
        key=kept(COUNT, DEFAULT_COUNT),
        help="Each one trains a copy of the sidebar's network from the same start."))
    racers, errors = [], []
    for i in range(int(count)):
        cols = container.columns([2.2, 1.2, 1, 1, 1], vertical_alignment="bottom")
        key = widget_key("optimizer", i)
        name = remember(key, cols[0].selectbox(
            f"Optimizer {i + 1}", OPTIMIZERS, format_func=OPTIMIZER_LABELS.__getitem__,
            key=kept(key, DEFAULT_ORDER[i])))
        key = widget_key("lr", i)
        lr = remember(key, cols[1].number_input(
            "Learning rate", min_value=1e-6, step=0.01, format="%g",
            key=kept(key, settings.lr, lo=1e-6)))
        values = {}
        for col, param in zip(cols[2:], OPTIMIZER_PARAMS[name]):
            key = widget_key(param, i)
            values[param] = remember(key, col.number_input(
                PARAM_LABELS[param], format="%g", step=1e-9 if param == "eps" else 0.01,
                key=kept(key, PARAM_DEFAULTS[param])))
        try:
            racers.append(Racer(name, lr, **values))
        except ValueError as err:
            errors.append(f"Optimizer {i + 1}: {err}.")
    return racers, errors


def run(start: Network, data: Dataset, base: TrainConfig, racers: list[Racer], epochs: int,
        target: float) -> RaceView:
    """Race, then compute the landscape and the lines, with a progress bar."""
    bar = st.progress(0.0, text="Racing…")
    n = len(racers)

    def progress(lane: int, share: float) -> None:
        bar.progress(min(1.0, (lane + share) / n),
                     text=f"Training {racers[lane].label}…")

    with spinner("Racing…"), step_lock():
        result = run_race(start, data.X_train, data.y_train, base, racers, epochs, target,
                          progress)
        bar.progress(1.0, text="Drawing the loss landscape…")
        Y = start.encode_targets(data.y_train)
        land = race_landscape(result, start, data.X_train, Y, seed=base.seed)
        lines = race_lines(result, start, data.X_train, Y)
        volume = None
        if start.n_trainable == 3:
            points = np.vstack([lane.params for lane in result.lanes
                                if lane.diverged is None] or [result.start[None]])
            volume = loss_volume(start, data.X_train, Y, result.loss, points)
    bar.empty()
    return RaceView(result, land, lines, volume)


def bounds_caption(start: Network, data: Dataset, n_racers: int) -> str:
    """What this race may cost, in the page's words."""
    cap = race_epochs(start, data.n_train, n_racers, MAX_RACE_EPOCHS)
    g = grid_resolution(start, data.n_train)
    return (f"To keep a shared server quick, each optimizer trains at most {cap:,} epochs "
            f"on this network and data (full batch; never more than {MAX_RACE_EPOCHS:,}, "
            f"fewer for bigger networks, data or races); the landscape is a {g}x{g} grid "
            f"and the animation {MAX_FRAMES} frames.")


def verdict(container, result: RaceResult) -> None:
    text = result.verdict()
    (container.success if result.winners() else container.info)(text)
    ratios = against_gradient_descent(result)
    if ratios:
        container.caption(ratios)
    for lane in result.lanes:
        if lane.diverged is not None:
            container.error(f"{lane.label}: {lane.diverged.message}")


def lane_table(container, view: RaceView, data: Dataset) -> None:
    """One row per racer: epochs to the target, final loss and score."""
    result = view.result
    task = result.lanes[0].net.task
    name, _ = score_words(task)
    rows = []
    for lane in result.lanes:
        score = evaluate(lane.net, data.X_train, data.y_train, result.loss)[1]
        rows.append({
            "optimizer": lane.label,
            f"epochs to loss {result.target_loss:g}":
                f"{lane.reached:,}" if lane.reached is not None else "not reached",
            "final loss": f"{lane.final_loss:.4g}",
            f"training {name}": fmt_score(score, task),
        })
    container.dataframe(rows, hide_index=True, width="stretch")


PLAY_WORDS = ("Colour is the loss at each point of the plane; press ▶ Play to watch the "
              "optimizers move (in your browser), or drag the slider.")


def landscape_caption(land: Landscape, n_train: int, n_trainable: int) -> str:
    """What the landscape's plane is, in words, and how to play it."""
    sample = (f" To keep it quick, the landscape's loss is measured on {land.n_rows:,} of the "
              f"{n_train:,} training rows, drawn at random." if land.n_rows < n_train else "")
    return f"{_plane_words(land, n_trainable)} {PLAY_WORDS}{sample}"


def _plane_words(land: Landscape, n_trainable: int) -> str:
    plane = land.plane
    if plane.kind == "exact":
        return ("This network has exactly two trainable weights, so the picture is the whole "
                "loss surface: each point is one setting of the two weights.")
    if plane.kind == "pca":
        three = (" With three trainable weights this is the flat slice of their 3-D space "
                 "that the paths lie closest to." if n_trainable == 3 else "")
        return ("The plane through the shared start (★) spanned by the two directions along "
                f"which all the paths together spread most (PCA); it holds "
                f"{plane.captured:.0%} of their spread, the rest is flattened onto it.{three}")
    return ("The paths hardly spread in two directions, so the plane uses filter-normalised "
            "random directions (Li et al. 2018) where they did not: a slice of the "
            "landscape through the start.")


def show(view: RaceView, data: Dataset, log_y: bool, log_x: bool = False) -> None:
    """Everything a finished race draws, in page order."""
    result, land = view.result, view.land
    verdict(st, result)
    lane_table(st, view, data)
    series = {lane.label: (lane.curve_epochs, lane.curve_losses) for lane in result.lanes}
    views.chart(st, race_loss_figure(series, target=result.target_loss,
                                     reached={lane.label: lane.reached
                                              for lane in result.lanes},
                                     log_y=log_y, log_x=log_x, title=f"Loss ({result.loss})"),
                "race-loss")
    paths = {lane.label: (land.plane.coords(lane.params), lane.epochs, lane.losses)
             for lane in result.lanes}
    views.chart(st, landscape_figure(land.us, land.vs, land.loss, paths,
                                     x_title=land.plane.titles[0],
                                     y_title=land.plane.titles[1]), "race-landscape")
    st.caption(landscape_caption(land, data.n_train, result.lanes[0].net.n_trainable))
    if view.volume is not None:
        vol = view.volume
        views.chart(st, landscape_3d_figure(
            vol.axes, vol.loss,
            {lane.label: (vol.coords(lane.params), lane.epochs, lane.losses)
             for lane in result.lanes}, titles=vol.titles), "race-volume")
        st.caption("The exact loss over all three weights: each see-through surface joins "
                   "the points of one loss (darker is lower), and the paths run between "
                   "them. Drag to turn it; ▶ Play runs the race in your browser.")
    c = st.columns(2)
    views.chart(c[0], line_losses_figure(LINE_ALPHAS, view.lines, log_y=log_y), "race-lines")
    c[0].caption("A bump between start and final point is a barrier: the optimizer went "
                 "around it, not straight through.")
    names = views.weight_names(result.lanes[0].net)
    views.chart(c[1], gradient_norms_figure(
        {lane.label: (lane.grad_epochs, lane.grad_norms) for lane in result.lanes}, names),
        "race-grads")
    c[1].caption("Full-batch gradient of the data loss, per weight matrix, along each path.")
    final_pictures(view, data)


def final_pictures(view: RaceView, data: Dataset) -> None:
    """Each racer's final decision boundary or regions (2 inputs), fit (regression) or
    confusion matrix, three to a row."""
    lanes = view.result.lanes
    st.subheader("Where each optimizer ended")
    per_row = 3
    for row in range(0, len(lanes), per_row):
        cols = st.columns(per_row)
        for j, (col, lane) in enumerate(zip(cols, lanes[row:row + per_row])):
            views.chart(col, model_figure(data, lane.net, lane.label),
                        f"race-final-{row + j}")


def save(view: RaceView, settings: Settings, seconds: float) -> None:
    """Keep the race in the runs store: every lane's loss curve, final loss and arrival."""
    result = view.result
    paths = {lane.label: (lane.curve_epochs, lane.curve_losses) for lane in result.lanes}
    final = {lane.label: {"train_loss": lane.final_loss} for lane in result.lanes}
    extra = {"target_loss": result.target_loss,
             "reached": {lane.label: lane.reached for lane in result.lanes},
             "winners": [lane.label for lane in result.winners()]}
    save_race(settings, paths=paths, final=final, epochs=result.epochs, seconds=seconds,
              extra=extra)
