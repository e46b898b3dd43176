"""Data sets: the six logic gates, five 2-D generators and uploaded CSV files.

Everything ends up in a :class:`Dataset`: float64 train/test arrays with 0/1
labels. Generators take an explicit ``np.random.Generator`` so that a seed in
the UI reproduces the same points bit for bit, and so no code here ever touches
numpy's global random state.

``noise`` is Gaussian jitter added to a clean shape, with standard deviation
``noise * _NOISE_SCALE[name]``. The scales are calibrated so the slider reads
the same on every set: 0 is clean, 0.1 still looks clean, and at 0.5 roughly
one point in six sits among the other class (15-nearest-neighbour accuracy
about 0.8-0.85), which is what "heavily overlapping" looks like on screen.

CSV errors are :class:`CSVError` with a sentence meant for a student, naming
the line (1-based, as an editor shows it) wherever there is one.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validate import MAX_SEED, check_choice, check_float, check_int

__all__ = [
    "CSVError",
    "DATASET_NAMES",
    "Dataset",
    "GATES",
    "GATE_INPUTS",
    "GENERATORS",
    "MAX_CSV_BYTES",
    "MAX_CSV_FEATURES",
    "MAX_CSV_ROWS",
    "MAX_NOISE",
    "MAX_SAMPLES",
    "MIN_SAMPLES",
    "MAX_TEST_FRACTION",
    "gate_dataset",
    "load_csv",
    "make_circle",
    "make_dataset",
    "make_gaussians",
    "make_moons",
    "make_spiral",
    "make_xor_cloud",
]

MIN_SAMPLES = 10
MAX_SAMPLES = 2000
MAX_TEST_FRACTION = 0.9
MIN_TRAIN = 2
MAX_NOISE = 1.0

MAX_CSV_BYTES = 2_000_000
MAX_CSV_ROWS = 10_000
MAX_CSV_FEATURES = 32
MIN_CSV_ROWS = 4
# Larger magnitudes overflow when squared for the standard deviation, and a
# sigmoid network could not use them anyway.
MAX_CSV_ABS_VALUE = 1e12

# Generators are public building blocks (benchmarks may want bigger sets than
# the UI allows); this cap only keeps a typo from allocating gigabytes.
_GENERATOR_MAX_SAMPLES = 1_000_000


# --- the container --------------------------------------------------------------


# eq=False: the generated __eq__ would compare arrays with ==, which raises
# "truth value of an array is ambiguous"; identity equality is what callers get.
@dataclass(frozen=True, eq=False)
class Dataset:
    """A binary classification data set split into train and test parts.

    Parameters
    ----------
    name : str
        ``"or"``, ``"circle"``, ``"upload.csv"``, ...
    X_train : ndarray of shape (n_train, n_features)
        float64, C-contiguous.
    y_train : ndarray of shape (n_train,)
        float64, every value exactly 0.0 or 1.0.
    X_test : ndarray of shape (n_test, n_features)
        May have 0 rows (the gates have no test set).
    y_test : ndarray of shape (n_test,)
    feature_names : tuple of str, length n_features
    is_gate : bool
        True for the six logic gates.
    feature_mean, feature_scale : ndarray of shape (n_features,) or None
        Set when a CSV was standardized: the stored features are
        ``(raw - feature_mean) / feature_scale``, so new raw points can be
        mapped the same way.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    is_gate: bool = False
    feature_mean: np.ndarray | None = field(default=None, repr=False)
    feature_scale: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        # Coerce once here so every consumer (and the compiled kernels) can
        # rely on contiguous float64 without copying again.
        X_train = _as_matrix("X_train", self.X_train, None)
        n_features = X_train.shape[1]
        X_test = _as_matrix("X_test", self.X_test, n_features)
        y_train = _as_labels("y_train", self.y_train, X_train.shape[0])
        y_test = _as_labels("y_test", self.y_test, X_test.shape[0])
        if X_train.shape[0] < 1:
            raise ValueError("X_train must have at least 1 row, got 0")
        names = tuple(str(n) for n in self.feature_names)
        if len(names) != n_features:
            raise ValueError(
                f"feature_names must have {n_features} entries (one per column), got {len(names)}"
            )
        set_ = object.__setattr__  # the documented way to assign in a frozen dataclass
        set_(self, "X_train", X_train)
        set_(self, "X_test", X_test)
        set_(self, "y_train", y_train)
        set_(self, "y_test", y_test)
        set_(self, "feature_names", names)
        set_(self, "is_gate", bool(self.is_gate))
        for attr in ("feature_mean", "feature_scale"):
            value = getattr(self, attr)
            if value is not None:
                set_(self, attr, _as_vector(attr, value, n_features))

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        return self.X_test.shape[0]

    def bounds(self, margin: float = 0.1) -> tuple[float, float, float, float]:
        """Plot window ``(xmin, xmax, ymin, ymax)`` around the first two features.

        Parameters
        ----------
        margin : float
            Padding on each side as a fraction of that axis's data range
            (train and test points together).

        Returns
        -------
        tuple of 4 float
        """
        margin = check_float("margin", margin, 0.0, 10.0)
        if self.n_features < 2:
            raise ValueError(
                f"bounds needs at least 2 features, this data set has {self.n_features}"
            )
        points = np.concatenate([self.X_train[:, :2], self.X_test[:, :2]])
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = margin * (hi - lo)
        # Gates: the unit square needs room around its corners to show the
        # boundary. Anything else with a zero range (one distinct value) would
        # give an empty axis, so it gets the same fallback.
        floor = 0.5 if self.is_gate else np.where(hi > lo, 0.0, 0.5)
        pad = np.maximum(pad, floor)
        xmin, ymin = lo - pad
        xmax, ymax = hi + pad
        return float(xmin), float(xmax), float(ymin), float(ymax)


