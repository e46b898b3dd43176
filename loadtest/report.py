"""The load test's summary, targets and printed report."""

from __future__ import annotations

import statistics

from .common import TARGETS


def _stats(values: list[float]) -> dict[str, float | None]:
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0, "min": None, "p50": None, "max": None}
    return {"n": len(values), "min": min(values), "p50": statistics.median(values),
            "max": max(values)}


def summarize(report: dict) -> dict:
    rows = report["per_session"]
    n = report["sessions"]
    failed = [r for r in rows if r["errors"]]
    s = {
        "sessions_ok": n - len(failed),
        "sessions_failed": len(failed),
        "exceptions": sum(len(r["exceptions"]) for r in rows),
        "first_chart_s": _stats([r.get("first_chart_s") for r in rows]),
        "xor_final_s": _stats([r.get("xor_final_s") for r in rows]),
        "xor_frames": _stats([r.get("xor_frames") for r in rows]),
        "live_fps": _stats([r.get("live_fps") for r in rows]),
        "live_charts_per_s": _stats([r.get("live_charts_per_s") for r in rows]),
        "pause_s": _stats([r.get("pause_s") for r in rows]),
        "pause_start_s": _stats([r.get("pause_start_s") for r in rows]),
        "max_frame_bytes": max((r.get("live_frame_bytes_max", 0) for r in rows), default=0),
        "max_chart_spec_bytes": {},
        "live_finished_early": sum(1 for r in rows if r.get("live_finished_early")),
        "first_live_frame_s": _stats([r.get("first_live_frame_s") for r in rows]),
    }
    for r in rows:
        for kind, size in (r.get("live_chart_spec_max") or {}).items():
            s["max_chart_spec_bytes"][kind] = max(s["max_chart_spec_bytes"].get(kind, 0), size)
    if report["per_browser"]:
        b = report["per_browser"]
        s["browser"] = {k: _stats([r.get(k) for r in b])
                        for k in ("first_chart_s", "xor_final_s", "live_fps", "pause_s")}
        s["browser"]["failed"] = sum(1 for r in b if r["errors"])
        s["browser"]["drawn"] = drawn_summary(b)
        s["browser"]["live"] = report.get("browser_live") or {}
    mem = report["memory_mb"]
    t = TARGETS
    checks = {
        "all sessions completed": s["sessions_failed"] == 0 and s["exceptions"] == 0,
        f"first chart <= {t['first_chart_s']:g} s": _le(s["first_chart_s"]["max"],
                                                        t["first_chart_s"]),
        f"final result <= {t['final_s']:g} s": _le(s["xor_final_s"]["max"], t["final_s"]),
        f">= {t['live_fps']:g} live frame/s per session": (
            s["live_fps"]["min"] is not None and s["live_fps"]["min"] >= t["live_fps"]
            and s["live_finished_early"] == 0),
        f"Pause <= {t['pause_s']:g} s": _le(s["pause_s"]["max"], t["pause_s"]),
    }
    if report["per_browser"]:
        checks["browser tabs completed"] = s["browser"]["failed"] == 0
    if mem["baseline"] is not None:
        checks[f"idle memory < {t['idle_mb_per_session']:g} MB/session"] = _le(
            mem["idle_per_session"], t["idle_mb_per_session"])
        limit = mem["baseline"] * (1 + t["leave_slack_frac"]) + t["leave_slack_mb"]
        checks[f"after leaving <= {limit:.0f} MB (baseline +10 % +50 MB)"] = _le(
            mem["after_leave"], limit)
    saved = report.get("runs_saved")
    if saved is not None:
        checks["every run saved in the store"] = saved["saved"] == saved["expected"]
    s["checks"] = checks
    s["passed"] = all(checks.values())
    return s


# What a tab drew in the live window (tab_counts.drawn_rates), as (name, path in it).
_DRAWN = (("animation_frames_per_s", ("animation_frames_per_s",)),
          ("epoch_changes_per_s", ("epoch_changes_per_s",)),
          ("boundary_updates_per_s", ("in_place_updates_per_s", "boundary")),
          ("in_place_updates_per_s", ("in_place_updates_per_s", "all")),
          ("charts_built", ("charts_built",)),
          ("charts_hidden", ("charts_hidden",)))


