"""``python -m loadtest.live_view``: what one student's browser draws while a run trains.

One headless Chromium tab (loopback only) opens the Playground on the spiral run
of issue 19 (2 hidden layers of 16 tanh units, 1,000,000 epochs; ``--run heavy``: 4 of
64 units on 2,000 points), optionally beside ``--beside N`` protocol sessions that
train the classroom's live run meanwhile, presses Train,
and for ``--seconds`` counts in the page, on every animation frame: the frames
the page drew, how often the Epoch shown changed, and how many Plotly charts were
built. It also takes the CPU of the tab's processes and of the server, then
presses Pause and times, from the click's event in the page, how long until the page
shows the paused controls, until its script is idle, until the charts in the window
are drawn, and until all its charts are.
docs/live-view.md reports its numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil

from .browsers import _APP_IDLE, BROWSER_ARGS
from .client import Session
from .common import MOONS_LINK, REPO_ROOT
from .scenario import step_load
from .server import start_server
from .tab_counts import COUNT_JS, READ_JS, chromium_processes, cpu_by_kind, drawn_rates

SPIRAL_RUN = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
              "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "1000000",
              "samples": "300"}
# Issue 19's heavy run: 2,000 samples through 4 hidden layers of 64 units.
HEAVY_RUN = {**SPIRAL_RUN, "hidden": "64", "layers": "4", "samples": "2000", "lr": "0.1"}
RUNS = {"spiral": SPIRAL_RUN, "heavy": HEAVY_RUN}


class Beside:
    """``n`` protocol sessions training the classroom's live run (moons) beside the tab.

    They run on an event loop of their own, in a thread: ``start`` returns once every
    session is training, ``stop`` pauses them all and disconnects.
    """

    def __init__(self, url: str, n: int):
        self.url, self.n = url, n
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.sessions: list = []

    def _call(self, coro, timeout: float):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _train(self) -> None:
        self.sessions = [Session(i, self.url) for i in range(self.n)]
        await asyncio.gather(*(step_load(s, MOONS_LINK, 120.0) for s in self.sessions))
        await asyncio.gather(*(s.press("Train") for s in self.sessions))

    async def _pause(self) -> None:
        await asyncio.gather(*(s.press("Pause") for s in self.sessions))
        await asyncio.sleep(1.0)
        await asyncio.gather(*(s.close() for s in self.sessions))

    def start(self) -> None:
        self._thread.start()
        self._call(self._train(), 180.0)

    def stop(self) -> None:
        try:
            self._call(self._pause(), 60.0)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10.0)


# Times, in the page, from the Pause click's event: the paused controls shown (Train
# enabled, Pause disabled), the script's last change to idle (the live run ends, goes
# idle a moment, and the paused page's rerun starts), and the last change in a chart.
_PAUSE_WATCH_JS = """
() => {
  const w = window.__pauseWatch = {click: null, controls: null, idle: null, chart: null,
                                    view: null, last: new Map()};
  const app = document.querySelector('[data-testid=stApp]');
  document.addEventListener('click', () => { if (w.click === null) w.click = performance.now(); },
                            true);
  new MutationObserver((records) => {
    if (w.click === null) return;
    const now = performance.now();
    for (const r of records) {
      const plot = r.target.closest && r.target.closest('.js-plotly-plot');
      if (plot) w.last.set(plot, now);
      if (plot || [...r.addedNodes].some((n) => n.querySelector
                                         && n.querySelector('.js-plotly-plot'))) {
        w.chart = now;
      }
    }
    if (app.getAttribute('data-test-script-state') === 'notRunning') {
      if (records.some((r) => r.attributeName === 'data-test-script-state')) w.idle = now;
    }
    if (w.controls === null) {
      const buttons = [...document.querySelectorAll('button')];
      const train = buttons.find((b) => b.textContent.trim() === 'Train');
      const pause = buttons.find((b) => b.textContent.trim() === 'Pause');
      if (train && !train.disabled && (!pause || pause.disabled)) {
        w.controls = now;
      }
    }
  }).observe(document.body, {childList: true, subtree: true, attributes: true});
}
"""
# The last change in a chart that is in the window: what a user sees of the paused page.
_PAUSE_READ_JS = """
() => {
  const w = window.__pauseWatch;
  const shown = (el) => {
    const b = el.getBoundingClientRect();
    return b.width > 0 && b.bottom > 0 && b.top < innerHeight && b.right > 0 && b.left < innerWidth;
  };
  const times = [...w.last].filter(([el]) => shown(el)).map(([, t]) => t);
  return {...w, last: undefined, view: times.length ? Math.max(...times) : null};
}
"""
SETTLED_MS = 1500      # no change in a chart this long after idle: the paused page is drawn


def measure(app_dir: Path, seconds: float, screenshot: Path | None = None,
            run: str = "spiral", beside: int = 0) -> dict:
    from playwright.sync_api import sync_playwright

    server = start_server(app_dir)
    others = Beside(server.url, beside) if beside else None
    try:
        if others:
            others.start()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"),
                                         headless=True, args=BROWSER_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server.url}/?{urlencode(RUNS[run])}")
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
            page.evaluate(_PAUSE_WATCH_JS)
            page.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_selector(_APP_IDLE, state="attached", timeout=60_000)
            page.wait_for_timeout(SETTLED_MS)
            pause = page.evaluate(_PAUSE_READ_JS)
            browser.close()
    finally:
        try:
            if others:
                others.stop()
        finally:
            server.stop()
    cpu = {kind: round((cpu1[kind] - cpu0[kind]) / dt, 2) for kind in cpu1}
    drawn = drawn_rates(counts0, counts1, dt)
    return {"run": run, "beside": beside, "seconds": round(dt, 1), **drawn,
            "charts_built_per_s": round(drawn["charts_built"] / dt, 1),
            "cpu_cores": cpu, **pause_times(pause)}


def pause_times(watch: dict) -> dict:
    """Seconds from the Pause click to what ``_PAUSE_WATCH_JS`` saw (None: not seen)."""
    def since(key: str) -> float | None:
        t = watch.get(key)
        return None if t is None or watch.get("click") is None else round(
            (t - watch["click"]) / 1000, 2)

    return {"pause_to_controls_s": since("controls"), "pause_to_idle_s": since("idle"),
            "pause_to_view_drawn_s": since("view"), "pause_to_charts_drawn_s": since("chart")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest.live_view", description=__doc__)
    parser.add_argument("--app-dir", type=Path, default=REPO_ROOT)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--screenshot", type=Path, help="a PNG of the page as the count ends")
    parser.add_argument("--run", choices=sorted(RUNS), default="spiral",
                        help="spiral: 2x16 tanh, 300 points; heavy: 4x64, 2,000 points")
    parser.add_argument("--beside", type=int, default=0, metavar="N",
                        help="N protocol sessions train the classroom's live run meanwhile")
    args = parser.parse_args(argv)
    if args.beside < 0 or args.seconds <= 0:
        parser.error("--beside must be >= 0 and --seconds > 0")
    print(json.dumps(measure(args.app_dir, args.seconds, args.screenshot, args.run,
                             args.beside), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
