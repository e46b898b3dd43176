"""The three teaching pages (backprop, compare, sweep) through Streamlit's AppTest.

Each test opens the whole app (router + shared sidebar) with URL parameters,
switches to one page and checks what it shows against the engine, computed here
from the same network or data. The real-browser checks (layout, charts drawn)
are in tests/e2e/test_teaching.py.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp_core.compare import Pair
from mlp_core.datasets import make_dataset
from mlp_core.gradcheck import gradient_check
from mlp_core.network import Network
from mlp_core.reference import apply_update, backprop, evaluate, updated_weights
from mlp_core.sweep import MAX_SWEEP_RUNS, SweepSpec, estimated_seconds, summarize
from mlp_core.training import TrainConfig, Trainer
from mlp_ui.teaching import MAX_ROWS_SHOWN
from tests.apptest_support import assert_clean, click, metrics, open_on_page

BACKPROP, COMPARE, SWEEP = "pages/backprop.py", "pages/compare.py", "pages/sweep.py"
TITLES = {BACKPROP: "Backprop step by step", COMPARE: "Hidden layer vs none",
          SWEEP: "Hidden-size sweep"}
TOL = 1e-12

MOONS = dict(dataset="moons", samples="40", epochs="300", bias="true", init="xavier",
             loss="bce", lr="0.5")
CONFIGS = {
    "tutorial": {},
    "xor-2-4-1-uniform": dict(dataset="xor", hidden="4", init="uniform"),
    "moons-1-layer": MOONS,
    "moons-2-layers": {**MOONS, "layers": "2"},
    "moons-tanh": {**MOONS, "activation": "tanh"},
    "moons-relu-2-layers": {**MOONS, "activation": "relu", "layers": "2"},
    "xor-tanh-bias": dict(dataset="xor", hidden="4", init="xavier", bias="true",
                          activation="tanh", lr="0.5", epochs="2000"),
    "xor-relu-bias": dict(dataset="xor", hidden="4", init="he", bias="true",
                          activation="relu", lr="0.5", epochs="2000"),
}
ORIGIN_FACT = ("Without a bias the single-layer network's output at (0, 0) is sigmoid(0) = 0.5 "
               "whatever its weights, so it can never pull that point below 0.5.")
GRADCHECK_OK = "Backpropagation agrees with the finite differences (relative error below 1e-6)."


pytestmark = pytest.mark.usefixtures("navigation_app")


# --------------------------------------------------------------------------- helpers


def open_page(page: str, **query: str) -> AppTest:
    """The app opened on a link with ``query``, then switched to ``page``.

    The first run lands on the default page, the Playground, which has its own
    tests (tests/test_app_playground.py); only this page's run must be clean.
    """
    at = open_on_page(page, TITLES[page], **query)
    assert not [w.value for w in at.sidebar.warning], "a link parameter was rejected"
    return at








def set_number(at: AppTest, key: str, value) -> AppTest:
    at.number_input(key=key).set_value(value).run()
    assert_clean(at)
    return at


def training_data(at: AppTest):
    data = at.session_state["run"].data
    return data.X_train, data.y_train


def shown_steps(net: Network, trace) -> list:
    """The trace's steps in the order the page shows them (bias steps only with a bias)."""
    order = ("forward", "phase 1", "phase 2")
    return [s for phase in order for s in trace.steps
            if s.phase == phase and (net.bias or "_db" not in s.name)]


def step_names_shown(at: AppTest) -> list[str]:
    return [m.group(1) for md in at.main.markdown
            if (m := re.match(r"\*\*`(\w+)`\*\* — ", md.value))]


def assert_frame_equals(frame, expected: np.ndarray, what: str) -> None:
    m = expected if expected.ndim == 2 else expected.reshape(1, -1)
    want = m[:MAX_ROWS_SHOWN]
    got = frame.to_numpy(dtype=float)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    assert list(frame.columns) == [f"c{j + 1}" for j in range(m.shape[1])], what
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL, err_msg=what)


