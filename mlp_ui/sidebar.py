"""The shared sidebar: presets, the settings widgets, CSV upload, and the URL.

Drawn by ``app.py`` so its widgets keep their values on every page. On a
session's first run the link's parameters seed the widgets (invalid ones are
replaced by defaults, with a notice); afterwards every change is written back
to the URL, so the address bar always holds a link that reproduces the setup.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from mlp_core.datasets import DATASET_INFO, DRAW, MAX_CSV_BYTES, MULTICLASS_GENERATORS
from mlp_core.features import PLANE
from mlp_core.optimizers import OPTIMIZER_PARAMS, SCHEDULE_PARAMS
from mlp_core.settings import (
    MIN_SIDEBAR_LR,
    PRESETS,
    SPECS,
    UPLOAD,
    Settings,
    data_defaults,
    features_problem,
)

from . import classroom, keys
from .controls import button
from .run import accept_csv, current_data, reset_run, widget_values
from .safe import plain


def widget(container, name: str, **options):
    """Draw setting ``name``'s widget in ``container``, as its ``Spec`` declares it.

    The widget's key is the setting's name (also its URL parameter), so its value
    lives in ``st.session_state[name]``. ``options`` go to the Streamlit call
    (e.g. ``disabled``).
    """
    # --- classroom link (mlp_ui.classroom): hidden controls are not drawn, locked ones
    # are drawn disabled; their values are held by classroom.hold().
    rule = classroom.rule_for(name)
    if rule == "hidden":
        return None
    if rule == "locked":
        options = {**options, "disabled": True, "help": classroom.LOCKED_HELP}
    # --- end classroom link
    spec = SPECS[name]
    common = dict(key=name, **{"help": spec.help, **options})
    if spec.widget == "select":
        fmt = spec.labels.get if spec.labels else str
        return container.selectbox(spec.label, spec.choices, format_func=fmt, **common)
    if spec.widget == "toggle":
        return container.toggle(spec.label, **common)
    if spec.widget == "multiselect":
        fmt = spec.labels.get if spec.labels else str
        return container.multiselect(spec.label, spec.choices, format_func=fmt, **common)
    lo = spec.lo if spec.ui_lo is None else spec.ui_lo
    hi = spec.hi if spec.ui_hi is None else spec.ui_hi
    lo, hi, step = (spec.kind(v) for v in (lo, hi, spec.step))
    if spec.widget == "slider":
        return container.slider(spec.label, lo, hi, step=step, **common)
    if spec.kind is float:
        common["format"] = "%g"
    return container.number_input(spec.label, lo, hi, step=step, **common)


def _seed_from_url() -> None:
    # classroom link: its rules are read (and its held settings taken out) first
    params, held_notices = classroom.take_link(st.query_params.to_dict())
    settings, notices = Settings.from_query(params)
    notices = held_notices + notices
    if settings.lr < MIN_SIDEBAR_LR:
        # A valid learning rate, but the sidebar's box cannot show it and would
        # silently raise it to its minimum: say so, as for any replaced value.
        notices.append(f"Link parameter lr={settings.lr:g} is below the smallest learning "
                       f"rate the sidebar takes; using {MIN_SIDEBAR_LR:g}.")
        settings = replace(settings, lr=MIN_SIDEBAR_LR)
    st.session_state.update(widget_values(settings))
    if "init" not in params and classroom.rule_for("init") is None:
        _dataset_changed()     # ?dataset=digits alone: weights that fit, not an error
    st.session_state[keys.URL_NOTICES] = notices
    st.session_state[keys.URL_LOADED] = True
    _open_editor(params.get("preset"))


def _open_editor(name) -> None:
    """A preset to set by hand opens the Playground's weight tables."""
    name = name[-1] if isinstance(name, list) and name else name
    if isinstance(name, str) and name in PRESETS and PRESETS[name].edit_weights:
        st.session_state[keys.EDIT_WEIGHTS] = True


def apply_preset(name: str) -> None:
    st.session_state.pop(keys.DATA_DEFAULTS_NOTE, None)
    st.session_state.update(widget_values(PRESETS[name].settings))
    st.session_state[keys.URL_NOTICES] = []
    # A press on a page drawn by a server since restarted is the new session's first
    # run: without this, seeding from the old link would overwrite the preset.
    st.session_state[keys.URL_LOADED] = True
    _open_editor(name)
    reset_run()


def _settings_from_state() -> Settings:
    values = {k: st.session_state[k] for k in keys.SETTING_KEYS}
    return Settings(**values)


