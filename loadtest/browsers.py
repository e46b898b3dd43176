"""Real headless Chromium tabs among the protocol sessions, in a process of their own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil

from .client import epoch_value
from .common import (
    DEFAULT_LINK,
    LIVE_EPOCHS,
    MOONS_LINK,
    REPO_ROOT,
    TARGET_EPOCHS,
    XOR_LINK,
    LoadTestError,
    Options,
    _guard,
    _now,
)
from .tab_counts import (
    COUNT_JS,
    READ_JS,
    chromium_processes,
    cpu_by_kind,
    cpu_per_update,
    drawn_rates,
)

# The tabs may reach the server on loopback and nothing else. Chromium enforces it
# (names other than localhost do not resolve; any other address goes to a proxy
# that is not there, while loopback bypasses proxies), not a Playwright route:
# routing turns off the HTTP cache, and every tab then fetched the page's ~130
# script files again at each of its three page loads, ~1,200 requests that
# Streamlit's event loop served in the middle of the other sessions' runs.
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1;localhost"]
_EPOCH_WATCH_JS = """
() => {
  window.__epochChanges = [];
  let last = null;
  const read = () => {
    for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
      const l = m.querySelector('[data-testid=stMetricLabel]');
      if (l && l.textContent.trim() === 'Epoch') {
        const v = m.querySelector('[data-testid=stMetricValue]');
        return v ? v.textContent.trim() : null;
      }
    }
    return null;
  };
  window.__epochTimer = setInterval(() => {
    const v = read();
    if (v !== null && v !== last) { last = v; window.__epochChanges.push([Date.now(), v]); }
  }, 20);
}
"""
_APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# A chart drawn: Streamlit's, or one of the Playground's (mlp_ui.live_chart's divs).
FIRST_CHART = "[data-testid=stPlotlyChart] .main-svg, [data-live-chart] .main-svg"


class BrowserUser:
    """One headless Chromium tab doing the scenario through the UI."""

    def __init__(self, index: int, base_url: str, context):
        self.index, self.base_url, self.context = index, base_url.rstrip("/"), context
        self.page = None
        self.live_ready = False                 # showing the live run's link, idle
        self.live = False                       # training the live run, counters installed
        self.results: dict[str, Any] = {}
        self.errors: list[str] = []

    async def _goto(self, query: str, timeout: float) -> float:
        url = self.base_url + "/" + (f"?{query}" if query else "")
        t0 = _now()
        await self.page.goto(url, timeout=timeout * 1000)
        await self.page.locator(FIRST_CHART).first.wait_for(timeout=timeout * 1000)
        return _now() - t0

    async def _idle(self, timeout: float) -> None:
        await self.page.wait_for_selector(_APP_IDLE, state="attached", timeout=timeout * 1000)

    def _button(self, label: str):
        return self.page.get_by_role("button", name=label, exact=True)

    async def _epoch(self) -> str:
        return await self.page.evaluate("""() => {
          for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
            const l = m.querySelector('[data-testid=stMetricLabel]');
            if (l && l.textContent.trim() === 'Epoch')
              return m.querySelector('[data-testid=stMetricValue]').textContent.trim();
          }
          return '';
        }""")

    async def _new_tab(self) -> None:
        # A new tab, as a student opens a shared link: the same tab would resume its
        # Streamlit session (the frontend keeps the session id), ignoring the link.
        if self.page is not None:
            await self.page.close()
        self.page = await self.context.new_page()
        self.page.on("pageerror", lambda err: self.errors.append(f"pageerror: {err}"))

    async def load(self, timeout: float) -> None:
        await self._new_tab()
        self.results["first_chart_s"] = await self._goto(DEFAULT_LINK, timeout)

    async def open_link(self, query: str, timeout: float) -> None:
        await self._new_tab()
        await self._goto(query, timeout)
        await self.page.wait_for_timeout(300)
        await self._idle(timeout)

    async def train_to_end(self, timeout: float) -> None:
        t0 = _now()
        await self._button("Train").click(timeout=timeout * 1000, force=True, no_wait_after=True)
        target = f"{TARGET_EPOCHS:,}"
        await self.page.wait_for_function(
            """(target) => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
              m.querySelector('[data-testid=stMetricLabel]')?.textContent.trim() === 'Epoch'
              && m.querySelector('[data-testid=stMetricValue]')?.textContent.trim() === target)""",
            arg=target, timeout=timeout * 1000)
        await self._idle(max(1.0, timeout - (_now() - t0)))
        self.results["xor_final_s"] = _now() - t0
        self.results["xor_final_epoch"] = epoch_value(await self._epoch())

    async def start_live(self, timeout: float) -> None:
        await self.page.evaluate(_EPOCH_WATCH_JS)
        await self.page.evaluate(COUNT_JS)
        await self._button("Train").click(timeout=timeout * 1000, force=True, no_wait_after=True)
        self.live = True

    async def read_counts(self) -> dict | None:
        """The page's drawn counts (tab_counts.READ_JS); None, noted, if the tab fails."""
        try:
            return await self.page.evaluate(READ_JS)
        except Exception as err:  # noqa: BLE001 - this tab's failure, not the fleet's
            self.errors.append(f"live counts: {type(err).__name__}: {err}")
            return None

    async def live_fps(self, wall0: float, wall1: float) -> None:
        changes = await self.page.evaluate("() => window.__epochChanges || []")
        n = sum(1 for ms, _ in changes if wall0 * 1000 <= ms <= wall1 * 1000)
        self.results["live_frames"] = n
        self.results["live_fps"] = n / (wall1 - wall0)

    async def pause(self, timeout: float) -> None:
        before = epoch_value(await self._epoch())
        if before is None or before >= LIVE_EPOCHS:
            raise LoadTestError(f"the run was over before Pause (Epoch {before})")
        t0 = _now()
        await self._button("Pause").click(timeout=timeout * 1000, force=True, no_wait_after=True)
        await self.page.wait_for_function(
            """() => {
              const app = document.querySelector('[data-testid=stApp]');
              if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
              const b = [...document.querySelectorAll('button')].find(
                  x => x.textContent.trim() === 'Train');
              return b && !b.disabled;
            }""", timeout=timeout * 1000)
        self.results["pause_s"] = _now() - t0
        await self.page.evaluate("() => clearInterval(window.__epochTimer)")
        self.results["paused_epoch"] = epoch_value(await self._epoch())
        exceptions = await self.page.locator("[data-testid=stException]").count()
        if exceptions:
            self.errors.append(f"{exceptions} exception box(es) on the page")


