"""The optimizer settings in the sidebar and what the Playground shows of them (AppTest)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp_core import model_io
from mlp_core.datasets import make_dataset
from mlp_core.gradnorms import gradient_norms
from mlp_core.network import Network
from mlp_core.training import TrainConfig, Trainer
from mlp_ui import extras
from tests.apptest_support import assert_clean, chart_specs, click, metrics, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

OPTIMIZER_PARAMETERS = ("momentum", "beta1", "beta2", "alpha", "eps")
# Noisy moons overfit by a 2x16 net with Adam: patience 50 stops it near epoch 175.
NOISY_MOONS = {"dataset": "moons", "hidden": "16", "layers": "2", "activation": "tanh",
               "bias": "true", "init": "xavier", "loss": "bce", "lr": "0.05",
               "epochs": "3000", "optimizer": "adam", "noise": "0.3", "samples": "100",
               "patience": "50"}


def shown_parameters(at: AppTest) -> set[str]:
    return {w.key for w in at.sidebar.number_input if w.key in OPTIMIZER_PARAMETERS}


def select(at: AppTest, key: str, value) -> AppTest:
    at.selectbox(key=key).set_value(value).run()
    assert_clean(at)
    return at


def charts(at: AppTest) -> dict[str, dict]:
    out = {}
    for fig in chart_specs(at):
        out[fig["layout"]["title"]["text"]] = fig
    return out


def run_of(at: AppTest):
    return at.session_state["run"]


def test_the_sidebar_shows_only_the_chosen_optimizers_parameters():
    at = open_app()
    assert at.selectbox(key="optimizer").value == "sgd"
    assert shown_parameters(at) == set()
    expected = {"momentum": {"momentum"}, "nesterov": {"momentum"},
                "rmsprop": {"alpha", "eps"}, "adam": {"beta1", "beta2", "eps"}}
    for optimizer, own in expected.items():
        assert shown_parameters(select(at, "optimizer", optimizer)) == own, optimizer
    labels = {w.key: w.label for w in at.sidebar.number_input}
    assert (labels["beta1"], labels["beta2"], labels["eps"]) == ("β1", "β2", "ε")


def test_a_hidden_parameter_keeps_its_value_and_only_changes_reach_the_link():
    at = select(open_app(), "optimizer", "adam")
    assert dict(at.query_params) == {"optimizer": "adam"}
    at.number_input(key="beta1").set_value(0.8).run()
    assert dict(at.query_params) == {"optimizer": "adam", "beta1": "0.8"}
    select(at, "optimizer", "sgd")
    assert shown_parameters(at) == set()
    select(at, "optimizer", "adam")
    assert at.number_input(key="beta1").value == 0.8
    assert run_of(at).trainer.config.beta1 == 0.8


def test_schedule_parameters_appear_with_a_decaying_schedule():
    at = open_app()
    steps = {w.key for w in at.sidebar.number_input} & {"step_size", "gamma"}
    assert steps == set()
    select(at, "schedule", "step")
    assert {"step_size", "gamma"} <= {w.key for w in at.sidebar.number_input}
    assert run_of(at).trainer.config.schedule == "step"
    assert dict(at.query_params) == {"schedule": "step"}


def test_training_with_adam_from_the_sidebar_keeps_the_network_and_beats_plain_descent():
    at = open_app(epochs="300")
    run = run_of(at)
    select(at, "optimizer", "adam")
    assert run_of(at) is run, "a new optimizer trains the same network on"
    click(at, "btn-train")
    assert run.trainer.config.optimizer == "adam" and run.trainer.epoch == 300
    assert metrics(at)["Epoch"] == "300"
    status = [c.value for c in at.main.caption if c.value.startswith("**finished**")]
    assert len(status) == 1 and "Adam lr 0.05" in status[0], status
    # the same 300 epochs of the tutorial's gradient descent, outside the app
    data = make_dataset("or")
    plain = Trainer(Network.create(2, (3,), init="tutorial"), data.X_train, data.y_train,
                    TrainConfig(lr=0.05, epochs=300))
    plain.train()
    assert run.trainer.last_loss < plain.last_loss / 10


def test_a_target_loss_stops_the_run_and_the_loss_chart_says_so():
    at = click(open_app(optimizer="momentum", target_loss="0.01"), "btn-train")
    trainer = run_of(at).trainer
    assert trainer.stopped is not None and trainer.stopped.reason == "target"
    assert trainer.epoch < 2_000                       # of the tutorial's 200,000
    assert [i.value for i in at.main.info] == [trainer.stopped.message]
    loss = charts(at)["Loss (sse)"]
    labels = [a["text"] for a in loss["layout"]["annotations"]]
    assert labels == ["stopped: target loss reached"]
    assert any(s["x0"] == trainer.epoch for s in loss["layout"]["shapes"])
    assert any(c.value.startswith("**stopped early**") for c in at.main.caption)
    stopped_at = trainer.epoch
    click(at, "btn-step")                               # one epoch past the stop, then again
    assert trainer.epoch == stopped_at + 1 and trainer.stopped.reason == "target"


def test_patience_stops_on_the_test_loss_and_rings_the_best_epoch():
    at = click(open_app(**NOISY_MOONS), "btn-train")
    stop = run_of(at).trainer.stopped
    assert stop is not None and stop.reason == "patience"
    assert stop.epoch - stop.best_epoch == 50
    loss = charts(at)["Loss (bce)"]
    ring = [t for t in loss["data"] if t.get("name") == "best"]
    assert len(ring) == 1 and abs(ring[0]["x"][0] - stop.best_epoch) <= 10
    assert loss["layout"]["annotations"][0]["text"] == (
        f"stopped: test loss flat, best epoch {stop.best_epoch:,} kept")


def test_patience_is_greyed_out_and_off_on_a_logic_gate():
    at = open_app(patience="50")
    box = at.number_input(key="patience")
    assert box.disabled and box.value == 50
    assert any("Patience watches the test loss" in c.value for c in at.sidebar.caption)
    assert run_of(at).trainer.config.patience == 0
    click(at, "btn-train")                              # trains instead of failing
    assert run_of(at).trainer.epoch == 200_000


def test_adam_with_a_huge_rate_is_warned_about_on_the_page():
    at = open_app(optimizer="adam", lr="1")
    warnings = [w.value for w in at.main.warning]
    assert len(warnings) == 1 and warnings[0].startswith("Adam with learning rate 1:")


def test_the_gradient_norm_chart_has_a_line_per_layer_at_each_snapshot():
    at = click(open_app(dataset="xor", hidden="4", init="uniform", epochs="2000"), "btn-train")
    run = run_of(at)
    fig = charts(at)["Gradient norm per layer"]
    assert [t["name"] for t in fig["data"]] == ["weight_hidden", "weight_output"]
    assert fig["data"][0]["x"] == [e + 1 for e in run.trainer.snapshot_epochs]
    assert fig["layout"]["xaxis"]["type"] == "log"
    last = gradient_norms(run.net.with_params(run.trainer.snapshot_params[-1]),
                          run.trainer.X, run.trainer.y, "sse")
    assert np.allclose([t["y"][-1] for t in fig["data"]], last, rtol=1e-3)


def test_the_deep_sigmoid_preset_shows_the_first_layers_gradient_vanish():
    at = open_app()
    click(at, "preset-deep-sigmoid")
    fig = charts(at)["Gradient norm per layer"]
    assert len(fig["data"]) == 5
    first, last = fig["data"][0]["y"][0], fig["data"][-1]["y"][0]
    assert first < last / 1_000, (first, last)


def test_scrubbing_back_marks_the_epoch_on_the_gradient_chart():
    at = click(open_app(dataset="xor", hidden="4", init="uniform", epochs="2000"), "btn-train")
    slider = [s for s in at.select_slider if s.key.startswith("timeline-slider")][0]
    slider.set_value(5).run()
    assert_clean(at)
    epoch = run_of(at).trainer.snapshot_epochs[5]
    fig = charts(at)["Gradient norm per layer"]
    assert [s["x0"] for s in fig["layout"]["shapes"]] == [epoch + 1]


def _script_lines(script: str, tmp_path) -> list[str]:
    path = tmp_path / "train_mlp.py"
    path.write_text(script)
    ran = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip().splitlines()


def test_the_downloaded_script_trains_with_the_runs_optimizer(tmp_path):
    at = click(open_app(optimizer="adam", epochs="300", schedule="step", step_size="100"),
               "btn-train")
    run = run_of(at)
    script = extras._files(run)["script"]
    assert "optimizer adam" in script
    lines = _script_lines(script, tmp_path)
    np.testing.assert_allclose(float(lines[-1]), run.trainer.last_loss, rtol=1e-9)


def test_a_paused_scheduled_runs_script_reproduces_it(tmp_path):
    # cosine runs over the planned 400 epochs; the run (and its script) stopped at 150
    at = open_app(optimizer="momentum", schedule="cosine", epochs="400", lr="0.5")
    run = run_of(at)
    run.trainer.train(n_epochs=150)
    lines = _script_lines(extras._files(run)["script"], tmp_path)
    np.testing.assert_allclose(float(lines[-1]), run.trainer.last_loss, rtol=1e-9)


def test_a_patience_stopped_runs_script_stops_at_the_best_epoch():
    at = click(open_app(**NOISY_MOONS), "btn-train")
    run = run_of(at)
    script = extras._files(run)["script"]
    assert f"{run.trainer.stopped.best_epoch} epochs" in script.splitlines()[1]


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_the_backprop_pages_update_is_the_one_advance_makes(optimizer):
    at = open_app(optimizer=optimizer, lr="0.1", schedule="exp", step_size="2")
    run = run_of(at)
    click(at, "btn-step")
    click(at, "btn-step")              # past the first update: the state now matters
    at.switch_page("pages/backprop.py").run()
    assert_clean(at)
    headers = [h.value for h in at.header]
    label = {"momentum": "Momentum", "adam": "Adam"}[optimizer]
    assert f"The update by {label}: W ← W − step" in headers
    # before, step, after for weight_hidden (2x3), then weight_output (3x1); then the
    # gradient check's table
    tables = [np.asarray(t.value, dtype=float) for t in list(at.dataframe)[-7:-1]]
    assert [t.shape for t in tables] == [(2, 3)] * 3 + [(3, 1)] * 3
    after = [tables[2], tables[5]]
    np.testing.assert_allclose(tables[0] - tables[1], tables[2], rtol=1e-12, atol=1e-15)
    assert any("0.05" in c.value and "exponential" in c.value for c in at.caption), \
        "epoch 2's rate under exp decay, gamma 0.5 every 2 epochs: 0.1 * 0.5 ** (2 / 2)"
    click(at, "bp-step")
    for W, expected in zip(run.net.weights, after):
        np.testing.assert_allclose(W, expected, rtol=1e-12, atol=1e-15)


def test_a_model_file_brings_its_optimizer_into_the_sidebar():
    at = click(open_app(optimizer="adam", beta2="0.99", epochs="50"), "btn-train")
    raw = model_io.dumps(run_of(at).net, extras.model_training(run_of(at))).encode()
    at = open_app(optimizer="momentum")
    at.file_uploader(key="model_uploader").set_value(("adam.json", raw, "application/json"))
    at.run()
    assert_clean(at)
    assert at.selectbox(key="optimizer").value == "adam"
    assert at.number_input(key="beta2").value == 0.99
    assert run_of(at).trainer.config.optimizer == "adam"
    # a file from before optimizers was trained by plain gradient descent
    old = json.loads(raw)
    for name in ("optimizer", "beta2"):
        del old["training"][name]
    at.file_uploader(key="model_uploader").set_value(
        ("old.json", json.dumps(old).encode(), "application/json"))
    at.run()
    assert_clean(at)
    assert at.selectbox(key="optimizer").value == "sgd"
