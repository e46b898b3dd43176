"""What the classroom tests share: a throwaway SQLite store, runs saved into a class, links."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from mlp_core.settings import Settings
from mlp_store import ENV_VAR, RunIn, Store, open_store
from mlp_ui.classlink import Rules, link_params
from tests.apptest_support import APP, assert_clean

PRESET = Settings(dataset="xor", hidden=2, init="xavier", bias=True, lr=0.5, epochs=300)


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    """A new SQLite database for this test, which the app (AppTest, same process) uses too."""
    monkeypatch.setenv(ENV_VAR, f"sqlite:///{tmp_path / 'playground.db'}")
    return open_store()


def make_class(store: Store, *, hidden=("lr",), locked=("dataset", "hidden"), name="Year 11",
               preset: Settings = PRESET):
    """A class held by ``hidden``/``locked``; returns (ClassInfo, teacher secret, link params)."""
    info, secret = store.create_class(name, urlencode(preset.to_query()),
                                      {"hidden": list(hidden), "locked": list(locked)})
    rules = Rules.from_preset(preset, hidden, locked, class_code=info.code)
    return info, secret, link_params(store.signing_key(), rules, preset)


def save_run(store: Store, code: str | None, nickname: str | None, *, hidden: int = 2,
             seed: int = 0, test_accuracy: float | None = 0.75, train_accuracy: float = 1.0,
             workspace: str | None = None, status: str = "finished") -> str:
    """A run saved through the store's API, as runs-ui's saving will save it."""
    settings = Settings(dataset="xor", hidden=hidden, seed=seed, init="xavier", bias=True)
    return store.save_run(RunIn(
        workspace=workspace or secrets.token_urlsafe(18), run_key=secrets.token_hex(8),
        kind="playground", status=status, title=f"xor 2-{hidden}-1 seed {seed}",
        settings={k: str(v).lower() if isinstance(v, bool) else str(v)
                  for k, v in vars(settings).items()},
        link="?" + urlencode(settings.to_query()), data_spec={"dataset": "xor"},
        seeds={"init": seed, "data": seed, "shuffle": seed}, versions={"mlp_playground": "0"},
        metrics={"train_loss": 0.01, "test_loss": 0.2, "train_accuracy": train_accuracy,
                 "test_accuracy": test_accuracy, "train_r2": None, "test_r2": None},
        loss_epochs=[0, 100, 300], loss_values=[0.7, 0.3, 0.01], model="", epochs=300,
        seconds=0.5, class_code=code, nickname=nickname))


def open_link(params: dict, **state) -> AppTest:
    """The app as a fresh session opening a link with ``params`` (``state`` put in first)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert_clean(at)
    return at
