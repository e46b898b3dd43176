"""mlp_store on a real SQLite file and a real PostgreSQL server (tests/postgres_support.py).

Every test that takes ``store`` or ``store_url`` runs on both backends; the PostgreSQL run
is skipped locally when no cluster can be started, and fails under CI=true.
"""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

import mlp_store
from mlp_core import model_io
from mlp_core.network import Network
from mlp_store import (
    RunIn,
    SaveRefused,
    Store,
    StoreUnavailable,
    open_store,
)
from mlp_store.engine import alembic_config, current_revision, make_engine, resolve_url
from mlp_store.models import Base, ClassRow
from mlp_store.store import RateLimiter

REPO = Path(__file__).resolve().parents[1]
TABLES = {"runs", "classes", "students", "progress", "store_meta", "alembic_version"}


@pytest.fixture
def store(store_url):
    opened = open_store(store_url)
    yield opened
    opened.close()


def workspace() -> str:
    """A fresh workspace id: the save rate limit is per workspace, per process."""
    return uuid.uuid4().hex


def model_text(seed: int = 0) -> str:
    net = Network.create(2, (4,), activation="tanh", bias=True, seed=seed)
    return model_io.dumps(net, {"data": "xor", "lr": 0.5})


def make_run(ws: str, key: str = "run-1", **changes) -> RunIn:
    run = RunIn(
        workspace=ws, run_key=key, kind="playground", status="finished",
        title="xor 2-4-1 tanh, lr 0.5", settings={"data": "xor", "lr": "0.5", "hidden": "4"},
        link="?data=xor&lr=0.5&hidden=4",
        data_spec={"dataset": "xor", "samples": 4, "noise": 0.0, "seed": 1},
        seeds={"init": 3, "data": 1, "shuffle": 2},
        versions={"mlp_playground": "0.1.0", "numpy": "2.1", "python": "3.11"},
        metrics={"train_loss": 0.01, "test_loss": None, "train_accuracy": 1.0},
        loss_epochs=[0, 10, 20], loss_values=[0.7, 0.3, 0.01], model=model_text(),
        epochs=20, seconds=0.25, extra={"note": "é ünïcode"},
    )
    return dataclasses.replace(run, **changes)


# ---- opening and migrating ----------------------------------------------------------------


def test_migrations_from_empty_reach_head_and_match_the_models(store_url):
    store = open_store(store_url)
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current_revision(store.engine) == head
        assert set(inspect(store.engine).get_table_names()) >= TABLES
        with store.engine.connect() as connection:
            # The hand-written migration creates exactly what the models declare.
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        store.close()


def test_open_store_is_one_store_per_url(store_url):
    first = open_store(store_url)
    try:
        assert open_store(store_url) is first
    finally:
        first.close()
    second = open_store(store_url)   # closed: opened afresh, already migrated
    assert second is not first and second.count_runs() == 0
    second.close()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'runs.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    store.close()


def test_the_url_comes_from_the_argument_then_the_environment_then_data(monkeypatch, tmp_path):
    monkeypatch.delenv(mlp_store.ENV_VAR, raising=False)
    assert resolve_url().database == str(REPO / "data" / "playground.db")
    monkeypatch.setenv(mlp_store.ENV_VAR, f"sqlite:///{tmp_path / 'env.db'}")
    assert resolve_url().database == str(tmp_path / "env.db")
    assert resolve_url("sqlite:///other.db").database == "other.db"
    # A bare postgresql:// means psycopg 3, the driver the requirements install.
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_a_missing_sqlite_folder_is_made(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'a' / 'b' / 'runs.db'}")
    assert (tmp_path / "a" / "b" / "runs.db").exists()
    store.close()


# ---- runs ---------------------------------------------------------------------------------


def test_save_then_load_gives_back_every_field(store):
    ws = workspace()
    run = make_run(ws)
    run_id = store.save_run(run)
    record = store.get_run(run_id)
    assert record.id == run_id and record.workspace == ws
    for name in ("kind", "status", "title", "settings", "link", "data_spec", "seeds",
                 "versions", "metrics", "loss_epochs", "loss_values", "model", "epochs",
                 "seconds", "extra"):
        assert getattr(record, name) == getattr(run, name), name
    assert record.created.tzinfo is not None and record.updated >= record.created
    assert record.class_id is None and record.nickname is None and record.hidden is False
    # The model file comes back byte for byte and still loads.
    net, training = model_io.loads(record.model)
    assert training["lr"] == 0.5 and net.layer_sizes == (2, 4, 1)


