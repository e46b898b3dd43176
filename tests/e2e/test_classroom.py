"""A class in real Chromium: two students join from the student link and appear on the live
board; a locked control stays locked, in the sidebar and through an edited URL.

The server and this test share one throwaway SQLite database (``MLP_PLAYGROUND_DB``, set
before the session's server starts). Screenshots (tests/screenshots/): classroom-board,
classroom-student-locked, classroom-edited-link.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from playwright.sync_api import Page, expect

from mlp_core.settings import Settings
from mlp_store import ENV_VAR, RunIn, open_store
from mlp_ui.class_board import BOARD_SECONDS
from tests.e2e.conftest import VIEWPORT
from tests.e2e.helpers import (
    ALERT,
    assert_no_exception,
    click_button,
    metric_value,
    runs_started,
    screenshot,
    wait_for_app_idle,
    wait_for_rerun,
)

# The server inherits this when the session starts it (this module is collected first).
DB_URL = f"sqlite:///{Path(tempfile.mkdtemp(prefix='mlp-classroom-e2e-')) / 'playground.db'}"
os.environ[ENV_VAR] = DB_URL

SIDEBAR = "[data-testid=stSidebar]"
LABEL = "[data-testid=stWidgetLabel]"
IDLE_MS = 120_000
PRESET = Settings(dataset="xor", hidden=2, init="xavier", bias=True, lr=0.5, epochs=300)


def sidebar_widget(page: Page, testid: str, label: str):
    widget = page.locator(f"{SIDEBAR} [data-testid={testid}]").filter(
        has=page.locator(LABEL).filter(has_text=label))
    expect(widget).to_have_count(1)
    return widget


def sidebar_labels(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(f"{SIDEBAR} {LABEL}").all_inner_texts()]


def open_url(page: Page, url: str) -> None:
    page.goto(url)
    wait_for_app_idle(page, timeout=IDLE_MS)
    assert_no_exception(page)


def open_options(page: Page, select) -> None:
    """Open a selectbox's list. The first click after the board's table was drawn can land
    as the table takes focus and leave the list closed: click again until it opens."""
    for _ in range(5):
        select.locator("input").click()
        page.wait_for_timeout(300)
        if page.get_by_role("option").count():
            return
        page.keyboard.press("Escape")
    raise AssertionError("the selectbox's options never opened")


def join(page: Page, link: str, nickname: str) -> None:
    open_url(page, link)
    box = sidebar_widget(page, "stTextInput", "Your nickname").locator("input")
    box.fill(nickname)
    box.press("Enter")
    wait_for_app_idle(page, timeout=IDLE_MS)
    click_button(page, "Join the class", timeout=IDLE_MS)
    expect(page.locator(f"{SIDEBAR} {ALERT}").filter(has_text=f"as {nickname}")).to_have_count(1)


def save_run(store, code: str, nickname: str, hidden: int, accuracy: float) -> None:
    settings = Settings(dataset="xor", hidden=hidden, init="xavier", bias=True)
    store.save_run(RunIn(
        workspace=f"e2e-{nickname}-workspace-000", run_key=f"run-{nickname}-{hidden}",
        kind="playground", status="finished", title=f"xor 2-{hidden}-1",
        settings={k: str(v).lower() if isinstance(v, bool) else str(v)
                  for k, v in vars(settings).items()},
        link="?" + urlencode(settings.to_query()), data_spec={"dataset": "xor"},
        seeds={"init": 0, "data": 0, "shuffle": 0}, versions={},
        metrics={"train_accuracy": accuracy, "test_accuracy": None, "train_loss": 0.1,
                 "test_loss": None, "train_r2": None, "test_r2": None},
        loss_epochs=[0, 150, 300], loss_values=[0.7, 0.4, 0.1], model="", epochs=300,
        seconds=0.2, class_code=code, nickname=nickname))


def test_two_students_appear_on_the_live_board_and_a_locked_control_stays(
        page: Page, browser, streamlit_server: str):
    store = open_store(DB_URL)
    info, secret = store.create_class("Room 12", urlencode(PRESET.to_query()),
                                      {"hidden": ["lr"], "locked": ["dataset", "hidden"]})

    # The teacher opens the board first; it must fill in by itself as students join.
    open_url(page, f"{streamlit_server}/classroom?class={info.code}&teacher={secret}")
    expect(page.locator("[data-testid=stMain] h2").filter(has_text="Room 12")).to_have_count(1)
    assert "teacher" not in page.url
    assert metric_value(page, "Students") == "0"
    student_link = page.locator("[data-testid=stCode]").first.inner_text().strip()
    assert urlsplit(student_link).netloc == urlsplit(streamlit_server).netloc
    assert dict(parse_qsl(urlsplit(student_link).query))["class"] == info.code

    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    try:
        ada, bob = (c.new_page() for c in contexts)
        join(ada, student_link, "Ada")
        join(bob, student_link, "Bob")

        # The locked control is drawn disabled, the hidden one not at all.
        hidden_box = sidebar_widget(ada, "stNumberInput", "Hidden nodes").locator("input")
        expect(hidden_box).to_be_disabled()
        assert hidden_box.input_value() == "2"
        assert "Learning rate" not in sidebar_labels(ada)
        expect(sidebar_widget(ada, "stNumberInput", "Epochs").locator("input")).to_be_enabled()
        screenshot(ada, "classroom-student-locked")

        # Editing the ordinary parameter for it: ignored, with a notice.
        open_url(bob, bob.url + "&hidden=9")
        assert sidebar_widget(bob, "stNumberInput", "Hidden nodes").locator("input") \
            .input_value() == "2"
        expect(bob.locator(f"{SIDEBAR} {ALERT}").filter(
            has_text="Hidden nodes is locked by the classroom link")).to_have_count(1)
        # Editing the signed part (unlocking it): the link is refused, the class still holds.
        edited = re.sub(r"lock=[^&]*", "lock=dataset%3Axor", bob.url)
        open_url(bob, edited + "&hidden=9")
        expect(bob.locator(f"{SIDEBAR} {ALERT}").filter(
            has_text="has been changed since it was made")).to_have_count(1)
        box = sidebar_widget(bob, "stNumberInput", "Hidden nodes").locator("input")
        expect(box).to_be_disabled()
        assert box.input_value() == "2"
        screenshot(bob, "classroom-edited-link")

        save_run(store, info.code, "Ada", 2, 0.75)
        save_run(store, info.code, "Ada", 3, 1.0)
        save_run(store, info.code, "Bob", 3, 1.0)
        # No reload: the board's fragment redraws on its timer.
        expect(page.locator("[data-testid=stMetric]").filter(has_text="Students")
               .locator("[data-testid=stMetricValue]")).to_have_text("2", timeout=30_000)
        expect(page.locator("[data-testid=stMetric]").filter(has_text="Runs on the board")
               .locator("[data-testid=stMetricValue]")).to_have_text("3", timeout=30_000)
        grid = page.locator("[data-testid=stDataFrame]")
        expect(grid).to_have_count(1)
        page.wait_for_timeout(500)
        wait_for_app_idle(page, timeout=IDLE_MS)
        assert_no_exception(page)
        screenshot(page, "classroom-board")

        # Open one run, then hide it from the board.
        pick = page.locator("[data-testid=stSelectbox]").filter(
            has=page.locator(LABEL).filter(has_text="Open a run"))
        open_options(page, pick)
        page.get_by_role("option").filter(has_text="Bob").first.click()
        wait_for_app_idle(page, timeout=IDLE_MS)
        expect(page.locator("[data-testid=stMain]").get_by_text("Bob: xor 2-3-1")) \
            .to_have_count(1)
        screenshot(page, "classroom-board-run")
        click_button(page, "Hide from the board", timeout=IDLE_MS)
        expect(page.locator("[data-testid=stMetric]").filter(has_text="Hidden runs")
               .locator("[data-testid=stMetricValue]")).to_have_text("1", timeout=30_000)
        # The opened run stays open under its new label, through the board's next redraw:
        # the browser's pick is the old label, which no option matches any more.
        wait_for_rerun(page, runs_started(page), timeout=IDLE_MS,
                       start_timeout=(BOARD_SECONDS + 5) * 1000)
        assert pick.locator("input").input_value().startswith("[hidden] Bob · xor 2-3-1")
        expect(page.locator("[data-testid=stButton]").filter(has_text="Show on the board")) \
            .to_have_count(1)
        assert len(store.class_runs(info.code, include_hidden=False)) == 2
        assert_no_exception(page)
        # The teacher loads the run into their own Playground.
        click_button(page, "Open in my Playground", timeout=IDLE_MS)
        expect(page.locator("[data-testid=stMain] h1").filter(has_text="Playground")) \
            .to_have_count(1)
        assert sidebar_widget(page, "stNumberInput", "Hidden nodes").locator("input") \
            .input_value() == "3"
        assert_no_exception(page)
    finally:
        for c in contexts:
            c.close()


def test_a_lesson_step_is_set_up_trained_checked_and_saved(page: Page, streamlit_server: str):
    open_url(page, f"{streamlit_server}/lessons")
    expect(page.locator("[data-testid=stMain] h1").filter(has_text="Lessons")).to_have_count(1)
    click_button(page, "Set up this step", timeout=IDLE_MS)
    assert sidebar_widget(page, "stNumberInput", "Hidden nodes").locator("input") \
        .input_value() == "1"
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text="Playground").click()
    wait_for_app_idle(page, timeout=IDLE_MS)
    click_button(page, "Train", timeout=IDLE_MS)
    expect(page.locator("[data-testid=stMetric]").filter(has_text="Epoch")
           .locator("[data-testid=stMetricValue]")).to_have_text("5,000", timeout=60_000)
    page.locator("[data-testid=stSidebarNavLink]").filter(has_text="Lessons").click()
    wait_for_app_idle(page, timeout=IDLE_MS)
    page.locator("[data-testid=stMain] [data-testid=stRadio] label").filter(
        has_text=re.compile(r"^\s*3\s*$")).click()
    wait_for_app_idle(page, timeout=IDLE_MS)
    click_button(page, "Check my run", timeout=IDLE_MS)
    main_alerts = page.locator(f"[data-testid=stMain] {ALERT}")
    expect(main_alerts.filter(has_text="Right. One unit draws one straight line")) \
        .to_have_count(1)
    assert not main_alerts.filter(has_text="must").count()
    expect(page.locator("[data-testid=stProgress]").first).to_contain_text("step 2 of 2")
    assert_no_exception(page)
    screenshot(page, "lessons-step-checked")


def test_a_teacher_makes_a_class_in_the_browser(page: Page, streamlit_server: str):
    open_url(page, f"{streamlit_server}/classroom")
    page.locator("[data-testid=stTextInput]").filter(
        has=page.locator(LABEL).filter(has_text="Class name")).locator("input").fill("Lab B")
    locked = page.locator("[data-testid=stMultiSelect]").filter(
        has=page.locator(LABEL).filter(has_text="Locked controls"))
    locked.locator("input").click()
    page.get_by_role("option", name="Hidden nodes", exact=True).click()
    page.keyboard.press("Escape")
    click_button(page, "Create the class", timeout=IDLE_MS)
    expect(page.locator("[data-testid=stMain] h2").filter(has_text="Lab B")).to_have_count(1)
    links = page.locator("[data-testid=stCode]")
    student = links.first.inner_text().strip()
    params = dict(parse_qsl(urlsplit(student).query))
    assert params["lock"] == "hidden:3" and "sig" in params
    store = open_store(DB_URL)
    assert store.class_by_code(params["class"]).controls == {"hidden": [], "locked": ["hidden"]}
    assert_no_exception(page)
    screenshot(page, "classroom-created")
