"""The load test's Chromium tabs: loopback only, with the browser's HTTP cache on.

The ``loadtest`` package keeps its tabs on loopback with Chromium's own switches
(``BROWSER_ARGS``), not a Playwright route: a route turns the HTTP cache off, and
each tab then fetched the app's ~130 script files at every page load.
"""

from __future__ import annotations

import http.server
import shutil
import threading

import pytest

from tests.loadtest_support import load_loadtest

SCRIPT_HEADERS = {"Content-Type": "application/javascript",
                  "Cache-Control": "public, immutable, max-age=31536000"}   # as Streamlit's


class _Site(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        type(self).requests.append(self.path)
        if self.path == "/app.js":
            body, headers = b"document.title = 'ran';", SCRIPT_HEADERS
        else:
            body = b"<html><head><script src='/app.js'></script></head><body>hi</body></html>"
            headers = {"Content-Type": "text/html", "Cache-Control": "no-cache"}
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    _Site.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_load_test_tabs_reach_loopback_only_and_keep_their_cache(browser, site):
    # A second Chromium, launched as the load test launches its tabs' browser.
    from playwright.sync_api import Error

    lt = load_loadtest()
    chromium = browser.browser_type.launch(executable_path=shutil.which("chromium"),
                                           headless=True, args=lt.BROWSER_ARGS)
    try:
        context = chromium.new_context()
        page = context.new_page()
        for _ in range(2):
            assert page.goto(f"{site}/index.html").status == 200
            assert page.title() == "ran"
        port = site.rsplit(":", 1)[1]
        assert context.new_page().goto(f"http://localhost:{port}/index.html").status == 200
        # The second load took the script from the cache (localhost is another origin).
        assert _Site.requests.count("/app.js") == 2
        for outside in ("http://example.com/", "http://93.184.215.14/", "http://10.0.0.1/"):
            with pytest.raises(Error, match=r"net::ERR_"):
                context.new_page().goto(outside, timeout=15_000)
    finally:
        chromium.close()
