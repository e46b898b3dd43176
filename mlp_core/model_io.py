"""Model files: a network, what its inputs and outputs mean, and how it was trained, as JSON.

::

    {"format": "mlp-playground-model", "version": 2,
     "layer_sizes": [4, 8, 3], "hidden_activation": "tanh",
     "output_activation": "softmax", "bias": true,
     "weights": [W1, W2], "biases": [b1, b2],
     "task": "classify", "classes": ["setosa", "versicolor", "virginica"],
     "feature_names": ["sepal length (cm)", ...],
     "standardize": {"mean": [...], "scale": [...]},
     "training": {"lr": 0.3, "epochs": 500, "loss": "ce", ...}}

``output_activation`` is ``sigmoid`` (k = 1: two classes; k > 1: k independent
labels), ``softmax`` (k >= 2 classes) or ``linear`` (regression, k targets).
``task`` is ``regress`` for a linear output and ``classify`` otherwise; ``classes``
names the classes (2 for one sigmoid output, k otherwise; empty for regression);
``feature_names`` the n_in inputs. ``standardize`` (or null) holds what the inputs
were standardized with: the network sees ``(raw - mean) / scale``, so raw features
go through ``ModelData.prepare`` first.

Version 3 adds ``"features": ["x1sq", "x2sq"]``: the input features (keys of
``features.FEATURES``, in that table's order) the network computes from points
``(x1, x2)``; ``layer_sizes[0]`` is then their count and ``feature_names`` names the
two coordinates. A file is written as version 3 only when its network has input
features, so files of networks on the data's own columns stay readable by version 2
readers; a file without ``features`` means the data's columns as they are (on the
plane: x1, x2).

Version 1 files (one sigmoid output, nothing but the network) still load, as a
two-class model of raw features ``x1 .. xn``.

``training`` is free-form; the app reads ``data`` (a built-in data set's name),
``samples``, ``noise``, ``test`` (per cent), ``seed``, ``loss`` and ``lr`` from it
to line its sidebar up with the model, and ignores what it cannot use. Writers add
``update_fields(config)``: the optimizer, its constants, the learning-rate schedule
and early stopping under ``TrainConfig``'s names (``training.UPDATE_FIELDS``);
``update_settings`` reads them back, at their defaults in files without them.

Each ``W`` is a list of rows of shape ``(n_in, n_out)``; ``biases`` is a list
of ``(n_out,)`` lists, or null when the network has no bias. Loading checks
everything and raises ``ModelFileError`` (a ValueError) with one clear sentence.

``loads`` returns ``(net, training)`` as it always has; ``read`` returns a
``ModelFile`` that adds the data fields (a ``ModelData``). Callers that show or
continue a model on data of their own need ``read``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS
from .features import FEATURES, canonical
from .network import (
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_NODES,
    MAX_INPUTS,
    MAX_OUTPUTS,
    Network,
    check_outputs,
)
from .training import MAX_ABS_WEIGHT, UPDATE_FIELDS, TrainConfig

FORMAT = "mlp-playground-model"
VERSION = 2
FEATURES_VERSION = 3      # written only by networks with input features
VERSIONS = (1, 2, 3)
# The largest network (784-256-256-256-256-10 with bias, 399,882 numbers) is about
# 10.3 MB; 784-256-256-10 about 7 MB (measured: tests/test_model_io.py).
MAX_MODEL_BYTES = 12_000_000
MAX_NAME_CHARS = 200
MAX_FEATURE = 1e300
TASKS = ("classify", "regress")


@dataclass(frozen=True, eq=False)
class ModelData:
    """What a model's inputs and outputs mean: the data fields of a version 2 file.

    Parameters
    ----------
    task : {"classify", "regress"}
    classes : tuple of str
        Class names: 2 for one sigmoid output, k for k sigmoid or softmax outputs;
        empty for regression.
    feature_names : tuple of str, length n_in
    mean, scale : ndarray of shape (n_in,) or None
        The standardization the network was trained behind (both or neither).
    """

    task: str
    classes: tuple[str, ...]
    feature_names: tuple[str, ...]
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None

    @classmethod
    def default_for(cls, net: Network) -> ModelData:
        """A version 1 file's meaning: generic names, raw features."""
        k = net.n_outputs
        classes = () if net.task == "regress" else tuple(
            f"class {j}" for j in range(2 if k == 1 else k))
        n = net.n_data_inputs
        names = ("x",) if n == 1 else tuple(f"x{j}" for j in range(1, n + 1))
        return cls(net.task, classes, names)

    @classmethod
    def of(cls, data) -> ModelData:
        """The fields of a ``datasets.Dataset`` (any object with its attributes)."""
        return cls(data.task, tuple(data.classes), tuple(data.feature_names),
                   data.feature_mean, data.feature_scale)

    @property
    def standardized(self) -> bool:
        return self.mean is not None

    def prepare(self, X_raw: np.ndarray) -> np.ndarray:
        """Raw features ``(n, n_in)`` as the network takes them (standardized if it was)."""
        X_raw = np.asarray(X_raw, dtype=float)
        return X_raw if self.mean is None else (X_raw - self.mean) / self.scale


