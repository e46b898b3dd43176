"""The load-test package, for the tests that reuse its protocol client."""

from __future__ import annotations

import threading

import pytest


def load_loadtest():
    """The ``loadtest`` package (skips the test without ``websockets``)."""
    pytest.importorskip("websockets")
    import loadtest

    return loadtest


def run_load_test(lt, opts, what: str, timeout: float = 600) -> dict:
    """``lt.run(start=True, opts=opts)`` in a thread of its own; its report, also printed.

    The client calls asyncio.run(); Playwright's sync API (used by the browser tests in
    the same pytest process) may have left an event loop running on the main thread.
    """
    box = {}

    def target():
        try:
            box["result"] = lt.run(start=True, opts=opts)
        except BaseException as err:  # re-raised below, in the test's thread
            box["error"] = err

    worker = threading.Thread(target=target, name="loadtest")
    worker.start()
    worker.join(timeout=timeout)
    if worker.is_alive():
        pytest.fail(f"the {what} load test did not finish within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    print("\n" + lt.format_report(box["result"]))
    return box["result"]
