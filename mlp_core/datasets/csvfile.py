"""Uploaded CSV files: numeric feature columns, then a last column with the target.

Errors are :class:`CSVError` with a sentence meant for a student, naming the
line (1-based, as an editor shows it) wherever there is one.

What the last column means depends on ``task``:

- ``"binary"`` (the default, the tutorial's world): labels 0 and 1, two or
  more feature columns;
- ``None``: decided from the file: whole numbers from 0 to 9 are class labels
  (k classes for labels 0..k-1), anything else is a regression target;
- ``"classify"``: class labels 0..k-1, k at most 10;
- ``"regress"``: any finite numbers, at least two different values.

The last three accept a single feature column (a 1-D curve to fit).
"""

from __future__ import annotations

import csv
import math
import re

import numpy as np

from ._base import (
    MAX_CLASSES,
    MIN_TRAIN,
    Dataset,
    check_seed,
    check_test_fraction,
    class_names,
    finished_dataset,
    n_test_rows,
    split,
    stratified_split,
)

MAX_CSV_BYTES = 2_000_000
MAX_CSV_ROWS = 10_000
MAX_CSV_FEATURES = 32
MIN_CSV_ROWS = 4
# Larger magnitudes overflow when squared for the standard deviation, and a
# sigmoid network could not use them anyway.
MAX_CSV_ABS_VALUE = 1e12

CSV_TASKS = ("binary", "classify", "regress", None)


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
    """Every column's name, the target's last."""
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
    return tuple(fields)


