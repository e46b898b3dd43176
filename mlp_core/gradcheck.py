"""Central finite differences against backpropagation's analytic gradient."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network
from .reference import backprop, objective


@dataclass(frozen=True)
class GradientCheck:
    """One row per parameter: analytic and numerical derivative and their relative error.

    ``names[i]`` is like ``"weight_hidden[0,2]"``; arrays are shape ``(n_checked,)``.
    """

    names: list[str]
    analytic: np.ndarray
    numeric: np.ndarray
    relative_error: np.ndarray

    @property
    def max_relative_error(self) -> float:
        return float(np.max(self.relative_error)) if len(self.relative_error) else 0.0


def parameter_names(net: Network) -> list[tuple[str, int, str, tuple[int, ...]]]:
    """``(label, layer, kind, index)`` for every trainable parameter, in order."""
    names = []
    last = len(net.weights) - 1
    for l, W in enumerate(net.weights):
        base = "weight_output" if l == last else (
            "weight_hidden" if net.n_hidden_layers == 1 else f"weight_hidden_{l + 1}")
        for idx in np.ndindex(W.shape):
            names.append((f"{base}[{idx[0]},{idx[1]}]", l, "w", idx))
        if net.bias:
            bname = base.replace("weight", "bias")
            for j in range(W.shape[1]):
                names.append((f"{bname}[{j}]", l, "b", (j,)))
    return names


def gradient_check(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    loss: str = "sse",
    reg: str = "none",
    reg_rate: float = 0.0,
    *,
    eps: float = 1e-6,
    max_params: int = 200,
) -> GradientCheck:
    """Compare backprop with ``(E(p + eps) - E(p - eps)) / (2 eps)`` per parameter.

    The relative error is ``|a - n| / max(|a| + |n|, 1e-8)``, so derivatives that
    are both near zero do not blow up the ratio. At most ``max_params``
    parameters (the first ones) are checked to keep the page fast.
    """
    trace = backprop(net, X, y, loss, reg, reg_rate)
    probe = net.copy()
    rows = parameter_names(net)[:max_params]
    analytic, numeric = [], []
    for _, l, kind, idx in rows:
        target = probe.weights[l] if kind == "w" else probe.biases[l]
        grads = trace.weight_gradients if kind == "w" else trace.bias_gradients
        analytic.append(grads[l][idx])
        saved = target[idx]
        target[idx] = saved + eps
        plus = objective(probe, X, y, loss, reg, reg_rate)
        target[idx] = saved - eps
        minus = objective(probe, X, y, loss, reg, reg_rate)
        target[idx] = saved
        numeric.append((plus - minus) / (2 * eps))
    analytic, numeric = np.array(analytic), np.array(numeric)
    rel = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    return GradientCheck([r[0] for r in rows], analytic, numeric, rel)
