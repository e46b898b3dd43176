"""Scores against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlp_core.metrics import (
    accuracy,
    confusion_matrix,
    correct_rows,
    per_class_recall,
    r2,
    rmse,
)


def test_accuracy_one_sigmoid_output_thresholds_at_half():
    out = np.array([[0.5], [0.49], [0.9], [0.1]])
    t = np.array([[1.0], [1.0], [0.0], [0.0]])
    # 0.5 counts as class 1 (right), 0.49 as 0 (wrong), 0.9 wrong, 0.1 right.
    assert accuracy(out, t, "sigmoid") == 0.5


def test_accuracy_k_sigmoids_needs_every_label_right():
    out = np.array([[0.9, 0.2, 0.7], [0.9, 0.6, 0.7]])
    t = np.array([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(correct_rows(out, t, "sigmoid"), [True, False])
    assert accuracy(out, t, "sigmoid") == 0.5


def test_accuracy_softmax_is_argmax_against_one_hot():
    out = np.array([[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.1, 0.8]])
    t = np.eye(3)[[1, 2, 2]]
    assert accuracy(out, t, "softmax") == pytest.approx(2 / 3)


def test_accuracy_of_no_rows_is_nan():
    assert math.isnan(accuracy(np.zeros((0, 3)), np.zeros((0, 3)), "softmax"))


def test_confusion_matrix_rows_true_columns_predicted():
    true = np.array([0, 0, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 2, 0, 2.0])
    expected = np.array([[1, 1, 0],
                         [0, 1, 0],
                         [1, 0, 2]])
    matrix = confusion_matrix(true, pred, 3)
    assert matrix.dtype == np.int64
    np.testing.assert_array_equal(matrix, expected)
    np.testing.assert_allclose(per_class_recall(matrix), [1 / 2, 1.0, 2 / 3])


def test_confusion_matrix_counts_an_absent_class_as_zeros():
    matrix = confusion_matrix(np.array([0, 0]), np.array([0, 1]), 3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 0, 0], [0, 0, 0]])
    recall = per_class_recall(matrix)
    assert recall[0] == 0.5 and math.isnan(recall[1]) and math.isnan(recall[2])


@pytest.mark.parametrize("true,pred,k,message", [
    (np.array([0, 3]), np.array([0, 1]), 3, r"class labels must be in 0\.\.2"),
    (np.array([0, 1]), np.array([-1, 1]), 3, r"class labels must be in 0\.\.2"),
    (np.array([0, 1]), np.array([0]), 3, r"same shape"),
])
def test_confusion_matrix_rejects_bad_labels(true, pred, k, message):
    with pytest.raises(ValueError, match=message):
        confusion_matrix(true, pred, k)


def test_r2_and_rmse_by_hand():
    t = np.array([[1.0], [2.0], [3.0], [4.0]])
    o = np.array([[1.5], [2.0], [2.5], [4.0]])
    # RSS = 0.25 + 0 + 0.25 + 0 = 0.5; mean 2.5, TSS = 2.25 + 0.25 + 0.25 + 2.25 = 5.
    assert r2(o, t) == pytest.approx(1 - 0.5 / 5)
    assert rmse(o, t) == pytest.approx(math.sqrt(0.5 / 4))


def test_r2_takes_each_target_column_about_its_own_mean():
    # Column 2 is column 1 shifted by 100: about a common mean its TSS would be huge.
    t = np.array([[1.0, 101.0], [2.0, 102.0], [3.0, 103.0]])
    o = np.array([[1.0, 101.0], [2.0, 103.0], [3.0, 103.0]])
    # RSS = 1; TSS = (1 + 0 + 1) + (1 + 0 + 1) = 4.
    assert r2(o, t) == pytest.approx(1 - 1 / 4)
    assert rmse(o, t) == pytest.approx(math.sqrt(1 / 6))


def test_predicting_the_mean_scores_zero_and_perfect_scores_one():
    t = np.array([0.0, 1.0, 5.0])
    assert r2(np.full(3, 2.0), t) == pytest.approx(0.0)
    assert r2(t, t) == 1.0 and rmse(t, t) == 0.0


def test_r2_of_constant_targets_or_no_rows_is_nan():
    assert math.isnan(r2(np.array([1.0, 2.0]), np.array([3.0, 3.0])))
    assert math.isnan(r2(np.zeros((0, 2)), np.zeros((0, 2))))
    assert math.isnan(rmse(np.zeros((0, 2)), np.zeros((0, 2))))
