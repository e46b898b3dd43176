"""Bad CSV files through the sidebar's real file input, in headless Chromium.

The AppTest version (tests/test_bad_input.py) covers every kind of bad file; this
checks what only a browser shows: the message as rendered in the sidebar, readable
and not cut off, Streamlit's own size limit in the uploader, and that the page
keeps training on the good file.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from mlp_core.datasets import MAX_CSV_BYTES
from tests.e2e.helpers import (
    ALERT,
    SCREENSHOT_DIR,
    assert_no_exception,
    click_button,
    metric_value,
    screenshot,
    wait_for_app_idle,
)

SIDEBAR = "[data-testid=stSidebar]"
UPLOADER = f"{SIDEBAR} [data-testid=stFileUploader]"

GOOD = ("good.csv", b"height,weight,label\n"
        + b"".join(f"{i},{(i * 7) % 11},{i % 2}\n".encode() for i in range(40)))
SEMICOLONS = ("semicolons.csv", b"x1;x2;label\n1,5;2;0\n3;4,5;1\n5;6;0\n7;8;1\n")
SEMICOLONS_SAID = ("semicolons.csv: Line 1 uses semicolons (;) to separate values, but this app "
                   "needs commas (,); save the file as comma-separated CSV.")
UTF16 = ("utf16.csv", "x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n".encode("utf-16"))
UTF16_SAID = ("utf16.csv: The file is saved as UTF-16; save it as UTF-8 CSV (comma-separated) "
              "instead.")
# Over the app's MAX_CSV_BYTES and Streamlit's 2 MB upload ceiling as the browser counts
# it outside Windows (2 x 1000 x 1000): the uploader refuses it before the app sees it.
TOO_LARGE = ("too-large.csv", b"0.5,0.25,1\n0.125,0.75,0\n" * (MAX_CSV_BYTES // 24 + 2000))
TOO_LARGE_SAID = "File must be 2.0MB or smaller."


# The tooltip fades in: in the DOM (and "visible" to Playwright) before it can be seen.
_FADED_IN_JS = """
(sel) => {
  let el = document.querySelector(sel);
  if (!el) return false;
  for (; el; el = el.parentElement) {
    if (getComputedStyle(el).opacity !== '1') return false;
  }
  return true;
}
"""


def upload(page: Page, name: str, data: bytes) -> None:
    page.locator(f"{UPLOADER} input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": data})


def sidebar_alerts(page: Page) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(f"{SIDEBAR} {ALERT}").all_inner_texts()]


def wait_for_sidebar_text(page: Page, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.innerText.includes(text)",
        arg=[SIDEBAR, text], timeout=60_000)
    wait_for_app_idle(page)


def assert_fully_visible(page: Page, text: str) -> None:
    """The alert holding ``text`` is on screen in full: not clipped, not scrolled sideways."""
    alert = page.locator(f"{SIDEBAR} {ALERT}").filter(has_text=text[:30])
    expect(alert).to_have_count(1)
    alert.scroll_into_view_if_needed()
    expect(alert).to_be_visible()
    clipped = alert.evaluate(
        "(el) => [el, ...el.querySelectorAll('*')].some("
        "(e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')")
    assert not clipped, f"the message is cut off: {text!r}"
    box = alert.bounding_box()
    sidebar = page.locator(SIDEBAR).bounding_box()
    assert box and sidebar and box["x"] >= sidebar["x"] and \
        box["x"] + box["width"] <= sidebar["x"] + sidebar["width"] + 1, (box, sidebar)


def test_bad_csv_files_in_the_sidebar(page, streamlit_server, server_log, console_errors):
    page.goto(f"{streamlit_server}/?dataset=upload&init=xavier")
    wait_for_app_idle(page)
    assert_no_exception(page)
    upload(page, *GOOD)
    wait_for_sidebar_text(page, "Using good.csv")
    click_button(page, "Step")
    assert metric_value(page, "Epoch") == "1"
    loss = metric_value(page, "Train loss")
    assert sidebar_alerts(page) == []

    # A semicolon-separated export: the app says why and what to do.
    upload(page, *SEMICOLONS)
    wait_for_sidebar_text(page, "semicolons.csv:")
    assert_no_exception(page)
    assert sidebar_alerts(page) == [SEMICOLONS_SAID]
    assert_fully_visible(page, SEMICOLONS_SAID)
    expect(page.locator(SIDEBAR).get_by_text("Using good.csv", exact=True)).to_be_visible()
    assert metric_value(page, "Epoch") == "1" and metric_value(page, "Train loss") == loss
    screenshot(page, "bad-input-csv-semicolons")

    # Saved as UTF-16 (Excel's "Unicode text"): the next message replaces the last.
    upload(page, *UTF16)
    wait_for_sidebar_text(page, "utf16.csv:")
    assert_no_exception(page)
    assert sidebar_alerts(page) == [UTF16_SAID]
    assert_fully_visible(page, UTF16_SAID)
    assert metric_value(page, "Epoch") == "1" and metric_value(page, "Train loss") == loss

    # Too large: Streamlit's uploader refuses it in the browser before the app sees it.
    # What a person meets is a red file chip; its reason shows when the pointer is on it
    # (and is read out by screen readers). The limit stays visible in the label.
    upload(page, *TOO_LARGE)
    chip = page.locator(f"{UPLOADER} [data-testid=stTooltipErrorHoverTarget]")
    expect(chip).to_have_count(1)
    wait_for_app_idle(page)
    assert_no_exception(page)
    expect(chip).to_contain_text("too-large.csv")
    expect(page.locator(f"{UPLOADER} [data-testid=stWidgetLabel]")).to_have_text(
        f"CSV file (at most {MAX_CSV_BYTES // 1_000_000} MB)")
    chip.hover()
    tip = page.locator("[data-testid=stTooltipErrorContent]")
    expect(tip).to_have_text(TOO_LARGE_SAID)
    expect(tip).to_be_in_viewport(ratio=1.0)
    page.wait_for_function(_FADED_IN_JS, arg="[data-testid=stTooltipErrorContent]")
    page.screenshot(path=str(SCREENSHOT_DIR / "bad-input-csv-too-large.png"))
    page.mouse.move(0, 0)
    # The app never got the file: the UTF-16 message (that file is still in the
    # uploader) and the good data stay as they were.
    assert sidebar_alerts(page) == [UTF16_SAID]
    assert metric_value(page, "Epoch") == "1" and metric_value(page, "Train loss") == loss
    expect(page.locator(SIDEBAR).get_by_text("Using good.csv", exact=True)).to_be_visible()

    # The good data is still the one in use: training goes on from epoch 1.
    click_button(page, "Step")
    assert metric_value(page, "Epoch") == "2"
    assert_no_exception(page)
    crashes = [e for e in console_errors if e.startswith("pageerror:")]
    assert not crashes, crashes
    assert "Traceback" not in server_log()
