"""Optimizers, learning-rate schedules and early stopping.

Each optimizer is checked against its published update rule written out here
independently of ``optimizers.py`` and ``reference.py`` (per layer, as
``torch.optim`` keeps one state per parameter tensor); the compiled paths
against the reference trainer; resuming against one uninterrupted run; early
stopping against runs that were not stopped.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from mlp_core import dense, kernel, model_io
from mlp_core.datasets import make_dataset
from mlp_core.network import Network
from mlp_core.optimizers import (
    OPTIMIZER_IDS,
    OPTIMIZER_LABELS,
    OPTIMIZERS,
    SCHEDULE_IDS,
    SCHEDULE_LABELS,
    SCHEDULES,
    T,
    lr_at,
    new_state,
)
from mlp_core.reference import backprop
from mlp_core.reference import train as reference_train
from mlp_core.script import standalone_script
from mlp_core.training import EarlyStop, TrainConfig, Trainer, kernel_settings

TOL = 1e-9
OR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
OR_Y = np.array([0, 1, 1, 1], dtype=float)


def _moons(samples=40):
    return make_dataset("moons", samples=samples, seed=3)


def _net(hidden, bias, n_in=2, seed=0):
    return Network.create(n_in, hidden, bias=bias, init="xavier", seed=seed)


def _close(a, b, tol=TOL):
    a, b = np.asarray(a), np.asarray(b)
    scale = max(1.0, float(np.max(np.abs(b))))
    assert np.max(np.abs(a - b)) <= tol * scale, np.max(np.abs(a - b))


# --- the published rules, written out independently ----------------------------------

def _published_step(name, params, grads, state, t, lr, cfg):
    """One update of ``name`` on lists of arrays (weights and biases per layer), from the
    formulas of the torch.optim documentation; ``state`` a dict of lists, kept here."""
    for i, (p, g) in enumerate(zip(params, grads)):
        if name == "sgd":
            p -= lr * g
        elif name in ("momentum", "nesterov"):
            buf = g.copy() if t == 1 else cfg.momentum * state["buf"][i] + g
            state["buf"][i] = buf
            p -= lr * ((g + cfg.momentum * buf) if name == "nesterov" else buf)
        elif name == "rmsprop":
            sq = cfg.alpha * state["sq"][i] + (1 - cfg.alpha) * g * g
            state["sq"][i] = sq
            p -= lr * (g / (np.sqrt(sq) + cfg.eps))
        elif name == "adam":
            m = cfg.beta1 * state["m"][i] + (1 - cfg.beta1) * g
            v = cfg.beta2 * state["v"][i] + (1 - cfg.beta2) * g * g
            state["m"][i], state["v"][i] = m, v
            m_hat = m / (1 - cfg.beta1 ** t)
            v_hat = v / (1 - cfg.beta2 ** t)
            p -= lr * m_hat / (np.sqrt(v_hat) + cfg.eps)


def _published_run(net, X, y, cfg, steps):
    """``steps`` full-batch updates of ``cfg.optimizer`` on ``net`` in place."""
    arrays = list(net.weights) + (list(net.biases) if net.bias else [])
    zeros = [np.zeros_like(a) for a in arrays]
    state = {key: [z.copy() for z in zeros] for key in ("buf", "sq", "m", "v")}
    for t in range(1, steps + 1):
        trace = backprop(net, X, y, cfg.loss, cfg.reg, cfg.reg_rate)
        grads = list(trace.weight_gradients) + (list(trace.bias_gradients) if net.bias else [])
        _published_step(cfg.optimizer, arrays, grads, state, t, cfg.lr, cfg)


FORMULA_CASES = list(itertools.product(OPTIMIZERS, (True, False), ((4,), (4, 3))))


@pytest.mark.parametrize("name,bias,hidden", FORMULA_CASES,
                         ids=[f"{n}-{'bias' if b else 'nobias'}-{len(h)}h"
                              for n, b, h in FORMULA_CASES])
def test_thirty_full_batch_steps_follow_the_published_formula(name, bias, hidden):
    data = _moons()
    cfg = TrainConfig(lr=0.05, epochs=30, loss="bce", optimizer=name, momentum=0.8,
                      beta1=0.85, beta2=0.99, alpha=0.95, eps=1e-6)
    expected = _net(hidden, bias)
    _published_run(expected, data.X_train, data.y_train, cfg, 30)
    trainer = Trainer(_net(hidden, bias), data.X_train, data.y_train, cfg)
    trainer.train()
    _close(trainer.net.params, expected.params)
    assert trainer.opt_state[T] == 30
    # The optimizers really differ: a test that could not tell them apart would pass anyway.
    if name != "sgd":
        plain = Trainer(_net(hidden, bias), data.X_train, data.y_train,
                        replace(cfg, optimizer="sgd"))
        plain.train()
        assert np.max(np.abs(plain.net.params - expected.params)) > 1e-4


def test_regularisation_reaches_every_optimizer_through_the_gradient():
    data = _moons()
    for name, reg in itertools.product(OPTIMIZERS, ("l1", "l2")):
        cfg = TrainConfig(lr=0.05, epochs=30, loss="bce", optimizer=name, reg=reg,
                          reg_rate=0.01)
        expected = _net((4,), True)
        _published_run(expected, data.X_train, data.y_train, cfg, 30)
        trainer = Trainer(_net((4,), True), data.X_train, data.y_train, cfg)
        trainer.train()
        _close(trainer.net.params, expected.params)


# --- reference vs kernel vs dense ----------------------------------------------------

PATH_CASES = {
    f"{name}-{schedule}-{'mini' if batch else 'full'}": (name, schedule, batch)
    for name, schedule, batch in itertools.product(
        OPTIMIZERS, SCHEDULES, (None, 7))
    if schedule == "constant" or name in ("momentum", "adam")
}


def _compiled_run(module, net, X, y, cfg):
    settings = kernel_settings(net, cfg, len(X))
    losses = np.zeros(cfg.epochs)
    state = new_state(len(net.params))
    done, status = module.train_epochs(X, net.encode_targets(y), net.params, *settings, 0,
                                       cfg.epochs, losses, 1e4, state)
    assert (done, status) == (cfg.epochs, kernel.OK)
    return losses, state


@pytest.mark.parametrize("case", list(PATH_CASES))
def test_reference_kernel_and_dense_agree(case):
    name, schedule, batch = PATH_CASES[case]
    data = _moons(60)
    cfg = TrainConfig(lr=0.05, epochs=40, loss="bce", optimizer=name, schedule=schedule,
                      step_size=7, gamma=0.6, batch_size=batch, seed=4, reg="l2", reg_rate=1e-3)
    ref = _net((5, 3), True)
    run = reference_train(ref, data.X_train, data.y_train, cfg)
    for module in (kernel, dense):
        net = _net((5, 3), True)
        losses, state = _compiled_run(module, net, data.X_train, data.y_train, cfg)
        _close(net.params, ref.params)
        _close(losses, run.losses)
        # t counts updates (mini-batches), not epochs.
        per_epoch = math.ceil(len(data.X_train) / (batch or len(data.X_train)))
        assert state[T] == cfg.epochs * per_epoch


def test_softmax_and_linear_outputs_train_with_adam_on_both_paths():
    for output, loss, k in (("softmax", "ce", 3), ("linear", "mse", 2)):
        rng = np.random.default_rng(1)
        X = rng.normal(size=(30, 3))
        y = rng.integers(0, k, 30).astype(float) if output == "softmax" else rng.normal(
            size=(30, k))
        cfg = TrainConfig(lr=0.01, epochs=25, loss=loss, optimizer="adam", batch_size=8)

        ref = Network.create(3, (6,), n_outputs=k, output=output, activation="tanh",
                             init="xavier", seed=2)
        start = ref.params.copy()
        reference_train(ref, X, y, cfg)
        for module in (kernel, dense):
            net = ref.with_params(start)
            _compiled_run(module, net, X, y, cfg)
            _close(net.params, ref.params)


# --- mini-batches count updates -----------------------------------------------------

def test_adam_bias_correction_counts_mini_batches():
    data = _moons(50)   # 40 training rows: batches of 16, 16, 8
    cfg = TrainConfig(lr=0.02, epochs=2, loss="bce", optimizer="adam", batch_size=16, seed=1)
    trainer = Trainer(_net((4,), True), data.X_train, data.y_train, cfg)
    trainer.train()
    assert trainer.opt_state[T] == 6
    ref = _net((4,), True)
    reference_train(ref, data.X_train, data.y_train, cfg)
    _close(trainer.net.params, ref.params)
    # Counting epochs instead (t = 1, 1, 1, 2, 2, 2) gives other weights.
    wrong = _net((4,), True)
    arrays = list(wrong.weights) + list(wrong.biases)
    state = {key: [np.zeros_like(a) for a in arrays] for key in ("buf", "sq", "m", "v")}
    order = np.arange(len(data.X_train))
    for epoch in range(2):
        kernel.epoch_permutation(order, cfg.seed, epoch)
        for start in range(0, len(order), 16):
            rows = order[start:start + 16]
            trace = backprop(wrong, data.X_train[rows], data.y_train[rows], "bce")
            grads = list(trace.weight_gradients) + list(trace.bias_gradients)
            _published_step("adam", arrays, grads, state, epoch + 1, cfg.lr, cfg)
    assert np.max(np.abs(wrong.params - trainer.net.params)) > 1e-6


# --- resuming -------------------------------------------------------------------------

@pytest.mark.parametrize("name,schedule", [(o, "constant") for o in OPTIMIZERS]
                         + [("adam", s) for s in SCHEDULES[1:]])
def test_forty_then_sixty_epochs_equal_one_hundred(name, schedule):
    data = _moons()
    cfg = TrainConfig(lr=0.05, epochs=100, loss="bce", optimizer=name, schedule=schedule,
                      batch_size=12, seed=2)
    whole = Trainer(_net((5,), True), data.X_train, data.y_train, cfg, data.X_test, data.y_test)
    whole.train()
    split = Trainer(_net((5,), True), data.X_train, data.y_train, cfg, data.X_test, data.y_test)
    assert split.train(40) == 40
    split.train(60)
    assert np.array_equal(split.net.params, whole.net.params)
    assert np.array_equal(split.opt_state, whole.opt_state)
    assert np.array_equal(split.losses, whole.losses)
    assert split.snapshot_epochs == whole.snapshot_epochs
    for i in range(len(whole.snapshot_epochs)):
        assert np.array_equal(split.network_at(i).params, whole.network_at(i).params)


def test_set_config_resets_the_state_only_for_another_optimizer():
    data = _moons()
    cfg = TrainConfig(lr=0.05, epochs=100, loss="bce", optimizer="adam")
    trainer = Trainer(_net((4,), True), data.X_train, data.y_train, cfg)
    trainer.train(10)
    trainer.set_config(replace(cfg, lr=0.01))
    assert trainer.opt_state[T] == 10
    trainer.set_config(replace(cfg, optimizer="momentum"))
    assert trainer.opt_state[T] == 0
    assert not np.any(trainer.opt_state[4:4 + 2 * len(trainer.net.params)])


# --- schedules -------------------------------------------------------------------------

@pytest.mark.parametrize("schedule,epoch,step_size,expected", [
    ("constant", 0, 0, 0.1),
    ("constant", 999, 0, 0.1),
    ("step", 24, 0, 0.1),          # S = 100 // 4 = 25
    ("step", 25, 0, 0.05),
    ("step", 99, 0, 0.0125),
    ("step", 10, 10, 0.05),
    ("exp", 25, 0, 0.05),
    ("exp", 50, 0, 0.025),
    ("exp", 5, 10, 0.1 * 0.5 ** 0.5),
    ("cosine", 0, 0, 0.1),
    ("cosine", 50, 0, 0.05),
    ("cosine", 25, 0, 0.05 * (1 + math.sqrt(0.5))),
    ("cosine", 100, 0, 0.0),
    ("cosine", 150, 0, 0.0),
])
def test_rates_at_chosen_epochs(schedule, epoch, step_size, expected):
    assert lr_at(schedule, 0.1, epoch, 100, step_size, 0.5) == pytest.approx(expected, abs=1e-15)


def test_records_carry_the_rate_of_the_epoch_that_ended():
    cfg = TrainConfig(lr=0.1, epochs=8, schedule="step", step_size=2, gamma=0.5)
    trainer = Trainer(_net((3,), True), OR_X, OR_Y, cfg)
    trainer.train()
    rates = dict(zip(trainer.records["epoch"], trainer.records["lr"]))
    assert rates[0] == 0.1 and rates[2] == 0.1 and rates[3] == 0.05 and rates[8] == 0.0125


# --- early stopping ----------------------------------------------------------------------

def test_target_loss_stops_after_the_first_epoch_at_or_below_it():
    cfg = TrainConfig(lr=0.05, epochs=5000, optimizer="adam", target_loss=0.01)
    trainer = Trainer(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y, cfg)
    trainer.train()
    stop = trainer.stopped
    assert isinstance(stop, EarlyStop) and stop.reason == "target" and trainer.done
    assert trainer.epoch == stop.epoch == stop.best_epoch < 5000
    assert trainer.losses[-1] <= 0.01 < trainer.losses[-2]
    assert "target" in stop.message
    ref = Network.create(2, (3,), init="tutorial")
    run = reference_train(ref, OR_X, OR_Y, cfg)
    assert (run.stopped, len(run.losses)) == ("target", stop.epoch)


def test_patience_restores_the_best_weights():
    # A small noisy training set and a wide net: the test loss turns up and stays up.
    data = make_dataset("moons", samples=60, noise=0.35, test_fraction=0.5, seed=5)
    cfg = TrainConfig(lr=0.05, epochs=3000, loss="bce", optimizer="adam", patience=30)
    net = Network.create(2, (32, 32), init="xavier", seed=1)
    trainer = Trainer(net, data.X_train, data.y_train, cfg, data.X_test, data.y_test)
    trainer.train()
    stop = trainer.stopped
    assert stop is not None and stop.reason == "patience" and trainer.done
    assert stop.epoch == stop.best_epoch + 30 and stop.epoch < 3000
    # The weights held are those an unstopped run had after best_epoch epochs...
    again = Trainer(Network.create(2, (32, 32), init="xavier", seed=1), data.X_train,
                    data.y_train, replace(cfg, patience=0), data.X_test, data.y_test)
    again.train(stop.best_epoch)
    assert np.array_equal(trainer.net.params, again.net.params)
    # ...whose test loss is the lowest of every epoch up to the stop.
    best_loss = again.evaluate(data.X_test, data.y_test)[0]
    for _ in range(30):
        again.train(1)
        assert again.evaluate(data.X_test, data.y_test)[0] >= best_loss
    # The reference trainer stops at the same epoch with the same weights.
    ref = Network.create(2, (32, 32), init="xavier", seed=1)
    run = reference_train(ref, data.X_train, data.y_train, cfg, data.X_test, data.y_test)
    assert (run.stopped, run.best_epoch, len(run.losses)) == ("patience", stop.best_epoch,
                                                              stop.epoch)
    _close(trainer.net.params, ref.params)


def test_patience_on_the_dense_path_matches_the_loops():
    data = make_dataset("moons", samples=60, noise=0.35, test_fraction=0.5, seed=5)
    cfg = TrainConfig(lr=0.05, epochs=400, loss="bce", optimizer="adam", patience=10)
    results = []
    for module in (kernel, dense):
        net = Network.create(2, (16,), init="xavier", seed=1)
        settings = kernel_settings(net, cfg, len(data.X_train))
        state = new_state(len(net.params))
        stops = np.array([100, 200, 400], dtype=np.int64)
        out = module.train_stops(data.X_train, net.encode_targets(data.y_train), data.X_test,
                                 net.encode_targets(data.y_test), net.params, *settings, 0,
                                 stops, np.zeros(400), 1e4, np.zeros((3, 4)),
                                 np.zeros((3, len(net.params))), state)
        results.append((out, net.params.copy()))
    (k_out, k_params), (d_out, d_params) = results
    assert k_out == d_out and k_out[2] == kernel.NO_IMPROVEMENT
    _close(d_params, k_params)


def test_patience_needs_a_test_split():
    with pytest.raises(ValueError, match="^patience needs a test split"):
        Trainer(_net((3,), True), OR_X, OR_Y, TrainConfig(patience=5))


# --- settings ----------------------------------------------------------------------------

def test_names_ids_and_labels_cover_each_other():
    assert list(OPTIMIZER_IDS) == list(OPTIMIZERS) and list(OPTIMIZER_IDS.values()) == [0, 1, 2,
                                                                                        3, 4]
    assert list(SCHEDULE_IDS) == list(SCHEDULES) and list(SCHEDULE_IDS.values()) == [0, 1, 2, 3]
    assert set(OPTIMIZER_LABELS) == set(OPTIMIZERS) and set(SCHEDULE_LABELS) == set(SCHEDULES)


@pytest.mark.parametrize("kwargs,message", [
    ({"optimizer": "adamw"}, r"^optimizer must be one of sgd, momentum"),
    ({"momentum": 1.0}, r"^momentum must be a number in \[0, 1\)"),
    ({"momentum": -0.1}, r"^momentum must be a number in \[0, 1\)"),
    ({"beta1": 1}, r"^beta1 must be"),
    ({"beta2": 1.5}, r"^beta2 must be"),
    ({"alpha": math.nan}, r"^alpha must be a finite number"),
    ({"eps": 0.0}, r"^eps must be a number in \(0, 1\]"),
    ({"schedule": "poly"}, r"^schedule must be one of constant, step, exp, cosine"),
    ({"step_size": -1}, r"^step size must be an integer"),
    ({"gamma": 0.0}, r"^gamma must be a number in \(0, 1\]"),
    ({"patience": 2.5}, r"^patience must be an integer"),
    ({"target_loss": -1.0}, r"^target loss must be a number"),
])
def test_bad_settings_get_one_sentence(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kwargs)


def test_defaults_are_plain_gradient_descent():
    cfg = TrainConfig()
    assert (cfg.optimizer, cfg.schedule, cfg.patience, cfg.target_loss) == ("sgd", "constant",
                                                                            0, 0.0)
    assert (cfg.momentum, cfg.beta1, cfg.beta2, cfg.alpha, cfg.eps) == (0.9, 0.9, 0.999, 0.99,
                                                                        1e-8)


# --- the standalone script --------------------------------------------------------------

SCRIPT_CASES = {
    **{name: TrainConfig(lr=0.05, epochs=60, loss="bce", optimizer=name, batch_size=12, seed=3)
       for name in OPTIMIZERS},
    **{f"adam-{schedule}": TrainConfig(lr=0.05, epochs=60, loss="bce", optimizer="adam",
                                       schedule=schedule, gamma=0.7)
       for schedule in SCHEDULES[1:]},
    "momentum-step-l2-target": TrainConfig(lr=0.3, epochs=2000, loss="bce", optimizer="momentum",
                                           schedule="step", step_size=50, reg="l2",
                                           reg_rate=1e-3, target_loss=0.3),
}


@pytest.mark.parametrize("case", list(SCRIPT_CASES))
def test_the_script_ends_with_the_engines_weights(case, tmp_path):
    cfg = SCRIPT_CASES[case]
    data = _moons()
    net = _net((4, 3), True)
    script = standalone_script(net, data.X_train, data.y_train, cfg)
    trainer = Trainer(net.copy(), data.X_train, data.y_train, cfg)
    trainer.train()
    path = tmp_path / "train.py"
    path.write_text(script)
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    printed = {line.split(" ", 1)[0]: np.array(json.loads(line.split(" ", 1)[1]))
               for line in ran.stdout.splitlines() if line.startswith("weight")}
    names = ["weight_hidden_1", "weight_hidden_2", "weight_output"]
    for name, W in zip(names, trainer.net.weights):
        _close(printed[name], W)
    _close(float(ran.stdout.strip().splitlines()[-1]), trainer.last_loss)
    if cfg.target_loss:
        assert trainer.stopped is not None and trainer.epoch < cfg.epochs


def test_the_script_refuses_patience():
    with pytest.raises(ValueError, match="^a standalone script cannot stop on patience"):
        standalone_script(_net((3,), True), OR_X, OR_Y, TrainConfig(patience=3))


def test_a_paused_cosine_run_scripts_its_epochs_on_the_whole_schedule(tmp_path):
    cfg = TrainConfig(lr=0.5, epochs=100, optimizer="momentum", schedule="cosine")
    trainer = Trainer(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y, cfg)
    trainer.train(30)
    script = standalone_script(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y, cfg,
                               run_epochs=30)
    assert "run_epochs = 30" in script and "epochs = 100" in script
    path = tmp_path / "train.py"
    path.write_text(script)
    ran = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    _close(float(ran.stdout.strip().splitlines()[-1]), trainer.last_loss)
    # A constant rate does not depend on the length: the script is the plain one.
    plain = standalone_script(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y,
                              replace(cfg, schedule="constant"), run_epochs=30)
    assert "run_epochs" not in plain and "epochs = 30" in plain


# --- the CLI and model files --------------------------------------------------------------

def _cli(*argv):
    return subprocess.run([sys.executable, "-m", "mlp_core", *argv], capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("argv,message", [
    (["--optimizer", "adamw"], "optimizer must be one of"),
    (["--momentum", "1"], r"momentum must be a number in \[0, 1\)"),
    (["--beta2", "-0.5"], "beta2 must be"),
    (["--eps", "0"], "eps must be"),
    (["--schedule", "linear"], "schedule must be one of"),
    (["--step-size", "2.5"], "step size must be an integer"),
    (["--gamma", "2"], "gamma must be"),
    (["--target-loss", "-1"], "target loss must be"),
    (["--patience", "5", "--test", "0"], "patience needs a test split"),
])
def test_bad_update_flags_end_with_one_line(argv, message):
    proc = _cli("train", "--data", "or", "--epochs", "5", *argv)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlp_core: error: ")
    assert re.search(message, lines[0])


def test_cli_trains_with_an_optimizer_and_reports_the_stop(tmp_path):
    model = tmp_path / "m.json"
    proc = _cli("train", "--data", "or", "--lr", "0.05", "--epochs", "20000", "--optimizer",
                "adam", "--target-loss", "0.01", "--json", "--model-out", str(model))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["optimizer"] == "adam"
    stopped = result["stopped"]
    assert stopped["reason"] == "target" and stopped["epoch"] == result["epochs"] < 20000
    assert result["final_loss"] <= 0.01
    # The same run in the engine stops at the same epoch.
    trainer = Trainer(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y,
                      TrainConfig(lr=0.05, epochs=20000, optimizer="adam", target_loss=0.01))
    trainer.train()
    assert trainer.epoch == stopped["epoch"]
    training = json.loads(model.read_text())["training"]
    assert training["optimizer"] == "adam" and training["target_loss"] == 0.01
    plain = json.loads(_cli("train", "--data", "or", "--epochs", "10", "--json").stdout)
    assert plain["optimizer"] == "sgd" and plain["stopped"] is None


def test_model_files_record_the_update_settings_and_old_ones_read_as_defaults():
    cfg = TrainConfig(optimizer="rmsprop", alpha=0.9, schedule="exp", step_size=10, gamma=0.8,
                      patience=7)
    net = Network.create(2, (3,), init="tutorial")
    _, training = model_io.loads(model_io.dumps(net, {"lr": 0.1,
                                                      **model_io.update_fields(cfg)}))
    assert TrainConfig(**model_io.update_settings(training)) == cfg
    # A file from before optimizers, and one with a value the engine refuses.
    assert TrainConfig(**model_io.update_settings({"lr": 0.1})) == TrainConfig()
    odd = model_io.update_settings({"optimizer": "lion", "momentum": 0.5})
    assert odd["optimizer"] == "sgd" and odd["momentum"] == 0.5


def test_bench_optimizers_times_every_optimizer_against_plain_gd():
    from mlp_core.bench import OPTIMIZER_BENCH_NETS, bench_optimizers, optimizers_report

    result = bench_optimizers(rounds=1)
    assert set(result) == set(OPTIMIZER_BENCH_NETS)
    for r in result.values():
        assert set(r["seconds_per_epoch"]) == set(OPTIMIZERS)
        assert r["vs_sgd"]["sgd"] == 1.0 and r["path"] in ("kernel", "dense")
        assert all(s > 0 for s in r["seconds_per_epoch"].values())
    report = optimizers_report(result)
    assert report.count("| adam |") == len(OPTIMIZER_BENCH_NETS) and "Goal:" in report


def test_new_betas_mid_run_correct_with_the_new_betas_powers():
    # PyTorch's bias correction is 1 - beta^t with the betas of the moment.
    data = _moons()
    first = TrainConfig(lr=0.05, epochs=20, loss="bce", optimizer="adam")
    second = replace(first, beta1=0.7, beta2=0.95)
    trainer = Trainer(_net((4,), True), data.X_train, data.y_train, first)
    trainer.train(10)
    trainer.set_config(second)
    trainer.train(10)
    expected = _net((4,), True)
    arrays = list(expected.weights) + list(expected.biases)
    state = {key: [np.zeros_like(a) for a in arrays] for key in ("buf", "sq", "m", "v")}
    for t in range(1, 21):
        trace = backprop(expected, data.X_train, data.y_train, "bce")
        grads = list(trace.weight_gradients) + list(trace.bias_gradients)
        _published_step("adam", arrays, grads, state, t, 0.05, first if t <= 10 else second)
    _close(trainer.net.params, expected.params)


@pytest.mark.parametrize("name", OPTIMIZERS[1:])
def test_a_refused_update_leaves_weights_and_state_as_they_were(name):
    # RMSprop and Adam steps are about lr per weight whatever the gradient: lr 1e4 blows
    # every weight past the limit at once; momentum's need a steep loss and a high rate.
    cfg = TrainConfig(lr=1e4 if name in ("rmsprop", "adam") else 1e5, epochs=50,
                      optimizer=name)
    trainer = Trainer(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y, cfg)
    trainer.train()
    assert trainer.diverged is not None and trainer.diverged.kind == "weights"
    done = trainer.diverged.epoch
    assert trainer.opt_state[T] == done
    # The same run stopped just before the failing epoch holds the same weights and state.
    again = Trainer(Network.create(2, (3,), init="tutorial"), OR_X, OR_Y, cfg)
    again.train(done)
    assert np.array_equal(trainer.net.params, again.net.params)
    assert np.array_equal(trainer.opt_state, again.opt_state)


def test_an_early_stop_is_recorded_at_its_epoch():
    data = make_dataset("moons", samples=60, noise=0.35, test_fraction=0.5, seed=5)
    cfg = TrainConfig(lr=0.05, epochs=3000, loss="bce", optimizer="adam", patience=30)
    trainer = Trainer(Network.create(2, (32, 32), init="xavier", seed=1), data.X_train,
                      data.y_train, cfg, data.X_test, data.y_test)
    trainer.train()
    stop = trainer.stopped
    assert trainer.records["epoch"][-1] == trainer.epoch == stop.epoch
    assert trainer.snapshot_epochs[-1] == stop.epoch
    assert np.array_equal(trainer.network_at(len(trainer.snapshot_epochs) - 1).params,
                          trainer.net.params)
    assert len(trainer.losses) == stop.epoch
    # A stopped run is done: training again does nothing until it is extended.
    assert trainer.train() == 0
    trainer.extend(5)
    assert trainer.stopped is None and trainer.train() >= 1
