"""Per-layer gradient norms: how hard the data pushes on each weight matrix.

Backpropagation multiplies the error signal by the activation's slope once per
layer on its way down: a sigmoid's slope is at most 1/4, so in a deep sigmoid
network the first layer's gradient is orders of magnitude smaller than the last
one's and the first layer barely learns (vanishing gradients). One norm per
weight matrix, over the training run, shows it.

The norms come from the readable reference backprop (``reference.backprop``) on
the full training set, whatever batch size trained the network: one number per
layer that does not depend on which rows a mini-batch drew. They are of the data
loss's gradient, without a regularization term, before any optimizer rescales it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .network import Network
from .reference import backprop


def gradient_norms(net: Network, X: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """The Frobenius norm of the full-batch gradient of each weight matrix.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n, n_in), the training inputs
    y : ndarray of shape (n,) or (n, k), anything ``net.encode_targets`` takes
    loss : str, one of ``losses.ALLOWED_LOSSES[net.output_activation]``

    Returns
    -------
    ndarray of shape (n_weight_layers,)
        ``out[l] = ||dE/dW_l||`` for ``net.weights[l]`` of shape ``(n_in, n_out)``,
        input layer first; biases are left out (they are not "the layer's" weights
        and are zero slots when bias is off).
    """
    trace = backprop(net, X, y, loss)
    return np.array([np.sqrt(np.sum(g * g)) for g in trace.weight_gradients])


@dataclass
class GradNormHistory:
    """Gradient norms at a trainer's snapshots, each computed once.

    A live frame asks for the norms at every snapshot taken so far; only the
    snapshots it has not seen cost a backprop. A snapshot is recognised by the
    very array the trainer keeps for it (held here, so its identity cannot be
    reused): a trainer that thins or replaces its snapshots gets fresh norms for
    the new arrays and no stale ones.

    One backprop costs about one full-batch epoch: nothing on the tutorial's
    nets, a third of a second on four layers of 256 units over 1,600 rows. A
    ``budget_s`` caps the CPU time a call spends on new snapshots: it measures
    the newest first (the chart reaches the run's present), then fills in the
    others spread out over the run, at least one a call, and the rest on later
    calls.
    """

    loss: str = ""
    # snapshot epoch -> (the trainer's parameter array of that snapshot, its norms)
    _seen: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def at_snapshots(self, trainer, budget_s: float | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Norms at ``trainer``'s snapshots (a ``training.Trainer``) measured so far.

        Returns
        -------
        epochs : ndarray of shape (m,), int64, snapshot epochs in increasing order
            (every snapshot, unless ``budget_s`` left some for a later call)
        norms : ndarray of shape (m, n_weight_layers)
        """
        if trainer.config.loss != self.loss:
            self._seen.clear()
            self.loss = trainer.config.loss
        snapshots = list(zip(trainer.snapshot_epochs, trainer.snapshot_params))
        kept = {}
        missing = []
        for i, (epoch, params) in enumerate(snapshots):
            hit = self._seen.get(epoch)
            if hit is not None and hit[0] is params:
                kept[epoch] = hit
            else:
                missing.append(i)
        started = time.thread_time()
        for n, i in enumerate(_newest_then_spread(missing, len(snapshots) - 1)):
            if budget_s is not None and n and time.thread_time() - started >= budget_s:
                break
            epoch, params = snapshots[i]
            net = trainer.net.with_params(params)
            kept[epoch] = (params, gradient_norms(net, trainer.X, trainer.y, self.loss))
        self._seen = kept
        epochs = sorted(kept)
        norms = np.array([kept[e][1] for e in epochs]).reshape(len(epochs),
                                                               len(trainer.net.weights))
        return np.array(epochs, dtype=np.int64), norms


def _newest_then_spread(indices: list[int], newest: int) -> list[int]:
    """``indices`` in the order to fill a chart in: ``newest`` (if there), the first,
    then by how coarse a halving of the run each index falls on (i = 64 before 32
    before 48 ...), so a partly filled chart still spans the whole run."""
    rest = sorted((i for i in indices if i != newest),
                  key=lambda i: -(i & -i) if i else -(1 << 62))
    return ([newest] if newest in indices else []) + rest
