"""Made-up data: the six logic gates, 2-D classification shapes and 1-D / 2-D regression curves.

Every generator has the signature ``(n_samples, noise, rng)`` (the multi-class
ones add ``classes``) and returns ``X`` ``(n_samples, d)`` and ``y``: class
labels ``(n_samples,)`` or regression targets ``(n_samples, 1)``, float64.
They take an explicit ``np.random.Generator`` so that a seed in the UI
reproduces the same points bit for bit, and so no code here ever touches
numpy's global random state.

``noise`` is Gaussian jitter of standard deviation ``noise * _NOISE_SCALE[name]``.
Classification sets jitter the points. The scales are calibrated so the
slider reads the same on every set: 0 is clean, 0.1 still looks clean, and at
0.5 roughly one point in six sits among the other class (15-nearest-neighbour
accuracy about 0.8-0.85), which is what "heavily overlapping" looks like on
screen. Regression sets jitter the target instead (``y = f(x) + noise``, the
textbook regression model); their scale is a quarter of the clean target's
range, so the slider means the same on a curve of any height.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._validate import check_choice, check_float, check_int
from ._base import MAX_CLASSES, Dataset

MAX_NOISE = 1.0
MIN_CLASSES = 2

# Generators are public building blocks (benchmarks may want bigger sets than
# the UI allows); this cap only keeps a typo from allocating gigabytes.
_GENERATOR_MAX_SAMPLES = 1_000_000


# --- logic gates ------------------------------------------------------------------


def _frozen(values) -> np.ndarray:
    # Module-level tables are shared by every session of the app; read-only
    # arrays turn an accidental in-place edit into an immediate error.
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


GATE_INPUTS = _frozen([[0, 0], [0, 1], [1, 0], [1, 1]])

GATES: dict[str, np.ndarray] = {
    "and": _frozen([0, 0, 0, 1]),
    "or": _frozen([0, 1, 1, 1]),
    "nand": _frozen([1, 1, 1, 0]),
    "nor": _frozen([1, 0, 0, 0]),
    "xor": _frozen([0, 1, 1, 0]),
    "xnor": _frozen([1, 0, 0, 1]),
}


GATE_CLASSES = ("0", "1")


def gate_dataset(name: str) -> Dataset:
    """The truth table of a logic gate as a data set.

    Parameters
    ----------
    name : str
        A key of ``GATES``.

    Returns
    -------
    Dataset
        4 training rows in ``GATE_INPUTS`` order, no test rows, features
        ``("x1", "x2")``, ``is_gate=True``, classes ``("0", "1")`` (a
        gate's output is a bit, not a named class).
    """
    check_choice("name", name, GATES)
    return Dataset(
        name=name,
        X_train=GATE_INPUTS.copy(),
        y_train=GATES[name].copy(),
        X_test=np.empty((0, 2)),
        y_test=np.empty(0),
        feature_names=("x1", "x2"),
        is_gate=True,
        classes=GATE_CLASSES,
    )


# --- 2-D classification -------------------------------------------------------------
#
# Each make_* draws a clean shape, then adds jitter of standard deviation
# noise * _NOISE_SCALE[name]. Points come out class 0 first, then class 1
# (and so on); make_dataset shuffles.

_CIRCLE_INNER = 0.5  # disk radius
_CIRCLE_RING = (1.0, 1.4)  # ring radii
_SPIRAL_RADII = (0.2, 1.4)
_SPIRAL_TURNS = 1.5
_BLOB_SPREAD = 0.2  # std of each clean cloud: tight enough to be separable at noise 0
_BLOBS_RADIUS = 1.0  # k blobs sit evenly on a circle of this radius
_BLOBS_FLANKED_NOISE = 0.7  # jitter per neighbour distance with 3+ blobs; see make_blobs
_GAUSSIAN_CENTRE = 0.6  # classes at (-c, -c) and (c, c)
_XOR_CENTRE = 0.75  # clouds at (+-c, +-c)

# Jitter std at noise = 1. Measured, not derived: a thin curve (moons) needs
# more jitter than a pair of blobs before the classes mix, and the spiral's
# arms are only ~0.4 apart (for any number of arms, see make_spiral). See the
# module docstring for the target. Blobs scale with the distance between
# neighbouring centres instead, as "gaussians" does (1.7 = its centres' distance).
_NOISE_SCALE = {
    "circle": 0.7,
    "moons": 0.8,
    "spiral": 0.32,
    "gaussians": 1.7,
    "xor-cloud": 0.9,
}


def _class_sizes(n_samples: int) -> tuple[int, int]:
    """Balanced split: ``n // 2`` points of class 0, the rest class 1."""
    return n_samples // 2, n_samples - n_samples // 2


def _labels(n0: int, n1: int) -> np.ndarray:
    return np.concatenate([np.zeros(n0), np.ones(n1)])


def _k_class_sizes(n_samples: int, k: int) -> np.ndarray:
    """Balanced sizes ``(k,)``: ``n // k`` each, the last ``n % k`` classes one more.

    The extra points go to the last classes so that k = 2 gives exactly
    :func:`_class_sizes`, and the two-arm spiral stays as it always was.
    """
    sizes = np.full(k, n_samples // k)
    sizes[k - n_samples % k :] += 1
    return sizes


def _polar(radius: np.ndarray, angle: np.ndarray) -> np.ndarray:
    """Points ``(n, 2)`` from radii ``(n,)`` and angles ``(n,)``."""
    return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])