# --------------------------------------------------------------------------- all pages


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("page", [BACKPROP, COMPARE, SWEEP], ids=["backprop", "compare", "sweep"])
def test_page_renders(page, config):
    at = open_page(page, **config)
    assert not at.main.error, [e.value for e in at.main.error]
    settings = at.session_state["settings"]
    for name, raw in config.items():
        assert str(getattr(settings, name)).lower() == raw.lower(), name
    if page == BACKPROP:
        assert [h.value for h in at.header] == [
            "Forward pass", "Phase 1: the output layer's weights",
            "Phase 2: the hidden layers' weights", "The update: W ← W − lr · dE/dW",
            "Gradient check"]
        assert metrics(at)["Epoch"] == "0"
    elif page == COMPARE:
        m = metrics(at)
        assert set(m) == {"Hidden layer: final loss", "Hidden layer: accuracy",
                          "No hidden layer: final loss", "No hidden layer: accuracy"}
        assert len(at.get("plotly_chart")) == 4   # loss, accuracy bars, two boundaries
    else:
        assert [i.value for i in at.info] == ["Press **Run sweep** to train every hidden size."]
        assert at.button(key="sweep-run").label == "Run sweep"


# --------------------------------------------------------------------------- backprop


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_backprop_matrices_equal_the_reference_path(config):
    at = open_page(BACKPROP, **config)
    run = at.session_state["run"]
    net, lr, loss = run.trainer.net, run.trainer.config.lr, run.trainer.config.loss
    X, y = training_data(at)
    trace = backprop(net, X, y, loss)
    steps = shown_steps(net, trace)
    names = [s.name for s in steps]
    assert step_names_shown(at) == names
    for required in ("input_hidden", "output_hidden", "input_op", "output_op", "derror_douto",
                     "douto_dino", "dino_dwo", "derror_dwo", "derror_dino", "dino_douth",
                     "derror_douth", "douth_dinh", "dinh_dwh", "derror_dwh"):
        assert required in names
    assert ("derror_dbo" in names) == net.bias and ("derror_dbh" in names) == net.bias
    assert names.count("derror_dwh") == net.n_hidden_layers

    frames = [df.value for df in at.main.dataframe]
    # One table per step, three per weight matrix (before, lr * gradient, after), the check.
    assert len(frames) == len(steps) + 3 * len(net.weights) + 1
    for i, step in enumerate(steps):
        assert_frame_equals(frames[i], step.value, f"{step.name} (layer {step.layer})")
    update = frames[len(steps):-1]
    after = updated_weights(net, trace, lr)
    for l, (W, g, W2) in enumerate(zip(net.weights, trace.weight_gradients, after)):
        assert_frame_equals(update[3 * l], W, f"weights {l} before")
        assert_frame_equals(update[3 * l + 1], lr * g, f"weights {l} lr * gradient")
        assert_frame_equals(update[3 * l + 2], W2, f"weights {l} after")

    m = metrics(at)
    assert float(m["Error of this pass"]) == pytest.approx(trace.error, rel=1e-5)
    assert m["Network"] == net.architecture()
    check = gradient_check(net, X, y, loss)
    table = frames[-1]
    assert list(table["parameter"]) == check.names
    np.testing.assert_allclose(table["backprop"], check.analytic, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(table["finite difference"], check.numeric, rtol=TOL, atol=TOL)
    assert m["Largest relative error"] == f"{check.max_relative_error:.2e}"


def test_backprop_long_data_shows_8_rows_and_says_so():
    at = open_page(BACKPROP, dataset="moons", samples="200", test="0", bias="true",
                   init="xavier", loss="bce", lr="0.5")
    net = at.session_state["run"].net
    X, y = training_data(at)
    assert len(X) == 200
    steps = shown_steps(net, backprop(net, X, y, "bce"))
    long_steps = [s for s in steps if s.value.ndim == 2 and s.value.shape[0] == 200]
    assert len(long_steps) == 11   # every per-row matrix of a one-hidden-layer pass
    frames = [df.value for df in at.main.dataframe]
    for i, step in enumerate(steps):
        expected_rows = MAX_ROWS_SHOWN if step in long_steps else (
            step.value.shape[0] if step.value.ndim == 2 else 1)
        assert len(frames[i]) == expected_rows, step.name
        assert_frame_equals(frames[i], step.value, step.name)
    notes = [c.value for c in at.main.caption if c.value.startswith("Showing the first")]
    assert notes == ["Showing the first 8 of 200 rows."] * len(long_steps)


def test_backprop_gradient_check_passes_for_the_tutorial_network():
    at = open_page(BACKPROP)
    worst = float(metrics(at)["Largest relative error"])
    assert 0 <= worst < 1e-6
    assert [s.value for s in at.main.success] == [GRADCHECK_OK]
    assert not at.main.warning
    assert len(at.main.dataframe[-1].value) == 9   # 2x3 + 3x1 weights, no bias


def test_backprop_advance_one_epoch_shows_the_engines_next_loss():
    at = open_page(BACKPROP)
    before = metrics(at)
    assert before["Epoch"] == "0"
    assert before["Error of this pass"] == "0.347948"   # the tutorial's first printed error

    # The engine, independently: the tutorial's OR network trained for two epochs.
    data = make_dataset("or")
    engine = Trainer(Network.create(2, (3,), init="tutorial"), data.X_train, data.y_train,
                     TrainConfig(lr=0.05, epochs=2, loss="sse"))
    engine.train()
    assert engine.epoch == 2
    # ... and the reference path: one update by hand, then the next pass's error.
    ref = Network.create(2, (3,), init="tutorial")
    apply_update(ref, backprop(ref, data.X_train, data.y_train), 0.05)
    next_error = backprop(ref, data.X_train, data.y_train).error
    assert engine.losses[1] == pytest.approx(next_error, rel=TOL, abs=TOL)

    click(at, "bp-step")
    after = metrics(at)
    assert after["Epoch"] == "1"
    assert after["Error of this pass"] == f"{engine.losses[1]:.6g}"
    assert after["Error of this pass"] != before["Error of this pass"]
    page_net = at.session_state["run"].net
    np.testing.assert_allclose(page_net.params, ref.params, rtol=TOL, atol=TOL)
    # The matrices follow: the first table is now input_hidden of the updated network.
    assert_frame_equals(at.main.dataframe[0].value, data.X_train @ ref.weights[0], "input_hidden")


def test_backprop_jump_ahead_1000_epochs():
    at = open_page(BACKPROP)
    assert at.number_input(key="step_epochs").value == 1000
    click(at, "bp-jump")
    assert metrics(at)["Epoch"] == "1,000"
    trainer = at.session_state["run"].trainer
    assert trainer.epoch == 1000
    data = make_dataset("or")
    engine = Trainer(Network.create(2, (3,), init="tutorial"), data.X_train, data.y_train,
                     TrainConfig(lr=0.05, epochs=1001, loss="sse"))
    engine.train()
    assert metrics(at)["Error of this pass"] == f"{engine.losses[1000]:.6g}"
    click(at, "bp-step")
    assert metrics(at)["Epoch"] == "1,001"


def test_backprop_update_tables_of_a_big_layer_say_they_are_cut():
    at = open_page(BACKPROP, dataset="xor", hidden="16", layers="2", init="xavier",
                   bias="true", lr="0.5")
    net = at.session_state["run"].net
    assert net.architecture() == "2-16-16-1"
    X, y = training_data(at)
    steps = shown_steps(net, backprop(net, X, y, "sse"))
    frames = [df.value for df in at.main.dataframe]
    cut_steps = [s for s in steps if s.value.ndim == 2 and s.value.shape[0] > MAX_ROWS_SHOWN]
    # dino_douth (16x16, 16x1), derror_dwo (16x1), derror_dwh of hidden layer 2 (16x16).
    assert len(cut_steps) == 4
    update = frames[len(steps):-1]
    assert [len(f) for f in update] == [2] * 3 + [8] * 6
    notes = [c.value for c in at.main.caption if c.value.startswith("Showing the first")]
    # One note per cut step, and one under each cut weight matrix's before/step/after row.
    assert notes == ["Showing the first 8 of 16 rows."] * (len(cut_steps) + 2)


def test_backprop_formulas_follow_the_layer_and_the_bias():
    at = open_page(BACKPROP, dataset="xor", hidden="4", layers="2", bias="true",
                   init="xavier", lr="0.5")
    formulas = [f.value.strip("$\n") for f in at.main.latex]
    # Hidden layer 2 is fed by hidden layer 1, not by X; every weighted sum adds its bias.
    assert r"\text{input\_hidden}^{(1)} = X\,W_h^{(1)} + b_h^{(1)}" in formulas
    assert (r"\text{input\_hidden}^{(2)} = \text{output\_hidden}^{(1)}\,W_h^{(2)} + b_h^{(2)}"
            in formulas)
    assert r"\text{input\_op} = \text{output\_hidden}\,W_o + b_o" in formulas
    # Phase 2 below the top hidden layer: the error arrives through W_h^(2), not W_o.
    assert (r"\frac{\partial\,\text{input\_hidden}^{(2)}}{\partial\,\text{output\_hidden}^{(1)}}"
            r"=W_h^{(2)}" in formulas)
    assert r"\frac{\partial\,\text{input\_hidden}^{(2)}}{\partial W_h^{(2)}}" \
           r"=\text{output\_hidden}^{(1)}" in formulas
    assert not any(f.startswith(r"\text{input\_hidden} = X") for f in formulas)

    tutorial = open_page(BACKPROP)
    formulas = [f.value.strip("$\n") for f in tutorial.main.latex]
    assert r"\text{input\_hidden} = X\,W_h" in formulas   # the tutorial's own notation
    assert r"\text{input\_op} = \text{output\_hidden}\,W_o" in formulas
    assert not any("b_h" in f or "b_o" in f for f in formulas)


# --------------------------------------------------------------------------- compare


def compare_result(at: AppTest) -> Pair:
    return at.session_state["compare_result"][1]


def facts(at: AppTest) -> list[str]:
    return [md.value[2:] for md in at.main.markdown if md.value.startswith("- ")]


def test_compare_or_without_bias_states_the_origin_fact():
    at = open_page(COMPARE)
    pair = compare_result(at)
    data = make_dataset("or")
    single = pair.none.net
    assert single.architecture() == "2-1" and not single.bias
    assert single.predict_proba(np.zeros((1, 2)))[0] == 0.5
    _, acc = evaluate(single, data.X_train, data.y_train, "sse")
    assert acc <= 0.75
    correct = round(acc * 4)
    _, hidden_acc = evaluate(pair.hidden.net, data.X_train, data.y_train, "sse")
    shown = facts(at)
    assert shown[0] == ORIGIN_FACT
    assert shown[1] == (f"The hidden-layer network gets {round(hidden_acc * 4)} of 4 rows right; "
                        f"the network with no hidden layer gets {correct} of 4.")
    m = metrics(at)
    assert m["No hidden layer: accuracy"] == f"{correct}/4"
    assert m["Hidden layer: accuracy"] == f"{round(hidden_acc * 4)}/4"
    assert m["Hidden layer: final loss"] == "0.000265016"   # the tutorial's OR run
    assert len(at.get("plotly_chart")) == 4


def test_compare_xor_single_layer_gets_at_most_three_of_four():
    at = open_page(COMPARE, dataset="xor", hidden="4", init="uniform")
    pair = compare_result(at)
    data = make_dataset("xor")
    _, single_acc = evaluate(pair.none.net, data.X_train, data.y_train, "sse")
    _, hidden_acc = evaluate(pair.hidden.net, data.X_train, data.y_train, "sse")
    assert single_acc <= 0.75
    m = metrics(at)
    assert m["No hidden layer: accuracy"] == f"{round(single_acc * 4)}/4"
    assert m["Hidden layer: accuracy"] == f"{round(hidden_acc * 4)}/4"
    shown = facts(at)
    assert ORIGIN_FACT in shown
    assert any("at best 3 of 4 rows come out right" in f for f in shown)


def test_compare_with_bias_drops_the_origin_fact():
    at = open_page(COMPARE, dataset="xor", hidden="4", init="xavier", bias="true", lr="0.5",
                   epochs="5000")
    shown = facts(at)
    assert ORIGIN_FACT not in shown
    assert not any("(0, 0)" in f for f in shown)
    single = compare_result(at).none.net
    data = make_dataset("xor")
    assert evaluate(single, data.X_train, data.y_train, "sse")[1] <= 0.75


def test_compare_2d_set_shows_both_accuracies():
    at = open_page(COMPARE, **MOONS)
    pair = compare_result(at)
    data = make_dataset("moons", samples=40, noise=0.1, test_fraction=0.2, seed=0)
    assert pair.hidden.X.shape == data.X_train.shape
    accs = [evaluate(tr.net, data.X_train, data.y_train, "bce")[1]
            for tr in (pair.hidden, pair.none)]
    m = metrics(at)
    assert m["Hidden layer: accuracy"] == f"{accs[0]:.1%}"
    assert m["No hidden layer: accuracy"] == f"{accs[1]:.1%}"
    assert m["Hidden layer: final loss"] == f"{pair.hidden.last_loss:.6g}"
    assert m["No hidden layer: final loss"] == f"{pair.none.last_loss:.6g}"
    assert pair.hidden.epoch == pair.none.epoch == 300
    assert facts(at) == [], "the gate facts are only for gates"
    assert len(at.get("plotly_chart")) == 4


def test_compare_large_settings_wait_for_the_button():
    at = open_page(COMPARE, dataset="moons", samples="2000", epochs="200000", init="xavier")
    assert "compare_result" not in at.session_state
    assert not at.get("plotly_chart") and not metrics(at)
    assert at.button(key="compare-run").label == "Train both"
    assert [i.value for i in at.info] == [
        "This comparison trains 200,000 epochs on 1600 points twice; press Train both to run it."]


def test_compare_train_both_runs_a_just_too_big_comparison():
    # 40,000 epochs x 160 points x (1 + 3) = 25.6 M > the 20 M auto-run limit, yet quick.
    at = open_page(COMPARE, dataset="moons", epochs="40000", bias="true", init="xavier",
                   loss="bce", lr="0.5")
    assert "compare_result" not in at.session_state
    click(at, "compare-run")
    pair = compare_result(at)
    assert pair.hidden.epoch == pair.none.epoch == 40_000
    assert set(metrics(at)) == {"Hidden layer: final loss", "Hidden layer: accuracy",
                                "No hidden layer: final loss", "No hidden layer: accuracy"}
    assert len(at.get("plotly_chart")) == 4
    # The result is kept: the next rerun shows it without the button.
    at.run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 4
    assert not [b for b in at.button if b.key == "compare-run"]


# --------------------------------------------------------------------------- sweep

SWEEP_XOR = dict(dataset="xor", bias="true", init="xavier", lr="0.5", epochs="5000")


def test_sweep_xor_hidden_1_to_6():
    at = open_page(SWEEP, **SWEEP_XOR)
    set_number(at, "sweep_high", 6)
    set_number(at, "sweep_seeds", 5)
    assert at.number_input(key="sweep_low").value == 1
    assert "sweep_result" not in at.session_state
    click(at, "sweep-run")
    key, rows = at.session_state["sweep_result"]
    assert len(rows) == 30
    assert sorted({(r.hidden, r.seed) for r in rows}) == [
        (h, s) for h in range(1, 7) for s in range(5)]
    assert not any(r.diverged for r in rows)

    table = at.main.dataframe[-1].value
    assert list(table["hidden"]) == [1, 2, 3, 4, 5, 6]
    rates = dict(zip(table["hidden"], table["success rate"]))
    s = summarize(rows)
    np.testing.assert_allclose(list(rates.values()), np.round(s["success_rate"] * 100, 1))
    assert rates[1] == 0, "one hidden unit draws one line: it cannot solve XOR"
    assert all(rates[h] > rates[1] for h in (3, 4, 5, 6)), rates
    assert list(table["parameters"]) == [4 * h + 1 for h in range(1, 7)]

    assert len(at.get("plotly_chart")) >= 3   # XOR has no test set: 3 charts
    download = at.get("download_button")
    assert [d.proto.label for d in download] == ["Download all runs (CSV)"]
    assert not at.main.error and not at.info


def test_sweep_over_budget_refuses_to_run():
    at = open_page(SWEEP, dataset="moons", samples="2000", epochs="1000000", init="xavier")
    low, high, seeds = (at.number_input(key=k).value
                        for k in ("sweep_low", "sweep_high", "sweep_seeds"))
    assert (low, high, seeds) == (1, 16, 10)
    settings = at.session_state["settings"]
    data = make_dataset("moons", samples=2000, noise=0.1, test_fraction=0.2, seed=0)
    assert estimated_seconds(data, SweepSpec(1, 16, 10), settings.train_config()) > 45
    click(at, "sweep-run")
    errors = [e.value for e in at.main.error]
    assert len(errors) == 1 and "of server time" in errors[0], errors
    assert "Lower the epochs" in errors[0]
    assert "sweep_result" not in at.session_state
    assert not at.get("plotly_chart") and not at.get("download_button")


def test_sweep_bad_range_is_a_clear_error():
    at = open_page(SWEEP, **SWEEP_XOR)
    set_number(at, "sweep_low", 10)
    set_number(at, "sweep_high", 5)
    assert [e.value for e in at.main.error] == [
        "The range of hidden sizes is empty: “to” (5) is below “Hidden nodes from” (10)."]
    assert [b for b in at.button if b.key == "sweep-run"] == []
    assert not at.get("plotly_chart")


def test_sweep_too_many_runs_is_a_clear_error():
    at = open_page(SWEEP, **SWEEP_XOR)
    set_number(at, "sweep_high", 64)
    set_number(at, "sweep_seeds", 100)
    assert MAX_SWEEP_RUNS < 64 * 100
    assert [e.value for e in at.main.error] == [
        "a sweep may have at most 2,000 runs, this one has 6,400"]
    assert not at.get("plotly_chart")


# --------------------------------------------------------------------------- real problems

from mlp_core.sweep import ScoreRow, best_width, score_matrix  # noqa: E402

IRIS = dict(dataset="iris", bias="true", init="xavier", lr="0.5", epochs="200")


def test_sweep_iris_held_out_grid_opens_the_best_run():
    at = open_page(SWEEP, **IRIS)
    assert not [r for r in at.radio if r.key == "sweep_measure"], "iris has 4 inputs"
    at.text_input(key="sweep_widths").set_value("1, 2, 4-5").run()
    set_number(at, "sweep_seeds_scores", 2)
    assert at.selectbox(key="sweep_heldout").value == "test split"
    click(at, "sweep-run")
    assert not at.main.error, [e.value for e in at.main.error]
    key, rows = at.session_state["sweep_result"]
    assert all(isinstance(r, ScoreRow) for r in rows)
    assert [(r.hidden, r.seed, r.fold) for r in rows] == [
        (h, s, -1) for h in (1, 2, 4, 5) for s in range(2)]
    spec = key[1]
    assert (spec.output, spec.n_outputs, key[2].loss) == ("softmax", 3, "ce")
    widths, _, test = score_matrix(rows)
    best, one_se = best_width(widths, test)
    m = metrics(at)
    assert m["Best width"] == str(best) and m["Smallest width within 1 SE"] == str(one_se)
    table = at.main.dataframe[0].value
    assert list(table["hidden"]) == [1, 2, 4, 5]
    np.testing.assert_allclose(table["median held-out accuracy"], np.median(test, axis=1))
    # the rules of thumb for 4 inputs and 3 outputs
    rules = [md.value for md in at.main.markdown if md.value.startswith("- **")]
    assert [r.split("**")[1] for r in rules] == [
        "< 2x inputs (1-7)", "2/3 in + out (5)", "between out and in (3-4)"]
    # the best run is open: its scores, confusion matrix, loss curve and weights
    assert at.selectbox(key="sweep_open").value == (best, 0)
    opened = next(r for r in rows if (r.hidden, r.seed) == (best, 0))
    assert m["Held-out accuracy"] == f"{opened.heldout_score:.1%}"
    assert [h.value for h in at.subheader] == [f"Width {best}, seed 0: 4-{best}-3"]
    assert len(at.get("plotly_chart")) == 1 + 2 + 4   # scores; loss, confusion; W, b x 2
    at.selectbox(key="sweep_open").set_value((1, 1)).run()
    assert_clean(at)
    assert [h.value for h in at.subheader] == ["Width 1, seed 1: 4-1-3"]
    download = at.get("download_button")
    assert [d.proto.label for d in download] == ["Download all runs (CSV)"]
    assert not at.main.error


def test_sweep_iris_k_fold_and_bad_widths():
    at = open_page(SWEEP, **IRIS)
    at.text_input(key="sweep_widths").set_value("2, 4").run()
    set_number(at, "sweep_seeds_scores", 1)
    at.selectbox(key="sweep_heldout").set_value("k-fold cross-validation").run()
    set_number(at, "sweep_folds", 3)
    click(at, "sweep-run")
    rows = at.session_state["sweep_result"][1]
    assert [(r.hidden, r.fold) for r in rows] == [(h, f) for h in (2, 4) for f in range(3)]
    assert "fold 1 of 3" in " ".join(c.value for c in at.main.caption)
    assert not at.main.error
    at.text_input(key="sweep_widths").set_value("1, 2, 300").run()
    assert [e.value for e in at.main.error] == ["Widths must be 1 to 256; “300” is not."]
    at.text_input(key="sweep_widths").set_value("two").run()
    assert [e.value for e in at.main.error] == [
        "“two” is not a width: write whole numbers such as 1, 2, 4 or a range such as 1-16."]


def test_sweep_2d_set_can_measure_held_out_scores():
    at = open_page(SWEEP, **MOONS)
    assert at.radio(key="sweep_measure").value == "success on the training data"
    at.radio(key="sweep_measure").set_value("score on held-out data").run()
    at.text_input(key="sweep_widths").set_value("2, 4").run()
    set_number(at, "sweep_seeds_scores", 1)
    click(at, "sweep-run")
    assert not at.main.error
    # a 2-D set's opened run shows its decision regions
    assert [h.value for h in at.subheader] == ["Width 2, seed 0: 2-2-1"] or \
        [h.value for h in at.subheader] == ["Width 4, seed 0: 2-4-1"]


def phase_one(at: AppTest) -> list[str]:
    names = step_names_shown(at)
    return names[names.index("output_op") + 1: names.index("derror_dwo") + 1]


def test_backprop_softmax_phase_one_on_iris():
    at = open_page(BACKPROP, dataset="iris", bias="true", init="xavier")
    net = at.session_state["run"].net
    assert net.architecture() == "4-3-3" and net.output_activation == "softmax"
    assert phase_one(at) == ["derror_dino", "dino_dwo", "derror_dwo"]
    formulas = [f.value.strip("$\n") for f in at.main.latex]
    assert (r"\frac{\partial E}{\partial\,\text{input\_op}}="
            r"\frac{1}{n}(\text{output\_op}-\text{target\_output})") in formulas
    assert any(f.startswith(r"\text{output\_op} = \operatorname{softmax}") for f in formulas)
    X, y = training_data(at)
    trace = backprop(net, X, y, "ce")
    step = next(s for s in trace.steps if s.name == "derror_dino" and s.phase == "phase 1")
    assert step.value.shape == (len(X), 3)
    shapes = [md.value for md in at.main.markdown if md.value.startswith("**`derror_dino`**")]
    assert f"shape **({len(X)}x3)**" in shapes[0]
    assert "no douto_dino step" in " ".join(c.value for c in at.main.caption)
    assert GRADCHECK_OK in [s.value for s in at.main.success]


def test_backprop_linear_phase_one_on_sine():
    at = open_page(BACKPROP, dataset="sine", bias="true", activation="tanh", loss="mse",
                   init="xavier")
    net = at.session_state["run"].net
    assert net.output_activation == "linear"
    assert phase_one(at) == ["derror_douto", "douto_dino", "dino_dwo", "derror_dwo"]
    formulas = [f.value.strip("$\n") for f in at.main.latex]
    assert r"\frac{\partial\,\text{output\_op}}{\partial\,\text{input\_op}}=1" in formulas
    X, y = training_data(at)
    trace = backprop(net, X, y, "mse")
    slope = next(s for s in trace.steps if s.name == "douto_dino")
    np.testing.assert_array_equal(slope.value, np.ones((len(X), 1)))
    assert not at.main.error


def test_backprop_wide_data_shows_a_corner_of_each_matrix():
    at = open_page(BACKPROP, dataset="digits", hidden="32", bias="true", init="xavier")
    notes = [c.value for c in at.main.caption if c.value.startswith("Showing the first")]
    n = at.session_state["run"].data.n_train
    assert f"Showing the first 8 of {n} rows and 16 of 64 columns." in notes
    assert all(len(df.value.columns) <= 16 and len(df.value) <= 8
               for df in at.main.dataframe[:-1])


@pytest.mark.parametrize("query,score", [
    (dict(dataset="wine", bias="true", epochs="300", init="xavier"), "accuracy"),
    (dict(dataset="sine", bias="true", activation="tanh", hidden="8", loss="mse", lr="0.1",
          epochs="3000", init="xavier"), "R²"),
], ids=["wine", "sine"])
def test_compare_without_a_hidden_layer_on_real_problems(query, score):
    at = open_page(COMPARE, **query)
    assert not at.main.error, [e.value for e in at.main.error]
    pair = compare_result(at)
    problem_output = pair.hidden.net.output_activation
    assert pair.none.net.output_activation == problem_output
    assert pair.none.net.n_hidden_layers == 0
    m = metrics(at)
    assert set(m) == {"Hidden layer: final loss", f"Hidden layer: {score}",
                      "No hidden layer: final loss", f"No hidden layer: {score}"}
    assert len(at.get("plotly_chart")) == 4   # loss, scores, a chart for each network
    if score == "R²":
        hidden_r2 = evaluate(pair.hidden.net, pair.hidden.X, pair.hidden.y, "mse")[1]
        none_r2 = evaluate(pair.none.net, pair.none.X, pair.none.y, "mse")[1]
        assert m["Hidden layer: R²"] == f"{hidden_r2:.3f}"
        # a straight line cannot follow a sine; eight tanh units can
        assert hidden_r2 > 0.8 > none_r2
    else:
        assert problem_output == "softmax" and pair.none.net.n_outputs == 3


def test_sweep_sine_scores_r2_and_opens_the_fit():
    at = open_page(SWEEP, dataset="sine", bias="true", activation="tanh", loss="mse",
                   lr="0.1", epochs="500", init="xavier")
    at.text_input(key="sweep_widths").set_value("1, 8").run()
    set_number(at, "sweep_seeds_scores", 2)
    click(at, "sweep-run")
    assert not at.main.error, [e.value for e in at.main.error]
    key, rows = at.session_state["sweep_result"]
    assert key[1].output == "linear" and key[2].loss == "mse"
    table = at.main.dataframe[0].value
    assert "median held-out R²" in table.columns
    widths, _, test = score_matrix(rows)
    np.testing.assert_allclose(table["median held-out R²"], np.median(test, axis=1))
    m = metrics(at)
    opened = next(r for r in rows if (r.hidden, r.seed) == at.selectbox(key="sweep_open").value)
    assert m["Held-out R²"] == f"{opened.heldout_score:.3f}"
    assert len(at.get("plotly_chart")) == 1 + 2 + 4   # scores; loss, fit; W, b x 2