def test_saving_the_same_run_key_again_updates_that_run(store):
    ws = workspace()
    first = store.save_run(make_run(ws, status="paused", epochs=10))
    created = store.get_run(first).created
    again = store.save_run(make_run(ws, status="finished", epochs=20))
    assert again == first
    assert store.count_runs() == 1
    record = store.get_run(first)
    assert (record.status, record.epochs, record.created) == ("finished", 20, created)
    assert record.updated >= created


def test_list_runs_is_this_workspaces_newest_first_and_filters_by_kind(store):
    ws, other = workspace(), workspace()
    ids = [store.save_run(make_run(ws, f"k{i}", kind=kind))
           for i, kind in enumerate(["playground", "sweep", "playground", "race"])]
    store.save_run(make_run(other, "k0"))
    listed = store.list_runs(ws)
    assert [run.id for run in listed] == ids[::-1]
    assert [run.id for run in store.list_runs(ws, kind="playground")] == [ids[2], ids[0]]
    assert len(store.list_runs(ws, limit=2)) == 2
    assert all(run.workspace == ws for run in listed)
    assert not hasattr(listed[0], "model")   # summaries stay light


def test_get_and_delete_only_for_the_owning_workspace(store):
    ws, stranger = workspace(), workspace()
    run_id = store.save_run(make_run(ws))
    assert store.get_run(run_id, workspace=stranger) is None
    assert store.get_run(run_id, workspace=ws).id == run_id
    assert store.delete_run(run_id, stranger) is False
    assert store.count_runs() == 1
    assert store.delete_run(run_id, ws) is True
    assert store.get_run(run_id) is None and store.count_runs() == 0
    assert store.delete_run(run_id, ws) is False
    assert store.get_run("not-a-run-id") is None


def test_a_diverged_run_keeps_its_non_finite_numbers_as_missing(store):
    run = make_run(workspace(), status="diverged", loss_values=[0.7, math.inf, math.nan],
                   metrics={"train_loss": math.nan, "train_accuracy": 0.5})
    record = store.get_run(store.save_run(run))
    assert record.metrics == {"train_loss": None, "train_accuracy": 0.5}
    assert record.loss_values[0] == 0.7
    assert math.isnan(record.loss_values[1]) and math.isnan(record.loss_values[2])


def test_numpy_numbers_and_tuples_are_stored_as_plain_json(store):
    run = make_run(workspace(), seeds={"init": np.int64(3), "data": np.int32(1)},
                   metrics={"train_loss": np.float32(0.25), "test_r2": np.float64(np.nan)},
                   extra={"path": np.array([[0.5, 1.0]]), "sizes": (2, 4, 1)},
                   loss_epochs=np.array([0, 5]), loss_values=np.array([0.5, 0.25]))
    record = store.get_run(store.save_run(run))
    assert record.seeds == {"init": 3, "data": 1}
    assert record.metrics == {"train_loss": 0.25, "test_r2": None}
    assert record.extra == {"path": [[0.5, 1.0]], "sizes": [2, 4, 1]}
    assert (record.loss_epochs, record.loss_values) == ([0, 5], [0.5, 0.25])


def test_something_that_is_not_json_is_refused(store):
    with pytest.raises(SaveRefused, match="JSON"):
        store.save_run(make_run(workspace(), extra={"when": object()}))
    assert store.count_runs() == 0


def test_text_that_looks_like_sql_is_stored_as_text(store):
    title = "x'); DROP TABLE runs; --"
    run_id = store.save_run(make_run(workspace(), title=title))
    assert store.get_run(run_id).title == title and store.count_runs() == 1


# ---- size limits --------------------------------------------------------------------------

TOO_BIG = {
    "title": "t" * (mlp_store.TITLE_MAX + 1),
    "link": "?" + "a" * mlp_store.LINK_MAX,
    "settings": {"s": "x" * mlp_store.JSON_MAX},
    "metrics": {"m": "x" * mlp_store.JSON_MAX},
    "seeds": {"s": "x" * mlp_store.JSON_MAX},
    "versions": {"v": "x" * mlp_store.JSON_MAX},
    "data_spec": {"d": "x" * mlp_store.JSON_MAX},
    "extra": {"rows": "x" * mlp_store.EXTRA_MAX},
    "model": "m" * (mlp_store.MODEL_MAX + 1),
    "loss_epochs": list(range(mlp_store.LOSS_POINTS_MAX + 1)),
    "nickname": "n" * (mlp_store.NICKNAME_MAX + 1),
    "run_key": "k" * (mlp_store.KEY_MAX + 1),
    "kind": "homework",
    "status": "lost",
}


