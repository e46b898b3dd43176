"""Runs, classes and lesson progress kept in a database (SQLAlchemy 2 + Alembic).

``open_store()`` gives the one ``Store`` of this process for a database URL: the argument,
else ``$MLP_PLAYGROUND_DB`` (any SQLAlchemy URL; ``postgresql://`` uses psycopg 3), else
the SQLite file ``data/playground.db`` next to the app. Opening runs the migrations.
No Streamlit, no Plotly: pages reach this through ``mlp_ui``. See docs/storage.md.
"""

from __future__ import annotations

import threading
import time

from alembic.util import CommandError
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from mlp_store.engine import ENV_VAR, make_engine, migrate, resolve_url
from mlp_store.errors import SaveRefused, StoreUnavailable
from mlp_store.records import (
    CLASS_NAME_MAX,
    EXTRA_MAX,
    JSON_MAX,
    KEY_MAX,
    KINDS,
    LINK_MAX,
    LOSS_POINTS_MAX,
    MODEL_MAX,
    NICKNAME_MAX,
    SAVES_PER_MINUTE,
    STATUSES,
    TITLE_MAX,
    ClassInfo,
    RunIn,
    RunRecord,
    RunSummary,
    Student,
)
from mlp_store.store import Store, reason_of

__all__ = [
    "CLASS_NAME_MAX", "ENV_VAR", "EXTRA_MAX", "JSON_MAX", "KEY_MAX", "KINDS", "LINK_MAX",
    "LOSS_POINTS_MAX", "MODEL_MAX", "NICKNAME_MAX", "SAVES_PER_MINUTE", "STATUSES",
    "TITLE_MAX", "ClassInfo", "RunIn", "RunRecord", "RunSummary", "SaveRefused", "Store",
    "StoreUnavailable", "Student", "open_store",
]

# After a failed open, the same URL is not tried again for this long: a page that opens the
# store on every rerun must not wait for a connect timeout each time.
RETRY_AFTER_S = 10.0

_stores: dict[str, Store] = {}
_failures: dict[str, tuple[float, StoreUnavailable]] = {}
_open_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The process's Store for ``url`` (see the module docstring), migrated to the newest schema.

    Raises
    ------
    StoreUnavailable
        The database cannot be reached or migrated; the message is one sentence.
    """
    try:
        resolved = resolve_url(url)
    except (ArgumentError, ValueError) as error:
        raise StoreUnavailable(f"The database URL is not valid ({reason_of(error)}).") from error
    key = resolved.render_as_string(hide_password=False)
    with _open_lock:
        if key in _stores:
            return _stores[key]
        failed = _failures.get(key)
        if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER_S:
            raise failed[1]
        try:
            store = _open(resolved)
        except StoreUnavailable as error:
            _failures[key] = (time.monotonic(), error)
            raise
        _failures.pop(key, None)
        _stores[key] = store
        store._on_close.append(lambda: _forget(key, store))
        return store


def _forget(key: str, store: Store) -> None:
    with _open_lock:
        if _stores.get(key) is store:
            del _stores[key]


def _open(resolved) -> Store:
    where = resolved.render_as_string(hide_password=True)
    try:
        engine = make_engine(resolved)
    except (NoSuchModuleError, ImportError) as error:
        raise StoreUnavailable(f"No database driver for {where} ({reason_of(error)}).") from error
    except OSError as error:
        raise StoreUnavailable(f"The database folder cannot be made ({error}).") from error
    try:
        migrate(engine)
    except CommandError as error:   # e.g. a database migrated by a newer version of the app
        engine.dispose()
        raise StoreUnavailable(
            f"The runs database at {where} cannot be migrated ({reason_of(error)}).") from error
    except (SQLAlchemyError, OSError) as error:
        engine.dispose()
        raise StoreUnavailable(
            f"The runs database at {where} is not available ({reason_of(error)}).") from error
    return Store(engine)