async def _wait_event(event: threading.Event, timeout: float, what: str) -> None:
    if not await asyncio.to_thread(event.wait, timeout):
        raise LoadTestError(f"the classroom never reached {what}")


class LiveWindow:
    """The tabs' live window, one for all of them: what each drew, and Chromium's CPU.

    It is the protocol sessions' live window (announced by the parent), so that the
    tabs are measured among the whole classroom training, not while it pauses. Tabs
    that are late (a page load in Chromium is slower than a protocol session's)
    start it ``warmup`` s after the last of them pressed Train (or failed), and it
    then lasts ``seconds`` on the tabs' own clock; ``late_s`` in its result says
    how late it opened. One window for every tab lets the fleet's CPU over it be
    divided by the updates all of them drew.
    """

    def __init__(self, warmup: float, seconds: float):
        self.warmup, self.seconds = warmup, seconds
        self.bounds: tuple[float, float] | None = None   # the sessions' window, _now()
        self.announced = threading.Event()      # set with bounds, or when the classroom ends
        self.wall0: float | None = None         # time.time(), for the tabs' Epoch watch
        self.wall1: float | None = None
        self.result: dict[str, Any] = {}
        self.done = asyncio.Event()

    def announce(self, start: float, end: float) -> None:
        self.bounds = (start, end)
        self.announced.set()

    async def run(self, users: list[BrowserUser], left: Callable[[float], float]) -> None:
        try:
            await self._measure(users, left)
        except Exception as err:  # noqa: BLE001 - reported; the tabs' own results stand
            self.result["error"] = f"{type(err).__name__}: {err}"
        finally:
            self.done.set()                     # the tabs go on to Pause whatever happened

    async def _measure(self, users: list[BrowserUser], left: Callable[[float], float]) -> None:
        await _wait_event(self.announced, left(600), "its live window")
        if self.bounds is None:
            raise LoadTestError("the classroom ended before its live window")
        start, end = self.bounds
        limit = _now() + left(120)
        while any(not b.live and not b.errors for b in users) and _now() < limit:
            await asyncio.sleep(0.05)
        tabs = [b for b in users if b.live and not b.errors]
        if not tabs:
            raise LoadTestError("no tab trained the live run")
        if _now() + self.warmup > start:        # late: the tabs' own window
            start = _now() + self.warmup
            end = start + self.seconds
        await asyncio.sleep(start - _now())
        fleet = psutil.Process()                # Chromium is this process's descendant
        reads0 = await asyncio.gather(*(b.read_counts() for b in tabs))
        cpu0, t0, self.wall0 = cpu_by_kind(chromium_processes(fleet)), _now(), time.time()
        await asyncio.sleep(max(0.0, end - _now()))
        cpu1, t1, self.wall1 = cpu_by_kind(chromium_processes(fleet)), _now(), time.time()
        reads1 = await asyncio.gather(*(b.read_counts() for b in tabs))
        drawn = 0
        for b, r0, r1 in zip(tabs, reads0, reads1):
            if r0 is not None and r1 is not None:
                b.results["drawn"] = drawn_rates(r0, r1, t1 - t0)
                drawn += b.results["drawn"]["epoch_changes"]
        self.result = {"seconds": round(t1 - t0, 2), "tabs": len(tabs),
                       "late_s": round(t0 - self.bounds[0], 2),
                       "epoch_changes_drawn": drawn,
                       "chromium": cpu_per_update(cpu0, cpu1, t1 - t0, drawn)}


