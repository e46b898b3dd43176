"""Saved runs in a real browser: train, restart the server, find the run, reopen it, report it.

The server here is this module's own: it is stopped and started again on the same
port and database file, as a deploy or a crash would, and the browser's storage
(where the workspace id lives) belongs to that origin.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import VIEWPORT, _free_port, _stop
from tests.e2e.helpers import (
    PLOTLY_CHART,
    REPO_ROOT,
    assert_no_exception,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)

XOR = {"dataset": "xor", "hidden": "4", "init": "xavier", "bias": "true", "lr": "0.5",
       "epochs": "3000"}
TRAIN_TIMEOUT_MS = 180_000
MAIN = "[data-testid=stMain]"
TAB = "[data-testid=stTab]"
STARTUP_S = 60


class Server:
    """``streamlit run app.py`` on a fixed port and database, restartable."""

    def __init__(self, port: int, db: str, log: Path):
        self.port, self.db, self.log = port, db, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = [sys.executable, "-m", "streamlit", "run", str(REPO_ROOT / "app.py"),
               "--server.headless", "true", "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
        env = dict(os.environ, PYTHONUNBUFFERED="1", MLP_PLAYGROUND_DB=self.db)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc is not None:
            _stop(self.proc)
            self.proc = None


@pytest.fixture
def server(tmp_path):
    s = Server(_free_port(), f"sqlite:///{tmp_path / 'playground.db'}", tmp_path / "server.log")
    s.start()
    try:
        yield s
    finally:
        s.stop()


def output_value(page: Page) -> str:
    """The Predict tab's output for its default point: 6 decimals of the final weights."""
    return metric_value(page, "Output")


def train(page: Page, base: str, query: dict) -> None:
    page.goto(f"{base}/?{urlencode(query)}")
    wait_for_app_idle(page)
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator(MAIN).get_by_text("finished", exact=True)).to_be_visible()
    assert_no_exception(page)


def open_runs(page: Page, base: str) -> None:
    page.goto(f"{base}/runs")
    wait_for_app_idle(page)
    # The browser reports its workspace id on the first run; the page then lists its runs.
    expect(page.locator(MAIN).get_by_text(re.compile(r"^\d+ of \d+ runs"))).to_be_visible(
        timeout=30_000)
    wait_for_app_idle(page)
    assert_no_exception(page)


def pick(page: Page, *labels: str) -> None:
    box = page.locator("[data-testid=stMultiSelect]").filter(has_text="Runs to compare")
    for label in labels:
        box.locator("input").click()
        box.locator("input").fill(label + " ")   # the list shows only its first options
        page.get_by_role("option", name=re.compile(rf"^{label} ")).click()
        wait_for_app_idle(page)
    page.keyboard.press("Escape")


def runs_count(page: Page) -> str:
    return page.locator(MAIN).get_by_text(re.compile(r"^\d+ of \d+ runs")).inner_text()


