"""Lessons: small declarative files under ``lessons/``, and the checks on a student's run.

A lesson is a TOML file (read with ``tomllib``): a title, a summary and a list of
steps. Each step has a text (Markdown), an optional setup (a link's query string
that the Lessons page puts into the sidebar), an optional question (with
``choices`` and the right ``answer``, or open) and checks on the student's run.
A check compares one fact of the run with a value::

    [[steps.checks]]
    what = "train_accuracy"     # a metric, a setting, "epochs_trained" or "diverged"
    op = ">="
    value = 1.0
    hint = "Train longer, or give the network more hidden nodes."

or names an engine check (``ENGINE_CHECKS``) that trains networks from the run's
settings, such as how many of 10 seeds solve the data set::

    [[steps.checks]]
    engine = "seeds_solved"
    seeds = 10
    at_least = 9

Nothing here imports Streamlit: the loader and the checker are tested on their
own (``tests/test_lessons.py``); ``pages/lessons.py`` draws them.
"""

from __future__ import annotations

import math
import operator
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np

from mlp_core.datasets import Dataset
from mlp_core.network import MAX_HIDDEN_NODES, Network
from mlp_core.problems import problem_for
from mlp_core.settings import SPECS, Settings, data_for
from mlp_core.sweep import MAX_SWEEP_HIDDEN, SweepSpec, estimated_seconds, sweep_hidden_sizes
from mlp_core.training import Trainer

LESSONS_DIR = Path(__file__).resolve().parents[1] / "lessons"
# An engine check trains networks on the server for one student: a class of 40 pressing
# "Check" together must not stall it, so a check estimated to take longer is refused.
MAX_ENGINE_SECONDS = 4.0

OPS: dict[str, Callable] = {"==": operator.eq, "!=": operator.ne, "<": operator.lt,
                            "<=": operator.le, ">": operator.gt, ">=": operator.ge}
OP_WORDS = {"==": "must be", "!=": "must not be", "<": "must be below", "<=": "must be at most",
            ">": "must be above", ">=": "must be at least"}
METRICS = ("train_accuracy", "test_accuracy", "train_loss", "test_loss", "train_r2", "test_r2")
RUN_FACTS = ("epochs_trained", "diverged")
FACT_WORDS = {"train_accuracy": "training accuracy", "test_accuracy": "test accuracy",
              "train_loss": "training loss", "test_loss": "test loss",
              "train_r2": "training R²", "test_r2": "test R²",
              "epochs_trained": "epochs trained", "diverged": "diverged"}


@dataclass(frozen=True)
class RunFacts:
    """What a check may look at in the student's run (``mlp_ui.run.Run``, summarised).

    ``metrics`` are ``Trainer.current_metrics()``; ``diverged`` is the divergence
    message or None.
    """

    settings: Settings
    metrics: dict
    epochs_trained: int
    diverged: str | None = None

    def value(self, what: str):
        if what == "epochs_trained":
            return self.epochs_trained
        if what == "diverged":
            return self.diverged is not None
        if what in METRICS:
            return self.metrics.get(what)
        return getattr(self.settings, what)


@dataclass(frozen=True)
class Outcome:
    """One check's verdict and the sentence that explains it."""

    ok: bool
    sentence: str


@dataclass(frozen=True)
class Check:
    """A comparison (``what op value``) or an engine check (``engine`` with ``params``)."""

    what: str | None = None
    op: str = "=="
    value: object = None
    engine: str | None = None
    params: dict = field(default_factory=dict)
    hint: str = ""

    def run(self, facts: RunFacts) -> Outcome:
        if self.engine is not None:
            outcome = ENGINE_CHECKS[self.engine](facts, **self.params)
        else:
            outcome = compare(facts, self.what, self.op, self.value)
        if not outcome.ok and self.hint:
            return Outcome(False, f"{outcome.sentence} {self.hint}")
        return outcome


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    setup: str = ""
    question: str = ""
    choices: tuple[str, ...] = ()
    answer: str | None = None
    explain: str = ""
    checks: tuple[Check, ...] = ()

    def setup_settings(self) -> Settings | None:
        """The settings the step's setup names (None without a setup)."""
        if not self.setup:
            return None
        settings, notices = Settings.from_query(parse_qs(self.setup))
        if notices:
            raise ValueError(notices[0])
        return settings


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    summary: str
    order: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class StepResult:
    """A step's checks on a run, and whether the answer (if any) is right."""

    outcomes: tuple[Outcome, ...]
    answer_ok: bool | None      # None: the step has no answer to get right
    answered: bool = True       # False: the step asks for an answer and none was picked

    @property
    def passed(self) -> bool:
        return all(o.ok for o in self.outcomes) and self.answer_ok is not False


