"""The fast path: many epochs of gradient descent in one compiled call.

Same arithmetic as ``reference.backprop`` + ``reference.apply_update``, written
as explicit loops over a flat parameter vector (layout in ``network.py``) so
numba compiles it to machine code. ``nogil=True`` lets other Streamlit sessions
run Python while one session trains; ``cache=True`` keeps the compiled code on
disk so only the first process ever compiles it.

Targets ``Y`` are float64 ``(n, k)`` (``Network.encode_targets``); the output
units are ``activations.OUTPUT_IDS``' sigmoid (0), softmax (1) or linear (2),
the loss one of ``losses.LOSS_IDS`` that ``losses.ALLOWED_LOSSES`` pairs with it.

The update after each batch is ``optimizers.step`` (sgd, momentum, nesterov,
rmsprop or adam) with the rate of the epoch's schedule (``optimizers.rate``);
the optimizer's state is the ``opt_state`` array, kept by the caller.

Status codes returned by ``train_epochs``: ``OK``; ``LOSS_NOT_FINITE`` (the loss
of the forward pass overflowed; weights are those that produced it, all finite);
``WEIGHTS_EXPLODED`` (an update would have made a weight non-finite or larger
than ``max_abs_weight``; it was not applied); and two early stops, not failures:
``TARGET_REACHED`` (the last epoch's loss was at most ``target_loss``) and, from
``train_stops`` only, ``NO_IMPROVEMENT`` (the test loss has not gone lower for
``patience`` epochs; the best epoch's parameters were restored).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .optimizers import CONSTANT, SGD, new_state, rate, track_best, update
from .optimizers import T as UPDATE_COUNT

OK, LOSS_NOT_FINITE, WEIGHTS_EXPLODED, TARGET_REACHED, NO_IMPROVEMENT = 0, 1, 2, 3, 4
REG_IDS = {"none": 0, "l1": 1, "l2": 2}


@njit(nogil=True, cache=True)
def _splitmix64(state):
    state = (state + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@njit(nogil=True, cache=True)
def epoch_permutation(order, seed, epoch):
    """Fill ``order`` (n,) with the sample order of ``epoch`` for mini-batches.

    A counter-based shuffle: the order depends only on ``(seed, epoch)``, so a
    run split into any chunks, or replayed by the reference path, sees the same
    batches as one uninterrupted run.
    """
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    state = np.uint64(seed) * np.uint64(0x100000001B3) + np.uint64(epoch) + np.uint64(1)
    for i in range(n - 1, 0, -1):
        state, r = _splitmix64(state)
        j = np.int64(r % np.uint64(i + 1))
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp


@njit(nogil=True, cache=True, inline="always")
def _sigmoid(z):
    # 1 / (1 + exp(-z)) for z >= 0, exp(z) / (1 + exp(z)) below (exp(z) cannot
    # overflow there): activations.sigmoid's two formulas, operation for operation.
    # exp(-|z|) is the exp each needs, so the sign only picks the numerator (a
    # select, not a branch the CPU can mispredict on data with mixed signs).
    ez = math.exp(-abs(z))
    num = 1.0 if z >= 0.0 else ez
    return num / (1.0 + ez)


@njit(nogil=True, cache=True, inline="always")
def _activate(z, act_id):
    """One unit's activation: ``activations.ACTIVATIONS`` by ``ACTIVATION_IDS`` number."""
    if act_id == 0:
        return _sigmoid(z)
    if act_id == 1:
        return math.tanh(z)
    if act_id == 2:
        return z if z > 0.0 else 0.0
    return z


SSE, MSE, BCE, CE = 0, 1, 2, 3           # losses.LOSS_IDS
SIGMOID_OUT, SOFTMAX_OUT, LINEAR_OUT = 0, 1, 2   # activations.OUTPUT_IDS


@njit(nogil=True, cache=True, inline="always")
def _row_loss(o, zo, t, loss_id):
    """One output element's share of ``losses.LOSSES`` (sse, mse, bce) before any mean.

    ``o`` is the unit's output, ``zo`` its pre-activation (bce needs a sigmoid
    output: ``o = sigmoid(zo)``). ce is a whole row's and lives in the row loops.
    """
    if loss_id == SSE:
        return 0.5 * (o - t) * (o - t)
    if loss_id == MSE:
        return (o - t) * (o - t)
    # bce from z, never log(0): log(1 + e^z) - t z, with log(1 + e^z) computed stably.
    return max(zo, 0.0) + math.log1p(math.exp(-abs(zo))) - t * zo


