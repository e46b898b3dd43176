"""The live training loop, one frame per fragment run: train in short turns, draw when due.

The Playground draws a training run's view in a fragment that reruns every
``RERUN_EVERY`` seconds (``pages/playground.py``). Each run of it calls
``live_frame``: train in turns until a frame is due, draw that one frame, return.
The browser asks for the next run only after it has the last one, so a slow page
or a busy server slows the frames rather than queueing them, and each frame can
draw every chart under the same key, which lets the charts update in place
(``live_chart``). Pressing Pause, or any other widget, asks for a full rerun,
which stops a fragment run at its next Streamlit call or ``st.session_state``
read; ``live_frame`` reads the session state after every chunk of epochs
(milliseconds) and at least every ``POLL`` seconds while it waits for a turn, so
the trainer is left exactly as its last completed chunk made it.

Pacing (see ``shared``): training takes FIFO turns of ``hub.quantum()`` seconds
on the process-wide compute lock (a run that can finish within
``FINISH_IN_ONE_TURN`` s gets the whole of it at once); a frame is drawn once
``hub.frame_interval()`` has passed since the last one and the network has
changed, one frame at a time across the process. A due frame waits (up to
``MAX_DEFER`` s, training on meanwhile) while other sessions' pages are drawn and
sent. A run that finishes draws no last frame: the page's full rerun shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from . import keys
from .run import Run
from .shared import MAX_DEFER, session_id, shared
from .streamlit_internals import event_loop_mark

# Seconds: the browser's timer starts the first fragment run after the page's own;
# each run then starts the next itself (pages/playground.py).
RERUN_EVERY = 1.0
POLL = 0.1            # seconds between stop checks while waiting (Pause waits at most this)
MIN_SLICE = 0.005     # shortest training turn worth taking
DEFER_POLL = 0.02     # how often a deferred frame looks again
# A run this close to its end (in seconds of training) finishes in one turn: short
# runs (logic gates) then complete one after another instead of all at the end.
FINISH_IN_ONE_TURN = 0.25


@dataclass
class LiveFrames:
    """A training run's frames so far, kept between fragment runs."""

    drawn_epoch: int          # the epoch the last frame showed
    frame: int = 0            # frames drawn
    last_frame: float = 0.0   # time.monotonic() of the last frame


def _seconds_to_finish(trainer) -> float | None:
    """Training time the run still needs, from its own speed so far (None if unknown)."""
    if trainer.epoch <= 0 or trainer.seconds <= 0:
        return None
    return (trainer.target - trainer.epoch) * trainer.seconds / trainer.epoch


def live_frame(run: Run, frames: LiveFrames, draw: Callable[[int], None], state) -> bool:
    """Train ``run`` until ``draw(frame)`` has drawn one frame (False), or until the
    run has reached its target or was paused (True)."""
    hub, sid = shared(), session_id()
    trainer = run.trainer
    token = object()                # this frame's place in the compute and render queues

    def training() -> bool:         # a session-state read: a stop point for Pause
        return bool(state.get(keys.TRAINING))

    def pause_asked(_progress) -> bool:  # trainer callback after each chunk
        return not training()

    try:
        while not trainer.done and training():
            hub.heartbeat(sid)
            now = time.monotonic()
            due = frames.last_frame + hub.frame_interval()
            changed = trainer.epoch != frames.drawn_epoch
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
                    draw(frames.frame)
                    hub.record_render(time.thread_time() - started)
                finally:
                    hub.render_lock.release()
                frames.frame += 1
                frames.drawn_epoch = trainer.epoch
                frames.last_frame = time.monotonic()
                return False
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
        hub.leave(sid)
        return True
    finally:
        hub.compute_lock.leave(token)
        hub.render_lock.leave(token)
