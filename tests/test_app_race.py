"""The Optimizer race page through Streamlit's AppTest: controls, one race per press,
results kept across reruns, and one sentence for a bad racer.

The real-browser checks (the landscape drawn, the animation) are in tests/e2e/test_race.py.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from mlp_core.race import MAX_RACE_EPOCHS
from mlp_ui import race
from tests.apptest_support import assert_clean, open_on_page

PAGE = "pages/race.py"
pytestmark = pytest.mark.usefixtures("navigation_app")


def open_race(**query: str) -> AppTest:
    return open_on_page(PAGE, "Optimizer race", **query)


def press_race(at: AppTest) -> AppTest:
    at.button(key=race.RUN_BUTTON).click().run()
    assert_clean(at)
    return at


def test_page_waits_for_race_and_offers_three_optimizers():
    at = open_race()
    assert [i.value for i in at.info] == [
        "Press Race to train every optimizer from the same start."]
    assert [at.selectbox(key=race.widget_key("optimizer", i)).value for i in range(3)] == \
        ["sgd", "momentum", "adam"]
    assert [at.number_input(key=race.widget_key("lr", i)).value for i in range(3)] == [0.05] * 3
    # each optimizer shows its own parameters only
    assert at.number_input(key=race.widget_key("momentum", 1)).value == 0.9
    assert at.number_input(key=race.widget_key("beta2", 2)).value == 0.999
    keys = {w.key for w in at.number_input}
    assert race.widget_key("momentum", 0) not in keys
    assert at.number_input(key=race.EPOCHS).value == MAX_RACE_EPOCHS
    assert any(f"at most {MAX_RACE_EPOCHS:,} epochs" in c.value for c in at.caption)


def test_race_on_the_tutorials_or_network_shows_the_lesson():
    at = open_race()
    at.number_input(key=race.EPOCHS).set_value(20_000).run()
    press_race(at)
    key, view = at.session_state[race.RESULT]
    sgd, momentum, adam = (lane.reached for lane in view.result.lanes)
    assert momentum * 5 < sgd and adam * 5 < sgd
    assert [s.value for s in at.success] == [view.result.verdict()]
    assert at.success[0].value.startswith("Adam, lr 0.05 reaches loss 0.01 first")
    assert any(c.value.startswith("Epochs to loss 0.01, against Gradient descent, lr 0.05. ")
               for c in at.caption)
    table = at.dataframe[0].value
    assert list(table["epochs to loss 0.01"]) == [f"{sgd:,}", f"{momentum:,}", f"{adam:,}"]
    # loss, landscape, lines, gradients, three final boundaries
    assert len(at.get("plotly_chart")) == 7


def test_a_rerun_redraws_without_racing_again():
    at = open_race(dataset="xor", hidden="4", init="xavier", bias="true", loss="bce", lr="0.5")
    at.number_input(key=race.EPOCHS).set_value(300).run()
    press_race(at)
    first = at.session_state[race.RESULT]
    at.toggle(key=race.LOG_Y).set_value(False).run()
    assert_clean(at)
    assert at.session_state[race.RESULT] is first
    assert len(at.get("plotly_chart")) == 7
    # a changed racer makes the old result stale, not wrong
    at.number_input(key=race.widget_key("lr", 0)).set_value(0.1).run()
    assert [i.value for i in at.info] == [
        "The settings changed since the last race: press Race to run it again."]
    assert not at.get("plotly_chart")


def test_more_racers_and_a_bad_parameter_get_one_sentence():
    at = open_race(dataset="xor", hidden="4", init="xavier")
    at.number_input(key=race.COUNT).set_value(5).run()
    assert [at.selectbox(key=race.widget_key("optimizer", i)).value for i in range(5)] == \
        ["sgd", "momentum", "adam", "rmsprop", "nesterov"]
    at.number_input(key=race.widget_key("momentum", 1)).set_value(1.5).run()
    assert_clean(at)
    assert [e.value for e in at.error] == [
        "Optimizer 2: momentum must be a number in [0, 1), got 1.5."]
    assert at.button(key=race.RUN_BUTTON).disabled


def test_spiral_race_is_cut_to_the_work_budget():
    at = open_race(preset="spiral-deep")
    cap = at.number_input(key=race.EPOCHS).value
    assert cap < 20_000
    assert any(f"at most {cap:,} epochs" in c.value for c in at.caption)


def test_more_racers_lower_the_epoch_cap_without_an_error():
    at = open_race(preset="spiral-deep")
    three = at.number_input(key=race.EPOCHS).value
    at.number_input(key=race.COUNT).set_value(5).run()
    assert_clean(at)
    five = at.number_input(key=race.EPOCHS)
    assert five.value <= five.proto.max < three
    assert any(f"at most {int(five.proto.max):,} epochs" in c.value for c in at.caption)


def test_two_weights_race_on_the_exact_surface():
    # 1 input, 1 hidden unit, 1 linear output, no bias: the two weights are all there is
    at = open_race(dataset="sine", hidden="1", init="xavier", loss="mse", lr="0.1",
                   epochs="500")
    press_race(at)
    _, view = at.session_state[race.RESULT]
    assert view.land.plane.kind == "exact"
    assert any("exactly two trainable weights" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 7


@pytest.mark.parametrize("query", [
    dict(dataset="blobs", hidden="8", init="xavier", bias="true", loss="ce", lr="0.3",
         epochs="300", activation="tanh"),
    dict(dataset="iris", hidden="8", init="xavier", bias="true", loss="ce", lr="0.1",
         epochs="200", activation="tanh"),
], ids=["blobs", "iris"])
def test_race_on_many_classes(query):
    at = open_race(**query)
    press_race(at)
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) == 7


def test_choices_and_result_survive_a_visit_to_another_page():
    at = open_race(dataset="xor", hidden="4", init="xavier", bias="true", loss="bce", lr="0.5")
    at.selectbox(key=race.widget_key("optimizer", 2)).set_value("rmsprop").run()
    at.number_input(key=race.widget_key("lr", 2)).set_value(0.02).run()
    at.number_input(key=race.EPOCHS).set_value(200).run()
    press_race(at)
    first = at.session_state[race.RESULT]
    at.switch_page("pages/playground.py").run()
    assert_clean(at)
    at.switch_page(PAGE).run()
    assert_clean(at)
    assert at.selectbox(key=race.widget_key("optimizer", 2)).value == "rmsprop"
    assert at.number_input(key=race.widget_key("lr", 2)).value == 0.02
    assert at.number_input(key=race.EPOCHS).value == 200
    assert at.session_state[race.RESULT] is first
    assert not at.info and len(at.get("plotly_chart")) == 7


def test_a_diverging_racer_is_named_and_the_rest_still_drawn():
    at = open_race(dataset="xor", hidden="4", init="xavier", bias="true", loss="bce", lr="0.5")
    at.number_input(key=race.EPOCHS).set_value(300).run()
    at.number_input(key=race.widget_key("lr", 0)).set_value(1e6).run()
    press_race(at)
    _, view = at.session_state[race.RESULT]
    assert view.result.lanes[0].diverged is not None
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Gradient descent, lr 1e+06: Training "
                                                     "diverged")
    assert len(at.get("plotly_chart")) == 7


def test_three_weights_get_the_exact_volume_too():
    # 2 inputs, 1 hidden unit, no bias: 3 weights
    at = open_race(dataset="xor", hidden="1", init="xavier", lr="0.5", epochs="500")
    press_race(at)
    _, view = at.session_state[race.RESULT]
    assert view.volume is not None and view.volume.loss.shape == (17, 17, 17)
    assert len(at.get("plotly_chart")) == 8
    assert any("exact loss over all three weights" in c.value for c in at.caption)
