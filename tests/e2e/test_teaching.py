"""The three teaching pages in a real browser: navigation, deep links, clicks, charts drawn.

Screenshots (tests/screenshots/): backprop, compare-or, compare-xor, sweep-xor.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import (
    ALERT,
    PLOTLY_CHART,
    assert_no_exception,
    click_button,
    goto_page,
    metric_value,
    screenshot,
    wait_for_app_idle,
)

# Generous: the machine is shared with other test runs.
IDLE_MS = 120_000

PAGES = {
    "backprop": ("Backprop step by step", "/backprop"),
    "compare": ("Hidden layer vs none", "/compare"),
    "sweep": ("Hidden-size sweep", "/sweep"),
}
XOR_LINK = "?dataset=xor&hidden=4&init=uniform"
GRADCHECK_OK = "Backpropagation agrees with the finite differences (relative error below 1e-6)."
PAGE_FILES = re.compile(r"pages/(backprop|compare|sweep)\.py")


def open_link(page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert_no_exception(page)


def title(page) -> str:
    return page.locator("[data-testid=stMain] h1").first.inner_text().strip()


def heading(page, tag: str, text: str):
    return page.locator(f"[data-testid=stMain] {tag}").filter(
        has_text=re.compile(rf"^\s*{re.escape(text)}\s*$"))


def alert_texts(page) -> list[str]:
    return [t.strip() for t in page.locator(ALERT).all_inner_texts()]


def chart_report(page) -> list[dict]:
    """Size, title and what each Plotly chart on the page has drawn."""
    return page.locator(PLOTLY_CHART).evaluate_all(
        """(charts) => charts.map((c) => {
             const box = c.getBoundingClientRect();
             const svg = c.querySelector('.main-svg');
             const svgBox = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
             const title = c.querySelector('.gtitle');
             return {
               width: box.width, height: box.height,
               svgWidth: svgBox.width, svgHeight: svgBox.height,
               title: title ? title.textContent : '',
               traces: c.querySelectorAll('.trace, .hm').length,
               // drawn marks: line/bar/marker paths with geometry, heatmap images
               marks: Array.from(c.querySelectorAll('.trace path, .hm image, .trace image'))
                 .filter((e) => e.tagName === 'image' || (e.getAttribute('d') || '').length > 8)
                 .length,
             };
           })""")


def assert_charts_drawn(page, expected: int) -> list[dict]:
    charts = page.locator(PLOTLY_CHART)
    assert charts.count() == expected, chart_report(page)
    for i in range(expected):
        charts.nth(i).scroll_into_view_if_needed()
        assert charts.nth(i).is_visible(), f"chart {i} not visible"
    report = chart_report(page)
    for i, c in enumerate(report):
        assert c["width"] > 200 and c["height"] > 150, (i, c)
        assert c["svgWidth"] > 200 and c["svgHeight"] > 150, (i, c)
        assert c["traces"] > 0 and c["marks"] > 0, f"chart {i} drew nothing: {c}"
    return report


def assert_page_tracebacks_absent(server_log) -> None:
    """No traceback through one of these pages (other pages are other tests' business)."""
    blocks = server_log().split("Traceback (most recent call last):")[1:]
    bad = [b[:3000] for b in blocks if PAGE_FILES.search(b)]
    assert not bad, "server log has traceback(s) from a teaching page:\n" + "\n---\n".join(bad)


def step_box(page, name: str):
    """The bordered box the backprop page draws for the matrix called ``name``."""
    return page.locator("[data-testid=stMain] [data-testid=stLayoutWrapper]").filter(
        has_text=f"{name} —").filter(has_not=page.locator("[data-testid=stLayoutWrapper]"))


def set_number(page, label: str, value: int) -> None:
    box = page.locator("[data-testid=stMain] [data-testid=stNumberInput]").filter(
        has=page.get_by_text(label, exact=True))
    assert box.count() == 1, f"number input {label!r}: {box.count()} matches"
    field = box.locator("input")
    field.fill(str(value))
    field.press("Enter")
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert field.input_value() == str(value)


# --------------------------------------------------------------------------- all pages


@pytest.mark.parametrize("name", PAGES)
def test_page_via_sidebar_and_deep_link(page, streamlit_server, server_log, console_errors, name):
    label, path = PAGES[name]
    open_link(page, streamlit_server, "/")
    goto_page(page, streamlit_server, label, timeout=IDLE_MS)
    assert page.url.split("?")[0].rstrip("/") == streamlit_server + path
    assert_no_exception(page)
    assert title(page) == label

    open_link(page, streamlit_server, path + XOR_LINK)
    assert title(page) == label
    assert page.locator("[data-testid=stSidebar]").is_visible(), "the router's sidebar is drawn"
    assert page.get_by_label("Hidden nodes", exact=True).input_value() == "4"
    assert "dataset=xor" in page.url and "hidden=4" in page.url and "init=uniform" in page.url
    assert not [t for t in alert_texts(page) if "not valid" in t or "Ignored" in t]

    assert not [e for e in console_errors if e.startswith("pageerror:")], console_errors
    assert_page_tracebacks_absent(server_log)


# --------------------------------------------------------------------------- backprop


def test_backprop_phases_gradient_check_and_one_epoch(page, streamlit_server, server_log):
    open_link(page, streamlit_server, "/backprop")
    for text in ("Forward pass", "Phase 1: the output layer's weights",
                 "Phase 2: the hidden layers' weights", "Gradient check"):
        assert heading(page, "h2", text).count() == 1, text
    assert GRADCHECK_OK in alert_texts(page)
    assert float(metric_value(page, "Largest relative error")) < 1e-6
    assert metric_value(page, "Epoch") == "0"
    assert metric_value(page, "Error of this pass") == "0.347948"
    assert page.locator("[data-testid=stMain] .katex").count() >= 17   # formulas rendered
    screenshot(page, "backprop")

    click_button(page, "Advance one epoch", timeout=IDLE_MS)
    assert_no_exception(page)
    assert metric_value(page, "Epoch") == "1"
    assert metric_value(page, "Error of this pass") != "0.347948"
    assert "Advance one epoch" in page.locator("[data-testid=stMain]").inner_text()
    assert_page_tracebacks_absent(server_log)


def test_backprop_with_bias_and_two_layers(page, streamlit_server, server_log):
    open_link(page, streamlit_server, "/backprop?dataset=moons&hidden=4&layers=2&bias=true"
              "&init=xavier&loss=bce&lr=0.5&test=0")
    assert heading(page, "h3", "Hidden layer 1").count() == 2   # forward, phase 2
    assert heading(page, "h3", "Hidden layer 2").count() == 2
    assert page.get_by_text("Showing the first 8 of 200 rows.").count() >= 11
    # Tables are exactly as tall as their rows: a 1-row bias gradient has no empty rows
    # under it, an 8-row matrix no sliver of a ninth.
    for name, rows in (("derror_dbo", 1), ("derror_dbh", 1), ("input_hidden", 8)):
        grid = step_box(page, name).first.locator("[data-testid=stDataFrame]")
        grid.scroll_into_view_if_needed()
        height = grid.bounding_box()["height"]
        assert abs(height - (35 * (rows + 1) + 3)) <= 2, (name, height)
    screenshot(page, "backprop-bias-2-layers")
    assert_page_tracebacks_absent(server_log)


# --------------------------------------------------------------------------- compare


def test_compare_or_and_xor(page, streamlit_server, server_log):
    open_link(page, streamlit_server, "/compare")
    report = assert_charts_drawn(page, 4)
    titles = [c["title"] for c in report]
    assert titles == ["Loss (sse), log scale", "Training accuracy",
                      "hidden layer (2-3-1)", "no hidden layer (2-1)"], titles
    assert metric_value(page, "No hidden layer: accuracy") == "3/4"
    assert page.get_by_text("sigmoid(0) = 0.5 whatever its weights").count() == 1
    screenshot(page, "compare-or")

    open_link(page, streamlit_server, "/compare" + XOR_LINK)
    report = assert_charts_drawn(page, 4)
    assert [c["title"] for c in report][2:] == ["hidden layer (2-4-1)", "no hidden layer (2-1)"]
    single = metric_value(page, "No hidden layer: accuracy")
    assert int(single.split("/")[0]) <= 3 and single.endswith("/4")
    assert page.get_by_text("at best 3 of 4 rows come out right", exact=False).count() == 1
    screenshot(page, "compare-xor")
    assert_page_tracebacks_absent(server_log)


# --------------------------------------------------------------------------- sweep


def test_sweep_xor(page, streamlit_server, server_log):
    open_link(page, streamlit_server,
              "/sweep?dataset=xor&bias=true&init=xavier&lr=0.5&epochs=3000")
    set_number(page, "to", 6)
    set_number(page, "Seeds per size", 3)
    assert page.get_by_text("18 runs x 3,000 epochs on 4 training points (xor)",
                            exact=False).count() == 1
    assert page.locator(PLOTLY_CHART).count() == 0
    click_button(page, "Run sweep", timeout=IDLE_MS)
    assert_no_exception(page)
    report = assert_charts_drawn(page, 3)
    assert [c["title"] for c in report] == ["Share of seeds that succeed", "Final training loss",
                                            "Training accuracy"], report
    assert page.get_by_role("button", name="Download all runs (CSV)").is_visible()
    grid = page.locator("[data-testid=stMain] [data-testid=stDataFrame]")
    assert grid.count() == 1 and grid.is_visible()
    screenshot(page, "sweep-xor")
    assert_page_tracebacks_absent(server_log)
