"""The Grid sweep page: build a grid from the boxes, cost it, run it with progress and Cancel,
store it (resumable), and show its cells."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.activations import ACTIVATIONS
from mlp_core.datasets import Dataset
from mlp_core.executors import SCHEDULER_ENV, LocalExecutor, open_executor
from mlp_core.gridsweep import (
    Cell,
    CellSummary,
    GridResult,
    GridSpec,
    SweepFile,
    best_cells,
    run_grid,
    spec_hash,
)
from mlp_core.network import MAX_HIDDEN_LAYERS
from mlp_core.optimizers import OPTIMIZERS
from mlp_core.problems import problem_for
from mlp_core.settings import Settings
from mlp_core.sweep import MAX_FOLDS, fold_labels, run_seconds, score_one

from . import views
from .run import train_config
from .saving import save_grid
from .sweeps import doubling, fmt_score, parse_widths, score_words, show_model

# Where finished cells are stored, one JSON-lines file per grid (gridsweep.SweepFile).
SWEEPS_ENV = "MLP_PLAYGROUND_SWEEPS"
DEFAULT_SWEEPS_DIR = Path(__file__).resolve().parents[1] / "data" / "sweeps"
REDRAW_SECONDS = 1.0        # charts fill in at most this often while a sweep runs
CALIBRATION_EPOCHS = 50     # the timed training that corrects sweep.run_seconds' estimate
MAX_LINES = 6               # width-chart lines shown at once; more: pick them
TEST_SPLIT, K_FOLD = "test split", "k-fold cross-validation"
LAST_RUN = "grid_last_run"  # (spec hash, sentence) said after the last Run press
OPENED = "grid_opened"      # (spec hash, cell key) -> the retrained seed-0 ScoreRow
RUNNING = "grid_running"    # (data, spec, start time) of a sweep this session has not saved yet
OPEN_KEY = "grid_open"      # the cell picker (a chart click sets it)
LINES_CHART, HEAT_CHART = "grid-lines", "grid-heat"


def sweeps_dir() -> str:
    return os.environ.get(SWEEPS_ENV) or str(DEFAULT_SWEEPS_DIR)


def parse_lrs(text: str) -> tuple[float, ...]:
    """Learning rates from ``"0.1, 0.5"``; ValueError with a sentence for the page."""
    tokens = [t for t in re.split(r"[,\s;]+", text.strip()) if t]
    if not tokens:
        raise ValueError("Enter at least one learning rate, e.g. 0.1, 0.5.")
    out = []
    for token in tokens:
        try:
            value = float(token)
        except ValueError:
            raise ValueError(f"“{token}” is not a learning rate: write numbers such as "
                             "0.01, 0.1, 0.5.") from None
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"A learning rate must be a positive number; “{token}” is not.")
        out.append(value)
    if len(set(out)) != len(out):
        raise ValueError("The learning rates list a value twice.")
    return tuple(sorted(out))


@dataclass(frozen=True)
class Where:
    """Where the sweep trains: the executor's name, its words, and how many trainings at once."""

    executor: str
    words: str
    workers: int
    budget: bool    # a shared server's per-click limit applies


def where_it_runs() -> Where:
    address = os.environ.get(SCHEDULER_ENV)
    if address:
        return Where("dask", f"the Dask cluster at {address}", 1, budget=False)
    n = LocalExecutor().workers
    return Where("local", f"this server's cores ({n})", n, budget=True)