def _as_matrix(attr: str, value, n_features: int | None) -> np.ndarray:
    X = np.ascontiguousarray(value, dtype=np.float64)
    if n_features is not None and X.size == 0:
        # An empty test set may arrive as [] or shape (0,); give it the columns.
        X = np.empty((0, n_features), dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{attr} must be a 2-D array (rows, features), got {X.ndim}-D")
    if n_features is None and X.shape[1] < 1:
        raise ValueError(f"{attr} must have at least 1 feature column, got 0")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{attr} must have {n_features} columns like X_train, got {X.shape[1]}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{attr} must contain only finite numbers")
    return X


def _as_labels(attr: str, value, n_rows: int) -> np.ndarray:
    y = np.ascontiguousarray(value, dtype=np.float64).reshape(-1)
    if y.shape != (n_rows,):
        raise ValueError(f"{attr} must have shape ({n_rows},) to match its X, got {y.shape}")
    if not np.all((y == 0.0) | (y == 1.0)):
        raise ValueError(f"{attr} must contain only the labels 0 and 1")
    # "+ 0.0" turns any -0.0 into 0.0 so labels compare and hash identically.
    return y + 0.0


def _as_vector(attr: str, value, n_features: int) -> np.ndarray:
    v = np.ascontiguousarray(value, dtype=np.float64)
    if v.shape != (n_features,):
        raise ValueError(f"{attr} must have shape ({n_features},), got {v.shape}")
    return v


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
        ``("x1", "x2")``, ``is_gate=True``.
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
    )


# --- 2-D generators ---------------------------------------------------------------
#
# Each make_* draws a clean shape, then adds jitter of standard deviation
# noise * _NOISE_SCALE[name]. Points come out class 0 first, then class 1;
# make_dataset shuffles.