def check_step(step: Step, facts: RunFacts | None, answer: str | None) -> StepResult:
    """Run ``step``'s checks on ``facts`` (None: no run yet) and mark ``answer``."""
    if step.checks and facts is None:
        outcomes = (Outcome(False, "There is no run to check yet: open the Playground and "
                                   "train first."),)
    else:
        outcomes = tuple(check.run(facts) for check in step.checks)
    answer_ok = None if step.answer is None else answer == step.answer
    return StepResult(outcomes, answer_ok, answered=step.answer is None or answer is not None)


# --------------------------------------------------------------------------- comparisons


def _text(what: str, value) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if what.endswith("accuracy") and isinstance(value, float):
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _word(what: str) -> str:
    return FACT_WORDS.get(what) or SPECS[what].label.lower()


def compare(facts: RunFacts, what: str, op: str, wanted) -> Outcome:
    """``what`` of the run compared with ``wanted`` by ``op``, as a sentence."""
    have = facts.value(what)
    word = _word(what)
    if have is None or (isinstance(have, float) and math.isnan(have)):
        return Outcome(False, f"Your run has no {word} to check"
                              f"{' (it has no test rows)' if what.startswith('test') else ''}.")
    ok = bool(OPS[op](have, wanted))
    if ok:
        return Outcome(True, f"{word.capitalize()}: {_text(what, have)}.")
    return Outcome(False, f"{word.capitalize()} {OP_WORDS[op]} {_text(what, wanted)}; "
                          f"your run has {_text(what, have)}.")


# --------------------------------------------------------------------------- engine checks


def _verdict(count: float, at_least, at_most) -> bool:
    return (at_least is None or count >= at_least) and (at_most is None or count <= at_most)


def seeds_solved(facts: RunFacts, *, seeds: int = 10, at_least: int | None = None,
                 at_most: int | None = None, hidden_delta: int = 0) -> Outcome:
    """How many of ``seeds`` starting seeds train the run's settings to every training
    point right, with ``hidden_delta`` more (or fewer) hidden nodes per layer."""
    s = facts.settings
    hidden = s.hidden + hidden_delta
    if hidden < 1:
        return Outcome(at_most is not None and at_least is None,
                       "There is no smaller hidden layer than one node.")
    if s.init == "tutorial":
        return Outcome(False, "The tutorial's fixed starting weights are the same for every "
                              "seed: pick another initialisation (xavier) to compare seeds.")
    if hidden > min(MAX_SWEEP_HIDDEN, MAX_HIDDEN_NODES):
        return Outcome(False, f"This check trains at most {MAX_SWEEP_HIDDEN} hidden nodes.")
    data = data_for(s)
    problem = problem_for(data, s.loss)
    if data.task != "classify":
        return Outcome(False, "Counting solved seeds needs a classification data set.")
    spec = SweepSpec(low=hidden, high=hidden, seeds=seeds, layers=s.layers,
                     activation=s.activation, bias=s.bias, init=s.init,
                     output=problem.output, n_outputs=problem.n_outputs)
    config = s.train_config()
    if estimated_seconds(data, spec, config) > MAX_ENGINE_SECONDS:
        return Outcome(False, f"Training {seeds} networks of {s.epochs:,} epochs each would "
                              "take too long on the shared server: lower the epochs.")
    rows = sweep_hidden_sizes(data, spec, config, workers=1)
    solved = sum(r.success for r in rows)
    ok = _verdict(solved, at_least, at_most)
    return Outcome(ok, f"With {hidden} hidden node{'s' * (hidden != 1)} per layer, "
                       f"{solved} of {seeds} seeds get every training point right.")


def _no_hidden_trainer(s: Settings, data: Dataset) -> Trainer:
    problem = problem_for(data, s.loss)
    net = Network.create(data.n_features, (), n_outputs=problem.n_outputs,
                         output=problem.output, bias=s.bias,
                         init=s.init, seed=s.seed)
    config = replace(s.train_config(), loss=problem.loss)
    trainer = Trainer(net, data.X_train, data.y_train, config)
    trainer.train()
    return trainer


def no_hidden_layer(facts: RunFacts, *, at_least: float | None = None,
                    at_most: float | None = None) -> Outcome:
    """Training accuracy of the run's settings with no hidden layer at all (as the
    "Hidden layer vs none" page trains it), and its output at the origin."""
    s = facts.settings
    data = data_for(s)
    if data.task != "classify" or data.n_features != 2:
        return Outcome(False, "This check needs a two-input classification data set.")
    if s.epochs * data.n_train > 2_000_000:
        return Outcome(False, "That many epochs would take too long for this check on the "
                              "shared server: lower the epochs.")
    trainer = _no_hidden_trainer(s, data)
    accuracy = trainer.current_metrics()["train_accuracy"]
    origin = float(np.ravel(trainer.net.predict_proba(np.zeros((1, 2))))[0])
    right = round(accuracy * data.n_train)
    ok = _verdict(accuracy, at_least, at_most)
    return Outcome(ok, f"With no hidden layer ({'with' if s.bias else 'without'} bias) your "
                       f"settings get {right} of {data.n_train} training points right; the "
                       f"output at (0, 0) is {origin:.3g}.")


