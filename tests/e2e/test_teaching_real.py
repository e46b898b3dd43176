"""The teaching pages on real problems in a real browser: the held-out sweep on breast
cancer (progress, the chart with the best width marked, a click on a run's point
opening that model), backprop's softmax phase 1 on iris, compare on sine.

A run's point is clicked with the mouse at the centre of its SVG marker (Plotly draws
each marker as a ``path.point`` in the trace's group), found by the run's
``customdata = [width, seed]`` read from the chart's own figure data.

Screenshots (tests/screenshots/): sweep-breast-cancer, sweep-breast-cancer-opened,
backprop-iris, compare-sine.
"""

from __future__ import annotations

import re

from tests.e2e.helpers import (
    PLOTLY_CHART,
    assert_no_exception,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)
from tests.e2e.test_teaching import (
    IDLE_MS,
    alert_texts,
    assert_charts_drawn,
    assert_page_tracebacks_absent,
    heading,
    open_link,
    set_number,
)

CANCER = "/sweep?dataset=breast_cancer&bias=true&init=xavier&lr=0.5&epochs=300&loss=bce"
WIDTHS = (1, 2, 4, 8, 16, 32)
SCORES_TITLE = "Hidden-layer size: train and held-out accuracy"

# Centre (page pixels) of the marker of run [width, seed] in the chart's "test runs" trace.
_POINT_JS = """
([chartIndex, width, seed]) => {
  const chart = document.querySelectorAll('[data-testid=stPlotlyChart]')[chartIndex];
  const plot = chart.querySelector('.js-plotly-plot');
  const t = plot._fullData.findIndex((d) => d.name === 'test runs');
  const i = plot._fullData[t].customdata.findIndex((c) => c[0] === width && c[1] === seed);
  const trace = plot.querySelectorAll('.scatterlayer .trace')[t];
  const marker = trace.querySelectorAll('path.point')[i];
  const box = marker.getBoundingClientRect();
  return {x: box.x + box.width / 2, y: box.y + box.height / 2, t, i};
}
"""


def set_text(page, label: str, value: str) -> None:
    box = page.locator("[data-testid=stMain] [data-testid=stTextInput]").filter(
        has=page.get_by_text(label, exact=True))
    assert box.count() == 1, f"text input {label!r}: {box.count()} matches"
    field = box.locator("input")
    field.fill(value)
    field.press("Enter")
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert field.input_value() == value


def subheaders(page) -> list[str]:
    return [t.strip() for t in page.locator("[data-testid=stMain] h3").all_inner_texts()]


def test_sweep_breast_cancer_marks_the_best_width_and_opens_a_clicked_run(
        page, streamlit_server, server_log):
    open_link(page, streamlit_server, CANCER)
    assert heading(page, "h1", "Hidden-size sweep").count() == 1
    set_text(page, "Widths", ", ".join(str(w) for w in WIDTHS))
    set_number(page, "Seeds per width", 3)
    assert page.get_by_text("18 runs x 300 epochs of 30-h-1 networks (sigmoid output, bce)",
                            exact=False).count() == 1
    click_button(page, "Run sweep", wait=False)
    # the progress bar counts the runs while they train
    progress = page.locator("[data-testid=stProgress]")
    progress.wait_for(state="attached", timeout=IDLE_MS)
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert_no_exception(page)
    assert not [t for t in alert_texts(page) if "server time" in t]

    report = assert_charts_drawn(page, page.locator(PLOTLY_CHART).count())
    assert report[0]["title"] == SCORES_TITLE, report
    scores = page.locator(PLOTLY_CHART).first
    # the marks are shapes with Plotly's own labels (SVG text), not annotations
    marks = scores.locator("svg text").evaluate_all("(els) => els.map((e) => e.textContent)")
    best = int(metric_value(page, "Best width"))
    one_se = int(metric_value(page, "Smallest width within 1 SE"))
    assert best in WIDTHS and one_se in WIDTHS and one_se <= best
    labels = " | ".join(marks)
    assert (f"best mean held-out ({best})" in labels
            or f"best mean held-out = smallest within 1 SE ({best})" in labels), marks
    for rule in ("< 2x inputs (1-59)", "2/3 in + out (21)", "between out and in (1-30)"):
        assert rule in labels, marks
    # the best run (seed 0) is open under the chart
    assert f"Width {best}, seed 0: 30-{best}-1" in subheaders(page)
    assert re.fullmatch(r"\d+\.\d%", metric_value(page, "Held-out accuracy"))
    screenshot(page, "sweep-breast-cancer")

    width = 4 if best != 4 else 8
    scores.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    point = page.evaluate(_POINT_JS, [0, width, 2])
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(200)
    page.mouse.click(point["x"], point["y"])
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert_no_exception(page)
    assert f"Width {width}, seed 2: 30-{width}-1" in subheaders(page), subheaders(page)
    opened = assert_charts_drawn(page, page.locator(PLOTLY_CHART).count())
    titles = [c["title"] for c in opened]
    assert "Loss (bce), log scale" in titles and "Confusion matrix (test split)" in titles
    assert any(t.startswith("weight_hidden") or "(30x" in t for t in titles), titles
    screenshot(page, "sweep-breast-cancer-opened")
    assert_page_tracebacks_absent(server_log)


def test_backprop_softmax_on_iris_and_compare_on_sine(page, streamlit_server, server_log):
    open_link(page, streamlit_server, "/backprop?dataset=iris&bias=true&init=xavier")
    assert page.get_by_text("no douto_dino step", exact=False).count() == 1
    assert page.get_by_text("derror_dino = (output_op - target_output) / n",
                            exact=False).count() >= 1
    screenshot(page, "backprop-iris")

    open_link(page, streamlit_server, "/compare?dataset=sine&bias=true&activation=tanh"
              "&hidden=8&loss=mse&lr=0.1&epochs=3000&init=xavier")
    report = assert_charts_drawn(page, 4)
    assert [c["title"] for c in report][1] == "Training R²", report
    assert float(metric_value(page, "Hidden layer: R²")) > 0.8
    screenshot(page, "compare-sine")
    assert_page_tracebacks_absent(server_log)
