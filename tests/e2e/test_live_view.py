"""The live view in a real browser: charts updated in place while a run trains (issue 19).

The page counts, in ``window.__mlpLive`` (mlp_ui.live_chart), what each live chart
drew; this test reads those counts and the Plotly charts the page built, during a
long spiral run, then pauses. It prints the browser-side measure and asserts only
what does not depend on the machine's speed: charts are updated, none is rebuilt.
"""

from __future__ import annotations

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from plotly.colors import sample_colorscale, unlabel_rgb

from mlp_figures import style
from tests.e2e.helpers import (
    assert_no_exception,
    charts,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)
from tests.e2e.test_playground import no_js_crash, no_traceback, open_app
from tests.loadtest_support import load_loadtest

# Live charts built (one per name, once), their draws so far, and the figures received.
_STATE_JS = """
() => ({
  built: (window.__mlpLive || {}).built || 0,
  live: {...((window.__mlpLive || {}).byName || {})},
  received: (window.__mlpLive || {}).received || 0,
  hidden: {...((window.__mlpLive || {}).hidden || {})},
})
"""


# What the paused boundary's chart holds, when it is not what the test waits for.
_BD_STATE_JS = """
() => { const L = window.__mlpLive, bd = L.charts['playground-bd'];
        return {canvas: !!bd.canvas, layer: !!bd.layer, latest: bd.latest && bd.latest.call,
                call: bd.call, display: bd.div.style.display, pumping: L.pumping,
                traces: (bd.div.data || []).map((d) => d.type), drawn: L.byName};
      }
"""


def test_live_charts_update_in_place_then_pause(page, streamlit_server, server_log,
                                                console_errors):
    load_loadtest()                     # skips without the load test's dependencies
    from loadtest.live_view import SPIRAL_RUN  # the run python -m loadtest.live_view measures

    open_app(page, streamlit_server, SPIRAL_RUN)
    click_button(page, "Train", wait=False)
    page.wait_for_function("() => ((window.__mlpLive || {}).byName || {})['playground-bd'] > 2",
                           timeout=30_000)
    before = page.evaluate(_STATE_JS)
    epoch_before = metric_value(page, "Epoch")
    page.wait_for_timeout(4_000)
    after = page.evaluate(_STATE_JS)
    epoch_after = metric_value(page, "Epoch")
    screenshot(page, "live-view-training")
    drawn = {name: after["live"][name] - before["live"].get(name, 0) for name in after["live"]}
    print(f"\nlive view over 4 s: figures received {after['received'] - before['received']}, "
          f"drawn in place {drawn}, Epoch {epoch_before} -> {epoch_after}, "
          f"hidden since the page opened {after['hidden']}")
    assert epoch_after != epoch_before                      # the run goes on, and is shown
    assert drawn["playground-loss"] > 0 and drawn["playground-bd"] > 0, drawn
    # Updated in place: no live chart was built again while the run trained.
    assert after["built"] == before["built"] == len(after["live"]), (before, after)
    # Never hidden while it trained: a live element's script often runs after the next
    # frame has replaced its element, and the loss and boundary used to blink out.
    # (The Train click's own rerun empties the placeholders first; on a slow machine the
    # first frame may come after a chart was hidden, before this window.)
    blinked = {name: n - before["hidden"].get(name, 0) for name, n in after["hidden"].items()}
    assert not any(blinked.values()), blinked
    _field_matches_the_network_output(page)
    assert_no_exception(page)

    click_button(page, "Pause", wait=False)
    wait_for_app_idle(page)
    # Paused: the same charts, updated in place to the paused page's whole figures: the
    # boundary's heatmap and level line are Plotly's again (with their hover), not a canvas.
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled()
    shown = charts(page)
    expect(shown.filter(has_text="Decision boundary")).to_have_count(1)
    expect(shown.filter(has_text="Loss")).not_to_have_count(0)
    try:
        page.wait_for_function(
            """() => { const bd = window.__mlpLive.charts['playground-bd'];
                       return !bd.canvas && !bd.layer && !bd.latest
                         && bd.div.style.display !== 'none'
                         && ['heatmap', 'contour'].every(
                              (t) => bd.div.data.some((d) => d.type === t));
                     }""", timeout=10_000)
    except PlaywrightTimeout:
        raise AssertionError(f"the paused boundary: {page.evaluate(_BD_STATE_JS)}") from None
    # None of the charts that trained was built again.
    paused = page.evaluate(_STATE_JS)
    assert all(name in paused["live"] for name in after["live"]), (after, paused)
    assert paused["built"] - after["built"] == len(set(paused["live"]) - set(after["live"]))
    screenshot(page, "live-view-paused")
    assert_no_exception(page)
    no_traceback(server_log)
    no_js_crash(console_errors)


_FIELD_JS = """
() => {
  const chart = window.__mlpLive.charts['playground-bd'];
  const c = chart.canvas, f = chart.field, full = chart.div._fullLayout;
  const [x0, x1] = full.xaxis.range, [y0, y1] = full.yaxis.range;
  const box = (e) => { const r = e.getBoundingClientRect();
                       return [r.left, r.top, r.width, r.height]; };
  const [, , w, h] = box(c), dpr = c.width / w, ctx = c.getContext('2d');
  const pixel = (x, y) =>
    [...ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data];
  // chart.shown: what the canvas shows (between two seldom updates, on its way)
  return {canvas: box(c), plot: box(chart.div.querySelector('.nsewdrag')), z: chart.shown,
          pixels: f.z.map((row, j) => row.map((_, i) => pixel(
              (f.x[i] - x0) / (x1 - x0) * w, h - (f.y[j] - y0) / (y1 - y0) * h)))};
}
"""


def _field_matches_the_network_output(page) -> None:
    """The boundary's canvas covers the plot area and shows P(class 1) in the scale's colours.

    Checked at grid points whose neighbours are all on the same side of 0.5 (so that
    the level line is not drawn over them), against Plotly's own reading of the colour
    scale there.
    """
    got = page.evaluate(_FIELD_JS)
    np.testing.assert_allclose(got["canvas"], got["plot"], atol=1.5)
    z = np.array(got["z"], dtype=float)
    pixels = np.array(got["pixels"], dtype=float)
    checked = 0
    for j in range(1, z.shape[0] - 1):
        for i in range(1, z.shape[1] - 1):
            near = z[j - 1:j + 2, i - 1:i + 2]
            if np.all(near > 0.6) or np.all(near < 0.4):
                assert pixels[j, i, 3] == 255
                expected = unlabel_rgb(sample_colorscale(style.BOUNDARY_SCALE, [z[j, i]])[0])
                np.testing.assert_allclose(pixels[j, i, :3], expected, atol=24)
                checked += 1
    assert checked > 100, checked