@njit(nogil=True, cache=True, inline="always")
def _output_delta(o, t, m, mk, out_id, loss_id):
    """dE/dz of one output element in a batch of ``m`` rows, ``mk = m * k`` elements:
    ``losses.OUTPUT_DELTAS[(output, loss)]``, operation for operation."""
    if out_id == SOFTMAX_OUT:
        return (o - t) / m
    if out_id == LINEAR_OUT:
        return (o - t) if loss_id == SSE else 2.0 * (o - t) / mk
    if loss_id == SSE:
        return (o - t) * (o * (1.0 - o))
    if loss_id == MSE:
        return 2.0 * (o - t) / mk * (o * (1.0 - o))
    return (o - t) / mk


@njit(nogil=True, cache=True, inline="always")
def _loss_divisor(n, k, loss_id):
    """What a loss summed over ``n`` rows of ``k`` outputs is divided by (``losses.LOSSES``):
    sse by nothing, ce (a mean over rows) by n, mse and bce (means over elements) by n k."""
    if loss_id == SSE:
        return 1
    if loss_id == CE:
        return n
    return n * k


@njit(nogil=True, cache=True)
def _offsets(sizes):
    """Where each layer's W and b start in the flat parameter vector."""
    n_layers = sizes.shape[0] - 1
    w_off = np.empty(n_layers, np.int64)
    b_off = np.empty(n_layers, np.int64)
    off = 0
    for l in range(n_layers):
        w_off[l] = off
        off += sizes[l] * sizes[l + 1]
        b_off[l] = off
        off += sizes[l + 1]
    return w_off, b_off


@njit(nogil=True, cache=True, inline="always")
def _softmax_row(z, a, lo, hi):
    """``a[lo:hi] = softmax(z[lo:hi])`` with the maximum subtracted (no exp overflows);
    returns the row's log-sum-exp ``log sum_j e^{z_j}``, which ce needs."""
    # Signed bounds whatever the caller's index type (uint64 mixed with int64 is float64).
    first, end = np.int64(lo), np.int64(hi)
    zmax = z[first]
    for j in range(first + 1, end):
        zmax = max(zmax, z[j])
    total = 0.0
    for j in range(first, end):
        e = math.exp(z[j] - zmax)
        a[j] = e
        total += e
    for j in range(first, end):
        a[j] /= total
    return zmax + math.log(total)


@njit(nogil=True, cache=True, inline="always")
def _forward(X, order, start, m, params, sizes, w_off, b_off, act_id, out_id, A, Z):
    """Rows ``order[start:start+m]`` of X through every layer: Z = A W + b, A = f(Z),
    with the output activation ``out_id`` on the last layer."""
    n_layers = sizes.shape[0] - 1
    for i in range(m):
        for k in range(sizes[0]):
            A[0, i, k] = X[order[start + i], k]
    for l in range(n_layers):
        n_in = sizes[l]
        n_out = sizes[l + 1]
        wo = w_off[l]
        bo = b_off[l]
        last = l == n_layers - 1
        for i in range(m):
            for j in range(n_out):
                s = 0.0
                for k in range(n_in):
                    s += A[l, i, k] * params[wo + k * n_out + j]
                s += params[bo + j]
                Z[l + 1, i, j] = s
                if not last:
                    A[l + 1, i, j] = _activate(s, act_id)
                elif out_id == SIGMOID_OUT:
                    A[l + 1, i, j] = _sigmoid(s)
                else:
                    A[l + 1, i, j] = s
            if last and out_id == SOFTMAX_OUT:
                _softmax_row(Z[l + 1, i], A[l + 1, i], 0, n_out)