@pytest.mark.parametrize("field", sorted(TOO_BIG))
def test_every_field_over_its_limit_is_refused_with_nothing_saved(store, field):
    changes = {field: TOO_BIG[field]}
    if field == "loss_epochs":
        changes["loss_values"] = [0.5] * len(changes["loss_epochs"])
    with pytest.raises(SaveRefused) as refused:
        store.save_run(make_run(workspace(), **changes))
    message = str(refused.value)
    assert message.endswith(".") and "\n" not in message
    assert store.count_runs() == 0


def test_fields_at_their_limits_are_kept(store):
    points = mlp_store.LOSS_POINTS_MAX
    run = make_run(workspace(), title="t" * mlp_store.TITLE_MAX,
                   nickname="n" * mlp_store.NICKNAME_MAX,
                   loss_epochs=list(range(points)), loss_values=[0.5] * points)
    record = store.get_run(store.save_run(run))
    assert len(record.title) == mlp_store.TITLE_MAX and len(record.loss_values) == points


def test_a_model_near_the_limit_round_trips(store):
    model = "w" * (mlp_store.MODEL_MAX - 10)
    record = store.get_run(store.save_run(make_run(workspace(), model=model)))
    assert record.model == model


# ---- the save rate limit ------------------------------------------------------------------


def test_the_31st_save_in_a_minute_is_refused_for_that_workspace_only(store):
    ws = workspace()
    for i in range(mlp_store.SAVES_PER_MINUTE):
        store.save_run(make_run(ws, f"k{i}"))
    with pytest.raises(SaveRefused, match="Too many saves"):
        store.save_run(make_run(ws, "one-more"))
    assert store.count_runs() == mlp_store.SAVES_PER_MINUTE
    store.save_run(make_run(workspace()))   # another browser is not held back
    assert store.count_runs() == mlp_store.SAVES_PER_MINUTE + 1


