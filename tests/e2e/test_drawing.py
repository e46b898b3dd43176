""""Draw your own" in a real browser: click on the plane to add and remove points, undo,
train on them, and load the downloaded CSV back through the CSV upload.

Clicks go to the drawing plane at data coordinates, mapped to pixels through the plot
area (Plotly's drag layer ``.nsewdrag`` covers exactly the axes' ranges).
"""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Locator, Page, expect

from mlp_core.datasets import Drawing
from mlp_core.datasets.drawn import EXTENT, GRID_STEPS
from tests.e2e.helpers import (
    PLOTLY_CHART,
    assert_no_exception,
    click_button,
    metric_value,
    open_menu,
    screenshot,
    wait_for_app_idle,
)

MAIN = "[data-testid=stMain]"
SIDEBAR = "[data-testid=stSidebar]"
TRAIN_TIMEOUT_MS = 180_000
# The link names init, so picking the data set keeps this small, quick network.
QUERY = dict(dataset="draw", hidden="8", activation="tanh", bias="true", init="xavier",
             loss="bce", lr="0.3", epochs="300")
HALF_CELL = EXTENT / (GRID_STEPS - 1) / 2      # the axes reach this far beyond the grid
CLASS_0 = ((-1.0, -1.0), (-1.0, 1.0), (-1.5, 0.0))
CLASS_1 = ((1.0, 1.0), (1.0, -1.0), (1.5, 0.2))
EXTRA = (0.5, 1.5)


def plane(page: Page) -> Locator:
    chart = page.locator(f"{MAIN} {PLOTLY_CHART}").filter(has_text="Your points")
    expect(chart).to_have_count(1)
    return chart


def click_at(page: Page, x1: float, x2: float) -> None:
    """Click the drawing plane at data coordinates ``(x1, x2)`` and wait for the rerun."""
    area = plane(page).locator(".nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    assert box, "the drawing plane is not drawn"
    lo, span = -EXTENT - HALF_CELL, 2 * (EXTENT + HALF_CELL)
    page.mouse.click(box["x"] + (x1 - lo) / span * box["width"],
                     box["y"] + (1 - (x2 - lo) / span) * box["height"])
    wait_for_app_idle(page)
    assert_no_exception(page)


def pick_class(page: Page, label: int) -> None:
    page.locator(f"{MAIN} [data-testid=stRadio] label").filter(
        has_text=f"class {label}").click()
    wait_for_app_idle(page)


def says(page: Page, text: str) -> None:
    expect(page.locator(MAIN).get_by_text(text, exact=True)).to_be_visible(timeout=30_000)


def test_draw_points_by_clicking_then_train_on_them(page, streamlit_server, server_log,
                                                     console_errors, tmp_path):
    page.goto(f"{streamlit_server}/?{urlencode(QUERY)}")
    wait_for_app_idle(page)
    assert_no_exception(page)
    says(page, "No points yet.")
    screenshot(page, "playground-draw-empty")

    for x1, x2 in CLASS_0:
        click_at(page, x1, x2)
    says(page, "3 points: 3 of class 0.")
    pick_class(page, 1)
    for x1, x2 in (*CLASS_1, EXTRA):
        click_at(page, x1, x2)
    says(page, "7 points: 3 of class 0, 4 of class 1.")

    # A click on a drawn point removes it; the same spot again adds it back (a fresh
    # selection, not the old one toggled off); Undo takes that back.
    click_at(page, *EXTRA)
    says(page, "6 points: 3 of class 0, 3 of class 1.")
    click_at(page, *EXTRA)
    says(page, "7 points: 3 of class 0, 4 of class 1.")
    click_button(page, "Undo")
    says(page, "6 points: 3 of class 0, 3 of class 1.")
    screenshot(page, "playground-draw-points")

    # The points survive a trip to another page.
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text="Backprop").click()
    wait_for_app_idle(page)
    assert_no_exception(page)
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text="Playground").click()
    wait_for_app_idle(page)
    says(page, "6 points: 3 of class 0, 3 of class 1.")

    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator(MAIN).get_by_text("finished", exact=True)).to_be_visible(
        timeout=TRAIN_TIMEOUT_MS)
    wait_for_app_idle(page)
    assert metric_value(page, "Epoch") == "300"
    assert metric_value(page, "Accuracy") == "6/6"
    screenshot(page, "playground-draw-trained")

    # The downloaded file holds exactly these points, and the CSV upload reads it back.
    with page.expect_download() as info:
        page.locator("[data-testid=stDownloadButton] button").filter(
            has_text="Download points (CSV)").click()
    download = info.value
    assert download.suggested_filename == "drawn-points.csv"
    expected = Drawing()
    for (x1, x2), label in [*((p, 0) for p in CLASS_0), *((p, 1) for p in CLASS_1)]:
        expected = expected.add(x1, x2, label)
    text = download.path().read_text()
    assert sorted(text.splitlines()) == sorted(expected.to_csv().decode().splitlines())
    saved = tmp_path / download.suggested_filename    # the uploader wants a .csv name
    download.save_as(saved)

    open_menu(page.locator(f"{SIDEBAR} [data-testid=stSelectbox]").filter(
        has_text="Dataset").locator("input"))
    page.get_by_role("option", name="Upload CSV", exact=True).click()
    wait_for_app_idle(page)
    page.locator(f"{SIDEBAR} [data-testid=stFileUploader] input[type=file]").set_input_files(
        str(saved))
    page.wait_for_function(
        "() => document.body.innerText.includes('Using drawn-points.csv')", timeout=60_000)
    wait_for_app_idle(page)
    assert_no_exception(page)
    # 6 rows, 20% held out: 5 train, 1 test (the upload's own split)
    expect(page.locator(MAIN).get_by_text("on drawn-points.csv")).to_have_count(1)
    assert "Traceback" not in server_log()
    assert not [e for e in console_errors if e.startswith("pageerror:")]
