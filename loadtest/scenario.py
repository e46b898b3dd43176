"""What the classroom does, phase by phase, and the links and targets it uses."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from typing import Any

from .browsers import BrowserFleet
from .client import Session, epoch_value, settings_of_query
from .common import (
    DEFAULT_LINK,
    LIVE_EPOCHS,
    MOONS_LINK,
    TARGET_EPOCHS,
    XOR_LINK,
    LoadTestError,
    Options,
    _check_loopback,
    _guard,
    _log,
    _now,
)
from .report import summarize
from .stats import (
    LoopLag,
    MemorySampler,
    SchedProbe,
    cpu_seconds,
    descendants_cpu_seconds,
    machine_busy,
    total,
)


async def step_load(s: Session, query: str, timeout: float) -> None:
    await s.connect()
    t0 = await s.open_page(query)
    chart = await s.wait_for(lambda: s.first("chart", t0), timeout, "the first chart")
    done = await s.wait_for(lambda: s.finished_ok(t0), timeout - (chart.t - t0), "page load")
    s.results["first_chart_s"] = chart.t - t0
    s.results["load_s"] = done.t - t0


async def step_link(s: Session, query: str, timeout: float) -> None:
    """Set the sidebar to ``query``'s settings in one rerun; check the URL the app writes."""
    s.set_from_link(query)
    t0 = await s.rerun()
    await s.wait_for(lambda: s.finished_ok(t0), timeout, f"the rerun for {query}")
    got = settings_of_query(s.query_string)
    if got != settings_of_query(query):
        raise LoadTestError(f"after setting {query!r} the app's link is {s.query_string!r}")
    b = s.button("Train")
    if b.disabled:
        raise LoadTestError("Train is disabled after setting the link")


async def step_train_to_end(s: Session, t0: float, timeout: float) -> None:
    target = f"{TARGET_EPOCHS:,}"
    final = await s.wait_for(lambda: s.first("epoch", t0, lambda e: e.data == target),
                             timeout, f"Epoch {target}")
    done = await s.wait_for(lambda: s.finished_ok(final.t), timeout - (final.t - t0),
                            "script_finished after the final epoch")
    live = s.between("epoch", t0, final.t)
    s.results["xor_final_epoch"] = epoch_value(final.data)
    s.results["xor_final_s"] = done.t - t0
    s.results["xor_epoch_seen_s"] = final.t - t0
    s.results["xor_frames"] = len(live)


async def step_pause(s: Session, timeout: float) -> None:
    t0 = await s.press("Pause")
    s.results["t_pause"] = t0
    new_run = await s.wait_for(lambda: s.first("new_session", t0), timeout, "the Pause rerun")
    done = await s.wait_for(lambda: s.finished_ok(t0), timeout, "script_finished after Pause")
    s.results["pause_s"] = done.t - t0
    s.results["pause_start_s"] = new_run.t - t0
    epoch = epoch_value(s.epoch_text)
    s.results["paused_epoch"] = epoch
    if epoch is None or epoch >= LIVE_EPOCHS:
        raise LoadTestError(f"after Pause the Epoch metric reads {s.epoch_text!r}")
    if s.button("Train").disabled or not s.button("Pause").disabled:
        raise LoadTestError("after Pause the page still shows a run in progress")


def live_metrics(s: Session, w0: float, w1: float) -> None:
    """Frames per second in the window [w0, w1]; payloads over the whole live run."""
    t_train = s.results.get("t_train")
    if t_train is None:
        return
    t_end = s.results.get("t_pause") or _now()
    frames = s.between("epoch", w0, w1)
    s.results["live_frames"] = len(frames)
    s.results["live_fps"] = len(frames) / (w1 - w0)
    s.results["live_charts_per_s"] = len(s.between("chart", w0, w1)) / (w1 - w0)
    run_frames = s.between("epoch", t_train, t_end)
    first = run_frames[0] if run_frames else None
    s.results["first_live_frame_s"] = first.t - t_train if first else None
    # An Epoch event's byte count covers everything since the previous one: the
    # previous frame's charts. The first one in the run also holds the run's start.
    s.results["live_frame_bytes_max"] = max((e.nbytes for e in run_frames[1:]), default=0)
    by_kind: dict[str, int] = {}
    for e in s.between("chart", t_train, t_end):
        by_kind[e.data[0]] = max(by_kind.get(e.data[0], 0), e.data[1])
    s.results["live_chart_spec_max"] = by_kind
    s.results["live_finished_early"] = any(
        (epoch_value(e.data) or 0) >= LIVE_EPOCHS for e in s.between("epoch", t_train, w1))
    s.results.pop("t_train")
    s.results["pause_sent_at"] = s.results.pop("t_pause", None)




