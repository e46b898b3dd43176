"""Process-wide state shared by every session: the compute and render queues, frame pacing.

Streamlit runs every session's Python in one process, so all sessions share one
GIL (about one core of Python work) and this machine's cores. Live training is
paced against those two resources, measured by the load test (``python -m loadtest``):

* Compute: the compiled kernel releases the GIL, so training runs on the other
  core. ``compute_lock`` is a FIFO queue around it; a live loop holds it for one
  short ``quantum`` at a time, so every training session advances in turn and a
  short run (a logic gate) finishes within a few quanta.
* Rendering: a live frame is pure Python (figures, protobuf) that holds the GIL.
  Frames take turns (one at a time, FIFO, measured CPU time per frame) and each
  session's frame interval grows with the number of sessions training so that
  live frames fill at most ``RENDER_SHARE`` of the time, less what other
  script runs (page loads, button presses, Pause) have lately taken: the rest
  is theirs. A due frame also waits (up to ``MAX_DEFER`` s) while such a run
  is drawn or sent (``other_runs``) and until Streamlit's event loop has caught
  up with the frames before it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import math
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

import streamlit as st

from mlp_core.dense import one_blas_thread

from . import keys
from .streamlit_internals import expire_stored_sessions

one_blas_thread()   # once per server process: every session trains on a thread of its own

# Share of the process's GIL that live frames may take together; the rest keeps
# page loads, Train/Pause presses and websocket traffic responsive.
RENDER_SHARE = 0.75
MIN_FRAME_INTERVAL = 1 / 15  # no session needs more than 15 frames per second
MAX_FRAME_INTERVAL = 15.0      # with very many sessions, frames still come this often
INITIAL_RENDER_COST = 0.02     # seconds per live frame until one is measured
# The event loop's CPU to send a frame, as a share of the frame's own (py-spy, 40
# sessions: main thread ~0.4 of the drawing threads' samples).
SEND_SHARE = 0.4
MAX_DEFER = 1.0                # longest a due frame waits for other sessions' runs
FLUSH_GRACE = 0.3              # a run still counts this long after it ends (other_runs)
# Frames give way to script runs outside live loops (page loads, presses, Pause):
# their CPU over the last RUN_LOAD_WINDOW s, and the event loop's to send what they
# drew, comes off the frames' share, down to MIN_RENDER_SHARE. A page sends ~3x the
# messages per CPU second of a live frame (a paused playground: 115 for ~25 ms;
# a frame: ~15 for ~10 ms), hence 3x SEND_SHARE. Forty Pauses in 5 s count for
# ~0.5 of the GIL this way (load test with Chromium tabs: median Pause 0.08-0.11 s
# before, 0.06-0.09 s after; the slowest ones unchanged).
RUN_LOAD_WINDOW = 1.0
PAGE_SEND_SHARE = 3 * SEND_SHARE
MIN_RENDER_SHARE = 0.25
# Training turns: one round of all training sessions fits in one frame interval,
# so every session has progress to show when its frame is due.
MIN_QUANTUM, MAX_QUANTUM = 0.01, 0.25
STALE_AFTER = 3.0              # a session that stopped reporting has left
# The kernel drops the GIL for each chunk of epochs and must take it back after; with
# Python's default 5 ms switch interval a busy renderer delays each return by up to
# 5 ms. When a chunk stopped at every record (1,169 returns in a 200,000-epoch XOR
# run) that slowed a 0.25 s run to ~1-3 s; chunks now span ~10 ms of epochs
# (``train_stops``), and 1 ms keeps the remaining returns prompt.
GIL_SWITCH_INTERVAL = 0.001


class FairLock:
    """A FIFO lock: waiters get it in the order they first asked.

    ``acquire(token, timeout)`` keeps the caller's place in the queue across
    timeouts, so a loop can poll (and notice it was asked to stop) without
    losing its turn; while it is not waiting (drawing, say) the lock passes to
    the next one waiting. ``leave(token)`` gives the place up. ``with lock:``
    works like ``threading.Lock`` for callers that simply wait. A release wakes
    only the waiter whose turn it is, so dozens of waiting sessions cost nothing.
    """

    def __init__(self):
        self._guard = threading.Lock()
        self._queue: deque[object] = deque()
        self._waiting: dict[int, threading.Event] = {}
        self._held = False

    def _next(self) -> object | None:
        for queued in self._queue:
            if id(queued) in self._waiting:
                return queued
        return None

    def _wake_next(self) -> None:
        nxt = self._next()
        if nxt is not None:
            self._waiting[id(nxt)].set()

    def acquire(self, token: object | None = None, timeout: float | None = None) -> bool:
        token = object() if token is None else token
        deadline = None if timeout is None else time.monotonic() + timeout
        wake = threading.Event()
        with self._guard:
            if token not in self._queue:
                self._queue.append(token)
            self._waiting[id(token)] = wake
        while True:
            with self._guard:
                if not self._held and self._next() is token:
                    return self._take(token)
                wake.clear()        # a release after this line sets it again
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                with self._guard:
                    del self._waiting[id(token)]
                    if not self._held:
                        self._wake_next()   # in case the wake-up was meant for us
                return False
            wake.wait(left)

    def _take(self, token: object) -> bool:
        del self._waiting[id(token)]
        self._queue.remove(token)
        self._held = True
        return True

    def release(self) -> None:
        with self._guard:
            self._held = False
            self._wake_next()

    def leave(self, token: object) -> None:
        """Give up ``token``'s place in the queue (a no-op if it has none)."""
        with self._guard:
            try:
                self._queue.remove(token)
            except ValueError:
                return
            if not self._held:
                self._wake_next()

    def waiting(self) -> int:
        with self._guard:
            return len(self._waiting)

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Shared:
    def __init__(self):
        self.compute_lock = FairLock()
        self.render_lock = FairLock()
        self._active: dict[str, float] = {}
        self._guard = threading.Lock()
        self._render_cost = INITIAL_RENDER_COST
        self._live_runs: set[str] = set()              # sessions whose current run is live
        self._runs: dict[str, float] = {}    # session -> end of its last run (inf: running)
        self._run_cpu: deque[tuple[float, float]] = deque()  # (end, CPU s) of other runs

    # --- who is training -------------------------------------------------------
    def heartbeat(self, session_id: str) -> None:
        with self._guard:
            self._active[session_id] = time.monotonic()
            self._live_runs.add(session_id)

    def leave(self, session_id: str) -> None:
        with self._guard:
            self._active.pop(session_id, None)

    def training_sessions(self) -> int:
        """Sessions in a live loop now (those that stopped reporting have left)."""
        now = time.monotonic()
        with self._guard:
            for sid in [s for s, seen in self._active.items() if now - seen > STALE_AFTER]:
                del self._active[sid]
            return len(self._active)

    def active_sessions(self) -> int:
        return max(1, self.training_sessions())

    # --- pacing ----------------------------------------------------------------
    def record_render(self, cpu_seconds: float) -> None:
        """Fold one live frame's CPU time (its thread's) into the running estimate.

        CPU time, not wall time: under load a frame's wall time is mostly waiting
        for the GIL, and pacing by it throttled 40 sessions to a third of what the
        GIL had room for. The event loop's work to send the frame is added at
        the ratio measured with py-spy.
        """
        cost = cpu_seconds * (1.0 + SEND_SHARE)
        with self._guard:
            self._render_cost += 0.2 * (cost - self._render_cost)

    @property
    def render_cost(self) -> float:
        return self._render_cost

    @contextlib.contextmanager
    def measure_rerun(self, session_id: str):
        """Measure one rerun of ``session_id``'s page script (app.py wraps every page in this).

        The CPU time of a run without a live loop counts towards ``run_load``; a
        live loop's own CPU is its frames' (``record_render``) and its training's.
        """
        with self._guard:
            self._live_runs.discard(session_id)
            self._runs[session_id] = math.inf
        started = time.thread_time()
        try:
            yield
        finally:
            cpu, now = time.thread_time() - started, time.monotonic()
            with self._guard:
                if session_id not in self._live_runs:
                    self._run_cpu.append((now, cpu))
                self._live_runs.discard(session_id)
                self._runs[session_id] = now
                self._forget_runs(now)      # bounded even when no live loop reads them

    def _forget_runs(self, now: float) -> None:
        """Drop runs too old for ``run_load`` and ``other_runs`` (caller holds the guard)."""
        while self._run_cpu and now - self._run_cpu[0][0] > RUN_LOAD_WINDOW:
            self._run_cpu.popleft()
        for sid in [s for s, ended in self._runs.items() if now - ended > FLUSH_GRACE]:
            del self._runs[sid]

    def run_load(self) -> float:
        """CPU seconds per second taken lately by script runs outside live loops."""
        with self._guard:
            self._forget_runs(time.monotonic())
            return sum(cpu for _, cpu in self._run_cpu) / RUN_LOAD_WINDOW

    def render_share(self) -> float:
        """The share of the GIL live frames may take now (see ``RUN_LOAD_WINDOW``)."""
        others = self.run_load() * (1.0 + PAGE_SEND_SHARE)
        return max(MIN_RENDER_SHARE, RENDER_SHARE - others)

    def frame_interval(self) -> float:
        """Seconds between one session's live frames, so that all frames fit the budget."""
        wanted = self.active_sessions() * self._render_cost / self.render_share()
        return min(MAX_FRAME_INTERVAL, max(MIN_FRAME_INTERVAL, wanted))

    def other_runs(self) -> int:
        """Sessions, not in a live loop, running a script or still sending what one drew.

        Streamlit's event loop sends a run's messages (a paused playground is ~115)
        one per turn of the loop, each turn waiting for the GIL, so a run counts for
        ``FLUSH_GRACE`` s after it ends.
        """
        with self._guard:
            self._forget_runs(time.monotonic())
            return sum(1 for sid in self._runs if sid not in self._live_runs)

    def quantum(self) -> float:
        """Seconds of training per turn on the compute lock (a frame interval per round)."""
        n = self.active_sessions()
        return min(MAX_QUANTUM, max(MIN_QUANTUM, self.frame_interval() / n))


