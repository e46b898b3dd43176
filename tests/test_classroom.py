"""Classes: making one, the teacher and student links, joining, and the board.

The store is a real SQLite database per test (``tests.classroom_support.store``); runs
reach a class through the store's API, as runs-ui's saving puts them there. Pages run
through AppTest (which draws a ``run_every`` fragment once per run).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp_core.settings import Settings
from mlp_figures.classroom import class_results, group_summary
from mlp_ui import board, classroom
from mlp_ui.classlink import read_link
from mlp_ui.lessons import load_lessons
from tests.apptest_support import assert_clean
from tests.classroom_support import make_class, open_link, save_run, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("navigation_app")


def on_page(at, page: str):
    at.switch_page(page).run()
    assert_clean(at)
    return at


def as_teacher(code: str, secret: str):
    return on_page(open_link({"class": code, "teacher": secret}), "pages/classroom.py")


def as_student(params: dict, nickname: str, workspace: str):
    at = open_link(params, workspace=workspace)
    at.sidebar.text_input(key=classroom.NICKNAME_BOX).input(nickname)
    at.sidebar.button(key="classroom-join").click().run()
    assert_clean(at)
    return at


def board_rows(at) -> list[dict]:
    frame = at.main.dataframe[0].value
    return frame.to_dict("records")


# --------------------------------------------------------------------------- making a class


def test_a_teacher_makes_a_class_and_gets_both_links(store):  # noqa: F811
    at = on_page(open_link({}), "pages/classroom.py")
    at.main.text_input[0].input("Tuesday")
    at.main.selectbox[0].set_value("tutorial-xor")
    at.main.multiselect[0].set_value(["hidden"])      # locked
    at.main.multiselect[1].set_value(["lr"])          # hidden
    at.main.button[0].click().run()                   # Create the class
    assert_clean(at)
    code, secret = at.session_state[classroom.TEACHER]
    info = store.class_by_code(code)
    assert info.name == "Tuesday" and info.controls == {"hidden": ["lr"], "locked": ["hidden"]}
    assert store.teacher_ok(code, secret)
    assert [h.value for h in at.header] == ["Tuesday"]
    links = [c.value for c in at.main.code]
    student, teacher = links[0], links[1]
    params = dict(parse_qsl(urlsplit(student).query))
    rules = read_link(store.signing_key(), params)      # the student link verifies
    assert rules.class_code == code and dict(rules.locked) == {"hidden": 4}
    assert params["dataset"] == "xor" and params["init"] == "uniform"   # the preset
    assert dict(parse_qsl(urlsplit(teacher).query)) == {"class": code, "teacher": secret}
    assert urlsplit(teacher).path == "/classroom"


def test_making_a_class_refuses_a_control_both_hidden_and_locked(store):  # noqa: F811
    at = on_page(open_link({}), "pages/classroom.py")
    at.main.text_input[0].input("Tuesday")
    at.main.multiselect[0].set_value(["lr"])
    at.main.multiselect[1].set_value(["lr"])
    at.main.button[0].click().run()
    assert [e.value for e in at.main.error] == [
        "Learning rate cannot be both hidden and locked: pick one."]
    assert classroom.TEACHER not in at.session_state


def test_a_teacher_link_opens_the_board_and_leaves_the_address_bar(store):  # noqa: F811
    info, secret, _ = make_class(store)
    at = as_teacher(info.code, secret)
    assert [h.value for h in at.header] == ["Year 11"]
    assert "teacher" not in dict(at.query_params)   # a projected address bar shows no secret
    wrong = on_page(open_link({"class": info.code, "teacher": "not-the-secret"}),
                    "pages/classroom.py")
    assert any("does not match any class" in e.value for e in wrong.sidebar.error)
    assert not wrong.header      # no board: the page offers to make a class instead


# --------------------------------------------------------------------------- students and the board


def test_two_students_join_and_their_runs_fill_the_board(store):  # noqa: F811
    info, secret, params = make_class(store)
    ada = as_student(params, "Ada", "workspace-ada-0000000001")
    assert classroom.MEMBER in ada.session_state
    assert ada.session_state[classroom.MEMBER] == (info.code, "Ada")
    bob = as_student(params, "Bob", "workspace-bob-0000000001")
    taken = as_student(params, "ada", "workspace-eve-0000000001")      # case-blind
    assert any("is taken in this class" in e.value for e in taken.sidebar.error)
    assert classroom.MEMBER not in taken.session_state
    save_run(store, info.code, "Ada", hidden=2, seed=0, test_accuracy=0.5)
    save_run(store, info.code, "Ada", hidden=3, seed=1, test_accuracy=1.0)
    save_run(store, info.code, "Bob", hidden=3, seed=2, test_accuracy=0.75)
    at = as_teacher(info.code, secret)
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Students"] == "2" and metrics["Runs on the board"] == "3"
    rows = {r["Student"]: r for r in board_rows(at)}
    assert rows["Ada"]["Runs"] == 2 and rows["Bob"]["Runs"] == 1
    assert rows["Ada"]["Latest run"] == "xor 2-3-1 seed 1 (finished)"   # newest
    assert rows["Ada"]["Best run"] == "100%: xor 2-3-1 seed 1"
    spec = at.get("plotly_chart")[0].proto.spec
    assert "Training accuracy" in spec and "median" in spec
    assert bob.session_state[classroom.MEMBER] == (info.code, "Bob")


def test_a_browser_that_joined_before_is_back_in_without_asking(store):  # noqa: F811
    info, _, params = make_class(store)
    as_student(params, "Ada", "workspace-ada-0000000002")
    again = open_link(params, workspace="workspace-ada-0000000002")
    assert again.session_state[classroom.MEMBER] == (info.code, "Ada")
    assert not [t for t in again.sidebar.text_input if t.key == classroom.NICKNAME_BOX]


def test_the_teacher_hides_a_run_and_deletes_the_class(store):  # noqa: F811
    info, secret, _ = make_class(store)
    store.join_class(info.code, "Ada", "workspace-ada-0000000003")
    run_id = save_run(store, info.code, "Ada", workspace="workspace-ada-0000000003")
    at = as_teacher(info.code, secret)
    at.selectbox(key="board-run").set_value(run_id).run()
    assert_clean(at)
    at.button(key="board-hide").click().run()
    assert_clean(at)
    assert store.class_runs(info.code, include_hidden=False) == []
    assert {m.label: m.value for m in at.main.metric}["Hidden runs"] == "1"
    at.checkbox(key="classroom-delete-sure").check().run()
    at.button(key="classroom-delete").click().run()
    assert_clean(at)
    assert store.class_by_code(info.code) is None
    assert store.get_run(run_id) is None
    assert classroom.TEACHER not in at.session_state


def test_open_in_my_playground_loads_the_runs_settings(store):  # noqa: F811
    info, secret, _ = make_class(store)
    store.join_class(info.code, "Ada", "workspace-ada-0000000004")
    run_id = save_run(store, info.code, "Ada", hidden=5, seed=3,
                      workspace="workspace-ada-0000000004")
    at = as_teacher(info.code, secret)
    at.selectbox(key="board-run").set_value(run_id).run()
    at.button(key="board-open").click().run()
    assert_clean(at)
    settings = at.session_state["settings"]
    assert (settings.dataset, settings.hidden, settings.seed) == ("xor", 5, 3)
    assert [t.value for t in at.title] == ["Playground"]


def test_the_board_shows_each_students_lesson_progress(store):  # noqa: F811
    info, secret, _ = make_class(store)
    first, second = load_lessons()[:2]
    store.join_class(info.code, "Ada", "workspace-ada-0000000005")
    store.save_progress(info.code, "workspace-ada-0000000005", first.id, 1, True)
    store.save_progress(info.code, "workspace-ada-0000000005", second.id, 1, False)
    rows = board_rows(as_teacher(info.code, secret))
    assert rows[0]["Lessons"] == (f"1 of {len(load_lessons())} done; {second.title}: "
                                  f"step 2 of {len(second.steps)}")


# --------------------------------------------------------------------------- pure parts


def test_result_points_and_the_chart_agree_with_numpy(store):  # noqa: F811
    info, _, _ = make_class(store)
    results = {(2, 0): 0.5, (2, 1): 0.75, (2, 2): 1.0, (4, 0): 1.0, (4, 1): 1.0}
    for (hidden, seed), accuracy in results.items():
        save_run(store, info.code, f"s{hidden}{seed}", hidden=hidden, seed=seed,
                 test_accuracy=accuracy)
    save_run(store, info.code, "none", hidden=8, test_accuracy=None)   # nothing to chart
    runs = store.class_runs(info.code)
    points = board.result_points(runs, "hidden", "test_accuracy")
    assert sorted(zip(points.x, points.y)) == sorted(
        (h, 100 * a) for (h, _), a in results.items())
    values, med, low, high, count = group_summary(points.x, points.y)
    assert values == [2, 4]
    assert np.allclose(med, [75, 100]) and np.allclose(low, [50, 100])
    assert np.allclose(high, [100, 100]) and list(count) == [3, 2]
    fig = class_results(points.x, points.y, points.hover, x_title="Hidden nodes",
                        y_title="Test accuracy (%)")
    go.Figure(fig.to_dict())                         # valid with plotly's full validation
    dots, medians = fig.to_dict()["data"]
    assert len(dots["x"]) == 5 and medians["y"] == [75, 100]
    assert medians["error_y"]["arrayminus"] == [25, 0]
    percent = class_results(points.x, points.y, points.hover, x_title="h", y_title="%",
                            y_range=(0, 100))
    assert percent.to_dict()["layout"]["yaxis"]["range"] == [-4, 104]
    empty = class_results([], [], [], x_title="a", y_title="b")
    assert empty.to_dict()["data"] == []


def test_categorical_settings_chart_in_sorted_order():
    fig = class_results(["tanh", "relu", "tanh"], [1.0, 2.0, 3.0], ["a", "b", "c"],
                        x_title="Activation", y_title="y")
    layout = fig.to_dict()["layout"]
    assert layout["xaxis"]["ticktext"] == ["relu", "tanh"]
    go.Figure(fig.to_dict())


def test_without_a_database_a_class_link_says_so_and_training_still_works(
        store, monkeypatch):  # noqa: F811
    info, _, params = make_class(store)
    # Nothing listens on port 1: the connection is refused at once.
    monkeypatch.setenv("MLP_PLAYGROUND_DB", "postgresql://nobody@127.0.0.1:1/none")
    at = open_link(params)
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and errors[0].startswith("This classroom link cannot be checked")
    assert at.session_state["settings"] == Settings()      # none of the link's settings
    at.button(key="btn-step").click().run()          # the Playground still trains
    assert_clean(at)
    assert at.session_state["run"].trainer.epoch == 1
    on_page(at, "pages/lessons.py")
    assert any("Progress is not being saved" in c.value for c in at.main.caption)
    on_page(at, "pages/classroom.py")
    at.main.text_input[0].input("Tuesday")
    at.main.button[0].click().run()
    assert_clean(at)
    assert len(at.main.error) == 1 and "not available" in at.main.error[0].value


def test_a_students_lesson_progress_reaches_the_board(store):  # noqa: F811
    info, secret, params = make_class(store, hidden=(), locked=())
    at = as_student(params, "Ada", "workspace-ada-0000000006")
    first = load_lessons()[0]
    on_page(at, "pages/lessons.py")
    at.button(key=f"setup-{first.id}-0").click().run()
    on_page(at, "pages/playground.py")
    at.button(key="btn-train").click().run()
    on_page(at, "pages/lessons.py")
    at.radio(key=f"answer-{first.id}-0").set_value(first.steps[0].answer).run()
    at.button(key=f"check-{first.id}-0").click().run()
    assert_clean(at)
    assert store.class_progress(info.code) == {"Ada": {first.id: (1, False)}}
    rows = board_rows(as_teacher(info.code, secret))
    assert rows[0]["Lessons"] == f"0 of {len(load_lessons())} done; {first.title}: step 2 of 2"
