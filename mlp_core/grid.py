"""Decision-boundary grids and per-neuron lines over the input plane."""

from __future__ import annotations

import numpy as np

from .network import Network


def _plane_points(bounds: tuple[float, float, float, float], resolution: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xs, ys, points)``: the grid's axes, (gx,) and (gy,), and its points row by row,
    (gy * gx, 2), so that values computed on them reshape to (gy, gx, ...)."""
    x0, x1, y0, y1 = bounds
    xs = np.linspace(x0, x1, resolution)
    ys = np.linspace(y0, y1, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def decision_grid(
    net: Network, bounds: tuple[float, float, float, float], resolution: int = 40
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The network's output over a ``resolution x resolution`` grid.

    Returns ``(xs, ys, probs)`` with ``xs`` (gx,), ``ys`` (gy,) and
    ``probs`` (gy, gx) = P(class 1) at ``(xs[j], ys[i])`` for one sigmoid output,
    else ``probs`` (gy, gx, k) = the k outputs there (class probabilities for
    softmax, predicted values for linear). Only for nets on 2-column data; a net
    with input features maps each grid point through them, as it does its data.
    """
    if net.n_data_inputs != 2:
        raise ValueError("a decision grid needs a network with exactly 2 inputs")
    xs, ys, points = _plane_points(bounds, resolution)
    probs = net.predict_proba(points)
    return xs, ys, probs.reshape((resolution, resolution) + probs.shape[1:])


def neuron_lines(net: Network) -> list[tuple[float, float, float]]:
    """``(w1, w2, b)`` of each first-hidden-layer unit: its line ``w1 x + w2 y + b = 0``.

    Each hidden unit of the first layer splits the plane along such a line;
    XOR needs two of them, which is why one straight line (no hidden layer) fails.
    Empty unless the net's inputs are the point itself: on features such as x1² the
    same equation is a curve in the plane, not a line.
    """
    if net.layer_sizes[0] != 2 or net.features is not None:
        return []
    W, b = net.weights[0], net.biases[0]
    return [(float(W[0, j]), float(W[1, j]), float(b[j])) for j in range(W.shape[1])]


def discretize(probs: np.ndarray) -> np.ndarray:
    """The predicted class only, for a plane coloured by class instead of by output.

    ``probs`` (gy, gx) = P(class 1) becomes 0/1 (class 1 at 0.5 and above, as
    ``Network.predict`` decides); ``probs`` (gy, gx, k) becomes the one-hot of each
    cell's most probable class, shape (gy, gx, k).
    """
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 2:
        return (probs >= 0.5).astype(float)
    return np.eye(probs.shape[-1])[np.argmax(probs, axis=-1)]


def layer_grids(
    net: Network, bounds: tuple[float, float, float, float], resolution: int = 30
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Every layer's activations over a ``resolution x resolution`` grid: one forward pass.

    Returns ``(xs, ys, maps)`` with ``xs`` (gx,), ``ys`` (gy,) and ``maps[l]``
    (gy, gx, layer_sizes[l]): ``maps[0]`` the inputs (the features of each grid point,
    or the point itself), ``maps[l]`` for ``l >= 1`` layer ``l``'s activations, the
    output layer's last. Only for nets on 2-column data.
    """
    if net.n_data_inputs != 2:
        raise ValueError("unit maps over the plane need a network with exactly 2 inputs")
    xs, ys, points = _plane_points(bounds, resolution)
    _, acts = net.forward(points)
    return xs, ys, [a.reshape(resolution, resolution, a.shape[1]) for a in acts]