_CIRCLE_INNER = 0.5  # disk radius
_CIRCLE_RING = (1.0, 1.4)  # ring radii
_SPIRAL_RADII = (0.2, 1.4)
_SPIRAL_TURNS = 1.5
_BLOB_SPREAD = 0.2  # std of each clean cloud: tight enough to be separable at noise 0
_GAUSSIAN_CENTRE = 0.6  # classes at (-c, -c) and (c, c)
_XOR_CENTRE = 0.75  # clouds at (+-c, +-c)

# Jitter std at noise = 1. Measured, not derived: a thin curve (moons) needs
# more jitter than a pair of blobs before the classes mix, and the spiral's
# arms are only ~0.4 apart. See the module docstring for the target.
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


def make_spiral(n_samples: int, noise: float, rng: np.random.Generator):
    """Two interleaved spiral arms of about 1.5 turns each.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples, noise = _check_generator_args(n_samples, noise, rng)
    n0, n1 = _class_sizes(n_samples)
    # Arc length grows with the radius; sqrt(u) spaces points evenly along the
    # arm instead of crowding the centre.
    t = np.sqrt(rng.uniform(0.0, 1.0, n_samples))
    arm = _labels(n0, n1)  # the second arm is the first turned by half a turn
    r_start, r_end = _SPIRAL_RADII
    radius = r_start + (r_end - r_start) * t
    angle = 2 * np.pi * _SPIRAL_TURNS * t + np.pi * arm
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


GENERATORS: dict[
    str, Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]
] = {
    "circle": make_circle,
    "moons": make_moons,
    "spiral": make_spiral,
    "gaussians": make_gaussians,
    "xor-cloud": make_xor_cloud,
}

DATASET_NAMES: tuple[str, ...] = (*GATES, *GENERATORS)


# --- building a Dataset ----------------------------------------------------------------


def _check_test_fraction(test_fraction) -> float:
    return check_float("test_fraction", test_fraction, 0.0, MAX_TEST_FRACTION)


def _check_seed(seed) -> int:
    return check_int("seed", seed, 0, MAX_SEED)


def _n_test(n_rows: int, test_fraction: float) -> int:
    return round(n_rows * test_fraction)


def _split(X, y, test_fraction: float, rng: np.random.Generator):
    """Shuffle rows with ``rng`` and cut off the first ``round(n * test_fraction)`` as test.

    Returns
    -------
    X_train : ndarray of shape (n - n_test, n_features)
    y_train : ndarray of shape (n - n_test,)
    X_test : ndarray of shape (n_test, n_features)
    y_test : ndarray of shape (n_test,)
    """
    order = rng.permutation(len(y))
    n_test = _n_test(len(y), test_fraction)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def make_dataset(
    name: str,
    *,
    samples: int = 200,
    noise: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> Dataset:
    """A gate's truth table or a freshly generated, split 2-D data set.

    Parameters
    ----------
    name : str
        One of ``DATASET_NAMES``. For a gate the other arguments are ignored.
    samples : int
        Total points, train plus test, in ``[MIN_SAMPLES, MAX_SAMPLES]``.
    noise : float
        In ``[0, 1]``; see the module docstring.
    test_fraction : float
        In ``[0, MAX_TEST_FRACTION]``; ``round(samples * test_fraction)``
        points go to the test set, and at least 2 must stay for training.
    seed : int
        In ``[0, MAX_SEED]``. The same seed gives bit-identical arrays.

    Returns
    -------
    Dataset
        ``X_train`` ``(n_train, 2)``, ``X_test`` ``(n_test, 2)``, features
        ``("x1", "x2")``.
    """
    check_choice("name", name, DATASET_NAMES)
    if name in GATES:
        # Gates are fixed truth tables: the sliders for the generators may hold
        # any value when the student switches to a gate, so don't check them.
        return gate_dataset(name)
    samples = check_int("samples", samples, MIN_SAMPLES, MAX_SAMPLES)
    noise = check_float("noise", noise, 0.0, MAX_NOISE)
    test_fraction = _check_test_fraction(test_fraction)
    seed = _check_seed(seed)
    n_train = samples - _n_test(samples, test_fraction)
    if n_train < MIN_TRAIN:
        raise ValueError(
            f"test_fraction {test_fraction:g} leaves {n_train} of {samples} samples for "
            f"training; lower test_fraction or raise samples so at least {MIN_TRAIN} remain"
        )
    # One generator for drawing and splitting: the seed fixes both.
    rng = np.random.default_rng(seed)
    X, y = GENERATORS[name](samples, noise, rng)
    X_train, y_train, X_test, y_test = _split(X, y, test_fraction, rng)
    return Dataset(name, X_train, y_train, X_test, y_test, ("x1", "x2"), is_gate=False)


# --- CSV upload ---------------------------------------------------------------------------


class CSVError(ValueError):
    """An uploaded file was rejected; ``str(err)`` is one sentence for the student."""


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Plain decimal numbers only. float() alone would also accept "nan", "inf",
# "1_000" and non-ASCII digits, none of which belong in a student's CSV.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MISSING_WORDS = frozenset({"nan", "+nan", "-nan", "na", "n/a", "null", "none"})
_INFINITE_WORDS = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_SEPARATORS = {";": "semicolons (;)", "\t": "tabs"}
_QUOTE_LIMIT = 20


def _quote(text: str) -> str:
    """``text`` in quotes, shortened so one odd cell cannot flood the message."""
    if len(text) > _QUOTE_LIMIT:
        text = text[:_QUOTE_LIMIT] + "..."
    return f"'{text}'"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def _looks_like_utf16(data: bytes) -> bool:
    """True for a UTF-16 BOM, or NUL bytes sitting on every other byte as in UTF-16 text."""
    if data.startswith(_UTF16_BOMS):
        return True
    sample = data[:2000]
    zeros = sample.count(0)
    if zeros < len(sample) // 4:
        return False
    # ASCII text in UTF-16 puts all its NULs on one parity; binary scatters them.
    return max(sample[0::2].count(0), sample[1::2].count(0)) >= 0.9 * zeros


def _decode(data) -> str:
    """Check size and encoding of the raw upload and return its text without BOM."""
    if not isinstance(data, (bytes, bytearray)):
        raise ValueError(
            f"data must be bytes (the uploaded file's content), got {type(data).__name__}"
        )
    data = bytes(data)
    # Size first: nothing below should ever scan a huge upload.
    if len(data) > MAX_CSV_BYTES:
        # In bytes: rounded to MB, a file just over the limit read "2.0 MB, but files
        # may be at most 2 MB".
        raise CSVError(
            f"The file is {len(data):,} bytes, but files may be at most "
            f"{MAX_CSV_BYTES:,} bytes ({MAX_CSV_BYTES / 1e6:g} MB)."
        )
    if not data:
        raise CSVError("The file is empty.")
    if _looks_like_utf16(data):
        raise CSVError(
            "The file is saved as UTF-16; save it as UTF-8 CSV (comma-separated) instead."
        )
    if b"\x00" in data:
        raise CSVError("The file does not look like a text CSV: it contains binary data.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise CSVError(
            f"The file does not look like a text CSV: line {line} is not valid UTF-8 text "
            f"(save it as 'CSV UTF-8')."
        ) from None


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows as ``(line_number, stripped_fields)``, line numbers 1-based."""
    # Split on the three real line endings only: str.splitlines would also
    # break at form feeds and Unicode separators, and then line numbers would
    # no longer match what the student's editor shows.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reader = csv.reader(lines)
    rows = []
    try:
        for fields in reader:
            fields = [f.strip() for f in fields]
            # Spreadsheets export emptied rows as ",,,"; treat them as blank.
            if any(fields):
                rows.append((reader.line_num, fields))
    except csv.Error as err:
        raise CSVError(f"Line {reader.line_num} could not be read as CSV ({err}).") from None
    return rows