@njit(nogil=True, cache=True)
def loss_and_score(X, Y, params, sizes, act_id, out_id, loss_id):
    """Loss of ``(X, Y)`` and its score, in one compiled pass.

    Parameters
    ----------
    X : float64 array of shape (n, n_in)
    Y : float64 array of shape (n, k)

    Returns
    -------
    (loss, score)
        ``loss`` as ``losses.LOSSES`` defines it; ``score`` the number of rows
        classified right (``metrics.correct_rows``) for sigmoid and softmax
        outputs, the residual sum of squares over all elements for linear ones.
    """
    n = X.shape[0]
    k = sizes[sizes.shape[0] - 1]
    max_w = 0
    for l in range(sizes.shape[0]):
        max_w = max(max_w, sizes[l])
    n_layers = sizes.shape[0] - 1
    w_off, b_off = _offsets(sizes)
    A = np.zeros((n_layers + 1, n, max_w))
    Z = np.zeros((n_layers + 1, n, max_w))
    order = np.arange(n)
    _forward(X, order, 0, n, params, sizes, w_off, b_off, act_id, out_id, A, Z)
    total = 0.0
    score = 0.0
    for i in range(n):
        if loss_id == CE:
            lse = _softmax_row(Z[n_layers, i], A[n_layers, i], 0, k)
            for j in range(k):
                total += Y[i, j] * (lse - Z[n_layers, i, j])
        else:
            for j in range(k):
                total += _row_loss(A[n_layers, i, j], Z[n_layers, i, j], Y[i, j], loss_id)
        if out_id == LINEAR_OUT:
            for j in range(k):
                d = A[n_layers, i, j] - Y[i, j]
                score += d * d
        elif out_id == SOFTMAX_OUT:
            # The first largest entry, as np.argmax picks it.
            best_o, best_t = 0, 0
            for j in range(1, k):
                if A[n_layers, i, j] > A[n_layers, i, best_o]:
                    best_o = j
                if Y[i, j] > Y[i, best_t]:
                    best_t = j
            if best_o == best_t:
                score += 1.0
        else:
            right = True
            for j in range(k):
                right = right and ((A[n_layers, i, j] >= 0.5) == (Y[i, j] >= 0.5))
            if right:
                score += 1.0
    if loss_id != SSE and n > 0:
        total /= _loss_divisor(n, k, loss_id)
    return total, score


# The training loops index with unsigned integers (``U``): numba wraps a negative
# signed index around (``a[-1]``), and that select on every access keeps LLVM from
# vectorizing loops like ``G[row + j] += x * d[j]``. Unsigned indices have no
# negative case; each loop below runs about twice as fast for it. (Mixing uint64
# with int64 gives float64 in numba, so every index term is U, literals too.)
U = np.uint64


@njit(nogil=True, cache=True, inline="always")
def _sign(w):
    return 1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0)


@njit(nogil=True, cache=True, inline="always")
def _end_batch(params, G, new, w_off, b_off, lr, reg_id, reg_rate, max_abs_weight, opt_state,
               opt_id, momentum, beta1, beta2, alpha, eps):
    """End of a batch: add the weights' regularisation gradient, then the optimizer's
    update (``optimizers.step``; sgd is ``params -= lr G``).

    ``w_off``/``b_off`` (n_layers,) bound each layer's weights (biases are never
    regularised). The whole update is checked before any of it is applied, so a
    diverging run keeps its last finite weights: returns ``WEIGHTS_EXPLODED``
    (nothing applied) if a new weight would be non-finite or larger than
    ``max_abs_weight``, else ``OK``.
    """
    if reg_id != 0:
        for l in range(w_off.shape[0]):
            for p in range(w_off[l], b_off[l]):
                G[p] += reg_rate * (params[p] if reg_id == 2 else _sign(params[p]))
    if opt_id != SGD:
        if not update(params, G, new, opt_state, opt_id, lr, momentum, beta1, beta2, alpha,
                      eps, max_abs_weight):
            return WEIGHTS_EXPLODED
        return OK
    # Plain gradient descent written out here, not called: the tutorial's 2-3-1 takes
    # under a microsecond an epoch, and a call with arrays would cost a third of that.
    n_params = U(params.shape[0])
    ok = True
    for p in range(n_params):
        w = params[p] - lr * G[p]
        new[p] = w
        ok = ok & (abs(w) <= max_abs_weight)
    if not ok:
        return WEIGHTS_EXPLODED
    for p in range(n_params):
        params[p] = new[p]
    opt_state[UPDATE_COUNT] += 1.0
    return OK


