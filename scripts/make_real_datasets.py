"""Write the real data sets the app ships, mlp_core/data/<name>.npz, from scikit-learn's copies.

Run once, from the repository root, whenever the shipped files need remaking:

    python scripts/make_real_datasets.py

scikit-learn is a development dependency only (requirements-dev.txt): the app
reads the .npz files with NumPy and never imports it. Each file holds

- ``X``: the features, in the smallest dtype that holds them exactly (uint8
  for the digits' 0-16 pixel counts, float64 otherwise), rows as scikit-learn
  orders them;
- ``y``: the class labels 0..k-1, uint8;
- ``feature_names``, ``class_names``: unicode string arrays (no pickled objects,
  so ``np.load(..., allow_pickle=False)`` reads them).

tests/test_real_datasets.py checks the files against scikit-learn's arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn import datasets

OUT_DIR = Path(__file__).resolve().parents[1] / "mlp_core" / "data"

LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}


def exact_dtype(X: np.ndarray) -> np.dtype:
    """uint8 if every value is an integer in 0..255 (converts back exactly), else float64."""
    if np.all((np.round(X) == X) & (X >= 0) & (X <= 255)):
        return np.dtype(np.uint8)
    return np.dtype(np.float64)


def arrays(name: str) -> dict[str, np.ndarray]:
    bunch = LOADERS[name]()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target)
    assert np.array_equal(np.unique(y), np.arange(len(bunch.target_names)))
    feature_names = getattr(bunch, "feature_names", None)
    if feature_names is None or len(feature_names) != X.shape[1]:
        raise ValueError(f"{name}: scikit-learn gave no feature name per column")
    return {
        "X": X.astype(exact_dtype(X)),
        "y": y.astype(np.uint8),
        "feature_names": np.array([str(f) for f in feature_names]),
        "class_names": np.array([str(c) for c in bunch.target_names]),
    }


def main() -> None:
    OUT_DIR.mkdir(exist_ok=True)
    for name in LOADERS:
        path = OUT_DIR / f"{name}.npz"
        np.savez_compressed(path, **arrays(name))
        print(f"{path.relative_to(OUT_DIR.parents[1])}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
