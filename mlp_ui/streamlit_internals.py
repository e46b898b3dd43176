"""The one module that reaches into Streamlit's private objects, and why.

Everything else in the app uses Streamlit's public API. Two measured problems
of a 40-student classroom on one 2-core server have no public answer in
Streamlit 1.67, so they are solved here, each as an optimisation that turns
into a no-op (``None``) when Streamlit changes what it reads.
``tests/test_streamlit_internals.py`` fails loudly on such a release, so an
upgrade is noticed in CI rather than in a classroom.

* ``event_loop_mark``: Streamlit's event loop (one thread, under the same GIL)
  reads every button press and sends every frame. Under load it fell behind
  the frames the sessions drew, and unsent frames of a session are merged
  before they are sent: removing this wait took the slowest session from 1.3 to
  0.9 live frames a second in the 40-session load test (docs/performance-classroom.md).
* ``expire_stored_sessions``: a closed tab's session is kept for
  ``server.disconnectedSessionTTL`` seconds, but Streamlit drops expired ones
  only when its session store is next written (someone else disconnects):
  after a class, the last sessions' memory stayed with the process.

The public way to pace live frames, a fragment with ``run_every`` drawing one
frame per run (which would make the first hook unnecessary), was built and
measured: at 40 sessions it gave each session 0.5-0.7 frames a second instead
of 1.3-1.8, and a slowest Pause of 0.6-1.0 s (docs/live-view.md). Until that
changes, the live loop stays one script run and these hooks stay.
"""

from __future__ import annotations

import threading


def _runtime():
    from streamlit.runtime import Runtime

    return Runtime.instance()


def event_loop_mark() -> threading.Event | None:
    """An event that Streamlit's event loop sets once it has run what is queued now.

    None when there is no Streamlit runtime (tests) or its internals changed.
    """
    try:
        loop = _runtime()._get_async_objs().eventloop
        mark = threading.Event()
        loop.call_soon_threadsafe(mark.set)
        return mark
    except Exception:  # noqa: BLE001 - an optimisation only
        return None


def expire_stored_sessions() -> int | None:
    """Drop disconnected sessions past their TTL; return how many sessions remain.

    None when there is no Streamlit runtime (tests) or its internals changed.
    """
    try:
        mgr = _runtime()._session_mgr
        cache = mgr._session_storage._cache
        with mgr._storage_lock:
            cache.expire()
        return len(mgr.list_sessions())
    except Exception:  # noqa: BLE001 - an optimisation only
        return None