@njit(nogil=True, cache=True)
def _layout(sizes):
    """The flat layout as unsigned indices: ``width`` (n_layers + 1,) units per
    layer, ``w_off``/``b_off`` (n_layers,) where each layer's W and b start, and
    ``node`` (n_layers + 2,) where each layer's units start in a row's buffers."""
    n_layers = sizes.shape[0] - 1
    w_off_s, b_off_s = _offsets(sizes)
    width = np.empty(n_layers + 1, np.uint64)
    w_off = np.empty(n_layers, np.uint64)
    b_off = np.empty(n_layers, np.uint64)
    node = np.empty(n_layers + 2, np.uint64)
    node[0] = U(0)
    for l in range(n_layers + 1):
        width[l] = U(sizes[l])
        node[l + 1] = node[l] + width[l]
    for l in range(n_layers):
        w_off[l] = U(w_off_s[l])
        b_off[l] = U(b_off_s[l])
    return width, w_off, b_off, node


def entry_args(args, n_tail: int, n_params: int):
    """An entry point's arguments after the data and ``params``, completed.

    ``args`` are ``training.KernelSettings`` (all its fields, or the first ten,
    up to ``seed``, for plain gradient descent), then ``n_tail`` more, then,
    optionally, the optimizer state. Returns ``(settings, tail, opt_state)``:
    the full ``KernelSettings``, the tail, and the state given or a fresh one.
    """
    from .training import KernelSettings  # training imports this module

    n_plain = KernelSettings._fields.index("opt_id")
    n_settings = len(args) - n_tail
    has_state = n_settings in (n_plain + 1, len(KernelSettings._fields) + 1)
    if has_state:
        n_settings -= 1
    settings = KernelSettings(*args[:n_settings])
    tail = tuple(args[n_settings: n_settings + n_tail])
    opt_state = args[-1] if has_state else new_state(n_params)
    return settings, tail, opt_state


def train_epochs(X, Y, params, *args):
    """``_train_epochs`` with ``opt_state`` last and optional (see ``entry_args``):
    ``train_epochs(X, Y, params, *settings, start_epoch, n_epochs, loss_out,
    max_abs_weight[, opt_state]) -> (epochs_done, status)``. Without a state,
    the optimizer starts afresh (update count 0)."""
    settings, tail, opt_state = entry_args(args, 4, params.shape[0])
    return _train_epochs(X, Y, params, opt_state, *settings, *tail)


def train_stops(X, Y, X_test, Y_test, params, *args):
    """``_train_stops`` with ``opt_state`` last and optional (see ``entry_args``):
    ``train_stops(X, Y, X_test, Y_test, params, *settings, start_epoch, stops,
    loss_out, max_abs_weight, evals, params_at[, opt_state])``."""
    settings, tail, opt_state = entry_args(args, 6, params.shape[0])
    return _train_stops(X, Y, X_test, Y_test, params, opt_state, *settings, *tail)


