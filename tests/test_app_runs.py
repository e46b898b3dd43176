"""The Runs page and the Playground's saving, through AppTest on a real SQLite file."""

from __future__ import annotations

import csv
import io
import time

import numpy as np
import pytest

from mlp_store import open_store
from mlp_ui import runs, saving
from mlp_ui.workspace import FRESH, WORKSPACE
from tests.apptest_support import assert_clean, click, metrics, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

ID = "apptest-workspace-000000001"
XOR = {"dataset": "xor", "hidden": "4", "init": "xavier", "bias": "true", "lr": "0.5",
       "epochs": "2000"}


@pytest.fixture
def db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("MLP_PLAYGROUND_DB", url)
    return url


def app(**query):
    """A fresh session whose browser has reported workspace ``ID`` (AppTest runs no JS)."""
    from streamlit.testing.v1 import AppTest

    from tests.apptest_support import APP

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[WORKSPACE] = ID
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert_clean(at)
    return at


def train(at):
    click(at, "btn-train")
    assert metrics(at)["Epoch"] == f"{int(at.session_state['epochs']):,}"
    return at


def runs_page(at):
    at.switch_page("pages/runs.py").run()
    assert_clean(at)
    return at


def saved_rows(url, at_least: int = 0):
    """This workspace's saved runs, once at least ``at_least`` have landed (saves queue)."""
    deadline = time.monotonic() + 60
    while True:
        rows = open_store(url).list_runs(ID)
        if len(rows) >= at_least or time.monotonic() > deadline:
            return rows
        time.sleep(0.1)


def test_a_finished_run_is_saved_listed_and_reopens_with_its_weights(db):
    at = train(app(**XOR))
    rows = saved_rows(db, 1)
    assert [(r.kind, r.status, r.title) for r in rows] == \
        [("playground", "finished", "xor 2-4-1 sigmoid, lr 0.5")]
    trained = at.session_state["run"].net.params.copy()
    runs_page(at)
    table = at.dataframe[0].value
    assert list(table["title"]) == ["xor 2-4-1 sigmoid, lr 0.5"]
    assert table["train accuracy"][0] == 1.0
    at.multiselect(key=runs.PICK_KEY).set_value([rows[0].id]).run()
    assert_clean(at)
    # another session (a second tab, or after a restart) reopens it
    other = app()
    runs_page(other)
    other.multiselect(key=runs.PICK_KEY).set_value([rows[0].id]).run()
    click(other, "runs-reopen")
    assert other.session_state["dataset"] == "xor" and other.session_state["hidden"] == 4
    assert other.session_state["lr"] == 0.5 and other.session_state["epochs"] == 2000
    np.testing.assert_array_equal(other.session_state["run"].net.params, trained)
    assert metrics(other)["Accuracy"] == "4/4"
    said = [s.value.replace("\\", "") for s in other.success]   # Markdown escapes off
    assert any(s.startswith("Reopened xor 2-4-1 sigmoid, lr 0.5: its settings") for s in said)


def test_two_seeds_are_compared_and_grouped(db):
    at = train(app(**XOR))
    at.session_state["seed"] = 1
    at.run()
    train(at)
    rows = saved_rows(db, 2)
    assert len(rows) == 2
    runs_page(at)
    at.multiselect(key=runs.PICK_KEY).set_value([r.id for r in rows]).run()
    assert_clean(at)
    headers = [h.value for h in at.header]
    assert "Compare" in headers and "Seeds" in headers
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"Training loss"' in c for c in charts)
    assert any("median over seeds" in c for c in charts)
    assert any("parcoords" in c for c in charts)
    exported = list(csv.DictReader(io.StringIO(runs.csv_text(at.dataframe[0].value))))
    assert [(r["run"], r["seed"], r["title"]) for r in exported] == \
        [("R2", "1", "xor 2-4-1 sigmoid, lr 0.5"), ("R1", "0", "xor 2-4-1 sigmoid, lr 0.5")]
    compared = at.dataframe[1].value          # settings that differ: the seed alone
    assert list(compared.index) == ["Seed"]
    at.toggle(key="runs-diff-only").set_value(False).run()
    assert len(at.dataframe[1].value.index) > 10


def test_delete_asks_first_then_deletes(db):
    at = train(app(**XOR))
    runs_page(at)
    run_id = saved_rows(db, 1)[0].id
    at.multiselect(key=runs.PICK_KEY).set_value([run_id]).run()
    click(at, "runs-delete")
    assert saved_rows(db)                      # not yet: it asks
    click(at, "runs-delete-yes")
    assert saved_rows(db) == []
    assert any("No runs yet" in i.value for i in at.info)


