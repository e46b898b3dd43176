"""live_chart.js on its own in Chromium, fed the data ``live_chart`` sends, in a set order.

The Playground's tests drive it through a server, whose timing they do not choose; the
races between a chart's updates are reproduced here, where the test decides when each
update arrives. The page is served by Playwright's router, with no server behind it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mlp_figures.boundary import decision_boundary
from mlp_ui import live_chart

ORIGIN = "http://127.0.0.1:9"          # loopback, answered by the router alone
_FILES = {
    "/live_chart.js": Path(live_chart.LIVE_JS_DIR) / "live_chart.js",
    "/plotly.min.js": Path(live_chart.PLOTLY_JS_DIR) / "plotly.min.js",
}
_INDEX = """<!doctype html><html><body>
<div data-testid="stMainBlockContainer" style="position: relative; width: 700px">
  <div id="box" style="width: 700px; height: 450px"></div>
</div>
<script type="module">
  const m = await import("/live_chart.js");
  window.draw = (data) => m.default({data, parentElement: document.getElementById("box")});
  window.ready = true;
</script></body></html>"""


def _serve(route):
    path = route.request.url.removeprefix(ORIGIN)
    if path == "/":
        return route.fulfill(body=_INDEX, content_type="text/html")
    if path in _FILES:
        return route.fulfill(path=str(_FILES[path]), content_type="text/javascript")
    return route.fulfill(status=404)


def _boundary(p: float):
    """A decision boundary whose P is ``p`` at the middle of its grid."""
    xs = ys = np.linspace(-1.0, 1.0, 21)
    gx, gy = np.meshgrid(xs, ys)
    probs = 1.0 / (1.0 + np.exp(-(4.0 * gx + np.log(p / (1.0 - p)))))
    X = np.array([[-0.5, 0.0], [0.5, 0.0]])
    return decision_boundary(xs, ys, probs, X_train=X, y_train=np.array([0, 1]))


def _data(fig, *, live: bool) -> str:
    data = live_chart.chart_data(fig, "bd", points_apart=live)
    data["url"] = "/plotly.min.js"
    return json.dumps(data)


def _open(page):
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/")
    page.wait_for_function("() => window.ready === true")


def test_a_paused_figure_ends_the_boundarys_tween(page, console_errors):
    """A whole figure that arrives while the canvas moves between two fields leaves no canvas.

    Fields far apart are tweened over up to 0.7 s; the paused page's figure (Plotly's own
    heatmap) dropped the canvas, and the tween's next step painted it again (CI, 89cd614).
    """
    _open(page)
    page.evaluate(f"window.draw({_data(_boundary(0.2), live=True)})")
    page.wait_for_function("() => window.__mlpLive.fields === 1")
    page.wait_for_timeout(900)          # far enough apart to be tweened
    page.evaluate(f"window.draw({_data(_boundary(0.8), live=True)})")
    page.wait_for_function("() => window.__mlpLive.tweens === 1")
    page.evaluate(f"window.draw({_data(_boundary(0.8), live=False)})")
    page.wait_for_function("() => window.__mlpLive.byName.bd === 3")
    page.wait_for_timeout(900)          # past the longest tween
    state = page.evaluate("""() => { const bd = window.__mlpLive.charts.bd;
        return {canvas: !!bd.canvas, tween: !!bd.tween, canvases: document.querySelectorAll(
                  '[data-testid="stMainBlockContainer"] canvas:not(.plotly canvas)').length,
                traces: bd.div.data.map((d) => d.type)}; }""")
    assert state == {"canvas": False, "tween": False, "canvases": 0,
                     "traces": ["heatmap", "contour", "scatter", "scatter"]}, state
    assert console_errors == []


def test_a_live_field_after_the_paused_figure_is_drawn_at_once(page, console_errors):
    """Training again after a Pause paints the new field, not a tween from the old one."""
    _open(page)
    page.evaluate(f"window.draw({_data(_boundary(0.2), live=True)})")
    page.wait_for_function("() => window.__mlpLive.fields === 1")
    page.evaluate(f"window.draw({_data(_boundary(0.2), live=False)})")
    page.wait_for_function("() => window.__mlpLive.byName.bd === 2")
    page.wait_for_timeout(900)
    page.evaluate(f"window.draw({_data(_boundary(0.8), live=True)})")
    page.wait_for_function("() => window.__mlpLive.byName.bd === 3")
    state = page.evaluate("""() => { const L = window.__mlpLive, bd = L.charts.bd;
        return {canvas: !!bd.canvas, tweens: L.tweens || 0,
                shown: bd.shown === bd.field.z}; }""")
    assert state == {"canvas": True, "tweens": 0, "shown": True}, state
    assert console_errors == []