async def _announce_live_ready(users: list[BrowserUser], left: Callable[[float], float]
                               ) -> None:
    """Print ``live-ready`` once every tab shows the live run's link or has failed.

    The classroom waits for it before its live run: a Chromium tab loads pages far
    slower than a protocol session, and tabs that trained after the sessions had
    paused would measure a quiet server, not one among 40 students.
    """
    end = _now() + left(600)
    while any(not b.live_ready and not b.errors for b in users) and _now() < end:
        await asyncio.sleep(0.05)
    print("live-ready", flush=True)


async def browser_flow(b: BrowserUser, opts, xor_go: threading.Event, moons_go: threading.Event,
                       left: Callable[[float], float], window: LiveWindow) -> None:
    """One browser tab's scenario: the sessions' steps, through the UI."""
    await b.load(left(120))
    await b.open_link(XOR_LINK, left(120))
    await _wait_event(xor_go, left(120), "XOR's Train")
    await b.train_to_end(left(120))
    await b.open_link(MOONS_LINK, left(120))
    b.live_ready = True
    await _wait_event(moons_go, left(120), "the live run's Train")
    await b.start_live(left(30))
    try:
        await asyncio.wait_for(window.done.wait(), left(120))
    except TimeoutError:
        raise LoadTestError("the tabs' live window never ended") from None
    if window.wall1 is not None:
        await b.live_fps(window.wall0, window.wall1)
    await b.pause(left(30))


