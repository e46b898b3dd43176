"""Helpers for real-browser (Playwright + Chromium) tests of the Streamlit app.

Test ids were checked against the frontend bundled with Streamlit 1.67
(site-packages/streamlit/static): stApp + data-test-script-state, stSkeleton,
stPlotlyChart, stException, stAlert, stMetric/stMetricLabel/stMetricValue,
stButton/stBaseButton-<kind>, stSidebarNavLink, stIconEmoji/stIconMaterial,
stExpander. The Playground's charts are no elements of Streamlit's (``LIVE_CHART``).
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "tests" / "screenshots"

APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
SKELETON = "[data-testid=stSkeleton]"
PLOTLY_CHART = "[data-testid=stPlotlyChart]"
# The Playground's charts are mlp_ui.live_chart's: Plotly divs laid over their elements.
LIVE_CHART = "[data-live-chart]"
ANY_CHART = f"{PLOTLY_CHART}, {LIVE_CHART}"
EXCEPTION = "[data-testid=stException]"
ALERT = "[data-testid=stAlert]"
EXPANDER = "[data-testid=stExpander]"
METRIC = "[data-testid=stMetric]"
METRIC_LABEL = "[data-testid=stMetricLabel]"
METRIC_VALUE = "[data-testid=stMetricValue]"
NAV_LINK = "[data-testid=stSidebarNavLink]"
NAV_VIEW_MORE = "[data-testid=stSidebarNavViewButton]"
# Streamlit scrolls inside these containers, not the document.
_SCROLLERS = (
    "[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stSidebarContent]"
)
BUTTONS = (
    "[data-testid=stButton] button, "
    "[data-testid=stFormSubmitButton] button, "
    "[data-testid=stDownloadButton] button, "
    'button[data-testid^="stBaseButton-"]'
)

# Text of an element without its icon (nav links render an emoji/material icon
# in a separate span before the label).
_TEXT_WITHOUT_ICONS_JS = """
(el) => {
  const c = el.cloneNode(true);
  c.querySelectorAll('[data-testid=stIconEmoji], [data-testid=stIconMaterial]')
    .forEach((n) => n.remove());
  return (c.textContent || '').replace(/\\s+/g, ' ').trim();
}
"""


def open_menu(box: Locator, attempts: int = 3) -> None:
    """Click a selectbox's or multiselect's input until its list is open.

    In Streamlit 1.67 the list opens inside the sidebar and scrolls the selected
    option to the middle of it; react-aria closes a non-modal list on any scroll
    of its container, so a box low in a scrolling sidebar shuts on the first
    click and stays open on the second (a person clicks again, as here).
    """
    for _ in range(attempts):
        box.click()
        try:
            box.page.wait_for_function(
                "(el) => el.getAttribute('aria-expanded') === 'true'",
                arg=box.element_handle(), timeout=1_500)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the list of {box} did not open in {attempts} clicks")


def _remaining_ms(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


def wait_for_app_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the Streamlit script run finished and the page has settled.

    Waits ~300 ms first so that a run triggered just before (click, navigation)
    has started; then for the app to report script state ``notRunning``, for all
    lazy-loading skeletons to disappear, for every Plotly chart to have
    drawn its ``.main-svg``, and for the Playground's charts to be drawn.
    ``timeout`` (ms) bounds the whole wait.
    """
    deadline = time.monotonic() + timeout / 1000
    page.wait_for_timeout(300)
    page.wait_for_selector(APP_IDLE, state="attached", timeout=_remaining_ms(deadline))
    page.wait_for_function(
        "(sel) => document.querySelectorAll(sel).length === 0",
        arg=SKELETON,
        timeout=_remaining_ms(deadline),
    )
    page.wait_for_function(
        """(sel) => Array.from(document.querySelectorAll(sel))
                 .every((c) => c.querySelector('.main-svg') !== null)""",
        arg=ANY_CHART,
        timeout=_remaining_ms(deadline),
    )
    # The Playground's charts are drawn one per task after the script is idle
    # (mlp_ui.live_chart): keys typed meanwhile reach a page still drawing.
    page.wait_for_function(
        "() => !(window.__mlpLive && window.__mlpLive.pumping)", timeout=_remaining_ms(deadline))
    # The run may have been superseded while we waited for rendering.
    page.wait_for_selector(APP_IDLE, state="attached", timeout=_remaining_ms(deadline))


