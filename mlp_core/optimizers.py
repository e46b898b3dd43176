"""Optimizers, learning-rate schedules and the optimizer state's layout.

The update rules are PyTorch's (``torch.optim``, weight_decay 0, maximize
False), per parameter ``p`` with gradient ``g`` (regularisation already added)
at update ``t = 1, 2, ...`` (``t`` counts updates, i.e. mini-batches):

- ``sgd``: ``p -= lr g`` (the tutorial's gradient descent).
- ``momentum``: ``b = g`` at t = 1, else ``b = mu b + g``; ``p -= lr b``
  (``SGD(momentum=mu)``, dampening 0).
- ``nesterov``: ``b`` as momentum; ``p -= lr (g + mu b)``
  (``SGD(momentum=mu, nesterov=True)``).
- ``rmsprop``: ``v = alpha v + (1 - alpha) g^2``; ``p -= lr g / (sqrt(v) + eps)``
  (``RMSprop``, not centred, no momentum).
- ``adam``: ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
  ``p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)`` (``Adam``, no amsgrad).

The learning rate of every update in epoch ``e`` (counted over the whole run)
is ``lr_at(schedule, lr, e, epochs, step_size, gamma)``.

The compiled paths (``kernel.py``, ``dense.py``) share ``step``; the readable
path (``reference.py``) writes each rule out in NumPy. Both keep the state in
one flat float64 array (``new_state``), which a ``Trainer`` carries across
calls so a paused run resumes exactly.

numba's disk cache does not see changes here from the modules that call these
functions: after editing this file, delete ``mlp_core/__pycache__/*.nbi`` and
``*.nbc`` (docs/performance-optimizers.md has the costs behind the code's shape).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
OPTIMIZER_IDS = {name: i for i, name in enumerate(OPTIMIZERS)}
OPTIMIZER_LABELS = {
    "sgd": "Gradient descent (SGD)",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "rmsprop": "RMSprop",
    "adam": "Adam",
}
# The TrainConfig fields each optimizer reads (the UI shows only these).
OPTIMIZER_PARAMS = {
    "sgd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}
SGD, MOMENTUM, NESTEROV, RMSPROP, ADAM = range(len(OPTIMIZERS))

SCHEDULES = ("constant", "step", "exp", "cosine")
SCHEDULE_IDS = {name: i for i, name in enumerate(SCHEDULES)}
SCHEDULE_LABELS = {
    "constant": "Constant",
    "step": "Step decay",
    "exp": "Exponential decay",
    "cosine": "Cosine to zero",
}
# The TrainConfig fields each schedule reads.
SCHEDULE_PARAMS = {
    "constant": (),
    "step": ("step_size", "gamma"),
    "exp": ("step_size", "gamma"),
    "cosine": (),
}
CONSTANT, STEP, EXP, COSINE = range(len(SCHEDULES))


def _rate(sched_id, lr, epoch, epochs, step_size, gamma):
    # Plain scalar arithmetic, so the same text compiles for the kernels (``rate``).
    if sched_id in (STEP, EXP):
        s = step_size if step_size > 0 else max(1, epochs // 4)
        if sched_id == STEP:
            # A float power, as Python's ** takes it (numba's integer power rounds differently).
            return lr * gamma ** float(epoch // s)
        return lr * gamma ** (epoch / s)
    if sched_id == COSINE:
        return lr * 0.5 * (1.0 + math.cos(math.pi * min(epoch, epochs) / epochs))
    return lr


rate = njit(nogil=True, cache=True)(_rate)


def lr_at(schedule: str, lr: float, epoch: int, epochs: int, step_size: int = 0,
          gamma: float = 0.5) -> float:
    """The learning rate of every update in epoch ``epoch`` (0, 1, ... over the whole run).

    ``constant``: ``lr``; ``step``: ``lr gamma^(epoch // S)``; ``exp``:
    ``lr gamma^(epoch / S)`` (multiply by gamma every S epochs, smoothly);
    ``cosine``: ``lr (1 + cos(pi min(epoch, T) / T)) / 2`` with ``T = epochs``
    (PyTorch's ``CosineAnnealingLR(T_max=epochs)``), zero from epoch T on.
    ``S`` is ``step_size``, or a quarter of ``epochs`` (at least 1) when it is 0.
    """
    return float(_rate(SCHEDULE_IDS[schedule], float(lr), int(epoch), int(epochs),
                       int(step_size), float(gamma)))


# --- the state ---------------------------------------------------------------
# One flat float64 array per run: the optimizer's part (the update count t, Adam's
# beta1^t and beta2^t, two buffers of n_params each) and early stopping's (the best
# test loss so far, its epoch, the epochs since it, the parameters then).
T = 0               # updates taken so far
BETA1_T = 1         # beta1 ** t and beta2 ** t, kept as running products: two pow()
BETA2_T = 2         # calls an update cost more than a whole epoch of the tutorial's net
BEST_LOSS = 3       # lowest test loss seen (inf: none yet)
BEST_EPOCH = 4      # the epoch count when it was seen
SINCE_BEST = 5      # epochs since then without a strictly lower test loss
HEAD = 6
# The compiled steps index with unsigned integers, as kernel.py's loops do (no
# negative-index wraparound to check, so LLVM can vectorize the loops).
U = np.uint64
# Below this a bias correction 1 - beta^t rounds to 1.0 (2^-54 is half an ulp of 1).
BIAS_GONE = 2.0 ** -54


def state_size(n_params: int) -> int:
    """Length of the state of a network with ``n_params`` parameters."""
    return HEAD + 3 * n_params


def new_state(n_params: int) -> np.ndarray:
    """The state before the first update: t = 0, zero buffers, no best test loss."""
    state = np.zeros(state_size(n_params))
    reset_optimizer(state)
    state[BEST_LOSS] = math.inf
    return state


def reset_optimizer(state: np.ndarray) -> None:
    """Forget the optimizer's part of ``state`` (t and both buffers); early stopping's stays."""
    n_params = (len(state) - HEAD) // 3
    state[T] = 0.0
    state[BETA1_T] = state[BETA2_T] = 1.0
    state[HEAD: HEAD + 2 * n_params] = 0.0


def set_betas(state: np.ndarray, beta1: float, beta2: float) -> None:
    """Make the kept powers ``beta1 ** t`` and ``beta2 ** t`` of new betas (PyTorch takes
    the current betas to the power of the step count)."""
    t = state[T]
    state[BETA1_T], state[BETA2_T] = beta1 ** t, beta2 ** t


def buffers(state: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the state's three parameter-sized parts: the first buffer (momentum's b,
    RMSprop's v, Adam's m), the second (Adam's v) and the best parameters so far."""
    n_params = (len(state) - HEAD) // 3
    first = state[HEAD: HEAD + n_params]
    second = state[HEAD + n_params: HEAD + 2 * n_params]
    best = state[HEAD + 2 * n_params: HEAD + 3 * n_params]
    return first, second, best


@njit(nogil=True, cache=True, error_model="numpy")
def update(params, G, new, state, opt_id, lr, mu, beta1, beta2, alpha, eps, max_abs_weight):
    """One update of optimizer ``opt_id`` at rate ``lr``: ``step``, then ``commit`` if it
    kept every weight within ``max_abs_weight``. Returns whether it was applied."""
    if not step(params, G, new, state, opt_id, lr, mu, beta1, beta2, alpha, eps,
                max_abs_weight):
        return False
    commit(params, G, new, state, opt_id, mu, beta1, beta2, alpha)
    return True


# error_model="numpy": a division is IEEE's, without Python's zero check on every
# one (which keeps the loops from vectorizing: 4x slower). No divisor here can be 0.
# Inlined into ``update``: a call with arrays costs as much as the tutorial's update.
@njit(nogil=True, cache=True, error_model="numpy", inline="always")
def step(params, G, new, state, opt_id, lr, mu, beta1, beta2, alpha, eps, max_abs_weight):
    """Write the updated parameters into ``new``; return whether all are within
    ``max_abs_weight`` (and finite).

    ``params``, ``G`` (the gradient, regularisation included) and ``new`` have
    shape (n_params,); ``state`` is ``new_state``'s layout. Nothing in ``params``
    or ``state`` changes: the caller calls ``commit`` only if this returned True,
    so an update that would blow up is never half applied.
    """
    n = U(params.shape[0])
    b = U(HEAD)            # the first buffer's start in state
    v = U(HEAD) + n        # the second's
    fresh = state[T] == 0.0
    if opt_id == SGD:
        for p in range(n):
            new[p] = params[p] - lr * G[p]
    elif opt_id == MOMENTUM:
        for p in range(n):
            g = G[p]
            bp = g if fresh else mu * state[b + p] + g
            new[p] = params[p] - lr * bp
    elif opt_id == NESTEROV:
        for p in range(n):
            g = G[p]
            bp = g if fresh else mu * state[b + p] + g
            new[p] = params[p] - lr * (g + mu * bp)
    elif opt_id == RMSPROP:
        for p in range(n):
            g = G[p]
            vp = alpha * state[b + p] + (1.0 - alpha) * g * g
            new[p] = params[p] - lr * (g / (math.sqrt(vp) + eps))
    else:
        # torch.optim.Adam's arrangement: lr / (1 - beta1^t) m / (sqrt(v) / sqrt(1 - beta2^t)
        # + eps), the formula above with two divisions an element instead of three.
        step_size = lr / (1.0 - state[BETA1_T] * beta1)
        root_c2 = math.sqrt(1.0 - state[BETA2_T] * beta2)
        for p in range(n):
            g = G[p]
            mp = beta1 * state[b + p] + (1.0 - beta1) * g
            vp = beta2 * state[v + p] + (1.0 - beta2) * g * g
            new[p] = params[p] - step_size * (mp / (math.sqrt(vp) / root_c2 + eps))
    ok = True
    for p in range(n):
        # NaN fails the comparison too.
        ok = ok & (abs(new[p]) <= max_abs_weight)
    return ok


@njit(nogil=True, cache=True, error_model="numpy", inline="always")
def commit(params, G, new, state, opt_id, mu, beta1, beta2, alpha):
    """Apply the update ``step`` computed: ``params = new``, and advance the state."""
    n = U(params.shape[0])
    b = U(HEAD)
    v = U(HEAD) + n
    fresh = state[T] == 0.0
    state[T] += 1.0
    if opt_id in (MOMENTUM, NESTEROV):
        for p in range(n):
            state[b + p] = G[p] if fresh else mu * state[b + p] + G[p]
    elif opt_id == RMSPROP:
        for p in range(n):
            g = G[p]
            state[b + p] = alpha * state[b + p] + (1.0 - alpha) * g * g
    elif opt_id == ADAM:
        # Past 2^-54, 1 - beta^t is 1.0 exactly: the power goes to 0 there rather than
        # through the denormals (each multiply on one is ~100x slower).
        for k in (BETA1_T, BETA2_T):
            power = state[k] * (beta1 if k == BETA1_T else beta2)
            state[k] = power if power >= BIAS_GONE else 0.0
        for p in range(n):
            g = G[p]
            state[b + p] = beta1 * state[b + p] + (1.0 - beta1) * g
            state[v + p] = beta2 * state[v + p] + (1.0 - beta2) * g * g
    for p in range(n):
        params[p] = new[p]


@njit(nogil=True, cache=True)
def track_best(state, params, test_loss, epoch, patience):
    """Early stopping's bookkeeping after an epoch; True means stop.

    A test loss strictly lower than the best so far becomes the best (with
    ``epoch``, the epochs done, and a copy of ``params``); otherwise one more
    epoch without improvement is counted, and at ``patience`` of them the best
    parameters are put back into ``params``.
    """
    n = params.shape[0]
    best = state[HEAD + 2 * n: HEAD + 3 * n]
    if test_loss < state[BEST_LOSS]:
        state[BEST_LOSS] = test_loss
        state[BEST_EPOCH] = epoch
        state[SINCE_BEST] = 0.0
        best[:] = params
        return False
    state[SINCE_BEST] += 1.0
    if state[SINCE_BEST] >= patience:
        if state[BEST_LOSS] < math.inf:    # else no epoch had a finite test loss
            params[:] = best
        return True
    return False
