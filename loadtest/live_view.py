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
import contextlib
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import psutil

from .browsers import _APP_IDLE, BROWSER_ARGS
from .common import REPO_ROOT
from .server import start_server

SPIRAL_RUN = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
              "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "1000000",
              "samples": "300"}
_COUNT_JS = """
() => {
  const m = window.__liveView = {frames: 0, epochChanges: 0, chartsBuilt: 0};
  const seen = new WeakSet();
  let last = null;
  const epoch = () => {
    for (const e of document.querySelectorAll('[data-testid=stMetric]')) {
      const label = e.querySelector('[data-testid=stMetricLabel]');
      if (label && label.innerText.trim() === 'Epoch') {
        return e.querySelector('[data-testid=stMetricValue]').innerText;
      }
    }
    return null;
  };
  const tick = () => {
    m.frames++;
    const e = epoch();
    if (e !== null && e !== last) { m.epochChanges++; last = e; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // Plotly marks a chart's div with this class when it builds the chart there.
  new MutationObserver(() => {
    for (const p of document.querySelectorAll('.js-plotly-plot')) {
      if (!seen.has(p)) { seen.add(p); m.chartsBuilt++; }
    }
  }).observe(document.body, {childList: true, subtree: true, attributes: true,
                             attributeFilter: ['class']});
}
"""

# What mlp_ui.live_chart's charts drew in place so far, per chart.
_LIVE_JS = ("() => ({byName: {...((window.__mlpLive || {}).byName || {})}, "
            "received: (window.__mlpLive || {}).received || 0})")


def _cpu(processes) -> Counter:
    """CPU seconds so far per kind of process (Chromium's ``--type``, or "server")."""
    out: Counter = Counter()
    for proc, kind in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            out[kind] += sum(proc.cpu_times()[:2])
    return out


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
            page.evaluate(_COUNT_JS)
            page.get_by_role("button", name="Train", exact=True).click()
            page.wait_for_timeout(3_000)          # past the first frames
            tabs = [(p, next((a.split("=", 1)[1] for a in p.cmdline() if a.startswith("--type=")),
                             "browser"))
                    for p in psutil.Process().children(recursive=True) if "chrom" in p.name()]
            watched = [*tabs, (psutil.Process(server.pid), "server")]
            page.evaluate("() => Object.assign(window.__liveView, "
                          "{frames: 0, epochChanges: 0, chartsBuilt: 0})")
            cpu0, t0, live0 = _cpu(watched), time.monotonic(), page.evaluate(_LIVE_JS)
            page.wait_for_timeout(seconds * 1000)
            cpu1, dt = _cpu(watched), time.monotonic() - t0
            counts, live1 = page.evaluate("() => window.__liveView"), page.evaluate(_LIVE_JS)
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
    return {"seconds": round(dt, 1),
            "animation_frames_per_s": round(counts["frames"] / dt, 1),
            "epoch_changes_per_s": round(counts["epochChanges"] / dt, 1),
            "charts_built_per_s": round(counts["chartsBuilt"] / dt, 1),
            "live_figures_received_per_s": round((live1["received"] - live0["received"]) / dt, 1),
            "in_place_updates_per_s": {
                name: round((n - live0["byName"].get(name, 0)) / dt, 1)
                for name, n in live1["byName"].items()},
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
