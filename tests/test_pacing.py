"""The process-wide pacing in mlp_ui.shared: the FIFO lock, frame intervals, the janitor's helpers.

These are the pieces the classroom load test leans on; here they are checked
without a server, by order of events and by arithmetic, never by timing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

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
    assert hub.quantum() == pytest.approx(sh.MAX_FRAME_INTERVAL / 100)  # a round per frame


def test_malloc_trim_never_raises():
    sh._malloc_trim()                               # glibc or not


# In a process of its own: in the test run's, the janitor thread of an earlier AppTest
# unfreezes and freezes the same heap every 10 s, between this check's lines.
_FREEZE_CHECK = """
import gc
from mlp_ui import shared as sh

sh._collect_and_freeze()
frozen = gc.get_freeze_count()
assert frozen > 0, frozen
sh._collect_and_freeze()          # unfreezes first: the count does not pile up
assert gc.get_freeze_count() <= frozen + 1000, (frozen, gc.get_freeze_count())
"""


def test_collect_and_freeze_leaves_live_objects_out_of_later_collections():
    done = subprocess.run([sys.executable, "-c", _FREEZE_CHECK], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("passes, owed, training, action", [
    (1, False, 0, "freeze"),              # nothing owed: freeze what has lived a period
    (1, False, 40, "freeze"),
    (1, True, 0, "collect_and_trim"),     # runs ended and no one trains: collect now
    (1, True, 5, "freeze"),               # someone trains: a 0.2 s stop would show; wait
    (sh.FULL_EVERY, True, 5, "collect_and_trim"),   # ... but not past the periodic collection
    (sh.FULL_EVERY, False, 5, "collect"),
    (2 * sh.FULL_EVERY, False, 0, "collect"),
])
def test_janitor_collects_what_runs_left_only_when_no_one_is_training(
        passes, owed, training, action):
    assert sh.janitor_pass(passes, owed, training) == action


def test_janitor_collects_once_training_stops_and_not_again_until_someone_trains(monkeypatch):
    training = iter([0, 1, 1, 0, 0, 2, 0])
    done = []
    monkeypatch.setattr(sh, "JANITOR_ACTIONS", {k: (lambda k=k: done.append(k))
                                                for k in sh.JANITOR_ACTIONS})
    janitor = sh._Janitor(lambda: next(training))
    for _ in range(7):
        janitor.step()
    assert done == ["freeze", "freeze", "freeze", "collect_and_trim", "freeze", "freeze",
                    "collect_and_trim"]


def test_janitor_collects_once_sessions_have_left(monkeypatch):
    sessions = iter([3, 3, 2, 2])
    done = []
    monkeypatch.setattr(sh, "expire_stored_sessions", lambda: next(sessions))
    monkeypatch.setattr(sh, "JANITOR_ACTIONS", {k: (lambda k=k: done.append(k))
                                                for k in sh.JANITOR_ACTIONS})
    janitor = sh._Janitor(lambda: 0)
    for _ in range(4):
        janitor.step()
    assert done == ["freeze", "freeze", "collect_and_trim", "freeze"]


class _Clock:
    """``time.monotonic`` and ``time.thread_time`` under the test's control."""

    def __init__(self, monkeypatch):
        self.now, self.cpu = 100.0, 0.0
        monkeypatch.setattr(sh.time, "monotonic", lambda: self.now)
        monkeypatch.setattr(sh.time, "thread_time", lambda: self.cpu)


def test_frames_make_room_for_the_cpu_that_other_sessions_runs_took(monkeypatch):
    clock = _Clock(monkeypatch)
    hub = sh.Shared()
    assert hub.render_share() == sh.RENDER_SHARE
    with hub.measure_rerun("pause"):                    # a Pause's page: 40 ms of CPU
        clock.cpu += 0.04
    load = 0.04 / sh.RUN_LOAD_WINDOW
    assert hub.run_load() == pytest.approx(load)
    assert hub.render_share() == pytest.approx(sh.RENDER_SHARE - load * (1 + sh.PAGE_SEND_SHARE))
    interval = hub.frame_interval()
    with hub.measure_rerun("trainer"):                  # a live loop's CPU is its frames'
        hub.heartbeat("trainer")
        clock.cpu += 5.0
    assert hub.run_load() == pytest.approx(load)
    assert hub.frame_interval() >= interval          # one more session training
    with hub.measure_rerun("sweep"):                    # however busy: frames keep a share
        clock.cpu += 10.0
    assert hub.render_share() == sh.MIN_RENDER_SHARE
    clock.now += sh.RUN_LOAD_WINDOW + 0.01           # the runs are history
    assert hub.run_load() == 0 and hub.render_share() == sh.RENDER_SHARE


