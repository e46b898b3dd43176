"""Process-wide state shared by every session: one compute lock and frame pacing.

Streamlit runs every session's Python in one process. Training chunks take the
lock so one classroom's worth of Train presses share the CPU in turn instead of
thrashing it, and each live loop slows its frame rate as more sessions train,
keeping the total redraw rate within what one process can serve.
"""

from __future__ import annotations

import threading
import time

import streamlit as st

# Total redraws per second the server aims to serve across all training sessions.
FRAME_BUDGET_PER_SECOND = 16.0
MIN_FRAME_INTERVAL = 0.25     # no session needs more than 4 frames per second
MAX_FRAME_INTERVAL = 1.0      # and every session gets at least 1
STALE_AFTER = 3.0             # a session that stopped reporting has left


class Shared:
    def __init__(self):
        self.compute_lock = threading.Lock()
        self._active: dict[str, float] = {}
        self._guard = threading.Lock()

    def heartbeat(self, session_id: str) -> None:
        with self._guard:
            self._active[session_id] = time.monotonic()

    def leave(self, session_id: str) -> None:
        with self._guard:
            self._active.pop(session_id, None)

    def active_sessions(self) -> int:
        now = time.monotonic()
        with self._guard:
            for sid in [s for s, seen in self._active.items() if now - seen > STALE_AFTER]:
                del self._active[sid]
            return max(1, len(self._active))

    def frame_interval(self) -> float:
        wanted = self.active_sessions() / FRAME_BUDGET_PER_SECOND
        return min(MAX_FRAME_INTERVAL, max(MIN_FRAME_INTERVAL, wanted))


@st.cache_resource
def shared() -> Shared:
    return Shared()


def session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "local"
