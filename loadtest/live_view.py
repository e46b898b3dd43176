"""``python -m loadtest.live_view``: what one student's browser draws while a run trains.

One headless Chromium tab (loopback only) opens the Playground on the spiral run
of issue 19 (2 hidden layers of 16 tanh units, 1,000,000 epochs), presses Train,
and for ``--seconds`` counts in the page, on every animation frame: the frames
the page drew, how often the Epoch shown changed, and how many Plotly charts were
built. It also takes the CPU of the tab's processes and of the server, then
presses Pause and times how long until the page shows the paused run.
docs/live-view.md reports its numbers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

from .browsers import _APP_IDLE, BROWSER_ARGS
from .common import REPO_ROOT
from .server import start_server
from .tab_counts import COUNT_JS, READ_JS, chromium_processes, cpu_by_kind, drawn_rates

SPIRAL_RUN = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
              "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "1000000",
              "samples": "300"}


def measure(app_dir: Path, seconds: float, screenshot: Path | None = None) -> dict:
    from playwright.sync_api import sync_playwright

    server = start_server(app_dir)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                         headless=True, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.url}/?{urlencode(SPIRAL_RUN)}")
            page.wait_for_selector(_APP_IDLE, state="attached", timeout=60_000)
            page.wait_for_timeout(2_000)
            page.evaluate(COUNT_JS)
            page.get_by_role("button", name="Train", exact=True).click()
            page.wait_for_timeout(3_000)          # past the first frames
            watched = [*chromium_processes(psutil.Process()),
                       (psutil.Process(server.pid), "server")]
            cpu0, t0, counts0 = cpu_by_kind(watched), time.monotonic(), page.evaluate(READ_JS)
            page.wait_for_timeout(seconds * 1000)
            cpu1, dt = cpu_by_kind(watched), time.monotonic() - t0
            counts1 = page.evaluate(READ_JS)
            if screenshot:
                page.screenshot(path=str(screenshot), full_page=True)
            clicked = time.monotonic()
            page.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_selector(_APP_IDLE, state="attached", timeout=60_000)
            pause = time.monotonic() - clicked
            browser.close()
    finally:
        server.stop()
    cpu = {kind: round((cpu1[kind] - cpu0[kind]) / dt, 2) for kind in cpu1}
    drawn = drawn_rates(counts0, counts1, dt)
    return {"seconds": round(dt, 1), **drawn,
            "charts_built_per_s": round(drawn["charts_built"] / dt, 1),
            "cpu_cores": cpu, "pause_to_idle_s": round(pause, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.live_view", description=__doc__)
    parser.add_argument("--app-dir", type=Path, default=REPO_ROOT)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--screenshot", type=Path, help="a PNG of the page as the count ends")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.app_dir, args.seconds, args.screenshot), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
