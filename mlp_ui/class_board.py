"""The Classroom page's parts: making a class, and the live board for the projector.

The board redraws itself in a fragment every ``BOARD_SECONDS``: three small queries
and one chart, for one teacher's session, however many students train. Figures are
rebuilt only when the class's runs changed (``_fingerprint``).
"""

from __future__ import annotations

from urllib.parse import urlencode

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.settings import PRESETS, SPECS, Settings
from mlp_figures.classroom import class_results
from mlp_store import StoreUnavailable

from . import board, classlink, classroom, views
from .lessons import load_lessons
from .run import load_model, widget_values
from .safe import plain

BOARD_SECONDS = 5
SIDEBAR_PRESET = "sidebar"
# Session-state keys used only here.
NEW_LINKS = "classroom_new_links"      # (student link, teacher link) shown once after making
LINK_ONLY = "classroom_link_only"      # a class-less classroom link just made
BOARD_CACHE = "classroom_board_cache"  # (fingerprint, figure, points) of the board's chart
OPENED = "classroom_opened"            # (run id, updated, RunRecord) the teacher opened
OPEN_PENDING = "classroom_open_pending"  # a run was loaded into the sidebar: go to the Playground
RESULT_KEY, SETTING_KEY, RUN_KEY = "board-result", "board-setting", "board-run"


def _label(name: str) -> str:
    return SPECS[name].label


@st.cache_data(show_spinner=False)
def lessons():
    return load_lessons()


# --------------------------------------------------------------------------- making a class


def create_form(settings: Settings) -> None:
    """The form that makes a class (or a class-less classroom link) from a preset."""
    with st.form("classroom-create"):
        st.subheader("Make a class")
        name = st.text_input("Class name", max_chars=100, placeholder="e.g. Year 11, Tuesday")
        preset = st.selectbox(
            "Starting setup", [SIDEBAR_PRESET, *PRESETS],
            format_func=lambda k: "The sidebar's current settings" if k == SIDEBAR_PRESET
            else PRESETS[k].label)
        c1, c2 = st.columns(2)
        locked = c1.multiselect("Locked controls (shown, cannot be changed)", list(SPECS),
                                format_func=_label)
        hidden = c2.multiselect("Hidden controls (not shown)", list(SPECS), format_func=_label)
        b1, b2 = st.columns(2)
        make = b1.form_submit_button("Create the class", type="primary", width="stretch")
        link_only = b2.form_submit_button("Make a link only (no board)", width="stretch")
    if not (make or link_only):
        return
    start = settings if preset == SIDEBAR_PRESET else PRESETS[preset].settings
    both = sorted(set(hidden) & set(locked))
    if both:
        st.error(f"{', '.join(_label(n) for n in both)} cannot be both hidden and locked: "
                 "pick one.")
        return
    if make and not name.strip():
        st.error("Give the class a name, so students know they opened the right link.")
        return
    try:
        db = classroom.store()
        if link_only:
            rules = classlink.Rules.from_preset(start, hidden, locked)
            st.session_state[LINK_ONLY] = classroom.student_link(db, rules, start)
            return
        info, secret = db.create_class(name, urlencode(start.to_query()),
                                       {"hidden": hidden, "locked": locked})
    except (ValueError, StoreUnavailable) as err:
        st.error(str(err))
        return
    st.session_state[classroom.TEACHER] = (info.code, secret)
    st.session_state[classroom.CLASS] = info
    st.session_state[NEW_LINKS] = True
    st.rerun()


def show_link_only() -> None:
    link = st.session_state.get(LINK_ONLY)
    if link:
        st.success("A classroom link without a board: its hidden and locked controls hold, "
                   "and runs stay with each student.")
        st.code(link, language=None, wrap_lines=True)


# --------------------------------------------------------------------------- the board


def show_board(code: str, secret: str) -> None:
    """The teacher's board of class ``code``: links, the live part, deleting."""
    try:
        db = classroom.store()
        info = db.class_by_code(code)
    except StoreUnavailable as err:
        st.error(str(err))
        return
    if info is None:
        classroom.end_teaching()
        st.warning("This class no longer exists.")
        return
    rules, preset_params = classroom.rules_of_class(info)
    preset, _ = Settings.from_query(preset_params)
    st.header(plain(info.name))
    if st.session_state.pop(NEW_LINKS, False):
        st.success("Class made. Open **Teacher link** below and keep it somewhere private: "
                   "it is the only way back to this board from another tab or after a reload.")
    st.markdown("**Student link**: students open it, pick a nickname and train.")
    st.code(classroom.student_link(db, rules, preset), language=None, wrap_lines=True)
    with st.expander("Teacher link (keep private)"):
        st.code(classroom.teacher_link(code, secret), language=None, wrap_lines=True)
    live(code)
    with st.expander("Delete this class"):
        sure = st.checkbox("Delete the class with all its students' runs and lesson progress",
                           key="classroom-delete-sure")
        if st.button("Delete the class", key="classroom-delete", disabled=not sure):
            try:
                db.delete_class(code)
            except StoreUnavailable as err:
                st.error(str(err))
                return
            classroom.end_teaching()
            st.rerun()


def _fingerprint(students, runs, progress) -> tuple:
    newest = max((r.updated for r in runs), default=None)
    return (len(students), len(runs), newest, sum(r.hidden for r in runs),
            repr(sorted(progress.items())))


