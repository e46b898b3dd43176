"""Weights by hand in a real browser: type into a data_editor cell and watch the page follow.

A data_editor is a glide-data-grid canvas: a cell is clicked at its position,
Enter opens its editor, and Enter again writes the typed value.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    assert_no_exception,
    metric_value,
    runs_started,
    screenshot,
    wait_for_app_idle,
    wait_for_rerun,
)

MAIN = "[data-testid=stMain]"
EDITOR = ".st-key-edit_table [data-testid=stDataFrame]"   # keys.EDIT_TABLE's container
TOGGLE = "[data-testid=stCheckbox]"
ROW_PX = 35      # glide-data-grid's default row (and header) height in Streamlit
CELL_EDITOR = ".gdg-input"   # glide-data-grid's overlay editor of a cell


def open_playground(page: Page, base: str, query: str = "") -> None:
    page.goto(base + "/" + query)
    wait_for_app_idle(page)
    assert_no_exception(page)


def switch_editing_on(page: Page) -> None:
    page.locator(f"{MAIN} {TOGGLE}").filter(has_text="Edit weights").locator("label").click()
    wait_for_app_idle(page)
    assert_no_exception(page)


def type_into_cell(page: Page, table: int, row: int, value: str) -> None:
    """Type ``value`` into the first value column of row ``row`` of the ``table``-th editor."""
    grid = page.locator(EDITOR).nth(table)
    # Keys typed before the cell's editor opens are lost. On a page still busy after the
    # last edit's rerun (its charts drawn one per task, laid over their places on the
    # next animation frame: mlp_ui.live_chart) a click now and then missed the cell:
    # click again, as a person would, where the table is now, until the editor is open.
    editor = page.locator(CELL_EDITOR)
    for _ in range(5):
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box, "the table is not drawn"
        # Below the header row; the value column is wide, the index column (h1, ...) narrow.
        x, y = box["x"] + box["width"] - 40, box["y"] + ROW_PX * (row + 1) + ROW_PX / 2
        page.wait_for_function("([g, x, y]) => g.contains(document.elementFromPoint(x, y))",
                               arg=[grid.element_handle(), x, y], timeout=10_000)
        page.mouse.dblclick(x, y)                  # opens the cell's editor
        try:
            expect(editor).to_be_visible(timeout=2_000)
            break
        except AssertionError:
            continue
    expect(editor).to_be_visible()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(value, delay=50)
    since = runs_started(page)
    page.keyboard.press("Enter")
    expect(editor).to_have_count(0, timeout=10_000)
    wait_for_rerun(page, since)   # the next cell's keys must not race this edit's run
    assert_no_exception(page)


def test_editing_a_weight_changes_the_truth_table(page, streamlit_server, server_log,
                                                   console_errors):
    open_playground(page, streamlit_server)
    assert metric_value(page, "Accuracy") == "3/4"
    expect(page.locator(MAIN).get_by_text("3 of 4 rows right.")).to_be_visible()
    switch_editing_on(page)
    expect(page.locator(EDITOR)).to_have_count(2)      # weight_hidden, weight_output
    # weight_output[h1] = -20: the output unit is pushed below 0.5 for every row.
    type_into_cell(page, 1, 0, "-20")
    expect(page.locator(MAIN).get_by_text("1 of 4 rows right.")).to_be_visible()
    assert metric_value(page, "Accuracy") == "1/4"
    assert metric_value(page, "Epoch") == "0"
    expect(page.locator(MAIN).get_by_text("optimizer's state starts afresh")).to_be_visible()
    page.locator(EDITOR).nth(1).scroll_into_view_if_needed()
    screenshot(page, "playground-edit-weights")
    assert "Traceback" not in server_log()
    assert not [e for e in console_errors if e.startswith("pageerror:")]


def test_or_by_hand_is_solved_by_typing_its_weights(page, streamlit_server, server_log,
                                                     console_errors):
    open_playground(page, streamlit_server, "?preset=or-by-hand")
    expect(page.locator(EDITOR)).to_have_count(2)      # weight_output 2x1, bias_output 1x1
    type_into_cell(page, 0, 0, "10")
    type_into_cell(page, 0, 1, "10")
    type_into_cell(page, 1, 0, "-5")
    expect(page.locator(MAIN).get_by_text("All 4 rows right.")).to_be_visible()
    assert metric_value(page, "Accuracy") == "4/4"
    screenshot(page, "playground-or-by-hand")
    assert "Traceback" not in server_log()


def test_editing_waits_while_a_live_run_trains(page, streamlit_server, server_log,
                                               console_errors):
    # spiral, 2x16 tanh, 1,000,000 epochs: still training while the test looks
    open_playground(page, streamlit_server, "?dataset=spiral&hidden=16&layers=2&activation=tanh"
                    "&bias=true&init=xavier&loss=bce&lr=0.3&epochs=1000000&samples=300")
    switch_editing_on(page)
    expect(page.locator(EDITOR)).to_have_count(6)     # three matrices, three bias vectors
    page.locator("[data-testid=stButton] button").filter(has_text="Train").click()
    pause = page.locator("[data-testid=stButton] button").filter(has_text="Pause", visible=True)
    try:
        expect(pause).to_be_enabled(timeout=60_000)
        expect(page.locator(MAIN).get_by_text("waits until training stops")).to_be_visible(
            timeout=60_000)
        expect(page.locator(EDITOR)).to_have_count(0)
        toggle = page.locator(f"{MAIN} {TOGGLE}").filter(has_text="Edit weights")
        expect(toggle.locator("input")).to_be_disabled()
    finally:
        if pause.is_enabled():      # leave no run behind on the shared server
            pause.click(timeout=120_000)
    wait_for_app_idle(page, timeout=120_000)
    assert_no_exception(page)
    expect(page.locator(EDITOR)).to_have_count(6)     # paused: editable again
    assert "Traceback" not in server_log()
