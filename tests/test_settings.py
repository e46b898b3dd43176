"""``Settings``: defaults, URL round trips, forgiving URL parsing, presets."""

from __future__ import annotations

from dataclasses import asdict, fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp_core import PRESETS, Network, Settings, Trainer
from mlp_core.problems import TRAINING_DEFAULTS, problem_for
from mlp_core.settings import UPLOAD, data_for

TUTORIAL_NOTICE = "The tutorial's fixed weights exist only for its 2-3-1 network"
# How a notice names the default it falls back to.
DEFAULT_TEXT = {"dataset": "or", "hidden": "3", "layers": "1", "lr": "0.05", "epochs": "200000",
                "activation": "sigmoid", "loss": "sse", "bias": "false", "init": "tutorial",
                "seed": "0", "samples": "200", "noise": "0.1", "test": "20"}


def test_defaults_are_the_tutorial_or():
    s = Settings()
    assert (s.dataset, s.hidden, s.layers, s.lr, s.epochs) == ("or", 3, 1, 0.05, 200_000)
    assert (s.activation, s.loss, s.bias, s.init, s.seed) == ("sigmoid", "sse", False,
                                                              "tutorial", 0)
    assert s.is_gate and s.hidden_layers == (3,)
    config = s.train_config()
    assert (config.lr, config.epochs, config.loss, config.seed) == (0.05, 200_000, "sse", 0)


def test_defaults_write_an_empty_query():
    assert Settings().to_query() == {}
    assert Settings.from_query({}) == (Settings(), [])


ROUND_TRIPS = [
    Settings(dataset="xor", hidden=4, init="uniform"),
    Settings(dataset="spiral", hidden=16, layers=2, activation="tanh", bias=True, init="xavier",
             loss="bce", lr=0.3, epochs=20_000, samples=300, noise=0.05),
    Settings(dataset="circle", hidden=8, activation="relu", bias=True, init="he", loss="mse",
             lr=1e6, epochs=1, seed=2**32 - 1, samples=10, noise=1.0, test=0),
    Settings(dataset="moons", init="xavier", lr=0.0123456789, noise=0.15000000000000002,
             test=90, seed=12345),
    Settings(dataset="xnor", hidden=64, layers=4, activation="linear", init="he", lr=1e-06),
    Settings(dataset=UPLOAD, init="xavier", lr=2 / 3),
]


@pytest.mark.parametrize("settings", ROUND_TRIPS, ids=lambda s: s.dataset)
def test_query_round_trip(settings):
    query = settings.to_query()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    assert set(query) == {f.name for f in fields(Settings)
                          if getattr(settings, f.name) != getattr(Settings(), f.name)}
    again, notices = Settings.from_query(query)
    assert notices == []
    assert again == settings
    assert asdict(again) == asdict(settings)


@settings(max_examples=300, deadline=None)
@given(lr=st.floats(min_value=1e-12, max_value=1e6, exclude_min=False),
       noise=st.floats(min_value=0.0, max_value=1.0))
def test_query_round_trip_of_any_float(lr, noise):
    s = Settings(dataset="moons", init="xavier", lr=lr, noise=noise)
    assert Settings.from_query(s.to_query()) == (s, [])


FIELD_NAMES = [f.name for f in fields(Settings)]
QUERY_VALUES = st.one_of(st.text(max_size=30), st.lists(st.text(max_size=10), max_size=3),
                         st.integers(), st.floats(), st.none(), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*FIELD_NAMES, "preset", "foo"]), QUERY_VALUES))
def test_from_query_never_raises(query):
    settings_, notices = Settings.from_query(query)
    assert isinstance(settings_, Settings)
    # at most one notice per parameter, plus one if the tutorial weights had to go
    assert len(notices) <= len(query) + 1
    assert all(isinstance(n, str) and len(n) < 400 for n in notices)


def test_query_values_are_short():
    query = Settings(dataset="xor", hidden=4, init="xavier", lr=0.3, bias=True, noise=0.2)
    assert query.to_query() == {"dataset": "xor", "hidden": "4", "init": "xavier", "lr": "0.3",
                                "bias": "true", "noise": "0.2"}


