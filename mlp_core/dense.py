"""The fast path for wide networks: whole-batch matrix products through BLAS.

``kernel.py`` runs a network one row and one unit at a time in compiled loops,
which is unbeatable on the tutorial's 2-3-1 but leaves BLAS's wide instructions
and cache blocking unused on a 64-32-10 net over 1,437 rows.
Here each layer of a batch is one matrix product, ``A_prev @ W`` (NumPy hands it
to OpenBLAS, which releases the GIL), and everything elementwise around it (the
bias, the activation, its slope, the loss and the output delta, the checked
update) is one small compiled pass (numba, ``nogil=True``) over the buffers the
product just wrote. The exp of the sigmoid, tanh and softmax runs four values
at a time (``_exp_neg_abs``), where libm's exp would be most of a wide epoch.
Every buffer is allocated once per call, so an epoch allocates nothing.
``wins_over_loops`` says which of the two is faster for a network and batch size
(docs/performance-real.md).

Same entry points, arguments and results as the kernel's (issue 14's contract):

- ``train_epochs(X, Y, params, *settings, start_epoch, n_epochs, loss_out,
  max_abs_weight[, opt_state]) -> (epochs_done, status)``
- ``loss_and_score(X, Y, params, sizes, act_id, out_id, loss_id) -> (loss, score)``
- ``train_stops(X, Y, X_test, Y_test, params, *settings, start_epoch, stops,
  loss_out, max_abs_weight, evals, params_at[, opt_state]) -> (stops_reached, epoch,
  status)``

where ``settings`` is ``training.KernelSettings`` (sizes ... target_loss), with the
same semantics: mini-batches in ``kernel.epoch_permutation``'s order, the epoch
loss is the full-set loss of the forward passes before each batch's update,
l1/l2 act on weights only, the update is ``optimizers.step`` at the epoch's
scheduled rate, checked before it is applied, early stopping as the kernel's,
and the status codes are ``kernel``'s. The sums run in BLAS's order, not the
reference path's, so results agree with it to rounding (1e-9), not bit for bit;
a run split into chunks is still bit-identical to one call.

Ids: hidden activations ``activations.ACTIVATION_IDS`` (sigmoid 0, tanh 1,
relu 2, linear 3); outputs ``activations.OUTPUT_IDS``; losses ``losses.LOSS_IDS``; regularisation
``kernel.REG_IDS``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .kernel import (
    LOSS_NOT_FINITE,
    NO_IMPROVEMENT,
    OK,
    TARGET_REACHED,
    WEIGHTS_EXPLODED,
    entry_args,
    epoch_permutation,
)
from .optimizers import rate, track_best, update

SIGMOID_OUT, SOFTMAX_OUT, LINEAR_OUT = 0, 1, 2
SSE, MSE, BCE, CE = 0, 1, 2, 3
# Which losses each output kind may be trained with (the contract's pairs).
ALLOWED_LOSSES = {SIGMOID_OUT: (SSE, MSE, BCE), SOFTMAX_OUT: (CE,), LINEAR_OUT: (SSE, MSE)}


# Below this many multiply-adds per batch the compiled loops (kernel.py) are
# faster: dense.py pays ~20 us of Python and call overhead per batch, the loops
# nothing. Measured with bench --real (docs/performance-real.md).
DENSE_FROM_MACS = 50_000


def multiply_adds(sizes, rows: int) -> int:
    """Multiply-adds of one forward pass of ``rows`` rows: rows x sum of n_in n_out."""
    return int(rows) * sum(int(a) * int(b) for a, b in zip(sizes[:-1], sizes[1:]))


def one_blas_thread() -> None:
    """Run BLAS (this module's matrix products) on one thread, in the server and the CLI.

    Two OpenBLAS threads spin against each other on a busy 2-core machine: digits'
    1,000 epochs took 21.6 s with two and 3.5 s with one, and each server session
    already trains on a thread of its own (docs/performance-real.md). threadpoolctl
    is the app's requirement, not the engine's: without it, nothing changes.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(1, user_api="blas")


def wins_over_loops(sizes, rows_per_batch: int) -> bool:
    """Whether this module trains a ``sizes`` network faster than ``kernel.py``'s loops,
    with ``rows_per_batch`` rows per update (the row count for full batch)."""
    return multiply_adds(sizes, rows_per_batch) >= DENSE_FROM_MACS


# --- elementwise passes (compiled, GIL released) -------------------------------

@njit(nogil=True, cache=True, inline="always")
def _sigmoid(z):
    # activations.sigmoid's two formulas: exp(-|z|) never overflows, and the sign
    # only picks the numerator.
    ez = math.exp(-abs(z))
    num = 1.0 if z >= 0.0 else ez
    return num / (1.0 + ez)


# exp(x) for x <= 0, four values at a time. math.exp is a libm call per value
# (about 6 ns here), and the sigmoids of a wide layer are most of an epoch's
# elementwise time. Cody-Waite: x = k ln2 + r with |r| <= ln2 / 2, exp(r) by its
# Taylor series to r^13 (truncation < 1e-17, measured within 2 ulp of np.exp),
# then times 2^k built from k's bits. Adding SHIFT = 1.5 * 2^52 rounds x log2(e) to
# the integer k and leaves k in the low bits of the sum, so no float-to-integer
# conversion (which AVX2 cannot do four at a time) is needed.
_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01       # ln 2 split so k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_SHIFT = 6755399441055744.0
_SHIFT_BITS = int(np.float64(_SHIFT).view(np.int64))
# Below this exp(x) is subnormal; 2^k for smaller k has no normal bit pattern.
_EXP_FLOOR = -708.0


# ``contract`` lets the polynomial's a * b + c become fused multiply-adds (one
# rounding instead of two, half the latency); no other fast-math licence.
@njit(nogil=True, cache=True, fastmath={"contract"})
def _exp_neg_abs(src, pow2, pow2_bits, out):
    """``out[:n] <- exp(-|src|)`` for flat src (n,); pow2 (>= n,) is scratch and
    ``pow2_bits`` its int64 view."""
    n = src.shape[0]
    for i in range(n):
        x = -abs(src[i])
        # Written so that NaN passes through (a diverged run must see it).
        x = _EXP_FLOOR if x < _EXP_FLOOR else x
        shifted = x * _LOG2E + _SHIFT
        k = shifted - _SHIFT
        r = (x - k * _LN2_HI) - k * _LN2_LO
        # Estrin's scheme: the terms in parallel, not one 13-step chain.
        r2 = r * r
        r4 = r2 * r2
        q0 = (1.0 + r) + (0.5 + r * (1.0 / 6.0)) * r2
        q1 = (1.0 / 24.0 + r * (1.0 / 120.0)) + (1.0 / 720.0 + r * (1.0 / 5040.0)) * r2
        q2 = ((1.0 / 40320.0 + r * (1.0 / 362880.0))
              + (1.0 / 3628800.0 + r * (1.0 / 39916800.0)) * r2)
        q3 = 1.0 / 479001600.0 + r * (1.0 / 6227020800.0)
        out[i] = (q0 + q1 * r4) + (q2 + q3 * r4) * (r4 * r4)
        pow2[i] = shifted
    for i in range(n):
        # k + 1023 in the exponent field is 2^k.
        pow2_bits[i] = (pow2_bits[i] - _SHIFT_BITS + 1023) << 52
    for i in range(n):
        out[i] *= pow2[i]


# Cephes' tanh for |z| < 0.625: z + z^3 P(z^2) / Q(z^2), within 2 ulp of np.tanh;
# above it (1 - e) / (1 + e) with e = exp(-2|z|) loses nothing to cancellation.
_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)