class BrowserFleet:
    """The Chromium tabs, driven by a process of their own (``--browser-fleet``).

    Playwright's traffic then no longer shares the protocol sessions' event loop or
    GIL (on that loop it ran with them, and their timings included its work). The
    fleet process gets its signals on stdin (``go DEADLINE``, ``xor``, ``moons``,
    ``window START END``: the sessions' live window, in ``time.monotonic()``) and
    prints ``ready``, then its results as one JSON line: per tab, and the live
    window's (``LiveWindow``).
    """

    def __init__(self, opts, url: str):
        self.opts, self.url = opts, url
        self.users: list[dict[str, Any]] = []   # per tab: index, results, errors
        self.live: dict[str, Any] = {}          # the live window's: LiveWindow.result
        self._proc: subprocess.Popen | None = None
        self._reading: asyncio.Future | None = None     # a readline of its stdout under way

    async def start(self, timeout: float = 120.0) -> None:
        spec = {"url": self.url, "browsers": self.opts.browsers, "nice": self.opts.browsers_nice,
                "live_warmup": self.opts.live_warmup, "live_seconds": self.opts.live_seconds}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "loadtest", "--browser-fleet", json.dumps(spec)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
            start_new_session=True)
        line = await self._line(timeout)
        if line != "ready":
            raise LoadTestError(f"Chromium did not start ({line or 'no answer'})")

    async def _line(self, timeout: float, words: tuple[str, ...] = ("ready", "results", "error")
                    ) -> str:
        """The fleet's next line that begins with one of ``words`` (others are skipped)."""
        end = _now() + timeout
        while _now() < end:
            # A read that timed out goes on in its thread: the next call takes its line.
            if self._reading is None:
                self._reading = asyncio.ensure_future(
                    asyncio.to_thread(self._proc.stdout.readline))
            try:
                line = await asyncio.wait_for(asyncio.shield(self._reading), end - _now())
            except TimeoutError:
                return ""
            self._reading = None
            if not line:
                return ""                       # the process has ended
            if line.split(" ", 1)[0].strip() in words:
                return line.strip()
        return ""

    async def wait_live_ready(self, timeout: float) -> bool:
        """Wait until every tab shows the live run's link (or failed); False on timeout."""
        return await self._line(timeout, ("live-ready",)) == "live-ready"

    def signal(self, word: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._proc.stdin.write(word + "\n")
            self._proc.stdin.flush()

    async def finish(self, timeout: float) -> None:
        """The tabs' results, waiting at most ``timeout`` s for them."""
        if self._proc is None:
            return
        if not self.users:
            line = await self._line(timeout)
            if line.startswith("results "):
                results = json.loads(line[len("results "):])
                self.users, self.live = results["tabs"], results["live"]
            else:
                self.users = [{"index": i, "errors": ["browser: no results within the "
                                                      "--duration-limit"]}
                              for i in range(self.opts.browsers)]
        self.stop()

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                self._proc.stdin.close()
            try:
                self._proc.wait(30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)


def fleet_main(spec: dict) -> int:
    """The ``--browser-fleet`` process: the tabs' side of the scenario (see BrowserFleet)."""
    if spec.get("nice"):
        os.nice(spec["nice"])       # before Chromium starts: its processes inherit it
    opts = Options(browsers=spec["browsers"],
                   live_warmup=spec["live_warmup"], live_seconds=spec["live_seconds"])
    signals = {word: threading.Event() for word in ("go", "xor", "moons")}
    stdin_closed = threading.Event()
    deadline = [_now() + 600.0]

    def read_signals() -> None:
        for line in sys.stdin:
            word, *rest = line.split()
            if word == "go" and rest:
                deadline[0] = float(rest[0])    # time.monotonic() is system-wide
            if word == "window" and len(rest) == 2:
                window.announce(float(rest[0]), float(rest[1]))
            if word in signals:
                signals[word].set()
        for event in (*signals.values(), window.announced, stdin_closed):  # the classroom is over
            event.set()

    def left(cap: float) -> float:
        return max(1.0, min(cap, deadline[0] - _now()))

    window = LiveWindow(opts.live_warmup, opts.live_seconds)

    async def run() -> None:
        users: list[BrowserUser] = []
        pw, browser = await _launch_browser()
        try:
            for i in range(opts.browsers):
                ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
                users.append(BrowserUser(i, spec["url"], ctx))
            print("ready", flush=True)
            threading.Thread(target=read_signals, daemon=True, name="signals").start()
            await _wait_event(signals["go"], 600, "its start")
            await asyncio.gather(window.run(users, left), _announce_live_ready(users, left), *(
                _guard(b, browser_flow(b, opts, signals["xor"], signals["moons"], left, window),
                       "browser") for b in users))
            results = {"tabs": [{"index": b.index, **b.results, "errors": b.errors}
                                for b in users],
                       "live": window.result}
            print("results " + json.dumps(results, default=str), flush=True)
            # Chromium stays until the parent is done (it closes our stdin): the parent reads
            # the browsers' CPU from the process tree first, and an ended Chromium's renderers
            # may leave the tree (to init) with their CPU before they end.
            await asyncio.to_thread(stdin_closed.wait, 120)
        finally:
            for b in users:
                with contextlib.suppress(Exception):
                    await b.context.close()
            with contextlib.suppress(Exception):
                await browser.close()
            with contextlib.suppress(Exception):
                await pw.stop()

    try:
        asyncio.run(run())
    except Exception as err:  # noqa: BLE001 - reported to the parent in one line
        print(f"error {type(err).__name__}: {err}".replace("\n", " "), flush=True)
        return 2
    return 0




async def _launch_browser():
    """Headless Debian Chromium (never a downloaded one)."""
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise LoadTestError("no 'chromium' on PATH for --browsers")
    pw = await async_playwright().start()
    try:
        browser = await pw.chromium.launch(executable_path=executable, headless=True,
                                           args=BROWSER_ARGS)
    except Exception:
        await pw.stop()
        raise
    return pw, browser
