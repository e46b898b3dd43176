"""The live view in a real browser: charts updated in place while a run trains (issue 19).

The page counts, in ``window.__mlpLive`` (mlp_ui.live_chart), what each live chart
drew; this test reads those counts and the Plotly charts the page built, during a
long spiral run, then pauses. It prints the browser-side measure and asserts only
what does not depend on the machine's speed: charts are updated, none is rebuilt.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import (
    PLOTLY_CHART,
    assert_no_exception,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)
from tests.e2e.test_playground import no_js_crash, no_traceback, open_app

SPIRAL = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
          "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "1000000",
          "samples": "300"}

# Live charts built (one per name, once), their draws so far, and the page's Plotly
# charts that are not live ones (the paused page's, on their way out).
_STATE_JS = """
() => ({
  built: (window.__mlpLive || {}).built || 0,
  live: {...((window.__mlpLive || {}).byName || {})},
  received: (window.__mlpLive || {}).received || 0,
})
"""


def test_live_charts_update_in_place_then_pause(page, streamlit_server, server_log,
                                                console_errors):
    open_app(page, streamlit_server, SPIRAL)
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
          f"drawn in place {drawn}, Epoch {epoch_before} -> {epoch_after}")
    assert epoch_after != epoch_before                      # the run goes on, and is shown
    assert drawn["playground-loss"] > 0 and drawn["playground-bd"] > 0, drawn
    # Updated in place: no live chart was built again while the run trained.
    assert after["built"] == before["built"] == len(after["live"]), (before, after)
    assert_no_exception(page)

    click_button(page, "Pause", wait=False)
    wait_for_app_idle(page)
    # Paused: ordinary charts again, each drawn, the loss and the boundary among them.
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_enabled()
    charts = page.locator(PLOTLY_CHART)
    expect(charts.filter(has_text="Decision boundary")).to_have_count(1)
    expect(charts.filter(has_text="Loss")).not_to_have_count(0)
    # ... and the live charts laid over the page are hidden (kept for the next run).
    page.wait_for_function("() => Object.values(window.__mlpLive.charts)"
                           ".every((c) => c.div.style.display === 'none')", timeout=10_000)
    screenshot(page, "live-view-paused")
    assert_no_exception(page)
    no_traceback(server_log)
    no_js_crash(console_errors)
