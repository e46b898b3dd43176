"""Tests for mlp_core.datasets: gates, generators, regression curves, splitting and CSV upload."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from mlp_core.datasets import (
    ALL_DATASET_NAMES,
    DATASET_INFO,
    DATASET_NAMES,
    GATE_INPUTS,
    GATES,
    GENERATORS,
    MAX_CSV_BYTES,
    MAX_CSV_FEATURES,
    MAX_CSV_ROWS,
    MULTICLASS_DATASETS,
    MULTICLASS_GENERATORS,
    REAL_DATASETS,
    REGRESSION_DATASETS,
    REGRESSION_FUNCTIONS,
    REGRESSION_GENERATORS,
    CSVError,
    Dataset,
    gate_dataset,
    load_csv,
    make_blobs,
    make_dataset,
    make_spiral,
)

GATE_NAMES = ("and", "or", "nand", "nor", "xor", "xnor")
GENERATOR_NAMES = ("circle", "moons", "spiral", "gaussians", "xor-cloud")


def csv_bytes(*lines: str, newline: str = "\n") -> bytes:
    return (newline.join(lines) + newline).encode("utf-8")


GOOD_ROWS = ("0,0,0", "0,1,1", "1,0,1", "1,1,0", "2,3,1", "-1,0.5,0")


def nn_accuracy(X: np.ndarray, y: np.ndarray) -> float:
    """Leave-one-out 1-nearest-neighbour accuracy: a model-free separability measure."""
    d = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(d, np.inf)
    return float((y[d.argmin(axis=1)] == y).mean())


def all_points(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([ds.X_train, ds.X_test]), np.concatenate([ds.y_train, ds.y_test])


def assert_well_formed(ds: Dataset, n_features: int) -> None:
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        assert X.dtype == np.float64 and y.dtype == np.float64
        assert X.flags.c_contiguous and y.flags.c_contiguous
        assert X.ndim == 2 and X.shape[1] == n_features
        assert y.shape == (X.shape[0],)
        assert set(np.unique(y)) <= {0.0, 1.0}
    assert ds.n_features == n_features == len(ds.feature_names)
    assert ds.n_train == len(ds.y_train) and ds.n_test == len(ds.y_test)


# --- gates -----------------------------------------------------------------------------


TRUTH_TABLES = {
    "and": [0, 0, 0, 1],
    "or": [0, 1, 1, 1],
    "nand": [1, 1, 1, 0],
    "nor": [1, 0, 0, 0],
    "xor": [0, 1, 1, 0],
    "xnor": [1, 0, 0, 1],
}


def test_gate_inputs_are_the_four_corners_in_order():
    assert GATE_INPUTS.dtype == np.float64
    np.testing.assert_array_equal(GATE_INPUTS, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_gate_tables_are_exact():
    assert tuple(GATES) == GATE_NAMES
    for name, expected in TRUTH_TABLES.items():
        np.testing.assert_array_equal(GATES[name], expected)
        assert GATES[name].shape == (4,)


def test_gate_tables_cannot_be_edited_in_place():
    with pytest.raises(ValueError):
        GATES["and"][0] = 1.0
    with pytest.raises(ValueError):
        GATE_INPUTS[0, 0] = 1.0


@pytest.mark.parametrize("name", GATE_NAMES)
def test_gate_dataset(name):
    ds = gate_dataset(name)
    assert_well_formed(ds, 2)
    assert ds.name == name and ds.is_gate
    assert ds.feature_names == ("x1", "x2")
    assert (ds.n_train, ds.n_test) == (4, 0)
    np.testing.assert_array_equal(ds.X_train, GATE_INPUTS)
    np.testing.assert_array_equal(ds.y_train, TRUTH_TABLES[name])
    # The dataset owns copies: editing it leaves the shared table intact.
    ds.y_train[0] = 1 - ds.y_train[0]
    np.testing.assert_array_equal(GATES[name], TRUTH_TABLES[name])


def test_make_dataset_with_a_gate_ignores_the_generator_arguments():
    ds = make_dataset("xor", samples=1, noise=5, test_fraction=2, seed=-1)
    np.testing.assert_array_equal(ds.y_train, TRUTH_TABLES["xor"])
    assert ds.n_test == 0


def test_unknown_gate_lists_the_gates():
    with pytest.raises(ValueError, match=r"name must be one of and, or, nand, nor, xor, xnor"):
        gate_dataset("circle")


def test_dataset_names_gates_then_generators():
    assert DATASET_NAMES == GATE_NAMES + GENERATOR_NAMES
    assert tuple(GENERATORS) == GENERATOR_NAMES


# --- generators ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATOR_NAMES)
@pytest.mark.parametrize("n", [2, 3, 11, 200, 2000])
def test_generator_shapes_dtypes_and_balance(name, n):
    X, y = GENERATORS[name](n, 0.1, np.random.default_rng(1))
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert X.flags.c_contiguous
    assert np.all(np.isfinite(X))
    assert int((y == 0).sum()) == n // 2
    assert int((y == 1).sum()) == n - n // 2


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_clean_generators_stay_near_the_unit_square_and_separate(name):
    X, y = GENERATORS[name](300, 0.0, np.random.default_rng(2))
    assert np.abs(X).max() < 1.8
    assert nn_accuracy(X, y) >= 0.98


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_noise_makes_classes_overlap(name):
    rng_clean, rng_noisy = np.random.default_rng(3), np.random.default_rng(3)
    clean = nn_accuracy(*GENERATORS[name](300, 0.0, rng_clean))
    noisy = nn_accuracy(*GENERATORS[name](300, 0.5, rng_noisy))
    assert noisy < 0.95 and noisy < clean


def test_clean_gaussians_split_by_the_anti_diagonal():
    X, y = GENERATORS["gaussians"](400, 0.0, np.random.default_rng(4))
    np.testing.assert_array_equal(X.sum(axis=1) > 0, y == 1)


def test_clean_circle_split_by_radius():
    X, y = GENERATORS["circle"](400, 0.0, np.random.default_rng(4))
    np.testing.assert_array_equal(np.hypot(X[:, 0], X[:, 1]) > 0.75, y == 1)


def test_clean_xor_cloud_labelled_like_xor():
    X, y = GENERATORS["xor-cloud"](400, 0.0, np.random.default_rng(4))
    np.testing.assert_array_equal((X[:, 0] > 0) != (X[:, 1] > 0), y == 1)


@pytest.mark.parametrize(
    ("args", "param"),
    [
        ((1, 0.1, None), "n_samples"),
        ((10.5, 0.1, None), "n_samples"),
        ((10, -0.1, None), "noise"),
        ((10, 1.5, None), "noise"),
        ((10, 0.1, 42), "rng"),
    ],
)
def test_generator_argument_errors_name_the_parameter(args, param):
    n, noise, rng = args
    rng = np.random.default_rng(0) if rng is None else rng
    with pytest.raises(ValueError, match=rf"^{param} must be"):
        GENERATORS["moons"](n, noise, rng)


# --- make_dataset -----------------------------------------------------------------------


@pytest.mark.parametrize("name", GENERATOR_NAMES)
def test_same_seed_is_bit_identical_and_other_seed_differs(name):
    a = make_dataset(name, samples=120, noise=0.2, seed=7)
    b = make_dataset(name, samples=120, noise=0.2, seed=7)
    c = make_dataset(name, samples=120, noise=0.2, seed=8)
    for attr in ("X_train", "y_train", "X_test", "y_test"):
        assert getattr(a, attr).tobytes() == getattr(b, attr).tobytes()
    assert not np.array_equal(a.X_train, c.X_train)


def test_seed_changes_points_even_without_noise():
    a = make_dataset("moons", noise=0.0, seed=1)
    b = make_dataset("moons", noise=0.0, seed=2)
    assert not np.array_equal(np.sort(all_points(a)[0], axis=0), np.sort(all_points(b)[0], axis=0))


@pytest.mark.parametrize(
    ("samples", "test_fraction", "n_test"),
    [(10, 0.0, 0), (10, 0.2, 2), (200, 0.2, 40), (201, 0.25, 50), (2000, 0.9, 1800), (15, 0.5, 8)],
)
def test_split_sizes(samples, test_fraction, n_test):
    ds = make_dataset("circle", samples=samples, test_fraction=test_fraction)
    assert_well_formed(ds, 2)
    assert (ds.n_train, ds.n_test) == (samples - n_test, n_test)
    assert not ds.is_gate and ds.name == "circle"
    # Splitting moves points around but never loses or relabels them.
    _, y = all_points(ds)
    assert int(y.sum()) == samples - samples // 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"samples": 5}, r"samples must be an integer in \[10, 2,000\], got 5"),
        ({"samples": 2001}, r"samples must be an integer in \[10, 2,000\]"),
        ({"samples": 10.5}, r"samples must be an integer"),
        ({"samples": True}, r"samples must be an integer"),
        ({"noise": -0.1}, r"noise must be a number in \[0, 1\]"),
        ({"noise": 1.01}, r"noise must be a number in \[0, 1\]"),
        ({"noise": float("nan")}, r"noise must be a finite number in \[0, 1\]"),
        ({"test_fraction": -0.1}, r"test_fraction must be a number in \[0, 0.9\]"),
        ({"test_fraction": 0.95}, r"test_fraction must be a number in \[0, 0.9\]"),
        ({"samples": 10, "test_fraction": 0.9}, r"test_fraction 0.9 leaves 1 of 10 samples"),
        ({"seed": -1}, r"seed must be an integer in \[0, 4,294,967,295\]"),
        ({"seed": 2**32}, r"seed must be an integer in \[0, 4,294,967,295\]"),
        ({"seed": 1.5}, r"seed must be an integer"),
    ],
)
def test_make_dataset_errors_name_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dataset("spiral", **kwargs)


def test_make_dataset_accepts_the_range_ends():
    make_dataset("spiral", samples=10, noise=0.0, test_fraction=0.8, seed=0)
    make_dataset("spiral", samples=2000, noise=1.0, test_fraction=0.9, seed=2**32 - 1)


def test_unknown_dataset_lists_known_names():
    known = (
        r"name must be one of and, .*, xnor, circle, moons, spiral, gaussians, xor-cloud, "
        r"blobs, sine, .*, iris, wine, breast_cancer, digits; got 'mnist'"
    )
    with pytest.raises(ValueError, match=known):
        make_dataset("mnist")


# --- Dataset --------------------------------------------------------------------------


def test_gate_bounds_leave_room_around_the_unit_square():
    assert gate_dataset("and").bounds() == (-0.5, 1.5, -0.5, 1.5)


def test_bounds_pad_by_margin_over_train_and_test():
    ds = make_dataset("gaussians", samples=100)
    X, _ = all_points(ds)
    xmin, xmax, ymin, ymax = ds.bounds(margin=0.1)
    (lo_x, lo_y), (hi_x, hi_y) = X.min(axis=0), X.max(axis=0)
    assert xmin == pytest.approx(lo_x - 0.1 * (hi_x - lo_x))
    assert xmax == pytest.approx(hi_x + 0.1 * (hi_x - lo_x))
    assert ymin == pytest.approx(lo_y - 0.1 * (hi_y - lo_y))
    assert ymax == pytest.approx(hi_y + 0.1 * (hi_y - lo_y))
    assert all(isinstance(v, float) for v in (xmin, xmax, ymin, ymax))
    with pytest.raises(ValueError, match=r"margin must be a number in \[0, 10\]"):
        ds.bounds(margin=-1)


def test_dataset_coerces_and_validates():
    ds = Dataset("t", [[1, 2], [3, 4]], [0, 1], [], [], ["a", "b"], False)
    assert_well_formed(ds, 2)
    assert ds.X_test.shape == (0, 2) and ds.feature_names == ("a", "b")
    assert ds.feature_mean is None and ds.feature_scale is None
    with pytest.raises(ValueError, match="y_train must contain only the labels 0 and 1"):
        Dataset("t", [[1, 2]], [2], [], [], ("a", "b"), False)
    with pytest.raises(ValueError, match=r"y_train must have shape \(1,\)"):
        Dataset("t", [[1, 2]], [0, 1], [], [], ("a", "b"), False)
    with pytest.raises(ValueError, match="X_test must have 2 columns"):
        Dataset("t", [[1, 2]], [0], [[1, 2, 3]], [1], ("a", "b"), False)
    with pytest.raises(ValueError, match="feature_names must have 2 entries"):
        Dataset("t", [[1, 2]], [0], [], [], ("a",), False)
    with pytest.raises(ValueError, match=r"feature_mean must have shape \(2,\)"):
        Dataset("t", [[1, 2]], [0], [], [], ("a", "b"), False, feature_mean=[0.0])


def test_dataset_is_frozen_and_picklable():
    ds = make_dataset("moons", samples=20)
    with pytest.raises(AttributeError):
        ds.name = "other"
    copy = pickle.loads(pickle.dumps(ds))
    np.testing.assert_array_equal(copy.X_train, ds.X_train)
    assert copy.name == ds.name


# --- CSV: accepted files ---------------------------------------------------------------


def test_csv_without_header_gets_x_names():
    ds = load_csv(csv_bytes(*GOOD_ROWS), test_fraction=0.0, standardize=False)
    assert_well_formed(ds, 2)
    assert ds.feature_names == ("x1", "x2") and ds.name == "upload.csv"
    assert (ds.n_train, ds.n_test) == (6, 0)
    assert ds.feature_mean is None and ds.feature_scale is None
    rows = {tuple(r) for r in np.column_stack([ds.X_train, ds.y_train])}
    assert rows == {tuple(map(float, line.split(","))) for line in GOOD_ROWS}


def test_csv_header_gives_feature_names():
    rows = [r[:-1] + "5," + r[-1] for r in GOOD_ROWS]
    ds = load_csv(csv_bytes("height, weight ,age,label", *rows))
    assert ds.feature_names == ("height", "weight", "age")
    assert ds.n_features == 3


def test_csv_quoted_header_is_read():
    ds = load_csv(csv_bytes('"petal length","petal width","is setosa"', *GOOD_ROWS))
    assert ds.feature_names == ("petal length", "petal width")


def test_csv_tolerates_bom_crlf_blank_lines_trailing_space_and_number_spellings():
    lines = ["\ufeffa,b,y", "", "1,2e3,0   ", " ,, ", "-4.5,.5,1", "+3,1E-2,1.0", "7.,0,0"]
    lines += ["", "  "]
    ds = load_csv(csv_bytes(*lines, newline="\r\n"), test_fraction=0.0, standardize=False)
    assert ds.feature_names == ("a", "b")
    got = sorted(map(tuple, np.column_stack([ds.X_train, ds.y_train])))
    assert got == sorted([(1, 2000, 0), (-4.5, 0.5, 1), (3, 0.01, 1), (7, 0, 0)])


def test_csv_standardization_is_fitted_on_the_training_rows():
    rng = np.random.default_rng(5)
    raw = np.column_stack([rng.normal(50, 10, 200), rng.normal(-3, 0.1, 200), np.full(200, 7.0)])
    labels = np.arange(200) % 2
    lines = [
        ",".join(map(repr, row.tolist())) + f",{lab}" for row, lab in zip(raw, labels, strict=True)
    ]
    ds = load_csv(csv_bytes(*lines), test_fraction=0.25)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), [1.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_array_equal(ds.feature_scale[2], 1.0)  # the constant column
    # Undoing the stored transform gives back raw rows: train and test alike,
    # so the test rows were mapped with the training rows' mean and scale.
    raw_rows = {tuple(np.round(r, 9)) for r in raw}
    for X in (ds.X_train, ds.X_test):
        back = X * ds.feature_scale + ds.feature_mean
        assert {tuple(np.round(r, 9)) for r in back} <= raw_rows
    train_raw = ds.X_train * ds.feature_scale + ds.feature_mean
    np.testing.assert_allclose(ds.feature_mean, train_raw.mean(axis=0))
    assert not np.allclose(ds.feature_mean, raw.mean(axis=0), rtol=0, atol=1e-9)


def test_csv_split_is_seeded():
    data = csv_bytes(*[f"{i},{i * i},{i % 2}" for i in range(40)])
    a, b = load_csv(data, seed=3), load_csv(data, seed=3)
    c = load_csv(data, seed=4)
    assert (a.n_train, a.n_test) == (32, 8)
    assert a.X_train.tobytes() == b.X_train.tobytes()
    assert not np.array_equal(a.X_train, c.X_train)


def test_csv_at_the_limits_loads():
    many_rows = csv_bytes(*[f"{i},{-i},{i % 2}" for i in range(MAX_CSV_ROWS)])
    assert load_csv(many_rows).n_train == MAX_CSV_ROWS * 4 // 5
    wide = ",".join(["1"] * MAX_CSV_FEATURES)
    widest = load_csv(csv_bytes(*[f"{wide},{i % 2}" for i in range(4)]))
    assert widest.n_features == MAX_CSV_FEATURES


# --- CSV: rejected files ---------------------------------------------------------------


def utf16(text: str, encoding: str) -> bytes:
    return text.encode(encoding)


def reject(id_: str, data: bytes, message: str):
    return pytest.param(data, message, id=id_)


ROWS_4 = GOOD_ROWS[:4]

REJECTIONS = [
    reject("empty", b"", "The file is empty."),
    reject("only blank lines", b"\n  \r\n\n", "The file is empty."),
    reject("header only", csv_bytes("a,b,label"), "The file has a header row but no data rows."),
    reject(
        "NUL bytes",
        b"1,2,0\n\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\n",
        "The file does not look like a text CSV",
    ),
    reject(
        "not UTF-8",
        b"a,b,y\n1,2,0\nd\xe9j\xe0,1,1\n",
        "The file does not look like a text CSV: line 3 is not valid UTF-8",
    ),
    reject(
        "UTF-16 LE BOM",
        "a,b,y\n1,2,0\n".encode("utf-16"),
        "saved as UTF-16; save it as UTF-8 CSV",
    ),
    reject(
        "UTF-16 BE BOM",
        b"\xfe\xff" + "a,b,y\n".encode("utf-16-be"),
        "saved as UTF-16; save it as UTF-8 CSV",
    ),
    reject(
        "UTF-16 without BOM",
        "a,b,y\n1,2,0\n0,0,1\n".encode("utf-16-le"),
        "saved as UTF-16; save it as UTF-8 CSV",
    ),
    reject(
        "semicolons",
        csv_bytes("a;b;y", "1;2;0"),
        "Line 1 uses semicolons (;) to separate values, but this app needs commas",
    ),
    reject("decimal commas", csv_bytes("1,5;2,5;0", "1,0;2,0;1"), "uses semicolons (;)"),
    reject(
        "tabs",
        csv_bytes("a\tb\ty", "1\t2\t0"),
        "Line 1 uses tabs to separate values, but this app needs commas",
    ),
    reject(
        "two columns",
        csv_bytes("x,label", "1,0"),
        "Line 1 has 2 columns, but the file needs at least three: two or more feature columns",
    ),
    reject(
        "one column",
        csv_bytes("1 2 0", "3 4 1"),
        "Line 1 has 1 column, but the file needs at least three",
    ),
    reject(
        "ragged row",
        csv_bytes("a,b,y", "1,2,0", "", "3,4,1", "5,6", "7,8,1"),
        "Line 5 has 2 columns, but line 1 has 3; every row needs the same number of columns.",
    ),
    reject(
        "non-numeric",
        csv_bytes("a,b,y", "1,2,0", "3,4,1", "5,abcdefghijklmnopqrstuvwxyz,0", "7,8,1"),
        "Line 4, column 2 has 'abcdefghijklmnopqrst...', which is not a number.",
    ),
    reject(
        "underscore number",
        csv_bytes(*ROWS_4, "1_000,2,0"),
        "Line 5, column 1 has '1_000', which is not a number",
    ),
    reject(
        "NaN",
        csv_bytes(*ROWS_4[:2], "nan,1,0", *ROWS_4[2:]),
        "Line 3, column 1 is 'nan', a missing value",
    ),
    reject(
        "NA",
        csv_bytes("a,b,y", *ROWS_4, "1,NA,0"),
        "Line 6, column 2 is 'NA', a missing value",
    ),
    reject(
        "inf",
        csv_bytes(*ROWS_4, "1,-inf,0"),
        "Line 5, column 2 is '-inf', an infinite value",
    ),
    reject(
        "Infinity",
        csv_bytes(*ROWS_4, "Infinity,1,0"),
        "Line 5, column 1 is 'Infinity', an infinite value",
    ),
    reject(
        "overflow",
        csv_bytes(*ROWS_4, "1e999,1,0"),
        "Line 5, column 1 is '1e999', which is too large",
    ),
    reject(
        "too large",
        csv_bytes(*ROWS_4, "1e13,1,0"),
        "Line 5, column 1 has '1e13', which is too large; values must be between -1e+12 and 1e+12",
    ),
    reject("empty field", csv_bytes("a,b,y", *ROWS_4, "1,,0"), "Line 6, column 2 is empty"),
    reject("empty first field", csv_bytes(",1,0", *ROWS_4), "Line 1, column 1 is empty"),
    reject("empty label", csv_bytes(*ROWS_4, "1,2,"), "Line 5, column 3 (the label) is empty"),
    reject(
        "word label",
        csv_bytes("a,b,y", *ROWS_4, "1,2,cat"),
        "Line 6, column 3 (the label) has 'cat', which is not a number; labels must be 0 or 1",
    ),
    reject(
        "three classes",
        csv_bytes("a,b,y", "1,2,0", "3,4,1", "5,6,2", "7,8,1"),
        "Line 4 has the label '2' in its last column, but labels must be 0 or 1",
    ),
    reject("fractional label", csv_bytes(*ROWS_4, "1,2,0.5"), "Line 5 has the label '0.5'"),
    reject(
        "one class",
        csv_bytes("a,b,y", "1,2,1", "3,4,1", "5,6,1", "7,8,1"),
        "Every row has the label 1; the file needs rows of both classes, 0 and 1.",
    ),
    reject(
        "three rows",
        csv_bytes("a,b,y", "1,2,0", "3,4,1", "5,6,1"),
        "The file has only 3 data rows; at least 4 are needed.",
    ),
    reject(
        "decimal comma in quotes",
        csv_bytes(*ROWS_4, '"1,5",2,1'),
        "Line 5, column 1 has '1,5', which is not a number; use a dot (.) as the decimal point",
    ),
    reject(
        "unnamed last column",
        csv_bytes("a,b,y,", "0,1,2,0"),
        "Line 1: column 4 of the header has no name; give it a name or delete the column",
    ),
    reject(
        "index column",
        csv_bytes(",a,b,y", "0,1,2,0"),
        "Line 1: column 1 of the header has no name; if it holds row numbers",
    ),
]


@pytest.mark.parametrize(("data", "message"), REJECTIONS)
def test_csv_rejections(data, message):
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(data)


def test_csv_rejects_a_split_that_leaves_too_few_training_rows():
    message = "With 4 data rows and a test fraction of 0.9, only 0 rows would be left for training"
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(csv_bytes(*ROWS_4), test_fraction=0.9)


def test_csv_too_many_rows():
    data = csv_bytes(*[f"{i},{i},{i % 2}" for i in range(MAX_CSV_ROWS + 1)])
    message = "The file has 10,001 data rows, but at most 10,000 are allowed."
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(data)


def test_csv_too_many_features():
    wide = ",".join(["1"] * (MAX_CSV_FEATURES + 1))
    message = "Line 1 has 33 feature columns, but at most 32 are allowed."
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(csv_bytes(*[f"{wide},{i % 2}" for i in range(4)]))


def test_csv_size_is_checked_before_anything_else():
    # NUL bytes would otherwise be reported as binary: the size message proves
    # the size check ran first.
    message = "The file is 2,000,001 bytes, but files may be at most 2,000,000 bytes (2 MB)."
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(b"\x00" * (MAX_CSV_BYTES + 1))


def test_csv_error_is_a_value_error():
    assert issubclass(CSVError, ValueError)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"data": "1,2,0"}, r"data must be bytes"),
        ({"test_fraction": 1.0}, r"test_fraction must be a number in \[0, 0.9\]"),
        ({"seed": -5}, r"seed must be an integer in \[0, 4,294,967,295\]"),
        ({"name": ""}, r"name must be a non-empty string"),
    ],
)
def test_load_csv_argument_errors_name_the_parameter(kwargs, message):
    kwargs = {"data": csv_bytes(*GOOD_ROWS), **kwargs}
    with pytest.raises(ValueError, match=message) as info:
        load_csv(kwargs.pop("data"), **kwargs)
    assert not isinstance(info.value, CSVError)


# --- Dataset: task, classes, targets ---------------------------------------------------------


def test_old_style_dataset_is_a_two_class_classification():
    ds = Dataset("t", [[1, 2], [3, 4]], [0, 1], [], [], ["a", "b"], False)
    assert ds.task == "classify" and ds.classes == ("class 0", "class 1")
    assert (ds.n_classes, ds.n_targets, ds.target_names) == (2, 0, ())
    assert ds.default_outputs == ("sigmoid", 1, "bce")


def test_multiclass_dataset():
    ds = Dataset("t", [[0.0], [1], [2]], [0, 2, 1], [[3]], [2], ["a"], classes=("a", "b", "c"))
    assert ds.n_classes == 3 and ds.default_outputs == ("softmax", 3, "ce")
    assert ds.y_train.shape == (3,) and ds.y_train.dtype == np.float64
    with pytest.raises(ValueError, match=r"y_train must contain only the labels 0, 1 and 2"):
        Dataset("t", [[0.0]], [3], [], [], ["a"], classes=("a", "b", "c"))
    with pytest.raises(ValueError, match=r"y_test must contain only the labels 0 to 9"):
        Dataset("t", [[0.0]], [9], [[1]], [1.5], ["a"], classes=tuple("0123456789"))
    with pytest.raises(ValueError, match=r"classes must name 2 to 10 classes, got 11"):
        Dataset("t", [[0.0]], [0], [], [], ["a"], classes=tuple("0123456789a"))
    with pytest.raises(ValueError, match=r"target_names is for regression"):
        Dataset("t", [[0.0]], [0], [], [], ["a"], target_names=("y",))


def test_regression_dataset():
    ds = Dataset("r", [[0.0], [1]], [0.5, -2], [[2]], [[7.25]], ["x"], task="regress")
    assert ds.y_train.shape == (2, 1) and ds.y_test.shape == (1, 1)
    assert (ds.n_classes, ds.classes, ds.target_names) == (0, (), ("y",))
    assert ds.default_outputs == ("linear", 1, "mse")
    two = Dataset("r", [[0.0]], [[1, 2]], [], [], ["x"], task="regress")
    assert two.y_test.shape == (0, 2) and two.target_names == ("y1", "y2")
    assert two.default_outputs == ("linear", 2, "mse")
    with pytest.raises(ValueError, match=r"y_test must have 2 columns like y_train, got 1"):
        Dataset("r", [[0.0]], [[1, 2]], [[1]], [[1]], ["x"], task="regress")
    with pytest.raises(ValueError, match=r"y_train must contain only finite numbers"):
        Dataset("r", [[0.0]], [np.nan], [], [], ["x"], task="regress")
    with pytest.raises(ValueError, match=r"classes is for classification"):
        Dataset("r", [[0.0]], [1.0], [], [], ["x"], task="regress", classes=("a", "b"))
    with pytest.raises(ValueError, match=r"target_names must have 2 entries"):
        Dataset("r", [[0.0]], [[1, 2]], [], [], ["x"], task="regress", target_names=("y",))
    with pytest.raises(ValueError, match=r"task must be one of classify, regress; got 'cluster'"):
        Dataset("r", [[0.0]], [1.0], [], [], ["x"], task="cluster")


def test_image_shape_must_cover_the_features():
    message = r"image_shape must be \(rows, cols\) with rows \* cols = 2"
    with pytest.raises(ValueError, match=message):
        Dataset("t", [[1, 2]], [0], [], [], ["a", "b"], image_shape=(2, 2))


def test_gates_name_their_classes_by_the_output_bit():
    assert gate_dataset("xor").classes == ("0", "1")
    assert gate_dataset("xor").default_outputs == ("sigmoid", 1, "bce")


# --- multi-class generators -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["blobs", "spiral"])
@pytest.mark.parametrize("k", [2, 3, 5, 10])
@pytest.mark.parametrize("n", [10, 203, 2000])
def test_multiclass_generators_shapes_and_balance(name, k, n):
    X, y = MULTICLASS_GENERATORS[name](n, 0.1, np.random.default_rng(1), k)
    assert X.shape == (n, 2) and y.shape == (n,) and X.dtype == y.dtype == np.float64
    counts = np.bincount(y.astype(int), minlength=k)
    assert len(counts) == k and counts.sum() == n
    assert counts.max() - counts.min() <= (1 if n % k else 0)


@pytest.mark.parametrize("name", ["blobs", "spiral"])
@pytest.mark.parametrize("k", [3, 6, 10])
def test_clean_multiclass_generators_separate_and_noise_mixes_them(name, k):
    clean = multiclass_points(name, 600, 0.0, 2, k)
    noisy = multiclass_points(name, 600, 0.5, 2, k)
    assert np.abs(clean[0]).max() < 1.8
    assert nn_accuracy(*clean) >= 0.97
    assert nn_accuracy(*noisy) < 0.95


def knn_accuracy(X: np.ndarray, y: np.ndarray, k: int = 15) -> float:
    """Leave-one-out k-nearest-neighbour accuracy (majority vote, ties to the lower label)."""
    d = ((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=-1)
    np.fill_diagonal(d, np.inf)
    votes = y[np.argsort(d, axis=1)[:, :k]].astype(int)
    predicted = np.array([np.bincount(v).argmax() for v in votes])
    return float((predicted == y).mean())


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_blobs_noise_reads_like_the_other_sets(k):
    # The module's calibration target: at noise 0.5, 15-NN accuracy about 0.8-0.85.
    X, y = make_blobs(1000, 0.5, np.random.default_rng(1), classes=k)
    assert 0.78 <= knn_accuracy(X, y) <= 0.88


def multiclass_points(name, n, noise, seed, k):
    return MULTICLASS_GENERATORS[name](n, noise, np.random.default_rng(seed), k)


def test_two_arm_spiral_is_the_default_spiral():
    a = GENERATORS["spiral"](101, 0.3, np.random.default_rng(9))
    b = MULTICLASS_GENERATORS["spiral"](101, 0.3, np.random.default_rng(9), 2)
    for u, v in zip(a, b, strict=True):
        assert u.tobytes() == v.tobytes()
    default = make_dataset("spiral", seed=4)
    explicit = make_dataset("spiral", seed=4, classes=2)
    assert default.X_train.tobytes() == explicit.X_train.tobytes()
    assert default.classes == ("class 0", "class 1")


def test_clean_blobs_sit_around_evenly_spaced_centres():
    X, y = make_blobs(1000, 0.0, np.random.default_rng(3), classes=4)
    centres = np.array([X[y == j].mean(axis=0) for j in range(4)])
    # Class 0 on top, then anticlockwise: (0, 1), (-1, 0), (0, -1), (1, 0).
    np.testing.assert_allclose(centres, [[0, 1], [-1, 0], [0, -1], [1, 0]], atol=0.05)


def test_spiral_arms_turn_by_one_kth_of_a_turn():
    X, y = make_spiral(900, 0.0, np.random.default_rng(3), classes=3)
    # Clean arm j is arm 0 rotated by j/3 of a turn: compare each arm's
    # innermost points' angles.
    angles = [np.arctan2(*X[y == j][np.argmin(np.hypot(*X[y == j].T))][::-1]) for j in range(3)]
    steps = np.mod(np.diff(angles), 2 * np.pi)
    np.testing.assert_allclose(steps, 2 * np.pi / 3, atol=0.15)


@pytest.mark.parametrize("classes", [1, 11, 2.5, True])
def test_classes_out_of_range(classes):
    with pytest.raises(ValueError, match=r"classes must be an integer in \[2, 10\]"):
        make_dataset("blobs", classes=classes)


def test_make_dataset_multiclass():
    ds = make_dataset("blobs", samples=300, classes=6, seed=1)
    assert_well_formed_k(ds, 2, 6)
    assert ds.classes == tuple(f"class {j}" for j in range(6))
    assert ds.default_outputs == ("softmax", 6, "ce")
    assert make_dataset("blobs").n_classes == 3  # the default
    spiral = make_dataset("spiral", classes=4)
    assert spiral.n_classes == 4 and spiral.feature_mean is None
    # Sets with a fixed number of classes ignore the argument, like the gates ignore sliders.
    assert make_dataset("moons", classes=7).n_classes == 2


def assert_well_formed_k(ds: Dataset, n_features: int, k: int) -> None:
    assert ds.task == "classify" and ds.n_classes == k and ds.n_features == n_features
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        assert X.dtype == y.dtype == np.float64 and y.shape == (X.shape[0],)
        assert set(np.unique(y)) <= set(range(k))


# --- regression generators ------------------------------------------------------------------


REGRESSION_NAMES = ("sine", "step", "abs", "nielsen", "plane", "multi-gauss")
INPUTS = {"sine": 1, "step": 1, "abs": 1, "nielsen": 1, "plane": 2, "multi-gauss": 2}


def test_regression_tables():
    assert tuple(REGRESSION_GENERATORS) == REGRESSION_NAMES == REGRESSION_DATASETS
    assert tuple(REGRESSION_FUNCTIONS) == REGRESSION_NAMES


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 0.25),  # 0.2 + 0.05 cos 0
        (1.0, 0.6 + 0.3 * np.sin(15) + 0.05 * np.cos(50)),
        (0.5, 0.2 + 0.1 + 0.15 * np.sin(7.5) + 0.05 * np.cos(25)),
    ],
)
def test_nielsen_values(x, expected):
    assert REGRESSION_FUNCTIONS["nielsen"](np.array([x]))[0] == pytest.approx(expected, abs=1e-15)


def test_one_d_curves_at_chosen_points():
    x = np.array([-np.pi / 2, -0.5, 0.0, 0.25, np.pi / 6])
    sines = [-1, -0.479425538604203, 0, 0.247403959254523, 0.5]  # sin(-1/2), sin(1/4) from tables
    np.testing.assert_allclose(REGRESSION_FUNCTIONS["sine"](x), sines, atol=1e-15)
    np.testing.assert_array_equal(REGRESSION_FUNCTIONS["step"](x), [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(REGRESSION_FUNCTIONS["abs"](x), np.abs(x))


def test_playground_surfaces_at_chosen_points():
    # TensorFlow Playground's coordinates are 4x ours: (1.5, 1.5) here is (6, 6) there.
    X = np.array([[1.5, 1.5], [-1.5, -1.5], [0.25, -0.5], [0.0, 0.0]])
    np.testing.assert_allclose(REGRESSION_FUNCTIONS["plane"](X), [1.2, -1.2, -0.1, 0.0])
    # Bump centres (±4 or 0, ±2.5) there; sign +1 at (-4, 2.5), -1 at (0, 2.5), +1 at (0, -2.5).
    centres = np.array([[-1.0, 0.625], [0.0, 0.625], [0.0, -0.625], [1.0, -0.625]])
    np.testing.assert_allclose(REGRESSION_FUNCTIONS["multi-gauss"](centres), [1, -1, 1, -1])
    # Half a Playground unit from a centre (1/8 here) the cone is at 1 - 0.5 / 2.
    off = np.array([[0.125, 0.625], [0.0, -0.625 + 0.125]])
    np.testing.assert_allclose(REGRESSION_FUNCTIONS["multi-gauss"](off), [-0.75, 0.75])
    # (0, 0) is 2.5 from the nearest centres: outside every cone (radius 2).
    assert REGRESSION_FUNCTIONS["multi-gauss"](np.zeros((1, 2)))[0] == 0.0


@pytest.mark.parametrize("name", REGRESSION_NAMES)
def test_regression_generators_shapes_domain_and_clean_values(name):
    X, y = REGRESSION_GENERATORS[name](500, 0.0, np.random.default_rng(4))
    assert X.shape == (500, INPUTS[name]) and y.shape == (500, 1)
    assert X.dtype == y.dtype == np.float64 and X.flags.c_contiguous and y.flags.c_contiguous
    lo, hi = {"sine": (-np.pi, np.pi), "nielsen": (0, 1)}.get(name, (-1, 1))
    if INPUTS[name] == 2:
        lo, hi = -1.5, 1.5
    assert X.min() >= lo and X.max() <= hi and X.max() - X.min() > 0.9 * (hi - lo)
    f = REGRESSION_FUNCTIONS[name]
    clean = f(X[:, 0]) if INPUTS[name] == 1 else f(X)
    np.testing.assert_array_equal(y[:, 0], clean)


@pytest.mark.parametrize("name", REGRESSION_NAMES)
def test_regression_noise_is_on_the_target(name):
    gen = REGRESSION_GENERATORS[name]
    X0, y0 = gen(4000, 0.0, np.random.default_rng(5))
    X1, y1 = gen(4000, 0.5, np.random.default_rng(5))
    np.testing.assert_array_equal(X0, X1)  # same inputs: noise moves only y
    residual = (y1 - y0)[:, 0]
    spread = y0.max() - y0.min()
    # std = noise * a quarter of the clean range: 0.5 / 4 of the spread.
    assert residual.std() == pytest.approx(0.125 * spread, rel=0.1)
    assert abs(residual.mean()) < 0.01 * spread + 3 * residual.std() / np.sqrt(4000)


@pytest.mark.parametrize("name", REGRESSION_NAMES)
def test_make_dataset_regression(name):
    ds = make_dataset(name, samples=150, noise=0.2, test_fraction=0.2, seed=3)
    assert ds.task == "regress" and ds.n_classes == 0 and ds.classes == ()
    assert ds.y_train.shape == (120, 1) and ds.y_test.shape == (30, 1)
    assert ds.n_features == INPUTS[name] == DATASET_INFO[name].n_inputs
    assert ds.feature_names == (("x",) if INPUTS[name] == 1 else ("x1", "x2"))
    assert ds.target_names == ("y",) and ds.default_outputs == ("linear", 1, "mse")
    assert ds.feature_mean is None  # drawn in its own coordinates by default
    again = make_dataset(name, samples=150, noise=0.2, test_fraction=0.2, seed=3)
    other = make_dataset(name, samples=150, noise=0.2, test_fraction=0.2, seed=4)
    assert ds.X_train.tobytes() == again.X_train.tobytes()
    assert ds.y_test.tobytes() == again.y_test.tobytes()
    assert not np.array_equal(ds.X_train, other.X_train)


def test_generated_sets_standardize_on_request():
    ds = make_dataset("plane", samples=400, standardize=True, seed=2)
    np.testing.assert_allclose(ds.X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.X_train.std(axis=0), 1.0, atol=1e-12)
    raw = make_dataset("plane", samples=400, standardize=False, seed=2)
    np.testing.assert_array_equal(ds.y_train, raw.y_train)  # targets are left alone
    with pytest.raises(ValueError, match=r"standardize must be True, False or None"):
        make_dataset("plane", standardize="yes")


# --- the names and the info table ------------------------------------------------------------


def test_name_groups():
    assert MULTICLASS_DATASETS == ("blobs",)
    assert REAL_DATASETS == ("iris", "wine", "breast_cancer", "digits")
    assert ALL_DATASET_NAMES == DATASET_NAMES + ("blobs",) + REGRESSION_NAMES + REAL_DATASETS
    assert len(set(ALL_DATASET_NAMES)) == len(ALL_DATASET_NAMES)


def test_dataset_info_covers_every_name_and_matches_what_make_dataset_builds():
    assert tuple(DATASET_INFO) == ALL_DATASET_NAMES
    for name, info in DATASET_INFO.items():
        assert info.label and info.description and info.source and info.licence, name
        assert info.description.endswith(".") and "\n" not in info.description
        ds = make_dataset(name)
        assert (ds.task, ds.n_features, ds.n_classes) == (info.task, info.n_inputs, info.n_classes)
        assert (ds.feature_mean is not None) == info.standardize
        kind = "gate" if name in GATES else "real" if name in REAL_DATASETS else "generated"
        assert info.kind == kind and ds.is_gate == (kind == "gate")
    assert DATASET_INFO["blobs"].classes_range == DATASET_INFO["spiral"].classes_range == (2, 10)
    # The labels the settings give today's sets, so phase 2 can read them from here.
    assert DATASET_INFO["xor"].label == "XOR gate"
    assert DATASET_INFO["xor-cloud"].label == "Xor cloud"


# --- CSV: more classes and regression ----------------------------------------------------------


THREE_CLASSES = [f"{i % 7},{(i * 3) % 5},{i % 3}" for i in range(30)]


def test_csv_with_three_classes():
    ds = load_csv(csv_bytes("a,b,kind", *THREE_CLASSES), task=None, test_fraction=0.2, seed=1)
    assert ds.task == "classify" and ds.n_classes == 3
    assert ds.classes == ("class 0", "class 1", "class 2")
    assert ds.feature_names == ("a", "b") and (ds.n_train, ds.n_test) == (24, 6)
    # Stratified: 10 rows per class, each sends 2 to the test set.
    np.testing.assert_array_equal(np.bincount(ds.y_test.astype(int)), [2, 2, 2])
    forced = load_csv(csv_bytes("a,b,kind", *THREE_CLASSES), task="classify", seed=1)
    assert forced.y_train.tobytes() == ds.y_train.tobytes()


def test_csv_ten_classes_and_one_feature_column():
    rows = [f"{i * 0.5},{i % 10}" for i in range(40)]
    ds = load_csv(csv_bytes(*rows), task=None)
    assert ds.n_classes == 10 and ds.n_features == 1 and ds.feature_names == ("x1",)


def test_csv_regression():
    rows = [f"{i},{i * 0.5 - 3}" for i in range(20)]
    ds = load_csv(csv_bytes("hours,score", *rows), task=None, test_fraction=0.25, standardize=False)
    assert ds.task == "regress" and ds.target_names == ("score",)
    assert ds.y_train.shape == (15, 1) and ds.y_test.shape == (5, 1)
    got = np.concatenate([ds.X_train, ds.X_test])[:, 0], np.concatenate([ds.y_train, ds.y_test])
    np.testing.assert_array_equal(got[1][:, 0], got[0] * 0.5 - 3)
    assert ds.default_outputs == ("linear", 1, "mse")


def test_csv_regression_forced_on_class_like_numbers():
    ds = load_csv(csv_bytes(*GOOD_ROWS), task="regress")
    assert ds.task == "regress" and ds.y_train.shape[1] == 1


def test_csv_large_integers_are_regression_when_guessed():
    rows = [f"{i},{i},{i * 3}" for i in range(8)]  # targets up to 21: not class labels
    assert load_csv(csv_bytes(*rows), task=None).task == "regress"


def test_csv_binary_default_is_unchanged_for_two_classes():
    data = csv_bytes(*GOOD_ROWS)
    for task in ("binary", None, "classify"):
        ds = load_csv(data, task=task, seed=2)
        assert ds.task == "classify" and ds.n_classes == 2


CSV_TASK_REJECTIONS = [
    pytest.param(
        "classify",
        csv_bytes(*ROWS_4, "1,2,0.5"),
        "Line 5 has the label '0.5' in its last column, but class labels must be whole numbers "
        "from 0 to 9 (0 for the first class, 1 for the second, ...).",
        id="fraction forced classify",
    ),
    pytest.param(
        "classify",
        csv_bytes(*ROWS_4, "1,2,-1"),
        "Line 5 has the label '-1' in its last column, but class labels must be whole numbers",
        id="negative forced classify",
    ),
    pytest.param(
        "classify",
        csv_bytes(*ROWS_4, "1,2,12"),
        "Line 5 has the label '12', but at most 10 classes are allowed (labels 0 to 9).",
        id="too many classes",
    ),
    pytest.param(
        "classify",
        csv_bytes("a,b,y", "1,2,0", "3,4,2", "5,6,0", "7,8,2"),
        "No row has the label 1, but some have 2; class labels must number the classes 0 to 2 "
        "without gaps.",
        id="gap forced classify",
    ),
    pytest.param(
        None,
        csv_bytes("a,b,y", "1,2,1", "3,4,2", "5,6,3", "7,8,1"),
        "No row has the label 0, but some have 3; class labels must number the classes 0 to 3 "
        "without gaps (or, if the last column is a quantity to predict, choose regression).",
        id="numbered from 1",
    ),
    pytest.param(
        "classify",
        csv_bytes("a,b,y", "1,2,3", "3,4,3", "5,6,3", "7,8,3"),
        "Every row has the label 3; the file needs rows of at least two classes.",
        id="one class forced classify",
    ),
    pytest.param(
        None,
        csv_bytes("a,b,y", "1,2,1", "3,4,1", "5,6,1", "7,8,1"),
        "Every row has the label 1; the file needs rows of at least two classes.",
        id="one class guessed",
    ),
    pytest.param(
        "regress",
        csv_bytes("a,b,y", "1,2,1.5", "3,4,1.5", "5,6,1.5", "7,8,1.5"),
        "Every row has the target 1.5; a regression target needs at least two different values.",
        id="constant target",
    ),
    pytest.param(
        None,
        csv_bytes("a,b,y", "1,2,40.5", "3,4,40.5", "5,6,40.5", "7,8,40.5"),
        "Every row has the target 40.5; a regression target needs at least two different values.",
        id="constant target guessed",
    ),
    pytest.param(
        None,
        csv_bytes("x,y", "1,0", "2,1", "3,cat", "4,1"),
        "Line 4, column 2 (the label) has 'cat', which is not a number; the last column needs "
        "numbers: class labels 0, 1, ... or target values.",
        id="word target",
    ),
    pytest.param(
        "regress",
        csv_bytes("x", "1", "2", "3", "4"),
        "Line 1 has 1 column, but the file needs at least two: one or more feature columns and "
        "a last column with the label or target.",
        id="one column",
    ),
]


@pytest.mark.parametrize(("task", "data", "message"), CSV_TASK_REJECTIONS)
def test_csv_task_rejections(task, data, message):
    with pytest.raises(CSVError, match=re.escape(message)):
        load_csv(data, task=task)


def test_csv_binary_mode_keeps_the_two_class_rules():
    with pytest.raises(CSVError, match=re.escape("labels must be 0 or 1")):
        load_csv(csv_bytes("a,b,y", *THREE_CLASSES))
    with pytest.raises(CSVError, match=re.escape("needs at least three")):
        load_csv(csv_bytes("1,0", "2,1", "3,0", "4,1"))


def test_csv_unknown_task():
    with pytest.raises(ValueError, match=r"task must be one of binary, classify, regress or None"):
        load_csv(csv_bytes(*GOOD_ROWS), task="cluster")
