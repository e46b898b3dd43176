"""Model files: a network and how it was trained, as plain JSON.

::

    {"format": "mlp-playground-model", "version": 1,
     "layer_sizes": [2, 3, 1], "hidden_activation": "sigmoid",
     "output_activation": "sigmoid", "bias": false,
     "weights": [W1, W2], "biases": null,
     "training": {"lr": 0.05, "epochs": 200000, "loss": "sse", ...}}

``training`` is free-form; the app reads ``data`` (a built-in data set's name),
``samples``, ``noise``, ``test`` (per cent), ``seed``, ``loss`` and ``lr`` from it
to line its sidebar up with the model, and ignores what it cannot use.

Each ``W`` is a list of rows of shape ``(n_in, n_out)``; ``biases`` is a list
of ``(n_out,)`` lists, or null when the network has no bias. Loading checks
everything and raises ``ModelFileError`` (a ValueError) with one clear sentence.
"""

from __future__ import annotations

import json
import math

import numpy as np

from .activations import ACTIVATIONS
from .network import MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES, MAX_INPUTS, Network
from .training import MAX_ABS_WEIGHT

FORMAT = "mlp-playground-model"
VERSION = 1
MAX_MODEL_BYTES = 1_000_000


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message says why."""


def to_dict(net: Network, training: dict | None = None) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "layer_sizes": list(net.layer_sizes),
        "hidden_activation": net.hidden_activation,
        "output_activation": "sigmoid",
        "bias": net.bias,
        "weights": [W.tolist() for W in net.weights],
        "biases": [b.tolist() for b in net.biases] if net.bias else None,
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


def dumps(net: Network, training: dict | None = None) -> str:
    """The model file's text. ``repr``-exact floats, so a reload gives the same bits."""
    return json.dumps(to_dict(net, training), indent=1)


def loads(text: str | bytes) -> tuple[Network, dict]:
    """Parse and validate a model file; return the network and its training settings."""
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
    return from_dict(data)


def from_dict(data) -> tuple[Network, dict]:
    if not isinstance(data, dict):
        raise ModelFileError("a model file must be a JSON object")
    if "format" not in data:
        raise ModelFileError(f"format must be {FORMAT!r}, but the file has no format field; "
                             f"is it a model file saved by MLP Playground?")
    if data["format"] != FORMAT:
        raise ModelFileError(f"format must be {FORMAT!r}, got {_short(data['format'])}")
    if data.get("version") != VERSION:
        raise ModelFileError(f"version must be {VERSION}, got {_short(data.get('version'))}")
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
    if sizes[-1] != 1:
        raise ModelFileError(f"the output layer must have 1 node, got {_short(sizes[-1])}")
    activation = data.get("hidden_activation")
    if activation not in ACTIVATIONS:
        raise ModelFileError(
            f"hidden_activation must be one of {', '.join(ACTIVATIONS)}, got {_short(activation)}"
        )
    if data.get("output_activation", "sigmoid") != "sigmoid":
        raise ModelFileError("output_activation must be 'sigmoid'")
    bias = data.get("bias")
    if not isinstance(bias, bool):
        raise ModelFileError(f"bias must be true or false, got {_short(bias)}")
    net = Network(tuple(sizes), activation, bias)
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
    return net, training


def _matrix(given, shape, name) -> np.ndarray:
    rows, cols = shape
    if (not isinstance(given, list) or len(given) != rows
            or not all(isinstance(r, list) and len(r) == cols for r in given)):
        raise ModelFileError(f"{name} must have shape ({rows}, {cols}) as a list of {rows} rows "
                             f"of {cols} numbers, got {_shape_of(given)}")
    for row in given:
        for v in row:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ModelFileError(f"{name} holds a non-number: {_short(v)}")
            if isinstance(v, int) and abs(v) > MAX_ABS_WEIGHT:  # may be too big for a float
                raise ModelFileError(f"{name} holds an integer outside the allowed "
                                     f"±{MAX_ABS_WEIGHT:g}")
            if not math.isfinite(v):
                raise ModelFileError(f"{name} holds a non-finite number ({v})")
            if abs(v) > MAX_ABS_WEIGHT:
                raise ModelFileError(
                    f"{name} holds {v:g}, outside the allowed ±{MAX_ABS_WEIGHT:g}"
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
