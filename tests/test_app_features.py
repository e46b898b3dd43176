"""Input features, no hidden layer and the display options, through AppTest.

The lesson of issue 16: on the circle, x1² and x2² make the boundary a straight line
in feature space, so a network with no hidden layer learns it; on x1, x2 it cannot.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mlp_core.network import Network
from mlp_core.reference import backprop
from mlp_ui import views
from tests.apptest_support import assert_clean, chart_specs, click, metrics, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

CIRCLE_NO_HIDDEN = dict(dataset="circle", layers="0", bias="true", loss="bce", init="xavier",
                        lr="0.5", epochs="1000")


def _boundary(at) -> dict:
    [fig] = [f for f in chart_specs(at)
             if "Decision boundary" in json.dumps(f["layout"].get("title", ""))]
    return fig


def _heatmap_values(fig: dict) -> np.ndarray:
    [heat] = [t for t in fig["data"] if t.get("type") == "heatmap"]
    return np.array(heat["z"], dtype=float)


def test_circle_with_squares_and_no_hidden_layer_trains_from_a_link():
    at = open_app(**CIRCLE_NO_HIDDEN, features="x2sq,x1sq")
    assert not at.sidebar.warning, [w.value for w in at.sidebar.warning]
    assert at.multiselect(key="features").value == ["x1sq", "x2sq"]
    assert at.number_input(key="layers").value == 0
    run = at.session_state["run"]
    assert run.net.layer_sizes == (2, 1) and run.net.features == ("x1sq", "x2sq")
    # the link is rewritten in the canonical order
    assert at.query_params["features"] == "x1sq,x2sq"
    assert at.query_params["layers"] == "0"
    click(at, "btn-train")
    accuracy = float(metrics(at)["Accuracy"].rstrip("%")) / 100
    assert accuracy >= 0.95
    # Hidden-unit lines are lines only on x1, x2: switched off and greyed out here.
    assert at.toggle(key="show_neuron_lines").disabled


def test_the_same_link_on_x1_x2_stays_near_chance():
    at = click(open_app(**CIRCLE_NO_HIDDEN), "btn-train")
    accuracy = float(metrics(at)["Accuracy"].rstrip("%")) / 100
    assert accuracy <= 0.75
    assert not at.toggle(key="show_neuron_lines").disabled


def test_a_bad_feature_in_the_link_is_named_and_replaced():
    at = open_app(dataset="circle", features="x1sq,foo")
    warnings = [w.value for w in at.sidebar.warning]
    assert any("'foo'" in w and "features" in w for w in warnings), warnings
    assert at.multiselect(key="features").value == ["x1", "x2"]
    assert "features" not in at.query_params


def test_features_on_data_without_two_inputs_are_refused():
    # From a link: replaced by x1,x2 with a notice, the control greyed out.
    at = open_app(dataset="iris", features="x1sq", init="xavier")
    warnings = [w.value for w in at.sidebar.warning]
    assert any("2 inputs" in w and "Iris has 4" in w for w in warnings), warnings
    assert at.multiselect(key="features").disabled
    assert at.session_state["run"].net.layer_sizes[0] == 4
    # Chosen on the circle, then another data set: refused there with the same sentence,
    # kept in the control (enabled, to clear it) for when 2-input data come back.
    at = open_app(dataset="circle", features="x1sq,x1x2")
    at.selectbox(key="dataset").set_value("iris").run()
    assert_clean(at)
    assert any("2 inputs" in w.value and "Iris has 4" in w.value for w in at.sidebar.warning)
    assert not at.multiselect(key="features").disabled
    assert at.session_state["run"].net.layer_sizes[0] == 4
    assert at.session_state["run"].net.features is None
    at.selectbox(key="dataset").set_value("circle").run()
    assert at.session_state["run"].net.features == ("x1sq", "x1x2")


def test_an_empty_feature_choice_is_an_error_not_a_traceback():
    at = open_app(dataset="circle")
    at.multiselect(key="features").set_value([]).run()
    assert_clean(at)
    assert any("at least one input feature" in e.value for e in at.sidebar.error)


def test_display_options_round_trip_and_change_only_the_picture():
    at = open_app(dataset="circle", show_test="true", discretize="true")
    assert at.toggle(key="show_test").value and at.toggle(key="discretize").value
    assert at.query_params["show_test"] == "true"
    assert at.query_params["discretize"] == "true"
    run = at.session_state["run"]
    fig = _boundary(at)
    assert set(np.unique(_heatmap_values(fig))) <= {0.0, 1.0}
    with_test = len(fig["data"])
    at.toggle(key="show_test").set_value(False).run()
    at.toggle(key="discretize").set_value(False).run()
    assert_clean(at)
    assert at.session_state["run"] is run, "a display option rebuilt the network"
    assert "show_test" not in at.query_params and "discretize" not in at.query_params
    fig = _boundary(at)
    assert len(fig["data"]) < with_test
    assert len(np.unique(_heatmap_values(fig))) > 2


@pytest.mark.parametrize("dataset", ["xor", "circle", "blobs", "sine"])
def test_every_playground_view_draws_with_no_hidden_layer(dataset):
    at = open_app(dataset=dataset, layers="0", init="xavier", epochs="50")
    click(at, "btn-train")
    assert at.session_state["run"].net.n_hidden_layers == 0
    assert chart_specs(at)


SQUARES = dict(CIRCLE_NO_HIDDEN, features="x1sq,x2sq", samples="60", epochs="200")


@pytest.mark.parametrize("page", ["pages/backprop.py", "pages/compare.py", "pages/sweep.py",
                                  "pages/race.py"])
@pytest.mark.parametrize("layers", ["0", "1"])
def test_the_other_pages_open_with_features_and_with_no_hidden_layer(page, layers):
    at = open_app(**{**SQUARES, "layers": layers})
    at.switch_page(page).run()
    assert_clean(at)
    assert not at.main.error, [e.value for e in at.main.error]
    said = " ".join(e.value for e in [*at.main.caption, *at.main.info])
    if page == "pages/sweep.py" and layers == "1":
        assert "input features apply on the Playground" in said
    if page == "pages/race.py":
        assert "input features x1sq, x2sq of each point" in said
    if page == "pages/sweep.py" and layers == "0":
        assert "set Hidden layers to 1 or more" in said
    if page == "pages/compare.py":
        assert "input features x1sq, x2sq" in said
        assert at.session_state["compare_result"][1].none.net.features == ("x1sq", "x2sq")


def test_backprop_passes_the_squares_through_the_network():
    at = open_app(**SQUARES)
    at.switch_page("pages/backprop.py").run()
    assert_clean(at)
    run = at.session_state["run"]
    X, y = run.data.X_train, run.data.y_train
    # The same weights on a plain 2-input network fed x1², x2² by hand.
    plain = Network(run.net.layer_sizes, run.net.hidden_activation, run.net.bias,
                    run.net.params.copy(), run.net.output_activation)
    trace = backprop(plain, X ** 2, y, run.trainer.config.loss)
    assert metrics(at)["Error of this pass"] == views.fmt_loss(trace.error)
    assert trace.error != backprop(plain, X, y, run.trainer.config.loss).error


def test_loading_a_model_file_applies_its_features_and_no_hidden_layer():
    from mlp_core import model_io

    net = Network.create(2, (), features=("x1sq", "x2sq"), init="xavier", bias=True, seed=7)
    raw = model_io.dumps(net, {"data": "circle", "lr": 0.5, "loss": "bce"}).encode()
    at = open_app()
    at.file_uploader(key="model_uploader").set_value(("squares.json", raw, "application/json"))
    at.run()
    assert_clean(at)
    assert not at.main.error, [e.value for e in at.main.error]
    assert at.selectbox(key="dataset").value == "circle"
    assert at.multiselect(key="features").value == ["x1sq", "x2sq"]
    assert at.number_input(key="layers").value == 0
    run = at.session_state["run"]
    assert run.source == "squares.json" and run.net.features == ("x1sq", "x2sq")
    np.testing.assert_array_equal(run.net.params, net.params)
    assert at.query_params["features"] == "x1sq,x2sq"


def _upload(at, name: str, rows: np.ndarray):
    text = "\n".join(",".join(f"{v:g}" for v in row) for row in rows) + "\n"
    at.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader(key="csv_uploader").set_value((name, text.encode(), "text/csv"))
    at.run()
    assert_clean(at)
    return at


def test_an_uploaded_csv_takes_features_only_with_two_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    labels = (X[:, 0] ** 2 + X[:, 1] ** 2 < 1).astype(float)
    at = _upload(open_app(features="x1sq,x2sq", init="xavier"), "disk.csv",
                 np.column_stack([X, labels]))
    assert not at.sidebar.warning, [w.value for w in at.sidebar.warning]
    assert at.session_state["run"].net.features == ("x1sq", "x2sq")

    wide = np.column_stack([rng.normal(size=(60, 3)), labels])
    at = _upload(open_app(features="x1sq,x2sq", init="xavier"), "wide.csv", wide)
    assert any("the uploaded CSV has 3" in w.value for w in at.sidebar.warning)
    assert not at.main.error, [e.value for e in at.main.error]
    assert at.session_state["run"].net.layer_sizes[0] == 3


def test_the_optimizer_race_runs_on_the_features():
    from mlp_ui import race

    at = open_app(**SQUARES)
    at.switch_page("pages/race.py").run()
    at.number_input(key=race.EPOCHS).set_value(300).run()
    at.button(key=race.RUN_BUTTON).click().run()
    assert_clean(at)
    assert not at.main.error, [e.value for e in at.main.error]
    _, view = at.session_state[race.RESULT]
    run = at.session_state["run"]
    X, y = run.data.X_train, run.data.y_train
    for lane in view.result.lanes:
        assert lane.net.features == ("x1sq", "x2sq")
    # The landscape's loss at the start is the start network's loss on the squares.
    plain = Network(lane.net.layer_sizes, lane.net.hidden_activation, lane.net.bias,
                    view.result.start.copy(), lane.net.output_activation)
    assert view.result.lanes[0].curve_losses[0] == pytest.approx(
        backprop(plain, X ** 2, y, view.result.loss).error, rel=1e-9)
