"""Keep every finished, paused or diverged run, sweep and race in the runs store.

What a page saves is a ``mlp_store.RunIn``. Building one takes a copy of what the
run is now (settings, final metrics, a downsampled loss history, the weights) in
the page's own script run, which costs a few milliseconds; writing the model file
and the database row happens on one process-wide background thread, so a save
never holds up the page that asked for it or anyone's live frames. Saves queue
there in order; a run saved again (pause, then finish) has the same ``run_key``
and updates its row.

When the database cannot be reached, training goes on and the page says once
that runs are not being saved (``notices``).
"""

from __future__ import annotations

import platform
import secrets
import time
import tomllib
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from mlp_core import model_io
from mlp_core.gridsweep import CellSummary, best_cells
from mlp_core.network import Network
from mlp_core.settings import OWN_DATA, Settings, format_value
from mlp_core.training import downsample_indices
from mlp_store import RunIn, SaveRefused, Store, StoreUnavailable, open_store

from .run import Run
from .safe import plain
from .workspace import workspace_id

HISTORY_POINTS = 500          # the store keeps at most this many loss points a run
MAX_SWEEP_ROWS = 5_000        # more rows than this are kept as per-width summaries only
# Seconds the idle rerun after training waits for its save while saving is in doubt,
# so that the page says at once that the database is unreachable.
NOTICE_WAIT = 0.15
REPROBE_S = 15.0              # an unreachable database is looked at again this often
NOT_SAVING = "Runs are not being saved: {reason}"
NOT_SAVED = "This run was not saved: {reason}"
METRIC_NAMES = ("train_loss", "test_loss", "train_accuracy", "test_accuracy",
                "train_r2", "test_r2")

# Session-state keys used only here.
SAVE_DUE = "save_due"              # Run whose live loop ran since its last save
RUN_KEYS = "run_keys"              # id(trainer) -> (weakref to it, run_key)
SAVES = "saves"                    # list of Futures of this session's saves in flight
SHOWN = "save_notices_shown"       # set of notices this session has already shown
ANNOUNCED = "runs_announced"        # (kind, sentence) for the Playground's next run
# (class code, nickname) once the session joined a class: mlp_ui.classroom's MEMBER.
CLASS_MEMBER = "classroom_member"


# --------------------------------------------------------------------------- what to save

def settings_text(settings: Settings) -> dict[str, str]:
    """Every setting as its URL text, defaults included (``to_query`` keeps only the rest)."""
    return {f.name: format_value(getattr(settings, f.name)) for f in fields(settings)}


def link_of(settings: Settings) -> str:
    """The query string that reproduces ``settings`` in the Playground (``"?data=xor&..."``)."""
    query = settings.to_query()
    return "?" + urlencode(query) if query else "?"


def settings_of(saved: dict) -> Settings:
    """The Settings a saved settings dict stands for (what it cannot use is the default's)."""
    settings, _ = Settings.from_query({k: v for k, v in saved.items() if isinstance(v, str)})
    return settings


def data_spec(settings: Settings) -> dict:
    """What draws the run's data again: the data set's name and its options."""
    return {"dataset": settings.dataset, "samples": settings.samples, "noise": settings.noise,
            "test": settings.test, "classes": settings.classes,
            "standardize": settings.standardize, "task": settings.task, "seed": settings.seed}


def seeds_of(settings: Settings) -> dict:
    """The seeds of a run. The sidebar's one seed draws the data, the initial weights and
    the mini-batch shuffle alike."""
    return {"init": settings.seed, "data": settings.seed, "shuffle": settings.seed}