def _check_separator(line: int, fields: list[str]) -> None:
    for sep, what in _SEPARATORS.items():
        if any(sep in f for f in fields):
            raise CSVError(
                f"Line {line} uses {what} to separate values, but this app needs commas (,); "
                f"save the file as comma-separated CSV."
            )


def _is_float_like(text: str) -> bool:
    """Whether ``float()`` accepts ``text``: used only to tell a header from data."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_header(fields: list[str]) -> bool:
    # Lenient on purpose: a first row like "nan,1,0" or "1,,0" is data with a
    # bad cell, and should be reported as such rather than become names.
    return any(f and not _is_float_like(f) for f in fields)


def _header_names(line: int, fields: list[str]) -> tuple[str, ...]:
    for col, name in enumerate(fields, start=1):
        if not name:
            # An unnamed first column is almost always the row index that
            # pandas' to_csv writes by default.
            fix = (
                "if it holds row numbers (pandas writes them unless index=False), delete it"
                if col == 1
                else "give it a name or delete the column"
            )
            raise CSVError(f"Line {line}: column {col} of the header has no name; {fix}.")
    return tuple(fields[:-1])


def _check_shape(line: int, n_columns: int) -> None:
    if n_columns < 3:
        raise CSVError(
            f"Line {line} has {_plural(n_columns, 'column')}, but the file needs at least "
            f"three: two or more feature columns and a last column with the 0/1 label."
        )
    if n_columns - 1 > MAX_CSV_FEATURES:
        raise CSVError(
            f"Line {line} has {n_columns - 1:,} feature columns, but at most "
            f"{MAX_CSV_FEATURES} are allowed."
        )


def _check_row_count(n_rows: int, has_header: bool) -> None:
    if n_rows == 0 and has_header:
        raise CSVError("The file has a header row but no data rows.")
    if n_rows > MAX_CSV_ROWS:
        raise CSVError(
            f"The file has {n_rows:,} data rows, but at most {MAX_CSV_ROWS:,} are allowed."
        )
    if n_rows < MIN_CSV_ROWS:
        raise CSVError(
            f"The file has only {_plural(n_rows, 'data row')}; at least {MIN_CSV_ROWS} are needed."
        )


def _parse_value(text: str, line: int, col: int, is_label: bool) -> float:
    """One cell as a finite float, or a CSVError saying what is wrong with it."""
    where = f"Line {line}, column {col}" + (" (the label)" if is_label else "")
    if not text:
        raise CSVError(f"{where} is empty; every row needs a value in every column.")
    lowered = text.lower()
    if lowered in _MISSING_WORDS:
        raise CSVError(
            f"{where} is {_quote(text)}, a missing value (NaN); fill it in or delete the row."
        )
    if lowered in _INFINITE_WORDS:
        raise CSVError(
            f"{where} is {_quote(text)}, an infinite value; every value must be a finite number."
        )
    if not _NUMBER.fullmatch(text):
        hint = "; labels must be 0 or 1" if is_label else ""
        if _NUMBER.fullmatch(text.replace(",", ".", 1)):
            hint = "; use a dot (.) as the decimal point"
        raise CSVError(f"{where} has {_quote(text)}, which is not a number{hint}.")
    value = float(text)
    if not math.isfinite(value):
        raise CSVError(f"{where} is {_quote(text)}, which is too large to be a finite number.")
    if abs(value) > MAX_CSV_ABS_VALUE:
        raise CSVError(
            f"{where} has {_quote(text)}, which is too large; values must be between "
            f"-{MAX_CSV_ABS_VALUE:g} and {MAX_CSV_ABS_VALUE:g}."
        )
    return value


def _parse_rows(rows: list[tuple[int, list[str]]], n_columns: int, first_line: int):
    """Data rows to ``X`` ``(n, n_columns - 1)`` and ``y`` ``(n,)``."""
    X = np.empty((len(rows), n_columns - 1))
    y = np.empty(len(rows))
    for i, (line, fields) in enumerate(rows):
        if len(fields) != n_columns:
            raise CSVError(
                f"Line {line} has {_plural(len(fields), 'column')}, but line {first_line} has "
                f"{n_columns}; every row needs the same number of columns."
            )
        for col, text in enumerate(fields[:-1], start=1):
            X[i, col - 1] = _parse_value(text, line, col, is_label=False)
        label = _parse_value(fields[-1], line, n_columns, is_label=True)
        if label not in (0.0, 1.0):
            raise CSVError(
                f"Line {line} has the label {_quote(fields[-1])} in its last column, but labels "
                f"must be 0 or 1 (this app separates two classes)."
            )
        y[i] = label
    return X, y + 0.0  # + 0.0: a "-0" label becomes a plain 0.0


def _check_classes(y: np.ndarray) -> None:
    present = np.unique(y)
    if len(present) < 2:
        raise CSVError(
            f"Every row has the label {present[0]:g}; the file needs rows of both classes, 0 and 1."
        )


def _standardize(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z-scores of ``X`` ``(n, k)`` with the mean and scale ``(k,)`` used."""
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    # A constant column has no spread to divide by; centring it to 0 is enough.
    scale[scale == 0.0] = 1.0
    return (X - mean) / scale, mean, scale


