"""The session's run: data, network and trainer built from the sidebar's Settings.

Changing the learning rate (or epochs) keeps the trained network; changing
anything else about the network or the data builds a new one from the seed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields, replace

import streamlit as st

from mlp_core import model_io
from mlp_core.datasets import DATASET_INFO, DRAW, CSVError, Dataset, Drawing, load_csv
from mlp_core.features import PLANE
from mlp_core.gradnorms import GradNormHistory
from mlp_core.network import TUTORIAL_WEIGHTS, Network
from mlp_core.problems import problem_for
from mlp_core.settings import MIN_SIDEBAR_LR, OWN_DATA, UPLOAD, Settings, data_for
from mlp_core.training import MAX_LR, TrainConfig, Trainer

from . import keys
from .navigation import reroute_deep_link


@dataclass
class Run:
    settings: Settings
    data: Dataset
    trainer: Trainer
    arch_key: tuple
    source: str = "init"        # "init" or the name of a loaded model file
    # Held by the script run whose live loop trains this Run. With fast reruns (on
    # by default in Streamlit, off in our .streamlit/config.toml) Streamlit starts the
    # next script run in a new thread while the stopped one is still inside a compiled
    # chunk of epochs, so code that reads or changes the trainer first waits for that
    # chunk: see ``settled``.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    # The Download tab's files of the run as it was last drawn (see extras._files).
    files: dict = field(default_factory=dict, repr=False, compare=False)
    # The gradient-norm chart's norms at the trainer's snapshots, computed once each.
    grad_norms: GradNormHistory = field(default_factory=GradNormHistory, repr=False,
                                        compare=False)

    @property
    def net(self) -> Network:
        return self.trainer.net


def timeline_epochs(trainer: Trainer) -> list[int]:
    """The epochs the page's timeline offers: the snapshots, then the run as it is now.

    Paused between two snapshots, the timeline ends at the network as it is now, not
    at the last snapshot (which showed an older epoch than the run had reached).
    """
    epochs = list(trainer.snapshot_epochs)
    if epochs[-1] != trainer.epoch:
        epochs.append(trainer.epoch)
    return epochs


def settled(run: Run | None) -> Run | None:
    """``run``, once no stopped script run is still training it."""
    if run is not None:
        with run.lock:
            pass
    return run


def drawing() -> Drawing:
    """The points this session has drawn ("Draw your own"), kept across pages."""
    return st.session_state.get(keys.DRAWING) or Drawing()


def current_data(settings: Settings) -> Dataset | None:
    """The data set the settings name; None if there is none yet (``missing_data`` says
    what to do)."""
    if settings.dataset == UPLOAD:
        raw = st.session_state.get(keys.CSV_BYTES)
        if raw is None:
            return None
        return _parse_csv(raw, st.session_state.get(keys.CSV_NAME, "upload.csv"), settings)
    if settings.dataset == DRAW:
        points = drawing()
        return None if points.problem() else points.to_dataset()
    return data_for(settings)


class NextStep(str):
    """A message that is no error: what to do before there is data to train on."""


# Not an error: what to do next when "Upload CSV" is picked and no file is there yet.
UPLOAD_FIRST = NextStep("Upload a CSV file in the sidebar to train on your own data.")


def missing_data(settings: Settings) -> NextStep | None:
    """What to do before ``settings``' own data can train (None: nothing missing)."""
    if settings.dataset == UPLOAD and st.session_state.get(keys.CSV_BYTES) is None:
        return UPLOAD_FIRST
    if settings.dataset == DRAW and (problem := drawing().problem()):
        return NextStep(problem)
    return None


def _csv_options(settings: Settings) -> tuple:
    return (settings.test / 100, settings.seed, settings.standardize,
            None if settings.task == "auto" else settings.task)


@st.cache_data(max_entries=64, show_spinner=False)
def _load_csv(raw: bytes, name: str, test_fraction: float, seed: int, standardize: bool,
              task: str | None) -> Dataset:
    return load_csv(raw, name=name, test_fraction=test_fraction, seed=seed,
                    standardize=standardize, task=task)


