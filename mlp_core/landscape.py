"""The loss landscape: the loss over a plane through weight space, and along lines.

A network's loss is a function of its whole flat parameter vector ``theta``
(``Network.params``, length ``p``), far too many dimensions to draw. A
:class:`WeightPlane` is a 2-D slice of it, ``theta = origin + u * axes[0] + v * axes[1]``,
shared by every optimizer's path so that the paths can be compared on one picture
(Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"). Three planes:

- ``exact``: a network with exactly 2 trainable parameters has no other dimension;
  the plane is weight space itself and ``(u, v)`` are the two weights.
- ``pca``: through the shared start, spanned by the two principal directions of
  every path's points together (the rank-2 subspace through the start closest to
  all of them), with the share of the paths' spread each direction carries.
- ``random``: where the paths span fewer than 2 dimensions (e.g. nothing moved),
  the missing directions are Li et al.'s filter-normalised random directions: each
  unit's incoming weights get a random direction scaled to their own norm, and
  biases get none (their default, ``ignore='biasbn'``).

All axes are orthonormal, so ``(u, v)`` are distances in parameter space. The loss is
the data loss (no regularization term), as the training curves record it, and is
evaluated for many parameter vectors at once with batched matrix products.
NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, OUTPUT_FUNCTIONS
from .losses import log_softmax
from .network import Network

# Grid values per axis of a landscape, and the fewest a busy server may cut it to.
GRID_RESOLUTION = 41
MIN_GRID_RESOLUTION = 15
# Multiply-adds one landscape may spend (grid cells x rows x multiply-adds per row):
# about a fifth of a second of one idle core, so 40 students on 2 cores can share it.
MAX_LANDSCAPE_WORK = 100_000_000
# Parameter vectors evaluated together: bounds the activations' memory
# (cells x rows x widest layer floats).
MAX_BATCH_FLOATS = 2_000_000
# A direction along which the paths spread less than this share of the largest one
# is no direction: the paths are flatter than that (a line, or a point).
FLAT_SHARE = 1e-9
# Padding around the paths, as a share of their extent on each axis; an axis along
# which they hardly moved still spans this share of the other one.
MARGIN = 0.25
MIN_ASPECT = 0.2
# Line plots: from a little before the start (alpha 0) to a little past the final
# vector (alpha 1), as in Goodfellow et al. 2015.
LINE_ALPHAS = np.linspace(-0.25, 1.25, 61)


@dataclass(frozen=True)
class WeightPlane:
    """A plane through weight space with coordinates ``(u, v)``.

    Attributes
    ----------
    origin : ndarray of shape (p,)
        The parameter vector at ``(0, 0)``.
    axes : ndarray of shape (2, p)
        Orthonormal directions of ``u`` and ``v``.
    kind : {"exact", "pca", "random", "pca+random"}
        How the axes were chosen (see the module docstring).
    shares : tuple of 2 float
        Share of the paths' spread about the origin along each axis (NaN for a
        random axis; 1 and 1 is meaningless for ``exact``, which is all of it).
    titles : tuple of 2 str
        Axis titles for a chart.
    """

    origin: np.ndarray
    axes: np.ndarray
    kind: str
    shares: tuple[float, float]
    titles: tuple[str, str]

    def coords(self, thetas: np.ndarray) -> np.ndarray:
        """Plane coordinates ``(m, 2)`` of parameter vectors ``(m, p)`` (orthogonal projection)."""
        return (np.asarray(thetas, dtype=float) - self.origin) @ self.axes.T

    def to_params(self, uv: np.ndarray) -> np.ndarray:
        """Parameter vectors ``(m, p)`` at plane coordinates ``uv`` ``(m, 2)``."""
        return self.origin + np.asarray(uv, dtype=float) @ self.axes

    @property
    def captured(self) -> float:
        """Share of the paths' spread that lies in the plane (NaN with a random axis)."""
        return float(sum(self.shares))


