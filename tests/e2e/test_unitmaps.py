"""The Playground's "What each neuron sees" in a real browser: legible maps after training."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import SCREENSHOT_DIR, assert_no_exception, charts, click_button
from tests.e2e.test_playground import TRAIN_TIMEOUT_MS, no_js_crash, no_traceback, open_app

SPIRAL_8x2 = {"dataset": "spiral", "hidden": "8", "layers": "2", "activation": "tanh",
              "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.3", "epochs": "300"}
SPIRAL_16x2 = {**SPIRAL_8x2, "hidden": "16"}
SINE = {"dataset": "sine", "hidden": "4", "activation": "tanh", "bias": "true",
        "init": "xavier", "loss": "mse", "lr": "0.1", "epochs": "300"}

# Per chart: its title, heatmap images drawn and the drawn area's size.
_MAPS_JS = """
(chart) => ({
  images: chart.querySelectorAll('.main-svg image').length,
  titles: Array.from(chart.querySelectorAll('.annotation-text')).map((t) => t.textContent),
  width: chart.getBoundingClientRect().width,
  height: chart.getBoundingClientRect().height,
})
"""


def unit_maps_chart(page: Page):
    chart = charts(page).filter(has_text="What each neuron sees")
    expect(chart).to_have_count(1)
    chart.scroll_into_view_if_needed()
    expect(chart).to_be_visible()
    return chart


def shoot(chart, name: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), animations="disabled")


def test_unit_maps_after_training_spiral(page, streamlit_server, server_log, console_errors):
    for query, name, units in ((SPIRAL_8x2, "playground-unit-maps-2x8", 8),
                               (SPIRAL_16x2, "playground-unit-maps-2x16", 16)):
        open_app(page, streamlit_server, query)
        click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
        assert_no_exception(page)
        chart = unit_maps_chart(page)
        page.wait_for_timeout(500)
        drawn = chart.evaluate(_MAPS_JS)
        n_maps = 2 + 2 * units + 1
        assert drawn["images"] == n_maps, drawn          # every map drawn, none blank
        for unit in ("x1", "x2", "h1.1", f"h1.{units}", f"h2.{units}", "out"):
            assert unit in drawn["titles"], (unit, drawn["titles"])
        assert drawn["width"] > 600 and drawn["height"] > 4 * 90, drawn
        shoot(chart, name)

    # The picked unit up close: its map, its line and its weights as a formula.
    picker = page.locator("[data-testid=stSelectbox]").filter(has_text="Look closer at")
    expect(picker).to_have_count(1)
    expect(page.get_by_text("h1.1 = tanh(")).to_be_visible()
    detail = charts(page).filter(has_text="h1.1 up close")
    expect(detail).to_have_count(1)
    detail.scroll_into_view_if_needed()
    # The chart is laid over its place in the picker's row (mlp_ui.live_chart): a shot of
    # the row shows both.
    shoot(page.locator("[data-testid=stHorizontalBlock]").filter(has=picker).last,
          "playground-unit-maps-look-closer")

    # One input: each unit's activation is a curve against x.
    open_app(page, streamlit_server, SINE)
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    chart = unit_maps_chart(page)
    page.wait_for_timeout(500)
    assert chart.locator(".main-svg .trace.scatter").count() == 5   # h1..h4 and out
    shoot(chart, "playground-unit-curves-sine")
    no_js_crash(console_errors)
    no_traceback(server_log)
