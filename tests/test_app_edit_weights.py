"""The Playground's "Edit weights" mode through AppTest.

AppTest cannot type into a data_editor; it seeds one's edit state, the
``{"edited_rows": {row: {column: value}}}`` dict the browser sends, before a run.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp_ui import keys
from tests.apptest_support import assert_clean, click, metrics, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")


def editors(at: AppTest) -> list:
    return [e for e in at.data_editor if e.key and e.key.startswith(keys.EDIT_TABLE)]


def type_in(at: AppTest, table: int, row: int, column: str, value) -> AppTest:
    """Type ``value`` into one cell of the ``table``-th weight table and let the page run."""
    key = editors(at)[table].key
    at.session_state[key] = {"edited_rows": {row: {column: value}}, "added_rows": [],
                             "deleted_rows": []}
    at.run()
    assert_clean(at)
    return at


def outputs(at: AppTest) -> list[str]:
    """The truth table's output column."""
    tables = [d.value for d in at.dataframe if "output" in getattr(d.value, "columns", [])]
    assert len(tables) == 1
    return list(tables[0]["output"])


def edit_mode(at: AppTest) -> AppTest:
    at.toggle(key=keys.EDIT_WEIGHTS).set_value(True).run()
    assert_clean(at)
    return at


def test_edit_mode_is_off_by_default_and_shows_the_tutorials_tables():
    at = open_app()
    assert at.toggle(key=keys.EDIT_WEIGHTS).value is False
    assert not editors(at)
    edit_mode(at)
    tables = editors(at)
    assert [t.value.shape for t in tables] == [(2, 3), (3, 1)]
    assert list(tables[0].value.columns) == ["h1", "h2", "h3"]
    assert list(tables[1].value.index) == ["h1", "h2", "h3"]
    np.testing.assert_array_equal(tables[1].value["out"], [0.7, 0.8, 0.9])
    captions = [c.value for c in at.main.caption]
    assert "**weight_hidden** (2x3)" in captions and "**weight_output** (3x1)" in captions


def test_editing_weight_output_changes_the_truth_table_and_the_loss():
    at = edit_mode(open_app())
    before_outputs, before_loss = outputs(at), metrics(at)["Train loss"]
    type_in(at, 1, 0, "out", -20.0)
    trainer = at.session_state[keys.RUN].trainer
    assert trainer.net.weights[1][0, 0] == -20.0
    assert outputs(at) != before_outputs
    assert metrics(at)["Train loss"] != before_loss
    # The table now starts from the edited weights, with nothing left to re-apply.
    assert editors(at)[1].value["out"].tolist() == [-20.0, 0.8, 0.9]
    assert any("optimizer's state starts afresh" in c.value for c in at.main.caption)


@pytest.mark.parametrize("value, says", [(None, "is empty or not a number"),
                                         (1e9, "= 1e+09")])
def test_a_bad_value_is_refused_with_a_message(value, says):
    at = edit_mode(open_app())
    before = at.session_state[keys.RUN].trainer.net.params.copy()
    type_in(at, 0, 1, "h2", value)
    assert [e.value for e in at.error] == [
        f"weight_hidden[x2, h2] {says}: a weight must be a number within ±10000. "
        "Nothing was changed."]
    np.testing.assert_array_equal(at.session_state[keys.RUN].trainer.net.params, before)


def test_train_goes_on_from_the_edited_weights():
    at = click(edit_mode(open_app()), "btn-step")
    type_in(at, 1, 2, "out", 5.0)
    trainer = at.session_state[keys.RUN].trainer
    assert trainer.edited_epochs == [1] and trainer.net.weights[1][2, 0] == 5.0
    click(at, "btn-step")
    assert trainer.epoch == 2 and metrics(at)["Epoch"] == "2"
    # one plain gradient step from 5.0, not from the old 0.9
    assert abs(trainer.net.weights[1][2, 0] - 5.0) < 0.1


def test_the_digits_matrices_are_too_big_to_edit():
    at = edit_mode(click(open_app(), "preset-digits"))
    assert not editors(at)
    assert any("64x32" in c.value for c in at.main.caption)


def test_or_by_hand_opens_editing_and_is_solved_by_typing_the_descriptions_weights():
    at = click(open_app(), "preset-or-by-hand")
    assert at.toggle(key=keys.EDIT_WEIGHTS).value is True
    assert outputs(at) == ["0.500000"] * 4, "all weights 0: sigmoid(0) everywhere"
    type_in(at, 0, 0, "out", 10.0)
    type_in(at, 0, 1, "out", 10.0)
    type_in(at, 1, 0, "out", -5.0)
    assert [s.value for s in at.success] == ["All 4 rows right."]
    assert metrics(at)["Accuracy"] == "4/4"


def test_the_or_by_hand_link_opens_editing():
    at = open_app(preset="or-by-hand")
    assert at.toggle(key=keys.EDIT_WEIGHTS).value is True
    assert [t.value.shape for t in editors(at)] == [(2, 1), (1, 1)]