def grid_form(settings: Settings, data: Dataset) -> GridSpec:
    """The grid boxes and the spec they make with the sidebar's settings; an error and a stop
    on bad input."""
    problem = problem_for(data, settings.loss)
    c = st.columns([2, 1, 1.4])
    default = doubling(64 if data.n_features > 2 else 16)
    widths_text = c[0].text_input("Widths", value=default, key="grid_widths",
                                  help="Hidden units per layer: a list such as 1, 2, 4, 8, a "
                                       "range such as 1-32, or both.")
    layers = c[1].multiselect("Hidden layers", list(range(1, MAX_HIDDEN_LAYERS + 1)),
                              # A sidebar net with no hidden layer has no width to sweep.
                              default=[max(1, settings.layers)], key="grid_layers")
    lrs_text = c[2].text_input("Learning rates", value=f"{settings.lr:g}", key="grid_lrs",
                               help="A list such as 0.01, 0.1, 0.5.")
    c = st.columns([1.4, 1.4, 0.8, 1.4, 0.8])
    activations = c[0].multiselect("Activations", list(ACTIVATIONS),
                                   default=[settings.activation], key="grid_activations")
    optimizers = c[1].multiselect("Optimizers", list(OPTIMIZERS), default=[settings.optimizer],
                                  key="grid_optimizers",
                                  help="The sidebar's optimizer parameters apply to each.")
    seeds = c[2].number_input("Seeds", 1, 100, value=3, key="grid_seeds")
    options = [TEST_SPLIT, K_FOLD] if data.n_test else [K_FOLD]
    held = c[3].selectbox("Held-out data", options, key="grid_heldout")
    folds = 0
    if held == K_FOLD:
        most = max(2, min(MAX_FOLDS, data.n_train))
        folds = int(c[4].number_input("Folds", 2, most, value=min(5, most), key="grid_folds"))
    problems = []
    if not layers:
        problems.append("Pick at least one number of hidden layers.")
    if not activations:
        problems.append("Pick at least one activation.")
    if not optimizers:
        problems.append("Pick at least one optimizer.")
    try:
        widths = parse_widths(widths_text)
    except ValueError as err:
        problems.append(str(err))
    try:
        lrs = parse_lrs(lrs_text)
    except ValueError as err:
        problems.append(str(err))
    if problems:
        for p in problems:
            st.error(p)
        st.stop()
    init = "uniform" if settings.init == "tutorial" else settings.init
    config = replace(train_config(settings, data), patience=0)
    try:
        return GridSpec(widths=widths, layers=tuple(sorted(layers)), lrs=lrs,
                        activations=tuple(activations), optimizers=tuple(optimizers),
                        seeds=int(seeds), folds=folds, output=problem.output,
                        n_outputs=problem.n_outputs, bias=settings.bias, init=init,
                        config=config)
    except ValueError as err:
        st.error(f"This grid cannot run: {err}.")
        st.stop()


def _sizes(data: Dataset, spec: GridSpec, cell: Cell) -> tuple[int, ...]:
    return (data.n_features, *(cell.hidden,) * cell.layers, spec.n_outputs)


def calibration(data: Dataset, spec: GridSpec) -> float:
    """Measured over predicted seconds of short trainings of the grid's cheapest and costliest
    cells on this data, the larger (the cost model misses more on one end or the other);
    each best of two (the first may load the compiled kernel)."""
    def predicted(cell: Cell, config) -> float:
        return run_seconds(data, _sizes(data, spec, cell), spec.folds, config)

    by_cost = sorted(spec.cells, key=lambda c: predicted(c, spec.train_config(c)))
    epochs = min(CALIBRATION_EPOCHS, spec.config.epochs)
    short = replace(spec, config=replace(spec.config, epochs=epochs))
    labels, fold = None, -1
    if spec.folds:
        labels = fold_labels(data.y_train, spec.folds, stratify=data.task == "classify")
        fold = 0
    ratios = []
    for cell in {by_cost[0], by_cost[-1]}:
        measured = []
        for _ in range(2):
            t0 = time.perf_counter()
            score_one(data, cell.hidden, 0, fold, short.sweep_spec(cell),
                      short.train_config(cell), labels)
            measured.append(time.perf_counter() - t0)
        ratios.append(min(measured) / max(predicted(cell, short.train_config(cell)), 1e-9))
    return max(ratios)


def estimated_seconds(data: Dataset, spec: GridSpec, cells: list[Cell], ratio: float,
                      workers: int) -> float:
    """Wall seconds to train ``cells``: ``run_seconds`` of each trial, corrected by the
    calibration ``ratio``, shared by ``workers`` trainings at once."""
    cpu = sum(spec.trials_per_cell * run_seconds(data, _sizes(data, spec, c), spec.folds,
                                                 spec.train_config(c)) for c in cells)
    return ratio * cpu / max(1, min(workers, len(cells) * spec.trials_per_cell or 1))


