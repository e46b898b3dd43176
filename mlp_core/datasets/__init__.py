"""Data sets: logic gates, generated shapes and curves, real data shipped with the app, CSV files.

Everything ends up in a :class:`Dataset`: float64 train/test arrays holding
class labels ``(n,)`` (``task == "classify"``) or regression targets
``(n, t)`` (``task == "regress"``). :func:`make_dataset` builds any named set;
:func:`load_csv` reads an upload. ``DATASET_INFO`` describes every named set
(label, one-line description, source, licence, inputs, classes) for the app
and the CLI.

Names come in groups, because the settings, the sidebar and the CLI were
written for two inputs and one sigmoid output: ``DATASET_NAMES`` (the gates and
the five two-class 2-D shapes) is what they offer today; ``MULTICLASS_DATASETS``,
``REGRESSION_DATASETS`` and ``REAL_DATASETS`` are the rest, and
``ALL_DATASET_NAMES`` is every name :func:`make_dataset` accepts.

Modules: ``_base`` (the container, splitting, standardizing), ``generated``
(gates and generators, with the noise conventions), ``real`` (the shipped
files), ``csvfile`` (uploads), ``drawn`` (points drawn by hand: ``DRAW``, which
lives in a person's session, so :func:`make_dataset` does not build it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import check_choice, check_float, check_int
from ._base import (
    MAX_CLASSES,
    MAX_TEST_FRACTION,
    MIN_TRAIN,
    TASKS,
    Dataset,
    check_seed,
    check_test_fraction,
    class_names,
    finished_dataset,
    n_test_rows,
    split,
    stratified_split,
)
from .csvfile import (
    CSV_TASKS,
    MAX_CSV_BYTES,
    MAX_CSV_FEATURES,
    MAX_CSV_ROWS,
    CSVError,
    load_csv,
)
from .drawn import (
    DRAW,
    DRAWN_CLASSES,
    MAX_DRAWN_POINTS,
    MIN_DRAWN_POINTS,
    Drawing,
)
from .generated import (
    DEFAULT_CLASSES,
    GATE_INPUTS,
    GATES,
    GENERATORS,
    MAX_NOISE,
    MIN_CLASSES,
    MULTICLASS_GENERATORS,
    REGRESSION_FUNCTIONS,
    REGRESSION_GENERATORS,
    gate_dataset,
    make_abs,
    make_blobs,
    make_circle,
    make_gaussians,
    make_moons,
    make_multi_gauss,
    make_nielsen,
    make_plane,
    make_sine,
    make_spiral,
    make_step,
    make_xor_cloud,
)
from .real import REAL_DATASETS, load_real

__all__ = [
    "ALL_DATASET_NAMES",
    "CSVError",
    "CSV_TASKS",
    "DATASET_INFO",
    "DATASET_NAMES",
    "DEFAULT_CLASSES",
    "DRAW",
    "DRAWN_CLASSES",
    "Drawing",
    "Dataset",
    "DatasetInfo",
    "GATES",
    "GATE_INPUTS",
    "GENERATORS",
    "MAX_CLASSES",
    "MAX_CSV_BYTES",
    "MAX_CSV_FEATURES",
    "MAX_CSV_ROWS",
    "MAX_DRAWN_POINTS",
    "MAX_NOISE",
    "MAX_SAMPLES",
    "MAX_TEST_FRACTION",
    "MIN_CLASSES",
    "MIN_DRAWN_POINTS",
    "MIN_SAMPLES",
    "MULTICLASS_DATASETS",
    "MULTICLASS_GENERATORS",
    "REAL_DATASETS",
    "REGRESSION_DATASETS",
    "REGRESSION_FUNCTIONS",
    "REGRESSION_GENERATORS",
    "TASKS",
    "gate_dataset",
    "load_csv",
    "load_real",
    "make_abs",
    "make_blobs",
    "make_circle",
    "make_dataset",
    "make_gaussians",
    "make_moons",
    "make_multi_gauss",
    "make_nielsen",
    "make_plane",
    "make_sine",
    "make_spiral",
    "make_step",
    "make_xor_cloud",
]

MIN_SAMPLES = 10
MAX_SAMPLES = 2000

DATASET_NAMES: tuple[str, ...] = (*GATES, *GENERATORS)
"""Two inputs, two classes: what the settings, sidebar and CLI offer today."""

MULTICLASS_DATASETS: tuple[str, ...] = tuple(
    n for n in MULTICLASS_GENERATORS if n not in GENERATORS
)
"""Generated 2-D sets with ``classes`` classes that are not in ``DATASET_NAMES`` (``blobs``).

