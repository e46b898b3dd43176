"""Tests for mlp_core.datasets: gates, generators, splitting and CSV upload."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest

from mlp_core.datasets import (
    DATASET_NAMES,
    GATE_INPUTS,
    GATES,
    GENERATORS,
    MAX_CSV_BYTES,
    MAX_CSV_FEATURES,
    MAX_CSV_ROWS,
    CSVError,
    Dataset,
    gate_dataset,
    load_csv,
    make_dataset,
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
    known = r"name must be one of and, .*, xnor, circle, moons, spiral, gaussians, xor-cloud"
    with pytest.raises(ValueError, match=known):
        make_dataset("iris")


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


def test_csv_standardization():
    rng = np.random.default_rng(5)
    raw = np.column_stack([rng.normal(50, 10, 200), rng.normal(-3, 0.1, 200), np.full(200, 7.0)])
    labels = np.arange(200) % 2
    lines = [
        ",".join(map(repr, row.tolist())) + f",{lab}" for row, lab in zip(raw, labels, strict=True)
    ]
    ds = load_csv(csv_bytes(*lines), test_fraction=0.25)
    X, _ = all_points(ds)
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(axis=0), [1.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ds.feature_mean, raw.mean(axis=0))
    np.testing.assert_allclose(ds.feature_scale, [raw[:, 0].std(), raw[:, 1].std(), 1.0])
    # The stored transform maps raw rows onto the stored features.
    mapped = (raw - ds.feature_mean) / ds.feature_scale
    np.testing.assert_allclose(np.sort(mapped, axis=0), np.sort(X, axis=0))


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
