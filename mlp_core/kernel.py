"""The fast path: many epochs of gradient descent in one compiled call.

Same arithmetic as ``reference.backprop`` + ``reference.apply_update``, written
as explicit loops over a flat parameter vector (layout in ``network.py``) so
numba compiles it to machine code. ``nogil=True`` lets other Streamlit sessions
run Python while one session trains; ``cache=True`` keeps the compiled code on
disk so only the first process ever compiles it.

Status codes returned by ``train_epochs``: ``OK``; ``LOSS_NOT_FINITE`` (the loss
of the forward pass overflowed; weights are those that produced it, all finite);
``WEIGHTS_EXPLODED`` (an update would have made a weight non-finite or larger
than ``max_abs_weight``; it was not applied).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

OK, LOSS_NOT_FINITE, WEIGHTS_EXPLODED = 0, 1, 2
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


@njit(nogil=True, cache=True, inline="always")
def _row_loss(o, zo, t, loss_id):
    """One row's share of ``losses.LOSSES`` before any mean (``o = sigmoid(zo)``)."""
    if loss_id == 0:
        return 0.5 * (o - t) * (o - t)
    if loss_id == 1:
        return (o - t) * (o - t)
    # bce from z, never log(0): log(1 + e^z) - t z, with log(1 + e^z) computed stably.
    return max(zo, 0.0) + math.log1p(math.exp(-abs(zo))) - t * zo


@njit(nogil=True, cache=True, inline="always")
def _output_delta(o, t, m, loss_id):
    """dE/dz at the output for one row of a batch of ``m``: ``losses.OUTPUT_DELTAS``."""
    if loss_id == 0:
        return (o - t) * (o * (1.0 - o))
    if loss_id == 1:
        return 2.0 * (o - t) / m * (o * (1.0 - o))
    return (o - t) / m


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
def _forward(X, order, start, m, params, sizes, w_off, b_off, act_id, A, Z):
    """Rows ``order[start:start+m]`` of X through every layer: Z = A W + b, A = f(Z)."""
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
                A[l + 1, i, j] = _sigmoid(s) if last else _activate(s, act_id)