def render_sidebar() -> Settings:
    """Draw the sidebar and return the validated Settings it holds."""
    if not st.session_state.get(keys.URL_LOADED):
        _seed_from_url()
    sb = st.sidebar
    classroom.hold()             # classroom link: held settings back at its values
    classroom.sidebar_block(sb)  # classroom link: its class, joining, messages
    if not classroom.holding():    # a classroom link's preset replaces the presets
        with sb.expander("Presets", expanded=False):
            for name, preset in PRESETS.items():
                button(st, preset.label, key=f"preset-{name}", help=preset.description,
                       on_click=apply_preset, args=(name,), width="stretch")
    widget(sb, "dataset", on_change=_dataset_changed)
    if st.session_state.get(keys.DATA_DEFAULTS_NOTE):
        sb.caption(plain(st.session_state[keys.DATA_DEFAULTS_NOTE]))
    if st.session_state["dataset"] == UPLOAD:
        _csv_upload(sb)
    features_refused = _features(sb)
    c1, c2 = sb.columns(2)
    widget(c1, "hidden", disabled=st.session_state.get("layers") == 0)
    widget(c2, "layers")
    c1, c2 = sb.columns(2)
    widget(c1, "lr")
    widget(c2, "epochs")
    _update_options(sb)
    widget(sb, "activation")
    widget(sb, "loss")
    # Full width: "tutorial (fixed 2-3-1 weights)" was cut off in a half-width column.
    widget(sb, "init")
    c1, c2 = sb.columns(2, vertical_alignment="bottom")
    widget(c1, "seed")
    widget(c2, "bias")
    _data_options(sb, st.session_state["dataset"])
    # Full width: in half columns "Discretize output" was cut to "Discre...".
    widget(sb, "show_test")
    widget(sb, "discretize")
    try:
        settings = _settings_from_state()
    except ValueError as err:
        sb.error(f"Invalid setting: {err}")
        settings = replace(Settings(), **{k: st.session_state[k] for k in ("dataset",)})
    if features_refused:
        # Kept in the widget for when 2-input data come back; the run uses the data's own.
        settings = replace(settings, features=PLANE)
    for notice in st.session_state.get(keys.URL_NOTICES, []):
        sb.warning(plain(notice))
    _sync_url(settings)
    return settings


def _features(sb) -> bool:
    """Draw the input features; True when the chosen data set cannot take them (said in a
    warning, the control greyed out). An empty choice is refused by ``Settings``."""
    state = st.session_state
    n_inputs = _n_inputs(state["dataset"])
    try:
        chosen = Settings(dataset=state["dataset"], features=state["features"])
    except ValueError:
        chosen = None
    problem = features_problem(chosen, n_inputs) if chosen is not None else None
    widget(sb, "features", disabled=n_inputs not in (None, 2) and problem is None)
    if problem:
        sb.warning(plain(f"{problem}: the network takes the data's own inputs."))
    return problem is not None


def _n_inputs(dataset: str) -> int | None:
    """The chosen data's input columns: the named set's, or the uploaded CSV's once read
    (None before there is one)."""
    if dataset in DATASET_INFO:
        return DATASET_INFO[dataset].n_inputs
    if dataset == DRAW:
        return 2
    try:
        data = current_data(_settings_from_state())
    except ValueError:
        return None
    return None if data is None else data.n_features


def _leave_tutorial_weights(n_inputs: int, classes: int) -> None:
    """Start from Xavier's weights when the tutorial's cannot build the data's network.

    The tutorial's fixed weights exist for 2-3-1 only: digits, three blobs or a curve
    would otherwise open on an error telling the person to change the init.
    """
    if st.session_state.get("init") == "tutorial" and not (n_inputs == 2 and classes == 2):
        st.session_state["init"] = "xavier"


def _dataset_changed() -> None:
    name = st.session_state["dataset"]
    info = DATASET_INFO.get(name)
    st.session_state.pop(keys.DATA_DEFAULTS_NOTE, None)
    if name == DRAW:
        _own_defaults(name, "points drawn by hand")
        _leave_tutorial_weights(2, 2)
        return
    if info is None:
        return
    classes = st.session_state.get("classes") or info.n_classes \
        if name in MULTICLASS_GENERATORS else info.n_classes
    # The tutorial's 2-3-1 sigmoid net at lr 0.05 with sse fails most of these sets (a
    # curve with sse diverges at once): start each from settings that train it well.
    _own_defaults(name, info.label.lower())
    _leave_tutorial_weights(info.n_inputs, classes)


def _own_defaults(name: str, what: str) -> None:
    """Set the network and training that train data set ``name`` well, if it has its own."""
    own = data_defaults(name, st.session_state.get("classes", 0))
    if own is not None:
        st.session_state.update(own)
        st.session_state[keys.DATA_DEFAULTS_NOTE] = (
            f"Network and training set to what trains {what} well: "
            f"{own['layers']}x{own['hidden']} {own['activation']} units, {own['loss']}, "
            f"lr {own['lr']:g}, {own['epochs']:,} epochs. Change any of them.")


