"""Nothing one session does reaches another.

Two AppTest sessions run in one process, as forty students' sessions share one
server: the same module globals, ``st.cache_resource`` (the pacing hub) and
``st.cache_data`` (parsed CSV files). Whatever one of them trains, uploads or
loads, the other keeps its own network, data and settings.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp_core.network import TUTORIAL_WEIGHTS
from mlp_ui import keys
from tests.apptest_support import assert_clean, click, metrics, open_app
from tests.test_app_playground import OR_START_LOSS, model_bytes, trained_or_model

pytestmark = pytest.mark.usefixtures("navigation_app")

CSV = b"x1,x2,label\n" + b"".join(
    f"{a:.2f},{b:.2f},{int(a + b > 1)}\n".encode()
    for a, b in np.random.default_rng(0).uniform(0, 1, (40, 2)))


def weights(at: AppTest) -> list[np.ndarray]:
    return [w.copy() for w in at.session_state["run"].net.weights]


def assert_untouched_tutorial(at: AppTest) -> None:
    at.run()
    assert_clean(at)
    assert metrics(at)["Epoch"] == "0"
    assert metrics(at)["Train loss"] == OR_START_LOSS
    # the tutorial's printed numbers: no session trained the shared table in place
    for mine, tutorial in zip(weights(at), TUTORIAL_WEIGHTS[(2, 3, 1)], strict=True):
        np.testing.assert_array_equal(mine, np.array(tutorial))


def test_training_in_one_session_leaves_another_at_epoch_zero():
    a, b = open_app(epochs="2000"), open_app()
    before_b = weights(b)
    click(a, "btn-train")
    assert metrics(a)["Epoch"] == "2,000"
    assert_untouched_tutorial(b)
    for mine, old in zip(weights(b), before_b):
        np.testing.assert_array_equal(mine, old)
    # and the other way round: b's run leaves a's trained network alone
    trained = weights(a)
    click(b, "btn-step")
    for mine, old in zip(weights(a), trained):
        np.testing.assert_array_equal(mine, old)


def test_the_same_csv_in_two_sessions_gives_each_its_own_arrays():
    a, b = open_app(dataset="upload"), open_app(dataset="upload")
    for at in (a, b):
        at.file_uploader(key=keys.CSV_UPLOADER).set_value(("points.csv", CSV, "text/csv"))
        at.run()
        assert_clean(at)
    data_a, data_b = a.session_state["run"].data, b.session_state["run"].data
    assert data_a.n_train == data_b.n_train > 0
    # st.cache_data hands each caller a copy: one session cannot edit the other's data
    assert not np.shares_memory(data_a.X_train, data_b.X_train)
    assert not np.shares_memory(a.session_state["run"].net.params,
                                b.session_state["run"].net.params)
    click(a, "btn-train")
    np.testing.assert_array_equal(data_b.X_train, b.session_state["run"].data.X_train)
    assert metrics(b)["Epoch"] == "0"


def test_a_model_loaded_in_one_session_stays_there():
    a, b = open_app(), open_app()
    a.file_uploader(key="model_uploader").set_value(
        ("or-1000.json", model_bytes(trained_or_model(), epochs=1000), "application/json"))
    a.run()
    assert_clean(a)
    assert a.session_state["run"].source == "or-1000.json"
    assert b.session_state["run"].source == "init"
    assert_untouched_tutorial(b)


def test_settings_changed_in_one_session_stay_there():
    a, b = open_app(), open_app()
    a.number_input(key="lr").set_value(0.5).run()
    a.selectbox(key="dataset").set_value("xor").run()
    assert_clean(a)
    b.run()
    assert b.session_state["settings"].lr == 0.05
    assert b.session_state["settings"].dataset == "or"
    assert a.session_state["settings"].dataset == "xor"
