"""The Grid sweep page through Streamlit's AppTest: bad input, the budget, a run, a resume."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_support import assert_clean, click, metrics, open_on_page

pytestmark = pytest.mark.usefixtures("navigation_app")

GRID = "pages/grid.py"
XOR = dict(dataset="xor", bias="true", init="xavier", lr="0.5", epochs="2000",
           activation="tanh")


def open_grid(**query: str) -> AppTest:
    return open_on_page(GRID, "Grid sweep", **query)


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.main.error]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("grid_widths", "", "Enter at least one width"),
    ("grid_widths", "4-2", "The range “4-2” is empty"),
    ("grid_lrs", "abc", "“abc” is not a learning rate"),
    ("grid_lrs", "-1", "A learning rate must be a positive number"),
])
def test_bad_text_is_a_clear_error_and_no_run_button(key, value, message):
    at = open_grid(**XOR)
    at.text_input(key=key).set_value(value).run()
    assert_clean(at)
    assert len(errors(at)) == 1 and message in errors(at)[0], errors(at)
    assert not [b for b in at.button if b.key == "grid-run"]
    assert not at.get("plotly_chart")


def test_zero_optimizers_is_a_clear_error():
    at = open_grid(**XOR)
    at.multiselect(key="grid_optimizers").set_value([]).run()
    assert_clean(at)
    assert errors(at) == ["Pick at least one optimizer."]
    assert not [b for b in at.button if b.key == "grid-run"]


def test_a_sweep_over_the_per_click_budget_is_refused():
    at = open_grid(dataset="moons", samples="2000", epochs="200000", init="xavier")
    click(at, "grid-run")
    assert len(errors(at)) == 1 and "a shared server allows per click" in errors(at)[0]
    assert not at.get("plotly_chart")
    assert not [b for b in at.button if b.key == "grid-cancel"], "the sweep started"


IRIS = dict(dataset="iris", bias="true", init="xavier", lr="0.5", epochs="300",
            activation="tanh", loss="ce")


def test_a_small_iris_grid_runs_shows_the_best_cell_and_resumes_without_training():
    at = open_grid(**IRIS)
    at.text_input(key="grid_widths").set_value("1, 4").run()
    at.text_input(key="grid_lrs").set_value("0.1, 0.5").run()
    at.number_input(key="grid_seeds").set_value(2).run()
    assert_clean(at)
    assert at.selectbox(key="grid_heldout").value == "test split"
    caption = " ".join(c.value for c in at.caption)
    assert "4 cells x 2 seeds x 1 test split = 8 trainings" in caption, caption
    click(at, "grid-run")
    assert len(at.success) == 1
    assert at.success[0].value.startswith("0 cells read back, 4 trained (8 trainings")
    table = at.main.dataframe[0].value
    means = table["mean held-out accuracy"].to_numpy()
    assert list(table["trainings"]) == [2, 2, 2, 2]
    best = table.iloc[int(np.argmax(means))]
    shown = metrics(at)
    assert shown["Best cell"] == f"width {best['width']}", (shown, table)
    assert means.max() > 0.8, "tanh nets on iris's test split score far above chance"
    assert len(at.get("plotly_chart")) >= 4   # width chart, heatmap, parallel, opened cell
    heat = next(c for c in at.get("plotly_chart") if '"heatmap"' in c.proto.spec)
    assert '"customdata"' in heat.proto.spec

    click(at, "grid-run")
    assert at.success[0].value.startswith("4 cells read back, 0 trained (0 trainings")
    assert metrics(at)["Best cell"] == shown["Best cell"]


def test_with_a_dask_cluster_the_per_click_budget_does_not_apply(monkeypatch):
    # Nothing listens on port 1: the page says where it would run, skips the budget, and
    # reports the unreachable scheduler as an error, not a traceback.
    monkeypatch.setenv("MLP_PLAYGROUND_DASK_SCHEDULER", "tcp://127.0.0.1:1")
    at = open_grid(dataset="moons", samples="2000", epochs="200000", init="xavier")
    caption = " ".join(c.value for c in at.caption)
    assert "on the Dask cluster at tcp://127.0.0.1:1." in caption, caption
    click(at, "grid-run")
    assert len(errors(at)) == 1, errors(at)
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in errors(at)[0]
    assert "per click" not in errors(at)[0]


def test_a_regression_grid_scores_r2_and_draws_every_view():
    at = open_grid(dataset="sine", bias="true", init="xavier", activation="tanh", loss="mse",
                   lr="0.1", epochs="200")
    at.text_input(key="grid_widths").set_value("2, 8").run()
    at.multiselect(key="grid_activations").set_value(["tanh", "relu"]).run()
    at.number_input(key="grid_seeds").set_value(1).run()
    click(at, "grid-run")
    assert at.success[0].value.startswith("0 cells read back, 4 trained (4 trainings")
    table = at.main.dataframe[0].value
    assert "mean held-out R²" in table.columns and len(table) == 4
    assert at.selectbox(key="grid_heat_of").options == [
        "1 layer(s), relu, sgd", "1 layer(s), tanh, sgd"]
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Held-out R²" in t for t in titles) and any("Fit" in t for t in titles)


def test_more_combinations_than_lines_offers_a_picker_starting_with_the_best():
    at = open_grid(**{**IRIS, "epochs": "50"})
    at.text_input(key="grid_widths").set_value("4").run()
    at.text_input(key="grid_lrs").set_value("0.01, 0.05, 0.1, 0.5").run()
    at.multiselect(key="grid_activations").set_value(["tanh", "relu"]).run()
    at.number_input(key="grid_seeds").set_value(1).run()
    click(at, "grid-run")
    picker = at.multiselect(key="grid_lines_shown")
    assert len(picker.options) == 8 and len(picker.value) == 6
    table = at.main.dataframe[0].value
    means = dict(zip(zip(table["lr"], table["activation"]), table["mean held-out accuracy"]))
    left_out = set(means) - {(lr, act) for _, lr, act, _ in picker.value}
    assert len(left_out) == 2
    assert max(means[k] for k in left_out) <= min(
        means[(lr, act)] for _, lr, act, _ in picker.value)
    lines = next(c for c in at.get("plotly_chart") if "against width" in c.proto.spec)
    assert lines.proto.spec.count('"mode":"lines+markers"') == 6


def test_a_sidebar_with_features_and_no_hidden_layer_still_opens_a_grid():
    # The link of the circle lesson: 0 hidden layers would be an impossible default, and the
    # grid (like the hidden-size sweep) trains on x1, x2 and says so.
    at = open_grid(dataset="circle", layers="0", features="x1sq,x2sq", bias="true",
                   loss="bce", init="xavier", lr="0.5", epochs="300")
    assert_clean(at)
    assert at.multiselect(key="grid_layers").value == [1]
    assert any("trains on the points' x1, x2" in c.value for c in at.caption)
    assert [b for b in at.button if b.key == "grid-run"]