ENGINE_CHECKS: dict[str, Callable[..., Outcome]] = {
    "seeds_solved": seeds_solved,
    "no_hidden_layer": no_hidden_layer,
}

# --------------------------------------------------------------------------- loading


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the place."""


_CHECK_KEYS = {"what", "op", "value", "engine", "hint"}
_STEP_KEYS = {f.name for f in fields(Step)}
_LESSON_KEYS = {"title", "summary", "order", "steps"}


def _check_from(raw: dict, where: str) -> Check:
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: a check must be a table")
    hint = raw.get("hint", "")
    if "engine" in raw:
        name = raw["engine"]
        if name not in ENGINE_CHECKS:
            raise LessonError(f"{where}: unknown engine check {name!r} (known: "
                              f"{', '.join(ENGINE_CHECKS)})")
        params = {k: v for k, v in raw.items() if k not in ("engine", "hint")}
        return Check(engine=name, params=params, hint=hint)
    unknown = set(raw) - _CHECK_KEYS
    if unknown:
        raise LessonError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    what, op = raw.get("what"), raw.get("op", "==")
    if what not in (*METRICS, *RUN_FACTS, *SPECS):
        raise LessonError(f"{where}: cannot check {what!r}")
    if op not in OPS:
        raise LessonError(f"{where}: unknown comparison {op!r} (use one of {', '.join(OPS)})")
    if "value" not in raw:
        raise LessonError(f"{where}: a check needs a value")
    value = raw["value"]
    if what in SPECS:
        try:
            value = SPECS[what].check(value)
        except ValueError as err:
            raise LessonError(f"{where}: {err}") from None
    return Check(what=what, op=op, value=value, hint=hint)


def _step_from(raw: dict, where: str) -> Step:
    if not isinstance(raw, dict):
        raise LessonError(f"{where}: a step must be a table")
    unknown = set(raw) - _STEP_KEYS
    if unknown:
        raise LessonError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("title", "text"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise LessonError(f"{where}: a step needs a {key}")
    choices = tuple(str(c) for c in raw.get("choices", ()))
    answer = raw.get("answer")
    if answer is not None and str(answer) not in choices:
        raise LessonError(f"{where}: the answer {answer!r} is not one of the choices")
    checks = tuple(_check_from(c, f"{where}, check {i + 1}")
                   for i, c in enumerate(raw.get("checks", ())))
    step = Step(title=raw["title"], text=raw["text"].strip(), setup=raw.get("setup", ""),
                question=raw.get("question", ""), choices=choices,
                answer=None if answer is None else str(answer), explain=raw.get("explain", ""),
                checks=checks)
    try:
        step.setup_settings()
    except ValueError as err:
        raise LessonError(f"{where}: setup: {err}") from None
    return step


def parse_lesson(text: str, lesson_id: str) -> Lesson:
    """The lesson in TOML ``text``; ``LessonError`` names what is wrong."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise LessonError(f"{lesson_id}: not valid TOML ({err})") from None
    unknown = set(raw) - _LESSON_KEYS
    if unknown:
        raise LessonError(f"{lesson_id}: unknown key(s) {', '.join(sorted(unknown))}")
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise LessonError(f"{lesson_id}: a lesson needs at least one [[steps]]")
    if not isinstance(raw.get("title"), str):
        raise LessonError(f"{lesson_id}: a lesson needs a title")
    return Lesson(id=lesson_id, title=raw["title"], summary=raw.get("summary", ""),
                  order=int(raw.get("order", 0)),
                  steps=tuple(_step_from(s, f"{lesson_id}, step {i + 1}")
                              for i, s in enumerate(steps)))


def load_lessons(folder: Path = LESSONS_DIR) -> list[Lesson]:
    """Every ``*.toml`` lesson in ``folder``, in their ``order``; the file name is the id."""
    lessons = [parse_lesson(path.read_text(encoding="utf-8"), path.stem)
               for path in sorted(folder.glob("*.toml"))]
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.id))


def progress_after(lesson: Lesson, step_index: int, passed: bool) -> tuple[int, bool]:
    """``(step, done)`` to save once the student has checked step ``step_index``.

    ``step`` is the step to show next (the count of steps passed in order).
    """
    if not passed:
        return step_index, False
    following = step_index + 1
    return min(following, len(lesson.steps) - 1), following >= len(lesson.steps)
