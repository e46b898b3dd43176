"""Two-dimensional views of many-input data, to draw a network's regions on a plane.

A network with more than two inputs has no picture of its decision regions, but
it has one on any plane through input space. A :class:`Plane` is such a plane:
``x = origin + u * axes[0] + v * axes[1]`` for plane coordinates ``(u, v)``.
Two planes are offered: the first two principal components of the training
inputs (the plane the data spread most in), or two chosen features with every
other feature held at its training mean. A grid on the plane, mapped back to
input space, is what ``net.outputs`` colours.

NumPy only; no network here: callers pass the grid's inputs to the network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Plane:
    """A plane through input space with coordinates ``(u, v)``.

    Attributes
    ----------
    origin : ndarray of shape (d,)
        The input at plane coordinates ``(0, 0)``.
    axes : ndarray of shape (2, d)
        Unit directions of ``u`` and ``v``, orthogonal to each other.
    titles : tuple of 2 str
        Axis titles for a chart of the plane.
    """

    origin: np.ndarray
    axes: np.ndarray
    titles: tuple[str, str]

    def to_inputs(self, uv: np.ndarray) -> np.ndarray:
        """Inputs ``(n, d)`` at plane coordinates ``uv`` of shape ``(n, 2)``."""
        return self.origin + np.asarray(uv, dtype=float) @ self.axes

    def coords(self, X: np.ndarray) -> np.ndarray:
        """Plane coordinates ``(n, 2)`` of inputs ``X`` ``(n, d)`` (orthogonal projection)."""
        return (np.asarray(X, dtype=float) - self.origin) @ self.axes.T


def _check_inputs(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] < 2 or X.shape[0] < 1:
        raise ValueError(f"inputs must have shape (n, d) with n >= 1 and d >= 2, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("inputs must be finite")
    return X


def principal_plane(X: np.ndarray) -> Plane:
    """The plane of the first two principal components of ``X``, through its mean.

    Parameters
    ----------
    X : ndarray of shape (n, d), d >= 2
        Training inputs.

    Returns
    -------
    Plane
        ``origin`` the column means, ``axes`` the first two right singular vectors
        of the centred inputs (signs fixed so each axis's largest entry is
        positive, so the picture does not flip between runs), titled
        ``"PC 1 (62% of variance)"`` and ``"PC 2 (…)"``.
    """
    X = _check_inputs(X)
    mean = X.mean(axis=0)
    # full_matrices=False: Vt is (min(n, d), d), enough for two axes
    _, s, Vt = np.linalg.svd(X - mean, full_matrices=False)
    axes = np.zeros((2, X.shape[1]))
    axes[: min(2, len(Vt))] = Vt[:2]
    if len(Vt) < 2:              # one row: any direction orthogonal to the first will do
        other = np.zeros(X.shape[1])
        other[int(np.argmin(np.abs(axes[0])))] = 1.0
        other -= (other @ axes[0]) * axes[0]
        axes[1] = other / np.linalg.norm(other)
    for i in range(2):
        if axes[i, np.argmax(np.abs(axes[i]))] < 0:
            axes[i] = -axes[i]
    var = s * s
    total = float(var.sum())
    shares = [float(var[i]) / total if total > 0 and i < len(var) else 0.0 for i in range(2)]
    titles = (f"PC 1 ({shares[0]:.0%} of variance)", f"PC 2 ({shares[1]:.0%} of variance)")
    return Plane(mean, axes, titles)


def feature_plane(X: np.ndarray, i: int, j: int, feature_names=None) -> Plane:
    """The plane of features ``i`` and ``j``, every other feature at its mean in ``X``.

    Parameters
    ----------
    X : ndarray of shape (n, d), d >= 2
        Training inputs (their means fix the other features).
    i, j : int
        Two different feature indices, ``0 <= i, j < d``: ``u`` is feature ``i``,
        ``v`` feature ``j``, in the inputs' own units.
    feature_names : sequence of str, length d, optional
        Axis titles; default ``"x1"``, ``"x2"``, ...

    Returns
    -------
    Plane
        Its coordinates of an input are just its features ``i`` and ``j``.
    """
    X = _check_inputs(X)
    d = X.shape[1]
    if not (0 <= i < d and 0 <= j < d) or i == j:
        raise ValueError(f"pick two different features among 0..{d - 1}, got {i} and {j}")
    names = list(feature_names) if feature_names is not None else [f"x{k + 1}" for k in range(d)]
    if len(names) != d:
        raise ValueError(f"got {len(names)} feature names for {d} features")
    origin = X.mean(axis=0)
    origin[[i, j]] = 0.0
    axes = np.zeros((2, d))
    axes[0, i] = axes[1, j] = 1.0
    return Plane(origin, axes, (str(names[i]), str(names[j])))


def plane_grid(plane: Plane, points: np.ndarray, resolution: int = 40,
               margin: float = 0.1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid on ``plane`` around ``points``, and the inputs at its cells.

    Parameters
    ----------
    plane : Plane
    points : ndarray of shape (n, d)
        Inputs the grid must cover (train and test together), n >= 1.
    resolution : int, default 40
        Grid values per axis, >= 2.
    margin : float, default 0.1
        Padding on each side as a fraction of the points' range on that axis.

    Returns
    -------
    xs : ndarray of shape (gx,)
    ys : ndarray of shape (gy,)
        Ascending plane coordinates, ``gx = gy = resolution``.
    inputs : ndarray of shape (gy * gx, d)
        The input at ``(xs[c], ys[r])`` in row ``r * gx + c``, so the network's
        outputs reshape to ``(gy, gx, k)`` with row ``r`` at ``ys[r]``.
    """
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    uv = plane.coords(_check_inputs(points))
    lo, hi = uv.min(axis=0), uv.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)   # all points on a line: still a window
    lo, hi = lo - margin * span, hi + margin * span
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, plane.to_inputs(np.column_stack([gx.ravel(), gy.ravel()]))