def _check_generator_args(n_samples, noise, rng) -> tuple[int, float]:
    n_samples = check_int("n_samples", n_samples, 2, _GENERATOR_MAX_SAMPLES)
    noise = check_float("noise", noise, 0.0, MAX_NOISE)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return n_samples, noise


def _check_classes(classes) -> int:
    return check_int("classes", classes, MIN_CLASSES, MAX_CLASSES)


def _jitter(X: np.ndarray, y: np.ndarray, std: float, rng: np.random.Generator):
    # Always draw, even for std == 0, so the stream position (and hence the
    # train/test shuffle drawn after it) does not depend on the noise level.
    X = X + rng.normal(0.0, 1.0, X.shape) * std
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)


def make_circle(n_samples: int, noise: float, rng: np.random.Generator):
    """A disk (class 0) inside a ring (class 1).

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    n0, n1 = _class_sizes(n_samples)
    # sqrt of a uniform radius² spreads points evenly over the area rather
    # than bunching them at the centre.
    r_in = _CIRCLE_INNER * np.sqrt(rng.uniform(0.0, 1.0, n0))
    r_out = np.sqrt(rng.uniform(_CIRCLE_RING[0] ** 2, _CIRCLE_RING[1] ** 2, n1))
    angle = rng.uniform(0.0, 2 * np.pi, n_samples)
    X = _polar(np.concatenate([r_in, r_out]), angle)
    return _jitter(X, _labels(n0, n1), noise * _NOISE_SCALE["circle"], rng)


def make_moons(n_samples: int, noise: float, rng: np.random.Generator):
    """Two interleaved half-moons, centred on the origin.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
        Clean points span x in [-1.5, 1.5], y in [-0.75, 0.75].
    y : ndarray of shape (n_samples,)
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    n0, n1 = _class_sizes(n_samples)
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.concatenate([upper, lower]) - [0.5, 0.25]
    return _jitter(X, _labels(n0, n1), noise * _NOISE_SCALE["moons"], rng)


