"""Lessons: the shipped files load, their checks judge real runs, and the page saves progress.

Runs are trained here with the engine's own ``Trainer`` (not the checker's code path),
and the seed count of the "smallest hidden layer" lesson is counted here run by run.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mlp_core.network import Network
from mlp_core.settings import Settings, data_for
from mlp_core.training import Trainer
from mlp_ui.lessons import (
    ENGINE_CHECKS,
    LessonError,
    RunFacts,
    check_step,
    compare,
    load_lessons,
    no_hidden_layer,
    parse_lesson,
    progress_after,
    seeds_solved,
)
from tests.apptest_support import assert_clean
from tests.classroom_support import open_link, store  # noqa: F401  (fixture)

REQUIRED = {
    "XOR needs a hidden layer",
    "The smallest hidden layer that solves XOR for 9 seeds out of 10",
    "OR without a hidden layer, and why (0,0) sticks at 0.5 without a bias",
    "Make it diverge and read the warning",
}
XOR_TANH = Settings(dataset="xor", hidden=2, activation="tanh", init="xavier", bias=True,
                    lr=0.5, epochs=2000, loss="bce")


def trained(settings: Settings) -> RunFacts:
    """Train ``settings`` as the Playground does and summarise the run."""
    data = data_for(settings)
    net = Network.create(data.n_features, settings.hidden_layers, activation=settings.activation,
                         bias=settings.bias, init=settings.init, seed=settings.seed,
                         features=settings.features)
    trainer = Trainer(net, data.X_train, data.y_train, settings.train_config())
    trainer.train()
    return RunFacts(settings, trainer.current_metrics(), trainer.epoch,
                    trainer.diverged.message if trainer.diverged else None)


def solves(settings: Settings) -> bool:
    facts = trained(settings)
    return facts.diverged is None and facts.metrics["train_accuracy"] == 1.0


def lesson(title: str):
    return next(lesson for lesson in load_lessons() if lesson.title == title)


# --------------------------------------------------------------------------- the files


def test_the_shipped_lessons_load_in_order_with_the_four_required():
    lessons = load_lessons()
    assert len(lessons) >= 4
    assert {lesson.title for lesson in lessons} >= REQUIRED
    assert [lesson.order for lesson in lessons] == sorted(lesson.order for lesson in lessons)
    for lesson_ in lessons:
        for step in lesson_.steps:
            assert step.text and step.title
            assert step.answer is None or step.answer in step.choices
            assert step.checks or step.question, f"{lesson_.id}: {step.title} checks nothing"
            if step.setup:
                assert isinstance(step.setup_settings(), Settings)


@pytest.mark.parametrize("text, message", [
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\n[[steps.checks]]\nengine='magic'",
     "unknown engine check 'magic'"),
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\nchoices=['1','2']\nanswer='3'",
     "the answer '3' is not one of the choices"),
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\nsetup='hidden=abc'",
     "setup: Link parameter hidden='abc' is not valid"),
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\n[[steps.checks]]\nwhat='colour'\nvalue=1",
     "cannot check 'colour'"),
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\n[[steps.checks]]\nwhat='hidden'\nop='~'"
     "\nvalue=1", "unknown comparison '~'"),
    ("title = 'x'\n[[steps]]\ntitle='a'\ntext='b'\n[[steps.checks]]\nwhat='dataset'"
     "\nvalue='nope'", "dataset must be one of"),
    ("title = 'x'", "needs at least one [[steps]]"),
    ("title = 'x\n", "not valid TOML"),
])
def test_a_broken_lesson_file_names_what_is_wrong(text, message):
    with pytest.raises(LessonError) as err:
        parse_lesson(text, "broken")
    assert message in str(err.value)
    assert str(err.value).startswith("broken")


def test_progress_moves_on_only_when_a_step_passes():
    lesson_ = lesson("XOR needs a hidden layer")
    assert len(lesson_.steps) == 2
    assert progress_after(lesson_, 0, False) == (0, False)
    assert progress_after(lesson_, 0, True) == (1, False)
    assert progress_after(lesson_, 1, True) == (1, True)


# --------------------------------------------------------------------------- checks on runs


def test_comparisons_say_what_was_wanted_and_what_the_run_has():
    facts = RunFacts(XOR_TANH, {"train_accuracy": 0.75, "test_accuracy": None}, 2000)
    assert compare(facts, "train_accuracy", ">=", 1.0).sentence == (
        "Training accuracy must be at least 100%; your run has 75%.")
    assert compare(facts, "hidden", "==", 2).ok
    assert not compare(facts, "test_accuracy", ">=", 0.5).ok
    assert "no test accuracy" in compare(facts, "test_accuracy", ">=", 0.5).sentence
    assert compare(facts, "epochs_trained", ">=", 2000).ok
    assert compare(facts, "diverged", "==", False).ok


def test_xor_lesson_passes_a_solving_run_and_fails_a_one_node_run():
    step = lesson("XOR needs a hidden layer").steps[1]
    right = step.answer
    good = replace(XOR_TANH, hidden=4, init="xavier", seed=0)
    assert solves(good)     # independent of the checker: the engine's own verdict
    assert check_step(step, trained(good), right).passed
    assert not check_step(step, trained(good), step.choices[1]).passed   # a wrong answer
    unanswered = check_step(step, trained(good), None)
    assert not unanswered.passed and not unanswered.answered
    one = replace(good, hidden=1)
    result = check_step(step, trained(one), right)
    assert not result.passed
    assert any("Hidden nodes must be at least 2" in o.sentence for o in result.outcomes)


def test_a_step_with_checks_and_no_run_says_train_first():
    step = lesson("XOR needs a hidden layer").steps[0]
    result = check_step(step, None, step.answer)
    assert not result.passed
    assert "train first" in result.outcomes[0].sentence


def test_seeds_solved_counts_seeds_as_ten_separate_runs_do():
    counted = sum(solves(replace(XOR_TANH, seed=s)) for s in range(10))
    facts = RunFacts(XOR_TANH, {}, 0)
    outcome = seeds_solved(facts, seeds=10, at_least=9)
    assert f"{counted} of 10 seeds" in outcome.sentence
    assert outcome.ok == (counted >= 9)


def test_the_smallest_layer_step_accepts_exactly_the_smallest_size():
    step = lesson("The smallest hidden layer that solves XOR for 9 seeds out of 10").steps[1]
    counts = {h: sum(solves(replace(XOR_TANH, hidden=h, seed=s)) for s in range(10))
              for h in (1, 2, 3, 4)}
    smallest = min(h for h, c in counts.items() if c >= 9)
    for h in (1, 2, 3, 4):
        facts = RunFacts(replace(XOR_TANH, hidden=h), {}, 2000)
        assert check_step(step, facts, step.answer).passed == (h == smallest), (h, counts)


def test_seeds_solved_refuses_the_tutorial_weights_and_huge_runs():
    tutorial = RunFacts(replace(XOR_TANH, init="tutorial", hidden=3), {}, 0)
    assert "same for every seed" in seeds_solved(tutorial, seeds=10, at_least=9).sentence
    huge = RunFacts(replace(XOR_TANH, epochs=1_000_000), {}, 0)
    outcome = seeds_solved(huge, seeds=10, at_least=9)
    assert not outcome.ok and "lower the epochs" in outcome.sentence


def test_no_hidden_layer_sticks_at_one_half_without_a_bias():
    or_plain = Settings(dataset="or", init="xavier", lr=0.5, epochs=3000, loss="bce")
    outcome = no_hidden_layer(RunFacts(or_plain, {}, 0), at_most=0.75)
    assert outcome.ok
    assert "3 of 4" in outcome.sentence and "output at (0, 0) is 0.5" in outcome.sentence
    with_bias = no_hidden_layer(RunFacts(replace(or_plain, bias=True), {}, 0), at_least=1.0)
    assert with_bias.ok and "4 of 4" in with_bias.sentence


def test_every_engine_check_named_in_a_lesson_exists():
    for lesson_ in load_lessons():
        for step in lesson_.steps:
            for check in step.checks:
                assert check.engine is None or check.engine in ENGINE_CHECKS


# --------------------------------------------------------------------------- the page


@pytest.mark.usefixtures("navigation_app")
def test_the_lessons_page_sets_up_checks_a_trained_run_and_saves_progress(store):  # noqa: F811
    workspace = "lesson-test-workspace-0001"
    at = open_link({}, workspace=workspace)
    at.switch_page("pages/lessons.py").run()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Lessons"]
    first = load_lessons()[0]
    at.selectbox(key="lesson_pick").set_value(first.id).run()
    at.button(key=f"check-{first.id}-0").click().run()       # nothing trained yet
    assert any("Epochs trained must be at least 2,000" in e.value for e in at.main.error), \
        [e.value for e in at.main.error]
    at.button(key=f"setup-{first.id}-0").click().run()
    settings = at.session_state["settings"]
    assert (settings.dataset, settings.hidden, settings.epochs) == ("xor", 1, 5000)
    at.switch_page("pages/playground.py").run()
    at.button(key="btn-train").click().run()
    assert_clean(at)
    assert at.session_state["run"].trainer.epoch == 5000
    at.switch_page("pages/lessons.py").run()
    at.radio(key=f"answer-{first.id}-0").set_value(first.steps[0].answer).run()
    at.button(key=f"check-{first.id}-0").click().run()
    assert_clean(at)
    assert not at.main.error, [e.value for e in at.main.error]
    assert store.progress(workspace) == {first.id: (1, False)}
    at.button(key=f"next-{first.id}-0").click().run()
    assert at.radio(key=f"lesson-step-{first.id}").value == 1
    assert np.isclose(at.session_state["run"].trainer.current_metrics()["train_accuracy"], 0.75)


def test_the_diverge_lesson_passes_a_diverged_run_and_its_answer_is_the_warnings_advice():
    lesson_ = lesson("Make it diverge and read the warning")
    setup = lesson_.steps[0].setup_settings()
    facts = trained(replace(setup, lr=1e6))
    assert facts.diverged is not None
    assert "try 100000 or lower" in facts.diverged       # the warning: a tenth of the rate
    step = lesson_.steps[0]
    assert step.answer == "Lower the learning rate, to a tenth or less"
    assert check_step(step, facts, step.answer).passed
    assert not check_step(step, trained(setup), step.answer).passed   # lr 0.5 trains fine
    back = lesson_.steps[1]
    assert check_step(back, trained(replace(setup, epochs=5000)), back.answer).passed


def test_the_or_lesson_on_real_runs():
    lesson_ = lesson("OR without a hidden layer, and why (0,0) sticks at 0.5 without a bias")
    tutorial = lesson_.steps[0].setup_settings()
    assert check_step(lesson_.steps[0], trained(tutorial), None).passed
    no_bias = lesson_.steps[1]
    assert check_step(no_bias, trained(tutorial), no_bias.answer).passed
    with_bias = lesson_.steps[2]
    assert not check_step(with_bias, trained(tutorial), with_bias.answer).passed
    assert check_step(with_bias, trained(with_bias.setup_settings()), with_bias.answer).passed


def test_the_circle_lesson_needs_the_squared_features_not_a_hidden_layer():
    first, second = lesson("A circle with no hidden layer: choose the inputs").steps
    plain = Settings.from_query(dict(p.split("=") for p in first.setup.split("&")))[0]
    assert plain.layers == 0 and plain.features == ("x1", "x2")
    line = trained(plain)
    assert check_step(first, line, first.answer).passed
    assert line.metrics["train_accuracy"] <= 0.75      # one straight line on a circle
    assert not check_step(second, line, second.answer).passed
    squares = replace(plain, features=("x1sq", "x2sq"))
    circle = trained(squares)
    assert circle.metrics["train_accuracy"] >= 0.95
    assert check_step(second, circle, second.answer).passed
    deeper = trained(replace(squares, layers=1, hidden=4))
    result = check_step(second, deeper, second.answer)
    assert not result.passed and any("Hidden layers" in o.sentence for o in result.outcomes)
