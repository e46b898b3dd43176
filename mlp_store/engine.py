"""Where the database is, how to connect to it, and bringing its schema to the newest migration.

SQLite (the default, a file under ``data/``): WAL so readers never wait for the writer,
``busy_timeout`` so a writer waits for another process instead of failing, foreign keys on,
and real transactions (``BEGIN``, or ``BEGIN IMMEDIATE`` for writes and migrations) instead
of the sqlite3 module's implicit ones, so a migration is one transaction and a write takes
the lock before it reads. PostgreSQL: psycopg 3, a pool checked before use.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

ENV_VAR = "MLP_PLAYGROUND_DB"
DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "playground.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_S = 5
# Any fixed 64-bit number, the same in every process: pg_advisory_xact_lock's key.
MIGRATION_LOCK_KEY = 0x6D6C7073746F7265   # "mlpstore"
# Alembic's command functions keep global state (its context proxy): one thread at a time.
_MIGRATE_LOCK = threading.Lock()
# Writes ask for this execution option; on SQLite it makes their BEGIN an IMMEDIATE one.
IMMEDIATE = "mlp_store_immediate"


def resolve_url(url: str | None = None) -> URL:
    """The URL to use: ``url``, else ``$MLP_PLAYGROUND_DB``, else the SQLite file under data/.

    A bare ``postgresql://`` means psycopg 3 (SQLAlchemy's default driver is psycopg2).
    """
    text = url or os.environ.get(ENV_VAR) or f"sqlite:///{DEFAULT_PATH}"
    parsed = make_url(text)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: URL) -> Engine:
    """One engine (and its pool) for ``url``, configured for this backend."""
    if is_sqlite(url):
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, pool_size=10, max_overflow=20)
        else:
            engine = create_engine(url, poolclass=StaticPool,
                                   connect_args={"check_same_thread": False})
        _sqlite_events(engine)
        return engine
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if url.get_backend_name() == (
        "postgresql") else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_events(engine: Engine) -> None:
    # SQLAlchemy's documented recipe for SQLite transactions: switch the driver's own
    # transaction handling off and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")   # durable at checkpoints; safe in WAL
        cursor.execute("PRAGMA foreign_keys = ON")
        # After a checkpoint, cut the WAL file back (12 MB models would leave it large).
        cursor.execute("PRAGMA journal_size_limit = 67108864")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _use_wal(cursor) -> None:
    """Put the database file in WAL mode (it stays so: later connections only check).

    Switching needs the file to itself, and SQLite answers "database is locked" at
    once, without the busy timeout, while another process holds it: two servers
    starting on a new file at the same moment. So wait and try again, within the
    busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.01
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(0.2, delay * 2)


def alembic_config() -> Config:
    """Alembic's configuration, built in code: the scripts live inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe when several processes start at once.

    The whole upgrade is one transaction that first takes a lock every other migrating
    process waits for (PostgreSQL: a transaction advisory lock; SQLite: BEGIN IMMEDIATE,
    the database's write lock). The loser then finds the schema at head and does nothing.
    """
    config = alembic_config()
    with _MIGRATE_LOCK, engine.execution_options(**{IMMEDIATE: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