def make_spiral(n_samples: int, noise: float, rng: np.random.Generator, classes: int = 2):
    """``classes`` interleaved spiral arms; two arms of about 1.5 turns each by default.

    With k arms each turns ``1.5 * 2 / k`` times and arm ``j`` starts ``j / k``
    of a turn further round, so neighbouring arms stay about 0.4 apart (the
    two-arm gap) and one noise scale fits every k; more arms are shorter,
    like a pinwheel, instead of crowding into a thin coil. (Ten arms still
    start close together at the centre, so there noise 0.5 mixes a little
    more: 15-nearest-neighbour accuracy 0.72, against 0.81-0.85 for 2-5 arms.)

    Parameters
    ----------
    classes : int
        Number of arms, in ``[2, 10]``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Arm labels ``0 .. classes - 1``, as balanced as ``n_samples`` allows.
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    k = _check_classes(classes)
    # Arc length grows with the radius; sqrt(u) spaces points evenly along the
    # arm instead of crowding the centre.
    t = np.sqrt(rng.uniform(0.0, 1.0, n_samples))
    arm = np.repeat(np.arange(k, dtype=np.float64), _k_class_sizes(n_samples, k))
    turns = _SPIRAL_TURNS * 2 / k
    r_start, r_end = _SPIRAL_RADII
    radius = r_start + (r_end - r_start) * t
    angle = 2 * np.pi * turns * t + 2 * np.pi * arm / k
    return _jitter(_polar(radius, angle), arm, noise * _NOISE_SCALE["spiral"], rng)


def _clouds(centres: list[tuple[float, float]], counts: list[int], rng) -> np.ndarray:
    """Gaussian clouds of std ``_BLOB_SPREAD``, ``counts[i]`` points around ``centres[i]``."""
    return np.concatenate(
        [rng.normal(c, _BLOB_SPREAD, (k, 2)) for c, k in zip(centres, counts, strict=True)]
    )


def make_gaussians(n_samples: int, noise: float, rng: np.random.Generator):
    """Two round Gaussian blobs on the diagonal: class 0 lower left, class 1 upper right.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    n0, n1 = _class_sizes(n_samples)
    c = _GAUSSIAN_CENTRE
    X = _clouds([(-c, -c), (c, c)], [n0, n1], rng)
    return _jitter(X, _labels(n0, n1), noise * _NOISE_SCALE["gaussians"], rng)


def make_xor_cloud(n_samples: int, noise: float, rng: np.random.Generator):
    """Four quadrant clouds labelled like XOR: class 1 where exactly one coordinate is positive.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    n0, n1 = _class_sizes(n_samples)
    c = _XOR_CENTRE
    # Same corner order as GATE_INPUTS with 0 -> -c and 1 -> +c, so the clouds
    # are literally a blurred XOR truth table.
    centres = [(-c, -c), (c, c), (-c, c), (c, -c)]
    counts = [n0 // 2, n0 - n0 // 2, n1 // 2, n1 - n1 // 2]
    X = _clouds(centres, counts, rng)
    return _jitter(X, _labels(n0, n1), noise * _NOISE_SCALE["xor-cloud"], rng)


def make_blobs(n_samples: int, noise: float, rng: np.random.Generator, classes: int = 3):
    """``classes`` round Gaussian blobs evenly spaced on a circle of radius 1.

    Class 0 sits at the top and the others follow anticlockwise. Each clean
    blob has standard deviation ``min(0.2, d / 8)``, ``d`` the distance between
    neighbouring centres, so ten blobs are still separable at noise 0. The
    jitter at noise 1 has standard deviation ``d`` for two blobs, as for
    ``gaussians``, and ``0.7 d`` for more: a blob with a neighbour on each side
    mixes sooner, and 0.7 puts noise 0.5 at the same 15-nearest-neighbour
    accuracy (0.82-0.85, measured for 3, 5 and 10 blobs) as the other sets.

    Parameters
    ----------
    classes : int
        Number of blobs, in ``[2, 10]``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Labels ``0 .. classes - 1``, as balanced as ``n_samples`` allows.
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    k = _check_classes(classes)
    angle = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = _BLOBS_RADIUS * np.column_stack([np.cos(angle), np.sin(angle)])
    neighbour_distance = 2 * _BLOBS_RADIUS * np.sin(np.pi / k)
    sizes = _k_class_sizes(n_samples, k)
    spread = min(_BLOB_SPREAD, neighbour_distance / 8)
    X = np.concatenate([rng.normal(c, spread, (m, 2)) for c, m in zip(centres, sizes, strict=True)])
    y = np.repeat(np.arange(k, dtype=np.float64), sizes)
    flanked = 1.0 if k == 2 else _BLOBS_FLANKED_NOISE
    return _jitter(X, y, noise * flanked * neighbour_distance, rng)