def fmt_seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.0f} min"


def run_and_store(settings: Settings, data: Dataset, spec: GridSpec, where: Where,
                  draw) -> None:
    """Train the cells of ``spec`` not yet stored, with a progress bar, Cancel and charts
    (``draw(done)``, at most every ``REDRAW_SECONDS``); remembers what it did in LAST_RUN
    and saves the sweep to the runs store.

    Any rerun (Cancel is a button) stops the script inside ``on_cell``; the executor then
    cancels the trainings left, and the cells finished so far stay in the file (the next
    script run saves them: ``save_stopped``).
    """
    store = SweepFile(sweeps_dir(), data, spec)
    done = store.load()
    read_back = sum(c.key in done for c in spec.cells)
    total = (len(spec.cells) - read_back) * spec.trials_per_cell
    bar = st.progress(0.0, text=f"0 of {total:,} trainings")
    st.button("Cancel", key="grid-cancel",
              help="Stops the sweep; the cells finished so far are kept.")
    started = last_draw = time.monotonic()
    trained = 0

    def on_cell(cell: Cell, rows: list[dict]) -> None:
        nonlocal trained, last_draw
        done[cell.key] = rows
        trained += len(rows)
        elapsed = time.monotonic() - started
        left = elapsed / trained * (total - trained)
        bar.progress(trained / max(total, 1),
                     text=f"{trained:,} of {total:,} trainings, about {fmt_seconds(left)} left")
        if time.monotonic() - last_draw >= REDRAW_SECONDS:
            draw(done)
            last_draw = time.monotonic()

    try:
        executor = open_executor(where.executor)
    except ValueError as err:
        st.error(str(err))
        st.stop()
    st.session_state[RUNNING] = (data, spec, started)
    try:
        result = run_grid(data, spec, executor, out=sweeps_dir(), on_cell=on_cell)
    except ValueError as err:
        st.error(str(err))
        st.stop()
    finally:
        executor.close()
    st.session_state.pop(RUNNING, None)
    save_grid(settings, task=problem_for(data, settings.loss).task, result=result, spec=spec,
              seconds=time.monotonic() - started)
    cells_trained = len(result.cells) - read_back
    st.session_state[LAST_RUN] = (
        spec_hash(data, spec),
        f"{read_back} cells read back, {cells_trained} trained ({result.trained:,} trainings "
        f"in {time.monotonic() - started:.1f} s).")


def save_stopped(settings: Settings) -> None:
    """Save the sweep a rerun (Cancel, or any other click) stopped, with the cells it kept."""
    if RUNNING not in st.session_state:
        return
    data, spec, started = st.session_state.pop(RUNNING)
    store = SweepFile(sweeps_dir(), data, spec)
    done = store.load()
    cells = [c for c in spec.cells if c.key in done]
    result = GridResult(cells, {c.key: done[c.key] for c in cells}, trained=0, cpu_seconds=0.0,
                        complete=len(cells) == len(spec.cells), path=store.path)
    save_grid(settings, task=problem_for(data, settings.loss).task, result=result, spec=spec,
              seconds=time.monotonic() - started)


def trial_scores(spec: GridSpec, rows: list[dict] | None, which: str) -> np.ndarray:
    """A cell's ``which`` score of each trial, shape ``(trials_per_cell,)``; NaN if missing."""
    out = np.full(spec.trials_per_cell, np.nan)
    for i, r in enumerate(rows or []):
        if r[which] is not None:
            out[i] = r[which]
    return out


def combo_label(spec: GridSpec, layers: int, lr: float, activation: str, optimizer: str) -> str:
    """The settings that vary in the grid (besides width), in words."""
    parts = []
    if len(spec.layers) > 1:
        parts.append(f"{layers} layer{'s' if layers > 1 else ''}")
    if len(spec.lrs) > 1:
        parts.append(f"lr {lr:g}")
    if len(spec.activations) > 1:
        parts.append(activation)
    if len(spec.optimizers) > 1:
        parts.append(optimizer)
    return ", ".join(parts) or f"{layers} layer(s), lr {lr:g}, {activation}, {optimizer}"