def trainable_mask(net: Network) -> np.ndarray:
    """Boolean ``(p,)``: True at the slots training changes (every weight; biases if on)."""
    mask = np.zeros(net.n_params, dtype=bool)
    offset = 0
    for n_in, n_out in net.layer_shapes:
        mask[offset:offset + n_in * n_out] = True
        offset += n_in * n_out
        mask[offset:offset + n_out] = net.bias
        offset += n_out
    return mask


def parameter_names(net: Network) -> list[str]:
    """A short name per slot of ``params``: ``W1[0,2]``, ``b2[0]`` (layer 1 = first)."""
    names = []
    for l, (n_in, n_out) in enumerate(net.layer_shapes):
        names += [f"W{l + 1}[{i},{j}]" for i in range(n_in) for j in range(n_out)]
        names += [f"b{l + 1}[{j}]" for j in range(n_out)]
    return names


def filter_normalized_direction(net: Network, rng: np.random.Generator) -> np.ndarray:
    """A random direction ``(p,)`` scaled filter by filter to ``net``'s weights (Li et al.).

    Each unit's incoming weights (a column of ``W``, shape ``(n_in,)``) get a
    Gaussian direction rescaled to the norm of those weights; biases get 0. A
    unit whose weights are all 0 keeps its unscaled Gaussian direction, so the
    result is never the zero vector.
    """
    view = net.with_params(np.zeros(net.n_params))
    for W, W0 in zip(view.weights, net.weights):
        g = rng.standard_normal(W.shape)
        norms = np.linalg.norm(W0, axis=0)
        scale = np.where(norms > 0, norms, 1.0) / np.maximum(np.linalg.norm(g, axis=0), 1e-300)
        W[...] = g * scale
    return view.params


def weight_plane(net: Network, start: np.ndarray, points: np.ndarray,
                 rng: np.random.Generator) -> WeightPlane:
    """The one plane every path is drawn on.

    Parameters
    ----------
    net : Network
        The architecture (its ``params`` are not used).
    start : ndarray of shape (p,)
        The shared initial parameter vector: the origin (for ``pca`` and ``random``).
    points : ndarray of shape (m, p)
        Every path's points together (any order; the start may be among them).
    rng : np.random.Generator
        Draws the random directions, when they are needed.

    Returns
    -------
    WeightPlane
        ``exact`` for 2 trainable parameters; else ``pca`` when the points spread
        in at least 2 dimensions about the start, ``pca+random`` for 1, ``random``
        for none.
    """
    start = np.asarray(start, dtype=float)
    points = np.asarray(points, dtype=float).reshape(-1, net.n_params)
    mask = trainable_mask(net)
    names = parameter_names(net)
    free = np.flatnonzero(mask)
    if len(free) == 2:
        axes = np.zeros((2, net.n_params))
        axes[0, free[0]] = axes[1, free[1]] = 1.0
        return WeightPlane(np.zeros(net.n_params), axes, "exact", (1.0, 1.0),
                           (f"{names[free[0]]} (weight)", f"{names[free[1]]} (weight)"))
    moves = (points - start) * mask
    _, s, Vt = np.linalg.svd(moves, full_matrices=False)
    spread = s * s
    total = float(spread.sum())
    found = [i for i in range(min(2, len(s))) if total > 0 and spread[i] > FLAT_SHARE * total]
    axes = [Vt[i] for i in found]
    shares = [float(spread[i]) / total for i in found]
    base = start.copy()
    base[~mask] = 0.0
    template = net.with_params(base)
    while len(axes) < 2:
        d = filter_normalized_direction(template, rng) * mask
        for a in axes:
            d -= (d @ a) * a
        axes.append(d / np.linalg.norm(d))
        shares.append(float("nan"))
    axes = np.array(axes)
    for i in range(2):   # signs fixed so the picture does not flip between runs
        if axes[i, np.argmax(np.abs(axes[i]))] < 0:
            axes[i] = -axes[i]
    kind = {2: "pca", 1: "pca+random", 0: "random"}[len(found)]
    titles = tuple(
        f"direction {i + 1} ({shares[i]:.0%} of the paths' spread)" if i < len(found)
        else f"random direction {i + 1} (filter-normalised)" for i in range(2))
    return WeightPlane(start.copy(), axes, kind, (shares[0], shares[1]), titles)


