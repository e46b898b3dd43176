"""The live training loop: train in short turns, redraw when a frame is due, until done.

The loop runs inside the page script (not a fragment), so pressing Pause, or any
other widget, asks for a rerun, which stops this loop at its next Streamlit call
or ``st.session_state`` read and reruns the script in the same thread. The loop reads the
session state after every chunk of epochs (milliseconds) and at least every
``POLL`` seconds while it waits for a turn, so the trainer is left exactly as its
last completed chunk made it and a stopped loop gives up its turns promptly.

Pacing (see ``shared``): training takes FIFO turns of ``hub.quantum()`` seconds
on the process-wide compute lock (a run that can finish within
``FINISH_IN_ONE_TURN`` s gets the whole of it at once); a frame is drawn once
``hub.frame_interval()`` has passed since the last one and the network has
changed, one frame at a time across the process. A due frame waits (up to
``MAX_DEFER`` s, training on meanwhile) while other sessions' pages are drawn and
sent. A run that finishes without a due frame draws none: the page's final
render shows the result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from . import keys
from .run import Run
from .shared import MAX_DEFER, session_id, shared
from .streamlit_internals import event_loop_mark
from .views import WEIGHTS_EVERY

POLL = 0.1            # seconds between stop checks while waiting (Pause waits at most this)
MIN_SLICE = 0.005     # shortest training turn worth taking
DEFER_POLL = 0.02     # how often a deferred frame looks again
# A run this close to its end (in seconds of training) finishes in one turn: short
# runs (logic gates) then complete one after another instead of all at the end.
FINISH_IN_ONE_TURN = 0.25
# The views of many charts (weights, diagram, unit maps, gradient norms) refresh in turns
# while training: one group of them on a frame, on every WEIGHTS_EVERY-th live frame
# and at most every HEAVY_SECONDS. Redrawn all at once, they held Chromium's main thread
# for about 350 ms every 1.5 s (the unit maps of a 2x16 net alone 165 ms), a quarter of
# it, and the loss and the boundary stuttered meanwhile (docs/live-view.md).
HEAVY_SECONDS = 1.0


def _seconds_to_finish(trainer) -> float | None:
    """Training time the run still needs, from its own speed so far (None if unknown)."""
    if trainer.epoch <= 0 or trainer.seconds <= 0:
        return None
    return (trainer.target - trainer.epoch) * trainer.seconds / trainer.epoch


def heavy_views_due(groups: int, every: int = WEIGHTS_EVERY, seconds: float = HEAVY_SECONDS
                    ) -> Callable[[int], range]:
    """A test for live frames: which of ``groups`` groups of heavy views does frame ``n`` redraw?

    Frame 0 redraws them all; after that, one group in turn on a frame at least
    ``every`` frames and ``seconds`` s after the last, none on the frames between.
    """
    last = {"frame": None, "at": 0.0, "group": groups - 1}

    def due(frame: int) -> range:
        now = time.monotonic()
        if last["frame"] is None:
            last.update(frame=frame, at=now)
            return range(groups)
        if frame - last["frame"] < every or now - last["at"] < seconds:
            return range(0)
        group = (last["group"] + 1) % groups
        last.update(frame=frame, at=now, group=group)
        return range(group, group + 1)

    return due


def train_live(run: Run, draw: Callable[[int], None], state) -> None:
    """Train ``run`` to its target, calling ``draw(frame)`` as often as the server allows."""
    hub, sid = shared(), session_id()
    trainer = run.trainer
    token = object()                # this loop's place in the compute and render queues
    frame = 0
    # The rerun that starts training has emptied every chart's placeholder, so the first
    # frame, due at once, shows the starting state before any training: paced, it came
    # a frame interval later, and a class of 40 looked at blank charts for 1-4 s.
    drawn_epoch = None
    last_frame = -math.inf

    def training() -> bool:         # a session-state read: a stop point for Pause
        return bool(state.get(keys.TRAINING))

    def pause_asked(_progress) -> bool:  # trainer callback after each chunk
        return not training()

    try:
        while not trainer.done and training():
            hub.heartbeat(sid)
            now = time.monotonic()
            due = last_frame + hub.frame_interval()
            changed = trainer.epoch != drawn_epoch
            frame_due = changed and now >= due
            # Other sessions' pages (loads, presses, Pause) go before a due frame, for
            # up to MAX_DEFER; this run keeps training meanwhile.
            deferring = frame_due and now < due + MAX_DEFER and hub.other_runs() > 0
            if frame_due and not deferring:
                if not hub.render_lock.acquire(token, timeout=POLL):
                    continue
                try:
                    # Let the event loop send what came before first.
                    mark = event_loop_mark()
                    defer_until = time.monotonic() + MAX_DEFER
                    while mark is not None and not mark.wait(DEFER_POLL) \
                            and time.monotonic() < defer_until:
                        training()
                    started = time.thread_time()
                    draw(frame)
                    hub.record_render(time.thread_time() - started)
                finally:
                    hub.render_lock.release()
                frame += 1
                drawn_epoch = trainer.epoch
                last_frame = time.monotonic()
                continue
            wait = (DEFER_POLL if deferring else POLL if not changed
                    else min(POLL, max(0.0, due - now)))
            if not hub.compute_lock.acquire(token, timeout=wait):
                continue
            try:
                turn = hub.quantum()
                if deferring:                           # look again soon
                    turn = min(turn, DEFER_POLL)
                elif changed:                           # progress to show: stop when due
                    turn = min(turn, due - time.monotonic())
                finish = _seconds_to_finish(trainer)
                if finish is not None and finish <= FINISH_IN_ONE_TURN:
                    turn = max(turn, 1.5 * finish)      # a short run finishes in this turn
                trainer.train(max_seconds=max(MIN_SLICE, turn), callback=pause_asked)
            finally:
                hub.compute_lock.release()
    finally:
        hub.compute_lock.leave(token)
        hub.render_lock.leave(token)
        hub.leave(sid)