@njit(nogil=True, cache=True)
def _train_epochs(X, Y, params, opt_state, sizes, act_id, out_id, loss_id, use_bias, lr, reg_id,
                 reg_rate, batch_size, seed, opt_id, momentum, beta1, beta2, alpha, eps,
                 sched_id, step_size, gamma, epochs, patience, target_loss,
                 start_epoch, n_epochs, loss_out, max_abs_weight):
    """Run up to ``n_epochs`` epochs of gradient descent on ``params`` in place.

    Parameters
    ----------
    X : float64 array of shape (n, n_in)
    Y : float64 array of shape (n, k)
    params : float64 array of shape (n_params,), updated in place
    opt_state : float64 array of shape (optimizers.state_size(n_params),), updated in place
    sizes ... target_loss : ``training.KernelSettings``, in its order (``patience`` is
        ``train_stops``' business: it needs the test set)
    sizes : int64 array of shape (n_layers + 1,), e.g. [2, 3, 1]; the last is k
    act_id, out_id, loss_id : int
        ``activations.ACTIVATION_IDS`` of the hidden layers, ``activations.OUTPUT_IDS``
        of the output layer, ``losses.LOSS_IDS`` (a pair ``losses.ALLOWED_LOSSES`` allows)
    loss_out : float64 array; ``loss_out[start_epoch + e]`` receives epoch e's loss
        (the loss of the forward pass before that epoch's updates; with
        mini-batches, the batches' losses combined as the full-batch loss would be)
    batch_size : int, ``>= n`` for full batch

    Returns
    -------
    (epochs_done, status)

    Each row goes forward and backward in one pass, its gradient added to the
    batch's, and every sum runs in the order of ``reference.backprop`` computed
    one row at a time: z_j = ((0.0 + a_0 W[0, j]) + a_1 W[1, j] ...) + b_j. A row's
    pre-activations, activations and deltas live in flat buffers, layer after
    layer (``node``). Networks with one hidden layer (every tutorial net, every
    hidden-size sweep) take their own row loop with the same operations in the
    same order, so the same bits, but the offsets fixed and, for two inputs, the
    whole first layer in one loop; that loop is for a single sigmoid output, the
    general one for any output layer. The row loops are written out here, not in
    helpers: a helper that takes arrays costs reference counting on every call,
    even inlined (docs/performance.md).
    """
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    k_out = sizes[n_layers]
    one_hidden = n_layers == 2 and k_out == 1 and out_id == SIGMOID_OUT
    loss_divisor = _loss_divisor(n, k_out, loss_id)
    bs = batch_size if batch_size < n else n
    full = bs >= n
    width, w_off, b_off, node = _layout(sizes)
    n_params = U(params.shape[0])
    out = node[n_layers]                   # the first output unit
    kk = width[n_layers]
    ni = width[0]
    h = width[1]                           # with one hidden layer: W1, b1, W2, b2
    b1 = b_off[0]
    w2 = w_off[-1]
    b2 = b_off[-1]
    zb = np.zeros(node[n_layers + 1])      # pre-activations (layer 0's slots unused)
    ab = np.zeros(node[n_layers + 1])      # activations; layer 0 holds the input row
    db = np.zeros(node[n_layers + 1])      # dE/dz
    G = np.zeros(params.shape[0])
    new = np.zeros(params.shape[0])
    order = np.arange(n)
    lse = 0.0                              # a softmax row's log-sum-exp, for ce

    for e in range(n_epochs):
        epoch = start_epoch + e
        if not full:
            epoch_permutation(order, seed, epoch)
        lr_e = lr if sched_id == CONSTANT else rate(sched_id, lr, epoch, epochs, step_size,
                                                    gamma)
        epoch_loss = 0.0
        for start in range(0, n, bs):
            m = min(bs, n - start)
            for p in range(n_params):
                G[p] = 0.0
            batch_loss = 0.0
            if one_hidden:
                # n_in-h-1, the hidden layer's buffers from index 0.
                for i in range(m):
                    r = U(i) if full else U(order[start + i])
                    x0 = X[r, U(0)]
                    if ni == U(2):
                        x1 = X[r, U(1)]
                        for j in range(h):
                            zb[j] = 0.0 + x0 * params[j] + x1 * params[h + j] + params[b1 + j]
                    else:
                        for j in range(h):
                            zb[j] = 0.0 + x0 * params[j]
                        for k in range(U(1), ni):
                            xk = X[r, k]
                            row = k * h
                            for j in range(h):
                                zb[j] += xk * params[row + j]
                        for j in range(h):
                            zb[j] += params[b1 + j]
                    if act_id == 0:
                        for j in range(h):
                            ab[j] = _sigmoid(zb[j])
                    elif act_id == 1:
                        for j in range(h):
                            ab[j] = math.tanh(zb[j])
                    elif act_id == 2:
                        for j in range(h):
                            ab[j] = zb[j] if zb[j] > 0.0 else 0.0
                    else:
                        for j in range(h):
                            ab[j] = zb[j]
                    zo = 0.0
                    for j in range(h):
                        zo += ab[j] * params[w2 + j]
                    zo += params[b2]
                    o = _sigmoid(zo)
                    t = Y[r, U(0)]
                    batch_loss += _row_loss(o, zo, t, loss_id)
                    d_out = _output_delta(o, t, m, m, out_id, loss_id)
                    # Hidden dE/dz_j = (0.0 + d_out W2[j]) f'(a_j, z_j): 0.0 + x turns
                    # -0.0 into 0.0, as the general loop's "s = 0.0; s += ..." does.
                    for j in range(h):
                        G[w2 + j] += ab[j] * d_out
                    if use_bias:
                        G[b2] += d_out
                    if act_id == 0:
                        for j in range(h):
                            db[j] = (0.0 + d_out * params[w2 + j]) * (ab[j] * (1.0 - ab[j]))
                    elif act_id == 1:
                        for j in range(h):
                            db[j] = (0.0 + d_out * params[w2 + j]) * (1.0 - ab[j] * ab[j])
                    elif act_id == 2:
                        for j in range(h):
                            db[j] = (0.0 + d_out * params[w2 + j]) * (1.0 if zb[j] > 0.0 else 0.0)
                    else:
                        for j in range(h):
                            db[j] = (0.0 + d_out * params[w2 + j]) * 1.0
                    for k in range(ni):
                        xk = X[r, k]
                        row = k * h
                        for j in range(h):
                            G[row + j] += xk * db[j]
                    if use_bias:
                        for j in range(h):
                            G[b1 + j] += db[j]
            else:
                for i in range(m):
                    r = U(i) if full else U(order[start + i])
                    for k in range(ni):
                        ab[k] = X[r, k]
                    # Forward, layer by layer, one input at a time across the layer.
                    for l in range(n_layers):
                        n_prev, n_out = width[l], width[l + 1]
                        wo, bo = w_off[l], b_off[l]
                        src, dst = node[l], node[l + 1]
                        a0 = ab[src]
                        for j in range(n_out):
                            zb[dst + j] = 0.0 + a0 * params[wo + j]
                        for k in range(U(1), n_prev):
                            ak = ab[src + k]
                            row = wo + k * n_out
                            for j in range(n_out):
                                zb[dst + j] += ak * params[row + j]
                        for j in range(n_out):
                            zb[dst + j] += params[bo + j]
                        if l == n_layers - 1:
                            if out_id == SIGMOID_OUT:
                                for j in range(n_out):
                                    ab[dst + j] = _sigmoid(zb[dst + j])
                            elif out_id == SOFTMAX_OUT:
                                lse = _softmax_row(zb, ab, dst, dst + n_out)
                            else:
                                for j in range(n_out):
                                    ab[dst + j] = zb[dst + j]
                        elif act_id == 0:
                            for j in range(n_out):
                                ab[dst + j] = _sigmoid(zb[dst + j])
                        elif act_id == 1:
                            for j in range(n_out):
                                ab[dst + j] = math.tanh(zb[dst + j])
                        elif act_id == 2:
                            for j in range(n_out):
                                zj = zb[dst + j]
                                ab[dst + j] = zj if zj > 0.0 else 0.0
                        else:
                            for j in range(n_out):
                                ab[dst + j] = zb[dst + j]
                    mk = m * k_out
                    for j in range(kk):
                        o = ab[out + j]
                        t = Y[r, j]
                        if loss_id == CE:
                            # -t_j log p_j = t_j (log-sum-exp - z_j): never log(0).
                            batch_loss += t * (lse - zb[out + j])
                        else:
                            batch_loss += _row_loss(o, zb[out + j], t, loss_id)
                        db[out + j] = _output_delta(o, t, m, mk, out_id, loss_id)
                    # Backward from the pre-update weights: dE/dW = a_prev^T d, and the
                    # layer below's d_k = ("s = 0.0; s += d_j W[k, j]" over j) * f'(a_k, z_k).
                    for l in range(n_layers - 1, -1, -1):
                        n_prev, n_out = width[l], width[l + 1]
                        wo, bo = w_off[l], b_off[l]
                        src, dst = node[l], node[l + 1]
                        for k in range(n_prev):
                            ak = ab[src + k]
                            row = wo + k * n_out
                            for j in range(n_out):
                                G[row + j] += ak * db[dst + j]
                        if use_bias:
                            for j in range(n_out):
                                G[bo + j] += db[dst + j]
                        if l > 0:
                            for k in range(n_prev):
                                row = wo + k * n_out
                                s = 0.0
                                for j in range(n_out):
                                    s += db[dst + j] * params[row + j]
                                db[src + k] = s
                            if act_id == 0:
                                for k in range(n_prev):
                                    ak = ab[src + k]
                                    db[src + k] *= ak * (1.0 - ak)
                            elif act_id == 1:
                                for k in range(n_prev):
                                    ak = ab[src + k]
                                    db[src + k] *= 1.0 - ak * ak
                            elif act_id == 2:
                                for k in range(n_prev):
                                    db[src + k] *= 1.0 if zb[src + k] > 0.0 else 0.0
            # sse sums over rows; mse and bce are means over the whole set's
            # elements, ce over its rows: each batch adds its share of that mean.
            epoch_loss += batch_loss if loss_id == SSE else batch_loss / loss_divisor
            status = OK if math.isfinite(epoch_loss) else LOSS_NOT_FINITE
            if status == OK:
                status = _end_batch(params, G, new, w_off, b_off, lr_e, reg_id, reg_rate,
                                    max_abs_weight, opt_state, opt_id, momentum, beta1, beta2,
                                    alpha, eps)
            if status != OK:
                # A diverging mini-batch epoch has no full-batch loss to report.
                done = status == LOSS_NOT_FINITE or full
                loss_out[epoch] = epoch_loss if done else math.nan
                return e, status
        loss_out[epoch] = epoch_loss
        if target_loss > 0.0 and epoch_loss <= target_loss:
            return e + 1, TARGET_REACHED
    return n_epochs, OK