def test_query_lists_take_the_last_value():
    # ?lr=0.1&lr=0.2: the last one wins, as in Streamlit's st.query_params.
    settings, notices = Settings.from_query({"lr": ["0.1", "0.2"], "bias": ["false", "on"]})
    assert (settings.lr, settings.bias) == (0.2, True)
    assert notices == []


BAD_QUERIES = {
    "lr=abc": ({"lr": "abc"}, "lr"),
    "lr=-1": ({"lr": "-1"}, "lr"),
    "lr=0": ({"lr": "0"}, "lr"),
    "lr=nan": ({"lr": "nan"}, "lr"),
    "lr=inf": ({"lr": "inf"}, "lr"),
    "lr=2e6": ({"lr": "2e6"}, "lr"),
    "epochs=1e12": ({"epochs": "1e12"}, "epochs"),
    "epochs=1e400": ({"epochs": "1e400"}, "epochs"),
    "epochs=1.5": ({"epochs": "1.5"}, "epochs"),
    "epochs=0": ({"epochs": "0"}, "epochs"),
    "hidden=0": ({"hidden": "0"}, "hidden"),
    "hidden=257": ({"hidden": "257"}, "hidden"),
    "hidden=x": ({"hidden": "x"}, "hidden"),
    "layers=5": ({"layers": "5"}, "layers"),
    "bias=maybe": ({"bias": "maybe"}, "bias"),
    "dataset=../../etc/passwd": ({"dataset": "../../etc/passwd"}, "dataset"),
    "activation=softmax": ({"activation": "softmax"}, "activation"),
    "loss=hinge": ({"loss": "hinge"}, "loss"),
    "init=ones": ({"init": "ones"}, "init"),
    "seed=-1": ({"seed": "-1"}, "seed"),
    "samples=5": ({"samples": "5"}, "samples"),
    "noise=2": ({"noise": "2"}, "noise"),
    "test=95": ({"test": "95"}, "test"),
    "list with a bad last value": ({"lr": ["0.1", "oops"]}, "lr"),
    "empty list": ({"lr": []}, "lr"),
    "none value": ({"seed": None}, "seed"),
    "nested list": ({"hidden": [["4"]]}, "hidden"),
    "dict value": ({"dataset": {"x": "xor"}}, "dataset"),
    "long value": ({"activation": "x" * 10_000}, "activation"),
}


@pytest.mark.parametrize("name", list(BAD_QUERIES))
def test_bad_values_fall_back_with_one_notice(name):
    query, param = BAD_QUERIES[name]
    settings, notices = Settings.from_query(query)
    assert settings == Settings()
    assert len(notices) == 1
    assert notices[0].startswith(f"Link parameter {param}=")
    assert notices[0].endswith(f"using {DEFAULT_TEXT[param]}.")
    assert len(notices[0]) < 300


def test_unknown_parameter_is_ignored_with_a_notice():
    settings, notices = Settings.from_query({"foo": "1"})
    assert settings == Settings()
    assert notices == ["Ignored unknown link parameter 'foo'."]


def test_each_bad_parameter_gets_its_own_notice():
    settings, notices = Settings.from_query(
        {"lr": "abc", "hidden": "0", "bias": "maybe", "foo": "1", "epochs": "5000"})
    assert settings == replace(Settings(), epochs=5000)
    assert len(notices) == 4


def test_fallback_names_the_value_used():
    _, notices = Settings.from_query({"lr": "abc"})
    assert notices[0].endswith("using 0.05.")
    _, notices = Settings.from_query({"preset": "spiral-deep", "lr": "abc"})
    assert notices[0].endswith("using 0.3.")


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_by_name(name):
    settings, notices = Settings.from_query({"preset": name})
    assert settings == PRESETS[name].settings
    assert notices == []


def test_preset_with_overrides():
    settings, notices = Settings.from_query({"preset": "tutorial-xor", "lr": "0.5"})
    assert settings == replace(PRESETS["tutorial-xor"].settings, lr=0.5)
    assert notices == []