``spiral`` also takes ``classes`` but keeps its two-class default, so it stays
in ``DATASET_NAMES``.
"""

REGRESSION_DATASETS: tuple[str, ...] = tuple(REGRESSION_GENERATORS)

ALL_DATASET_NAMES: tuple[str, ...] = (
    *DATASET_NAMES,
    *MULTICLASS_DATASETS,
    *REGRESSION_DATASETS,
    *REAL_DATASETS,
)


# --- what the app and the CLI say about each set -------------------------------------------


@dataclass(frozen=True)
class DatasetInfo:
    """What to tell a user about one named data set.

    Attributes
    ----------
    label : str
        Name shown in menus (``"XOR gate"``, ``"Breast cancer"``).
    description : str
        One line.
    kind : {"gate", "generated", "real"}
    task : {"classify", "regress"}
    n_inputs : int
        Feature columns.
    n_classes : int
        Classes with the default ``classes`` argument; 0 for regression.
    classes_range : tuple of 2 int or None
        ``(lo, hi)`` when ``make_dataset(..., classes=k)`` may pick k.
    source : str
        Where the data come from; for generated sets, what they follow.
    licence : str
        The data's licence ("none: generated here" for made-up sets).
    url : str
        The source's page, or ``""``.
    standardize : bool
        ``make_dataset``'s default: real sets are standardized on their
        training split, the 2-D shapes and curves are drawn in their own
        coordinates.
    """

    label: str
    description: str
    kind: str
    task: str
    n_inputs: int
    n_classes: int
    classes_range: tuple[int, int] | None
    source: str
    licence: str
    url: str = ""
    standardize: bool = False


_GENERATED = "none: generated here"
_UCI_LICENCE = "CC BY 4.0 (UCI Machine Learning Repository)"
_SKLEARN = "scikit-learn's copy (sklearn.datasets)"

_GATE_RULES = {
    "and": "1 only when both inputs are 1",
    "or": "1 when either input is 1",
    "nand": "0 only when both inputs are 1",
    "nor": "1 only when both inputs are 0",
    "xor": "1 when exactly one input is 1",
    "xnor": "1 when both inputs are equal",
}


def _gate_info(name: str) -> DatasetInfo:
    return DatasetInfo(
        label=f"{name.upper()} gate",
        description=f"The {name.upper()} truth table: the output is {_GATE_RULES[name]}.",
        kind="gate",
        task="classify",
        n_inputs=2,
        n_classes=2,
        classes_range=None,
        source="the tutorial's logic gates",
        licence=_GENERATED,
    )


def _shape(label: str, description: str, *, classes: int = 2,
           classes_range: tuple[int, int] | None = None, source: str = "") -> DatasetInfo:
    return DatasetInfo(
        label=label,
        description=description,
        kind="generated",
        task="classify",
        n_inputs=2,
        n_classes=classes,
        classes_range=classes_range,
        source=source or "generated here (mlp_core.datasets)",
        licence=_GENERATED,
    )


def _curve(label: str, description: str, n_inputs: int, source: str) -> DatasetInfo:
    return DatasetInfo(
        label=label,
        description=description,
        kind="generated",
        task="regress",
        n_inputs=n_inputs,
        n_classes=0,
        classes_range=None,
        source=source,
        licence=_GENERATED,
    )


def _real(
    label: str, description: str, n_inputs: int, n_classes: int, source: str, url: str
) -> DatasetInfo:
    return DatasetInfo(
        label=label,
        description=description,
        kind="real",
        task="classify",
        n_inputs=n_inputs,
        n_classes=n_classes,
        classes_range=None,
        source=f"UCI Machine Learning Repository: {source}; shipped from {_SKLEARN}",
        licence=_UCI_LICENCE,
        url=url,
        standardize=True,
    )


_PLAYGROUND = "TensorFlow Playground (src/dataset.ts, {}), coordinates scaled by 1/4"

DATASET_INFO: dict[str, DatasetInfo] = {
    **{name: _gate_info(name) for name in GATES},
    "circle": _shape("Circle", "A disk of class 0 inside a ring of class 1."),
    "moons": _shape("Moons", "Two interleaved half-moons."),
    "spiral": _shape(
        "Spiral", "Interleaved spiral arms, one per class (two unless classes is set).",
        classes=DEFAULT_CLASSES["spiral"], classes_range=(MIN_CLASSES, MAX_CLASSES)),
    "gaussians": _shape("Gaussians", "Two round Gaussian blobs on the diagonal."),
    "xor-cloud": _shape("Xor cloud", "Four noisy clouds at the corners, labelled like XOR."),
    "blobs": _shape(
        "Blobs", "Round Gaussian blobs evenly spaced on a circle, one per class (3 by default).",
        classes=DEFAULT_CLASSES["blobs"], classes_range=(MIN_CLASSES, MAX_CLASSES)),
    "sine": _curve("Sine", "y = sin(x) plus noise, x in [-pi, pi].", 1, "generated here"),
    "step": _curve("Step", "y = 0 for x < 0 and 1 for x >= 0, plus noise.", 1, "generated here"),
    "abs": _curve("Absolute value", "y = |x| plus noise, x in [-1, 1].", 1, "generated here"),
    "nielsen": _curve(
        "Nielsen's curve",
        "y = 0.2 + 0.4x^2 + 0.3x sin(15x) + 0.05 cos(50x) plus noise, x in [0, 1].",
        1,
        "Michael Nielsen, Neural Networks and Deep Learning, chapter 4",
    ),
    "plane": _curve(
        "Plane",
        "A tilted plane y = 0.4 (x1 + x2) plus noise.",
        2,
        _PLAYGROUND.format("regressPlane"),
    ),
    "multi-gauss": _curve(
        "Multi-Gaussian",
        "Six cone-shaped bumps, alternately up and down, plus noise.",
        2,
        _PLAYGROUND.format("regressGaussian"),
    ),
    "iris": _real(
        "Iris",
        "150 iris flowers: 4 sepal and petal measurements (cm) -> 3 species.",
        4,
        3,
        "Iris (R. A. Fisher, 1936; the values of Fisher's paper)",
        "https://archive.ics.uci.edu/dataset/53/iris",
    ),
    "wine": _real(
        "Wine",
        "178 Italian wines: 13 chemical measurements -> 3 grape cultivars.",
        13,
        3,
        "Wine (M. Forina et al., 1991)",
        "https://archive.ics.uci.edu/dataset/109/wine",
    ),
    "breast_cancer": _real(
        "Breast cancer",
        "569 breast masses: 30 measurements of cell nuclei in an image -> malignant or benign.",
        30,
        2,
        "Breast Cancer Wisconsin (Diagnostic) (W. Wolberg, W. N. Street, O. Mangasarian, 1995)",
        "https://archive.ics.uci.edu/dataset/17/breast+cancer+wisconsin+diagnostic",
    ),
    "digits": _real(
        "Digits (8x8)",
        "1,797 handwritten digits as 8x8 images of 0-16 ink counts: 64 pixels -> 10 digits.",
        64,
        10,
        "Optical Recognition of Handwritten Digits, its test set (E. Alpaydin, C. Kaynak, 1998)",
        "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
    ),
}


# --- building a Dataset ----------------------------------------------------------------


def make_dataset(
    name: str,
    *,
    samples: int = 200,
    noise: float = 0.1,
    test_fraction: float = 0.2,
    seed: int = 0,
    classes: int | None = None,
    standardize: bool | None = None,
) -> Dataset:
    """Any named data set, split into train and test parts.

    Parameters
    ----------
    name : str
        One of ``ALL_DATASET_NAMES``. For a gate the other arguments are ignored.
    samples : int
        Generated sets: total points, train plus test, in
        ``[MIN_SAMPLES, MAX_SAMPLES]``. Ignored by real sets (they have
        their rows).
    noise : float
        Generated sets: in ``[0, 1]``; see ``generated``'s docstring. Ignored
        by real sets.
    test_fraction : float
        In ``[0, MAX_TEST_FRACTION]``; ``round(n * test_fraction)`` rows go
        to the test set, and at least 2 must stay for training. Real sets
        split stratified (each class sends its share); generated sets are
        shuffled as a whole (their classes are balanced by construction).
    seed : int
        In ``[0, MAX_SEED]``. The same seed gives bit-identical arrays.
    classes : int or None
        Number of classes for ``blobs`` and ``spiral``, in ``[2, 10]``; None
        is their default (3 blobs, 2 spiral arms). Other sets have a fixed
        number and ignore it, as they ignore the sliders that do not apply.
    standardize : bool or None
        Z-score the features with the training split's mean and scale
        (stored in the ``Dataset``). None is the set's default,
        ``DATASET_INFO[name].standardize``: on for real sets, off for
        generated ones so they are drawn in their own coordinates.

    Returns
    -------
    Dataset
        ``X_train`` ``(n_train, n_inputs)``, ``X_test`` ``(n_test, n_inputs)``;
        labels ``(n,)`` or, for regression, targets ``(n, 1)``.
    """
    check_choice("name", name, ALL_DATASET_NAMES)
    if name in GATES:
        # Gates are fixed truth tables: the sliders for the generators may hold
        # any value when the student switches to a gate, so don't check them.
        return gate_dataset(name)
    test_fraction = check_test_fraction(test_fraction)
    seed = check_seed(seed)
    if standardize is None:
        standardize = DATASET_INFO[name].standardize
    elif not isinstance(standardize, (bool, np.bool_)):
        raise ValueError(f"standardize must be True, False or None, got {standardize!r}")
    # One generator for drawing and splitting: the seed fixes both.
    rng = np.random.default_rng(seed)
    if name in REAL_DATASETS:
        return _real_dataset(name, test_fraction, rng, bool(standardize))
    samples = check_int("samples", samples, MIN_SAMPLES, MAX_SAMPLES)
    noise = check_float("noise", noise, 0.0, MAX_NOISE)
    n_train = samples - n_test_rows(samples, test_fraction)
    if n_train < MIN_TRAIN:
        raise ValueError(
            f"test_fraction {test_fraction:g} leaves {n_train} of {samples} samples for "
            f"training; lower test_fraction or raise samples so at least {MIN_TRAIN} remain"
        )
    if name in REGRESSION_GENERATORS:
        X, y = REGRESSION_GENERATORS[name](samples, noise, rng)
        labels = {"task": "regress"}
    else:
        k = 2
        if name in MULTICLASS_GENERATORS:
            k = DEFAULT_CLASSES[name] if classes is None else classes
            X, y = MULTICLASS_GENERATORS[name](samples, noise, rng, k)
        else:
            X, y = GENERATORS[name](samples, noise, rng)
        labels = {"classes": class_names(int(k))}  # k was checked by the generator
    X_train, y_train, X_test, y_test = split(X, y, test_fraction, rng)
    return finished_dataset(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        _feature_names(X.shape[1]),
        standardize=bool(standardize),
        **labels,
    )


def _feature_names(n_inputs: int) -> tuple[str, ...]:
    return ("x",) if n_inputs == 1 else tuple(f"x{j}" for j in range(1, n_inputs + 1))


def _real_dataset(name: str, test_fraction: float, rng, use_standardize: bool) -> Dataset:
    real = load_real(name)
    X_train, y_train, X_test, y_test = stratified_split(real.X, real.y, test_fraction, rng)
    return finished_dataset(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        real.feature_names,
        standardize=use_standardize,
        classes=real.classes,
        image_shape=real.image_shape,
    )
