"""Fixtures for real-browser tests: a Streamlit server and headless Debian Chromium.

Every test under tests/e2e is marked ``e2e``. Select or skip them with
``-m e2e`` / ``-m "not e2e"``.

``MLP_APP_PATH`` (env var) overrides the app script (default: the repo's app.py);
it exists only to exercise these fixtures against a throwaway app.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent

SERVER_START_TIMEOUT_S = 60
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 1000}
# Loopback only: the browser never talks to anything but the local server.
_NON_LOCAL_URL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?::\d+)?(?:/|$))")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<cannot read {path}: {e}>"
    return "\n".join(text.splitlines()[-lines:])


def _app_path() -> Path:
    raw = os.environ.get("MLP_APP_PATH")
    path = Path(raw) if raw else REPO_ROOT / "app.py"
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


@dataclass
class StreamlitServer:
    url: str
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def streamlit_server_info(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The running server: ``.url``, ``.log_path``, ``.log()``, ``.proc``."""
    app = _app_path()
    if not app.is_file():
        # app.py exists now: its absence is a broken checkout, never a reason to skip.
        pytest.fail(f"no Streamlit app at {app} (set MLP_APP_PATH or restore app.py)",
                    pytrace=False)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        # cwd = repo root so the project's .streamlit/config.toml applies.
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, killable as a whole
        )
    url = f"http://127.0.0.1:{port}"
    server = StreamlitServer(url=url, log_path=log_path, proc=proc)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {proc.returncode} before becoming healthy.\n"
                    f"command: {' '.join(cmd)}\n--- server log tail ---\n{_tail(log_path)}",
                    pytrace=False,
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy after {SERVER_START_TIMEOUT_S}s.\n"
                    f"command: {' '.join(cmd)}\n--- server log tail ---\n{_tail(log_path)}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield server
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def streamlit_server(streamlit_server_info: StreamlitServer) -> str:
    """Base URL (``http://127.0.0.1:<port>``, no trailing slash) of the running app."""
    return streamlit_server_info.url


@pytest.fixture(scope="session")
def server_log(streamlit_server_info: StreamlitServer) -> Callable[[], str]:
    """Callable returning the server's combined stdout/stderr so far."""
    return streamlit_server_info.log


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (skips locally / fails in CI if absent)."""

    def unavailable(reason: str):
        if _in_ci():
            pytest.fail(f"browser unavailable under CI: {reason}", pytrace=False)
        pytest.skip(f"browser unavailable: {reason}")

    try:
        from playwright.sync_api import sync_playwright
    except ImportError as e:
        unavailable(f"playwright not importable ({e}); run: pip install -r requirements-dev.txt")
    executable = shutil.which("chromium")
    if executable is None:
        unavailable("no 'chromium' on PATH; install it with: apt-get install chromium")
    pw = sync_playwright().start()
    try:
        try:
            browser = pw.chromium.launch(
                executable_path=executable, headless=True, args=BROWSER_ARGS
            )
        except Exception as e:  # any launch failure means "no browser"
            unavailable(f"chromium at {executable} failed to launch: {e}")
        try:
            yield browser
        finally:
            browser.close()
    finally:
        pw.stop()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors and uncaught page errors seen by the ``page`` fixture."""
    return []


@pytest.fixture
def page(browser, console_errors: list[str]):
    """Fresh context (1400x1000) and page; non-loopback requests are blocked."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    context.route(_NON_LOCAL_URL, lambda route: route.abort())
    page = context.new_page()
    page.on(
        "console",
        lambda msg: console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda err: console_errors.append(f"pageerror: {err}"))
    try:
        yield page
    finally:
        context.close()
