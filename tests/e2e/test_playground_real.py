"""The Playground on real problems in a real browser: digits, a 3-class spiral, a sine curve.

Each test opens a link that sets the sidebar, trains, and checks the charts the
problem needs by their titles; screenshots go to tests/screenshots/.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    ANY_CHART,
    APP_IDLE,
    assert_no_exception,
    charts,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)
from tests.e2e.test_playground import (
    MAIN,
    TRAIN_TIMEOUT_MS,
    alerts,
    assert_metrics_not_clipped,
    epoch,
    no_js_crash,
    no_traceback,
    open_app,
    open_tab,
)

DIGITS = {"dataset": "digits", "hidden": "32", "init": "xavier", "loss": "ce", "lr": "0.5",
          "epochs": "100000"}
SPIRAL3 = {"dataset": "spiral", "classes": "3", "hidden": "16", "layers": "2",
           "activation": "tanh", "bias": "true", "init": "xavier", "loss": "ce", "lr": "0.3",
           "epochs": "3000", "samples": "300"}
SINE = {"dataset": "sine", "hidden": "16", "activation": "tanh", "bias": "true",
        "init": "xavier", "loss": "mse", "lr": "0.1", "epochs": "5000"}

_TITLES_JS = """
(sel) => Array.from(document.querySelectorAll(sel))
  .filter((c) => c.getClientRects().length).map((c) => {
  const t = c.querySelector('.gtitle');
  return t ? t.textContent.trim() : '';
})
"""


def chart_titles(page: Page) -> list[str]:
    return page.evaluate(_TITLES_JS, ANY_CHART)


def chart(page: Page, title_start: str):
    """The one chart whose title starts with ``title_start``, scrolled into view and drawn."""
    titles = chart_titles(page)
    found = [i for i, t in enumerate(titles) if t.startswith(title_start)]
    assert len(found) == 1, (title_start, titles)
    box = charts(page).nth(found[0])
    box.scroll_into_view_if_needed()
    expect(box).to_be_visible()
    size = box.bounding_box()
    assert size and size["width"] > 200 and size["height"] > 150, (title_start, size)
    return box


def test_digits_live_then_paused(page, streamlit_server, server_log, console_errors):
    open_app(page, streamlit_server, DIGITS)
    click_button(page, "Train", wait=False)
    pause = page.locator("[data-testid=stButton] button").filter(has_text="Pause", visible=True)
    try:
        expect(pause).to_be_enabled(timeout=60_000)
        # Live frames arrive: the epoch counter moves while the page stays usable.
        page.wait_for_function(
            """() => [...document.querySelectorAll('[data-testid=stMetric]')].some((m) =>
                 m.innerText.startsWith('Epoch') && !/\\b0$/.test(m.innerText.trim()))""",
            timeout=60_000)
        page.wait_for_timeout(6_000)
        # While training, the charts are mlp_ui.live_chart's, updated in place.
        live = page.evaluate("() => Object.values(window.__mlpLive.charts).map((c) => {"
                             " const t = c.div.querySelector('.gtitle');"
                             " return t ? t.textContent.trim() : ''; })")
        pause.click(timeout=120_000)
        page.wait_for_selector(APP_IDLE, state="attached", timeout=120_000)
    finally:
        if pause.is_enabled():
            pause.click(timeout=120_000)
    wait_for_app_idle(page)
    assert_no_exception(page)
    assert any(t.startswith("Confusion matrix") for t in live), live
    assert 0 < epoch(page) < 100_000
    assert metric_value(page, "Test accuracy").endswith("%")
    assert_metrics_not_clipped(page)
    chart(page, "Decision regions on a 2-D view")
    chart(page, "Confusion matrix (test set")
    chart(page, "Per-class accuracy")
    images = chart(page, "First-layer weights as 8x8 images")
    assert images.locator(".heatmaplayer image, .hm image, image").count() >= 1
    chart(page, "Misclassified test images")
    diagram = chart(page, "Network 64-32-10")
    expect(diagram.get_by_text("first 16 units of wider layers drawn")).to_be_visible()
    expect(page.locator(MAIN).get_by_text("too many cells to read as a heatmap")).to_be_visible()
    screenshot(page, "playground-real-digits-paused")

    open_tab(page, "Predict")
    expect(page.locator(MAIN).get_by_text("Row 0: true class")).to_be_visible()
    expect(page.locator(f"{MAIN} [data-testid=stImage]")).to_have_count(1)
    page.locator(f"{MAIN} [data-testid=stImage]").scroll_into_view_if_needed()
    screenshot(page, "playground-real-digits-predict")
    open_tab(page, "Replay")
    assert any("has 64" in a for a in alerts(page))
    no_js_crash(console_errors)
    no_traceback(server_log)


def test_three_class_spiral_regions(page, streamlit_server, server_log, console_errors):
    open_app(page, streamlit_server, SPIRAL3)
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    assert metric_value(page, "Epoch") == "3,000"
    assert metric_value(page, "Test accuracy").endswith("%")
    regions = chart(page, "Decision regions")
    legend = regions.locator(".legendtext").all_text_contents()
    assert {"class 0", "class 1", "class 2"} <= set(legend), legend
    chart(page, "Confusion matrix (test set")
    assert not any(t.startswith("Decision boundary") for t in chart_titles(page))
    regions.scroll_into_view_if_needed()
    screenshot(page, "playground-real-spiral3")
    no_js_crash(console_errors)
    no_traceback(server_log)


def test_sine_curve_with_unit_contributions(page, streamlit_server, server_log, console_errors):
    open_app(page, streamlit_server, SINE)
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    assert float(metric_value(page, "R²")) > 0.8
    assert float(metric_value(page, "RMSE")) < 0.4
    fit = chart(page, "Network fit")
    legend = fit.locator(".legendtext").all_text_contents()
    assert any(t.startswith("hidden units") for t in legend), legend
    titles = chart_titles(page)
    assert not any(t.startswith(("Decision", "Confusion")) for t in titles), titles
    expect(page.locator("[data-testid=stCheckbox]").filter(has_text="Hidden-unit lines")
           .locator("input")).to_be_disabled()
    screenshot(page, "playground-real-sine")
    no_js_crash(console_errors)
    no_traceback(server_log)
