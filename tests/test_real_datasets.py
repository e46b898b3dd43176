"""The real data sets in mlp_core/data: equal to scikit-learn's, split and standardized right."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from mlp_core.datasets import DATASET_INFO, REAL_DATASETS, load_real, make_dataset

# name -> (rows, inputs, classes, rows per class): the sizes every description of these sets gives.
SIZES = {
    "iris": (150, 4, 3, [50, 50, 50]),
    "wine": (178, 13, 3, [59, 71, 48]),
    "breast_cancer": (569, 30, 2, [212, 357]),
    "digits": (1797, 64, 10, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]),
}


def sklearn_bunch(name: str):
    datasets = pytest.importorskip(
        "sklearn.datasets",
        reason="scikit-learn is not installed (pip install -r requirements-dev.txt); "
        "it is the reference the shipped arrays are checked against",
    )
    return getattr(datasets, f"load_{name}")()


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shipped_arrays_equal_scikit_learns(name):
    bunch = sklearn_bunch(name)
    real = load_real(name)
    assert real.X.dtype == np.float64 and real.y.dtype == np.float64
    np.testing.assert_array_equal(real.X, bunch.data)
    np.testing.assert_array_equal(real.y, bunch.target)
    assert real.feature_names == tuple(str(f) for f in bunch.feature_names)
    assert real.classes == tuple(str(c) for c in bunch.target_names)


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_shipped_sizes_and_class_counts(name):
    rows, inputs, k, per_class = SIZES[name]
    real = load_real(name)
    assert real.X.shape == (rows, inputs) and real.y.shape == (rows,)
    np.testing.assert_array_equal(np.bincount(real.y.astype(int)), per_class)
    info = DATASET_INFO[name]
    assert (info.kind, info.task, info.n_inputs, info.n_classes) == ("real", "classify", inputs, k)
    assert info.standardize and info.licence.startswith("CC BY 4.0") and "UCI" in info.source
    assert info.url.startswith("https://archive.ics.uci.edu/dataset/")


def test_shipped_files_are_small_and_hold_no_objects():
    for name in REAL_DATASETS:
        path = Path(__file__).resolve().parents[1] / "mlp_core" / "data" / f"{name}.npz"
        assert path.stat().st_size < 100_000, f"{path.name} should stay a small file"
        with np.load(path, allow_pickle=False) as npz:  # raises on any pickled object
            assert set(npz.files) == {"X", "y", "feature_names", "class_names"}


def test_shipped_arrays_are_read_only():
    with pytest.raises(ValueError):
        load_real("iris").X[0, 0] = 1.0


def test_runtime_never_imports_scikit_learn():
    # bench.py's --real measures against scikit-learn, imported inside that function only
    # (a dev extra); nothing else in the engine may name it.
    package = Path(__file__).resolve().parents[1] / "mlp_core"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if path.name == "bench.py" else ast.walk(tree)
        for node in nodes:
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "sklearn" for n in names), path


def test_digits_rows_are_8x8_images():
    ds = make_dataset("digits", standardize=False)
    assert ds.image_shape == (8, 8)
    bunch = sklearn_bunch("digits")
    # Row-major reshape of a row gives scikit-learn's image of that digit.
    row = load_real("digits").X[5]
    np.testing.assert_array_equal(row.reshape(ds.image_shape), bunch.images[5])


# --- the Dataset make_dataset builds from them ---------------------------------------------


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_make_dataset_split_shapes_and_names(name):
    rows, inputs, k, _ = SIZES[name]
    ds = make_dataset(name, test_fraction=0.25, seed=3)
    assert ds.task == "classify" and ds.n_classes == k and not ds.is_gate
    assert (ds.n_train + ds.n_test, ds.n_features) == (rows, inputs)
    assert ds.n_test == round(rows * 0.25)
    assert ds.feature_names == load_real(name).feature_names
    assert ds.classes == load_real(name).classes
    expected = ("sigmoid", 1, "bce") if k == 2 else ("softmax", k, "ce")
    assert ds.default_outputs == expected


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_split_is_stratified(name):
    ds = make_dataset(name, test_fraction=0.2, seed=11)
    per_class = np.bincount(load_real(name).y.astype(int))
    test_counts = np.bincount(ds.y_test.astype(int), minlength=len(per_class))
    # Each class sends its share, within the one row that rounding moves.
    assert np.all(np.abs(test_counts - per_class * 0.2) < 1.0)
    assert test_counts.sum() == round(per_class.sum() * 0.2)


def test_split_rows_are_the_original_rows_with_their_labels():
    real = load_real("wine")
    ds = make_dataset("wine", standardize=False, seed=4)
    original = {tuple(x) + (y,) for x, y in zip(real.X, real.y, strict=True)}
    split = [(ds.X_train, ds.y_train), (ds.X_test, ds.y_test)]
    got = [tuple(x) + (y,) for X, Y in split for x, y in zip(X, Y, strict=True)]
    assert sorted(got) == sorted(original) and len(got) == len(real.y)
    # Neither part comes out sorted by class.
    assert np.any(np.diff(ds.y_train) < 0)


def test_split_is_seeded():
    a, b = make_dataset("iris", seed=5), make_dataset("iris", seed=5)
    c = make_dataset("iris", seed=6)
    assert a.X_train.tobytes() == b.X_train.tobytes() and a.y_test.tobytes() == b.y_test.tobytes()
    assert not np.array_equal(a.X_train, c.X_train)


def test_real_sets_ignore_the_generator_sliders():
    a = make_dataset("iris", seed=2)
    b = make_dataset("iris", seed=2, samples=5, noise=9, classes=7)
    assert a.X_train.tobytes() == b.X_train.tobytes()


@pytest.mark.parametrize("name", REAL_DATASETS)
def test_standardized_on_the_training_split(name):
    raw = make_dataset(name, standardize=False, test_fraction=0.3, seed=8)
    ds = make_dataset(name, test_fraction=0.3, seed=8)  # standardize is the default
    assert raw.feature_mean is None and raw.feature_scale is None
    # Same seed, same split: the standardized set is the raw one transformed.
    np.testing.assert_array_equal(ds.y_train, raw.y_train)
    mean, std = raw.X_train.mean(axis=0), raw.X_train.std(axis=0)
    constant = std == 0
    np.testing.assert_allclose(ds.feature_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(ds.feature_scale, np.where(constant, 1.0, std), rtol=1e-12)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), np.where(constant, 0.0, 1.0), atol=1e-12)
    # The test rows are mapped with the training rows' statistics, not their own.
    np.testing.assert_allclose(ds.X_test, (raw.X_test - mean) / ds.feature_scale, atol=1e-12)
    assert not np.allclose(ds.X_test.mean(axis=0)[~constant], 0.0, atol=1e-6)


def test_constant_digits_pixels_keep_scale_one():
    ds = make_dataset("digits", seed=0)
    raw = make_dataset("digits", seed=0, standardize=False)
    blank = raw.X_train.std(axis=0) == 0
    assert blank.any(), "some corner pixels of the digits are always blank"
    np.testing.assert_array_equal(ds.feature_scale[blank], 1.0)
    assert np.all(np.isfinite(ds.X_test))
