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
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


@njit(nogil=True, cache=True, inline="always")
def _activate(z, act_id):
    if act_id == 0:
        return _sigmoid(z)
    if act_id == 1:
        return math.tanh(z)
    if act_id == 2:
        return z if z > 0.0 else 0.0
    return z


@njit(nogil=True, cache=True, inline="always")
def _activation_slope(a, z, act_id):
    if act_id == 0:
        return a * (1.0 - a)
    if act_id == 1:
        return 1.0 - a * a
    if act_id == 2:
        return 1.0 if z > 0.0 else 0.0
    return 1.0


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
        if loss_id == 2:
            total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - t * z
        elif loss_id == 1:
            total += (o - t) * (o - t)
        else:
            total += 0.5 * (o - t) * (o - t)
        if (o >= 0.5) == (t >= 0.5):
            correct += 1
    if loss_id != 0 and n > 0:
        total /= n
    return total, correct


@njit(nogil=True, cache=True, inline="always")
def _hidden_activations(z, a, h, act_id):
    """``a[:h] = f(z[:h])``, the branch on ``act_id`` taken once, outside the loop."""
    if act_id == 0:
        for j in range(h):
            a[j] = _sigmoid(z[j])
    elif act_id == 1:
        for j in range(h):
            a[j] = math.tanh(z[j])
    elif act_id == 2:
        for j in range(h):
            zj = z[j]
            a[j] = zj if zj > 0.0 else 0.0
    else:
        for j in range(h):
            a[j] = z[j]


@njit(nogil=True, cache=True, inline="always")
def _hidden_deltas(d_out, w2, w2_off, a, z, d, h, act_id):
    """``d[j] = (d_out * W2[j]) * f'(a[j], z[j])``: the hidden layer's dE/dz, one output.

    Written as the general path's ``s = 0.0; s += d_out * W2[j]; s * slope`` so the
    numbers are the same to the last bit (``0.0 + x`` turns a -0.0 into 0.0).
    """
    if act_id == 0:
        for j in range(h):
            aj = a[j]
            d[j] = (0.0 + d_out * w2[w2_off + j]) * (aj * (1.0 - aj))
    elif act_id == 1:
        for j in range(h):
            aj = a[j]
            d[j] = (0.0 + d_out * w2[w2_off + j]) * (1.0 - aj * aj)
    elif act_id == 2:
        for j in range(h):
            d[j] = (0.0 + d_out * w2[w2_off + j]) * (1.0 if z[j] > 0.0 else 0.0)
    else:
        for j in range(h):
            d[j] = (0.0 + d_out * w2[w2_off + j]) * 1.0