def _parse_csv(raw: bytes, name: str, settings: Settings) -> Dataset:
    return _load_csv(raw, name, *_csv_options(settings))


def accept_csv(raw: bytes, name: str, settings: Settings) -> str | None:
    """Keep an uploaded CSV if it loads; else return the message and keep the old one."""
    try:
        _parse_csv(raw, name, settings)
    except CSVError as err:
        return f"{name}: {err}"
    st.session_state[keys.CSV_BYTES] = raw
    st.session_state[keys.CSV_NAME] = name
    return None


def _data_key(settings: Settings, data: Dataset) -> tuple:
    key = (settings.architecture_key(), data.name, data.n_train, data.n_test,
           float(data.X_train.sum()))
    if settings.dataset == DRAW:
        # A point given another class keeps the count and the sum: the points themselves.
        key += (drawing().points,)
    return key


def ensure_run(settings: Settings) -> tuple[Run | None, str | None]:
    """The session's Run for these settings, rebuilt only when the network must change.

    Returns ``(run, error)``; on error the previous run (if any) is kept.
    """
    run: Run | None = settled(st.session_state.get(keys.RUN))
    try:
        data = current_data(settings)
    except ValueError as err:
        return run, str(err)
    if data is None:
        return None, missing_data(settings)
    key = _data_key(settings, data)
    if run is not None and run.arch_key == key:
        if run.settings != settings:
            config = train_config(settings, data)
            if run.trainer.config != config:
                run.trainer.set_config(config)
            run.settings = settings
        return run, None
    try:
        run = new_run(settings, data, key)
    except ValueError as err:
        return run if run is not None and run.arch_key == key else None, str(err)
    st.session_state[keys.RUN] = run
    st.session_state[keys.TIMELINE] = None
    return run, None


def new_run(settings: Settings, data: Dataset, key: tuple) -> Run:
    pending = st.session_state.pop(keys.MODEL_PENDING, None)
    source = "init"
    problem = problem_for(data, settings.loss)
    net = Network.create(data.n_features, settings.hidden_layers, n_outputs=problem.n_outputs,
                         output=problem.output, activation=settings.activation,
                         bias=settings.bias, init=settings.init, seed=settings.seed,
                         features=settings.features)
    if pending is not None:
        loaded, name = pending
        if loaded.layer_sizes == net.layer_sizes and loaded.bias == net.bias \
                and loaded.hidden_activation == net.hidden_activation \
                and loaded.features == net.features:
            net, source = loaded, name
    trainer = Trainer(net, data.X_train, data.y_train, train_config(settings, data),
                      data.X_test, data.y_test)
    return Run(settings, data, trainer, key, source)


def train_config(settings: Settings, data: Dataset) -> TrainConfig:
    """The sidebar's training settings, with the loss that fits ``data``'s output layer.

    Patience watches the test loss: on data without a test split it is off (the
    sidebar greys it out and says why).
    """
    config = replace(settings.train_config(), loss=problem_for(data, settings.loss).loss)
    return config if data.n_test else replace(config, patience=0)


def widget_values(settings: Settings) -> dict:
    """``settings`` as the sidebar's widgets hold them in ``st.session_state``: a
    multiselect's value (the input features) is a list."""
    return {f.name: list(value) if isinstance(value := getattr(settings, f.name), tuple)
            else value for f in fields(settings)}


def reset_run() -> None:
    st.session_state.pop(keys.RUN, None)
    st.session_state[keys.TRAINING] = False
    st.session_state[keys.TIMELINE] = None


# A model file's training fields that say what data it learned (and with which loss),
# by the sidebar key each sets. Written by the Download tab and the CLI; older files have only some.
_DATA_FIELDS = {"data": "dataset", "samples": "samples", "noise": "noise", "test": "test",
                "seed": "seed", "loss": "loss", "classes": "classes",
                "standardize": "standardize"}