def _data_options(sb, dataset: str) -> None:
    """The data set's own settings; those that do not apply to ``dataset`` are greyed out."""
    kind = _kind(dataset)
    applies = {
        "samples": kind == "generated", "noise": kind == "generated",
        "test": kind not in ("gate", "drawn"), "classes": dataset in MULTICLASS_GENERATORS,
        "standardize": kind in ("real", "csv"), "task": kind == "csv",
    }
    with sb.expander("Data set options", expanded=kind not in ("gate", "drawn")):
        if kind == "gate":
            st.caption("Logic gates are exact 4-row truth tables: nothing here applies.")
        elif kind == "drawn":
            st.caption("Drawn points are drawn in the Playground and all of them train: "
                       "nothing here applies.")
        elif kind == "real":
            st.caption(plain(DATASET_INFO[dataset].description))
        for name, used in applies.items():
            extra = {"on_change": _dataset_changed} if name == "classes" else {}
            widget(st, name, disabled=not used, **extra)


def _kind(dataset: str) -> str:
    """``DatasetInfo.kind`` of a named set, ``"drawn"`` or ``"csv"`` for the person's own."""
    if dataset in DATASET_INFO:
        return DATASET_INFO[dataset].kind
    return "drawn" if dataset == DRAW else "csv"


def _csv_upload(sb) -> None:
    # The limit is in the label: a larger file is refused by the browser's uploader
    # itself (a red file chip whose reason shows only on hover), never reaching the app.
    uploaded = sb.file_uploader(
        f"CSV file (at most {MAX_CSV_BYTES // 1_000_000} MB)", type=["csv", "txt"],
        key=keys.CSV_UPLOADER,
        help="Numeric feature columns, then the target: whole numbers 0..k-1 for k classes, "
             "other numbers for a regression (the CSV task below can override); header "
             "optional; comma-separated, saved as UTF-8.")
    if uploaded is None:
        # The rejected file was removed (or the uploader was redrawn empty): its
        # message no longer describes anything on screen.
        st.session_state.pop(keys.CSV_ERROR, None)
        st.session_state.pop(keys.CSV_SEEN, None)
    elif st.session_state.get(keys.CSV_SEEN) != uploaded.file_id:
        st.session_state[keys.CSV_SEEN] = uploaded.file_id
        raw = uploaded.getvalue()
        settings = _settings_from_state()
        error = accept_csv(raw, uploaded.name, settings)
        st.session_state[keys.CSV_ERROR] = error
        if error is None:
            data = current_data(settings)
            _leave_tutorial_weights(data.n_features,
                                    data.n_classes if data.task == "classify" else 0)
            reset_run()
    if st.session_state.get(keys.CSV_ERROR):
        sb.error(plain(st.session_state[keys.CSV_ERROR]))
    if st.session_state.get(keys.CSV_BYTES) is not None:
        sb.caption(f"Using {plain(st.session_state.get(keys.CSV_NAME))}")


def _sync_url(settings: Settings) -> None:
    wanted = classroom.url_params(settings.to_query())  # classroom link's rules kept
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


# --- How each update uses the gradient: optimizer, schedule, early stopping -------------
def _update_options(sb) -> None:
    """The optimizer and its own parameters only; the schedule and early stopping folded.

    A parameter that does not apply is not drawn but keeps its value for the session
    (``persist_state``), so switching Adam -> SGD -> Adam gives back the same betas.
    """
    widget(sb, "optimizer")
    state = st.session_state
    _applying_pairs(sb, list(OPTIMIZER_PARAMS[state["optimizer"]]))
    folded = Settings()
    changed = any(state.get(n) != getattr(folded, n)
                  for n in ("schedule", "step_size", "gamma", "patience", "target_loss"))
    with sb.expander("Schedule and early stopping", expanded=changed):
        widget(st, "schedule")
        _applying_pairs(st, list(SCHEDULE_PARAMS[state["schedule"]]))
        kind = _kind(state["dataset"])
        no_test = kind in ("gate", "drawn") or state.get("test") == 0
        c1, c2 = st.columns(2)
        widget(c1, "patience", disabled=no_test)
        widget(c2, "target_loss")
        if no_test:
            st.caption("Patience watches the test loss: this data has no test split "
                       "(logic gates and drawn points never do; elsewhere set Test % "
                       "above 0).")


def _applying_pairs(container, names: list[str]) -> None:
    for start in range(0, len(names), 2):
        cols = container.columns(2)
        for col, name in zip(cols, names[start:start + 2]):
            widget(col, name, persist_state="session")
