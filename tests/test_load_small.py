"""A small classroom: 8 simulated students on a server of their own.

Runs the ``loadtest`` package's client (the same code as the 40-session load test)
with 8 protocol sessions: load the page, train XOR to the end, train moons live,
Pause. It asserts what each student sees (charts, the final epoch, live frames,
a run that Pause stopped), never how fast: timings depend on the machine, and
the 40-session script reports them against its targets. The measured numbers
are printed (``-s``).
"""

from __future__ import annotations

import pytest

from tests.loadtest_support import load_loadtest, run_load_test

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SESSIONS = 8
MIN_LIVE_FRAMES = 2     # redraws of the Epoch metric inside the live window


@pytest.fixture(scope="module")
def report():
    lt = load_loadtest()
    opts = lt.Options(sessions=SESSIONS, browsers=0, duration_limit=150, live_seconds=6,
                      pause_spread=2, leave_wait=0, verbose=False)
    return run_load_test(lt, opts, f"{SESSIONS}-session")


def _by_session(report, key):
    return {r["index"]: r.get(key) for r in report["per_session"]}


def test_every_session_completed_without_errors(report):
    errors = {r["index"]: r["errors"] for r in report["per_session"] if r["errors"]}
    assert not errors, errors


def test_no_exception_element_anywhere(report):
    exceptions = {r["index"]: r["exceptions"] for r in report["per_session"] if r["exceptions"]}
    assert not exceptions, exceptions


def test_every_session_got_a_first_chart(report):
    times = _by_session(report, "first_chart_s")
    assert all(t is not None for t in times.values()), times


def test_every_xor_run_reached_its_final_epoch(report):
    lt = load_loadtest()
    epochs = _by_session(report, "xor_final_epoch")
    assert all(e == lt.TARGET_EPOCHS for e in epochs.values()), epochs


def test_every_session_saw_live_frames(report):
    frames = _by_session(report, "live_frames")
    early = _by_session(report, "live_finished_early")
    assert not any(early.values()), f"runs ended inside the live window: {early}"
    assert all(f is not None and f >= MIN_LIVE_FRAMES for f in frames.values()), frames


def test_pause_stops_every_run_part_way(report):
    lt = load_loadtest()
    answered = _by_session(report, "pause_s")
    assert all(p is not None for p in answered.values()), answered
    paused = _by_session(report, "paused_epoch")
    assert all(e is not None and 0 < e < lt.LIVE_EPOCHS for e in paused.values()), paused


def test_the_report_says_how_late_the_machine_woke_a_bystander(report):
    lt = load_loadtest()
    probe = report["sched_probe"]
    assert probe["n"] > 1000          # thousands of 2 ms sleeps: it ran all along
    assert "OS wake-up delay p99/max" in lt.format_report(report)


def test_every_session_saved_both_its_runs_in_the_store(report):
    # Each session sends a workspace cookie as a browser does; the started server saves
    # into a throwaway SQLite file, and its rows are counted per workspace.
    saved = report["runs_saved"]
    assert saved["sessions"] == SESSIONS
    assert saved["saved"] == saved["expected"] == 2 * SESSIONS, saved
    assert saved["rows_in_store"] == 2 * SESSIONS, saved
    assert "runs saved                 16 of 16" in load_loadtest().format_report(report)