def width_lines(spec: GridSpec, done: dict[str, list[dict]],
                combos: list[tuple]) -> list[figs.GridLine]:
    lines = []
    for combo in combos:
        cells = [Cell(w, *combo) for w in spec.widths]
        lines.append(figs.GridLine(
            combo_label(spec, *combo),
            np.array([trial_scores(spec, done.get(c.key), "train_score") for c in cells]),
            np.array([trial_scores(spec, done.get(c.key), "heldout_score") for c in cells]),
            [c.key for c in cells]))
    return lines


def all_combos(spec: GridSpec) -> list[tuple]:
    return sorted({(c.layers, c.lr, c.activation, c.optimizer) for c in spec.cells})


def draw_progress(box, spec: GridSpec, done: dict[str, list[dict]], score_name: str) -> None:
    """The width chart of the first combinations, redrawn into ``box`` while the sweep runs."""
    lines = width_lines(spec, done, all_combos(spec)[:MAX_LINES])
    box.plotly_chart(figs.grid_width_scores(np.array(spec.widths), lines, score_name,
                                            title="Held-out score so far"),
                     config=views.CHART_CONFIG, width="stretch")


def _pick_from(chart_key: str) -> None:
    """A click on a width-chart point or a heatmap cell opens that cell."""
    event = st.session_state.get(chart_key) or {}
    for point in event.get("selection", {}).get("points", []):
        key = point.get("customdata")
        if isinstance(key, str):
            st.session_state[OPEN_KEY] = key
            return


