"""A throwaway PostgreSQL server for tests: Debian's binaries, run as the ``postgres`` user.

``PostgresServer.start()`` makes a cluster in a fresh folder under /tmp (``initdb`` with
trust auth, no fsync: the data is thrown away), starts it on a free 127.0.0.1 port with its
socket inside that folder, and ``stop()`` stops it and removes the folder. ``find_bindir``
looks on PATH, then in /usr/lib/postgresql/<version>/bin (Debian keeps them there and puts
only wrappers on PATH). ``unavailable_reason()`` says why a server cannot be started here.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60
RUN_AS = ["runuser", "-u", "postgres", "--"]


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, newest version first; None when not installed."""
    on_path = shutil.which("initdb")
    if on_path:
        folder = Path(on_path).resolve().parent
        if (folder / "pg_ctl").exists():
            return folder
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: _version_number(p.parent.parent.name), reverse=True)
    return versions[0].parent if versions else None


def _version_number(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def unavailable_reason() -> str | None:
    """Why a throwaway server cannot run on this machine, or None when it can."""
    if find_bindir() is None:
        return "PostgreSQL is not installed (no initdb; apt-get install postgresql)"
    if os.geteuid() != 0:
        return "starting a PostgreSQL cluster as the postgres user needs root (runuser)"
    if shutil.which("runuser") is None:
        return "runuser is not available"
    try:
        subprocess.run(["id", "postgres"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return "there is no postgres user"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """One running throwaway cluster; ``url(db)`` is a SQLAlchemy URL for database ``db``."""

    bindir: Path
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed")
        folder = Path(tempfile.mkdtemp(prefix="mlp-pg-", dir="/tmp"))
        shutil.chown(folder, "postgres", "postgres")
        server = cls(bindir, folder, free_port())
        try:
            server._run("initdb", "-D", str(server.data), "-U", "postgres", "-A", "trust",
                        "-E", "UTF8", "--no-sync", "--no-instructions")
            server.resume()
        except BaseException:
            server._remove()
            raise
        return server

    def halt(self) -> None:
        """Stop the server but keep its data (``resume`` starts it again on the same port)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
                  "-w", "-t", str(START_TIMEOUT_S), "-o", self._options(), "start")

    def _options(self) -> str:
        return (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run([*RUN_AS, str(self.bindir / program), *args],
                              capture_output=True, text=True, cwd=self.folder,
                              timeout=START_TIMEOUT_S + 30)
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): "
                               f"{done.stderr.strip() or done.stdout.strip()}\n{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')   # name made here, not input
        return self.url(name)

    def create_schema(self) -> str:
        """A new empty schema in the ``postgres`` database, as the URL's search_path: a
        fresh, empty place in milliseconds (a new database takes most of a second)."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{name}"')   # name made here, not input
        return f"{self.url()}?options=-csearch_path%3D{name}"

    def drop_schema(self, url: str) -> None:
        import psycopg

        name = url.rsplit("%3D", 1)[1]
        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self._conninfo(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _conninfo(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
