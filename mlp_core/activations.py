"""Activation functions and their derivatives, looked up by name.

Derivatives are written in terms of the activation's *output* ``a`` (and the
input ``z`` where the output alone is ambiguous), as scikit-learn does: the
forward pass has already computed ``a``, so the backward pass reuses it. For the
sigmoid this is the tutorial's ``sigmoid_der(x) = sigmoid(x) * (1 - sigmoid(x))``
with ``sigmoid(x)`` already in hand.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, stable for any finite ``z`` (no overflow warnings).

    For ``z >= 0`` this is exactly the tutorial's ``1 / (1 + exp(-z))``; for
    negative ``z`` the algebraically equal ``exp(z) / (1 + exp(z))`` avoids
    ``exp(-z)`` overflowing.
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def linear(z: np.ndarray) -> np.ndarray:
    return np.array(z, dtype=float, copy=True)


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``z`` (n, k): ``exp(z_j) / sum_l exp(z_l)`` for each row.

    The row's maximum is subtracted first (the result is unchanged, since it
    scales numerator and denominator alike), so no ``exp`` overflows and the
    largest term is exactly 1, which keeps the denominator from underflowing.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def sigmoid_derivative(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def tanh_derivative(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def relu_derivative(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    # The kink at 0 gets slope 0, as in most frameworks.
    return (z > 0).astype(float)


def linear_derivative(a: np.ndarray, z: np.ndarray) -> np.ndarray:
    return np.ones_like(a)


ACTIVATIONS = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu, "linear": linear}
DERIVATIVES = {
    "sigmoid": sigmoid_derivative,
    "tanh": tanh_derivative,
    "relu": relu_derivative,
    "linear": linear_derivative,
}
# Integer codes for the compiled kernel, which cannot look up Python callables.
ACTIVATION_IDS = {name: i for i, name in enumerate(ACTIVATIONS)}

# How each derivative is written, for the step-by-step page.
DERIVATIVE_LATEX = {
    "sigmoid": r"\sigma(z)\,(1-\sigma(z))",
    "tanh": r"1-\tanh^2(z)",
    "relu": r"\mathbb{1}[z>0]",
    "linear": r"1",
}

# Output units. sigmoid: one probability per unit (binary, or independent labels);
# softmax: a probability per class, summing to 1 across the row; linear: regression.
OUTPUT_ACTIVATIONS = ("sigmoid", "softmax", "linear")
OUTPUT_FUNCTIONS = {"sigmoid": sigmoid, "softmax": softmax, "linear": linear}
OUTPUT_IDS = {name: i for i, name in enumerate(OUTPUT_ACTIVATIONS)}
OUTPUT_LABELS = {
    "sigmoid": "sigmoid (binary classification)",
    "softmax": "softmax (k classes)",
    "linear": "linear (regression)",
}
OUTPUT_LATEX = {
    "sigmoid": r"o=\sigma(z)=\frac{1}{1+e^{-z}}",
    "softmax": r"p_j=\frac{e^{z_j}}{\sum_{l=1}^{k} e^{z_l}}",
    "linear": r"o=z",
}
