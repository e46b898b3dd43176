"""Scores of a trained network: accuracy, confusion matrix, per-class recall, R^2, RMSE.

Every function takes plain arrays (the network's outputs and the ``(n, k)``
targets of ``Network.encode_targets``, or class labels), so the reference path,
the trainer and the figures all score the same way.
"""

from __future__ import annotations

import numpy as np


def correct_rows(outputs: np.ndarray, targets: np.ndarray, output_activation: str) -> np.ndarray:
    """Which rows a classifier gets right, shape ``(n,)`` bool.

    Parameters
    ----------
    outputs : ndarray of shape (n, k)
        The network's final activations.
    targets : ndarray of shape (n, k)
        0/1 targets for sigmoid outputs, one-hot (or probability) rows for softmax.
    output_activation : {"sigmoid", "softmax"}
        Softmax: the most probable class is the target's largest entry. Sigmoid:
        every unit's side of 0.5 matches its target's (for k = 1, the tutorial's
        ``(o >= 0.5) == (t >= 0.5)``).
    """
    outputs = np.asarray(outputs, dtype=float)
    targets = np.asarray(targets, dtype=float)
    if output_activation == "softmax":
        return np.argmax(outputs, axis=1) == np.argmax(targets, axis=1)
    return np.all((outputs >= 0.5) == (targets >= 0.5), axis=1)


def accuracy(outputs: np.ndarray, targets: np.ndarray, output_activation: str) -> float:
    """Fraction of rows classified right (see ``correct_rows``); NaN for no rows."""
    if len(outputs) == 0:
        return float("nan")
    return float(np.mean(correct_rows(outputs, targets, output_activation)))


def confusion_matrix(true_labels: np.ndarray, predicted_labels: np.ndarray, k: int) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    true_labels, predicted_labels : ndarray of shape (n,)
        Class labels 0..k-1 (int or integral float).
    k : int
        Number of classes.

    Returns
    -------
    ndarray of shape (k, k), int64
        ``C[i, j]`` counts rows of class ``i`` predicted as ``j``: rows are the
        true classes, columns the predicted ones, so the diagonal is what is right.
    """
    true_labels = np.asarray(true_labels).astype(np.int64).reshape(-1)
    predicted_labels = np.asarray(predicted_labels).astype(np.int64).reshape(-1)
    if true_labels.shape != predicted_labels.shape:
        raise ValueError(f"true and predicted labels must have the same shape, got "
                         f"{true_labels.shape} and {predicted_labels.shape}")
    for labels in (true_labels, predicted_labels):
        if len(labels) and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(f"class labels must be in 0..{k - 1}")
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (true_labels, predicted_labels), 1)
    return matrix


def per_class_recall(matrix: np.ndarray) -> np.ndarray:
    """Share of each true class predicted right, shape ``(k,)``, from a ``(k, k)`` confusion matrix.

    ``recall[i] = C[i, i] / sum_j C[i, j]``; NaN for a class with no rows.
    """
    matrix = np.asarray(matrix, dtype=float)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / totals, np.nan)


def residual_sum_of_squares(outputs: np.ndarray, targets: np.ndarray) -> float:
    """``sum over all elements of (o - t)^2`` for ``(n, k)`` outputs and targets."""
    diff = np.asarray(outputs, dtype=float) - np.asarray(targets, dtype=float)
    return float(np.sum(diff * diff))


def r2(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Coefficient of determination ``1 - RSS / TSS`` over all elements.

    Parameters
    ----------
    outputs, targets : ndarray of shape (n, k) (or (n,))

    The total sum of squares is taken about each target column's own mean, so
    targets on different scales each count against their own baseline: a model
    that predicts every column's mean scores 0. NaN for no rows, or when every
    target column is constant (TSS = 0) and there is nothing to explain.
    """
    targets = np.asarray(targets, dtype=float)
    if len(targets) == 0:
        return float("nan")
    targets = targets.reshape(len(targets), -1)
    outputs = np.asarray(outputs, dtype=float).reshape(targets.shape)
    centred = targets - targets.mean(axis=0)
    tss = float(np.sum(centred * centred))
    if tss == 0.0:
        return float("nan")
    return 1.0 - residual_sum_of_squares(outputs, targets) / tss


def rmse(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Root mean squared error ``sqrt(RSS / (n k))`` for ``(n, k)`` arrays; NaN for no rows."""
    targets = np.asarray(targets, dtype=float)
    if targets.size == 0:
        return float("nan")
    return float(np.sqrt(residual_sum_of_squares(outputs, targets) / targets.size))