@njit(nogil=True, cache=True, fastmath={"contract"})
def _tanh(z, pow2, pow2_bits, e):
    """``z <- tanh(z)`` in place for flat z (n,); pow2, pow2_bits and e (>= n,) scratch.

    Both formulas for every value, then a select: a branch per value would keep
    the loop from running four values at a time. (libm's tanh: ~2.5x slower.)
    """
    n = z.shape[0]
    p0, p1, p2 = _TANH_P
    q0, q1, q2 = _TANH_Q
    for i in range(n):
        e[i] = 2.0 * z[i]
    _exp_neg_abs(e[:n], pow2, pow2_bits, e)
    for i in range(n):
        x = z[i]
        x2 = x * x
        near0 = x + x * (x2 * ((p0 * x2 + p1) * x2 + p2) / (((x2 + q0) * x2 + q1) * x2 + q2))
        far = (1.0 - e[i]) / (1.0 + e[i])
        far = far if x >= 0.0 else -far
        z[i] = near0 if abs(x) < 0.625 else far


@njit(nogil=True, cache=True)
def _bias_activate(Z, b, act_id, pow2, pow2_bits, e):
    """``Z <- f(Z + b)`` in place for a hidden layer; Z (m, h), b (h,); pow2,
    pow2_bits and e (>= m h,) are scratch for the sigmoid's exp."""
    m, h = Z.shape
    # The branch outside the loops, so each loop is one straight pass.
    if act_id == 0:
        for i in range(m):
            for j in range(h):
                Z[i, j] += b[j]
        z = Z.reshape(m * h)
        _exp_neg_abs(z, pow2, pow2_bits, e)
        for i in range(m * h):
            # activations.sigmoid's two formulas, with e = exp(-|z|).
            z[i] = (1.0 if z[i] >= 0.0 else e[i]) / (1.0 + e[i])
    elif act_id == 1:
        for i in range(m):
            for j in range(h):
                Z[i, j] += b[j]
        _tanh(Z.reshape(m * h), pow2, pow2_bits, e)
    elif act_id == 2:
        for i in range(m):
            for j in range(h):
                z = Z[i, j] + b[j]
                Z[i, j] = z if z > 0.0 else 0.0
    else:
        for i in range(m):
            for j in range(h):
                Z[i, j] += b[j]


