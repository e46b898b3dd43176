"""The store from a shell: ``python -m mlp_store {current,upgrade,revision,backup}``.

The database is ``--url``, else ``$MLP_PLAYGROUND_DB``, else ``data/playground.db``.
``revision -m "what changed"`` writes a new migration under mlp_store/migrations/versions
from the difference between the models and a database at head (review it before committing).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from alembic import command
from alembic.script import ScriptDirectory

from mlp_store import StoreUnavailable, open_store
from mlp_store.engine import alembic_config, current_revision, make_engine, resolve_url, sqlite_file


def _current(args) -> int:
    engine = make_engine(resolve_url(args.url))
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    print(f"database at {current_revision(engine)}; newest migration {head}")
    return 0


def _upgrade(args) -> int:
    store = open_store(args.url)
    print(f"migrated; {store.count_runs()} runs")
    return 0


def _revision(args) -> int:
    store = open_store(args.url)   # at head, so the difference is only the new models
    config = alembic_config()
    number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=args.message, autogenerate=True,
                         rev_id=f"{number:04d}")
    return 0


def _backup(args) -> int:
    """A consistent copy of a SQLite database, even while the app writes to it."""
    path = sqlite_file(resolve_url(args.url))
    if path is None:
        print("backup copies a SQLite file; for PostgreSQL use pg_dump", file=sys.stderr)
        return 2
    with sqlite3.connect(path) as source, sqlite3.connect(args.to) as target:
        source.backup(target)
    print(f"copied {path} to {args.to}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlp_store", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a SQLAlchemy database URL")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("current", help="the database's migration and the newest one")
    commands.add_parser("upgrade", help="migrate the database to the newest schema")
    revision = commands.add_parser("revision", help="write a new migration from the models")
    revision.add_argument("-m", "--message", required=True)
    backup = commands.add_parser("backup", help="copy a SQLite database safely")
    backup.add_argument("to", help="the file to write")
    args = parser.parse_args(argv)
    actions = {"current": _current, "upgrade": _upgrade, "revision": _revision,
               "backup": _backup}
    try:
        return actions[args.command](args)
    except StoreUnavailable as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