@st.fragment(run_every=BOARD_SECONDS)
def live(code: str) -> None:
    """Students, their latest and best runs, the class chart and one opened run."""
    if st.session_state.pop(OPEN_PENDING, False):
        st.switch_page("pages/playground.py")
    db = classroom.store()
    try:
        students = db.class_students(code)
        runs = db.class_runs(code)
        progress = db.class_progress(code)
    except StoreUnavailable as err:
        st.warning(f"The board cannot update: {err}")
        return
    shown = [r for r in runs if not r.hidden]
    all_lessons = lessons()
    done = sum(1 for lessons_of in progress.values() for _, finished in lessons_of.values()
               if finished)
    m = st.columns(4)
    m[0].metric("Students", len(students))
    m[1].metric("Runs on the board", len(shown))
    m[2].metric("Hidden runs", len(runs) - len(shown))
    m[3].metric("Lessons finished", done)
    rows = board.student_rows(students, shown, progress, all_lessons)
    if rows:
        st.dataframe([{"Student": r.nickname, "Runs": r.runs, "Latest run": r.latest,
                       "Best run": r.best, "Lessons": r.lessons} for r in rows],
                     hide_index=True, width="stretch")
    else:
        st.info("No students yet: share the student link.")
    if runs:
        _chart(students, shown, progress)
        _opened(code, runs)


def _chart(students, shown, progress) -> None:
    c1, c2 = st.columns(2)
    # Training accuracy first: the gates of the lessons have no test rows.
    result = c1.selectbox("Result", list(board.RESULTS), format_func=board.RESULTS.get,
                          key=RESULT_KEY, index=list(board.RESULTS).index("train_accuracy"))
    setting = c2.selectbox("Against the setting", board.AXIS_SETTINGS, format_func=_label,
                           key=SETTING_KEY, index=board.AXIS_SETTINGS.index("hidden"))
    key = (_fingerprint(students, shown, progress), result, setting)
    cached = st.session_state.get(BOARD_CACHE)
    if cached is None or cached[0] != key:
        points = board.result_points(shown, setting, result)
        x = np.array([v for v in points.x if isinstance(v, (int, float))], dtype=float)
        wide = setting == "lr" and len(x) and x.min() > 0 and x.max() / x.min() >= 100
        fig = class_results(points.x, points.y, points.hover, x_title=_label(setting),
                            y_title=board.RESULTS[result], log_x=bool(wide),
                            y_range=(0, 100) if result.endswith("accuracy") else None,
                            title=f"{board.RESULTS[result]} against {_label(setting).lower()}: "
                                  "each dot a run, bars from lowest to highest")
        st.session_state[BOARD_CACHE] = cached = (key, fig, len(points.y))
    views.chart(st, cached[1], "board-chart")
    if shown and not cached[2]:
        st.caption(f"No run on the board has a {board.RESULTS[result].lower()}: pick another "
                   "result.")


# --------------------------------------------------------------------------- one run


def _record(run_id: str, updated):
    opened = st.session_state.get(OPENED)
    if opened is None or opened[:2] != (run_id, updated):
        record = classroom.store().get_run(run_id)
        st.session_state[OPENED] = opened = (run_id, updated, record)
    return opened[2]


def _set_hidden(code: str, run_id: str, hidden: bool) -> None:
    try:
        classroom.store().set_hidden(code, run_id, hidden)
    except StoreUnavailable as err:
        st.session_state[classroom.MESSAGES] = [("error", str(err))]


def _open_in_playground(run_id: str) -> None:
    """Put the run's settings (and weights) into this session's sidebar, then go there."""
    record = classroom.store().get_run(run_id)
    if record is None:
        return
    settings, _ = Settings.from_query(record.settings)
    st.session_state.update(widget_values(settings))
    if record.model:
        load_model(record.model.encode(), f"{record.nickname or 'run'}.json")
    st.session_state[OPEN_PENDING] = True


def _opened(code: str, runs) -> None:
    by_id = {r.id: r for r in runs}
    # The browser holds the pick as the option's label, and a run's label changes with the
    # run (hidden, status, score): an old label matches no option, which would close the
    # opened run. Set again by id, the pick follows its new label.
    if (chosen := st.session_state.get(RUN_KEY)) in by_id:
        st.session_state[RUN_KEY] = chosen
    run_id = st.selectbox("Open a run", list(by_id), index=None, key=RUN_KEY,
                          placeholder="Pick a student's run",
                          format_func=lambda i: ("[hidden] " if by_id[i].hidden else "")
                          + board.run_label(by_id[i]) if i in by_id else "(deleted)")
    if run_id not in by_id:
        return
    summary = by_id[run_id]
    record = _record(run_id, summary.updated)
    if record is None:
        st.info("This run was deleted.")
        return
    c = st.columns([2, 1, 1])
    c[0].markdown(f"**{plain(record.nickname or '?')}**: {plain(record.title)} "
                  f"({record.status}, {record.epochs:,} epochs)")
    c[1].button("Show on the board" if summary.hidden else "Hide from the board",
                key="board-hide", on_click=_set_hidden, args=(code, run_id, not summary.hidden),
                width="stretch")
    c[2].button("Open in my Playground", key="board-open", on_click=_open_in_playground,
                args=(run_id,), width="stretch",
                help="Loads this run's settings and final weights into your sidebar.")
    left, right = st.columns([3, 2])
    if record.loss_epochs:
        views.chart(left, figs.loss_curve(
            {"train": (np.array(record.loss_epochs), np.array(record.loss_values))},
            log_y=True, title="Loss, log scale"), "board-run-loss")
    metrics = {board.RESULTS.get(k, k): board.fmt_result(k, board.result_of(record, k))
               for k in board.RESULTS if board.result_of(record, k) is not None}
    right.dataframe([{"": k, "value": v} for k, v in metrics.items()], hide_index=True,
                    width="stretch")
    changed = Settings.from_query(record.settings)[0].to_query()
    if changed:
        right.caption("Settings (besides the defaults): " + ", ".join(
            f"{plain(_label(k))} {plain(v)}" for k, v in changed.items()))