@njit(nogil=True, cache=True)
def _times_slope(D, A, act_id, gb, use_bias):
    """``D <- D * f'(A)`` in place, then ``gb <- column sums of D`` if ``use_bias``.

    D, A (m, h): the back-propagated error and the layer's activations. Every
    slope is taken from the activation: relu's ``z > 0`` is ``a > 0``, so the
    forward pass keeps only ``A``.
    """
    m, h = D.shape
    if act_id == 0:
        for i in range(m):
            for j in range(h):
                a = A[i, j]
                D[i, j] *= a * (1.0 - a)
    elif act_id == 1:
        for i in range(m):
            for j in range(h):
                a = A[i, j]
                D[i, j] *= 1.0 - a * a
    elif act_id == 2:
        for i in range(m):
            for j in range(h):
                D[i, j] *= 1.0 if A[i, j] > 0.0 else 0.0
    if use_bias:
        _column_sums(D, gb)


@njit(nogil=True, cache=True, inline="always")
def _column_sums(D, out):
    m, h = D.shape
    for j in range(h):
        out[j] = 0.0
    for i in range(m):
        for j in range(h):
            out[j] += D[i, j]


@njit(nogil=True, cache=True)
def _softmax_rows(Z, b, T, pow2, pow2_bits, e):
    """``Z <- softmax(Z + b)`` row by row, in place; returns the rows' summed
    cross-entropy with T, ``-sum t log softmax(z)``. Z, T (m, k); pow2, pow2_bits
    and e (>= m k,) scratch."""
    m, k = Z.shape
    total = 0.0
    # Stable log-softmax: log p = (z - max z) - log(sum exp(z - max z)).
    for i in range(m):
        zmax = -math.inf
        for j in range(k):
            Z[i, j] += b[j]
            zmax = max(zmax, Z[i, j])
        for j in range(k):
            Z[i, j] -= zmax
            total -= T[i, j] * Z[i, j]
    _exp_neg_abs(Z.reshape(m * k), pow2, pow2_bits, e)
    for i in range(m):
        s = 0.0
        for j in range(k):
            s += e[i * k + j]
        log_s = math.log(s)
        for j in range(k):
            total += T[i, j] * log_s
            Z[i, j] = e[i * k + j] / s
    return total