def losses_at(net: Network, X: np.ndarray, Y: np.ndarray, loss: str,
              thetas: np.ndarray) -> np.ndarray:
    """The data loss of ``net``'s architecture at many parameter vectors at once.

    Parameters
    ----------
    net : Network
        The architecture (activations, output kind); its ``params`` are not used.
    X : ndarray of shape (n, net.n_data_inputs), the data (mapped through its features)
    Y : ndarray of shape (n, k)
        Encoded targets (``net.encode_targets``).
    loss : {"sse", "mse", "bce", "ce"}
    thetas : ndarray of shape (m, p)

    Returns
    -------
    ndarray of shape (m,)
        ``losses.LOSSES[loss]`` of the network holding ``thetas[i]`` (the number
        ``reference.evaluate`` gives), NaN where it is not finite.
    """
    thetas = np.asarray(thetas, dtype=float).reshape(-1, net.n_params)
    return losses_along(net, X, Y, loss, np.zeros(net.n_params), np.eye(1, net.n_params),
                        np.zeros((len(thetas), 1)), thetas)


def losses_along(net: Network, X: np.ndarray, Y: np.ndarray, loss: str, origin: np.ndarray,
                 directions: np.ndarray, coeffs: np.ndarray,
                 offsets: np.ndarray | None = None) -> np.ndarray:
    """``losses_at`` the vectors ``origin + coeffs @ directions`` (+ ``offsets``), built a
    batch at a time so a grid over a wide network never holds every vector at once.

    Parameters
    ----------
    origin : ndarray of shape (p,)
    directions : ndarray of shape (d, p)
    coeffs : ndarray of shape (m, d)
    offsets : ndarray of shape (m, p), optional
        Added to each vector (``losses_at`` passes its vectors here).

    Returns
    -------
    ndarray of shape (m,)
    """
    X = net.inputs(X)     # a network with input features sees each point's features
    Y = np.asarray(Y, dtype=float)
    coeffs = np.asarray(coeffs, dtype=float)
    widest = max(net.layer_sizes) * max(len(X), 1)
    batch = max(1, MAX_BATCH_FLOATS // max(widest, net.n_params))
    out = np.empty(len(coeffs))
    with np.errstate(all="ignore"):
        for lo in range(0, len(coeffs), batch):
            thetas = origin + coeffs[lo:lo + batch] @ directions
            if offsets is not None:
                thetas = thetas + offsets[lo:lo + batch]
            out[lo:lo + batch] = _batch_losses(net, X, Y, loss, thetas)
    return np.where(np.isfinite(out), out, np.nan)


def _batch_losses(net: Network, X, Y, loss: str, thetas: np.ndarray) -> np.ndarray:
    """``losses_at`` for one batch of ``c`` vectors: every layer is a ``(c, n, width)`` array."""
    act = ACTIVATIONS[net.hidden_activation]
    a = X[None, :, :]
    offset, last = 0, len(net.layer_shapes) - 1
    for l, (n_in, n_out) in enumerate(net.layer_shapes):
        W = thetas[:, offset:offset + n_in * n_out].reshape(-1, n_in, n_out)
        offset += n_in * n_out
        b = thetas[:, offset:offset + n_out]
        offset += n_out
        z = a @ W + b[:, None, :]
        a = OUTPUT_FUNCTIONS[net.output_activation](z) if l == last else act(z)
    return BATCH_LOSSES[loss](a, z, Y)


# The losses of ``losses.LOSSES``, each over a batch ``(c, n, k)`` -> ``(c,)``, with
# the same formulas (the tests hold them to ``reference.evaluate``).
BATCH_LOSSES = {
    "sse": lambda out, z, t: np.sum(0.5 * (out - t) ** 2, axis=(1, 2)),
    "mse": lambda out, z, t: np.mean((out - t) ** 2, axis=(1, 2)),
    "bce": lambda out, z, t: np.mean(np.logaddexp(0.0, z) - t * z, axis=(1, 2)),
    "ce": lambda out, z, t: -np.sum(t * log_softmax(z), axis=(1, 2)) / z.shape[1],
}


def macs_per_row(net: Network) -> int:
    """Multiply-adds of one forward pass of one row."""
    return sum(n_in * n_out for n_in, n_out in net.layer_shapes)


def grid_resolution(net: Network, n_rows: int, resolution: int = GRID_RESOLUTION) -> int:
    """``resolution``, cut so a landscape costs at most ``MAX_LANDSCAPE_WORK`` multiply-adds
    (never below ``MIN_GRID_RESOLUTION``)."""
    per_cell = max(1, n_rows * macs_per_row(net))
    fits = int(np.sqrt(MAX_LANDSCAPE_WORK / per_cell))
    return int(max(MIN_GRID_RESOLUTION, min(resolution, fits)))


def landscape_rows(net: Network, n_rows: int) -> int:
    """Rows a landscape evaluates: all ``n_rows``, or as many as fit ``MAX_LANDSCAPE_WORK`` on
    a ``MIN_GRID_RESOLUTION`` grid (at least 1)."""
    per_row = MIN_GRID_RESOLUTION ** 2 * max(1, macs_per_row(net))
    return int(max(1, min(n_rows, MAX_LANDSCAPE_WORK // per_row)))


@dataclass(frozen=True)
class Landscape:
    """The loss on a grid over a plane.

    Attributes
    ----------
    plane : WeightPlane
    us : ndarray of shape (gu,)
    vs : ndarray of shape (gv,)
        Ascending plane coordinates.
    loss : ndarray of shape (gv, gu)
        ``loss[r, c]`` at ``(us[c], vs[r])`` (NaN where not finite).
    n_rows : int
        Training rows the loss was measured on (fewer than all for big data: see
        ``race.race_landscape``).
    """

    plane: WeightPlane
    us: np.ndarray
    vs: np.ndarray
    loss: np.ndarray
    n_rows: int = 0


def plane_window(uv: np.ndarray, margin: float = MARGIN,
                 min_aspect: float = MIN_ASPECT, default_half: float = 1.0):
    """``(lo, hi)`` arrays of shape (2,): a window around the points ``uv`` (m, 2).

    Each axis gets the points' extent plus ``margin`` of it on both sides; an axis
    along which they hardly spread still spans ``min_aspect`` of the other's
    extent (``default_half`` either side of the middle when nothing spread at all).
    """
    uv = np.asarray(uv, dtype=float).reshape(-1, 2)
    lo, hi = uv.min(axis=0), uv.max(axis=0)
    span = hi - lo
    widest = float(span.max())
    if not np.isfinite(widest) or widest <= 0:
        mid = (lo + hi) / 2 if np.all(np.isfinite(lo + hi)) else np.zeros(2)
        return mid - default_half, mid + default_half
    span = np.maximum(span, min_aspect * widest)
    mid = (lo + hi) / 2
    half = span * (0.5 + margin)
    return mid - half, mid + half


def landscape(net: Network, X: np.ndarray, Y: np.ndarray, loss: str, plane: WeightPlane,
              points: np.ndarray, resolution: int = GRID_RESOLUTION) -> Landscape:
    """The loss on a ``resolution x resolution`` grid over ``plane`` around ``points``.

    Parameters
    ----------
    net, X, Y, loss
        As ``losses_at``.
    plane : WeightPlane
    points : ndarray of shape (m, p)
        Parameter vectors the window must show (every path's points).
    resolution : int
        Grid values per axis, >= 2 (``grid_resolution`` bounds it by the work).
    """
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    uv = plane.coords(points)
    default = max(1.0, float(np.linalg.norm(plane.origin)))
    lo, hi = plane_window(uv, default_half=default)
    us = np.linspace(lo[0], hi[0], resolution)
    vs = np.linspace(lo[1], hi[1], resolution)
    gu, gv = np.meshgrid(us, vs)
    values = losses_along(net, X, Y, loss, plane.origin, plane.axes,
                          np.column_stack([gu.ravel(), gv.ravel()]))
    values = values.reshape(resolution, resolution)
    return Landscape(plane, us, vs, values, len(X))


def line_losses(net: Network, X: np.ndarray, Y: np.ndarray, loss: str, start: np.ndarray,
                final: np.ndarray, alphas: np.ndarray = LINE_ALPHAS) -> np.ndarray:
    """The loss along the line ``start + alpha * (final - start)``, shape ``(len(alphas),)``.

    ``alpha`` 0 is the start, 1 the final vector; a bump between them is a
    barrier the optimizer went around or over, not through.
    """
    start = np.asarray(start, dtype=float)
    step = np.asarray(final, dtype=float) - start
    return losses_along(net, X, Y, loss, start, step[None],
                        np.asarray(alphas, dtype=float)[:, None])


# Grid values per axis of the exact loss volume of a 3-weight network.
VOLUME_RESOLUTION = 17


@dataclass(frozen=True)
class Volume:
    """The loss over the whole 3-D weight space of a network with 3 trainable parameters.

    Attributes
    ----------
    slots : ndarray of shape (3,), int
        The trainable slots of ``params`` (the axes, in order).
    titles : tuple of 3 str
        Their names (``parameter_names``).
    axes : tuple of 3 ndarray, each (g,)
        Ascending weight values along each axis.
    loss : ndarray of shape (g, g, g)
        ``loss[i, j, k]`` at weights ``(axes[0][i], axes[1][j], axes[2][k])``.
    """

    slots: np.ndarray
    titles: tuple[str, str, str]
    axes: tuple[np.ndarray, np.ndarray, np.ndarray]
    loss: np.ndarray

    def coords(self, thetas: np.ndarray) -> np.ndarray:
        """The three weights ``(m, 3)`` of parameter vectors ``(m, p)``."""
        return np.asarray(thetas, dtype=float)[:, self.slots]


def loss_volume(net: Network, X: np.ndarray, Y: np.ndarray, loss: str, points: np.ndarray,
                resolution: int = VOLUME_RESOLUTION) -> Volume:
    """The exact loss on a ``resolution^3`` grid over the 3 trainable weights of ``net``.

    The window holds every one of ``points`` (m, p) with ``MARGIN`` to spare on each
    axis, as ``landscape``'s does; every other slot of ``params`` is 0 (a bias that
    is off).
    """
    slots = np.flatnonzero(trainable_mask(net))
    if len(slots) != 3:
        raise ValueError(f"a loss volume needs exactly 3 trainable weights, got {len(slots)}")
    xyz = np.asarray(points, dtype=float).reshape(-1, net.n_params)[:, slots]
    lo, hi = xyz.min(axis=0), xyz.max(axis=0)
    span = np.maximum(hi - lo, MIN_ASPECT * max(float((hi - lo).max()), 1e-3))
    mid = (lo + hi) / 2
    axes = tuple(np.linspace(m - s * (0.5 + MARGIN), m + s * (0.5 + MARGIN), resolution)
                 for m, s in zip(mid, span))
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    thetas = np.zeros((len(grid), net.n_params))
    thetas[:, slots] = grid
    values = losses_at(net, X, Y, loss, thetas).reshape((resolution,) * 3)
    names = parameter_names(net)
    return Volume(slots, tuple(names[i] for i in slots), axes, values)