def show_results(settings: Settings, data: Dataset, spec: GridSpec) -> None:
    """Every view of the cells of ``spec`` stored so far."""
    task = problem_for(data, settings.loss).task
    score_name, chart_score = score_words(task)
    done = SweepFile(sweeps_dir(), data, spec).load()
    cells = [c for c in spec.cells if c.key in done]
    last = st.session_state.get(LAST_RUN)
    if last and last[0] == spec_hash(data, spec):
        st.success(last[1])
    if not cells:
        st.info("Press **Run grid sweep** to train every cell.")
        return
    if len(cells) < len(spec.cells):
        st.warning(f"{len(cells)} of {len(spec.cells)} cells are finished (the sweep was "
                   "stopped); press Run grid sweep to train only the missing ones.")
    summaries = {c.key: CellSummary.of(done[c.key]) for c in cells}
    picked = best_cells(cells, summaries)
    by_key = {c.key: c for c in cells}

    m = st.columns(2)
    if picked is not None:
        b, s = picked.best, picked.smallest_within_se
        m[0].metric("Best cell", f"width {b.hidden}",
                    help=f"{cell_words(b)}: mean held-out {score_name} "
                         f"{fmt_score(summaries[b.key].mean, task)}, the highest.")
        m[1].metric("Smallest width within 1 SE", f"width {s.hidden}",
                    help=f"{cell_words(s)}: mean held-out {score_name} "
                         f"{fmt_score(summaries[s.key].mean, task)}, within one standard "
                         "error of the best cell's: as good, as far as the seeds can tell.")
        st.caption(f"Best: {cell_words(b)}, mean held-out {score_name} "
                   f"{fmt_score(summaries[b.key].mean, task)}. Smallest within 1 SE: "
                   f"{cell_words(s)}, {fmt_score(summaries[s.key].mean, task)}.")

    combos = all_combos(spec)
    labels = {combo: combo_label(spec, *combo) for combo in combos}
    shown = combos
    if len(combos) > MAX_LINES:
        best_first = sorted(combos, key=lambda k: -max(
            (summaries[c.key].mean for c in cells
             if (c.layers, c.lr, c.activation, c.optimizer) == k and summaries[c.key].n),
            default=-np.inf))
        shown = st.multiselect("Lines on the width chart", combos,
                               default=best_first[:MAX_LINES], format_func=labels.get,
                               key="grid_lines_shown")
    st.plotly_chart(figs.grid_width_scores(
        np.array(spec.widths), width_lines(spec, done, shown), chart_score,
        title=f"Held-out {score_name} against width (over seeds and folds)"),
        key=LINES_CHART, on_select=lambda: _pick_from(LINES_CHART), selection_mode="points",
        config=views.CHART_CONFIG, width="stretch")

    others = sorted({(c.layers, c.activation, c.optimizer) for c in spec.cells})
    other = others[0]
    if len(others) > 1:
        default = others.index((picked.best.layers, picked.best.activation,
                                picked.best.optimizer)) if picked else 0
        other = st.selectbox("Heatmap of", others, index=default, key="grid_heat_of",
                             format_func=lambda o: f"{o[0]} layer(s), {o[1]}, {o[2]}")
    grid_cells = [[Cell(w, other[0], lr, other[1], other[2]) for w in spec.widths]
                  for lr in spec.lrs]
    means = np.array([[summaries[c.key].mean if c.key in summaries else np.nan for c in row]
                      for row in grid_cells])
    st.plotly_chart(figs.grid_heatmap(
        np.array(spec.widths), np.array(spec.lrs), means, chart_score,
        ids=[[c.key for c in row] for row in grid_cells],
        title=f"Mean held-out {score_name}: {other[0]} layer(s), {other[1]}, {other[2]}"),
        key=HEAT_CHART, on_select=lambda: _pick_from(HEAT_CHART), selection_mode="points",
        config=views.CHART_CONFIG, width="stretch")

    axes = [figs.Axis("Width", [c.hidden for c in cells]),
            figs.Axis("Hidden layers", [c.layers for c in cells]),
            figs.Axis("Learning rate", [c.lr for c in cells]),
            figs.Axis("Activation", [c.activation for c in cells]),
            figs.Axis("Optimizer", [c.optimizer for c in cells])]
    views.chart(st, figs.settings_parallel(axes, [summaries[c.key].mean for c in cells],
                                           f"mean held-out {score_name}",
                                           title="Each cell's settings and its score"),
                "grid-parallel")

    st.dataframe({"width": [c.hidden for c in cells], "layers": [c.layers for c in cells],
                  "lr": [c.lr for c in cells], "activation": [c.activation for c in cells],
                  "optimizer": [c.optimizer for c in cells],
                  "trainings": [summaries[c.key].n for c in cells],
                  f"mean held-out {score_name}": [summaries[c.key].mean for c in cells],
                  "sd": [summaries[c.key].sd for c in cells]},
                 hide_index=True, width="stretch")

    st.header("Open one cell")
    st.caption("Click a point on the width chart or a cell of the heatmap, or pick it here. "
               "Its seed-0 network is trained again on all the training rows.")
    if st.session_state.get(OPEN_KEY) not in by_key:
        st.session_state[OPEN_KEY] = picked.best.key if picked else cells[0].key
    key = st.selectbox("Cell", list(by_key), key=OPEN_KEY,
                       format_func=lambda k: cell_words(by_key[k]))
    open_cell(settings, data, spec, by_key[key])


def cell_words(cell: Cell) -> str:
    return (f"width {cell.hidden}, {cell.layers} layer(s), lr {cell.lr:g}, {cell.activation}, "
            f"{cell.optimizer}")


def open_cell(settings: Settings, data: Dataset, spec: GridSpec, cell: Cell) -> None:
    """The cell's seed-0 network, trained on all training rows (scored on the test split,
    if any), shown as the sweep page shows a run; kept for the session."""
    opened = st.session_state.setdefault(OPENED, {})
    key = (spec_hash(data, spec), cell.key)
    if key not in opened:
        with st.spinner(f"Training {cell_words(cell)}, seed 0…"):
            opened[key] = score_one(data, cell.hidden, 0, -1, spec.sweep_spec(cell),
                                    spec.train_config(cell))
    show_model(data, spec.sweep_spec(cell), opened[key], spec.config.loss, spec.folds)