def drawn_summary(tabs: list[dict]) -> dict:
    """Min / median / max over the tabs of what each drew in the live window."""
    def get(tab: dict, path: tuple[str, ...]):
        value = tab.get("drawn")
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return {name: _stats([get(t, path) for t in tabs]) for name, path in _DRAWN}


def _le(value, limit) -> bool:
    return value is not None and value <= limit


def _fmt(v, unit: str = "", digits: int = 2) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}{unit}"
    return f"{v}{unit}"


def _browsers_nice(report: dict) -> int:
    return report.get("options", {}).get("browsers_nice", 0)


def _nice(report: dict) -> str:
    nice = _browsers_nice(report)
    return f" (at nice {nice})" if report["browsers"] and nice else ""


def browsers_compete(browsers: float, server: float, cores: int, nice: int = 0) -> str | None:
    """A warning when the Chromium tabs took CPU the server under test needed, else None.

    The tabs stand in for students' own machines but run on the test box: once
    they and the server together fill its cores, the server's numbers are the
    box's, not the app's, unless the tabs ran at nice 19 (``--browsers-nice``), where
    the scheduler gives them only what the server leaves.
    """
    if nice >= 19 or browsers < 0.1 or browsers + server < 0.9 * cores:
        return None
    return (f"the browsers took {browsers:.2f} of this machine's {cores} cores while the "
            f"server used {server:.2f}: they compete with the server under test, so its "
            "latencies include theirs; run fewer --browsers, or --browsers-nice 19")


def _browser_drawn_lines(drawn: dict, live: dict) -> list[str]:
    """What the tabs drew in the live window, and Chromium's CPU per drawn update."""
    def min_med(name: str, digits: int = 1) -> str:
        return f"{_fmt(drawn[name]['min'], '', digits)} / {_fmt(drawn[name]['p50'], '', digits)}"

    lines = [f"  tabs drawn/s min/med       animation frames {min_med('animation_frames_per_s')},"
             f" Epoch {min_med('epoch_changes_per_s')}, boundary "
             f"{min_med('boundary_updates_per_s')}, all charts "
             f"{min_med('in_place_updates_per_s')}; charts built max "
             f"{_fmt(drawn['charts_built']['max'])}, hidden max "
             f"{_fmt(drawn['charts_hidden']['max'])}"]
    chromium = live.get("chromium")
    if chromium:
        cores, ms = chromium["cores"], chromium["ms_per_update"]
        lines.append(
            f"  tabs' Chromium CPU         {_fmt(cores['all'])} cores (renderers "
            f"{_fmt(cores.get('renderer'))}) over {live['seconds']:g} s (opened "
            f"{live['late_s']:g} s after the sessions' window): "
            f"{_fmt(ms['all'], ' ms', 0)} per drawn Epoch (renderers "
            f"{_fmt(ms.get('renderer'), ' ms', 0)}), {live['epoch_changes_drawn']} drawn by "
            f"{live['tabs']} tab(s)")
    elif live.get("error"):
        lines.append(f"  tabs' live window          {live['error']}")
    return lines


