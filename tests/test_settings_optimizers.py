"""The optimizer, schedule and early-stopping settings: URL, TrainConfig, what applies."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from mlp_core.gradnorms import gradient_norms
from mlp_core.network import Network
from mlp_core.problems import problem_for
from mlp_core.settings import PRESETS, SPECS, Settings, data_for
from mlp_core.training import UPDATE_FIELDS, TrainConfig, Trainer

# A value other than the default for each, valid for TrainConfig (PyTorch's ranges).
CHANGED = {"optimizer": "adam", "momentum": 0.5, "beta1": 0.8, "beta2": 0.99, "alpha": 0.9,
           "eps": 1e-6, "schedule": "cosine", "step_size": 250, "gamma": 0.1,
           "patience": 30, "target_loss": 0.01}


def test_the_update_settings_are_trainconfigs_fields_with_its_defaults():
    config_fields = {f.name: f.default for f in fields(TrainConfig)}
    assert set(CHANGED) == set(UPDATE_FIELDS)
    for name in UPDATE_FIELDS:
        assert name in SPECS
        assert getattr(Settings(), name) == config_fields[name], name


@pytest.mark.parametrize("name", UPDATE_FIELDS)
def test_each_update_setting_reaches_the_train_config(name):
    settings = replace(Settings(), **{name: CHANGED[name]})
    config = settings.train_config()
    assert getattr(config, name) == CHANGED[name]
    # ... and nothing else moved
    others = {f.name for f in fields(TrainConfig)} - {name}
    for other in others:
        assert getattr(config, other) == getattr(Settings().train_config(), other), other


def test_the_defaults_train_as_before():
    assert Settings().train_config() == TrainConfig(lr=0.05, epochs=200_000, loss="sse",
                                                    seed=0)


@pytest.mark.parametrize("name", UPDATE_FIELDS)
def test_only_a_changed_value_goes_into_the_link_and_comes_back(name):
    settings = replace(Settings(), **{name: CHANGED[name]})
    query = settings.to_query()
    assert list(query) == [name]
    assert Settings.from_query(query) == (settings, [])


def test_a_link_with_adam_and_its_betas():
    settings, notices = Settings.from_query({"optimizer": "adam", "lr": "0.01",
                                             "beta1": "0.85", "beta2": "0.9999"})
    assert notices == []
    assert (settings.optimizer, settings.lr, settings.beta1, settings.beta2) == (
        "adam", 0.01, 0.85, 0.9999)


@pytest.mark.parametrize("query, what", [
    ({"optimizer": "lbfgs"}, "optimizer must be one of sgd, momentum, nesterov, rmsprop, adam"),
    ({"momentum": "1"}, "momentum must be a number in [0, 1)"),
    ({"beta2": "-0.1"}, "beta2 must be a number in [0, 1)"),
    ({"eps": "0"}, "epsilon must be a number in (0, 1]"),
    ({"schedule": "linear"}, "schedule must be one of constant, step, exp, cosine"),
    ({"gamma": "1.5"}, "decay factor must be a number in (0, 1]"),
    ({"patience": "2.5"}, "patience='2.5' is not valid (expected a whole number"),
    ({"target_loss": "-1"}, "target loss must be a number in [0, 1e+06]"),
])
def test_a_bad_update_parameter_gets_one_notice_and_the_default(query, what):
    settings, notices = Settings.from_query(query)
    assert settings == Settings()
    assert len(notices) == 1 and what in notices[0], notices


@pytest.mark.parametrize("optimizer, own", [
    ("sgd", set()), ("momentum", {"momentum"}), ("nesterov", {"momentum"}),
    ("rmsprop", {"alpha", "eps"}), ("adam", {"beta1", "beta2", "eps"}),
])
def test_each_optimizer_has_only_its_own_parameters(optimizer, own):
    settings = Settings(optimizer=optimizer)
    parameters = {"momentum", "beta1", "beta2", "alpha", "eps"}
    assert {name for name in parameters if settings.applies(name)} == own


@pytest.mark.parametrize("schedule, own", [
    ("constant", set()), ("step", {"step_size", "gamma"}), ("exp", {"step_size", "gamma"}),
    ("cosine", set()),
])
def test_each_schedule_has_only_its_own_parameters(schedule, own):
    settings = Settings(schedule=schedule)
    assert {name for name in ("step_size", "gamma") if settings.applies(name)} == own
    # everything else applies whatever the schedule
    assert settings.applies("patience") and settings.applies("lr")


def test_changing_how_updates_are_made_keeps_the_network():
    base = Settings()
    for name, value in CHANGED.items():
        assert replace(base, **{name: value}).architecture_key() == base.architecture_key()
    assert replace(base, activation="tanh").architecture_key() != base.architecture_key()


# --- the presets' claims, measured -----------------------------------------------------


def _trained(settings: Settings, **changes) -> Trainer:
    settings = replace(settings, **changes)
    data = data_for(settings)
    problem = problem_for(data, settings.loss)
    net = Network.create(data.n_features, settings.hidden_layers, n_outputs=problem.n_outputs,
                         output=problem.output, activation=settings.activation,
                         bias=settings.bias, init=settings.init, seed=settings.seed)
    trainer = Trainer(net, data.X_train, data.y_train, settings.train_config(),
                      data.X_test, data.y_test)
    trainer.train()
    return trainer


def test_momentum_reaches_the_tutorials_target_ten_times_sooner():
    preset = PRESETS["momentum-or"].settings
    assert replace(preset, optimizer="sgd", target_loss=0.0) == Settings()   # the tutorial's
    momentum = _trained(preset)
    plain = _trained(preset, optimizer="sgd")
    assert momentum.stopped.reason == plain.stopped.reason == "target"
    assert momentum.last_loss <= 0.01 < momentum.loss_after(momentum.epoch - 1)
    assert 1_100 <= momentum.epoch <= 1_300 and 11_000 <= plain.epoch <= 12_000, (
        momentum.epoch, plain.epoch)


def test_adam_gets_the_spiral_right_where_plain_descent_is_still_learning():
    preset = PRESETS["adam-spiral"].settings
    assert _trained(preset).current_metrics()["test_accuracy"] == 1.0
    plain = _trained(preset, optimizer="sgd", lr=0.3).current_metrics()["test_accuracy"]
    assert 0.6 <= plain <= 0.8, plain


def test_the_deep_sigmoid_net_vanishes_and_adam_trains_it():
    preset = PRESETS["deep-sigmoid"].settings
    plain = _trained(preset)
    first, *_, last = gradient_norms(plain.network_at(0), plain.X, plain.y, "bce")
    assert first < last / 1_000
    assert plain.current_metrics()["test_accuracy"] <= 0.6
    adam = _trained(preset, optimizer="adam", lr=0.01)
    assert adam.current_metrics()["test_accuracy"] >= 0.95