@njit(nogil=True, cache=True)
def _output_delta(Z, b, T, out_id, loss_id, gb, use_bias, pow2, pow2_bits, e):
    """The output layer of a training batch: bias, activation, loss and dE/dz.

    Z (m, k) holds ``A_prev @ W`` on entry and dE/dz on return (the contract's
    formulas for a batch of m rows); T (m, k) the targets. ``gb`` receives the
    column sums of dE/dz (the bias gradient) if ``use_bias``. pow2, pow2_bits and
    e (>= m k,) are scratch for a softmax's exp.

    Returns the batch's loss before any mean: 1/2 sum (o-t)^2 (sse), sum
    (o-t)^2 (mse), sum log(1+e^z) - t z (bce), sum -t log softmax(z) (ce).
    """
    m, k = Z.shape
    mk = m * k
    total = 0.0
    if out_id == 1:
        total = _softmax_rows(Z, b, T, pow2, pow2_bits, e)
        for i in range(m):
            for j in range(k):
                Z[i, j] = (Z[i, j] - T[i, j]) / m
    elif out_id == 0:
        for i in range(m):
            for j in range(k):
                z = Z[i, j] + b[j]
                o = _sigmoid(z)
                t = T[i, j]
                if loss_id == 0:
                    total += 0.5 * (o - t) * (o - t)
                    Z[i, j] = (o - t) * (o * (1.0 - o))
                elif loss_id == 1:
                    total += (o - t) * (o - t)
                    Z[i, j] = 2.0 * (o - t) / mk * (o * (1.0 - o))
                else:
                    # log(1 + e^z) - t z without log(0) or overflow.
                    total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - t * z
                    Z[i, j] = (o - t) / mk
    else:
        for i in range(m):
            for j in range(k):
                o = Z[i, j] + b[j]
                t = T[i, j]
                if loss_id == 0:
                    total += 0.5 * (o - t) * (o - t)
                    Z[i, j] = o - t
                else:
                    total += (o - t) * (o - t)
                    Z[i, j] = 2.0 * (o - t) / mk
    if use_bias:
        _column_sums(Z, gb)
    return total


@njit(nogil=True, cache=True)
def _output_loss_score(Z, b, T, out_id, loss_id, pow2, pow2_bits, e):
    """Like ``_output_delta`` without the delta: ``(loss before any mean, score)``.

    The score is the number of rows classified right (sigmoid: every output's
    ``o >= 0.5`` matches ``t >= 0.5``; softmax: argmax of the output equals the
    target's) or, for a linear output, the residual sum of squares. Z (m, k) is
    left holding the output activations.
    """
    m, k = Z.shape
    total = 0.0
    score = 0.0
    if out_id == 1:
        total = _softmax_rows(Z, b, T, pow2, pow2_bits, e)
    for i in range(m):
        if out_id == 1:
            best_o, best_t = 0, 0
            for j in range(k):
                if Z[i, j] > Z[i, best_o]:
                    best_o = j
                if T[i, j] > T[i, best_t]:
                    best_t = j
            score += 1.0 if best_o == best_t else 0.0
        elif out_id == 0:
            right = True
            for j in range(k):
                z = Z[i, j] + b[j]
                o = _sigmoid(z)
                t = T[i, j]
                if loss_id == 0:
                    total += 0.5 * (o - t) * (o - t)
                elif loss_id == 1:
                    total += (o - t) * (o - t)
                else:
                    total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - t * z
                right = right and ((o >= 0.5) == (t >= 0.5))
                Z[i, j] = o
            score += 1.0 if right else 0.0
        else:
            for j in range(k):
                o = Z[i, j] + b[j]
                t = T[i, j]
                total += (0.5 if loss_id == 0 else 1.0) * (o - t) * (o - t)
                score += (o - t) * (o - t)
                Z[i, j] = o
    return total, score


@njit(nogil=True, cache=True)
def _sign(w):
    return 1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0)


@njit(nogil=True, cache=True)
def _checked_update(params, G, new, w_start, w_end, lr, reg_id, reg_rate, max_abs_weight,
                    opt_state, opt_id, momentum, beta1, beta2, alpha, eps):
    """The optimizer's update (``optimizers.step``; sgd is ``params -= lr G``) with
    the regularisation added to G, applied only if every new weight is finite and
    within ``max_abs_weight``. ``w_start``/``w_end`` (n_layers,) bound each layer's
    weights in the flat vector (biases are never regularised).

    Returns ``OK`` or ``WEIGHTS_EXPLODED`` (nothing applied, so a diverging run
    keeps its last finite weights).
    """
    if reg_id != 0:
        for l in range(w_start.shape[0]):
            for p in range(w_start[l], w_end[l]):
                G[p] += reg_rate * (params[p] if reg_id == 2 else _sign(params[p]))
    if not update(params, G, new, opt_state, opt_id, lr, momentum, beta1, beta2, alpha, eps,
                  max_abs_weight):
        return WEIGHTS_EXPLODED
    return OK


