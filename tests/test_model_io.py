"""Model files: exact round trips, the documented format, and every way loading refuses."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlp_core import Network, TrainConfig, Trainer, make_dataset
from mlp_core.model_io import (
    FORMAT,
    MAX_MODEL_BYTES,
    VERSION,
    ModelFileError,
    dumps,
    from_dict,
    loads,
    to_dict,
)

FORMAT_KEYS = {"format", "version", "layer_sizes", "hidden_activation", "output_activation",
               "bias", "weights", "biases", "task", "classes", "feature_names", "standardize",
               "training"}
TRAINING = {"data": "xor", "lr": 0.3, "epochs": 1234, "loss": "bce", "batch_size": None,
            "reg": "l2", "reg_rate": 0.001, "seed": 7}


def _trained(hidden=(4, 3), activation="tanh", bias=True, seed=0) -> Network:
    data = make_dataset("xor")
    net = Network.create(2, hidden, activation=activation, bias=bias, seed=seed)
    Trainer(net, data.X_train, data.y_train, TrainConfig(lr=0.3, epochs=300, loss="bce")).train()
    return net


def _bits(params: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(params).view(np.uint64)


@pytest.mark.parametrize("net", [
    pytest.param(Network.create(2, (3,), init="tutorial"), id="tutorial"),
    pytest.param(_trained(), id="tanh-bias-4-3"),
    pytest.param(_trained((), "relu", False, 3), id="no-hidden"),
    pytest.param(_trained((64, 64, 64, 64), "relu", True, 1), id="largest"),
])
def test_round_trip_is_bit_exact(net):
    text = dumps(net, TRAINING)
    loaded, training = loads(text)
    assert loaded.layer_sizes == net.layer_sizes
    assert loaded.hidden_activation == net.hidden_activation
    assert loaded.bias is net.bias
    np.testing.assert_array_equal(_bits(loaded.params), _bits(net.params))
    assert training == TRAINING
    # bytes load the same as text, with or without a UTF-8 byte order mark
    for raw in (text.encode(), b"\xef\xbb\xbf" + text.encode()):
        again, _ = loads(raw)
        np.testing.assert_array_equal(_bits(again.params), _bits(net.params))


def test_round_trip_of_awkward_floats():
    net = Network.create(2, (3,), bias=True)
    net.params[:] = [0.1, -0.0, 5e-324, 1e-300, -9999.999999999998, 1 / 3, 2 / 3, np.pi,
                     -np.e, 1e4, -1e4, 123456.789e-2, 0.30000000000000004][: net.n_params]
    loaded, _ = loads(dumps(net))
    np.testing.assert_array_equal(_bits(loaded.params), _bits(net.params))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(min_value=-1e4, max_value=1e4), min_size=13, max_size=13),
       st.booleans())
def test_round_trip_of_any_weights(values, bias):
    net = Network((2, 3, 1), "relu", bias)
    net.params[:] = values
    if not bias:
        for b in net.biases:
            b[...] = 0.0
    loaded, _ = loads(dumps(net))
    np.testing.assert_array_equal(_bits(loaded.params), _bits(net.params))


def test_format_keys_and_values():
    net = Network.create(2, (3,), init="tutorial")
    data = json.loads(dumps(net, {"lr": 0.05}))
    assert set(data) == FORMAT_KEYS
    assert data["format"] == FORMAT == "mlp-playground-model"
    assert data["version"] == VERSION == 2
    assert data["layer_sizes"] == [2, 3, 1]
    assert data["hidden_activation"] == "sigmoid"
    assert data["output_activation"] == "sigmoid"
    assert data["bias"] is False
    assert data["weights"] == [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8], [0.9]]]
    assert data["biases"] is None
    assert data["task"] == "classify" and data["classes"] == ["class 0", "class 1"]
    assert data["feature_names"] == ["x1", "x2"] and data["standardize"] is None
    assert data["training"] == {"lr": 0.05}
    assert to_dict(net)["training"] == {}


def test_format_with_bias():
    data = json.loads(dumps(_trained((5,), "relu", True)))
    assert data["bias"] is True
    assert [np.shape(W) for W in data["weights"]] == [(2, 5), (5, 1)]
    assert [np.shape(b) for b in data["biases"]] == [(5,), (1,)]


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


# --- refusals ---------------------------------------------------------------------------

SENTINEL = 0.123456789


def _valid(bias: bool = False) -> dict:
    net = Network.create(2, (3,), init="tutorial", bias=bias)
    net.weights[0][0, 0] = SENTINEL
    return json.loads(dumps(net, {"lr": 0.05}))


def _changed(**changes) -> str:
    data = _valid()
    data.update(changes)
    return json.dumps(data)


def _with_token(token: str) -> str:
    """A valid file whose first weight is replaced by the raw JSON text ``token``."""
    text = json.dumps(_valid())
    assert text.count(repr(SENTINEL)) == 1
    return text.replace(repr(SENTINEL), token)


def _first_weight(value) -> str:
    data = _valid()
    data["weights"][0][0][0] = value
    return json.dumps(data)


BAD_FILES = {
    "wrong format": (_changed(format="keras"), r"^format must be 'mlp-playground-model', got "
                                               r"'keras'$"),
    "missing format": (json.dumps({"version": 1}), r"^format must be"),
    "wrong version": (_changed(version=4), r"^version must be 1, 2 or 3, got 4$"),
    "version as text": (_changed(version="1"), r"^version must be 1, 2 or 3, got '1'$"),
    "version true": (_changed(version=True), r"^version must be 1, 2 or 3, got True$"),
    "wrong weight shape": (_changed(weights=[[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
                                             [[0.7], [0.8], [0.9]]]),
                           r"^weights\[0\] must have shape \(2, 3\) .* got \(3, 2\)$"),
    "ragged rows": (_changed(weights=[[[0.1, 0.2, 0.3], [0.4, 0.5]], [[0.7], [0.8], [0.9]]]),
                    r"^weights\[0\] must have shape \(2, 3\)"),
    "too few matrices": (_changed(weights=[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]]),
                         r"^weights must be a list of 2 matrices$"),
    "weights not a list": (_changed(weights="none"), r"^weights must be a list of 2 matrices$"),
    "NaN": (_with_token("NaN"), r"^the model file contains NaN, which is not a number$"),
    "Infinity": (_with_token("Infinity"), r"^the model file contains Infinity"),
    "-Infinity": (_with_token("-Infinity"), r"^the model file contains -Infinity"),
    "1e400": (_with_token("1e400"), r"^weights\[0\] holds a non-finite number \(inf\)$"),
    "huge integer": (_with_token("1" + "0" * 400),
                     r"^weights\[0\] holds an integer outside the allowed ±10000$"),
    "5000-digit integer": (_with_token("1" * 5000),
                           r"^the model file holds a number with too many digits$"),
    "weight too large": (_first_weight(1.5e4), r"^weights\[0\] holds 15000, outside the allowed "
                                               r"±10000$"),
    "weight too negative": (_first_weight(-1e5), r"^weights\[0\] holds -100000, outside"),
    "string weight": (_first_weight("0.5"), r"^weights\[0\] holds a non-number: '0.5'$"),
    "null weight": (_first_weight(None), r"^weights\[0\] holds a non-number: None$"),
    "bool weight": (_first_weight(True), r"^weights\[0\] holds a non-number: True$"),
    "too many layers": (_changed(layer_sizes=[2, 3, 3, 3, 3, 3, 1]),
                        r"^layer_sizes must be a list of 2 to 6 integers, got \[2, 3, 3, 3"),
    "one layer": (_changed(layer_sizes=[2]), r"^layer_sizes must be a list of 2 to 6 integers"),
    "fractional size": (_changed(layer_sizes=[2, 3.0, 1]), r"^layer_sizes must be a list"),
    "bool size": (_changed(layer_sizes=[2, True, 1]), r"^layer_sizes must be a list"),
    "257 hidden nodes": (_changed(layer_sizes=[2, 257, 1]),
                         r"^hidden layer sizes must be in \[1, 256\], got 257$"),
    "0 hidden nodes": (_changed(layer_sizes=[2, 0, 1]), r"^hidden layer sizes must be in"),
    "785 inputs": (_changed(layer_sizes=[785, 3, 1]), r"^the input size must be in \[1, 784\], "
                                                      r"got 785$"),
    "v1 output size 2": (_changed(version=1, layer_sizes=[2, 3, 2]),
                         r"^the output layer must have 1 node, got 2$"),
    "output size 11": (_changed(layer_sizes=[2, 3, 11]),
                       r"^the output layer must have 1 to 10 nodes, got 11$"),
    "unknown activation": (_changed(hidden_activation="softmax"),
                           r"^hidden_activation must be one of sigmoid, tanh, relu, linear, "
                           r"got 'softmax'$"),
    "output activation": (_changed(output_activation="tanh"),
                          r"^output_activation must be one of sigmoid, softmax, linear, "
                          r"got 'tanh'$"),
    "v1 softmax": (_changed(version=1, output_activation="softmax"),
                   r"^output_activation must be 'sigmoid' in a version 1 file$"),
    "one softmax unit": (_changed(output_activation="softmax"),
                         r"^softmax outputs need at least 2 classes, got 1; use one sigmoid "),
    "bias as text": (_changed(bias="true"), r"^bias must be true or false, got 'true'$"),
    "bias true, null biases": (_changed(bias=True), r"^biases must be a list of 2 vectors$"),
    "bias true, short biases": (_changed(bias=True, biases=[[0.0, 0.0, 0.0], [0.0, 0.0]]),
                                r"^biases\[1\] must have shape \(1, 1\)"),
    "bias false, biases given": (_changed(biases=[[0.0, 0.0, 0.0], [0.0]]),
                                 r"^biases must be null when bias is false$"),
    "training not an object": (_changed(training=[1, 2]), r"^training must be an object$"),
    "not JSON": ("layer_sizes = [2, 3, 1]", r"^the model file is not valid JSON \(line 1: "),
    "truncated JSON": (json.dumps(_valid())[:-20], r"^the model file is not valid JSON"),
    "empty": ("", r"^the model file is not valid JSON"),
    "JSON list": ("[1, 2, 3]", r"^a model file must be a JSON object$"),
    "JSON string": ('"model"', r"^a model file must be a JSON object$"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000,
                      r"^the model file is not valid JSON \(nested too deeply\)$"),
    "text over 12 MB": (json.dumps({**_valid(), "pad": "x" * MAX_MODEL_BYTES}),
                        # as text: "larger than"; as bytes: the byte count
                        r"^the model file is (larger than 12,000,000 bytes|12,00\d,\d{3} "
                        r"bytes; the limit is 12,000,000)$"),
}
BAD_BYTES = {
    "not UTF-8": (b"\xff\xfe\x00{\x80\x81", r"^the model file is not UTF-8 text"),
    "latin-1 text": ('{"format": "caf\xe9"}'.encode("latin-1"),
                     r"^the model file is not UTF-8 text"),
    "bytes over 12 MB": (b" " * (MAX_MODEL_BYTES + 1) + b"{}",
                         r"^the model file is 12,000,003 bytes; the limit is 12,000,000$"),
    "binary junk": (bytes(range(256)), r"^the model file is not UTF-8 text"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_loads_rejects(name):
    text, message = BAD_FILES[name]
    with pytest.raises(ModelFileError, match=message):
        loads(text)
    with pytest.raises(ModelFileError, match=message):
        loads(text.encode("utf-8"))


@pytest.mark.parametrize("name", list(BAD_BYTES))
def test_loads_rejects_bytes(name):
    raw, message = BAD_BYTES[name]
    with pytest.raises(ModelFileError, match=message):
        loads(raw)


@pytest.mark.parametrize("data", [None, 3, "x", [], [{}]])
def test_from_dict_rejects_non_objects(data):
    with pytest.raises(ModelFileError, match="must be a JSON object"):
        from_dict(data)


def test_valid_helpers_load():
    """The files the refusal cases start from are themselves valid."""
    net, training = loads(json.dumps(_valid()))
    assert net.weights[0][0, 0] == SENTINEL and training == {"lr": 0.05}
    net, _ = loads(json.dumps(_valid(bias=True)))
    assert net.bias
    assert loads(_with_token("0.5"))[0].weights[0][0, 0] == 0.5
    assert loads(_first_weight(7))[0].weights[0][0, 0] == 7.0


# --- version 2: output kinds and what the data mean --------------------------------------

from mlp_core.model_io import ModelData, read  # noqa: E402  (the version 2 section's own)


def _v1_text(net: Network, training: dict) -> str:
    """A model file as version 1 wrote it (no data fields)."""
    data = json.loads(dumps(net, training))
    for key in ("task", "classes", "feature_names", "standardize"):
        del data[key]
    data["version"] = 1
    return json.dumps(data, indent=1)


def test_version_1_files_still_load():
    net = _trained()
    model = read(_v1_text(net, TRAINING))
    assert model.version == 1
    assert model.net.output_activation == "sigmoid" and model.net.n_outputs == 1
    np.testing.assert_array_equal(_bits(model.net.params), _bits(net.params))
    assert model.training == TRAINING
    assert (model.data.task, model.data.classes, model.data.feature_names) == (
        "classify", ("class 0", "class 1"), ("x1", "x2"))
    assert not model.data.standardized
    assert loads(_v1_text(net, TRAINING))[1] == TRAINING


@pytest.mark.parametrize("output,k,meaning", [
    ("sigmoid", 1, ModelData("classify", ("benign", "malignant"), ("a", "b", "c"))),
    ("sigmoid", 3, ModelData("classify", ("red", "green", "blue"), ("a", "b", "c"))),
    ("softmax", 2, ModelData("classify", ("no", "yes"), ("a", "b", "c"))),
    ("softmax", 10, ModelData("classify", tuple(str(d) for d in range(10)), ("a", "b", "c"),
                              np.array([0.5, -2.0, 1e6]), np.array([1.0, 0.25, 3e5]))),
    ("linear", 1, ModelData("regress", (), ("a", "b", "c"))),
    ("linear", 2, ModelData("regress", (), ("a", "b", "c"), np.zeros(3), np.ones(3))),
], ids=lambda v: v if isinstance(v, str) else None)
@pytest.mark.parametrize("bias", [False, True])
def test_version_2_round_trip_of_every_output_kind(output, k, meaning, bias):
    net = Network.create(3, (4,), n_outputs=k, output=output, activation="tanh", bias=bias,
                         seed=k)
    text = dumps(net, TRAINING, meaning)
    model = read(text)
    assert model.version == 2
    assert model.net.output_activation == output and model.net.layer_sizes == (3, 4, k)
    np.testing.assert_array_equal(_bits(model.net.params), _bits(net.params))
    assert (model.data.task, model.data.classes, model.data.feature_names) == (
        meaning.task, meaning.classes, meaning.feature_names)
    if meaning.mean is None:
        assert model.data.mean is None and json.loads(text)["standardize"] is None
    else:
        np.testing.assert_array_equal(model.data.mean, meaning.mean)
        np.testing.assert_array_equal(model.data.scale, meaning.scale)
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(model.net.outputs(model.data.prepare(X)),
                                  net.outputs(meaning.prepare(X)))
    # what loads returns for callers written before version 2
    again, training = loads(text)
    assert training == TRAINING and again.output_activation == output


def test_a_dataset_gives_its_meaning_and_standardization():
    data = make_dataset("iris", seed=3)
    net = Network.create(4, (5,), n_outputs=3, output="softmax", seed=1)
    model = read(dumps(net, {}, data))
    assert model.data.classes == data.classes == ("setosa", "versicolor", "virginica")
    assert model.data.feature_names == data.feature_names
    np.testing.assert_array_equal(model.data.mean, data.feature_mean)
    np.testing.assert_array_equal(model.data.scale, data.feature_scale)
    # raw features through the stored standardization are the features the net trained on
    raw = make_dataset("iris", seed=3, standardize=False)
    np.testing.assert_allclose(model.data.prepare(raw.X_test), data.X_test, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(model.net.predict(model.data.prepare(raw.X_test)),
                                  net.predict(data.X_test))


def test_the_largest_networks_fit_the_size_limit():
    for hidden in [(256, 256), (256,) * 4]:
        net = Network.create(784, hidden, n_outputs=10, output="softmax", bias=True, init="he")
        text = dumps(net, TRAINING)
        assert len(text.encode()) < MAX_MODEL_BYTES
        np.testing.assert_array_equal(_bits(read(text.encode()).net.params), _bits(net.params))


def _v2(**changes) -> str:
    net = Network.create(2, (3,), n_outputs=3, output="softmax", seed=0)
    data = json.loads(dumps(net, {}, ModelData("classify", ("a", "b", "c"), ("x", "y"),
                                               np.array([1.0, 2.0]), np.array([3.0, 4.0]))))
    data.update(changes)
    return json.dumps(data)


BAD_V2 = {
    "task unknown": (_v2(task="cluster"), r"^task must be classify or regress, got 'cluster'$"),
    "task against the output": (_v2(task="regress"),
                                r"^task must be 'classify' for softmax outputs, got 'regress'$"),
    "too few classes": (_v2(classes=["a", "b"]),
                        r"^classes must be a list of 3 names of 1 to 200 characters, got "
                        r"\['a', 'b'\]$"),
    "class not text": (_v2(classes=["a", "b", 3]), r"^classes must be a list of 3 names"),
    "empty class name": (_v2(classes=["a", "", "c"]), r"^classes must be a list of 3 names"),
    "classes missing": (_v2(classes=None), r"^classes must be a list of 3 names"),
    "feature names short": (_v2(feature_names=["x"]),
                            r"^feature_names must be a list of 2 names of 1 to 200 characters"),
    "feature name too long": (_v2(feature_names=["x", "y" * 201]),
                              r"^feature_names must be a list of 2 names"),
    "standardize a list": (_v2(standardize=[1, 2]),
                           r'^standardize must be null or an object with "mean" and "scale"$'),
    "standardize without scale": (_v2(standardize={"mean": [0, 0]}),
                                  r'^standardize must be null or an object with "mean"'),
    "standardize short mean": (_v2(standardize={"mean": [0], "scale": [1, 1]}),
                               r"^standardize mean must have shape \(1, 2\)"),
    "standardize zero scale": (_v2(standardize={"mean": [0, 0], "scale": [1, 0]}),
                               r"^standardize scale must hold positive numbers only$"),
    "standardize text": (_v2(standardize={"mean": [0, "0"], "scale": [1, 1]}),
                         r"^standardize mean holds a non-number: '0'$"),
    "standardize NaN": (_v2().replace('"mean": [1.0', '"mean": [NaN'),
                        r"^the model file contains NaN, which is not a number$"),
    "regression with classes": (
        json.dumps({**json.loads(dumps(Network.create(2, (3,), output="linear"))),
                    "classes": ["a"]}),
        r"^classes must be a list of 0 names"),
}


@pytest.mark.parametrize("name", list(BAD_V2))
def test_bad_version_2_fields(name):
    text, message = BAD_V2[name]
    with pytest.raises(ModelFileError, match=message):
        read(text)


def test_version_2_helper_is_valid():
    model = read(_v2())
    assert model.data.classes == ("a", "b", "c")
    np.testing.assert_array_equal(model.data.prepare(np.array([[4.0, 6.0]])), [[1.0, 1.0]])
