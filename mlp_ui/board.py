"""The class board's numbers, from the store's records: no Streamlit, so tested on its own.

``student_rows`` gives each student's latest and best run and lesson progress;
``result_points`` gives a chosen result of every run against a chosen setting,
for ``mlp_figures.classroom.class_results``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from mlp_core.settings import SPECS

# The results a board can chart, with their labels; accuracies are shown in per cent.
RESULTS = {
    "test_accuracy": "Test accuracy (%)",
    "train_accuracy": "Training accuracy (%)",
    "test_loss": "Test loss",
    "train_loss": "Training loss",
    "test_r2": "Test R²",
    "train_r2": "Training R²",
    "epochs": "Epochs trained",
    "seconds": "Seconds of training",
}
# Which score makes a run a student's best: held-out first, as a teacher would judge it.
SCORE_ORDER = ("test_accuracy", "test_r2", "train_accuracy", "train_r2")
# Settings worth charting a result against (the seed is the spread, not an axis).
AXIS_SETTINGS = tuple(name for name in SPECS if name not in ("seed", "task"))


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def result_of(run, result: str) -> float | None:
    """``result`` of a run (a ``RunSummary``), accuracies in per cent; None if not measured."""
    if result == "epochs":
        return float(run.epochs)
    if result == "seconds":
        return _number(run.seconds)
    value = _number((run.metrics or {}).get(result))
    if value is not None and result.endswith("accuracy"):
        return 100.0 * value
    return value


def score(run) -> tuple[str, float] | None:
    """The result that ranks a run (``SCORE_ORDER``'s first measured one) and its value."""
    for name in SCORE_ORDER:
        value = result_of(run, name)
        if value is not None:
            return name, value
    return None


def fmt_result(name: str, value: float | None) -> str:
    if value is None:
        return "–"
    if name.endswith("accuracy"):
        return f"{value:.0f}%"
    return f"{value:.3g}"


def setting_value(run, name: str):
    """The run's ``name`` setting as its type (``hidden`` -> int), or None if unreadable."""
    raw = (run.settings or {}).get(name)
    if raw is None:
        return None
    spec = SPECS[name]
    try:
        return spec.check(spec.parse(raw))
    except (ValueError, TypeError, OverflowError):
        return None


def run_label(run) -> str:
    best = score(run)
    result = f" · {fmt_result(*best)} {best[0].replace('_', ' ')}" if best else ""
    return f"{run.nickname or '?'} · {run.title} · {run.status}{result}"


@dataclass(frozen=True)
class StudentRow:
    nickname: str
    runs: int
    latest: str
    best: str
    best_score: float | None
    lessons: str


def _lessons_text(progress: dict[str, tuple[int, bool]], lessons: Sequence) -> str:
    if not progress:
        return "–"
    done = sum(1 for lesson in lessons if progress.get(lesson.id, (0, False))[1])
    current = [f"{lesson.title}: step {step + 1} of {len(lesson.steps)}"
               for lesson in lessons
               for step, finished in [progress.get(lesson.id, (None, False))]
               if step is not None and not finished]
    text = f"{done} of {len(lessons)} done"
    return f"{text}; {current[0]}" if current else text


def student_rows(students: Sequence, runs: Sequence, progress: dict, lessons: Sequence
                 ) -> list[StudentRow]:
    """One row per student (in joining order): runs, latest run, best run, lessons.

    ``runs`` are the class's visible runs, newest first (``Store.class_runs``);
    ``progress`` is ``Store.class_progress``.
    """
    by_name: dict[str, list] = {}
    for run in runs:
        by_name.setdefault(run.nickname, []).append(run)
    rows = []
    for student in students:
        mine = by_name.get(student.nickname, [])
        latest = mine[0] if mine else None
        scored = [(score(r), r) for r in mine if score(r) is not None]
        best = max(scored, key=lambda item: item[0][1])[1] if scored else None
        best_score = score(best) if best else None
        rows.append(StudentRow(
            nickname=student.nickname, runs=len(mine),
            latest=f"{latest.title} ({latest.status})" if latest else "no runs yet",
            best=(f"{fmt_result(*best_score)}: {best.title}" if best else "–"),
            best_score=best_score[1] if best_score else None,
            lessons=_lessons_text(progress.get(student.nickname, {}), lessons)))
    return rows


@dataclass(frozen=True)
class Points:
    """One result of each run against one setting, with who ran it (for the chart)."""

    x: list
    y: list[float]
    hover: list[str]


def result_points(runs: Sequence, setting: str, result: str) -> Points:
    """The runs that have both ``setting`` and ``result``, as chart points."""
    x, y, hover = [], [], []
    for run in runs:
        value, measured = setting_value(run, setting), result_of(run, result)
        if value is None or measured is None:
            continue
        x.append(value if not isinstance(value, bool) else str(value).lower())
        y.append(measured)
        hover.append(f"{run.nickname or '?'}, seed {(run.settings or {}).get('seed', '?')}")
    return Points(x, y, hover)