def load_csv(
    data: bytes,
    *,
    name: str = "upload.csv",
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = True,
) -> Dataset:
    """Parse an uploaded CSV of numeric features and a last 0/1 label column.

    Parameters
    ----------
    data : bytes
        The raw file, at most ``MAX_CSV_BYTES``; UTF-8 with or without BOM.
    name : str
        Shown in the UI as the data set's name.
    test_fraction : float
        In ``[0, MAX_TEST_FRACTION]``; rows are shuffled with ``seed`` and
        ``round(n_rows * test_fraction)`` go to the test set.
    seed : int
        In ``[0, MAX_SEED]``.
    standardize : bool
        Z-score every feature with the mean and standard deviation of all rows
        (a constant column keeps scale 1); the ``Dataset`` then carries
        ``feature_mean`` and ``feature_scale`` of shape ``(n_features,)``.

    Returns
    -------
    Dataset
        ``X_train`` ``(n_train, n_features)`` etc., with feature names from
        the header row or ``x1 .. xk`` when there is none.

    Raises
    ------
    CSVError
        The file is not acceptable; the message is meant for the student.
    ValueError
        An argument other than ``data``'s content is out of range.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    test_fraction = _check_test_fraction(test_fraction)
    seed = _check_seed(seed)
    text = _decode(data)
    rows = _read_rows(text)
    if not rows:
        raise CSVError("The file is empty.")
    first_line, first = rows[0]
    _check_separator(first_line, first)
    _check_shape(first_line, len(first))
    has_header = _is_header(first)
    if has_header:
        feature_names = _header_names(first_line, first)
        rows = rows[1:]
    else:
        feature_names = tuple(f"x{i}" for i in range(1, len(first)))
    _check_row_count(len(rows), has_header)
    X, y = _parse_rows(rows, len(first), first_line)
    _check_classes(y)
    n_train = len(y) - _n_test(len(y), test_fraction)
    if n_train < MIN_TRAIN:
        raise CSVError(
            f"With {_plural(len(y), 'data row')} and a test fraction of {test_fraction:g}, only "
            f"{_plural(n_train, 'row')} would be left for training; lower the test fraction."
        )
    mean = scale = None
    if standardize:
        X, mean, scale = _standardize(X)
    X_train, y_train, X_test, y_test = _split(X, y, test_fraction, np.random.default_rng(seed))
    return Dataset(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        feature_names,
        is_gate=False,
        feature_mean=mean,
        feature_scale=scale,
    )
