"""Health warnings about a network on its data: saturated and dead hidden units.

A sigmoid or tanh unit whose output sits at its flat ends for every training
point passes back almost no gradient, and a ReLU unit that outputs 0 for every
point passes back none: both stop learning. Students should hear about it.
"""

from __future__ import annotations

import numpy as np

from .activations import DERIVATIVES
from .network import Network

# Slope of the activation below which a unit counts as saturated on a point.
SATURATION_SLOPE = 1e-3


def health_warnings(net: Network, X: np.ndarray) -> list[str]:
    """Plain-language warnings about hidden units that no longer learn on ``X`` (n, n_in)."""
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
