"""The Grid sweep page in a real browser: breast cancer over six widths, 3 seeds and 5
stratified folds (90 trainings) runs with a progress bar, is cancelled mid-way, resumed
(only the missing cells are trained), and names the chosen width.

Screenshots (tests/screenshots/): grid-running, grid-cancelled, grid-breast-cancer.
"""

from __future__ import annotations

import re

from tests.e2e.helpers import (
    PLOTLY_CHART,
    assert_no_exception,
    click_button,
    metric_value,
    open_menu,
    screenshot,
    wait_for_app_idle,
)
from tests.e2e.test_teaching import (
    IDLE_MS,
    alert_texts,
    chart_report,
    heading,
    open_link,
    set_number,
)
from tests.e2e.test_teaching_real import set_text, subheaders

# Centre (page pixels) of the point whose customdata is the cell key ``key``: a width-chart
# marker, or the invisible marker over a heatmap cell (read from the chart's own data).
_CELL_JS = """
([chartIndex, key]) => {
  const chart = document.querySelectorAll('[data-testid=stPlotlyChart]')[chartIndex];
  const plot = chart.querySelector('.js-plotly-plot');
  const data = plot._fullData;
  for (let t = 0; t < data.length; t++) {
    const cd = data[t].customdata;
    if (!cd) continue;
    if (data[t].type !== 'heatmap') {
      const i = cd.indexOf(key);
      if (i < 0) continue;
      const s = data.slice(0, t).filter((d) => d.type === 'scatter').length;
      const trace = plot.querySelectorAll('.scatterlayer .trace')[s];
      const box = trace.querySelectorAll('path.point')[i].getBoundingClientRect();
      return {x: box.x + box.width / 2, y: box.y + box.height / 2};
    }
  }
  return null;
}
"""
CANCER = "/grid?dataset=breast_cancer&bias=true&init=xavier&lr=0.5&epochs=1500&loss=bce"
WIDTHS = (1, 2, 4, 8, 16, 32)
TRIALS_PER_CELL = 3 * 5


def choose_main(page, label: str, option: str) -> None:
    box = page.locator("[data-testid=stMain] [data-testid=stSelectbox]").filter(
        has=page.get_by_text(label, exact=True))
    open_menu(box.locator("input"))
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app_idle(page, timeout=IDLE_MS)


def test_grid_sweep_on_breast_cancer_runs_cancels_resumes_and_picks_a_width(
        page, streamlit_server, server_log):
    open_link(page, streamlit_server, CANCER)
    assert heading(page, "h1", "Grid sweep").count() == 1
    set_text(page, "Widths", ", ".join(str(w) for w in WIDTHS))
    set_number(page, "Seeds", 3)
    choose_main(page, "Held-out data", "k-fold cross-validation")
    assert page.get_by_text("6 cells x 3 seeds x 5 folds = 90 trainings of 1,500 epochs, "
                            "scored on 5-fold cross-validation (stratified)",
                            exact=False).count() == 1
    assert page.get_by_text("this server's cores", exact=False).count() == 1

    click_button(page, "Run grid sweep", wait=False)
    progress = page.locator("[data-testid=stProgress]")
    progress.wait_for(state="attached", timeout=IDLE_MS)
    # at least one cell (15 trainings) finished, not all: then Cancel
    page.get_by_text(re.compile(r"^(15|30|45|60|75) of 90 trainings, about")).wait_for(
        timeout=IDLE_MS)
    screenshot(page, "grid-running")
    click_button(page, "Cancel", timeout=IDLE_MS)
    assert_no_exception(page)
    stopped = [t for t in alert_texts(page) if "cells are finished" in t]
    assert len(stopped) == 1, alert_texts(page)
    kept = int(re.match(r"(\d+) of 6 cells", stopped[0]).group(1))
    assert 1 <= kept < 6, stopped
    screenshot(page, "grid-cancelled")

    click_button(page, "Run grid sweep", timeout=IDLE_MS)
    assert_no_exception(page)
    said = [t for t in alert_texts(page) if "read back" in t]
    assert said and said[0].startswith(
        f"{kept} cells read back, {6 - kept} trained ({(6 - kept) * TRIALS_PER_CELL} trainings"
    ), alert_texts(page)
    assert not [t for t in alert_texts(page) if "cells are finished" in t]

    best = int(metric_value(page, "Best cell").removeprefix("width "))
    chosen = int(metric_value(page, "Smallest width within 1 SE").removeprefix("width "))
    assert best in WIDTHS and chosen in WIDTHS and chosen <= best
    screenshot(page, "grid-breast-cancer")
    charts = page.locator(PLOTLY_CHART)
    parallel = charts.nth(2)
    # parcoords draws its lines on canvases and its axes as .y-axis groups, not .trace paths
    assert parallel.locator(".parcoords .y-axis").count() == 6   # five settings and the score
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
    report = chart_report(page)
    for i, c in enumerate(report):
        assert c["svgWidth"] > 200 and c["svgHeight"] > 150, (i, c)
        assert i == 2 or (c["traces"] > 0 and c["marks"] > 0), f"chart {i} drew nothing: {c}"
    titles = [c["title"] for c in report]
    assert titles[:3] == ["Held-out accuracy against width (over seeds and folds)",
                          "Mean held-out accuracy: 1 layer(s), sigmoid, sgd",
                          "Each cell's settings and its score"], titles
    # the cell picked (the best cell when the sweep was stopped) is open, retrained on all rows
    opened = [s for s in subheaders(page) if re.match(r"Width \d+, seed 0: 30-\d+-1$", s)]
    assert len(opened) == 1, subheaders(page)
    assert page.get_by_text("Held out: the test split.", exact=False).count() == 1

    for chart, width in ((0, 32), (1, 4)):   # a width-chart point, then a heatmap cell
        charts.nth(chart).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        point = page.evaluate(_CELL_JS, [chart, f"h{width}-l1-lr0.5-sigmoid-sgd"])
        assert point, f"no cell of width {width} on chart {chart}"
        page.mouse.move(point["x"], point["y"])
        page.wait_for_timeout(200)
        page.mouse.click(point["x"], point["y"])
        wait_for_app_idle(page, timeout=IDLE_MS)
        assert_no_exception(page)
        assert f"Width {width}, seed 0: 30-{width}-1" in subheaders(page), subheaders(page)
    screenshot(page, "grid-breast-cancer-opened")
    log = server_log()
    assert "pages/grid.py" not in log and "mlp_ui/grid.py" not in log, log[-3000:]