def test_an_unreachable_database_says_so_once_and_training_works(monkeypatch):
    monkeypatch.setenv("MLP_PLAYGROUND_DB",
                       "postgresql+psycopg://nobody:x@127.0.0.1:9/none?connect_timeout=2")
    at = train(app(**XOR))
    deadline = time.monotonic() + 30
    while not not_saving(at):
        assert time.monotonic() < deadline, [w.value for w in at.warning]
        time.sleep(0.2)
        at.run()
    assert "127.0.0.1" in not_saving(at)[0]                 # the reason, in one sentence
    assert metrics(at)["Accuracy"] == "4/4"
    at.run()
    assert not not_saving(at)                                # once
    runs_page(at)
    assert not_saving(at)


def not_saving(at) -> list[str]:
    """The "Runs are not being saved" warnings on the page (Markdown escapes taken off)."""
    said = [w.value.replace("\\", "") for w in at.warning]
    return [s for s in said if s.startswith("Runs are not being saved: ")]


def test_a_first_visit_saves_under_the_id_the_page_offers_its_browser(db):
    # A browser with no cookie takes the id the server offers (the component keeps it), so
    # the server saves under that id at once, without waiting for a report (a rerun that
    # raced the first press). AppTest sends no cookie and runs no JS: a first visit.
    at = open_app(**XOR)
    offered = at.session_state[FRESH]
    assert at.session_state[WORKSPACE] == offered
    click(at, "btn-train")
    assert metrics(at)["Accuracy"] == "4/4"
    assert saving.SAVE_DUE not in at.session_state
    deadline = time.monotonic() + 60
    while not open_store(db).list_runs(offered) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [r.status for r in open_store(db).list_runs(offered)] == ["finished"]


def test_a_sweep_is_saved_and_shows_its_rows(db):
    at = app(**{**XOR, "epochs": "300"})
    at.switch_page("pages/sweep.py").run()
    at.number_input(key="sweep_low").set_value(1)
    at.number_input(key="sweep_high").set_value(2)
    at.number_input(key="sweep_seeds").set_value(2).run()
    click(at, "sweep-run")
    rows = saved_rows(db, 1)
    assert [(r.kind, r.status) for r in rows] == [("sweep", "finished")]
    assert rows[0].title == "sweep xor widths 1-2 sigmoid, lr 0.5"
    runs_page(at)
    at.multiselect(key=runs.PICK_KEY).set_value([rows[0].id]).run()
    assert_clean(at)
    assert at.button(key="runs-reopen").disabled
    sweep_rows = at.dataframe[-1].value
    assert len(sweep_rows) == 4 and set(sweep_rows["hidden"]) == {1, 2}


def test_a_grid_sweep_is_saved_and_shows_a_row_per_cell(db):
    at = app(**{**XOR, "epochs": "300"})
    at.switch_page("pages/grid.py").run()
    at.text_input(key="grid_widths").set_value("1, 2").run()
    at.number_input(key="grid_seeds").set_value(2).run()
    at.number_input(key="grid_folds").set_value(2).run()
    click(at, "grid-run")
    rows = saved_rows(db, 1)
    assert [(r.kind, r.status) for r in rows] == [("sweep", "finished")]
    assert rows[0].title == "grid sweep xor widths 1-2, 2 of 2 cells"
    runs_page(at)
    at.multiselect(key=runs.PICK_KEY).set_value([rows[0].id]).run()
    assert_clean(at)
    cells = at.dataframe[-1].value
    assert list(cells["hidden"]) == [1, 2] and list(cells["trainings"]) == [4, 4]


def test_the_playground_offers_the_report_once_trained(db):
    at = app(**XOR)
    labels = {b.label: b for b in at.get("download_button")}
    assert labels["Download report (HTML)"].proto.disabled
    train(at)
    labels = {b.label: b for b in at.get("download_button")}
    assert not labels["Download report (HTML)"].proto.disabled


def test_a_class_members_run_joins_the_class(db):
    store = open_store(db)
    info, _ = store.create_class("3B", "?dataset=xor", {"hidden": [], "locked": []})
    store.join_class(info.code, "ada", ID)
    at = app(**XOR)
    at.session_state[saving.CLASS_MEMBER] = (info.code, "ada")   # as mlp_ui.classroom sets it
    train(at)
    saved_rows(db, 1)
    board = store.class_runs(info.code)
    assert [(r.nickname, r.title) for r in board] == [("ada", "xor 2-4-1 sigmoid, lr 0.5")]
