"""Grid sweeps: every cell of a grid, trained for several seeds on several folds, stored.

A **cell** is one point of the grid: a hidden width, a number of hidden layers,
a learning rate, a hidden activation and an optimizer. A **trial** is one
training of a cell: one seed on one fold (or on the test split, fold -1). Each
trial is ``sweep.score_one`` with the cell's settings, so its numbers depend
only on the data, the spec, the cell, the seed and the fold (the fold labels
come from ``sweep.fold_labels``' fixed seed): the same, bit for bit, on this
machine's threads or on any Dask worker.

Trials are grouped into tasks (``tasks_for``) estimated to cost about
``TASK_SECONDS``, so an executor's per-task overhead stays small next to the
training (``executors.py`` runs them). A cell is finished when all its trials
are back; a ``SweepFile`` then appends it to a JSON-lines file named by the
spec's hash, and the same sweep started again trains only the cells not in it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ._validate import check_choice, check_int
from .activations import ACTIVATIONS
from .datasets import Dataset
from .losses import check_loss_for_output
from .network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES
from .optimizers import OPTIMIZERS
from .sweep import MAX_FOLDS, MAX_SEEDS, SweepSpec, fold_labels, run_seconds, score_one
from .training import TrainConfig

MAX_GRID_TRIALS = 20_000
# A task's estimated cost (``sweep.run_seconds``, 2-3x pessimistic): long enough that a
# Dask task's few milliseconds of overhead are lost in it, short enough that two workers
# share a sweep of a few dozen trainings evenly.
TASK_SECONDS = 0.5
# Bumped when a stored row would no longer mean the same (a new field, a changed score):
# it is part of the spec's hash, so old files are not resumed into new sweeps.
FORMAT_VERSION = 1
# The numbers of a trial row, in ``sweep.ScoreRow``'s names; the cell's settings come first.
ROW_FIELDS = ("seed", "fold", "n_params", "train_loss", "heldout_loss", "train_score",
              "heldout_score", "diverged", "epochs")


@dataclass(frozen=True, order=True)
class Cell:
    """One point of the grid."""

    hidden: int
    layers: int
    lr: float
    activation: str
    optimizer: str

    @property
    def key(self) -> str:
        """A name that is the same wherever the cell is written (``repr`` keeps every digit)."""
        return (f"h{self.hidden}-l{self.layers}-lr{self.lr!r}-{self.activation}"
                f"-{self.optimizer}")


def _distinct(name: str, values) -> tuple:
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} needs at least one value")
    if len(set(values)) != len(values):
        raise ValueError(f"{name} lists a value twice: {', '.join(str(v) for v in values)}")
    return values


@dataclass(frozen=True)
class GridSpec:
    """What a grid sweep trains: the grid, seeds ``0..seeds-1``, the folds, the rest fixed.

    ``config`` holds everything of the training but the learning rate and the
    optimizer, which each cell sets. ``folds`` 0 scores on the test split;
    2..MAX_FOLDS is k-fold cross-validation of the training rows (stratified for
    classification). ``output`` and ``n_outputs`` are the output layer the data
    needs (``problems.problem_for``).
    """

    widths: tuple[int, ...]
    layers: tuple[int, ...] = (1,)
    lrs: tuple[float, ...] = (0.5,)
    activations: tuple[str, ...] = ("tanh",)
    optimizers: tuple[str, ...] = ("sgd",)
    seeds: int = 10
    folds: int = 0
    output: str = "sigmoid"
    n_outputs: int = 1
    bias: bool = True
    init: str = "xavier"
    config: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self):
        for w in _distinct("hidden sizes", self.widths):
            check_int("width", w, 1, MAX_HIDDEN_NODES)
        for n in _distinct("hidden layers", self.layers):
            check_int("hidden layers", n, 1, MAX_HIDDEN_LAYERS)
        for lr in _distinct("learning rates", self.lrs):
            TrainConfig(lr=lr)
        for a in _distinct("activations", self.activations):
            check_choice("activation", a, ACTIVATIONS)
        for o in _distinct("optimizers", self.optimizers):
            check_choice("optimizer", o, OPTIMIZERS)
        for name in ("widths", "layers"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        object.__setattr__(self, "lrs", tuple(float(v) for v in self.lrs))
        check_int("seeds", self.seeds, 1, MAX_SEEDS)
        if self.folds != 0:
            check_int("folds", self.folds, 2, MAX_FOLDS)
        if self.config.patience:
            raise ValueError("a sweep cannot stop on patience: its runs do not watch a test "
                             "loss; leave --patience at 0")
        n = len(self.cells) * self.trials_per_cell
        if n > MAX_GRID_TRIALS:
            raise ValueError(f"a grid sweep may have at most {MAX_GRID_TRIALS:,} trainings, "
                             f"this one has {n:,}")

    @property
    def cells(self) -> list[Cell]:
        """Every cell in the grid's order: by layers, learning rate, activation, optimizer,
        then width."""
        return [Cell(h, n, lr, a, o) for n, lr, a, o, h in itertools.product(
            self.layers, self.lrs, self.activations, self.optimizers, self.widths)]

    @property
    def fold_numbers(self) -> list[int]:
        return list(range(self.folds)) if self.folds else [-1]

    @property
    def trials_per_cell(self) -> int:
        return self.seeds * max(1, self.folds)

    def sweep_spec(self, cell: Cell) -> SweepSpec:
        """The one-width ``sweep.SweepSpec`` that ``score_one`` trains ``cell`` by."""
        return SweepSpec(widths=(cell.hidden,), seeds=self.seeds, layers=cell.layers,
                         activation=cell.activation, bias=self.bias, init=self.init,
                         folds=self.folds, output=self.output, n_outputs=self.n_outputs)

    def train_config(self, cell: Cell) -> TrainConfig:
        return TrainConfig(**{**asdict(self.config), "lr": cell.lr, "optimizer": cell.optimizer})

    def to_dict(self) -> dict:
        out = asdict(self)
        out["config"] = {k: v for k, v in asdict(self.config).items()
                         if k not in ("lr", "optimizer")}
        return out


def data_fingerprint(data: Dataset) -> str:
    """A SHA-256 of the arrays a sweep trains and scores on: equal data, equal hash,
    however the data were named or loaded."""
    h = hashlib.sha256()
    for a in (data.X_train, data.y_train, data.X_test, data.y_test):
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def spec_hash(data: Dataset, spec: GridSpec) -> str:
    """16 hex digits naming the sweep: the data's fingerprint, the spec and ``FORMAT_VERSION``."""
    text = json.dumps({"format": FORMAT_VERSION, "data": data_fingerprint(data),
                       "spec": spec.to_dict()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Trial:
    """One training: a cell, a seed and the fold it holds out (-1: the test split)."""

    cell: Cell
    seed: int
    fold: int


def _number(value) -> float | None:
    """JSON has no NaN: a score that is not finite (a diverged run's loss) is null."""
    value = float(value)
    return value if math.isfinite(value) else None


_trained_lock = threading.Lock()
_trained_total = 0


def trials_trained() -> int:
    """Trials this process has trained so far (a Dask worker's own count, e.g.)."""
    return _trained_total


def train_trial(data: Dataset, spec: GridSpec, trial: Trial, labels: np.ndarray | None,
                cancel: threading.Event | None = None) -> dict:
    """One trial's row: the cell's settings, the seed, the fold and ``ROW_FIELDS``' numbers.

    ``labels`` (``sweep.fold_labels``, shape ``(n_train,)``) say which rows each fold
    holds; None with the test split.
    """
    global _trained_total
    row = score_one(data, trial.cell.hidden, trial.seed, trial.fold,
                    spec.sweep_spec(trial.cell), spec.train_config(trial.cell), labels, cancel)
    with _trained_lock:
        _trained_total += 1
    numbers = {name: getattr(row, name) for name in ROW_FIELDS}
    for name in ("train_loss", "heldout_loss", "train_score", "heldout_score"):
        numbers[name] = _number(numbers[name])
    return {**asdict(trial.cell), **numbers}


@dataclass
class TaskResult:
    """What one task sends back: its rows and the CPU seconds its thread spent on them."""

    rows: list[dict]
    cpu_seconds: float


def train_task(data: Dataset, spec: GridSpec, labels: np.ndarray | None,
               trials: list[Trial], cancel: threading.Event | None = None) -> TaskResult | None:
    """Train ``trials`` one after another; None if ``cancel`` was set meanwhile (a cancelled
    trial stops early, and its row must not be kept)."""
    t0 = time.thread_time()
    data = _aligned(data)
    rows = [train_trial(data, spec, t, labels, cancel) for t in trials]
    if cancel is not None and cancel.is_set():
        return None
    return TaskResult(rows, time.thread_time() - t0)


def _aligned(data: Dataset) -> Dataset:
    """``data`` with every array aligned, C-ordered and writeable (copied only if needed).

    Arrays unpickled from a message (a Dask worker's copy of the data) can start at
    any byte, and numba's code for unaligned arrays is slower: 1.6x per digits
    training on a worker, against well under a millisecond for the copy.
    """
    arrays = {name: getattr(data, name) for name in ("X_train", "y_train", "X_test", "y_test")}
    if all(a.flags.aligned and a.flags.c_contiguous and a.flags.writeable
           for a in arrays.values()):
        return data
    return replace(data, **{name: np.require(a, requirements="CAW")
                            for name, a in arrays.items()})


def tasks_for(data: Dataset, spec: GridSpec, cells: list[Cell]) -> list[list[Trial]]:
    """``cells``' trials in tasks of about ``TASK_SECONDS`` each (by ``sweep.run_seconds``),
    cell by cell, so the first cells finish (and are stored) first.

    A task holds trials of one cell only and at least one trial.
    """
    tasks = []
    for cell in cells:
        trials = [Trial(cell, s, f) for s in range(spec.seeds) for f in spec.fold_numbers]
        sizes = (data.n_features, *(cell.hidden,) * cell.layers, spec.n_outputs)
        each = run_seconds(data, sizes, spec.folds, spec.train_config(cell))
        per_task = max(1, min(len(trials), int(TASK_SECONDS / max(each, 1e-9))))
        tasks += [trials[i:i + per_task] for i in range(0, len(trials), per_task)]
    return tasks


@dataclass(frozen=True)
class CellSummary:
    """A cell's held-out scores over its seeds and folds (accuracy, or R² for regression).

    ``n`` counts the finite scores (a diverged run's may be missing); ``sd`` is the
    sample standard deviation (NaN with fewer than two), the quartiles NumPy's linear ones.
    """

    n: int
    mean: float
    sd: float
    median: float
    q25: float
    q75: float

    @classmethod
    def of(cls, rows: list[dict]) -> CellSummary:
        s = np.array([r["heldout_score"] for r in rows if r["heldout_score"] is not None])
        if s.size == 0:
            return cls(0, *([math.nan] * 5))
        q25, median, q75 = np.percentile(s, [25, 50, 75])
        sd = float(np.std(s, ddof=1)) if s.size > 1 else math.nan
        return cls(int(s.size), float(np.mean(s)), sd, float(median), float(q25), float(q75))


class SweepFile:
    """A sweep's finished cells, one JSON line each, in ``DIR/sweep-<spec hash>.jsonl``.

    A line is ``{"cell": key, "rows": [...]}`` with the cell's rows by seed and fold,
    written and flushed as the cell finishes; a line cut short by a crash is ignored
    when the file is read again (its cell is trained again).
    """

    def __init__(self, directory: str, data: Dataset, spec: GridSpec):
        self.path = os.path.join(directory, f"sweep-{spec_hash(data, spec)}.jsonl")
        self._directory = directory

    def load(self) -> dict[str, list[dict]]:
        """The rows of each finished cell by its key."""
        done: dict[str, list[dict]] = {}
        try:
            with open(self.path, encoding="utf-8") as f:
                for line in f:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    done[record["cell"]] = record["rows"]
        except FileNotFoundError:
            pass
        return done

    def append(self, cell: Cell, rows: list[dict]) -> None:
        os.makedirs(self._directory, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            # A line cut short by a crash ends without a newline: start on a fresh one.
            if f.tell() and not self._ends_with_newline():
                f.write("\n")
            f.write(json.dumps({"cell": cell.key, "rows": rows}) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"


@dataclass
class GridResult:
    """A grid sweep's cells (finished ones only, in the grid's order) and what it cost.

    ``rows[key]`` are a cell's trial rows by seed and fold; ``trained`` counts the
    trials trained by this call (not those read back from the file); ``cpu_seconds``
    is their threads' CPU time; ``complete`` is False when the sweep was cancelled.
    """

    cells: list[Cell]
    rows: dict[str, list[dict]]
    trained: int
    cpu_seconds: float
    complete: bool
    path: str | None = None

    def summaries(self) -> dict[str, CellSummary]:
        return {c.key: CellSummary.of(self.rows[c.key]) for c in self.cells}


def run_grid(data: Dataset, spec: GridSpec, executor, *, out: str | None = None,
             on_cell: Callable[[Cell, list[dict]], None] | None = None,
             cancel: threading.Event | None = None) -> GridResult:
    """Train every cell of ``spec`` not already in ``out``'s file, on ``executor``.

    Each cell is appended to the file (``SweepFile``, when ``out`` is a directory)
    and passed to ``on_cell`` as it finishes. Setting ``cancel`` (another thread, or
    ``on_cell`` itself) stops the sweep: the cells finished so far stay stored and
    are returned. ``executor`` is one of ``executors.EXECUTORS``.
    """
    cancel = cancel if cancel is not None else threading.Event()
    labels = None
    if spec.folds:
        labels = fold_labels(data.y_train, spec.folds, stratify=data.task == "classify")
    elif data.n_test == 0:
        raise ValueError(f"{data.name} has no test split to score on; use k-fold "
                         "cross-validation instead")
    # Fail on a bad init or loss before any task is sent, with the engine's own message.
    first = spec.cells[0]
    spec.sweep_spec(first).network(data.n_features, first.hidden, 0)
    check_loss_for_output(spec.output, spec.config.loss)
    store = SweepFile(out, data, spec) if out else None
    done = store.load() if store else {}
    todo = [c for c in spec.cells if c.key not in done]
    by_key = {c.key: c for c in todo}
    pending: dict[str, list[dict]] = {}
    trained, cpu = 0, 0.0
    for result in executor.map_unordered(train_task, (data, spec, labels),
                                         tasks_for(data, spec, todo), cancel):
        if result is None:
            continue
        trained += len(result.rows)
        cpu += result.cpu_seconds
        for cell_key, group in itertools.groupby(result.rows, key=_key_of):
            pending.setdefault(cell_key, []).extend(group)
            rows = pending[cell_key]
            if len(rows) == spec.trials_per_cell:
                rows.sort(key=lambda r: (r["seed"], r["fold"]))
                done[cell_key] = pending.pop(cell_key)
                if store:
                    store.append(by_key[cell_key], rows)
                if on_cell is not None:
                    on_cell(by_key[cell_key], rows)
    cells = [c for c in spec.cells if c.key in done]
    return GridResult(cells, {c.key: done[c.key] for c in cells}, trained, cpu,
                      complete=len(cells) == len(spec.cells),
                      path=store.path if store else None)


def _key_of(row: dict) -> str:
    return Cell(row["hidden"], row["layers"], row["lr"], row["activation"],
                row["optimizer"]).key


def rows_in_order(result: GridResult) -> Iterator[dict]:
    """Every trial row, cell by cell in the grid's order, then by seed and fold."""
    for cell in result.cells:
        yield from result.rows[cell.key]


@dataclass(frozen=True)
class BestCells:
    """The cell with the highest mean held-out score, and the smallest-width cell whose mean
    is within one standard error (the best cell's sd over the square root of its count, 0
    with one score) of it: as good, as far as the seeds and folds can tell."""

    best: Cell
    smallest_within_se: Cell


def best_cells(cells: list[Cell], summaries: dict[str, CellSummary]) -> BestCells | None:
    """``BestCells`` of ``cells`` by their ``summaries``; None when no cell has a score.

    Among cells of the same smallest width within one SE, the one with the higher mean.
    The same one-SE rule as ``sweep.best_width``, over cells instead of widths.
    """
    scored = [c for c in cells if summaries[c.key].n > 0]
    if not scored:
        return None
    best = max(scored, key=lambda c: summaries[c.key].mean)
    s = summaries[best.key]
    se = s.sd / math.sqrt(s.n) if s.n > 1 else 0.0
    within = [c for c in scored if summaries[c.key].mean >= s.mean - se - 1e-12]
    smallest = min(within, key=lambda c: (c.hidden, -summaries[c.key].mean))
    return BestCells(best, smallest)