# The script runs the page has started (its script state leaving notRunning), counted by an
# observer installed on first use in each page load; -1 before the app is there.
_RUNS_STARTED_JS = """
() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app) return -1;
  if (!window.__e2eRuns) {
    const seen = window.__e2eRuns = {started: 0};
    const attr = 'data-test-script-state';
    new MutationObserver((changes) => changes.forEach((c, i) => {
      const now = i + 1 < changes.length ? changes[i + 1].oldValue : app.getAttribute(attr);
      if (c.oldValue === 'notRunning' && now !== 'notRunning') seen.started++;
    })).observe(app, {attributes: true, attributeFilter: [attr], attributeOldValue: true});
  }
  return window.__e2eRuns.started;
}
"""


def runs_started(page: Page) -> int:
    """How many script runs the page has started so far; pass it to ``wait_for_rerun``."""
    return page.evaluate(_RUNS_STARTED_JS)


def wait_for_rerun(page: Page, since: int, timeout: float = 60_000,
                   start_timeout: float = 3_000) -> None:
    """After an action that reruns the script, wait for that run to start, then for the
    app to be idle.

    ``wait_for_app_idle`` alone gives a run 300 ms to start, and a busy page or server now
    and then started it later: a test then read, or typed into, the page before the
    action's run. A run that starts and ends unseen, or none, costs ``start_timeout`` ms.
    """
    if since >= 0:
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "(n) => window.__e2eRuns && window.__e2eRuns.started > n", arg=since,
                timeout=start_timeout)
    wait_for_app_idle(page, timeout=timeout)


def charts(page: Page) -> Locator:
    """Every chart shown: ``st.plotly_chart``'s, and the Playground's (``LIVE_CHART``)."""
    return page.locator(ANY_CHART).filter(visible=True)


def assert_no_exception(page: Page) -> None:
    """Fail if the page shows any ``st.exception`` / uncaught-exception box."""
    boxes = page.locator(EXCEPTION)
    n = boxes.count()
    if n:
        texts = [boxes.nth(i).inner_text().strip() for i in range(n)]
        joined = "\n---\n".join(texts)
        raise AssertionError(f"{n} Streamlit exception(s) on {page.url}:\n{joined}")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG to ``tests/screenshots/<name>.png`` and return its path.

    Streamlit scrolls inside its own container, so Playwright's ``full_page``
    alone would only capture the viewport: the viewport is temporarily grown to
    the content height (capped at 8000 px) for the shot.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "page"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe}.png"
    original = page.viewport_size
    page.mouse.move(0, 0)  # no hover tooltip from the last click in the picture
    content_height = page.evaluate(
        """(sel) => Math.max(
             document.documentElement.scrollHeight,
             ...Array.from(document.querySelectorAll(sel)).map((e) => e.scrollHeight))""",
        _SCROLLERS,
    )
    try:
        if original and content_height > original["height"]:
            page.set_viewport_size(
                {"width": original["width"], "height": min(int(content_height) + 20, 8000)}
            )
            page.wait_for_timeout(300)  # let charts re-layout
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        if original and page.viewport_size != original:
            page.set_viewport_size(original)
    return path


