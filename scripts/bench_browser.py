"""Click-to-charts benchmark: the tutorial's OR run in the real app, in a real browser.

Starts the app, opens it in headless Chromium on the tutorial's OR preset, clicks
Train and waits until the final epoch and every chart are on screen; then runs
the tutorial's own training loop (as printed, 200,000 epochs) in this process.
Prints both times and their ratio; the target is a ratio under 0.25.

    python scripts/bench_browser.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mlp_core.bench import tutorial_loop  # noqa: E402

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
DONE_JS = """() => {
  const m = [...document.querySelectorAll('[data-testid=stMetric]')].find(el =>
    el.querySelector('[data-testid=stMetricLabel]')?.innerText.trim() === 'Epoch');
  const charts = document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg');
  return !!m && m.querySelector('[data-testid=stMetricValue]').innerText.trim() === '200,000'
         && charts.length >= 4;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        app_times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for _ in range(args.repeat):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/?preset=tutorial-or")
                page.wait_for_selector(IDLE, state="attached", timeout=120_000)
                page.wait_for_function(
                    "() => document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg')"
                    ".length >= 4", timeout=120_000)
                button = page.locator("[data-testid=stButton] button").filter(
                    has_text="Train", visible=True).first
                started = time.perf_counter()
                button.click()
                page.wait_for_function(DONE_JS, timeout=120_000, polling=20)
                app_times.append(time.perf_counter() - started)
                page.close()
            browser.close()
        tutorial_times = []
        for _ in range(args.repeat):
            with contextlib.redirect_stdout(io.StringIO()):
                t0 = time.perf_counter()
                tutorial_loop(200_000)
                tutorial_times.append(time.perf_counter() - t0)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    app, tut = min(app_times), min(tutorial_times)
    print(f"click to final charts in the browser: {app:.2f} s (runs: "
          f"{', '.join(f'{t:.2f}' for t in app_times)})")
    print(f"tutorial's script, 200,000 epochs:    {tut:.2f} s (runs: "
          f"{', '.join(f'{t:.2f}' for t in tutorial_times)})")
    print(f"ratio app / tutorial: {app / tut:.3f} (target < 0.25)")
    return 0 if app / tut < 0.25 else 1


if __name__ == "__main__":
    sys.exit(main())