@st.cache_resource
def shared() -> Shared:
    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    hub = Shared()
    _Janitor.start_once(hub.training_sessions)
    return hub


class _Janitor(threading.Thread):
    """Keeps garbage collections short and gives memory back once training stops.

    Every ``PERIOD`` seconds this freezes the objects that have lived that long
    (see ``_collect_and_freeze``). Finished and replaced runs leave garbage that a
    frozen heap never collects, so once someone has trained (``owed``) a full
    collection and a heap trim follow, by ``janitor_pass``'s rule. glibc keeps
    freed heap pages otherwise (measured after 40 sessions left: 427 MB once
    their objects were freed, 350 MB after ``malloc_trim``; baseline 288 MB).
    Streamlit drops a closed tab's session ``server.disconnectedSessionTTL``
    seconds after it left only when its session store is next written, so each
    pass also expires stored sessions (``streamlit_internals``).
    """

    FIRST_PASS = 2.0                 # seconds: freeze the freshly imported modules early
    PERIOD = 10.0
    _started = False
    _start_guard = threading.Lock()

    def __init__(self, training: Callable[[], int]):
        super().__init__(name="mlp-janitor", daemon=True)
        self._training = training
        self._passes, self._owed, self._sessions = 0, False, 0

    @classmethod
    def start_once(cls, training: Callable[[], int]) -> None:
        with cls._start_guard:
            if not cls._started:
                cls._started = True
                cls(training).start()

    def run(self) -> None:
        time.sleep(self.FIRST_PASS)
        while True:
            self.step()
            time.sleep(self.PERIOD)

    def step(self) -> str:
        """One pass: do what ``janitor_pass`` says and return its name."""
        self._passes += 1
        training, sessions = self._training(), expire_stored_sessions()
        # Finished runs and departed sessions leave garbage behind.
        left = sessions is not None and sessions < self._sessions
        self._sessions = self._sessions if sessions is None else sessions
        self._owed = self._owed or training > 0 or left
        action = janitor_pass(self._passes, self._owed, training)
        JANITOR_ACTIONS[action]()
        self._owed = self._owed and action != "collect_and_trim"
        return action


