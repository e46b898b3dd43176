"""The live training loop: train a slice, redraw, sleep, until done or interrupted.

The loop runs inside the page script (not a fragment), so pressing Pause, or any
other widget, reruns the script and stops this loop at its next Streamlit call;
the trainer is left exactly as its last completed chunk made it. Frames are
paced by ``shared.frame_interval`` (slower when many sessions train) and the
compiled kernel runs under the process-wide compute lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from . import keys
from .run import Run
from .shared import session_id, shared

# Share of each frame spent training; the rest is redraw and idle time for others.
TRAIN_SHARE = 0.5


def train_live(run: Run, draw: Callable[[int], None], state) -> None:
    """Train ``run`` to its target, calling ``draw(frame)`` a few times a second."""
    hub, sid = shared(), session_id()
    frame = 0
    try:
        while not run.trainer.done and state.get(keys.TRAINING):
            hub.heartbeat(sid)
            interval = hub.frame_interval()
            started = time.monotonic()
            with hub.compute_lock:
                run.trainer.run(max_seconds=interval * TRAIN_SHARE)
            draw(frame)
            frame += 1
            rest = interval - (time.monotonic() - started)
            if rest > 0 and not run.trainer.done:
                time.sleep(rest)
    finally:
        hub.leave(sid)
