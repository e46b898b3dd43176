"""The Playground's "Hidden space" in a real browser: XOR bent by 2 hidden units, played.

The animation runs in the browser (Plotly frames): after Play the picture changes with
no script run on the server.
"""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    APP_IDLE,
    PLOTLY_CHART,
    SCREENSHOT_DIR,
    assert_no_exception,
    click_button,
    screenshot,
    wait_for_app_idle,
)

TRAIN_TIMEOUT_MS = 180_000
XOR_2_2_1 = {"dataset": "xor", "hidden": "2", "activation": "tanh", "bias": "true",
             "init": "xavier", "loss": "bce", "lr": "0.5", "epochs": "2000"}

# The hidden-space chart's title, the epoch its slider shows, and what it has drawn.
_STATE_JS = """
(chart) => {
  const plot = chart.querySelector('.js-plotly-plot');
  return {
    title: chart.querySelector('.gtitle').textContent,
    names: plot.data.map((t) => t.name),
    points: chart.querySelectorAll('.scatterlayer .point').length,
    lines: chart.querySelectorAll('.scatterlayer .js-line').length,
    frames: (plot._transitionData._frames || []).length,
  };
}
"""


def hidden_space_chart(page: Page):
    chart = page.locator(PLOTLY_CHART).filter(has_text="Hidden layer 1")
    expect(chart).to_have_count(1)
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".js-plotly-plot")).to_be_visible()
    return chart


def test_xor_hidden_space_is_drawn_and_plays_in_the_browser(page, streamlit_server, server_log,
                                                            console_errors):
    page.goto(f"{streamlit_server}/?{urlencode(XOR_2_2_1)}")
    wait_for_app_idle(page)
    assert_no_exception(page)
    expect(page.get_by_text("Train (or Step) the network: the hidden space")).to_be_visible()
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)

    chart = hidden_space_chart(page)
    state = chart.evaluate(_STATE_JS)
    assert state["title"] == "Hidden layer 1 \u2014 epoch 2,000", state
    assert state["names"] == ["grid of the plane", "w·h + b = 0", "class 0", "class 1"]
    assert state["points"] == 4, state           # XOR's four points
    assert state["lines"] >= 2, state            # the grid and the output unit's line
    assert state["frames"] >= 20, state
    chart.screenshot(path=str(SCREENSHOT_DIR / "hidden-space-xor-2-2-1.png"))
    screenshot(page, "playground-hidden-space-xor")

    play = chart.locator(".updatemenu-button").filter(has_text="Play")
    play.click()
    page.wait_for_timeout(1200)
    playing = chart.evaluate(_STATE_JS)
    assert playing["title"] != state["title"], "Play did not move the picture"
    assert page.locator(APP_IDLE).count() == 1, "playing must not run the script"
    chart.screenshot(path=str(SCREENSHOT_DIR / "hidden-space-xor-2-2-1-playing.png"))
    # the last frame is the trained network again
    expect(chart.locator(".gtitle")).to_have_text("Hidden layer 1 \u2014 epoch 2,000",
                                                  timeout=20_000)

    # Three units: a cube the reader can turn (WebGL).
    page.goto(f"{streamlit_server}/?{urlencode({**XOR_2_2_1, 'hidden': '3'})}")
    wait_for_app_idle(page)
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    chart = hidden_space_chart(page)
    page.wait_for_timeout(1000)
    assert chart.locator("canvas").count() > 0
    assert chart.evaluate(_STATE_JS)["names"][1] == "w·h + b = 0"
    chart.screenshot(path=str(SCREENSHOT_DIR / "hidden-space-xor-2-3-1.png"))

    assert "Traceback" not in server_log()
    assert not [e for e in console_errors if e.startswith("pageerror:")]
