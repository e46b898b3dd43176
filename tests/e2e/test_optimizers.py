"""Optimizers in a real browser: pick Adam in the sidebar, train, see what it did."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    ALERT,
    assert_no_exception,
    charts,
    click_button,
    metric_value,
    screenshot,
    set_expander,
)
from tests.e2e.test_playground import (
    MAIN,
    SIDEBAR,
    choose,
    no_js_crash,
    no_traceback,
    open_app,
    select_value,
    sidebar_widget,
)

TRAIN_TIMEOUT_MS = 180_000
# The two-spiral network of the "Spiral needs depth" preset, at Adam's usual rate.
SPIRAL = {"dataset": "spiral", "hidden": "16", "layers": "2", "activation": "tanh",
          "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.01", "epochs": "1000",
          "samples": "300", "noise": "0.05"}
NUMBER = "[data-testid=stNumberInput]"
LABEL = "[data-testid=stWidgetLabel]"


def sidebar_numbers(page: Page) -> list[str]:
    labels = page.locator(f"{SIDEBAR} {NUMBER} {LABEL}").all_inner_texts()
    return [label.strip() for label in labels]


def chart(page: Page, title: str):
    found = charts(page).filter(has=page.locator(".gtitle", has_text=title))
    expect(found).to_have_count(1)
    return found


def test_pick_adam_in_the_sidebar_and_train(page, streamlit_server, server_log,
                                            console_errors):
    open_app(page, streamlit_server, SPIRAL)
    assert select_value(page, "Optimizer") == "Gradient descent (SGD)"
    assert not {"β1", "β2", "ε", "Momentum μ"} & set(sidebar_numbers(page))

    choose(page, "Optimizer", "Adam")
    assert_no_exception(page)
    numbers = sidebar_numbers(page)
    assert {"β1", "β2", "ε"} <= set(numbers) and "Momentum μ" not in numbers
    assert sidebar_widget(page, "stNumberInput", "β2").locator("input").input_value() == "0.999"
    assert parse_qs(urlparse(page.url).query)["optimizer"] == ["adam"]

    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    assert metric_value(page, "Epoch") == "1,000"
    # Adam gets every held-out point of the two spirals right in 1,000 epochs
    assert metric_value(page, "Test accuracy") == "100.0%"
    expect(page.locator(MAIN).get_by_text("Adam lr 0.01")).to_be_visible()
    grads = chart(page, "Gradient norm per layer")
    grads.scroll_into_view_if_needed()
    expect(grads.locator(".main-svg .trace.scatter")).to_have_count(3)   # one per matrix
    expect(grads.locator(".legendtext", has_text="weight_hidden_1")).to_have_count(1)
    page.locator(MAIN).evaluate("(main) => main.scrollTo(0, 0)")
    screenshot(page, "optimizers-adam-spiral")

    # The link reproduces it: Adam comes back selected, with its parameters shown.
    link = {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}
    assert link == {**SPIRAL, "optimizer": "adam"}
    open_app(page, streamlit_server, link)
    assert select_value(page, "Optimizer") == "Adam"
    assert "β1" in sidebar_numbers(page)
    no_js_crash(console_errors)
    no_traceback(server_log)


def test_early_stopping_marks_the_loss_chart(page, streamlit_server, server_log,
                                             console_errors):
    open_app(page, streamlit_server)
    set_expander(page, "Presets", scope=SIDEBAR)
    click_button(page, "Momentum on the tutorial's OR")
    assert select_value(page, "Optimizer") == "Momentum"
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    stopped = int(metric_value(page, "Epoch").replace(",", ""))
    assert 1_000 < stopped < 1_400, stopped
    notes = [t.strip() for t in page.locator(f"{MAIN} {ALERT}").all_inner_texts()]
    assert any(n.startswith(f"Stopped after epoch {stopped:,}: the training loss reached")
               for n in notes), notes
    loss = chart(page, "Loss (sse)")
    expect(loss.get_by_text("stopped: target loss reached")).to_be_visible()
    expect(page.locator(MAIN).get_by_text("stopped early")).to_be_visible()
    screenshot(page, "optimizers-momentum-early-stop")
    no_js_crash(console_errors)
    no_traceback(server_log)


def test_patience_restores_the_best_epoch(page, streamlit_server, server_log, console_errors):
    # Noisy moons overfit by a 2x16 net with Adam: the test loss turns up early.
    open_app(page, streamlit_server, {**SPIRAL, "dataset": "moons", "noise": "0.3",
                                      "samples": "100", "lr": "0.05", "epochs": "3000",
                                      "optimizer": "adam", "patience": "50"})
    # a changed early-stopping setting opens its fold, so the link's patience shows
    patience = sidebar_widget(page, "stNumberInput", "Patience").locator("input")
    expect(patience).to_be_visible()
    assert patience.input_value() == "50"
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    stopped = int(metric_value(page, "Epoch").replace(",", ""))
    best = stopped - 50
    assert 50 < stopped < 3_000
    notes = [t.strip() for t in page.locator(f"{MAIN} {ALERT}").all_inner_texts()]
    assert f"the weights of epoch {best:,}, where it was lowest, are restored." in notes[0], notes
    loss = chart(page, "Loss (bce)")
    expect(loss.get_by_text(f"stopped: test loss flat, best epoch {best:,} kept")).to_be_visible()
    screenshot(page, "optimizers-patience-moons")
    no_js_crash(console_errors)
    no_traceback(server_log)


def test_adam_trains_the_deep_sigmoid_net_that_plain_descent_cannot(page, streamlit_server,
                                                                     server_log, console_errors):
    open_app(page, streamlit_server)
    set_expander(page, "Presets", scope=SIDEBAR)
    click_button(page, "Deep sigmoid net: vanishing gradients")
    assert select_value(page, "Dataset") == "Circle"
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    plain = float(metric_value(page, "Test accuracy").rstrip("%"))
    assert plain <= 60, plain
    grads = chart(page, "Gradient norm per layer")
    expect(grads.locator(".main-svg .trace.scatter")).to_have_count(5)
    screenshot(page, "optimizers-deep-sigmoid-sgd")

    set_expander(page, "Presets", open=False, scope=SIDEBAR)   # fold the list away
    choose(page, "Optimizer", "Adam")
    box = sidebar_widget(page, "stNumberInput", "Learning rate").locator("input")
    box.fill("0.01")
    box.press("Enter")
    set_expander(page, "Schedule and early stopping", scope=SIDEBAR)
    choose(page, "Learning-rate schedule", "Cosine to zero")
    click_button(page, "Reset")
    click_button(page, "Train", timeout=TRAIN_TIMEOUT_MS)
    assert_no_exception(page)
    adam = float(metric_value(page, "Test accuracy").rstrip("%"))
    assert adam >= 95, adam
    expect(page.locator(MAIN).get_by_text("Adam lr 0.01")).to_be_visible()
    screenshot(page, "optimizers-deep-sigmoid-adam")
    no_js_crash(console_errors)
    no_traceback(server_log)
