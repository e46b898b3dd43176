"""Hidden space: the training points and the input plane as one hidden layer sees them.

A hidden layer of ``u`` units maps each point of the plane to ``u`` numbers, its
activations. With 2 or 3 units that map can be drawn: the points land somewhere in a
square (or cube), and a grid of straight lines in the input plane comes out bent. On
XOR the layer moves the two classes apart until one straight line, the output unit's
``w·h + b = 0``, splits them: which is all a hidden layer does for the output unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network

#: Hidden layers this narrow can be drawn: 2 units on a plane, 3 in a cube.
DRAWABLE_UNITS = (2, 3)


@dataclass(frozen=True)
class HiddenSpace:
    """One hidden layer's view of the data and of the input plane.

    Attributes
    ----------
    layer : int
        The hidden layer, 1 for the first (``Network.forward``'s ``activations[layer]``).
    points : ndarray of shape (n, u)
        The layer's activations of the ``n`` data points (``u`` units).
    lines : ndarray of shape (n_lines, n_samples, u)
        The layer's activations along each grid line of ``plane_grid_lines``.
    separator : tuple of (ndarray of shape (u,), float), or None
        ``(w, b)`` of the output unit when this layer feeds one sigmoid output
        directly: the network says class 1 where ``h @ w + b >= 0``, so the plane
        (2 units: the line) ``h @ w + b = 0`` is its decision boundary in this space.
        None for a layer below another hidden layer, or for other outputs.
    """

    layer: int
    points: np.ndarray
    lines: np.ndarray
    separator: tuple[np.ndarray, float] | None


def drawable_layers(net: Network) -> list[int]:
    """Hidden layers (1-based) of 2 or 3 units whose hidden space can be drawn for ``net``.

    Only a classifier of 2-column data (points of a plane, input features or not),
    with one sigmoid output or softmax outputs: each point then has one class to be
    coloured by, and its grid lines are lines of the plane the data live in.
    """
    if net.n_data_inputs != 2 or net.task != "classify":
        return []
    if net.output_activation == "sigmoid" and net.n_outputs != 1:
        return []      # independent labels: a point has no single class
    return [l for l in range(1, net.n_hidden_layers + 1)
            if net.layer_sizes[l] in DRAWABLE_UNITS]


def plane_grid_lines(bounds: tuple[float, float, float, float], n_lines: int = 9,
                     n_samples: int = 30) -> np.ndarray:
    """Straight lines across the plot window, as points along each.

    Parameters
    ----------
    bounds : (xmin, xmax, ymin, ymax)
        The window, e.g. ``Dataset.bounds()``.
    n_lines : int, default 9
        Lines per direction, evenly spaced edge to edge. 9 over a gate's window
        ``[-0.5, 1.5]`` puts lines through 0, 0.5 and 1, where the gate's points are.
    n_samples : int, default 30
        Points along each line.

    Returns
    -------
    ndarray of shape (2 * n_lines, n_samples, 2)
        ``[:n_lines]`` the vertical lines ``x1 = const`` (x2 rising along each),
        ``[n_lines:]`` the horizontal lines ``x2 = const``; the last axis is
        ``(x1, x2)``.
    """
    if n_lines < 2 or n_samples < 2:
        raise ValueError(f"a grid needs at least 2 lines of 2 points, got {n_lines} lines "
                         f"of {n_samples}")
    x0, x1, y0, y1 = (float(v) for v in bounds)
    xs, ys = np.linspace(x0, x1, n_lines), np.linspace(y0, y1, n_lines)
    along_x, along_y = np.linspace(x0, x1, n_samples), np.linspace(y0, y1, n_samples)
    vertical = np.stack([np.column_stack([np.full(n_samples, x), along_y]) for x in xs])
    horizontal = np.stack([np.column_stack([along_x, np.full(n_samples, y)]) for y in ys])
    return np.concatenate([vertical, horizontal])


def layer_activations(net: Network, X: np.ndarray, layer: int) -> np.ndarray:
    """Hidden layer ``layer``'s activations of data ``X`` (n, 2): shape (n, layer_sizes[layer]).

    ``Network.forward``'s, input features included: the layers above cost little on
    a 2- or 3-unit layer, and one forward pass keeps one definition of the network.
    """
    if not 1 <= layer <= net.n_hidden_layers:
        raise ValueError(f"layer must be a hidden layer, 1 to {net.n_hidden_layers}; "
                         f"got {layer}")
    return net.forward(X)[1][layer]


def hidden_space(net: Network, X: np.ndarray, layer: int,
                 grid_lines: np.ndarray) -> HiddenSpace:
    """Where hidden layer ``layer`` puts the points ``X`` (n, 2) and the ``grid_lines``.

    ``grid_lines`` (m, s, 2) are points along lines of the input plane, as
    ``plane_grid_lines`` gives them; the result's ``lines`` is (m, s, u).
    """
    grid_lines = np.asarray(grid_lines, dtype=float)
    if grid_lines.ndim != 3 or grid_lines.shape[2] != 2:
        raise ValueError(f"grid lines must have shape (lines, samples, 2), got "
                         f"{grid_lines.shape}")
    m, s, _ = grid_lines.shape
    points = layer_activations(net, X, layer)
    lines = layer_activations(net, grid_lines.reshape(m * s, 2), layer)
    separator = None
    if layer == net.n_hidden_layers and net.output_activation == "sigmoid" \
            and net.n_outputs == 1:
        separator = (net.weights[layer][:, 0].copy(), float(net.biases[layer][0]))
    return HiddenSpace(layer, points, lines.reshape(m, s, -1), separator)