def test_a_run_survives_a_restart_reopens_identically_and_reports(server, browser, tmp_path):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))

    train(page, server.url, XOR)
    trained_output = output_value(page)
    assert metric_value(page, "Accuracy") == "4/4"
    screenshot(page, "runs-playground-trained")
    page.locator(TAB).filter(has_text="Download").click()
    with page.expect_download() as info:
        page.locator("[data-testid=stDownloadButton] button") \
            .filter(has_text="Download report (HTML)", visible=True).click()
    assert info.value.suggested_filename == "mlp-report-xor-2-4-1-sigmoid.html"
    html = Path(info.value.path()).read_text()
    assert "Plotly.newPlot" in html and "xor 2-4-1 sigmoid, lr 0.5" in html
    train(page, server.url, {**XOR, "seed": "1"})          # a second seed, to compare

    # A second tab of the same browser sees the same runs.
    second = context.new_page()
    open_runs(second, server.url)
    assert runs_count(second).startswith("2 of 2 runs")
    second.close()

    server.stop()
    server.start()                                          # same port, same database

    open_runs(page, server.url)
    assert runs_count(page).startswith("2 of 2 runs")
    pick(page, "R1", "R2")
    expect(page.locator(MAIN).get_by_role("heading", name="Compare")).to_be_visible()
    expect(page.locator(PLOTLY_CHART).first).to_be_visible()
    wait_for_app_idle(page)
    assert_no_exception(page)
    screenshot(page, "runs-compare-two-seeds")

    # One run picked: reopen it, and download its report.
    open_runs(page, server.url)
    pick(page, "R1")
    expect(page.locator(MAIN).get_by_role("heading", name=re.compile(r"^R1: xor 2-4-1"))) \
        .to_be_visible()
    with page.expect_download() as info:
        page.locator("[data-testid=stDownloadButton] button") \
            .filter(has_text="Download report (HTML)", visible=True).click()
    report = tmp_path / info.value.suggested_filename
    info.value.save_as(report)
    assert report.name == "mlp-report-xor-2-4-1-sigmoid-lr-0-5.html"

    click_button(page, "Open in Playground", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    expect(page.locator(MAIN).get_by_text(re.compile("^Reopened xor 2-4-1 sigmoid"))) \
        .to_be_visible()
    for part in ("dataset=xor", "hidden=4", "lr=0.5", "epochs=3000", "bias=true"):
        assert part in page.url, page.url
    assert "seed=" not in page.url                          # R1 is seed 0, the default
    assert output_value(page) == trained_output
    assert metric_value(page, "Accuracy") == "4/4"
    screenshot(page, "runs-reopened-in-playground")
    assert not errors, errors
    context.close()

    # The report opens on its own, with no network at all, and draws its charts.
    offline = browser.new_context(viewport=VIEWPORT)
    offline.route(re.compile(r"^(?!file:)"), lambda route: route.abort())
    view = offline.new_page()
    view_errors: list[str] = []
    view.on("pageerror", lambda err: view_errors.append(str(err)))
    view.goto(report.as_uri())
    charts = view.locator(".chart")
    assert charts.count() >= 4        # loss, boundary, network, weights
    view.wait_for_function(
        "() => [...document.querySelectorAll('.chart')].every((c) => c.querySelector('.main-svg'))")
    expect(view.get_by_role("heading", name="Truth table")).to_be_visible()
    expect(view.get_by_text("dataset=xor").first).to_be_visible()
    screenshot(view, "runs-report")
    assert not view_errors, view_errors
    offline.close()


def test_an_unreachable_database_is_said_once_and_training_works(browser, tmp_path):
    s = Server(_free_port(), "postgresql+psycopg://nobody:x@127.0.0.1:9/none?connect_timeout=2",
               tmp_path / "server.log")
    s.start()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        train(page, s.url, XOR)
        assert metric_value(page, "Accuracy") == "4/4"
        notice = page.locator(MAIN).get_by_text(re.compile("^Runs are not being saved: "))
        expect(notice).to_be_visible()
        screenshot(page, "runs-database-unreachable")
        click_button(page, "Step")                       # another run: not said again
        assert notice.count() == 0
        assert "Traceback" not in s.log.read_text()
    finally:
        context.close()
        s.stop()


LONG_RUN = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
            "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "1000000",
            "samples": "300"}


def test_pause_saves_the_run_and_resuming_updates_it(server, browser):
    from mlp_store import open_store

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/?{urlencode(LONG_RUN)}")
        wait_for_app_idle(page)
        workspace = page.evaluate("() => localStorage.getItem('mlp-playground-workspace')")
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", workspace), workspace
        store = open_store(server.db)
        for _ in range(2):     # pause, resume, pause again
            click_button(page, "Train", wait=False)
            pause = page.locator("[data-testid=stButton] button").filter(has_text="Pause",
                                                                          visible=True)
            expect(pause).to_be_enabled(timeout=60_000)
            page.wait_for_timeout(2000)
            pause.click(timeout=120_000)     # a page busy drawing frames takes the click late
            wait_for_app_idle(page, timeout=120_000)
            expect(page.locator(MAIN).get_by_text("paused", exact=True)).to_be_visible()
            paused_at = int(metric_value(page, "Epoch").replace(",", ""))
            deadline = time.monotonic() + 30
            while True:
                rows = store.list_runs(workspace)
                if rows and rows[0].epochs == paused_at:
                    break
                assert time.monotonic() < deadline, (rows, paused_at)
                time.sleep(0.2)
            assert len(rows) == 1 and rows[0].status == "paused"   # one run, updated
            assert 0 < paused_at < 1_000_000
        assert_no_exception(page)
    finally:
        context.close()