class ModelFile(NamedTuple):
    """A loaded model file: the network, its ``training`` fields and its ``ModelData``."""

    net: Network
    training: dict
    data: ModelData
    version: int


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message says why."""


def to_dict(net: Network, training: dict | None = None, data=None) -> dict:
    """The file as a dict (version 3 for a network with input features, else 2). ``data``:
    a ``ModelData``, a ``Dataset`` or None (generic class and feature names, no
    standardization)."""
    if data is None:
        data = ModelData.default_for(net)
    elif not isinstance(data, ModelData):
        data = ModelData.of(data)
    standardize = None
    if data.mean is not None:
        standardize = {"mean": np.asarray(data.mean, dtype=float).tolist(),
                       "scale": np.asarray(data.scale, dtype=float).tolist()}
    features = {} if net.features is None else {"features": list(net.features)}
    return {
        "format": FORMAT,
        "version": VERSION if net.features is None else FEATURES_VERSION,
        "layer_sizes": list(net.layer_sizes),
        **features,
        "hidden_activation": net.hidden_activation,
        "output_activation": net.output_activation,
        "bias": net.bias,
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases] if net.bias else None,
        "task": data.task,
        "classes": list(data.classes),
        "feature_names": list(data.feature_names),
        "standardize": standardize,
        "training": dict(training or {}),
    }


def data_fields(samples: int, noise: float, test_fraction: float) -> dict:
    """The training fields that, with ``data`` and ``seed``, draw a 2-D set's points again.

    ``test`` is in per cent, as the app's sidebar and links have it; a fraction
    that is no whole per cent is left out (the app could not show it).
    """
    fields = {"samples": samples, "noise": noise}
    percent = test_fraction * 100
    if abs(percent - round(percent)) < 1e-9:
        fields["test"] = int(round(percent))
    return fields


def update_fields(config: TrainConfig) -> dict:
    """The ``training`` fields that say how ``config`` turned gradients into updates."""
    return {name: getattr(config, name) for name in UPDATE_FIELDS}


def update_settings(training: dict) -> dict:
    """``update_fields`` read back from a file's ``training``, as TrainConfig keywords.

    A field that is missing (every file written before optimizers) or that
    TrainConfig refuses takes its default: ``training`` is free-form, and plain
    gradient descent is what such a file's network was trained with.
    """
    defaults = TrainConfig()
    settings = {}
    for name in UPDATE_FIELDS:
        value = training.get(name, getattr(defaults, name))
        try:
            settings[name] = getattr(TrainConfig(**{name: value}), name)
        except (TypeError, ValueError):
            settings[name] = getattr(defaults, name)
    return settings


def dumps(net: Network, training: dict | None = None, data=None) -> str:
    """The model file's text. ``repr``-exact floats, so a reload gives the same bits."""
    return json.dumps(to_dict(net, training, data), indent=1)


def loads(text: str | bytes) -> tuple[Network, dict]:
    """Parse and validate a model file; return the network and its training settings."""
    model = read(text)
    return model.net, model.training


