"""The Lessons page: pick a lesson, set up a step, answer, check the run; progress saved.

Progress is kept in the store per browser workspace (and per class for a student
who joined one, so the board shows it); without a database it lasts the session.
"""

from __future__ import annotations

import streamlit as st

from mlp_core.settings import SPECS
from mlp_store import StoreUnavailable

from . import classroom, keys
from .lessons import Lesson, RunFacts, Step, StepResult, check_step, load_lessons, progress_after
from .run import reset_run, settled, widget_values
from .safe import plain
from .teaching import spinner, step_lock

# Session-state keys used only here.
PROGRESS = "lesson_progress"       # {lesson id: (step, done)}, loaded once from the store
SAVE_ERROR = "lesson_save_error"   # why progress is not being saved, or None
PICK = "lesson_pick"               # the lesson shown
RESULTS = "lesson_results"         # {(lesson id, step): StepResult} of the last checks
SETUP_NOTE = "lesson_setup_note"


@st.cache_data(show_spinner=False)
def lessons() -> list[Lesson]:
    return load_lessons()


def _progress() -> dict[str, tuple[int, bool]]:
    if PROGRESS not in st.session_state:
        try:
            st.session_state[PROGRESS] = classroom.store().progress(classroom.workspace())
            st.session_state[SAVE_ERROR] = None
        except StoreUnavailable as err:
            st.session_state[PROGRESS] = {}
            st.session_state[SAVE_ERROR] = str(err)
    return st.session_state[PROGRESS]


def _save(lesson: Lesson, step: int, done: bool) -> None:
    progress = _progress()
    old_step, old_done = progress.get(lesson.id, (0, False))
    step, done = max(step, old_step), done or old_done
    progress[lesson.id] = (step, done)
    member = classroom.current_member()
    try:
        classroom.store().save_progress(member[0] if member else None, classroom.workspace(),
                                        lesson.id, step, done)
        st.session_state[SAVE_ERROR] = None
    except (StoreUnavailable, ValueError) as err:
        st.session_state[SAVE_ERROR] = str(err)


def run_facts() -> RunFacts | None:
    """The session's run (the Playground's), summarised for the checks; None before one."""
    run = settled(st.session_state.get(keys.RUN))
    if run is None:
        return None
    trainer = run.trainer
    return RunFacts(run.settings, trainer.current_metrics(), trainer.epoch,
                    trainer.diverged.message if trainer.diverged else None)


def _apply_setup(step: Step) -> None:
    settings = step.setup_settings()
    st.session_state.pop(keys.DATA_DEFAULTS_NOTE, None)
    st.session_state.update(widget_values(settings))
    st.session_state[keys.URL_NOTICES] = []
    reset_run()
    rules = classroom.rules()
    held = [SPECS[n].label for n, v in (rules.held if rules else {}).items()
            if getattr(settings, n) != v]
    st.session_state[SETUP_NOTE] = (
        f"Set up, but your teacher's link keeps {', '.join(held)} as it is." if held
        else "Set up: the sidebar now holds this step's settings.")


def _go_to(lesson_id: str, step: int) -> None:
    st.session_state[f"lesson-step-{lesson_id}"] = step


def overview(all_lessons: list[Lesson]) -> None:
    progress = _progress()
    for lesson in all_lessons:
        started = lesson.id in progress
        step, done = progress.get(lesson.id, (0, False))
        total = len(lesson.steps)
        c = st.columns([3, 2])
        c[0].markdown(f"**{plain(lesson.title)}**  \n{plain(lesson.summary)}")
        c[1].progress(1.0 if done else step / total,
                      text="done" if done else f"step {step + 1} of {total}" if started
                      else "not started")
    if st.session_state.get(SAVE_ERROR):
        st.caption(f"Progress is not being saved: {plain(st.session_state[SAVE_ERROR])}")


def _facts_caption(facts: RunFacts | None) -> str:
    if facts is None:
        return "Your run: none yet. Open the Playground and train."
    s, m = facts.settings, facts.metrics
    score = m.get("train_accuracy")
    right = f", training accuracy {score:.0%}" if score is not None else ""
    state = "diverged" if facts.diverged else f"{facts.epochs_trained:,} epochs trained"
    return (f"Your run: {s.dataset}, {s.layers}x{s.hidden} {s.activation}, lr {s.lr:g}, "
            f"{state}{right}.")


def _show_result(step: Step, result: StepResult) -> None:
    if result.outcomes:
        lines = "\n".join(f"- {'✓' if o.ok else '✗'} {plain(o.sentence)}"
                          for o in result.outcomes)
        ok = all(o.ok for o in result.outcomes)
        (st.success if ok else st.error)(
            ("Your run passes the checks:" if ok else "Not yet:") + "\n" + lines)
    if not result.answered:
        st.error("Pick an answer to the question too.")
    elif result.answer_ok is False:
        st.error("That answer is not right yet: think again.")
    elif result.answer_ok and step.explain:
        st.success(f"Right. {plain(step.explain)}")


def lesson_panel(lesson: Lesson) -> None:
    progress = _progress()
    reached, done = progress.get(lesson.id, (0, False))
    last = len(lesson.steps) - 1 if done else reached
    step_key = f"lesson-step-{lesson.id}"
    if st.session_state.get(step_key, 0) > last:
        st.session_state[step_key] = last
    index = st.radio("Step", list(range(last + 1)), key=step_key, horizontal=True,
                     format_func=lambda i: f"{i + 1}. {lesson.steps[i].title}")
    step = lesson.steps[index]
    st.subheader(f"Step {index + 1} of {len(lesson.steps)}: {step.title}")
    st.markdown(step.text)
    c = st.columns([1, 1, 2])
    if step.setup:
        c[0].button("Set up this step", key=f"setup-{lesson.id}-{index}", on_click=_apply_setup,
                    args=(step,), width="stretch")
    c[1].page_link("pages/playground.py", label="Open the Playground",
                   icon=":material/play_circle:")
    if st.session_state.get(SETUP_NOTE):
        st.caption(plain(st.session_state.pop(SETUP_NOTE)))
    facts = run_facts()
    st.caption(_facts_caption(facts))
    answer = None
    if step.question:
        if step.choices:
            answer = st.radio(step.question, step.choices, index=None,
                              key=f"answer-{lesson.id}-{index}")
        else:
            st.markdown(f"**{plain(step.question)}**")
    results = st.session_state.setdefault(RESULTS, {})
    if st.button("Check my run", key=f"check-{lesson.id}-{index}", type="primary"):
        engine = any(check.engine for check in step.checks)
        if engine:
            with spinner("Training networks for the check…"), step_lock():
                result = check_step(step, facts, answer)
        else:
            result = check_step(step, facts, answer)
        results[(lesson.id, index)] = result
        if result.passed:
            _save(lesson, *progress_after(lesson, index, True))
            st.rerun()      # the overview above was drawn with the progress before this
    result = results.get((lesson.id, index))
    if result is None:
        return
    _show_result(step, result)
    if result.passed:
        if index + 1 < len(lesson.steps):
            st.button("Next step", key=f"next-{lesson.id}-{index}", on_click=_go_to,
                      args=(lesson.id, index + 1))
        else:
            st.success(f"Lesson done: {plain(lesson.title)}.")


def page() -> None:
    all_lessons = lessons()
    overview(all_lessons)
    st.divider()
    ids = [lesson.id for lesson in all_lessons]
    titles = {lesson.id: lesson.title for lesson in all_lessons}
    picked = st.selectbox("Lesson", ids, key=PICK, format_func=titles.get)
    lesson_panel(next(lesson for lesson in all_lessons if lesson.id == picked))
