"""A Streamlit server on a free loopback port for the load test, and finding one that runs."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from .common import REPO_ROOT, LoadTestError, _now


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = _now() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise LoadTestError(f"streamlit exited with code {proc.returncode} before healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if _now() > deadline:
            raise LoadTestError(f"{url} not healthy after {timeout:.0f} s")
        time.sleep(0.25)


@dataclass
class Server:
    url: str
    pid: int | None
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None:
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def start_server(app_dir: Path = REPO_ROOT, extra_args: tuple[str, ...] = (),
                 timeout: float = 60.0, env: dict[str, str] | None = None) -> Server:
    """``streamlit run app.py`` on a free loopback port, from ``app_dir``; waits for health.

    ``env`` adds to this process's environment (the runs store's URL, say).
    """
    port = free_port()
    log_fd, log_name = tempfile.mkstemp(prefix="loadtest-streamlit-", suffix=".log")
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           *extra_args]
    with os.fdopen(log_fd, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=app_dir, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"})
    server = Server(f"http://127.0.0.1:{port}", proc.pid, proc, Path(log_name))
    try:
        wait_healthy(server.url, timeout, proc)
    except BaseException:
        tail = server.log_tail()
        server.stop()
        raise LoadTestError(f"server did not start:\n{tail}") from None
    return server


def find_listening_pid(port: int) -> int | None:
    """The pid of the process listening on ``port`` on this machine, or None."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            return conn.pid
    return None