def read(text: str | bytes) -> ModelFile:
    """Parse and validate a model file (version 1 or 2) into a ``ModelFile``."""
    if isinstance(text, bytes):
        if len(text) > MAX_MODEL_BYTES:
            raise ModelFileError(
                f"the model file is {len(text):,} bytes; the limit is {MAX_MODEL_BYTES:,}"
            )
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ModelFileError("the model file is not UTF-8 text (is it a JSON file?)") from None
    if len(text) > MAX_MODEL_BYTES:
        raise ModelFileError(f"the model file is larger than {MAX_MODEL_BYTES:,} bytes")
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ModelFileError(f"the model file is not valid JSON (line {err.lineno}: {err.msg})"
                             ) from None
    except ModelFileError:
        raise
    except ValueError:  # Python refuses to read integers of more than 4,300 digits
        raise ModelFileError("the model file holds a number with too many digits") from None
    except RecursionError:
        raise ModelFileError("the model file is not valid JSON (nested too deeply)") from None
    return read_dict(data)


def from_dict(data) -> tuple[Network, dict]:
    model = read_dict(data)
    return model.net, model.training


def read_dict(data) -> ModelFile:
    """``read`` for a parsed JSON value."""
    if not isinstance(data, dict):
        raise ModelFileError("a model file must be a JSON object")
    if "format" not in data:
        raise ModelFileError(f"format must be {FORMAT!r}, but the file has no format field; "
                             f"is it a model file saved by MLP Playground?")
    if data["format"] != FORMAT:
        raise ModelFileError(f"format must be {FORMAT!r}, got {_short(data['format'])}")
    version = data.get("version")
    if isinstance(version, bool) or version not in VERSIONS:
        raise ModelFileError(f"version must be 1, 2 or 3, got {_short(version)}")
    sizes = data.get("layer_sizes")
    if (not isinstance(sizes, list) or not 2 <= len(sizes) <= MAX_HIDDEN_LAYERS + 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in sizes)):
        raise ModelFileError(
            f"layer_sizes must be a list of 2 to {MAX_HIDDEN_LAYERS + 2} integers, "
            f"got {_short(sizes)}"
        )
    if not 1 <= sizes[0] <= MAX_INPUTS:
        raise ModelFileError(f"the input size must be in [1, {MAX_INPUTS}], got {_short(sizes[0])}")
    bad = [n for n in sizes[1:-1] if not 1 <= n <= MAX_HIDDEN_NODES]
    if bad:
        raise ModelFileError(
            f"hidden layer sizes must be in [1, {MAX_HIDDEN_NODES}], got {_short(bad[0])}")
    if version == 1 and sizes[-1] != 1:
        raise ModelFileError(f"the output layer must have 1 node, got {_short(sizes[-1])}")
    if not 1 <= sizes[-1] <= MAX_OUTPUTS:
        raise ModelFileError(
            f"the output layer must have 1 to {MAX_OUTPUTS} nodes, got {_short(sizes[-1])}")
    activation = data.get("hidden_activation")
    if activation not in ACTIVATIONS:
        raise ModelFileError(
            f"hidden_activation must be one of {', '.join(ACTIVATIONS)}, got {_short(activation)}"
        )
    output = data.get("output_activation", "sigmoid")
    if version == 1 and output != "sigmoid":
        raise ModelFileError("output_activation must be 'sigmoid' in a version 1 file")
    if output not in OUTPUT_ACTIVATIONS:
        raise ModelFileError(f"output_activation must be one of "
                             f"{', '.join(OUTPUT_ACTIVATIONS)}, got {_short(output)}")
    try:
        check_outputs(output, sizes[-1])
    except ValueError as err:
        raise ModelFileError(str(err)) from None
    bias = data.get("bias")
    if not isinstance(bias, bool):
        raise ModelFileError(f"bias must be true or false, got {_short(bias)}")
    net = Network(tuple(sizes), activation, bias, output_activation=output,
                  features=_features(data, version, sizes[0]))
    weights = data.get("weights")
    if not isinstance(weights, list) or len(weights) != len(net.weights):
        raise ModelFileError(f"weights must be a list of {len(net.weights)} matrices")
    for l, (W, given) in enumerate(zip(net.weights, weights)):
        W[...] = _matrix(given, W.shape, f"weights[{l}]")
    biases = data.get("biases")
    if bias:
        if not isinstance(biases, list) or len(biases) != len(net.biases):
            raise ModelFileError(f"biases must be a list of {len(net.biases)} vectors")
        for l, (b, given) in enumerate(zip(net.biases, biases)):
            b[...] = _matrix([given], (1, b.shape[0]), f"biases[{l}]")[0]
    elif biases not in (None, []):
        raise ModelFileError("biases must be null when bias is false")
    training = data.get("training", {})
    if not isinstance(training, dict):
        raise ModelFileError("training must be an object")
    meaning = ModelData.default_for(net) if version == 1 else _model_data(data, net)
    return ModelFile(net, training, meaning, version)