@njit(nogil=True, cache=True)
def _gather(X, Y, order, start, Xb, Yb):
    """Rows ``order[start:start + m]`` of X and Y into Xb (m, n_in), Yb (m, k)."""
    m = Xb.shape[0]
    for i in range(m):
        r = order[start + i]
        for c in range(X.shape[1]):
            Xb[i, c] = X[r, c]
        for c in range(Y.shape[1]):
            Yb[i, c] = Y[r, c]


# --- buffers and views -----------------------------------------------------------

def layer_views(flat: np.ndarray, sizes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-layer views ``W`` (n_in, n_out) and ``b`` (n_out,) of a flat vector laid
    out as ``network.py``'s (each layer's W row-major, then its b)."""
    Ws, bs = [], []
    off = 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        Ws.append(flat[off:off + n_in * n_out].reshape(n_in, n_out))
        off += n_in * n_out
        bs.append(flat[off:off + n_out])
        off += n_out
    if off != flat.shape[0]:
        raise ValueError(f"params has {flat.shape[0]} values, layer sizes {list(sizes)} "
                         f"need {off}")
    return Ws, bs


class _Workspace:
    """Everything one call needs for batches of up to ``rows`` rows, allocated once.

    ``hidden[l]`` (rows, sizes[l + 1]) holds hidden layer l's activations and
    ``back[l]`` its error; ``out`` (rows, k) the output layer's pre-activations,
    then its dE/dz; ``scratch`` the exp's. ``sized(m)`` gives the same buffers cut
    to an m-row batch.
    """

    def __init__(self, params: np.ndarray, sizes, rows: int):
        self.sizes = [int(s) for s in sizes]
        self.Ws, self.bs = layer_views(params, self.sizes)
        self.G = np.zeros_like(params)
        self.GWs, self.Gbs = layer_views(self.G, self.sizes)
        self.new = np.empty_like(params)
        starts, ends, off = [], [], 0
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            starts.append(off)
            ends.append(off + n_in * n_out)
            off += n_in * n_out + n_out
        self.w_start = np.array(starts, dtype=np.int64)
        self.w_end = np.array(ends, dtype=np.int64)
        self.rows = rows
        self._hidden = [np.empty((rows, h)) for h in self.sizes[1:-1]]
        self._back = [np.empty((rows, h)) for h in self.sizes[1:-1]]
        self._out = np.empty((rows, self.sizes[-1]))
        # Scratch for the vectorised exp: (pow2, its int64 view, exp values).
        widest = rows * max(self.sizes[1:])
        pow2 = np.empty(widest)
        self.scratch = (pow2, pow2.view(np.int64), np.empty(widest))
        self._cut: dict[int, tuple] = {}

    def sized(self, m: int) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
        """``(hidden, back, out)`` for an m-row batch: leading rows, still C-contiguous."""
        if m not in self._cut:
            # A run sees at most two batch sizes (full and the last, shorter one).
            self._cut[m] = ([a[:m] for a in self._hidden], [d[:m] for d in self._back],
                            self._out[:m])
        return self._cut[m]


def _forward(ws: _Workspace, A0: np.ndarray, hidden, out: np.ndarray, act_id: int) -> None:
    """A0 (m, n_in) through every layer: hidden activations into ``hidden``, the
    output layer's ``A_prev @ W`` (bias not yet added) into ``out``."""
    a = A0
    for W, b, h in zip(ws.Ws[:-1], ws.bs[:-1], hidden):
        np.matmul(a, W, out=h)
        _bias_activate(h, b, act_id, *ws.scratch)
        a = h
    np.matmul(a, ws.Ws[-1], out=out)


