"""The process-wide pacing in mlp_ui.shared: the FIFO lock, frame intervals, the janitor's helpers.

These are the pieces the classroom load test leans on; here they are checked
without a server, by order of events and by arithmetic, never by timing.
"""

from __future__ import annotations

import threading

import pytest

from mlp_ui import shared as sh


def _wait_until(cond) -> None:
    for _ in range(10_000):
        if cond():
            return
        threading.Event().wait(0.001)
    raise AssertionError("condition never became true")


def test_fair_lock_serves_waiters_in_the_order_they_asked():
    lock = sh.FairLock()
    order: list[int] = []
    lock.acquire()                      # held, so everyone below queues
    asked = []
    threads = []
    for i in range(5):
        ready = threading.Event()

        def worker(i=i, ready=ready):
            ready.set()
            with lock:
                order.append(i)

        t = threading.Thread(target=worker)
        t.start()
        ready.wait()
        # wait until this worker is really queued before starting the next one
        _wait_until(lambda n=i + 1: lock.waiting() == n)
        asked.append(i)
        threads.append(t)
    lock.release()
    for t in threads:
        t.join(10)
    assert order == asked == list(range(5))


def test_fair_lock_keeps_a_timed_out_waiters_place():
    """A live loop polls (acquire with a timeout) to notice Pause; polling must not cost it
    its turn, or the sessions that poll most would wait longest."""
    lock = sh.FairLock()
    first, second = object(), object()
    order: list[str] = []

    def take(token, name):
        assert lock.acquire(token, timeout=10)
        order.append(name)
        lock.release()

    lock.acquire()
    assert not lock.acquire(first, timeout=0.01)     # asked first, timed out, still queued
    b = threading.Thread(target=take, args=(second, "second"))
    b.start()
    _wait_until(lambda: lock.waiting() == 1)
    a = threading.Thread(target=take, args=(first, "first"))  # polls again, later
    a.start()
    _wait_until(lambda: lock.waiting() == 2)
    lock.release()
    a.join(10)
    b.join(10)
    assert order == ["first", "second"]


def test_fair_lock_passes_over_a_waiter_that_is_busy_elsewhere_and_after_it_leaves():
    lock = sh.FairLock()
    first, second = object(), object()
    lock.acquire()
    assert not lock.acquire(first, timeout=0.01)     # queued, but not waiting now
    got = []
    b = threading.Thread(target=lambda: got.append(lock.acquire(second, timeout=10)))
    b.start()
    _wait_until(lambda: lock.waiting() == 1)
    lock.release()                      # `first` is drawing, say: `second` goes ahead
    b.join(10)
    assert got == [True]
    lock.release()
    lock.leave(first)                   # giving the place up leaves an empty queue
    assert lock.acquire(timeout=1)
    lock.release()


def test_frames_slow_down_as_more_sessions_train():
    hub = sh.Shared()
    for _ in range(50):                 # settle the running estimate
        hub.record_render(0.010)
    cost = 0.010 * (1 + sh.SEND_SHARE)
    assert hub.render_cost == pytest.approx(cost, rel=1e-3)
    hub.heartbeat("a")
    one = hub.frame_interval()
    for i in range(40):
        hub.heartbeat(f"s{i}")
    forty = hub.frame_interval()
    assert one == sh.MIN_FRAME_INTERVAL            # one session: as fast as allowed
    assert forty == pytest.approx(41 * cost / sh.RENDER_SHARE, rel=1e-3)
    assert forty < 1.0, "40 sessions at 10 ms of CPU a frame still get a frame a second"
    # a round of everyone's training turns fits in one frame interval
    assert hub.quantum() == pytest.approx(max(sh.MIN_QUANTUM, forty / 41), rel=1e-3)
    hub.leave("a")
    assert hub.active_sessions() == 40


def test_frame_interval_and_turns_stay_within_their_bounds():
    hub = sh.Shared()
    for _ in range(100):
        hub.record_render(10.0)         # an absurdly slow frame
    for i in range(100):
        hub.heartbeat(f"s{i}")
    assert hub.frame_interval() == sh.MAX_FRAME_INTERVAL
    assert sh.MIN_QUANTUM <= hub.quantum() <= sh.MAX_QUANTUM


def test_janitor_helpers_are_harmless_without_a_streamlit_server():
    assert sh._expire_stored_sessions() is None     # no runtime: the janitor stops
    sh._malloc_trim()                               # glibc or not, never raises
    assert sh.Shared().event_loop_mark() is None     # no runtime: frames do not wait


def test_event_loop_mark_is_set_once_the_loop_has_run_what_was_queued(monkeypatch):
    import asyncio
    from types import SimpleNamespace

    from streamlit.runtime import Runtime

    loop = asyncio.new_event_loop()
    gate = threading.Event()
    loop.call_soon(gate.wait)           # the loop is busy with earlier work
    monkeypatch.setattr(Runtime, "instance", classmethod(
        lambda cls: SimpleNamespace(_get_async_objs=lambda: SimpleNamespace(eventloop=loop))))
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        mark = sh.Shared().event_loop_mark()
        assert mark is not None and not mark.wait(0.05)
        gate.set()                       # the earlier work is done: the mark comes next
        assert mark.wait(10)
    finally:
        gate.set()
        loop.call_soon_threadsafe(loop.stop)
        runner.join(10)
        loop.close()


def test_collect_and_freeze_leaves_live_objects_out_of_later_collections():
    import gc

    try:
        sh._collect_and_freeze()
        assert gc.get_freeze_count() > 0
        frozen = gc.get_freeze_count()
        sh._collect_and_freeze()          # unfreezes first: the count does not pile up
        assert gc.get_freeze_count() <= frozen + 1000
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("passes, owed, training, action", [
    (1, False, 0, "freeze"),              # nothing owed: freeze what has lived a period
    (1, False, 40, "freeze"),
    (1, True, 0, "collect_and_trim"),     # sessions left and no one trains: collect now
    (1, True, 5, "freeze"),               # someone trains: a 0.2 s stop would show; wait
    (sh.FULL_EVERY, True, 5, "collect_and_trim"),   # ... but not past the periodic collection
    (sh.FULL_EVERY, False, 5, "collect"),
    (2 * sh.FULL_EVERY, False, 0, "collect"),
])
def test_janitor_collects_for_departed_sessions_only_when_no_one_is_training(
        passes, owed, training, action):
    assert sh.janitor_pass(passes, owed, training) == action
    assert action in sh.JANITOR_ACTIONS


def test_janitor_remembers_what_departed_sessions_owe_until_it_collects(monkeypatch):
    counts = iter([3, 3, 2, 2, 2, None])            # None: the runtime went away
    training = iter([1, 1, 1, 0, 0])
    done = []
    monkeypatch.setattr(sh, "_expire_stored_sessions", lambda: next(counts))
    monkeypatch.setattr(sh, "JANITOR_ACTIONS", {k: (lambda k=k: done.append(k))
                                                for k in sh.JANITOR_ACTIONS})
    monkeypatch.setattr(sh._Janitor, "FIRST_PASS", 0.0)
    monkeypatch.setattr(sh._Janitor, "PERIOD", 0.0)
    sh._Janitor(lambda: next(training)).run()       # in this thread; returns on None
    assert done == ["freeze", "freeze", "freeze", "collect_and_trim", "freeze"]

