"""Run the load test: start or find the server, run the scenario, print the report."""


from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from mlp_store import ENV_VAR

from .browsers import fleet_main
from .common import REPO_ROOT, LoadTestError, Options, _check_loopback
from .report import format_report, summarize
from .scenario import run_scenario
from .server import find_listening_pid, start_server, wait_healthy

SAVE_WAIT_S = 30.0     # saves still queued on the server when the count begins


def count_saved(db: str, workspaces: list[str], expected_each: int) -> dict:
    """How many runs the store holds for each of these workspaces (one per session).

    Waits up to ``SAVE_WAIT_S`` for saves that are still queued on the server.
    """
    from mlp_store import open_store

    store = open_store(db)
    deadline = time.monotonic() + SAVE_WAIT_S
    while True:
        counts = [len(store.list_runs(w)) for w in workspaces]
        if all(c >= expected_each for c in counts) or time.monotonic() > deadline:
            break
        time.sleep(1.0)
    return {"sessions": len(workspaces), "expected": expected_each * len(workspaces),
            "saved": sum(min(c, expected_each) for c in counts),
            "sessions_short": sum(1 for c in counts if c < expected_each),
            "rows_in_store": store.count_runs()}


def run(url: str | None = None, *, start: bool = False, app_dir: Path = REPO_ROOT,
        server_args: tuple[str, ...] = (), server_pids: tuple[int, ...] = (),
        opts: Options | None = None, db: str | None = None) -> dict:
    """Run the load test (starting a server if ``start``); return the report dict.

    ``db`` is the runs store the server saves into: a started server gets it (by
    default a throwaway SQLite file), and the runs each session saved are counted.
    """
    opts = opts or Options()
    server = None
    scratch = None
    if start:
        if db is None:
            scratch = tempfile.TemporaryDirectory(prefix="loadtest-store-")
            db = f"sqlite:///{Path(scratch.name) / 'runs.db'}"
        server = start_server(app_dir, server_args, env={ENV_VAR: db})
        url, server_pids = server.url, (server.pid,)
    elif url is None:
        raise LoadTestError("give a --url or --start-server")
    else:
        url = url.rstrip("/")
        _check_loopback(url)
        wait_healthy(url, 10)
        if not server_pids:
            found = find_listening_pid(urllib.parse.urlsplit(url).port or 80)
            server_pids = (found,) if found is not None else ()
    if str(app_dir) not in sys.path:
        sys.path.insert(0, str(app_dir))        # mlp_core, for the link <-> widget mapping
    keep_log = True
    try:
        try:
            report = asyncio.run(asyncio.wait_for(
                run_scenario(url, opts, server_pids),
                opts.duration_limit + opts.leave_wait + 120))
        except TimeoutError:
            raise LoadTestError("the scenario overran its overall time limit") from None
        report["server_started"] = server is not None
        if db is not None:
            # Each session trains XOR to the end and pauses the live moons run.
            workspaces = [r["workspace"] for r in report["per_session"] if not r["errors"]]
            report["runs_saved"] = count_saved(db, workspaces, expected_each=2)
            report["summary"] = summarize(report)
        if server is not None:
            report["server_tracebacks"] = server.log_tail(100_000).count("Traceback")
            keep_log = bool(report["server_tracebacks"])
            if keep_log:
                report["server_log"] = str(server.log_path)
                report["server_log_tail"] = server.log_tail(60)
        return report
    finally:
        if server is not None:
            server.stop()
            if not keep_log and server.log_path is not None:
                with contextlib.suppress(OSError):
                    server.log_path.unlink()
        if scratch is not None:
            scratch.cleanup()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--browser-fleet"]:         # the tabs' own process (BrowserFleet)
        return fleet_main(json.loads(argv[1]))
    p = argparse.ArgumentParser(prog="python -m loadtest",
                                description="Classroom load test: many simulated students on "
                                            "one MLP Playground server.",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sessions", type=int, default=40)
    p.add_argument("--url", help="a running server, e.g. http://127.0.0.1:8501 (loopback only)")
    p.add_argument("--start-server", action="store_true",
                   help="start `streamlit run app.py` on a free port and stop it at the end")
    p.add_argument("--app-dir", type=Path, default=REPO_ROOT,
                   help="directory holding app.py for --start-server (default: this repo)")
    p.add_argument("--server-arg", action="append", default=[],
                   help="extra option for the started server, e.g. "
                        "--server-arg=--server.disconnectedSessionTTL=20")
    p.add_argument("--server-pid", type=int, action="append", default=[],
                   help="pid whose memory and CPU to sample (with --url; repeat for replicas, "
                        "which are then summed)")
    p.add_argument("--browsers", type=int, default=0, help="real headless Chromium tabs")
    p.add_argument("--browsers-nice", type=int, default=0, metavar="N",
                   help="run the tabs at nice level N (0-19); 19 stands in for students' own "
                        "machines: the tabs get only the cores the server leaves")
    p.add_argument("--duration-limit", type=float, default=120.0,
                   help="seconds for the scenario (connect .. Pause); memory waits come after")
    p.add_argument("--ramp", type=float, default=0.0,
                   help="seconds over which the sessions connect (0: all at once)")
    p.add_argument("--live-seconds", type=float, default=10.0)
    p.add_argument("--pause-spread", type=float, default=5.0)
    p.add_argument("--leave-wait", type=float, default=75.0,
                   help="seconds to wait after the sessions leave before measuring memory "
                        "(the app frees sessions 60-70 s after they disconnect)")
    p.add_argument("--warm-url", action="append", default=[],
                   help="warm this server before the classroom arrives (repeat for each "
                        "replica behind a proxy; default: --url itself)")
    p.add_argument("--db", help="the runs store's URL: a started server saves into it (default: "
                               "a throwaway SQLite file); with --url, the one that server "
                               "uses; each session's saved runs are counted in it")
    p.add_argument("--json", type=Path, help="write the full report here")
    p.add_argument("-q", "--quiet", action="store_true")
    a = p.parse_args(argv)
    if a.sessions < 1 or a.browsers < 0:
        p.error("--sessions must be >= 1 and --browsers >= 0")
    if not 0 <= a.browsers_nice <= 19:
        p.error("--browsers-nice must be between 0 and 19")
    opts = Options(sessions=a.sessions, browsers=a.browsers, browsers_nice=a.browsers_nice,
                   duration_limit=a.duration_limit,
                   ramp=a.ramp, live_seconds=a.live_seconds, pause_spread=a.pause_spread,
                   leave_wait=a.leave_wait,
                   warm_urls=tuple(a.warm_url),
                   verbose=not a.quiet)
    try:
        report = run(a.url, start=a.start_server, app_dir=a.app_dir.resolve(),
                     server_args=tuple(a.server_arg), server_pids=tuple(a.server_pid), opts=opts,
                     db=a.db)
    except LoadTestError as err:
        print(f"loadtest: {err}", file=sys.stderr)
        return 2
    print(format_report(report))
    if a.json:
        a.json.write_text(json.dumps(report, indent=2, default=str))
    return 0 if report["summary"]["passed"] else 1