GENERATORS: dict[
    str, Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
] = {
    "circle": make_circle,
    "moons": make_moons,
    "spiral": make_spiral,
    "gaussians": make_gaussians,
    "xor-cloud": make_xor_cloud,
}
"""The two-class 2-D generators: ``(n_samples, noise, rng) -> (X, y)``."""

MULTICLASS_GENERATORS: dict[
    str, Callable[[int, float, np.random.Generator, int], tuple[np.ndarray, np.ndarray]]
] = {
    "blobs": make_blobs,
    "spiral": make_spiral,
}
"""2-D generators with any number of classes: ``(n_samples, noise, rng, classes)``."""

DEFAULT_CLASSES = {"blobs": 3, "spiral": 2}


# --- regression ---------------------------------------------------------------------------
#
# Inputs are drawn uniformly over the domain, then y = f(x) + noise. The 1-D
# curves are the textbook ones a network's hidden units can be seen adding up
# (a sine is bumps, a step is one steep sigmoid, |x| is two ramps). plane and
# multi-gauss are TensorFlow Playground's two regression sets (src/dataset.ts,
# regressPlane and regressGaussian) with its coordinates [-6, 6] scaled by 1/4
# onto this module's usual window [-1.5, 1.5]; the targets keep its values.

_PLAYGROUND_SCALE = 4.0  # TensorFlow Playground's coordinates per ours
_SQUARE = 1.5  # 2-D regression inputs: x1, x2 in [-1.5, 1.5]

# Jitter std of y at noise = 1: a quarter of the clean target's range.
_TARGET_NOISE = {
    "sine": 0.5,  # sin on [-pi, pi]: range 2
    "step": 0.25,  # 0 or 1
    "abs": 0.25,  # |x| on [-1, 1]: range 1
    "nielsen": 0.19,  # range 0.095 .. 0.853 on [0, 1]
    "plane": 0.6,  # range -1.2 .. 1.2
    "multi-gauss": 0.5,  # range -1 .. 1
}

# (x1, x2, sign) of TensorFlow Playground's six bumps, in its coordinates.
_PLAYGROUND_BUMPS = np.array(
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
    dtype=np.float64,
)
_PLAYGROUND_BUMPS.flags.writeable = False


def sine(x: np.ndarray) -> np.ndarray:
    """``sin(x)``."""
    return np.sin(x)


def step(x: np.ndarray) -> np.ndarray:
    """0 for ``x < 0``, 1 for ``x >= 0``."""
    return (x >= 0.0).astype(np.float64)


def nielsen(x: np.ndarray) -> np.ndarray:
    """``0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.05 cos(50 x)``.

    The function Michael Nielsen uses (Neural Networks and Deep Learning,
    chapter 4) to show that one hidden layer can approximate any curve.
    """
    return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15.0 * x) + 0.05 * np.cos(50.0 * x)


def plane(X: np.ndarray) -> np.ndarray:
    """TensorFlow Playground's tilted plane: ``(x1 + x2) / 10`` in its coordinates.

    Parameters
    ----------
    X : ndarray of shape (n, 2)

    Returns
    -------
    ndarray of shape (n,)
        ``0.4 (x1 + x2)``, between -1.2 and 1.2 on the square.
    """
    return (X[:, 0] + X[:, 1]) * _PLAYGROUND_SCALE / 10.0


