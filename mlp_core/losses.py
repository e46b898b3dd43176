"""Loss functions on the network's outputs, looked up by name.

Each loss takes the outputs ``out``, their pre-activations ``z`` and the
targets, all shaped ``(n, k)``, and returns a float. They are PyTorch's, so they
can be checked against it: ``sse`` is the tutorial's ``1/2 * sum`` over rows and
outputs (not divided); ``mse`` is ``nn.MSELoss()`` (mean over all ``n * k``
elements); ``bce`` is ``nn.BCEWithLogitsLoss()`` on the pre-activation of
sigmoid outputs (mean over all elements); ``ce`` is ``nn.CrossEntropyLoss()``
with one-hot or probability targets on the pre-activation of softmax outputs
(mean over rows of ``-sum_j t_j log softmax(z)_j``).

Not every loss fits every output (``ALLOWED_LOSSES``). ``OUTPUT_DELTAS[(output,
loss)]`` gives ``dE/dz`` at the output for a batch, the quantity backpropagation
starts from.
"""

from __future__ import annotations

import numpy as np


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise ``log softmax(z)`` of ``z`` (n, k), finite for every finite ``z``.

    ``z_j - log sum_l e^{z_l}``, with the row's maximum taken out of the sum so
    that no ``exp`` overflows and the sum is at least 1 (its log never -inf).
    """
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def sse(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """The tutorial's error: ``1/2 * sum((out - target)**2)``, not divided by n."""
    return float(np.sum(0.5 * np.power(out - target, 2)))


def mse(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """Mean over all ``n * k`` elements of ``(out - target)**2``."""
    return float(np.mean(np.power(out - target, 2)))


def bce(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """Mean binary cross-entropy over all elements, computed from ``z`` so it never takes log(0).

    ``-[t log s(z) + (1-t) log(1-s(z))] = log(1 + e^z) - t z``, and
    ``log(1 + e^z)`` is ``logaddexp(0, z)``, finite for every finite ``z``.
    """
    return float(np.mean(np.logaddexp(0.0, z) - target * z))


def ce(out: np.ndarray, z: np.ndarray, target: np.ndarray) -> float:
    """Softmax cross-entropy: mean over rows of ``-sum_j t_j log softmax(z)_j``.

    Computed from ``z`` with a stable log-softmax, never from ``log(out)``: a
    saturated softmax rounds some ``out`` to 0, whose log is -inf.
    """
    return float(-np.sum(target * log_softmax(z)) / z.shape[0])


def sse_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``dE/dout`` for sse: the tutorial's ``derror_douto = output_op - target_output``."""
    return out - target


def mse_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return 2.0 * (out - target) / out.size


def bce_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # Only for display: clipped so a saturated output shows a large number, not inf.
    p = np.clip(out, 1e-15, 1.0 - 1e-15)
    return (p - target) / (p * (1.0 - p)) / out.size


def ce_derivative(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # Only for display, clipped as bce's: -t_j / p_j over the batch's rows.
    return -target / np.clip(out, 1e-15, None) / out.shape[0]


def _sigmoid_slope(out: np.ndarray) -> np.ndarray:
    return out * (1.0 - out)


def sigmoid_sse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # The tutorial's product derror_douto * douto_dino, in the same order so
    # the numbers agree with its code to the last bit.
    return (out - target) * _sigmoid_slope(out)


def sigmoid_mse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return mse_derivative(out, target) * _sigmoid_slope(out)


def sigmoid_bce_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # d/dz [log(1+e^z) - t z] = sigmoid(z) - t: the sigmoid's derivative cancels
    # the log-loss's 1/(p(1-p)), so this stays exact even when the output saturates.
    return (out - target) / out.size


def softmax_ce_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # d/dz_j [-sum_l t_l log p_l] = p_j - t_j when the targets of a row sum to 1:
    # the softmax's Jacobian cancels the log, as the sigmoid's does for bce.
    return (out - target) / out.shape[0]


def linear_sse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    # A linear output's slope is 1, so dE/dz is dE/dout.
    return out - target


def linear_mse_delta(out: np.ndarray, target: np.ndarray) -> np.ndarray:
    return mse_derivative(out, target)


LOSSES = {"sse": sse, "mse": mse, "bce": bce, "ce": ce}
LOSS_DERIVATIVES = {
    "sse": sse_derivative,
    "mse": mse_derivative,
    "bce": bce_derivative,
    "ce": ce_derivative,
}
LOSS_IDS = {name: i for i, name in enumerate(LOSSES)}

# Which losses each output kind trains with: bce needs the sigmoid's log-odds,
# ce needs a distribution over classes, and a regression target is no probability.
ALLOWED_LOSSES = {
    "sigmoid": ("sse", "mse", "bce"),
    "softmax": ("ce",),
    "linear": ("sse", "mse"),
}
OUTPUT_DELTAS = {
    ("sigmoid", "sse"): sigmoid_sse_delta,
    ("sigmoid", "mse"): sigmoid_mse_delta,
    ("sigmoid", "bce"): sigmoid_bce_delta,
    ("softmax", "ce"): softmax_ce_delta,
    ("linear", "sse"): linear_sse_delta,
    ("linear", "mse"): linear_mse_delta,
}


def check_loss_for_output(output: str, loss: str) -> str:
    """Return ``loss`` if it trains ``output`` units, else raise a ``ValueError`` saying which do.

    >>> check_loss_for_output("softmax", "sse")
    Traceback (most recent call last):
    ValueError: loss sse does not fit softmax outputs: softmax outputs train with ce; choose ce
    """
    if output not in ALLOWED_LOSSES:
        raise ValueError(f"output must be one of {', '.join(ALLOWED_LOSSES)}; got {output!r}")
    allowed = ALLOWED_LOSSES[output]
    if loss not in allowed:
        names = allowed[0] if len(allowed) == 1 else (
            f"{', '.join(allowed[:-1])} or {allowed[-1]}")
        choice = allowed[0] if len(allowed) == 1 else "one of those"
        raise ValueError(f"loss {loss} does not fit {output} outputs: {output} outputs "
                         f"train with {names}; choose {choice}")
    return loss


LOSS_LATEX = {
    "sse": r"E=\tfrac12\sum_{i,j} (o_{ij}-t_{ij})^2",
    "mse": r"E=\tfrac1{nk}\sum_{i,j} (o_{ij}-t_{ij})^2",
    "bce": r"E=\tfrac1{nk}\sum_{i,j} \left[\log(1+e^{z_{ij}})-t_{ij} z_{ij}\right]",
    "ce": r"E=-\tfrac1n\sum_i \sum_j t_{ij}\log p_{ij}",
}
LOSS_DERIVATIVE_LATEX = {
    "sse": r"\frac{\partial E}{\partial o}=o-t",
    "mse": r"\frac{\partial E}{\partial o}=\tfrac2{nk}(o-t)",
    "bce": r"\frac{\partial E}{\partial o}=\tfrac1{nk}\,\frac{o-t}{o(1-o)}",
    "ce": r"\frac{\partial E}{\partial z}=\tfrac1n(p-t)",
}
LOSS_LABELS = {
    "sse": "sum of squared errors (x1/2)",
    "mse": "mean squared error",
    "bce": "binary cross-entropy",
    "ce": "cross-entropy (softmax)",
}
