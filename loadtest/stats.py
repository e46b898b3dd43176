"""Process and machine statistics (psutil), the bystander probe and this client's loop lag."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import threading
from collections.abc import Callable

import psutil

from .common import _now


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds the process and its ended children used so far.

    None if it is gone. The ended children count because a tab's renderer ends when
    its page closes (each link opens a new tab): without them a sum over the
    browsers' processes fell when a tab closed, and their CPU was put on others.
    """
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system + times.children_user + times.children_system


def descendants_cpu_seconds(root: int) -> float:
    """CPU seconds used so far by every live descendant of ``root`` (the browsers)."""
    try:
        children = psutil.Process(root).children(recursive=True)
    except psutil.Error:
        return 0.0
    return sum(cpu for cpu in (cpu_seconds(c.pid) for c in children) if cpu is not None)


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores so far."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    total_s = sum(times)
    return total_s - idle, total_s


def rss_mb(pid: int) -> float | None:
    """The process's resident memory in MB (None if it is gone)."""
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.Error:
        return None


def total(measure: Callable[[int], float | None], pids: tuple[int, ...]) -> float | None:
    """``measure`` summed over the server's processes (replicas); None if any is unknown."""
    values = [measure(pid) for pid in pids]
    return sum(values) if values and None not in values else None


class MemorySampler:
    """Samples the servers' summed VmRSS every ``period`` seconds in a thread; keeps the peak."""

    def __init__(self, pids: tuple[int, ...], period: float = 0.2):
        self.pids, self.period = pids, period
        self.samples: list[tuple[float, float]] = []
        self.marks: dict[str, float | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name="rss-sampler")

    def _loop(self) -> None:
        while not self._stop.wait(self.period):
            self.sample()

    def sample(self) -> float | None:
        value = total(rss_mb, self.pids)
        if value is not None:
            self.samples.append((_now(), value))
        return value

    def mark(self, name: str) -> float | None:
        self.marks[name] = value = self.sample()
        return value

    def peak(self, since: float = 0.0) -> float | None:
        values = [v for t, v in self.samples if t >= since]
        return max(values) if values else None

    def __enter__(self):
        if self.pids:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)




# A bystander process: it sleeps 2 ms at a time and notes how late it wakes, until
# its stdin closes. It shares nothing with the server but the machine, so its delays
# are the operating system's (three Chromium tabs on this 2-core box, even at idle
# priority, delayed it by up to ~0.4 s; without them, by at most ~15 ms).
_SCHED_PROBE = """
import json, sys, threading, time
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
late = []
while not done.is_set():
    t = time.perf_counter()
    time.sleep(0.002)
    late.append(time.perf_counter() - t - 0.002)
late = sorted(late) or [0.0]
print(json.dumps({"n": len(late), "p99_ms": 1000 * late[int(0.99 * (len(late) - 1))],
                  "max_ms": 1000 * late[-1], "over_50ms": sum(x > 0.05 for x in late)}))
"""


class SchedProbe:
    """Runs ``_SCHED_PROBE`` from construction until ``result()``."""

    def __init__(self):
        self._proc = subprocess.Popen([sys.executable, "-c", _SCHED_PROBE], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, text=True)

    def result(self) -> dict[str, float] | None:
        try:
            out, _ = self._proc.communicate("", timeout=30)
            return json.loads(out)
        except (subprocess.TimeoutExpired, ValueError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()


class LoopLag:
    """How late this client's own event loop runs: every latency it reports includes it.

    A task asks to wake every ``period`` s and records how late it woke: time the
    report would otherwise blame on the server. With three Chromium tabs on the
    same two cores it measured 1.2-1.5 s at worst, with the tabs in a process of
    their own and this client at a higher CPU priority alike.
    """

    def __init__(self, period: float = 0.01):
        self.period = period
        self.samples: list[tuple[float, float]] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            t0 = _now()
            await asyncio.sleep(self.period)
            self.samples.append((t0, _now() - t0 - self.period))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="loop-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task

    def by_phase(self, starts: dict[str, float], end: float) -> dict[str, float | None]:
        """The worst lag in each phase (a phase runs until the next one starts)."""
        bounds = sorted(starts.items(), key=lambda kv: kv[1]) + [("", end)]
        return {name: max((lag for t, lag in self.samples if t0 <= t < t1), default=None)
                for (name, t0), (_, t1) in zip(bounds, bounds[1:])}

    def max_since(self, t0: float) -> float | None:
        values = [lag for t, lag in self.samples if t >= t0]
        return max(values) if values else None
