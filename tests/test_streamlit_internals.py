"""Loud checks of the Streamlit internals that ``mlp_ui.streamlit_internals`` reads.

Those helpers swallow errors (they are optimisations), so a Streamlit release
that renames what they read would only make a classroom slower. These tests
build the real objects of the installed Streamlit and fail on such a release.
"""

import asyncio
import threading
from unittest import mock

from streamlit.runtime import Runtime
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from mlp_ui import streamlit_internals as si


def test_both_helpers_are_no_ops_without_a_streamlit_server():
    assert si.event_loop_mark() is None
    assert si.expire_stored_sessions() is None


def test_event_loop_mark_is_set_once_the_loop_has_run_what_was_queued():
    assert callable(Runtime._get_async_objs)
    loop = asyncio.new_event_loop()
    gate = threading.Event()
    loop.call_soon(gate.wait)           # the loop is busy with earlier work
    runtime = mock.Mock(spec=Runtime)
    runtime._get_async_objs.return_value.eventloop = loop
    runner = threading.Thread(target=loop.run_forever, daemon=True)
    runner.start()
    try:
        with mock.patch.object(si, "_runtime", return_value=runtime):
            mark = si.event_loop_mark()
        assert mark is not None and not mark.wait(0.05)
        gate.set()                       # the earlier work is done: the mark comes next
        assert mark.wait(10)
    finally:
        gate.set()
        loop.call_soon_threadsafe(loop.stop)
        runner.join(10)
        loop.close()


def test_async_objects_still_carry_the_event_loop():
    from streamlit.runtime.runtime import AsyncObjects

    assert "eventloop" in AsyncObjects._fields


def test_expire_reads_the_real_session_manager_and_counts_its_sessions():
    mgr = WebsocketSessionManager(
        session_storage=MemorySessionStorage(ttl_seconds=60),
        uploaded_file_manager=mock.Mock(), script_cache=mock.Mock(),
        message_enqueued_callback=None)
    runtime = mock.Mock(spec=Runtime)
    runtime._session_mgr = mgr
    with mock.patch.object(si, "_runtime", return_value=runtime):
        assert si.expire_stored_sessions() == 0