def test_the_rate_limit_window_slides():
    now = [1000.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    assert [limiter.allow("w") for _ in range(4)] == [True, True, True, False]
    now[0] += 59.0
    assert limiter.allow("w") is False
    now[0] += 1.0
    assert limiter.allow("w") is True


# ---- classes ------------------------------------------------------------------------------


def new_class(store, name="Period 3"):
    return store.create_class(name, "?data=xor&hidden=2", {"hidden": ["lr"], "locked": ["data"]})


def test_a_class_has_an_unguessable_code_and_a_secret_stored_only_hashed(store):
    info, secret = new_class(store)
    other, other_secret = new_class(store)
    assert len(info.code) >= 12 and info.code != other.code and secret != other_secret
    assert store.class_by_code(info.code) == info
    assert info.controls == {"hidden": ["lr"], "locked": ["data"]}
    assert info.link == "?data=xor&hidden=2"
    assert store.class_by_code("no-such-code") is None
    with store.engine.connect() as connection:
        row = connection.execute(select(ClassRow).where(ClassRow.code == info.code)).one()
    assert secret.encode() not in b"".join(
        v if isinstance(v, bytes) else str(v).encode() for v in row)


def test_teacher_ok_only_with_that_class_s_secret(store):
    info, secret = new_class(store)
    other, other_secret = new_class(store)
    assert store.teacher_ok(info.code, secret) is True
    assert store.teacher_ok(info.code, secret) is True   # remembered: same answer
    assert store.teacher_ok(info.code, other_secret) is False
    assert store.teacher_ok(info.code, secret[:-1]) is False
    assert store.teacher_ok(info.code, "") is False
    assert store.teacher_ok("no-such-code", secret) is False


def test_joining_rejoining_and_a_taken_nickname(store):
    info, _ = new_class(store)
    ada_ws, bob_ws = workspace(), workspace()
    ada = store.join_class(info.code, "  Ada  ", ada_ws)
    assert (ada.nickname, ada.class_code, ada.workspace) == ("Ada", info.code, ada_ws)
    again = store.join_class(info.code, "Ada L.", ada_ws)   # same browser: renamed
    assert again.id == ada.id and again.nickname == "Ada L."
    with pytest.raises(ValueError, match="taken"):
        store.join_class(info.code, "ada l.", bob_ws)
    bob = store.join_class(info.code, "Bob", bob_ws)
    assert [s.nickname for s in store.class_students(info.code)] == ["Ada L.", "Bob"]
    assert store.student(info.code, bob_ws) == bob
    assert store.student(info.code, workspace()) is None
    # The nickname is per class: another class can have its own "Bob".
    other, _ = new_class(store)
    assert store.join_class(other.code, "Bob", workspace()).nickname == "Bob"


@pytest.mark.parametrize("nickname", ["", "   ", "x" * 25, "tab\there", "bell\x07"])
def test_bad_nicknames_are_refused_with_a_sentence(store, nickname):
    info, _ = new_class(store)
    with pytest.raises(ValueError) as refused:
        store.join_class(info.code, nickname, workspace())
    assert str(refused.value).endswith(".")
    assert store.class_students(info.code) == []


def test_joining_an_unknown_class_is_refused(store):
    with pytest.raises(ValueError, match="no class"):
        store.join_class("no-such-code", "Ada", workspace())


def test_class_runs_carry_the_students_current_nickname(store):
    info, _ = new_class(store)
    ada_ws, bob_ws = workspace(), workspace()
    store.join_class(info.code, "Ada", ada_ws)
    store.join_class(info.code, "Bob", bob_ws)
    ada_run = store.save_run(make_run(ada_ws, class_code=info.code, nickname="Ada"))
    bob_run = store.save_run(make_run(bob_ws, class_code=info.code, nickname="Bob"))
    store.save_run(make_run(workspace()))   # not in the class
    store.join_class(info.code, "Ada L.", ada_ws)
    runs = store.class_runs(info.code)
    assert [(run.id, run.nickname) for run in runs] == [(bob_run, "Bob"), (ada_run, "Ada L.")]
    assert all(run.class_id == info.code for run in runs)
    assert store.list_runs(ada_ws)[0].class_id == info.code


def test_a_hidden_run_leaves_the_board_but_not_its_owner(store):
    info, _ = new_class(store)
    ws = workspace()
    store.join_class(info.code, "Ada", ws)
    shown = store.save_run(make_run(ws, "a", class_code=info.code))
    hidden = store.save_run(make_run(ws, "b", class_code=info.code))
    store.set_hidden(info.code, hidden, True)
    assert [run.id for run in store.class_runs(info.code, include_hidden=False)] == [shown]
    assert {run.id: run.hidden for run in store.class_runs(info.code)} == {
        shown: False, hidden: True}
    assert len(store.list_runs(ws)) == 2
    # Another class's teacher cannot hide it.
    other, _ = new_class(store)
    store.set_hidden(other.code, shown, True)
    assert store.get_run(shown).hidden is False
    store.set_hidden(info.code, hidden, False)
    assert len(store.class_runs(info.code, include_hidden=False)) == 2


def test_deleting_a_class_deletes_its_students_runs_and_progress_only(store):
    info, secret = new_class(store)
    keep, _ = new_class(store)
    ws, keep_ws = workspace(), workspace()
    store.join_class(info.code, "Ada", ws)
    store.join_class(keep.code, "Ada", keep_ws)
    store.save_run(make_run(ws, "in-class", class_code=info.code))
    own = store.save_run(make_run(ws, "own"))
    kept = store.save_run(make_run(keep_ws, class_code=keep.code))
    store.save_progress(info.code, ws, "xor-hidden", 2, False)
    store.save_progress(keep.code, keep_ws, "xor-hidden", 1, False)
    assert store.teacher_ok(info.code, secret)

    store.delete_class(info.code)

    assert store.class_by_code(info.code) is None
    assert store.class_students(info.code) == [] and store.class_runs(info.code) == []
    assert [run.id for run in store.list_runs(ws)] == [own]
    assert store.progress(ws) == {}
    assert store.teacher_ok(info.code, secret) is False
    assert [run.id for run in store.class_runs(keep.code)] == [kept]
    assert store.class_progress(keep.code) == {"Ada": {"xor-hidden": (1, False)}}
    store.delete_class(info.code)   # again: nothing to do


def test_a_run_saved_after_its_class_was_deleted_is_kept_outside_any_class(store):
    info, _ = new_class(store)
    ws = workspace()
    store.join_class(info.code, "Ada", ws)
    store.delete_class(info.code)
    record = store.get_run(store.save_run(make_run(ws, class_code=info.code, nickname="Ada")))
    assert record.class_id is None and record.nickname == "Ada"


# ---- lesson progress ----------------------------------------------------------------------


def test_progress_is_kept_per_workspace_and_shown_per_class_by_nickname(store):
    info, _ = new_class(store)
    ada_ws, bob_ws, alone = workspace(), workspace(), workspace()
    store.join_class(info.code, "Ada", ada_ws)
    store.join_class(info.code, "Bob", bob_ws)
    store.save_progress(info.code, ada_ws, "xor-hidden", 1, False)
    store.save_progress(info.code, ada_ws, "xor-hidden", 3, True)   # moves on
    store.save_progress(info.code, ada_ws, "or-bias", 0, False)
    store.save_progress(info.code, bob_ws, "diverge", 2, False)
    store.save_progress(None, alone, "xor-hidden", 1, False)
    assert store.progress(ada_ws) == {"xor-hidden": (3, True), "or-bias": (0, False)}
    assert store.progress(alone) == {"xor-hidden": (1, False)}
    assert store.progress(workspace()) == {}
    assert store.class_progress(info.code) == {
        "Ada": {"xor-hidden": (3, True), "or-bias": (0, False)},
        "Bob": {"diverge": (2, False)},
    }


@pytest.mark.parametrize("step", [-1, 1.5, True, 10_000])
def test_a_bad_lesson_step_is_refused(store, step):
    with pytest.raises(ValueError, match="step"):
        store.save_progress(None, workspace(), "xor-hidden", step, False)


# ---- the signing key ----------------------------------------------------------------------


def test_two_stores_on_one_database_share_one_signing_key(store_url):
    first = open_store(store_url)
    second = Store(make_engine(resolve_url(store_url)))   # another replica, as it were
    try:
        key = first.signing_key()
        assert isinstance(key, bytes) and len(key) == 32
        assert second.signing_key() == key
        third = Store(make_engine(resolve_url(store_url)))
        assert third.signing_key() == key
        third.close()
    finally:
        second.close()
        first.close()


# ---- an unreachable database --------------------------------------------------------------


def test_an_unreachable_database_raises_store_unavailable_with_one_sentence(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    closed_port = f"postgresql://nobody@127.0.0.1:{_closed_port()}/nothing"
    urls = [f"sqlite:///{blocker / 'runs.db'}", closed_port, "nonsense://",
            "postgresql+nodriver://x/y", "not a url"]
    for url in urls:
        with pytest.raises(StoreUnavailable) as unavailable:
            open_store(url)
        message = str(unavailable.value)
        assert "\n" not in message and message.endswith("."), message
    with pytest.raises(StoreUnavailable):   # and again (remembered for a few seconds)
        open_store(closed_port)


def test_a_database_from_a_newer_version_of_the_app_is_unavailable_not_a_crash(store_url):
    store = open_store(store_url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    store.close()
    with pytest.raises(StoreUnavailable, match="cannot be migrated"):
        open_store(store_url)


def test_losing_the_database_after_opening_raises_store_unavailable(postgres_server):
    url = postgres_server.create_database()
    store = open_store(url)
    ws = workspace()
    store.save_run(make_run(ws))
    postgres_server.drop_database(url)   # terminates the store's connections too
    with pytest.raises(StoreUnavailable, match="not available"):
        store.save_run(make_run(ws, "after"))
    with pytest.raises(StoreUnavailable):   # at once: not a connect timeout per call
        store.list_runs(ws)
    store.close()


def test_saving_resumes_when_the_database_comes_back(postgres_server):
    from tests.postgres_support import PostgresServer

    server = PostgresServer.start()   # its own: stopping the shared one would hurt others
    try:
        store = open_store(server.create_database())
        ws = workspace()
        store.retry_after = 0.0   # try again on the next call, not 10 s later
        store.save_run(make_run(ws, "before"))
        server.halt()
        with pytest.raises(StoreUnavailable):
            store.save_run(make_run(ws, "while-down"))
        server.resume()
        store.save_run(make_run(ws, "after"))
        assert len(store.list_runs(ws)) == 2   # "before" and "after", nothing half-saved
        store.close()
    finally:
        server.stop()


def _closed_port() -> int:
    from tests.postgres_support import free_port

    return free_port()   # bound then released: nothing listens there


# ---- concurrency --------------------------------------------------------------------------


def test_forty_students_saving_at_once_lose_nothing(store):
    sessions = 40
    start = threading.Barrier(sessions)
    errors, ids = [], []
    model = model_text(seed=1) + " " * 200_000   # a realistic model file size

    def save(i):
        try:
            start.wait()
            ids.append(store.save_run(make_run(workspace(), f"run-{i}", model=model)))
        except Exception as error:   # noqa: BLE001 - any error fails the test below
            errors.append(repr(error))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == sessions and store.count_runs() == sessions


def test_one_run_saved_from_many_places_at_once_stays_one_row(store_url):
    # Separate engines, as separate replicas have: on PostgreSQL the inserts really race.
    stores = [open_store(store_url)] + [Store(make_engine(resolve_url(store_url)))
                                        for _ in range(3)]
    ws, errors, ids = workspace(), [], []
    start = threading.Barrier(8)

    def save(store, status):
        try:
            start.wait()
            ids.append(store.save_run(make_run(ws, "the-run", status=status)))
        except Exception as error:   # noqa: BLE001 - any error fails the test below
            errors.append(repr(error))

    threads = [threading.Thread(target=save, args=(stores[i % 4], status))
               for i, status in enumerate(["paused", "finished"] * 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert len(set(ids)) == 1 and stores[0].count_runs() == 1
    finally:
        for store in stores:
            store.close()


# The child processes build their runs without importing the engine (numba is slow to load).
LIGHT_RUN = """
from mlp_store import RunIn
def make_run(ws, key="run-1", class_code=None):
    return RunIn(workspace=ws, run_key=key, kind="playground", status="finished", title="t",
                 settings={}, link="?", data_spec={}, seeds={}, versions={}, metrics={},
                 loss_epochs=[0], loss_values=[0.5], model="{}", epochs=1, seconds=0.1,
                 class_code=class_code)
"""

CHILD = LIGHT_RUN + """
import sys, time, pathlib
from mlp_store import open_store
url, go, name, saves = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
while not go.exists():
    time.sleep(0.01)
store = open_store(url)
for i in range(saves):
    store.save_run(make_run(name, f"run-{i}"))
print("ok")
"""


REPLICA = LIGHT_RUN + """
import sys
from mlp_store import open_store
url, code, key_hex = sys.argv[1:4]
store = open_store(url)
assert store.signing_key().hex() == key_hex, "another signing key"
store.join_class(code, "Bob", "workspace-of-bob")
store.save_run(make_run("workspace-of-bob", class_code=code))
print(store.class_by_code(code).name)
"""


def test_a_class_made_in_one_process_is_joined_and_seen_from_another(store_url):
    # Two replicas behind nginx are two processes on one database.
    store = open_store(store_url)
    try:
        info, secret = new_class(store, "Shared class")
        store.join_class(info.code, "Ada", "workspace-of-ada")
        done = subprocess.run(
            [sys.executable, "-c", REPLICA, store_url, info.code, store.signing_key().hex()],
            cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "Shared class"
        assert [s.nickname for s in store.class_students(info.code)] == ["Ada", "Bob"]
        assert [run.nickname for run in store.class_runs(info.code)] == ["Bob"]
        assert store.teacher_ok(info.code, secret)
    finally:
        store.close()


def test_two_processes_migrating_and_saving_at_once(store_url, tmp_path):
    go = tmp_path / "go"
    saves = 10
    children = [subprocess.Popen(
        [sys.executable, "-c", CHILD, store_url, str(go), f"process-{i}", str(saves)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(2)]
    go.touch()   # both start on an empty database at the same moment
    results = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, results):
        assert child.returncode == 0 and out.strip() == "ok", err[-2000:]
    store = open_store(store_url)
    try:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with store.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert versions == [(head,)]
        assert store.count_runs() == 2 * saves
    finally:
        store.close()


# ---- python -m mlp_store --------------------------------------------------------------------


def test_the_command_line_migrates_and_backs_up_a_sqlite_database(tmp_path, capsys):
    from mlp_store.__main__ import main

    url = f"sqlite:///{tmp_path / 'runs.db'}"
    assert main(["--url", url, "current"]) == 0
    assert "database at None; newest migration 0001" in capsys.readouterr().out
    assert main(["--url", url, "upgrade"]) == 0
    store = open_store(url)
    run_id = store.save_run(make_run(workspace()))
    assert main(["--url", url, "backup", str(tmp_path / "copy.db")]) == 0
    copy = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    assert copy.get_run(run_id).model == store.get_run(run_id).model
    copy.close()
    store.close()
    assert main(["--url", f"postgresql://x@127.0.0.1:{_closed_port()}/y", "upgrade"]) == 1
    assert "not available" in capsys.readouterr().err