@njit(nogil=True, cache=True)
def loss_and_correct(X, y, params, sizes, act_id, loss_id):
    """Loss and number of correctly classified rows of ``(X, y)``, in one compiled pass."""
    n = X.shape[0]
    max_w = 0
    for l in range(sizes.shape[0]):
        max_w = max(max_w, sizes[l])
    n_layers = sizes.shape[0] - 1
    w_off, b_off = _offsets(sizes)
    A = np.zeros((n_layers + 1, n, max_w))
    Z = np.zeros((n_layers + 1, n, max_w))
    order = np.arange(n)
    _forward(X, order, 0, n, params, sizes, w_off, b_off, act_id, A, Z)
    total = 0.0
    correct = 0
    for i in range(n):
        o = A[n_layers, i, 0]
        z = Z[n_layers, i, 0]
        t = y[i]
        total += _row_loss(o, z, t, loss_id)
        if (o >= 0.5) == (t >= 0.5):
            correct += 1
    if loss_id != 0 and n > 0:
        total /= n
    return total, correct


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
def _end_batch(params, G, new, w_off, b_off, lr, reg_id, reg_rate, max_abs_weight):
    """End of a batch: add the weights' regularisation gradient, then ``params -= lr G``.

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


@njit(nogil=True, cache=True)
def train_epochs(X, y, params, sizes, act_id, loss_id, use_bias, lr, reg_id, reg_rate,
                 batch_size, seed, start_epoch, n_epochs, loss_out, max_abs_weight):
    """Run up to ``n_epochs`` epochs of gradient descent on ``params`` in place.

    Parameters
    ----------
    X : float64 array of shape (n, n_in)
    y : float64 array of shape (n,)
    params : float64 array of shape (n_params,), updated in place
    sizes : int64 array of shape (n_layers + 1,), e.g. [2, 3, 1]
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
    whole first layer in one loop. The row loops are written out here, not in
    helpers: a helper that takes arrays costs reference counting on every call,
    even inlined (docs/performance.md).
    """
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    one_hidden = n_layers == 2 and sizes[2] == 1
    bs = batch_size if batch_size < n else n
    full = bs >= n
    width, w_off, b_off, node = _layout(sizes)
    n_params = U(params.shape[0])
    out = node[n_layers]                   # the output unit
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

    for e in range(n_epochs):
        epoch = start_epoch + e
        if not full:
            epoch_permutation(order, seed, epoch)
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
                    t = y[r]
                    batch_loss += _row_loss(o, zo, t, loss_id)
                    d_out = _output_delta(o, t, m, loss_id)
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
                        if l == n_layers - 1 or act_id == 0:
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
                    o = ab[out]
                    t = y[r]
                    batch_loss += _row_loss(o, zb[out], t, loss_id)
                    db[out] = _output_delta(o, t, m, loss_id)
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
            # sse sums over rows; mse and bce are means over the whole set.
            epoch_loss += batch_loss if loss_id == 0 else batch_loss / n
            status = OK if math.isfinite(epoch_loss) else LOSS_NOT_FINITE
            if status == OK:
                status = _end_batch(params, G, new, w_off, b_off, lr, reg_id, reg_rate,
                                    max_abs_weight)
            if status != OK:
                # A diverging mini-batch epoch has no full-batch loss to report.
                done = status == LOSS_NOT_FINITE or full
                loss_out[epoch] = epoch_loss if done else math.nan
                return e, status
        loss_out[epoch] = epoch_loss
    return n_epochs, OK


@njit(nogil=True, cache=True)
def train_stops(X, y, X_test, y_test, params, sizes, act_id, loss_id, use_bias, lr, reg_id,
                reg_rate, batch_size, seed, start_epoch, stops, loss_out, max_abs_weight,
                evals, params_at):
    """``train_epochs`` from ``start_epoch`` to each epoch of ``stops`` in turn, measuring at each.

    A run records its metrics ~1,000 times (and its timeline ~200 times). Each
    return to Python for them has to take the GIL back, which a busy server
    gives only after its switch interval: one call for many stops trains the
    tutorial's XOR run (200,000 epochs, ~1,200 stops) in a handful of calls.

    Parameters
    ----------
    X_test, y_test : float64 arrays of shape (m, n_in) and (m,); m may be 0
    stops : int64 array of shape (k,), increasing, all above ``start_epoch``
    evals : float64 array of shape (k, 4); row j receives, at ``stops[j]``, the
        training set's loss and number of correct rows, then the test set's
        (``loss_and_correct``; left as it is when m is 0)
    params_at : float64 array of shape (k, n_params); row j receives ``params``
        at ``stops[j]``

    Returns
    -------
    (stops_reached, epoch, status)
        ``epoch`` is where training stopped: ``stops[stops_reached - 1]`` when
        all went well, or the epoch of a divergence before the next stop.
    """
    epoch = start_epoch
    for j in range(stops.shape[0]):
        done, status = train_epochs(X, y, params, sizes, act_id, loss_id, use_bias, lr, reg_id,
                                    reg_rate, batch_size, seed, epoch, stops[j] - epoch,
                                    loss_out, max_abs_weight)
        epoch += done
        if status != OK:
            return j, epoch, status
        loss, correct = loss_and_correct(X, y, params, sizes, act_id, loss_id)
        evals[j, 0] = loss
        evals[j, 1] = correct
        if X_test.shape[0] > 0:
            loss, correct = loss_and_correct(X_test, y_test, params, sizes, act_id, loss_id)
            evals[j, 2] = loss
            evals[j, 3] = correct
        params_at[j, :] = params
    return stops.shape[0], epoch, OK
