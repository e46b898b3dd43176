"""Loss functions on the network's single sigmoid output, looked up by name.

Each loss takes the output ``out = sigmoid(z)``, its pre-activation ``z`` and
the targets, all shaped ``(n, 1)``, and returns a float. ``OUTPUT_DELTAS`` give
``dE/dz`` at the output, the quantity backpropagation starts from.
"""

from __future__ import annotations

import numpy as np


def sse(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """The tutorial's error: ``1/2 * sum((out - target)**2)``, not divided by n."""
    return float(np.sum(0.5 * np.power(out - target, 2)))


def mse(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """Mean over samples of ``(out - target)**2``."""
    return float(np.mean(np.power(out - target, 2)))


def bce(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """Mean binary cross-entropy, computed from ``z`` so it never takes log(0).

    ``-[t log s(z) + (1-t) log(1-s(z))] = log(1 + e^z) - t z``, and
    ``log(1 + e^z)`` is ``logaddexp(0, z)``, finite for every finite ``z``.
    """
    return float(np.mean(np.logaddexp(0.0, z) - target * z))


def sse_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``dE/dout`` for sse: the tutorial's ``derror_douto = output_op - target_output``."""
    return out - target


def mse_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return 2.0 * (out - target) / out.shape[0]


def bce_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # Only for display: clipped so a saturated output shows a large number, not inf.
    p = np.clip(out, 1e-15, 1.0 - 1e-15)
    return (p - target) / (p * (1.0 - p)) / out.shape[0]


def sse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # The tutorial's product derror_douto * douto_dino, in the same order so
    # the numbers agree with its code to the last bit.
    return (out - target) * (out * (1.0 - out))


def mse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return mse_derivative(out, target) * (out * (1.0 - out))


def bce_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # d/dz [log(1+e^z) - t z] = sigmoid(z) - t: the sigmoid's derivative cancels
    # the log-loss's 1/(p(1-p)), so this stays exact even when the output saturates.
    return (out - target) / out.shape[0]


LOSSES = {"sse": sse, "mse": mse, "bce": bce}
LOSS_DERIVATIVES = {"sse": sse_derivative, "mse": mse_derivative, "bce": bce_derivative}
OUTPUT_DELTAS = {"sse": sse_delta, "mse": mse_delta, "bce": bce_delta}
LOSS_IDS = {name: i for i, name in enumerate(LOSSES)}

LOSS_LATEX = {
    "sse": r"E=\tfrac12\sum_i (o_i-t_i)^2",
    "mse": r"E=\tfrac1n\sum_i (o_i-t_i)^2",
    "bce": r"E=\tfrac1n\sum_i \left[\log(1+e^{z_i})-t_i z_i\right]",
}
LOSS_DERIVATIVE_LATEX = {
    "sse": r"\frac{\partial E}{\partial o}=o-t",
    "mse": r"\frac{\partial E}{\partial o}=\tfrac2n(o-t)",
    "bce": r"\frac{\partial E}{\partial o}=\tfrac1n\,\frac{o-t}{o(1-o)}",
}
LOSS_LABELS = {
    "sse": "sum of squared errors (x1/2)",
    "mse": "mean squared error",
    "bce": "binary cross-entropy",
}