async def run_scenario(url: str, opts: Options, server_pids: tuple[int, ...]) -> dict:
    """The whole scenario against a running server; returns the report dict."""
    _check_loopback(url)
    started = _now()
    deadline = started + opts.duration_limit

    def left(cap: float) -> float:
        return max(1.0, min(cap, deadline - _now()))

    rng = random.Random(opts.seed)
    sessions = [Session(i, url) for i in range(opts.sessions)]
    report: dict[str, Any] = {"sessions": opts.sessions, "browsers": opts.browsers,
                              "url": url, "options": opts.__dict__.copy()}
    fleet = BrowserFleet(opts, url) if opts.browsers else None
    probe: SchedProbe | None = None
    with MemorySampler(server_pids) as mem:
        mem.mark("cold")
        report["loadavg_start"] = os.getloadavg()
        try:
            if fleet is not None:
                await fleet.start()
            # Warm-up: one session per server loads the page and runs one epoch, so
            # imports and the compiled kernel's load are not charged to the classroom.
            for warm_url in opts.warm_urls or (url,):
                _check_loopback(warm_url)
                warm = Session(-1, warm_url.rstrip("/"))
                await step_load(warm, DEFAULT_LINK, 60)
                t0 = await warm.press("Step")
                await warm.wait_for(lambda w=warm, t=t0: w.finished_ok(t), 60, "warm-up step")
                await warm.close()
            await asyncio.sleep(1.0)
            baseline = mem.mark("baseline")
            t_begin = _now()
            deadline = t_begin + opts.duration_limit
            cpu0 = total(cpu_seconds, server_pids)
            probe = SchedProbe()
            busy0 = machine_busy()
            own0 = time.process_time()
            kids0 = descendants_cpu_seconds(os.getpid())

            # The browsers follow the same steps on their own clock (a slow browser must
            # not hold the classroom back); they press Train once the sessions have.
            lag = LoopLag()
            lag.start()
            phases: dict[str, float] = {}
            if fleet is not None:
                fleet.signal(f"go {deadline!r}")

            # 1. load -----------------------------------------------------------------
            phases["load"] = _now()
            _log(opts, f"load: {opts.sessions} sessions (ramp {opts.ramp:g} s), "
                       f"{opts.browsers} browsers")

            async def load_one(s: Session) -> None:
                if opts.ramp and opts.sessions > 1:
                    await asyncio.sleep(opts.ramp * s.index / (opts.sessions - 1))
                await step_load(s, DEFAULT_LINK, left(60))

            await asyncio.gather(*(_guard(s, load_one(s), "load") for s in sessions))

            # 2. XOR: everyone presses Train at the same moment ------------------------
            phases["xor"] = _now()
            _log(opts, "xor: set link")
            await asyncio.gather(*(_guard(s, step_link(s, XOR_LINK, left(60)), "xor link")
                                   for s in sessions))
            _log(opts, "xor: Train")

            async def xor_train(s: Session) -> None:
                t0 = await s.press("Train")     # every send goes out in the same tick
                await step_train_to_end(s, t0, left(60))

            if fleet is not None:
                fleet.signal("xor")
            await asyncio.gather(*(_guard(s, xor_train(s), "xor train") for s in sessions))

            # 3. moons: all train live; then each pauses at its own moment -------------
            phases["moons"] = _now()
            _log(opts, "moons: set link")
            await asyncio.gather(*(_guard(s, step_link(s, MOONS_LINK, left(60)), "moons link")
                                   for s in sessions))
            _log(opts, "moons: Train")
            ok = [s for s in sessions if not s.errors]

            async def moons_train(s: Session) -> None:
                s.results["t_train"] = await s.press("Train")

            if fleet is not None:
                # The tabs train among the sessions, not after them (they load pages slower).
                _log(opts, "moons: waiting for the browser tabs")
                t_wait = _now()
                report["tabs_ready"] = await fleet.wait_live_ready(left(90))
                report["tabs_ready_wait_s"] = _now() - t_wait
                fleet.signal("moons")
            await asyncio.gather(*(_guard(s, moons_train(s), "moons train") for s in ok))
            t_live = _now()
            w0 = t_live + opts.live_warmup
            w1 = w0 + opts.live_seconds
            if fleet is not None:               # the tabs are measured in the same window
                fleet.signal(f"window {w0!r} {w1!r}")
            await asyncio.sleep(max(0.0, w1 - _now()))
            peak_train = mem.peak(since=t_begin)

            phases["pause"] = _now()
            _log(opts, f"moons: Pause spread over {opts.pause_spread:g} s")
            order = list(range(len(ok)))
            rng.shuffle(order)
            slot = opts.pause_spread / max(1, len(order) - 1)

            async def pause_one(s: Session, k: int) -> None:
                await asyncio.sleep(max(0.0, w1 + k * slot - _now()))
                await step_pause(s, left(30))

            await asyncio.gather(*(_guard(s, pause_one(s, order[i]), "pause")
                                   for i, s in enumerate(ok)))
            for s in ok:
                live_metrics(s, w0, w1)
            elapsed = _now() - t_begin          # CPU use while the sessions were busy
            busy1 = machine_busy()
            report["sched_probe"] = probe.result()     # ended: not among the descendants
            cores = os.cpu_count() or 1
            report["cpu"] = {
                "cores": cores,
                "server_cores_used": ((total(cpu_seconds, server_pids) - cpu0) / elapsed
                                      if cpu0 is not None else None),
                "machine_cores_busy": cores * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1]),
                "client_cores_used": (time.process_time() - own0) / elapsed,
                # browsers (and a server started by this script) are our descendants
                "descendants_cores_used": (descendants_cpu_seconds(os.getpid()) - kids0)
                / elapsed,
                "loadavg_end": os.getloadavg(),
                "client_loop_lag_max_s": lag.max_since(t_begin),
                "client_loop_lag_by_phase_s": lag.by_phase(phases, _now()),
            }
            await lag.stop()
            if fleet is not None:
                _log(opts, "waiting for the browsers")
                await fleet.finish(max(1.0, deadline - _now()) + 30)

            # 4. idle, then leave -------------------------------------------------------
            await asyncio.sleep(opts.idle_settle)
            idle = mem.mark("idle")
            report["scenario_s"] = _now() - started
        finally:
            await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
            if fleet is not None:
                fleet.stop()
            if probe is not None:
                probe.close()
        peak = mem.peak()
        _log(opts, f"left; waiting {opts.leave_wait:g} s for memory")
        await asyncio.sleep(opts.leave_wait)
        after = mem.mark("after_leave")
        # A visitor after that: Streamlit itself also expires stored sessions when
        # its session store is next written (when someone disconnects).
        visitor = Session(-2, url)
        with contextlib.suppress(Exception):
            await step_load(visitor, DEFAULT_LINK, 30)
        await visitor.close()
        await asyncio.sleep(2.0)
        after_visitor = mem.mark("after_visitor")

    report["memory_mb"] = {
        "cold": mem.marks.get("cold"), "baseline": baseline, "peak": peak,
        "peak_during_training": peak_train, "idle": idle, "after_leave": after,
        "after_visitor": after_visitor,
        "idle_per_session": ((idle - baseline) / opts.sessions
                             if idle is not None and baseline is not None else None),
    }
    report["per_session"] = [
        {"index": s.index, "workspace": s.workspace, **s.results, "errors": s.errors,
         "exceptions": s.exceptions, "bytes_in": s.bytes_in, "messages_in": s.msgs_in}
        for s in sessions]
    report["per_browser"] = fleet.users if fleet is not None else []
    report["browser_live"] = fleet.live if fleet is not None else {}
    report["summary"] = summarize(report)
    return report