def _features(data: dict, version: int, n_in: int) -> tuple[str, ...] | None:
    """A version 3 file's input features (None: the data's columns as they are)."""
    given = data.get("features")
    if given is None:
        if version == FEATURES_VERSION:
            raise ModelFileError("a version 3 file must list its input features")
        return None
    if version != FEATURES_VERSION:
        raise ModelFileError("features need a version 3 file")
    if not isinstance(given, list) or not all(isinstance(n, str) for n in given):
        raise ModelFileError(f"features must be a list of names, got {_short(given)}")
    try:
        names = canonical(given)
    except ValueError as err:
        raise ModelFileError(str(err)) from None
    if names != tuple(given):
        raise ModelFileError(f"features must be listed once each in the order "
                             f"{', '.join(FEATURES)}, got {_short(given)}")
    if len(names) != n_in:
        raise ModelFileError(f"the input size must be {len(names)} for {len(names)} input "
                             f"features, got {n_in}")
    return names


def _model_data(data: dict, net: Network) -> ModelData:
    """A version 2 file's ``task``, ``classes``, ``feature_names`` and ``standardize``."""
    task = data.get("task")
    if task not in TASKS:
        raise ModelFileError(f"task must be classify or regress, got {_short(task)}")
    if task != net.task:
        raise ModelFileError(f"task must be {net.task!r} for {net.output_activation} outputs, "
                             f"got {task!r}")
    k = net.n_outputs
    n_classes = 0 if task == "regress" else 2 if k == 1 else k
    classes = _names(data.get("classes"), n_classes, "classes")
    n_in = net.n_data_inputs
    names = _names(data.get("feature_names"), n_in, "feature_names")
    standardize = data.get("standardize")
    if standardize is None:
        return ModelData(task, classes, names)
    if not isinstance(standardize, dict) or set(standardize) != {"mean", "scale"}:
        raise ModelFileError('standardize must be null or an object with "mean" and "scale"')
    # Features are any finite numbers (a CSV's may be large): only the float range limits them.
    mean = _matrix([standardize["mean"]], (1, n_in), "standardize mean", MAX_FEATURE)[0]
    scale = _matrix([standardize["scale"]], (1, n_in), "standardize scale", MAX_FEATURE)[0]
    if np.any(scale <= 0):
        raise ModelFileError("standardize scale must hold positive numbers only")
    return ModelData(task, classes, names, mean, scale)


def _names(given, count: int, field: str) -> tuple[str, ...]:
    if (not isinstance(given, list) or len(given) != count
            or not all(isinstance(n, str) and 0 < len(n) <= MAX_NAME_CHARS for n in given)):
        raise ModelFileError(f"{field} must be a list of {count} names of 1 to "
                             f"{MAX_NAME_CHARS} characters, got {_short(given)}")
    return tuple(given)


def _matrix(given, shape, name, limit: float = MAX_ABS_WEIGHT) -> np.ndarray:
    rows, cols = shape
    if (not isinstance(given, list) or len(given) != rows
            or not all(isinstance(r, list) and len(r) == cols for r in given)):
        raise ModelFileError(f"{name} must have shape ({rows}, {cols}) as a list of {rows} rows "
                             f"of {cols} numbers, got {_shape_of(given)}")
    for row in given:
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ModelFileError(f"{name} holds a non-number: {_short(v)}")
            if isinstance(v, int) and abs(v) > limit:  # may be too big for a float
                raise ModelFileError(f"{name} holds an integer outside the allowed "
                                     f"±{limit:g}")
            if not math.isfinite(v):
                raise ModelFileError(f"{name} holds a non-finite number ({v})")
            if abs(v) > limit:
                raise ModelFileError(
                    f"{name} holds {v:g}, outside the allowed ±{limit:g}"
                )
    return np.array(given, dtype=float)


def _shape_of(value) -> str:
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            return f"({len(value)}, {len(value[0])})"
        return f"a list of {len(value)}"
    return type(value).__name__


def _reject_constant(name):
    raise ModelFileError(f"the model file contains {name}, which is not a number")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