# Passes between full collections while sessions stay (every 5 minutes).
FULL_EVERY = 30


def janitor_pass(passes: int, owed: bool, training: int) -> str:
    """What the janitor's ``passes``-th pass does: a key of ``JANITOR_ACTIONS``.

    A full collection holds the GIL for ~0.2 s with 40 sessions' objects, stopping
    every session's frames and button presses. What finished runs left (``owed``)
    is collected once no one is training, or at the next periodic full
    collection if someone always is.
    """
    full = passes % FULL_EVERY == 0
    if owed and (training == 0 or full):
        return "collect_and_trim"
    return "collect" if full else "freeze"


def _collect_and_freeze() -> None:
    """Collect all garbage, then leave every object alive now out of later collections.

    Python's own full collections walk every tracked object while holding the
    GIL, stopping every session: 120-190 ms each, every 10-30 s, under the
    40-session load (about 250,000 objects: the app's modules and the sessions'
    state). The janitor freezes what has lived a period (``gc.freeze`` only
    moves a list), so those collections walk only what is new: 20-60 ms.
    Frozen objects that later become cyclic garbage are found only once
    unfrozen, so when sessions have left, this collects everything once.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _malloc_trim() -> None:
    """Return the C heap's free pages to the system (glibc only; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def _collect_and_trim() -> None:
    _collect_and_freeze()
    _malloc_trim()


JANITOR_ACTIONS: dict[str, Callable[[], None]] = {
    "freeze": gc.freeze,
    "collect": _collect_and_freeze,
    "collect_and_trim": _collect_and_trim,
}


def session_id() -> str:
    """This browser session's id for the pacing tables (made on its first run)."""
    if keys.SESSION_ID not in st.session_state:
        st.session_state[keys.SESSION_ID] = uuid.uuid4().hex
    return st.session_state[keys.SESSION_ID]