@njit(nogil=True, cache=True)
def _train_one_hidden(X, y, params, act_id, loss_id, use_bias, lr, reg_id, reg_rate,
                      batch_size, seed, start_epoch, n_epochs, loss_out, max_abs_weight):
    """``train_epochs`` for exactly one hidden layer and one output (n_in-h-1).

    The same operations in the same order as the general path, so the same bits;
    faster because each sample goes forward and backward in one pass over 1-D
    buffers of length h, with the layer offsets fixed, no 3-D indexing, the
    activation's branch outside the loops and no ``order`` indirection in full batch.
    """
    n = X.shape[0]
    n_in = X.shape[1]
    n_params = params.shape[0]
    h = (n_params - 1) // (n_in + 2)
    b1 = n_in * h          # hidden biases
    w2 = b1 + h            # output weights (h, 1)
    b2 = w2 + h            # output bias
    bs = batch_size if batch_size < n else n
    full = bs >= n

    z = np.zeros(h)
    a = np.zeros(h)
    d = np.zeros(h)
    G = np.zeros(n_params)
    new = np.zeros(n_params)
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
            for i in range(m):
                r = i if full else order[start + i]
                # Forward: z = x W1 + b1, a = f(z), z_out = a W2 + b2, o = sigmoid(z_out).
                for j in range(h):
                    z[j] = 0.0
                for k in range(n_in):
                    xk = X[r, k]
                    row = k * h
                    for j in range(h):
                        z[j] += xk * params[row + j]
                for j in range(h):
                    z[j] += params[b1 + j]
                _hidden_activations(z, a, h, act_id)
                zo = 0.0
                for j in range(h):
                    zo += a[j] * params[w2 + j]
                zo += params[b2]
                o = _sigmoid(zo)
                # Loss and output delta dE/dz (see losses.py for each formula).
                t = y[r]
                if loss_id == 0:
                    batch_loss += 0.5 * (o - t) * (o - t)
                    d_out = (o - t) * (o * (1.0 - o))
                elif loss_id == 1:
                    batch_loss += (o - t) * (o - t)
                    d_out = 2.0 * (o - t) / m * (o * (1.0 - o))
                else:
                    softplus = max(zo, 0.0) + math.log1p(math.exp(-abs(zo)))
                    batch_loss += softplus - t * zo
                    d_out = (o - t) / m
                # Backward, from the pre-update weights; gradients summed over the
                # batch's rows in order, as the general path sums them.
                for j in range(h):
                    G[w2 + j] += a[j] * d_out
                if use_bias:
                    G[b2] += d_out
                _hidden_deltas(d_out, params, w2, a, z, d, h, act_id)
                for k in range(n_in):
                    xk = X[r, k]
                    row = k * h
                    for j in range(h):
                        G[row + j] += xk * d[j]
                if use_bias:
                    for j in range(h):
                        G[b1 + j] += d[j]
            if loss_id == 0:
                epoch_loss += batch_loss
            else:
                epoch_loss += batch_loss / n
            if not math.isfinite(epoch_loss):
                loss_out[epoch] = epoch_loss
                return e, LOSS_NOT_FINITE
            if reg_id == 2:
                for p in range(b1):
                    G[p] += reg_rate * params[p]
                for p in range(w2, b2):
                    G[p] += reg_rate * params[p]
            elif reg_id != 0:
                for p in range(b1):
                    w = params[p]
                    G[p] += reg_rate * (1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0))
                for p in range(w2, b2):
                    w = params[p]
                    G[p] += reg_rate * (1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0))
            # Check the whole update before applying any of it, so a diverging
            # run keeps its last finite weights.
            ok = True
            for p in range(n_params):
                w = params[p] - lr * G[p]
                new[p] = w
                ok = ok & (abs(w) <= max_abs_weight)
            if not ok:
                loss_out[epoch] = epoch_loss if full else math.nan
                return e, WEIGHTS_EXPLODED
            for p in range(n_params):
                params[p] = new[p]
        loss_out[epoch] = epoch_loss
    return n_epochs, OK


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
    """
    if sizes.shape[0] == 3 and sizes[2] == 1:
        return _train_one_hidden(X, y, params, act_id, loss_id, use_bias, lr, reg_id, reg_rate,
                                 batch_size, seed, start_epoch, n_epochs, loss_out,
                                 max_abs_weight)
    n = X.shape[0]
    n_layers = sizes.shape[0] - 1
    max_w = 0
    for l in range(n_layers + 1):
        if sizes[l] > max_w:
            max_w = sizes[l]
    bs = batch_size if batch_size < n else n
    n_params = params.shape[0]
    w_off, b_off = _offsets(sizes)

    A = np.zeros((n_layers + 1, bs, max_w))   # activations; A[0] is the input batch
    Z = np.zeros((n_layers + 1, bs, max_w))   # pre-activations
    D = np.zeros((n_layers + 1, bs, max_w))   # dE/dZ
    G = np.zeros(n_params)
    order = np.arange(n)
    is_weight = np.zeros(n_params, np.bool_)
    for l in range(n_layers):
        for p in range(w_off[l], b_off[l]):
            is_weight[p] = True

    for e in range(n_epochs):
        epoch = start_epoch + e
        if bs < n:
            epoch_permutation(order, seed, epoch)
        epoch_loss = 0.0
        for start in range(0, n, bs):
            m = min(bs, n - start)
            _forward(X, order, start, m, params, sizes, w_off, b_off, act_id, A, Z)
            # Loss and output delta dE/dz (see losses.py for each formula).
            batch_loss = 0.0
            for i in range(m):
                o = A[n_layers, i, 0]
                z = Z[n_layers, i, 0]
                t = y[order[start + i]]
                if loss_id == 0:
                    batch_loss += 0.5 * (o - t) * (o - t)
                    D[n_layers, i, 0] = (o - t) * (o * (1.0 - o))
                elif loss_id == 1:
                    batch_loss += (o - t) * (o - t)
                    D[n_layers, i, 0] = 2.0 * (o - t) / m * (o * (1.0 - o))
                else:
                    softplus = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
                    batch_loss += softplus - t * z
                    D[n_layers, i, 0] = (o - t) / m
            if loss_id == 0:
                epoch_loss += batch_loss
            else:
                epoch_loss += batch_loss / n
            if not math.isfinite(epoch_loss):
                loss_out[epoch] = epoch_loss
                return e, LOSS_NOT_FINITE
            # Backward: gradients of every layer from the pre-update weights.
            for l in range(n_layers - 1, -1, -1):
                n_in = sizes[l]
                n_out = sizes[l + 1]
                wo = w_off[l]
                bo = b_off[l]
                for p in range(wo, bo + n_out):
                    G[p] = 0.0
                for i in range(m):
                    for k in range(n_in):
                        a = A[l, i, k]
                        row = wo + k * n_out
                        for j in range(n_out):
                            G[row + j] += a * D[l + 1, i, j]
                    if use_bias:
                        for j in range(n_out):
                            G[bo + j] += D[l + 1, i, j]
                if l > 0:
                    for i in range(m):
                        for k in range(n_in):
                            row = wo + k * n_out
                            s = 0.0
                            for j in range(n_out):
                                s += D[l + 1, i, j] * params[row + j]
                            D[l, i, k] = s * _activation_slope(A[l, i, k], Z[l, i, k], act_id)
            if reg_id != 0:
                for p in range(n_params):
                    if is_weight[p]:
                        w = params[p]
                        if reg_id == 2:
                            G[p] += reg_rate * w
                        else:
                            G[p] += reg_rate * (1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0))
            # Check the whole update before applying any of it, so a diverging
            # run keeps its last finite weights.
            for p in range(n_params):
                w = params[p] - lr * G[p]
                if not (abs(w) <= max_abs_weight):
                    loss_out[epoch] = epoch_loss if bs >= n else math.nan
                    return e, WEIGHTS_EXPLODED
            for p in range(n_params):
                params[p] -= lr * G[p]
        loss_out[epoch] = epoch_loss
    return n_epochs, OK
