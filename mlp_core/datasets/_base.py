"""The :class:`Dataset` container and what every source shares: splitting and standardizing."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._validate import MAX_SEED, check_float, check_int

TASKS = ("classify", "regress")
MAX_CLASSES = 10
MAX_TEST_FRACTION = 0.9
MIN_TRAIN = 2


def class_names(k: int) -> tuple[str, ...]:
    """``("class 0", ..., "class k-1")``: the names of classes that have no better ones."""
    return tuple(f"class {j}" for j in range(k))


def label_range(k: int) -> str:
    """How the messages write the allowed labels: ``0 and 1``, ``0, 1 and 2``, ``0 to 9``."""
    if k <= 3:
        return ", ".join(str(j) for j in range(k - 1)) + f" and {k - 1}"
    return f"0 to {k - 1}"


# eq=False: the generated __eq__ would compare arrays with ==, which raises
# "truth value of an array is ambiguous"; identity equality is what callers get.
@dataclass(frozen=True, eq=False)
class Dataset:
    """A classification or regression data set split into train and test parts.

    Parameters
    ----------
    name : str
        ``"or"``, ``"circle"``, ``"iris"``, ``"upload.csv"``, ...
    X_train : ndarray of shape (n_train, n_features)
        float64, C-contiguous.
    y_train : ndarray of shape (n_train,) or (n_train, n_targets)
        Classification: float64 class labels, every value one of
        ``0.0 .. n_classes - 1``. Regression: float64 targets of shape
        ``(n_train, n_targets)`` (a 1-D array is taken as one target).
    X_test : ndarray of shape (n_test, n_features)
        May have 0 rows (the gates have no test set).
    y_test : ndarray of shape (n_test,) or (n_test, n_targets)
    feature_names : tuple of str, length n_features
    is_gate : bool
        True for the six logic gates.
    feature_mean, feature_scale : ndarray of shape (n_features,) or None
        Set when the features were standardized: the stored features are
        ``(raw - feature_mean) / feature_scale``, both fitted on the training
        split, so new raw points can be mapped the same way.
    task : {"classify", "regress"}
    classes : tuple of str, length n_classes
        Class names, label ``j`` is ``classes[j]``. Empty for regression; for
        classification an empty tuple means two classes, ``("class 0", "class 1")``,
        which is what every data set was before there were more.
    target_names : tuple of str, length n_targets
        Regression only (empty for classification); defaults to ``("y",)`` for
        one target and ``("y1", ...)`` for more.
    image_shape : tuple of int or None
        ``(rows, cols)`` when each feature row is an image read row by row
        (digits: ``(8, 8)``), so views can draw it as one.
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
    task: str = "classify"
    classes: tuple[str, ...] = ()
    target_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None

    def __post_init__(self):
        # Coerce once here so every consumer (and the compiled kernels) can
        # rely on contiguous float64 without copying again.
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {self.task!r}")
        X_train = _as_matrix("X_train", self.X_train, None)
        n_features = X_train.shape[1]
        X_test = _as_matrix("X_test", self.X_test, n_features)
        if X_train.shape[0] < 1:
            raise ValueError("X_train must have at least 1 row, got 0")
        names = tuple(str(n) for n in self.feature_names)
        if len(names) != n_features:
            raise ValueError(
                f"feature_names must have {n_features} entries (one per column), got {len(names)}"
            )
        set_ = object.__setattr__  # the documented way to assign in a frozen dataclass
        if self.task == "classify":
            classes = tuple(str(c) for c in self.classes) or class_names(2)
            if not 2 <= len(classes) <= MAX_CLASSES:
                raise ValueError(
                    f"classes must name 2 to {MAX_CLASSES} classes, got {len(classes)}"
                )
            if self.target_names:
                raise ValueError("target_names is for regression; a classification set has none")
            y_train = _as_labels("y_train", self.y_train, X_train.shape[0], len(classes))
            y_test = _as_labels("y_test", self.y_test, X_test.shape[0], len(classes))
            set_(self, "classes", classes)
        else:
            if self.classes:
                raise ValueError("classes is for classification; a regression set has none")
            y_train = _as_targets("y_train", self.y_train, X_train.shape[0], None)
            n_targets = y_train.shape[1]
            y_test = _as_targets("y_test", self.y_test, X_test.shape[0], n_targets)
            targets = tuple(str(t) for t in self.target_names) or _target_names(n_targets)
            if len(targets) != n_targets:
                raise ValueError(
                    f"target_names must have {n_targets} entries (one per target column), "
                    f"got {len(targets)}"
                )
            set_(self, "target_names", targets)
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
        if self.image_shape is not None:
            shape = tuple(int(s) for s in self.image_shape)
            if len(shape) != 2 or shape[0] * shape[1] != n_features:
                raise ValueError(
                    f"image_shape must be (rows, cols) with rows * cols = {n_features}, "
                    f"got {self.image_shape}"
                )
            set_(self, "image_shape", shape)

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.X_train.shape[0]

    @property
    def n_test(self) -> int:
        return self.X_test.shape[0]

    @property
    def n_classes(self) -> int:
        """k for classification, 0 for regression."""
        return len(self.classes)

    @property
    def n_targets(self) -> int:
        """t for regression (columns of ``y_train``), 0 for classification."""
        return len(self.target_names)

    @property
    def default_outputs(self) -> tuple[str, int, str]:
        """The suggested ``(output_activation, n_outputs, loss)`` for this data set.

        Two classes: ``("sigmoid", 1, "bce")``; k > 2 classes:
        ``("softmax", k, "ce")``; regression with t targets:
        ``("linear", t, "mse")``. Only a suggestion: the settings decide (the
        gates keep the tutorial's sse there).
        """
        if self.task == "regress":
            return "linear", self.n_targets, "mse"
        if self.n_classes == 2:
            return "sigmoid", 1, "bce"
        return "softmax", self.n_classes, "ce"

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