def format_report(report: dict) -> str:
    s = report["summary"]
    m = report["memory_mb"]
    lines = [
        f"MLP Playground load test: {report['sessions']} protocol sessions, "
        f"{report['browsers']} browsers{_nice(report)}, {report['url']}",
        f"  sessions ok / failed       {s['sessions_ok']} / {s['sessions_failed']}"
        f"   exception elements: {s['exceptions']}",
        f"  first chart      p50/max   {_fmt(s['first_chart_s']['p50'], ' s')} / "
        f"{_fmt(s['first_chart_s']['max'], ' s')}",
        f"  Train->final     p50/max   {_fmt(s['xor_final_s']['p50'], ' s')} / "
        f"{_fmt(s['xor_final_s']['max'], ' s')}   (live frames during XOR p50 "
        f"{_fmt(s['xor_frames']['p50'])})",
        f"  live fps/session min/med   {_fmt(s['live_fps']['min'])} / "
        f"{_fmt(s['live_fps']['p50'])}   (charts/s med {_fmt(s['live_charts_per_s']['p50'])};"
        f" first live frame after Train "
        f"p50/max {_fmt(s['first_live_frame_s']['p50'], ' s')} / "
        f"{_fmt(s['first_live_frame_s']['max'], ' s')})",
        f"  Pause            p50/max   {_fmt(s['pause_s']['p50'], ' s')} / "
        f"{_fmt(s['pause_s']['max'], ' s')}   (its rerun began p50/max "
        f"{_fmt(s['pause_start_s']['p50'], ' s')} / {_fmt(s['pause_start_s']['max'], ' s')})",
        f"  max redraw payload         {s['max_frame_bytes']:,} B per frame; chart specs "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(s["max_chart_spec_bytes"].items())),
        f"  memory MB                  cold {_fmt(m['cold'], '', 0)}, baseline "
        f"{_fmt(m['baseline'], '', 0)}, peak {_fmt(m['peak'], '', 0)}, idle "
        f"{_fmt(m['idle'], '', 0)} ({_fmt(m['idle_per_session'], ' MB/session', 2)}), "
        f"{report['options']['leave_wait']:g} s after leaving {_fmt(m['after_leave'], '', 0)}"
        f" (after one more visitor {_fmt(m['after_visitor'], '', 0)})",
    ]
    saved = report.get("runs_saved")
    if saved is not None:
        lines.append(
            f"  runs saved                 {saved['saved']} of {saved['expected']} "
            f"({saved['sessions']} sessions x 2: XOR finished, moons paused); "
            f"{saved['sessions_short']} sessions short; {saved['rows_in_store']} rows in store")
    if "browser" in s:
        b = s["browser"]
        lines.append(
            f"  browsers (UI)              first chart max {_fmt(b['first_chart_s']['max'], ' s')},"
            f" Train->final max {_fmt(b['xor_final_s']['max'], ' s')}, live fps min "
            f"{_fmt(b['live_fps']['min'])}, Pause max {_fmt(b['pause_s']['max'], ' s')}, "
            f"failed {b['failed']}; the live run waited "
            f"{_fmt(report.get('tabs_ready_wait_s'), ' s', 1)} for them")
        lines += _browser_drawn_lines(b["drawn"], b["live"])
    cpu = report.get("cpu") or {}
    if cpu:
        server = cpu.get("server_cores_used") or 0
        # A server we started is one of our descendants; the rest of them are browsers.
        browsers = max(0.0, cpu["descendants_cores_used"]
                       - (server if report.get("server_started") else 0))
        rest = cpu["machine_cores_busy"] - cpu["client_cores_used"] - server - browsers
        lines.append(
            f"  CPU (cores of {cpu['cores']})           server {_fmt(server)}, this client "
            f"{_fmt(cpu['client_cores_used'])}, its browsers {_fmt(browsers)}, other "
            f"processes {_fmt(rest)}; load avg {report['loadavg_start'][0]:.1f} -> "
            f"{cpu['loadavg_end'][0]:.1f}")
        note = browsers_compete(browsers, server, cpu["cores"], _browsers_nice(report))
        if note:
            lines.append(f"  note: {note}")
        lag = _fmt(cpu.get("client_loop_lag_max_s"), " s")
        by_phase = ", ".join(f"{k} {_fmt(v, ' s')}"
                             for k, v in (cpu.get("client_loop_lag_by_phase_s") or {}).items())
        lines.append(f"  client event loop lag max   {lag} (in every latency above; {by_phase})")
    sched = report.get("sched_probe")
    if sched:
        lines.append(f"  OS wake-up delay p99/max    {sched['p99_ms']:.1f} / "
                     f"{sched['max_ms']:.0f} ms, {sched['over_50ms']} over 50 ms (a bystander "
                     f"process sleeping 2 ms at a time: the machine's own delays)")
    lines.append("  targets:")
    for name, ok in s["checks"].items():
        lines.append(f"    [{'PASS' if ok else 'FAIL'}] {name}")
    if report.get("server_tracebacks"):
        lines.append(f"  server log: {report['server_tracebacks']} traceback(s), see "
                     f"{report.get('server_log')}")
    errors = [(r["index"], e) for r in report["per_session"] for e in r["errors"]]
    errors += [(f"browser {r['index']}", e) for r in report["per_browser"] for e in r["errors"]]
    for who, e in errors[:10]:
        lines.append(f"  error (session {who}): {e}")
    if len(errors) > 10:
        lines.append(f"  ... {len(errors) - 10} more errors")
    lines.append(f"  RESULT: {'PASS' if s['passed'] else 'FAIL'}")
    return "\n".join(lines)