_VERSIONS: dict[str, str] = {}
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def versions() -> dict[str, str]:
    """The versions that produced a run: this app, its numeric libraries, Python."""
    if not _VERSIONS:
        # The app runs from its folder, not installed: its version is its pyproject's.
        try:
            own = tomllib.loads(PYPROJECT.read_text())["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            own = "unknown"
        _VERSIONS["mlp_playground"] = own
        for name in ("numpy", "numba", "streamlit", "plotly", "SQLAlchemy"):
            try:
                _VERSIONS[name.lower()] = metadata.version(name)
            except metadata.PackageNotFoundError:
                _VERSIONS[name.lower()] = "not installed"
        _VERSIONS["python"] = platform.python_version()
    return dict(_VERSIONS)


def title_of(settings: Settings, net: Network) -> str:
    """A run's one-line name: ``"xor 2-4-1 sigmoid, lr 0.5"``."""
    return f"{settings.dataset} {net.architecture()} {net.hidden_activation}, lr {settings.lr:g}"


def status_of(trainer) -> str:
    if trainer.diverged is not None:
        return "diverged"
    return "finished" if trainer.epoch >= trainer.target else "paused"


def finite_or_none(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def loss_history(losses: np.ndarray) -> tuple[list[int], list[float]]:
    """At most ``HISTORY_POINTS`` of a per-epoch loss history: epochs (1-based) and losses.

    Non-finite losses (a diverged run's last ones) are left out, as JSON has no NaN;
    the last finite epoch is always kept.
    """
    values = np.asarray(losses, dtype=float)
    finite = np.flatnonzero(np.isfinite(values))
    pick = finite[downsample_indices(len(finite), HISTORY_POINTS)]
    return (pick + 1).astype(int).tolist(), values[pick].tolist()


@dataclass(frozen=True)
class Saved:
    """A run as it is saved, without whose it is (``RunIn`` less workspace, key and class)."""

    kind: str
    status: str
    title: str
    settings: dict
    link: str
    data_spec: dict
    seeds: dict
    versions: dict
    metrics: dict
    loss_epochs: list
    loss_values: list
    model: str
    epochs: int
    seconds: float
    extra: dict = field(default_factory=dict)

    def run_in(self, workspace: str, run_key: str, member: tuple[str, str] | None = None
               ) -> RunIn:
        return RunIn(workspace=workspace, run_key=run_key, **asdict(self),
                     class_code=member[0] if member else None,
                     nickname=member[1] if member else None)


@dataclass(frozen=True)
class Snapshot:
    """What a Playground run is at one moment, copied so training can go on meanwhile.

    The model file's text is made from it later (``saved``), on the saving thread.
    """

    status: str
    settings: Settings
    net: Network
    training: dict
    model_data: model_io.ModelData
    metrics: dict
    loss_epochs: list
    loss_values: list
    epochs: int
    seconds: float
    edited_epochs: tuple[int, ...] = ()    # where the weights were set by hand

    def saved(self) -> Saved:
        return Saved(kind="playground", status=self.status,
                     title=title_of(self.settings, self.net),
                     settings=settings_text(self.settings), link=link_of(self.settings),
                     data_spec=data_spec(self.settings), seeds=seeds_of(self.settings),
                     versions=versions(), metrics=self.metrics, loss_epochs=self.loss_epochs,
                     loss_values=self.loss_values,
                     model=model_io.dumps(self.net, self.training, self.model_data),
                     epochs=self.epochs, seconds=self.seconds,
                     extra={"weights_edited_at": list(self.edited_epochs)}
                     if self.edited_epochs else {})


def final_metrics(trainer) -> dict:
    """The run's final numbers, by the store's names (None where they do not apply)."""
    now = trainer.current_metrics()
    return {name: finite_or_none(now.get(name)) for name in METRIC_NAMES}


def snapshot(run: Run) -> Snapshot:
    """A copy of ``run`` as it is now (its trainer must not be training: see ``Run.lock``)."""
    # Imported here: extras imports this module for the report's button.
    from .extras import model_training

    tr = run.trainer
    epochs, values = loss_history(tr.losses)
    return Snapshot(status=status_of(tr), settings=run.settings,
                    net=tr.net.with_params(tr.net.params.copy()),
                    training=model_training(run), model_data=model_io.ModelData.of(run.data),
                    metrics=final_metrics(tr), loss_epochs=epochs, loss_values=values,
                    epochs=int(tr.epoch), seconds=float(tr.seconds),
                    edited_epochs=tuple(tr.edited_epochs))


# --------------------------------------------------------------------------- the saving thread

class Saver:
    """One process-wide thread that writes saves in order, to the store of ``url``.

    ``open_store`` keeps one Store per URL and, after a failure, waits before it tries
    the database again, so an unreachable database costs the queue no connect
    timeout per save.
    """

    def __init__(self, url: str | None = None):
        self._url = url
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mlp-saver")
        self.working = False     # the store opened or the last save landed; a failure: no
        self.problem: str | None = None    # why the database cannot be reached, if it cannot
        self._probed: float | None = None  # when the store was last opened to see

    def store(self) -> Store:
        """The open store; raises StoreUnavailable (one sentence) when it cannot be reached."""
        try:
            store = open_store(self._url)
        except StoreUnavailable as err:
            self.problem = str(err)
            raise
        self.problem = None
        return store

    def probe(self) -> None:
        """Open the store on the saving thread, so a page can say early that it cannot.

        Once, and again every ``REPROBE_S`` while the database is unreachable, so a
        database that came back stops being reported without waiting for a save.
        """
        now = time.monotonic()
        if self._probed is None or (self.problem and now - self._probed > REPROBE_S):
            self._probed = now
            self._pool.submit(self._open_quietly)

    def _open_quietly(self) -> None:
        try:
            self.store()
        except StoreUnavailable:    # kept in ``problem``
            self.working = False
        else:
            # A store that opens is trusted as one that saved: otherwise a process's
            # first Pause waits NOTICE_WAIT for its save before the page goes idle. A
            # save that fails still says so, on a later run.
            self.working = True

    def submit(self, make: Callable[[], RunIn]) -> Future:
        """Save what ``make()`` returns, on the saving thread; the Future holds the run id."""
        return self._pool.submit(self._save, make)

    def _save(self, make: Callable[[], RunIn]) -> str:
        try:
            run_id = self.store().save_run(make())
        except Exception:
            self.working = False
            raise
        self.working = True
        return run_id


@st.cache_resource
def saver() -> Saver:
    return Saver()


# --------------------------------------------------------------------------- the pages' hooks

def run_key(run: Run) -> str:
    """The client-made id of ``run`` (one per trainer: Reset or a new network is a new run)."""
    known = st.session_state.setdefault(RUN_KEYS, {})
    trainer = run.trainer
    entry = known.get(id(trainer))
    if entry is None or entry[0]() is not trainer:
        for dead in [k for k, (ref, _) in known.items() if ref() is None]:
            del known[dead]
        entry = (weakref.ref(trainer), secrets.token_urlsafe(12))
        known[id(trainer)] = entry
    return entry[1]


def training_started(run: Run) -> None:
    """The Playground's live loop is about to train ``run``: save it when the loop ends."""
    st.session_state[SAVE_DUE] = run


def save_if_due(notice_box=None) -> Future | None:
    """Save the run whose live loop ended (finished, paused or diverged) since the last save.

    Called by the Playground's idle run (and the Runs page, for a run left by
    switching pages). While saves are not known to work, this run waits up to
    ``NOTICE_WAIT`` s for the save, so that an unreachable database is reported on
    it, in ``notice_box``; otherwise what a save says shows on a later run.
    """
    run = st.session_state.pop(SAVE_DUE, None)
    future = None
    if isinstance(run, Run) and run.trainer.epoch > 0:
        future = save_playground(run)
        if future is None:      # the browser has not reported its workspace yet: next run
            st.session_state[SAVE_DUE] = run
        elif not saver().working:
            # Only while saving is in doubt (the first save, or after a failure): a page
            # that waits counts as running for the live loops' pacing (Shared.other_runs).
            wait((future,), timeout=NOTICE_WAIT)
    show_notices(notice_box)
    return future


def member() -> tuple[str, str] | None:
    found = st.session_state.get(CLASS_MEMBER)
    return tuple(found) if found else None


def _track(future: Future) -> Future:
    st.session_state.setdefault(SAVES, []).append(future)
    return future


def save_playground(run: Run) -> Future | None:
    """Queue a save of the Playground ``run`` as it is now; None if there is no workspace."""
    workspace = workspace_id()
    if workspace is None:
        return None
    with run.lock:
        snap, key = snapshot(run), run_key(run)
    who = member()
    return _track(saver().submit(lambda: snap.saved().run_in(workspace, key, who)))


def save_sweep(settings: Settings, *, measure: str, task: str, spec, config, rows: list,
               seconds: float, summary: dict | None = None) -> Future | None:
    """Queue a save of one sweep (see ``sweep_saved``); None without a workspace or rows."""
    workspace = workspace_id()
    if workspace is None or not rows:
        return None
    saved = sweep_saved(settings, measure=measure, task=task, spec=spec, config=config,
                        rows=rows, seconds=seconds, summary=summary)
    run = saved.run_in(workspace, secrets.token_urlsafe(12), member())
    return _track(saver().submit(lambda: run))


def sweep_saved(settings: Settings, *, measure: str, task: str, spec, config, rows: list,
                seconds: float, summary: dict | None = None) -> Saved:
    """One sweep as saved: its settings, spec and rows (a per-width summary when there are
    more than ``MAX_SWEEP_ROWS``), its best run's numbers as the metrics; no model."""
    kept = [_row_dict(r) for r in rows] if len(rows) <= MAX_SWEEP_ROWS else []
    widths = sorted({int(r.hidden) for r in rows})
    extra = {"measure": measure, "spec": _plain(spec), "rows": kept,
             "summary": _plain(summary or {}), "widths": widths}
    title = (f"sweep {settings.dataset} widths {widths[0]}-{widths[-1]} "
             f"{settings.activation}, lr {config.lr:g}")
    status = "finished" if len(rows) >= spec.n_runs else "stopped"
    # a sweep's seeds are 0..seeds-1 for the weights; the sidebar's seed draws the data
    return Saved(kind="sweep", status=status, title=title, settings=settings_text(settings),
                 link=link_of(settings), data_spec=data_spec(settings),
                 seeds={"init": 0, "data": settings.seed, "shuffle": 0}, versions=versions(),
                 metrics=_sweep_metrics(rows, task), loss_epochs=[], loss_values=[], model="",
                 epochs=int(config.epochs), seconds=float(seconds), extra=extra)


def save_grid(settings: Settings, *, task: str, result, spec, seconds: float
              ) -> Future | None:
    """Queue a save of one grid sweep (see ``grid_saved``); None without a workspace or cells."""
    workspace = workspace_id()
    if workspace is None or not result.cells:
        return None
    saved = grid_saved(settings, task=task, result=result, spec=spec, seconds=seconds)
    run = saved.run_in(workspace, secrets.token_urlsafe(12), member())
    return _track(saver().submit(lambda: run))


def grid_saved(settings: Settings, *, task: str, result, spec, seconds: float) -> Saved:
    """One grid sweep (a ``gridsweep.GridResult`` of ``spec``) as saved: one summary row per
    finished cell (its trials stay in the sweep file, named in ``extra``), the best cell's
    mean scores as the metrics; "stopped" when cells are missing; no model."""
    summaries = result.summaries()
    rows = []
    for cell in result.cells:
        trials = result.rows[cell.key]
        s = summaries[cell.key]
        rows.append({"hidden": cell.hidden, "layers": cell.layers, "lr": cell.lr,
                     "activation": cell.activation, "optimizer": cell.optimizer,
                     "trainings": len(trials), "heldout_mean": finite_or_none(s.mean),
                     "heldout_sd": finite_or_none(s.sd), "heldout_median": finite_or_none(s.median),
                     "train_mean": finite_or_none(_mean_of(trials, "train_score"))})
    metrics = dict.fromkeys(METRIC_NAMES)
    picked = best_cells(result.cells, summaries)
    if picked is not None:
        trials = result.rows[picked.best.key]
        score = "r2" if task == "regress" else "accuracy"
        metrics.update({"train_loss": finite_or_none(_mean_of(trials, "train_loss")),
                        "test_loss": finite_or_none(_mean_of(trials, "heldout_loss")),
                        f"train_{score}": finite_or_none(_mean_of(trials, "train_score")),
                        f"test_{score}": finite_or_none(CellSummary.of(trials).mean)})
    widths = sorted({c.hidden for c in result.cells})
    extra = {"measure": "grid", "spec": _plain(spec.to_dict()), "rows": rows, "widths": widths,
             "sweep_file": result.path,
             "best_cell": picked.best.key if picked else None,
             "smallest_within_se": picked.smallest_within_se.key if picked else None}
    title = (f"grid sweep {settings.dataset} widths {widths[0]}-{widths[-1]}, "
             f"{len(result.cells)} of {len(spec.cells)} cells")
    return Saved(kind="sweep", status="finished" if result.complete else "stopped", title=title,
                 settings=settings_text(settings), link=link_of(settings),
                 data_spec=data_spec(settings),
                 seeds={"init": 0, "data": settings.seed, "shuffle": 0}, versions=versions(),
                 metrics=metrics, loss_epochs=[], loss_values=[], model="",
                 epochs=int(spec.config.epochs), seconds=float(seconds), extra=extra)


def _mean_of(trials: list[dict], name: str) -> float:
    values = [t[name] for t in trials if t[name] is not None]
    return float(np.mean(values)) if values else float("nan")


def save_race(settings: Settings, *, paths: dict[str, tuple], final: dict[str, dict],
              epochs: int, seconds: float, extra: dict | None = None,
              model: str = "") -> Future | None:
    """Queue a save of one optimizer race (for the race page; the lead wires it in).

    Parameters
    ----------
    settings : the sidebar's Settings the race started from
    paths : entry label (e.g. ``"adam, lr 0.01"``) -> ``(epochs, losses)`` arrays
    final : entry label -> its final metrics, by ``METRIC_NAMES`` (missing ones are None)
    epochs, seconds : the race's length and its training time
    extra : anything else the race page wants kept (JSON), e.g. who reached the target first
    model : the winner's model file text, if the page has it

    Returns the save's Future, or None before the browser's workspace is known.
    """
    workspace = workspace_id()
    if workspace is None or not paths:
        return None
    saved = race_saved(settings, paths=paths, final=final, epochs=epochs, seconds=seconds,
                       extra=extra, model=model)
    run = saved.run_in(workspace, secrets.token_urlsafe(12), member())
    return _track(saver().submit(lambda: run))


def race_saved(settings: Settings, *, paths: dict[str, tuple], final: dict[str, dict],
               epochs: int, seconds: float, extra: dict | None = None,
               model: str = "") -> Saved:
    """One race as saved. Its loss history and metrics are the entry with the lowest final
    training loss; every entry's path (``HISTORY_POINTS`` // entries points each) and
    final metrics are in ``extra``."""
    per_path = max(2, HISTORY_POINTS // len(paths))
    kept = {}
    for label, (e, v) in paths.items():
        e, v = np.asarray(e), np.asarray(v, dtype=float)
        idx = downsample_indices(len(v), per_path)
        ok = np.isfinite(v[idx])
        kept[str(label)] = [e[idx][ok].astype(int).tolist(), v[idx][ok].tolist()]
    best = min(final, key=lambda k: _sort_loss(final[k].get("train_loss"))) if final \
        else next(iter(kept))
    best = str(best)
    metrics = {name: finite_or_none(final.get(best, {}).get(name)) for name in METRIC_NAMES}
    best_epochs, best_values = kept.get(best, [[], []])
    title = f"race {settings.dataset} {len(paths)} optimizers, best {best}"
    return Saved(kind="race", status="finished", title=title[:200],
                 settings=settings_text(settings), link=link_of(settings),
                 data_spec=data_spec(settings), seeds=seeds_of(settings), versions=versions(),
                 metrics=metrics, loss_epochs=best_epochs, loss_values=best_values,
                 model=model, epochs=int(epochs), seconds=float(seconds),
                 extra={"paths": kept, "final": _plain(final), "best": best,
                        **_plain(extra or {})})


def _sort_loss(value) -> float:
    value = finite_or_none(value)
    return np.inf if value is None else value


def _row_dict(row) -> dict:
    return {f.name: _plain(getattr(row, f.name)) for f in fields(row) if f.compare}


def _plain(value):
    """``value`` as JSON's own types (numpy numbers and arrays, dataclasses, tuples)."""
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return finite_or_none(value)
    return value if value is None or isinstance(value, str) else str(value)


def _sweep_metrics(rows: list, task: str) -> dict:
    """A sweep's headline numbers: its best run's (best held-out score, else lowest loss)."""
    metrics = dict.fromkeys(METRIC_NAMES)
    if hasattr(rows[0], "heldout_score"):
        best = max(rows, key=lambda r: _sort_score(r.heldout_score))
        score = "r2" if task == "regress" else "accuracy"
        metrics.update({"train_loss": finite_or_none(best.train_loss),
                        "test_loss": finite_or_none(best.heldout_loss),
                        f"train_{score}": finite_or_none(best.train_score),
                        f"test_{score}": finite_or_none(best.heldout_score)})
    else:
        best = min(rows, key=lambda r: _sort_loss(r.final_train_loss))
        metrics.update(train_loss=finite_or_none(best.final_train_loss),
                       test_loss=finite_or_none(best.final_test_loss),
                       train_accuracy=finite_or_none(best.train_accuracy),
                       test_accuracy=finite_or_none(best.test_accuracy))
    return metrics


def _sort_score(value) -> float:
    value = finite_or_none(value)
    return -np.inf if value is None else value


# --------------------------------------------------------------------------- what saves said

def notices() -> list[str]:
    """Sentences about this session's finished saves and the database, each new one once."""
    pending = st.session_state.get(SAVES, [])
    still, said = [], []
    hub = saver()
    hub.probe()
    if hub.problem:
        said.append(NOT_SAVING.format(reason=hub.problem))
    for future in pending:
        if not future.done():
            still.append(future)
            continue
        err = future.exception()
        if isinstance(err, StoreUnavailable):
            said.append(NOT_SAVING.format(reason=err))
        elif isinstance(err, SaveRefused):   # (the rate limit's own sentence says so)
            said.append(str(err) if "not saved" in str(err) else NOT_SAVED.format(reason=err))
        elif err is not None:
            said.append(NOT_SAVED.format(reason="the database gave an error (see the "
                                               "server's log)."))
    st.session_state[SAVES] = still
    shown = st.session_state.setdefault(SHOWN, set())
    fresh = [s for s in dict.fromkeys(said) if s not in shown]
    shown.update(fresh)
    return fresh


def announce(kind: str, sentence: str) -> None:
    """Have the Playground's next run say ``sentence`` (``kind``: success, info, ...)."""
    st.session_state[ANNOUNCED] = (kind, sentence)


def show_notices(container=None) -> None:
    """What saves said (each once), and what was announced for this run."""
    box = container or st
    for sentence in notices():     # an error's text: a URL's "***" is no Markdown
        box.warning(plain(sentence), icon=":material/cloud_off:")
    said = st.session_state.pop(ANNOUNCED, None)
    if said:
        getattr(box, said[0])(plain(said[1]))


def wait_for_saves(timeout: float = 5.0) -> None:
    """Let this session's queued saves land (the Runs page lists them just after)."""
    deadline = time.monotonic() + timeout
    for future in list(st.session_state.get(SAVES, [])):
        try:
            future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            return
        except Exception:   # reported by notices()
            continue


def store_or_reason() -> tuple[Store | None, str | None]:
    """The store for a page that reads it, or None and the sentence saying why not."""
    try:
        return saver().store(), None
    except StoreUnavailable as err:
        return None, NOT_SAVING.format(reason=err)


def redrawable(settings: dict) -> bool:
    """A saved run whose data can be drawn again from its settings (not an uploaded CSV
    nor points drawn by hand)."""
    return settings.get("dataset") not in OWN_DATA