def _gradient(ws: _Workspace, A0, T, hidden, back, out, act_id, out_id, loss_id,
              use_bias) -> float:
    """One batch forward and backward: ``ws.G`` receives dE/dparams (biases' left
    at 0 without ``use_bias``); returns the batch's loss before any mean."""
    _forward(ws, A0, hidden, out, act_id)
    L = len(ws.Ws)
    loss = _output_delta(out, ws.bs[-1], T, out_id, loss_id, ws.Gbs[-1], use_bias,
                         *ws.scratch)
    d = out
    for l in range(L - 1, -1, -1):
        a_prev = A0 if l == 0 else hidden[l - 1]
        # dE/dW = A_prev^T D; the transpose is a BLAS flag, not a copy.
        np.matmul(a_prev.T, d, out=ws.GWs[l])
        if l > 0:
            np.matmul(d, ws.Ws[l].T, out=back[l - 1])
            _times_slope(back[l - 1], hidden[l - 1], act_id, ws.Gbs[l - 1], use_bias)
            d = back[l - 1]
    return loss


def _loss_scale(loss_id: int, n: int, k: int) -> float:
    """What turns a sum of row losses into the contract's loss over n rows of k outputs."""
    return {SSE: 1.0, MSE: 1.0 / (n * k), BCE: 1.0 / (n * k), CE: 1.0 / n}[loss_id]


def _check(X, Y, params, sizes, out_id, loss_id):
    if loss_id not in ALLOWED_LOSSES.get(out_id, ()):
        raise ValueError(f"loss id {loss_id} cannot train output id {out_id}; allowed: "
                         f"{ALLOWED_LOSSES}")
    if X.ndim != 2 or Y.ndim != 2 or X.shape[0] != Y.shape[0]:
        raise ValueError(f"X (n, n_in) and Y (n, k) must have the same rows, got {X.shape} "
                         f"and {Y.shape}")
    if X.shape[1] != sizes[0] or Y.shape[1] != sizes[-1]:
        raise ValueError(f"X {X.shape} and Y {Y.shape} do not fit layer sizes {list(sizes)}")
    if params.dtype != np.float64 or not params.flags.c_contiguous:
        raise ValueError("params must be a contiguous float64 vector (it is trained in place)")


def _as_rows(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64)


# --- entry points ----------------------------------------------------------------

class _Trainer:
    """The state of one ``train_epochs``/``train_stops`` call: buffers and settings."""

    def __init__(self, X, Y, params, opt_state, sizes, act_id, out_id, loss_id, use_bias, lr,
                 reg_id, reg_rate, batch_size, seed, opt_id, momentum, beta1, beta2, alpha, eps,
                 sched_id, step_size, gamma, epochs, patience, target_loss):
        n = X.shape[0]
        self.X, self.Y, self.params, self.opt_state = X, Y, params, opt_state
        self.optimizer = (int(opt_id), float(momentum), float(beta1), float(beta2),
                          float(alpha), float(eps))
        self.schedule = (int(sched_id), float(lr), int(step_size), float(gamma), int(epochs))
        self.patience, self.target_loss = int(patience), float(target_loss)
        self.act_id, self.out_id, self.loss_id = int(act_id), int(out_id), int(loss_id)
        self.use_bias = bool(use_bias)
        self.reg_id, self.reg_rate = int(reg_id), float(reg_rate)
        self.seed = int(seed)
        self.bs = min(int(batch_size), n)
        self.full = self.bs >= n
        self.ws = _Workspace(params, sizes, self.bs)
        self.scale = _loss_scale(self.loss_id, n, int(sizes[-1]))
        self.order = np.arange(n, dtype=np.int64)
        if not self.full:
            self.Xb = np.empty((self.bs, X.shape[1]))
            self.Yb = np.empty((self.bs, Y.shape[1]))

    def epochs(self, start_epoch, n_epochs, loss_out, max_abs_weight) -> tuple[int, int]:
        """``train_epochs``' loop; returns ``(epochs_done, status)``."""
        # A diverging run overflows in a matrix product before the status says so;
        # the status is the report (as in the compiled loops), not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._epochs(start_epoch, n_epochs, loss_out, max_abs_weight)

    def _epochs(self, start_epoch, n_epochs, loss_out, max_abs_weight) -> tuple[int, int]:
        n = self.X.shape[0]
        ws = self.ws
        args = (self.act_id, self.out_id, self.loss_id, self.use_bias)
        sched_id, lr, step_size, gamma, epochs = self.schedule
        for e in range(int(n_epochs)):
            epoch = int(start_epoch) + e
            if not self.full:
                epoch_permutation(self.order, self.seed, epoch)
            update = (ws.w_start, ws.w_end, rate(sched_id, lr, epoch, epochs, step_size, gamma),
                      self.reg_id, self.reg_rate, float(max_abs_weight), self.opt_state,
                      *self.optimizer)
            epoch_loss = 0.0
            for start in range(0, n, self.bs):
                m = min(self.bs, n - start)
                hidden, back, out = ws.sized(m)
                if self.full:
                    A0, T = self.X, self.Y
                else:
                    A0, T = self.Xb[:m], self.Yb[:m]
                    _gather(self.X, self.Y, self.order, start, A0, T)
                epoch_loss += self.scale * _gradient(ws, A0, T, hidden, back, out, *args)
                status = OK if math.isfinite(epoch_loss) else LOSS_NOT_FINITE
                if status == OK:
                    status = _checked_update(self.params, ws.G, ws.new, *update)
                if status != OK:
                    # A diverging mini-batch epoch has no full-set loss to report.
                    done = status == LOSS_NOT_FINITE or self.full
                    loss_out[epoch] = epoch_loss if done else math.nan
                    return e, status
            loss_out[epoch] = epoch_loss
            if self.target_loss > 0.0 and epoch_loss <= self.target_loss:
                return e + 1, TARGET_REACHED
        return int(n_epochs), OK