def multi_gauss(X: np.ndarray) -> np.ndarray:
    """TensorFlow Playground's six bumps, alternately up and down.

    Each bump is ``sign * max(0, 1 - d / 2)`` for ``d`` the distance to its
    centre in the Playground's coordinates (a cone of radius 2 there, 0.5
    here); a point takes the bump of largest magnitude, the first on a tie.

    Parameters
    ----------
    X : ndarray of shape (n, 2)

    Returns
    -------
    ndarray of shape (n,)
        Values in ``[-1, 1]``.
    """
    P = X * _PLAYGROUND_SCALE
    d = np.hypot(P[:, None, 0] - _PLAYGROUND_BUMPS[:, 0], P[:, None, 1] - _PLAYGROUND_BUMPS[:, 1])
    bumps = _PLAYGROUND_BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)  # (n, 6)
    strongest = np.abs(bumps).argmax(axis=1)  # argmax keeps the first of equals
    return bumps[np.arange(len(X)), strongest]


def _curve(name: str, f: Callable, lo: float, hi: float, n_samples, noise, rng):
    """``x`` ``(n, 1)`` uniform in ``[lo, hi]`` and ``y = f(x) + noise`` ``(n, 1)``."""
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    x = rng.uniform(lo, hi, n_samples)
    return _noisy_targets(x[:, None], f(x), noise * _TARGET_NOISE[name], rng)


def _surface(name: str, f: Callable, n_samples, noise, rng):
    """``X`` ``(n, 2)`` uniform on the square and ``y = f(X) + noise`` ``(n, 1)``."""
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    X = rng.uniform(-_SQUARE, _SQUARE, (n_samples, 2))
    return _noisy_targets(X, f(X), noise * _TARGET_NOISE[name], rng)


def _noisy_targets(X: np.ndarray, y: np.ndarray, std: float, rng: np.random.Generator):
    # Always draw, as _jitter does, so the split drawn after it does not depend on noise.
    y = y + rng.normal(0.0, 1.0, y.shape) * std
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y[:, None])


def make_sine(n_samples: int, noise: float, rng: np.random.Generator):
    """``x`` uniform in [-pi, pi], ``y = sin(x)`` plus noise; both of shape (n_samples, 1)."""
    return _curve("sine", sine, -np.pi, np.pi, n_samples, noise, rng)


def make_step(n_samples: int, noise: float, rng: np.random.Generator):
    """``x`` uniform in [-1, 1], ``y = step(x)`` plus noise; both of shape (n_samples, 1)."""
    return _curve("step", step, -1.0, 1.0, n_samples, noise, rng)


def make_abs(n_samples: int, noise: float, rng: np.random.Generator):
    """``x`` uniform in [-1, 1], ``y = |x|`` plus noise; both of shape (n_samples, 1)."""
    return _curve("abs", np.abs, -1.0, 1.0, n_samples, noise, rng)


def make_nielsen(n_samples: int, noise: float, rng: np.random.Generator):
    """``x`` uniform in [0, 1], ``y = nielsen(x)`` plus noise; both of shape (n_samples, 1)."""
    return _curve("nielsen", nielsen, 0.0, 1.0, n_samples, noise, rng)


def make_plane(n_samples: int, noise: float, rng: np.random.Generator):
    """``X`` (n_samples, 2) uniform on [-1.5, 1.5]^2, ``y = plane(X)`` + noise (n_samples, 1)."""
    return _surface("plane", plane, n_samples, noise, rng)


def make_multi_gauss(n_samples: int, noise: float, rng: np.random.Generator):
    """``X`` (n_samples, 2) uniform on [-1.5, 1.5]^2, ``y = multi_gauss(X)`` + noise (n, 1)."""
    return _surface("multi-gauss", multi_gauss, n_samples, noise, rng)


REGRESSION_GENERATORS: dict[
    str, Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
] = {
    "sine": make_sine,
    "step": make_step,
    "abs": make_abs,
    "nielsen": make_nielsen,
    "plane": make_plane,
    "multi-gauss": make_multi_gauss,
}
"""Regression generators: ``(n_samples, noise, rng) -> (X (n, 1 or 2), y (n, 1))``."""

REGRESSION_FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sine": sine,
    "step": step,
    "abs": np.abs,
    "nielsen": nielsen,
    "plane": plane,
    "multi-gauss": multi_gauss,
}
"""Each regression set's clean ``f``: 1-D ones map ``x`` ``(n,)``, 2-D ones ``X`` ``(n, 2)``."""