def finished_dataset(name, X_train, y_train, X_test, y_test, feature_names, *,
                     standardize: bool, **labels) -> Dataset:
    """A split data set, its features standardized on the training rows when ``standardize``
    (the mean and scale kept in the Dataset); ``labels`` are the task's keyword fields."""
    mean = scale = None
    if standardize:
        X_train, X_test, mean, scale = standardize_features(X_train, X_test)
    return Dataset(name, X_train, y_train, X_test, y_test, tuple(feature_names),
                   is_gate=False, feature_mean=mean, feature_scale=scale, **labels)


def _target_names(n_targets: int) -> tuple[str, ...]:
    return ("y",) if n_targets == 1 else tuple(f"y{j}" for j in range(1, n_targets + 1))


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


def _as_labels(attr: str, value, n_rows: int, n_classes: int) -> np.ndarray:
    y = np.ascontiguousarray(value, dtype=np.float64).reshape(-1)
    if y.shape != (n_rows,):
        raise ValueError(f"{attr} must have shape ({n_rows},) to match its X, got {y.shape}")
    if not np.all(np.isin(y, np.arange(n_classes))):
        raise ValueError(f"{attr} must contain only the labels {label_range(n_classes)}")
    # "+ 0.0" turns any -0.0 into 0.0 so labels compare and hash identically.
    return y + 0.0


def _as_targets(attr: str, value, n_rows: int, n_targets: int | None) -> np.ndarray:
    y = np.ascontiguousarray(value, dtype=np.float64)
    if n_targets is not None and y.size == 0:
        y = np.empty((0, n_targets), dtype=np.float64)
    if y.ndim == 1:
        y = y.reshape(-1, 1)  # one target given as a plain vector
    if y.ndim != 2 or y.shape[0] != n_rows:
        raise ValueError(
            f"{attr} must have shape ({n_rows}, n_targets) to match its X, got {y.shape}"
        )
    if n_targets is None and y.shape[1] < 1:
        raise ValueError(f"{attr} must have at least 1 target column, got 0")
    if n_targets is not None and y.shape[1] != n_targets:
        raise ValueError(f"{attr} must have {n_targets} columns like y_train, got {y.shape[1]}")
    if not np.all(np.isfinite(y)):
        raise ValueError(f"{attr} must contain only finite numbers")
    return y


def _as_vector(attr: str, value, n_features: int) -> np.ndarray:
    v = np.ascontiguousarray(value, dtype=np.float64)
    if v.shape != (n_features,):
        raise ValueError(f"{attr} must have shape ({n_features},), got {v.shape}")
    return v


# --- shared argument checks -----------------------------------------------------------


def check_test_fraction(test_fraction) -> float:
    return check_float("test_fraction", test_fraction, 0.0, MAX_TEST_FRACTION)


def check_seed(seed) -> int:
    return check_int("seed", seed, 0, MAX_SEED)


def n_test_rows(n_rows: int, test_fraction: float) -> int:
    return round(n_rows * test_fraction)


# --- splitting ------------------------------------------------------------------------


def split(X, y, test_fraction: float, rng: np.random.Generator):
    """Shuffle rows with ``rng`` and cut off the first ``round(n * test_fraction)`` as test.

    Returns
    -------
    X_train : ndarray of shape (n - n_test, n_features)
    y_train : ndarray of shape (n - n_test,) or (n - n_test, n_targets)
    X_test : ndarray of shape (n_test, n_features)
    y_test : ndarray of shape (n_test,) or (n_test, n_targets)
    """
    order = rng.permutation(len(y))
    n_test = n_test_rows(len(y), test_fraction)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def stratified_split(X, y, test_fraction: float, rng: np.random.Generator):
    """Like :func:`split`, but each class sends its share of rows to the test set.

    The test set has exactly ``round(n * test_fraction)`` rows, as with
    :func:`split`; class ``c`` gets ``n_c * test_fraction`` of them, rounded by
    largest remainder (ties to the lower label) so the counts add up. Rows
    keep the order of one random permutation, so neither part is sorted by class.

    Parameters
    ----------
    X : ndarray of shape (n, n_features)
    y : ndarray of shape (n,)
        Class labels.

    Returns
    -------
    Same as :func:`split`.
    """
    order = rng.permutation(len(y))
    n_test = n_test_rows(len(y), test_fraction)
    labels, counts = np.unique(y, return_counts=True)
    exact = counts * test_fraction
    quota = np.floor(exact).astype(np.int64)
    # Stable sort: equal remainders keep label order, so ties go to the lower label.
    by_remainder = np.argsort(-(exact - quota), kind="stable")
    quota[by_remainder[: n_test - quota.sum()]] += 1
    shuffled = y[order]
    # Each class's first `quota` rows along the permutation go to the test set.
    in_test = np.zeros(len(y), dtype=bool)
    for label, q in zip(labels, quota, strict=True):
        in_test[np.flatnonzero(shuffled == label)[:q]] = True
    test, train = order[in_test], order[~in_test]
    return X[train], y[train], X[test], y[test]


def standardize_features(X_train: np.ndarray, X_test: np.ndarray):
    """Z-scores with the training split's mean and standard deviation.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, n_features)
    X_test : ndarray of shape (n_test, n_features)

    Returns
    -------
    X_train, X_test : ndarrays of the same shapes, transformed
    mean, scale : ndarrays of shape (n_features,)
        A constant feature (standard deviation 0, e.g. a digits pixel that is
        always blank) keeps scale 1: centring it to 0 is all there is to do.
    """
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale[scale == 0.0] = 1.0
    return (X_train - mean) / scale, (X_test - mean) / scale, mean, scale