def _check_shape(line: int, n_columns: int, task: str | None) -> None:
    if task == "binary" and n_columns < 3:
        raise CSVError(
            f"Line {line} has {_plural(n_columns, 'column')}, but the file needs at least "
            f"three: two or more feature columns and a last column with the 0/1 label."
        )
    if n_columns < 2:
        raise CSVError(
            f"Line {line} has {_plural(n_columns, 'column')}, but the file needs at least "
            f"two: one or more feature columns and a last column with the label or target."
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


def _parse_value(text: str, line: int, col: int, is_label: bool, binary: bool = True) -> float:
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
        hint = ""
        if is_label:
            hint = (
                "; labels must be 0 or 1"
                if binary
                else "; the last column needs numbers: class labels 0, 1, ... or target values"
            )
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


def _parse_rows(
    rows: list[tuple[int, list[str]]], n_columns: int, first_line: int, task: str | None
):
    """Rows to ``X`` ``(n, n_columns - 1)``, last column ``y`` ``(n,)``, line numbers ``(n,)``."""
    X = np.empty((len(rows), n_columns - 1))
    y = np.empty(len(rows))
    binary = task == "binary"
    for i, (line, fields) in enumerate(rows):
        if len(fields) != n_columns:
            raise CSVError(
                f"Line {line} has {_plural(len(fields), 'column')}, but line {first_line} has "
                f"{n_columns}; every row needs the same number of columns."
            )
        for col, text in enumerate(fields[:-1], start=1):
            X[i, col - 1] = _parse_value(text, line, col, is_label=False)
        label = _parse_value(fields[-1], line, n_columns, is_label=True, binary=binary)
        if binary and label not in (0.0, 1.0):
            raise CSVError(
                f"Line {line} has the label {_quote(fields[-1])} in its last column, but labels "
                f"must be 0 or 1 (this app separates two classes)."
            )
        y[i] = label
    lines = np.array([line for line, _ in rows])
    return X, y + 0.0, lines  # + 0.0: a "-0" label becomes a plain 0.0


def _is_class_label(y: np.ndarray) -> np.ndarray:
    """Which targets ``(n,)`` are whole numbers from 0 to ``MAX_CLASSES - 1``."""
    return (y == np.round(y)) & (y >= 0) & (y <= MAX_CLASSES - 1)


def _task_of(y: np.ndarray, task: str | None) -> str:
    """``"classify"`` or ``"regress"``: ``task`` itself, or what the targets look like."""
    if task == "binary":
        return "classify"
    if task is None:
        return "classify" if np.all(_is_class_label(y)) else "regress"
    return task


def _check_binary_classes(y: np.ndarray) -> None:
    present = np.unique(y)
    if len(present) < 2:
        raise CSVError(
            f"Every row has the label {present[0]:g}; the file needs rows of both classes, 0 and 1."
        )


def _check_class_labels(y: np.ndarray, lines: np.ndarray, guessed: bool) -> int:
    """The number of classes k, or a CSVError unless ``y`` holds exactly the labels 0..k-1."""
    bad = np.flatnonzero(~_is_class_label(y))
    if len(bad):
        i = bad[0]
        value = y[i]
        if value == np.round(value) and value > 0:
            raise CSVError(
                f"Line {lines[i]} has the label {_quote(f'{value:g}')}, but at most "
                f"{MAX_CLASSES} classes are allowed (labels 0 to {MAX_CLASSES - 1})."
            )
        raise CSVError(
            f"Line {lines[i]} has the label {_quote(f'{value:g}')} in its last column, but class "
            f"labels must be whole numbers from 0 to {MAX_CLASSES - 1} (0 for the first class, "
            f"1 for the second, ...)."
        )
    present = np.unique(y)
    if len(present) < 2:
        raise CSVError(
            f"Every row has the label {present[0]:g}; the file needs rows of at least two classes."
        )
    k = int(present[-1]) + 1
    missing = sorted(set(range(k)) - {int(v) for v in present})
    if missing:
        # A file that skips a label is more often numbered from 1 or holds a
        # quantity to predict than a class nobody has; say both.
        hint = " (or, if the last column is a quantity to predict, choose regression)"
        raise CSVError(
            f"No row has the label {missing[0]}, but some have {k - 1}; class labels must "
            f"number the classes 0 to {k - 1} without gaps{hint if guessed else ''}."
        )
    return k


def _check_targets(y: np.ndarray) -> None:
    if np.all(y == y[0]):
        raise CSVError(
            f"Every row has the target {y[0]:g}; a regression target needs at least two "
            f"different values."
        )


def load_csv(
    data: bytes,
    *,
    name: str = "upload.csv",
    test_fraction: float = 0.2,
    seed: int = 0,
    standardize: bool = True,
    task: str | None = "binary",
) -> Dataset:
    """Parse an uploaded CSV of numeric features and a last label or target column.

    Parameters
    ----------
    data : bytes
        The raw file, at most ``MAX_CSV_BYTES``; UTF-8 with or without BOM.
    name : str
        Shown in the UI as the data set's name.
    test_fraction : float
        In ``[0, MAX_TEST_FRACTION]``; rows are shuffled with ``seed`` and
        ``round(n_rows * test_fraction)`` go to the test set. For
        classification the split is stratified: each class sends its share.
    seed : int
        In ``[0, MAX_SEED]``.
    standardize : bool
        Z-score every feature with the mean and standard deviation of the
        training rows (a constant column keeps scale 1); the ``Dataset`` then
        carries ``feature_mean`` and ``feature_scale`` of shape ``(n_features,)``.
        Regression targets are left as they are.
    task : {"binary", "classify", "regress"} or None
        What the last column holds; see the module docstring. ``"binary"``
        keeps the two-class rules every caller had before there were others;
        ``None`` decides from the values.

    Returns
    -------
    Dataset
        ``X_train`` ``(n_train, n_features)`` etc., with feature names from
        the header row or ``x1 .. xk`` when there is none. Classification:
        labels ``(n,)``, classes ``("class 0", ...)``; regression: targets
        ``(n, 1)`` named by the header's last column (or ``"y"``).

    Raises
    ------
    CSVError
        The file is not acceptable; the message is meant for the student.
    ValueError
        An argument other than ``data``'s content is out of range.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    if task not in CSV_TASKS:
        raise ValueError(f"task must be one of binary, classify, regress or None; got {task!r}")
    test_fraction = check_test_fraction(test_fraction)
    seed = check_seed(seed)
    text = _decode(data)
    rows = _read_rows(text)
    if not rows:
        raise CSVError("The file is empty.")
    first_line, first = rows[0]
    _check_separator(first_line, first)
    _check_shape(first_line, len(first), task)
    has_header = _is_header(first)
    if has_header:
        *feature_names, target_name = _header_names(first_line, first)
        rows = rows[1:]
    else:
        feature_names = [f"x{i}" for i in range(1, len(first))]
        target_name = "y"
    _check_row_count(len(rows), has_header)
    X, y, lines = _parse_rows(rows, len(first), first_line, task)
    kind = _task_of(y, task)
    if task == "binary":
        _check_binary_classes(y)
        n_classes = 2
    elif kind == "classify":
        n_classes = _check_class_labels(y, lines, guessed=task is None)
    else:
        _check_targets(y)
    n_train = len(y) - n_test_rows(len(y), test_fraction)
    if n_train < MIN_TRAIN:
        raise CSVError(
            f"With {_plural(len(y), 'data row')} and a test fraction of {test_fraction:g}, only "
            f"{_plural(n_train, 'row')} would be left for training; lower the test fraction."
        )
    rng = np.random.default_rng(seed)
    if kind == "classify":
        X_train, y_train, X_test, y_test = stratified_split(X, y, test_fraction, rng)
        labels = {"classes": class_names(n_classes)}
    else:
        X_train, y_train, X_test, y_test = split(X, y[:, None], test_fraction, rng)
        labels = {"target_names": (target_name,)}
    return finished_dataset(name, X_train, y_train, X_test, y_test, feature_names,
                            standardize=standardize, task=kind, **labels)