def train_epochs(X, Y, params, *args):
    """Run up to ``n_epochs`` epochs of gradient descent on ``params`` in place.

    ``args`` are ``training.KernelSettings`` (sizes ... target_loss; or up to
    ``seed`` for plain gradient descent), then ``start_epoch, n_epochs,
    loss_out, max_abs_weight``, then optionally ``opt_state`` (else a fresh
    one), as ``kernel.train_epochs`` (``kernel.entry_args``).

    Parameters
    ----------
    X : float64 array of shape (n, n_in)
    Y : float64 array of shape (n, k), targets as the network's outputs take them
    params : float64 array of shape (n_params,), updated in place
    opt_state : float64 array of shape (optimizers.state_size(n_params),), updated in place
    sizes : int array of shape (n_layers + 1,), e.g. [64, 32, 10]
    act_id, out_id, loss_id : hidden activation, output kind and loss ids
    use_bias : bool; False keeps every bias at 0
    lr, reg_id, reg_rate : learning rate, ``kernel.REG_IDS`` and its rate
    batch_size : int, ``>= n`` for full batch
    seed : int, the mini-batch shuffle's (``kernel.epoch_permutation``)
    opt_id ... target_loss : the optimizer, its schedule and early stopping
        (``KernelSettings``; ``patience`` is ``train_stops``' business)
    start_epoch, n_epochs : int
    loss_out : float64 array; ``loss_out[start_epoch + e]`` receives epoch e's
        full-set loss (of the forward passes before each batch's update)
    max_abs_weight : float, the largest weight an update may make

    Returns
    -------
    (epochs_done, status) : int, and ``kernel.OK``, ``LOSS_NOT_FINITE``,
        ``WEIGHTS_EXPLODED`` (the failing epoch is ``start_epoch + epochs_done``)
        or ``TARGET_REACHED``
    """
    settings, tail, opt_state = entry_args(args, 4, params.shape[0])
    start_epoch, n_epochs, loss_out, max_abs_weight = tail
    X, Y = _as_rows(X), _as_rows(Y)
    sizes, out_id, loss_id = settings[0], settings[2], settings[3]
    _check(X, Y, params, sizes, out_id, loss_id)
    trainer = _Trainer(X, Y, params, opt_state, *settings)
    return trainer.epochs(start_epoch, n_epochs, loss_out, max_abs_weight)


