"""The Optimizer race page in a real browser: three optimizers race on the tutorial's OR
network, on XOR and on the spiral; the landscape and every path are drawn and animate.

Screenshots (tests/screenshots/): race-or, race-or-landscape-playing, race-xor, race-spiral,
race-five, race-three-weights, race-three-weights-volume.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.e2e.helpers import (
    ALERT,
    PLOTLY_CHART,
    SCREENSHOT_DIR,
    assert_no_exception,
    click_button,
    screenshot,
    wait_for_app_idle,
)

IDLE_MS = 180_000   # generous: the machine is shared with other test runs
CHARTS = 7          # loss, landscape, lines, gradient norms, three final pictures
LANDSCAPE = 1       # the landscape's place among the charts
PAGE_FILE = re.compile(r"pages/race\.py|mlp_ui/race\.py|mlp_core/race\.py")
VERDICT = re.compile(r"^(?P<first>.+?) reaches loss 0\.01 first, after (?P<epochs>[\d,]+) epochs"
                     r" \((?P<rest>.*)\)\.$")


def open_race(page, base: str, query: dict[str, str] | None = None) -> None:
    page.goto(base + "/race" + ("?" + urlencode(query) if query else ""))
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert_no_exception(page)
    assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == \
        "Optimizer race"


def set_main_number(page, label: str, value: str) -> None:
    box = page.locator("[data-testid=stMain] [data-testid=stNumberInput]").filter(
        has=page.get_by_text(label, exact=True))
    assert box.count() == 1, f"number input {label!r}: {box.count()} matches"
    field = box.locator("input")
    field.fill(value)
    field.press("Enter")
    wait_for_app_idle(page, timeout=IDLE_MS)


def alerts(page) -> list[str]:
    return [t.strip() for t in page.locator(f"[data-testid=stMain] {ALERT}").all_inner_texts()]


def plotly_data(page, index: int) -> list[dict]:
    """The traces Plotly holds for chart ``index``: type, name, mode and point count."""
    return page.locator(PLOTLY_CHART).nth(index).evaluate(
        """(c) => c.querySelector('.js-plotly-plot').data.map((t) => ({
             type: t.type || 'scatter', name: t.name || '', mode: t.mode || '',
             n: t.x ? t.x.length : 0, x: t.x ? Array.from(t.x).slice(0, 3) : []}))""")


def drawn(page, index: int) -> dict:
    """What chart ``index`` has drawn: its size, contour fills and path lines."""
    chart = page.locator(PLOTLY_CHART).nth(index)
    chart.scroll_into_view_if_needed()
    return chart.evaluate(
        """(c) => {
             const box = c.getBoundingClientRect();
             const geo = (sel) => Array.from(c.querySelectorAll(sel))
               .filter((e) => (e.getAttribute('d') || '').length > 8).length;
             return {width: box.width, height: box.height,
                     landscape: c.querySelectorAll('.imagelayer image').length,
                     lines: geo('.scatterlayer .trace path.js-line'),
                     points: c.querySelectorAll('.scatterlayer .point').length};
           }""")


def assert_race_drawn(page) -> None:
    charts = page.locator(PLOTLY_CHART)
    assert charts.count() == CHARTS, f"{charts.count()} charts"
    for i in range(CHARTS):
        d = drawn(page, i)
        assert d["width"] > 250 and d["height"] > 250, (i, d)
        assert d["lines"] + d["points"] + d["landscape"] > 0, f"chart {i} drew nothing: {d}"
    land = drawn(page, LANDSCAPE)
    assert land["landscape"] == 1, f"no landscape drawn: {land}"
    traces = plotly_data(page, LANDSCAPE)
    trails = [t for t in traces if t["mode"] == "lines" and "whole path" not in t["name"]]
    assert len(trails) == 3 and all(t["n"] >= 2 for t in trails), traces
    assert land["lines"] >= 6, f"paths not drawn: {land}"   # whole path + trail per racer


def race_and_check(page, server_log) -> None:
    click_button(page, "Race", timeout=IDLE_MS)
    assert_no_exception(page)
    assert not [a for a in alerts(page) if "Traceback" in a]
    assert_race_drawn(page)
    blocks = server_log().split("Traceback (most recent call last):")[1:]
    assert not [b for b in blocks if PAGE_FILE.search(b)], "traceback from the race page"


def test_or_lesson_momentum_and_adam_beat_gradient_descent(page, streamlit_server, server_log,
                                                           console_errors):
    open_race(page, streamlit_server)
    assert alerts(page) == ["Press Race to train every optimizer from the same start."]
    set_main_number(page, "Epochs per optimizer", "20000")
    race_and_check(page, server_log)

    # the lesson, from the page: the verdict names every racer's epochs to the target
    verdict = [a for a in alerts(page) if "reaches loss 0.01 first" in a]
    assert len(verdict) == 1, alerts(page)
    m = VERDICT.match(verdict[0])
    assert m, verdict[0]
    epochs = {m["first"]: int(m["epochs"].replace(",", ""))}
    for part in m["rest"].split("; "):
        name, _, n = part.rpartition(" after ")
        epochs[name] = int(n.replace(",", ""))
    sgd = epochs["Gradient descent, lr 0.05"]
    momentum, adam = epochs["Momentum, lr 0.05"], epochs["Adam, lr 0.05"]
    assert momentum * 5 < sgd and adam * 5 < sgd, epochs
    # ... and the loss chart's "reached" dots sit at the same epochs
    dots = {t["name"].removesuffix(" reached"): t["x"][0] for t in plotly_data(page, 0)
            if t["name"].endswith(" reached")}
    assert dots == epochs
    screenshot(page, "race-or")

    # Play runs in the browser: the trails shrink to the start, then grow back
    page.locator(PLOTLY_CHART).nth(LANDSCAPE).scroll_into_view_if_needed()
    chart = page.locator(PLOTLY_CHART).nth(LANDSCAPE)
    chart.get_by_text("Play").click()
    page.wait_for_timeout(1500)
    chart.screenshot(path=str(SCREENSHOT_DIR / "race-or-landscape-playing.png"))
    playing = drawn(page, LANDSCAPE)
    assert playing["landscape"] == 1, f"the landscape vanished while playing: {playing}"
    now = chart.locator(".slider-container text.slider-label").first
    assert now.text_content() != "epoch 20,000"     # moving through the early epochs
    page.wait_for_timeout(9000)    # 60 frames at 120 ms: back at the last epoch
    assert now.text_content() == "epoch 20,000"
    crashes = [e for e in console_errors if e.startswith("pageerror:")]
    assert not crashes, crashes


def test_three_optimizers_on_xor(page, streamlit_server, server_log, console_errors):
    open_race(page, streamlit_server, {"dataset": "xor", "hidden": "4", "init": "xavier",
                                       "bias": "true", "loss": "bce", "lr": "0.5",
                                       "epochs": "2000"})
    race_and_check(page, server_log)
    screenshot(page, "race-xor")


def test_three_optimizers_on_the_spiral(page, streamlit_server, server_log, console_errors):
    open_race(page, streamlit_server, {"preset": "spiral-deep"})
    for i, lr in enumerate(("0.3", "0.3", "0.01")):
        box = page.locator("[data-testid=stMain] [data-testid=stNumberInput]").filter(
            has=page.get_by_text("Learning rate", exact=True)).nth(i).locator("input")
        box.fill(lr)
        box.press("Enter")
        wait_for_app_idle(page, timeout=IDLE_MS)
    set_main_number(page, "Target loss", "0.1")
    race_and_check(page, server_log)
    screenshot(page, "race-spiral")


def test_five_optimizers_with_log_epochs(page, streamlit_server, server_log, console_errors):
    open_race(page, streamlit_server, {"dataset": "xor", "hidden": "4", "init": "xavier",
                                       "bias": "true", "loss": "bce", "lr": "0.2"})
    set_main_number(page, "Optimizers in the race", "5")
    set_main_number(page, "Epochs per optimizer", "3000")
    click_button(page, "Race", timeout=IDLE_MS)
    assert_no_exception(page)
    charts = page.locator(PLOTLY_CHART)
    assert charts.count() == 4 + 5, f"{charts.count()} charts"
    traces = plotly_data(page, LANDSCAPE)
    assert len([t for t in traces if t["mode"] == "lines" and "whole path" not in t["name"]]) \
        == 5
    page.get_by_text("Log scale for the epochs", exact=True).click()
    wait_for_app_idle(page, timeout=IDLE_MS)
    axis = page.locator(PLOTLY_CHART).nth(0).evaluate(
        "(c) => c.querySelector('.js-plotly-plot').layout.xaxis.type")
    assert axis == "log"
    screenshot(page, "race-five")
    crashes = [e for e in console_errors if e.startswith("pageerror:")]
    assert not crashes, crashes


def test_three_weights_show_the_exact_volume(page, streamlit_server, server_log,
                                             console_errors):
    open_race(page, streamlit_server, {"dataset": "xor", "hidden": "1", "init": "xavier",
                                       "lr": "0.5", "epochs": "2000"})
    click_button(page, "Race", timeout=IDLE_MS)
    assert_no_exception(page)
    charts = page.locator(PLOTLY_CHART)
    assert charts.count() == CHARTS + 1
    volume = charts.nth(LANDSCAPE + 1)
    volume.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    assert volume.locator("canvas").count() > 0    # the 3-D scene is drawn (WebGL)
    traces = plotly_data(page, LANDSCAPE + 1)
    assert traces[0]["type"] == "isosurface"
    volume.screenshot(path=str(SCREENSHOT_DIR / "race-three-weights-volume.png"))
    screenshot(page, "race-three-weights")