def test_other_runs_counts_runs_outside_live_loops_until_their_page_is_sent(monkeypatch):
    clock = _Clock(monkeypatch)
    hub = sh.Shared()
    assert hub.other_runs() == 0
    with hub.measure_rerun("page-load"):
        assert hub.other_runs() == 1
        with hub.measure_rerun("trainer"):
            hub.heartbeat("trainer")                 # in its live loop: not counted
            assert hub.other_runs() == 1
    clock.now += sh.FLUSH_GRACE / 2                  # ended, messages still on their way
    assert hub.other_runs() == 2                     # the trainer's page is drawn next
    clock.now += sh.FLUSH_GRACE
    assert hub.other_runs() == 0
    with pytest.raises(KeyError), hub.measure_rerun("broken"):   # a failed run ends too
        raise KeyError("x")
    clock.now += 2 * sh.FLUSH_GRACE
    assert hub.other_runs() == 0 and not hub._runs   # ended runs are forgotten


def test_runs_are_forgotten_even_when_no_live_loop_asks(monkeypatch):
    clock = _Clock(monkeypatch)
    hub = sh.Shared()
    for i in range(1000):                            # a class on the teaching pages only
        with hub.measure_rerun(f"s{i % 40}"):
            clock.cpu += 0.01
        clock.now += 0.05
    assert len(hub._runs) <= 10 and len(hub._run_cpu) <= 25


def test_a_deferred_frame_waits_for_other_sessions_runs_while_its_run_keeps_training(monkeypatch):
    from types import SimpleNamespace

    import numpy as np

    from mlp_core.network import Network
    from mlp_core.training import TrainConfig, Trainer
    from mlp_ui import keys, live

    hub = sh.Shared()
    monkeypatch.setattr(hub, "other_runs", lambda: 1)        # someone's page, always
    monkeypatch.setattr(live, "shared", lambda: hub)
    monkeypatch.setattr(live, "MAX_DEFER", 0.4)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))                            # slow enough to outlast 2 frames
    trainer = Trainer(Network.create(2, (16,), init="xavier", seed=1), X,
                      (X[:, 0] * X[:, 1] > 0).astype(float), TrainConfig(lr=0.1, epochs=1_000_000))
    events, epochs = [], []
    real_train = trainer.train

    def train(**kwargs):
        events.append("turn")
        return real_train(**kwargs)

    monkeypatch.setattr(trainer, "train", train)
    state = {keys.TRAINING: True}

    def draw(frame):
        events.append("frame")
        epochs.append(trainer.epoch)
        if len(epochs) == 3:
            state[keys.TRAINING] = False                     # Pause

    live.train_live(SimpleNamespace(trainer=trainer), draw, state)
    assert events.count("frame") == 3
    # The first frame shows the starting state at once (the Train click's rerun emptied
    # the charts), never deferred. A due frame that is not deferred follows one or two
    # full training turns; a deferred one waits while the run trains on in short turns
    # (DEFER_POLL), so many turns come before each later frame.
    assert events[0] == "frame" and epochs[0] == 0, events[:3]
    second = events[1:].index("frame") + 1
    assert second >= 6, events[:second + 1]
    assert events[second + 1:].index("frame") >= 5
    assert 0 < epochs[1] < epochs[2]


def test_heavy_views_refresh_all_on_the_first_live_frame_then_one_group_in_turn():
    from mlp_ui.live import heavy_views_due

    due = heavy_views_due(groups=3, every=2, seconds=0.0)
    drawn = [list(due(frame)) for frame in range(9)]
    assert drawn == [[0, 1, 2], [], [0], [], [1], [], [2], [], [0]]
    slow = heavy_views_due(groups=3, every=1, seconds=60.0)
    assert [list(slow(frame)) for frame in range(3)] == [[0, 1, 2], [], []]
