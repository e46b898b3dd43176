"""Smoke test: every page of the app renders without an exception."""

from __future__ import annotations

import re

from tests.e2e.conftest import _app_path
from tests.e2e.helpers import (
    ALERT,
    assert_no_exception,
    goto_page,
    nav_links,
    screenshot,
    wait_for_app_idle,
)


def _assert_no_traceback_alert(page) -> None:
    alerts = [t for t in page.locator(ALERT).all_inner_texts() if "Traceback" in t]
    assert not alerts, f"alert(s) with a traceback on {page.url}:\n" + "\n---\n".join(alerts)


def test_app_script_exists():
    """A missing app.py fails the suite (needs no browser, so it cannot be skipped)."""
    app = _app_path()
    assert app.is_file(), f"no Streamlit app at {app}"


def test_every_page_renders(page, streamlit_server, server_log, console_errors):
    page.goto(streamlit_server)
    wait_for_app_idle(page)
    assert_no_exception(page)
    _assert_no_traceback_alert(page)
    screenshot(page, "home")

    links = nav_links(page)
    for label, href in links:
        goto_page(page, streamlit_server, label)
        assert page.url.rstrip("/") == href.rstrip("/"), f"nav to {label!r} landed on {page.url}"
        assert_no_exception(page)
        _assert_no_traceback_alert(page)
        screenshot(page, "page_" + (re.sub(r"\W+", "_", label).strip("_").lower() or "page"))

    js_crashes = [e for e in console_errors if e.startswith("pageerror:")]
    assert not js_crashes, "uncaught JavaScript errors:\n" + "\n".join(js_crashes)

    # With client.showErrorDetails = "none" tracebacks only reach the server log.
    log = server_log()
    assert "Traceback" not in log, f"server log contains a traceback:\n{log[-4000:]}"