def _data_of(training: dict) -> dict:
    """The sidebar values a model file's training fields name, each only if Settings takes it.

    A CSV's file name is no data set the sidebar can pick, so such a model loads onto
    the current data; a field that is missing or out of range keeps the sidebar's value.
    """
    defaults, values = Settings(), {}
    for field_name, key in _DATA_FIELDS.items():
        value = training.get(field_name)
        default = getattr(defaults, key)
        # JSON's own types only: "0.3" or true is a file written by hand, not by us
        kinds = (int, float) if isinstance(default, float) else (type(default),)
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, kinds):
            continue
        try:
            values[key] = getattr(replace(defaults, **{key: value}), key)
        except ValueError:
            continue
    if values.get("dataset", UPLOAD) in OWN_DATA:
        # samples, noise, test and seed describe a data set only together with its name
        return {"loss": values["loss"]} if "loss" in values else {}
    return values


def load_model(raw: bytes, name: str) -> tuple[str, str]:
    """Validate a model file and line the sidebar up with it, data included.

    Returns ``(kind, message)`` for the Load-model tab: ``"error"`` (nothing
    changed) or ``"success"``.
    """
    try:
        net, training = model_io.loads(raw)
    except ValueError as err:
        return "error", f"{name}: {err}"
    hidden = net.layer_sizes[1:-1]
    if len(set(hidden)) > 1:
        return "error", (f"{name}: the sidebar shows networks with 0 to 4 equal hidden layers; "
                         f"this model is {net.architecture()}. Train it with `python -m mlp_core "
                         f"train --model-in {name}` instead.")
    data = _data_of(training)
    run: Run | None = st.session_state.get(keys.RUN)
    if "dataset" in data and data["dataset"] in DATASET_INFO:
        n_inputs = DATASET_INFO[data["dataset"]].n_inputs
    else:
        n_inputs = run.data.n_features if run is not None else 2
    if net.n_data_inputs != n_inputs:
        return "error", (f"{name}: the model takes {net.n_data_inputs} inputs but the current "
                         f"data has {n_inputs} features.")
    note = ""
    if "dataset" in data and data["dataset"] != st.session_state.get("dataset"):
        note = f" It learned {data['dataset']}, so the sidebar now shows that data."
    st.session_state[keys.MODEL_PENDING] = (net, name)
    st.session_state.update(layers=len(hidden), activation=net.hidden_activation,
                            bias=net.bias, features=list(net.features or PLANE), **data)
    if hidden:         # no hidden layer: the width box keeps its value for later
        st.session_state["hidden"] = hidden[0]
    if st.session_state.get("init") == "tutorial" and tuple(net.layer_sizes) not in \
            TUTORIAL_WEIGHTS:
        # As for a link: the tutorial's weights cannot build this shape, so the run
        # (and a later Reset) would fail and the loaded model would be dropped.
        st.session_state["init"] = "xavier"
    lr = training.get("lr")
    # A learning rate the sidebar can show; anything else (true, "0.1", 1e-9) is ignored.
    if isinstance(lr, (int, float)) and not isinstance(lr, bool) \
            and MIN_SIDEBAR_LR <= lr <= MAX_LR:
        st.session_state["lr"] = float(lr)
    # ... and the optimizer, schedule and early stopping it trained with (a file from
    # before optimizers: the tutorial's plain gradient descent).
    st.session_state.update(model_io.update_settings(training))
    reset_run()
    return "success", f"Loaded {name}.{note}"


def page_settings() -> Settings:
    """The Settings the router (app.py) drew in the sidebar for this run."""
    if "settings" not in st.session_state:
        reroute_deep_link()
    return st.session_state["settings"]


def page_data(settings: Settings, purpose: str) -> Dataset:
    """The sidebar's data for a teaching page, or a message and a stop if there is none."""
    try:
        data = current_data(settings)
    except ValueError as err:
        st.error(str(err))
        st.stop()
    if data is None:
        if settings.dataset == DRAW:
            st.info(f"{missing_data(settings)} Points are drawn in the Playground; come "
                    f"back here to {purpose} on them.")
        else:
            st.info(f"Upload a CSV file in the sidebar to {purpose} on your own data.")
        st.stop()
    return data