@pytest.mark.parametrize("preset", ["nope", "", ["nope"], [], {"a": 1}, None])
def test_unknown_preset(preset):
    settings, notices = Settings.from_query({"preset": preset})
    assert settings == Settings()
    assert len(notices) == 1 and notices[0].startswith("Unknown preset")


@pytest.mark.parametrize("query", [
    {"hidden": "4"},
    {"layers": "2"},
    {"dataset": "moons"},
    {"dataset": UPLOAD},
    {"preset": "tutorial-xor", "init": "tutorial"},
])
def test_tutorial_init_needs_the_tutorial_shape(query):
    settings, notices = Settings.from_query(query)
    assert settings.init == "xavier"
    assert len(notices) == 1 and notices[0].startswith(TUTORIAL_NOTICE)
    for key, value in query.items():
        if key not in ("preset", "init"):
            assert settings.to_query()[key] == value


@pytest.mark.parametrize("dataset", ["and", "or", "nand", "nor", "xor", "xnor"])
def test_tutorial_init_kept_on_every_gate(dataset):
    settings, notices = Settings.from_query({"dataset": dataset})
    assert settings.init == "tutorial" and notices == []


def test_constructor_still_validates():
    with pytest.raises(ValueError, match="^learning rate must be"):
        Settings(lr=-1)
    with pytest.raises(ValueError, match="^bias must be true or false"):
        Settings(bias="yes")
    with pytest.raises(ValueError, match="^dataset must be one of"):
        Settings(dataset="../x")


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_and_trains(name):
    s = PRESETS[name].settings
    assert PRESETS[name].label and PRESETS[name].description
    assert Settings.from_query(s.to_query()) == (s, [])
    data = data_for(s)
    # the output layer the data need, as the Playground builds it (mlp_ui.run)
    problem = problem_for(data, s.loss)
    assert problem.notice is None, "a preset's loss fits its data"
    net = Network.create(data.n_features, s.hidden_layers, n_outputs=problem.n_outputs,
                         output=problem.output, activation=s.activation,
                         bias=s.bias, init=s.init, seed=s.seed)
    trainer = Trainer(net, data.X_train, data.y_train, s.train_config(),
                      data.X_test, data.y_test)
    trainer.train(n_epochs=50)
    assert trainer.epoch == 50 or trainer.diverged is not None
    if name == "too-high-lr":
        assert trainer.diverged is not None


# The real and multi-class presets take their data set's training defaults (declared once,
# in mlp_core.problems) and train as well as the CLI does with them.
TRAINED_WELL = {"digits": 0.93, "iris": 0.9, "wine": 0.9, "breast-cancer": 0.9,
                "sine-16-tanh": 0.9, "spiral-3-arms": 0.9, "blobs-5": 0.9}


@pytest.mark.parametrize("name", list(TRAINED_WELL))
def test_real_presets_train_well_with_their_data_sets_defaults(name):
    s = PRESETS[name].settings
    own = TRAINING_DEFAULTS.get(s.dataset)
    if own is not None:
        assert (s.hidden_layers, s.activation, s.lr, s.epochs, s.loss) == (
            own.hidden, own.activation, own.lr, own.epochs, own.loss)
    data = data_for(s)
    problem = problem_for(data, s.loss)
    net = Network.create(data.n_features, s.hidden_layers, n_outputs=problem.n_outputs,
                         output=problem.output, activation=s.activation, bias=s.bias,
                         init=s.init, seed=s.seed)
    trainer = Trainer(net, data.X_train, data.y_train, s.train_config(),
                      data.X_test, data.y_test)
    trainer.train()
    measured = trainer.current_metrics()
    score = measured["test_r2" if problem.output == "linear" else "test_accuracy"]
    assert score >= TRAINED_WELL[name], score


def test_the_tutorial_presets_are_unchanged():
    assert PRESETS["tutorial-or"].settings == Settings()
    assert list(PRESETS)[:6] == ["tutorial-or", "tutorial-xor", "xor-one-node", "spiral-deep",
                                 "circle-relu", "too-high-lr"]