def _exact(text: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def metric_value(page: Page, label: str) -> str:
    """Text of the value of the ``st.metric`` whose label is exactly ``label``."""
    metrics = page.locator(METRIC).filter(
        has=page.locator(METRIC_LABEL).filter(has_text=_exact(label))
    )
    n = metrics.count()
    if n != 1:
        labels = [t.strip() for t in page.locator(METRIC_LABEL).all_inner_texts()]
        raise AssertionError(f"expected 1 metric labelled {label!r}, found {n}; labels: {labels}")
    return metrics.locator(METRIC_VALUE).inner_text().strip()


def _one(locator: Locator, what: str, available: list[str]) -> Locator:
    n = locator.count()
    if n != 1:
        raise AssertionError(f"expected exactly 1 {what}, found {n}; available: {available}")
    return locator


def click_button(page: Page, label: str, *, wait: bool = True, timeout: float = 60_000) -> None:
    """Click the button whose text is exactly ``label``; then wait for the app to be idle."""
    # visible=True: for a button with ``help`` Streamlit 1.67 also renders a hidden copy.
    buttons = page.locator(BUTTONS).filter(has_text=_exact(label), visible=True)
    available = [
        t.strip() for t in page.locator(BUTTONS).filter(visible=True).all_inner_texts() if t.strip()
    ]
    button = _one(buttons, f"button {label!r}", available)
    since = runs_started(page)
    button.click()
    if wait:
        wait_for_rerun(page, since, timeout=timeout)


# Streamlit 1.67 animates an expander's height for about 0.5 s (Web Animations), and
# the <details> is open a moment before the animation starts: settled means open as
# asked, no animation, and the same height for STILL_FRAMES animation frames in a row.
_EXPANDER_SETTLED_JS = """
async ([el, want, frames]) => {
  const details = el.querySelector('details');
  let height = null;
  for (let still = 0; still < frames;) {
    await new Promise((done) => requestAnimationFrame(done));
    const now = el.getBoundingClientRect().height;
    const idle = details.open === want && el.getAnimations({subtree: true}).length === 0;
    still = idle && now === height ? still + 1 : 0;
    height = now;
  }
  return true;
}
"""
STILL_FRAMES = 10


def set_expander(page: Page, label: str, *, open: bool = True, scope: str = "body") -> None:
    """Open (or fold) the expander titled ``label`` inside ``scope``; wait until it stops.

    A click aimed below a moving expander lands on whatever has moved under the
    pointer: under load, a preset button's click hit the Presets title instead, which
    folded the list, and the test trained the default network.
    """
    # The summary's text starts with its icon's name (keyboard_arrow_right): match the title.
    title = "summary [data-testid=stMarkdownContainer]"
    expanders = page.locator(f"{scope} {EXPANDER}").filter(
        has=page.locator(title).filter(has_text=_exact(label)))
    available = [t.strip() for t in page.locator(f"{scope} {EXPANDER} {title}").all_inner_texts()]
    expander = _one(expanders, f"expander {label!r}", available)
    if expander.locator("details").evaluate("(d) => d.open") != open:
        expander.locator("summary").click()
    page.wait_for_function(_EXPANDER_SETTLED_JS,
                           arg=[expander.element_handle(), open, STILL_FRAMES])


def nav_links(page: Page) -> list[tuple[str, str]]:
    """``(label, href)`` of every sidebar navigation link, expanding "View more" first."""
    more = page.locator(NAV_VIEW_MORE)
    if more.count() and "more" in more.first.inner_text().lower():
        more.first.click()
    links = page.locator(NAV_LINK)
    return [
        (links.nth(i).evaluate(_TEXT_WITHOUT_ICONS_JS), links.nth(i).get_attribute("href") or "")
        for i in range(links.count())
    ]


def goto_page(page: Page, base_url: str, nav_label: str, timeout: float = 60_000) -> None:
    """Open the app if needed, click the sidebar nav link labelled ``nav_label``, wait idle."""
    if not page.url.startswith(base_url.rstrip("/")):
        page.goto(base_url)
        wait_for_app_idle(page, timeout=timeout)
    links = nav_links(page)
    labels = [label for label, _ in links]
    matches = [i for i, label in enumerate(labels) if label == nav_label]
    if len(matches) != 1:
        raise AssertionError(
            f"expected exactly 1 nav link {nav_label!r}, found {len(matches)}; available: {labels}"
        )
    page.locator(NAV_LINK).nth(matches[0]).click()
    wait_for_app_idle(page, timeout=timeout)