def _loss_and_score(ws: _Workspace, X, Y, act_id, out_id, loss_id) -> tuple[float, float]:
    """``loss_and_score`` with ``ws``'s buffers, in batches of ``ws.rows`` rows."""
    n, k = Y.shape
    total = score = 0.0
    for start in range(0, n, ws.rows):
        m = min(ws.rows, n - start)
        hidden, _, out = ws.sized(m)
        _forward(ws, X[start:start + m], hidden, out, act_id)
        part, right = _output_loss_score(out, ws.bs[-1], Y[start:start + m], out_id, loss_id,
                                         *ws.scratch)
        total += part
        score += right
    return (total * _loss_scale(loss_id, n, k) if n else 0.0), score


def loss_and_score(X, Y, params, sizes, act_id, out_id, loss_id):
    """The loss of ``(X, Y)`` and its score, in one pass.

    Parameters
    ----------
    X : float64 array of shape (n, n_in)
    Y : float64 array of shape (n, k)
    params, sizes, act_id, out_id, loss_id : as ``train_epochs``

    Returns
    -------
    (loss, score) : the contract's loss (sse not divided; mse and bce over n k
        elements; ce over n rows) and the number of rows classified right
        (sigmoid, softmax) or the residual sum of squares (linear)
    """
    X, Y = _as_rows(X), _as_rows(Y)
    _check(X, Y, params, sizes, out_id, loss_id)
    return _loss_and_score(_Workspace(params, sizes, max(1, X.shape[0])), X, Y, act_id, out_id,
                           loss_id)


def train_stops(X, Y, X_test, Y_test, params, *args):
    """``train_epochs`` from ``start_epoch`` to each epoch of ``stops`` in turn,
    measuring at each (``kernel.train_stops``'s contract, early stopping included).

    ``args`` are ``training.KernelSettings``, then ``start_epoch, stops,
    loss_out, max_abs_weight, evals, params_at``, then optionally ``opt_state``.

    Parameters
    ----------
    X_test, Y_test : float64 arrays of shape (m, n_in) and (m, k); m may be 0
    stops : int array of shape (s,), increasing, all above ``start_epoch``
    evals : float64 array of shape (s, 4); row j receives, at ``stops[j]``,
        the training set's loss and score, then the test set's
        (``loss_and_score``; left as they are when m is 0)
    params_at : float64 array of shape (s, n_params); row j receives ``params``
        at ``stops[j]``
    the rest : as ``train_epochs``

    Returns
    -------
    (stops_reached, epoch, status)
        ``epoch`` is where training stopped: ``stops[stops_reached - 1]`` when
        all went well, or the epoch of a divergence before the next stop.
    """
    settings, tail, opt_state = entry_args(args, 6, params.shape[0])
    start_epoch, stops, loss_out, max_abs_weight, evals, params_at = tail
    sizes, act_id, out_id, loss_id = settings[:4]
    X, Y = _as_rows(X), _as_rows(Y)
    X_test, Y_test = _as_rows(X_test), _as_rows(Y_test)
    _check(X, Y, params, sizes, out_id, loss_id)
    trainer = _Trainer(X, Y, params, opt_state, *settings)
    # Full batch measures the training set in the training buffers; mini-batches
    # and the test set get their own, made once here.
    train_ws = trainer.ws if trainer.full else _Workspace(params, sizes, X.shape[0])
    test_ws = _Workspace(params, sizes, max(1, X_test.shape[0]))
    watch = trainer.patience > 0 and X_test.shape[0] > 0
    epoch = int(start_epoch)
    for j in range(len(stops)):
        while epoch < int(stops[j]):
            # Watching the test loss, one epoch at a time; else all the way to the stop.
            n = 1 if watch else int(stops[j]) - epoch
            done, status = trainer.epochs(epoch, n, loss_out, max_abs_weight)
            epoch += done
            if status != OK:
                return j, epoch, status
            if watch:
                test_loss, _ = _loss_and_score(test_ws, X_test, Y_test, act_id, out_id, loss_id)
                if track_best(opt_state, params, test_loss, epoch, trainer.patience):
                    return j, epoch, NO_IMPROVEMENT
        evals[j, 0], evals[j, 1] = _loss_and_score(train_ws, X, Y, act_id, out_id, loss_id)
        if X_test.shape[0] > 0:
            evals[j, 2], evals[j, 3] = _loss_and_score(test_ws, X_test, Y_test, act_id, out_id,
                                                       loss_id)
        params_at[j, :] = params
    return len(stops), epoch, OK
