"""Health warnings about a network on its data: saturated and dead hidden units, and
optimizer settings that work against the network.

A sigmoid or tanh unit whose output sits at its flat ends for every training
point passes back almost no gradient, and a ReLU unit that outputs 0 for every
point passes back none: both stop learning. Students should hear about it, and
about an optimizer set up to overshoot: Adam and RMSprop move every weight by
about the learning rate per update whatever the gradient's size, and momentum
near 1 never lets the weights settle.
"""

from __future__ import annotations

import numpy as np

from .activations import DERIVATIVES
from .network import Network
from .optimizers import OPTIMIZER_LABELS
from .training import TrainConfig

# Slope of the activation below which a unit counts as saturated on a point.
SATURATION_SLOPE = 1e-3
# Adam and RMSprop step each weight by about lr (RMSprop's first steps by 10 lr:
# v = 0.01 g^2 after one update), and weights start within about +-1: from here
# on the steps are as large as the weights themselves.
ADAPTIVE_LR_WARN = 0.5
# Momentum mu sums about 1 / (1 - mu) past gradients: 100 at 0.99.
HIGH_MOMENTUM = 0.99


def health_warnings(net: Network, X: np.ndarray, config: TrainConfig | None = None) -> list[str]:
    """Plain-language warnings about hidden units that no longer learn on ``X`` (n, n_in),
    and (given the run's ``config``) about its optimizer's settings."""
    found = optimizer_warnings(net, config) if config is not None else []
    return unit_warnings(net, X) + found


def optimizer_warnings(net: Network, config: TrainConfig) -> list[str]:
    """Warnings about optimizer settings that make ``net`` overshoot instead of settle."""
    name = OPTIMIZER_LABELS[config.optimizer]
    warnings = []
    if config.optimizer in ("adam", "rmsprop") and config.lr >= ADAPTIVE_LR_WARN:
        first = " (its first updates by about 10 times that)" \
            if config.optimizer == "rmsprop" else ""
        warnings.append(
            f"{name} with learning rate {config.lr:g}: {name} moves every weight by about "
            f"the learning rate on each update{first}, however small its gradient, so the "
            f"{net.n_trainable:,} weights of this network jump around instead of settling. "
            f"Try 0.001 to 0.05."
        )
    if config.optimizer in ("momentum", "nesterov") and config.momentum >= HIGH_MOMENTUM:
        remembered = round(1 / (1 - config.momentum))
        warnings.append(
            f"Momentum {config.momentum:g} carries about the last {remembered:,} gradients "
            "in every step: the weights overshoot and swing for a long time before they "
            "settle. 0.9 is the usual value."
        )
    return warnings


def unit_warnings(net: Network, X: np.ndarray) -> list[str]:
    """Warnings about hidden units that no longer learn on ``X`` (n, n_in)."""
    if net.n_hidden_layers == 0 or len(X) == 0:
        return []
    zs, acts = net.forward(X)
    warnings = []
    for l in range(net.n_hidden_layers):
        slope = DERIVATIVES[net.hidden_activation](acts[l + 1], zs[l])
        stuck = np.all(slope < SATURATION_SLOPE, axis=0)
        if not stuck.any():
            continue
        units = ", ".join(f"h{j + 1}" for j in np.flatnonzero(stuck)[:8])
        more = "" if stuck.sum() <= 8 else f" and {int(stuck.sum()) - 8} more"
        where = f" in hidden layer {l + 1}" if net.n_hidden_layers > 1 else ""
        if net.hidden_activation == "relu":
            warnings.append(
                f"Dead ReLU units{where}: {units}{more} output 0 for every training point, so "
                "they receive no gradient. Try a lower learning rate, another seed, or he init."
            )
        else:
            warnings.append(
                f"Saturated {net.hidden_activation} units{where}: {units}{more} sit at a flat end "
                "for every training point, so their gradient is nearly 0 and they barely learn. "
                "Try a lower learning rate or Reset."
            )
    return warnings
