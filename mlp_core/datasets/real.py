"""Real data sets shipped with the app: iris, wine, breast cancer and 8x8 digits.

The arrays live in ``mlp_core/data/<name>.npz``, written once by
``scripts/make_real_datasets.py`` from scikit-learn's copies (which
``tests/test_real_datasets.py`` checks them against). They are read with
NumPy alone and no pickled objects, so nothing is downloaded at run time and
loading a file can never run code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .._validate import check_choice

DATA_DIR = Path(__file__).resolve().parents[1] / "data"

REAL_DATASETS: tuple[str, ...] = ("iris", "wine", "breast_cancer", "digits")

# Each row of digits is an 8x8 image read row by row (scikit-learn's pixel_r_c order).
IMAGE_SHAPES = {"digits": (8, 8)}


@dataclass(frozen=True, eq=False)
class RealData:
    """One shipped data set before splitting.

    Attributes
    ----------
    X : ndarray of shape (n, n_features)
        float64, read-only (shared by every session).
    y : ndarray of shape (n,)
        float64 class labels ``0 .. k-1``, read-only.
    feature_names : tuple of str, length n_features
    classes : tuple of str, length k
    image_shape : tuple of int or None
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    classes: tuple[str, ...]
    image_shape: tuple[int, int] | None


@cache
def load_real(name: str) -> RealData:
    """Read ``mlp_core/data/<name>.npz`` once per process.

    Parameters
    ----------
    name : str
        One of ``REAL_DATASETS``.

    Returns
    -------
    RealData
    """
    check_choice("name", name, REAL_DATASETS)
    with np.load(DATA_DIR / f"{name}.npz", allow_pickle=False) as npz:
        X = np.ascontiguousarray(npz["X"], dtype=np.float64)
        y = np.ascontiguousarray(npz["y"], dtype=np.float64)
        feature_names = tuple(str(f) for f in npz["feature_names"])
        classes = tuple(str(c) for c in npz["class_names"])
    # Cached and shared: read-only turns an accidental in-place edit into an error.
    X.flags.writeable = False
    y.flags.writeable = False
    return RealData(X, y, feature_names, classes, IMAGE_SHAPES.get(name))