@njit(nogil=True, cache=True)
def _train_stops(X, Y, X_test, Y_test, params, opt_state, sizes, act_id, out_id, loss_id,
                use_bias, lr, reg_id, reg_rate, batch_size, seed, opt_id, momentum, beta1, beta2,
                alpha, eps, sched_id, step_size, gamma, epochs, patience, target_loss,
                start_epoch, stops, loss_out, max_abs_weight, evals, params_at):
    """``train_epochs`` from ``start_epoch`` to each epoch of ``stops`` in turn, measuring at each.

    A run records its metrics ~1,000 times (and its timeline ~200 times). Each
    return to Python for them has to take the GIL back, which a busy server
    gives only after its switch interval: one call for many stops trains the
    tutorial's XOR run (200,000 epochs, ~1,200 stops) in a handful of calls.

    Parameters
    ----------
    X_test, Y_test : float64 arrays of shape (m, n_in) and (m, k); m may be 0
    stops : int64 array of shape (s,), increasing, all above ``start_epoch``
    evals : float64 array of shape (s, 4); row j receives, at ``stops[j]``, the
        training set's loss and score, then the test set's (``loss_and_score``;
        left as it is when m is 0)
    params_at : float64 array of shape (s, n_params); row j receives ``params``
        at ``stops[j]``

    With ``patience`` > 0 and a test set, the test loss is measured after every
    epoch (``optimizers.track_best``); training stops with ``NO_IMPROVEMENT`` and
    the best epoch's parameters once it has not gone lower for ``patience`` epochs.

    Returns
    -------
    (stops_reached, epoch, status)
        ``epoch`` is where training stopped: ``stops[stops_reached - 1]`` when
        all went well, or the epoch of a divergence or early stop before the next stop.
    """
    epoch = start_epoch
    watch = patience > 0 and X_test.shape[0] > 0
    for j in range(stops.shape[0]):
        while epoch < stops[j]:
            # Watching the test loss, one epoch at a time; else all the way to the stop.
            n = 1 if watch else stops[j] - epoch
            done, status = _train_epochs(X, Y, params, opt_state, sizes, act_id, out_id, loss_id,
                                        use_bias, lr, reg_id, reg_rate, batch_size, seed, opt_id,
                                        momentum, beta1, beta2, alpha, eps, sched_id, step_size,
                                        gamma, epochs, patience, target_loss, epoch, n, loss_out,
                                        max_abs_weight)
            epoch += done
            if status != OK:
                return j, epoch, status
            if watch:
                test_loss, _ = loss_and_score(X_test, Y_test, params, sizes, act_id, out_id,
                                              loss_id)
                if track_best(opt_state, params, test_loss, epoch, patience):
                    return j, epoch, NO_IMPROVEMENT
        loss, score = loss_and_score(X, Y, params, sizes, act_id, out_id, loss_id)
        evals[j, 0] = loss
        evals[j, 1] = score
        if X_test.shape[0] > 0:
            loss, score = loss_and_score(X_test, Y_test, params, sizes, act_id, out_id, loss_id)
            evals[j, 2] = loss
            evals[j, 3] = score
        params_at[j, :] = params
    return stops.shape[0], epoch, OK
