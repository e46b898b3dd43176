"""``mlp_core.dense`` (BLAS matrix products) against a plain NumPy implementation
of the contract's formulas written out below, and against today's compiled loops
(``kernel.train_epochs``) on the networks those handle (sigmoid output, k = 1).

The sums in BLAS run in another order than NumPy's or the loops', so agreement
is to 1e-9, on runs short and gentle enough that rounding does not grow chaotically.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from mlp_core import dense, kernel
from mlp_core.kernel import LOSS_NOT_FINITE, OK, WEIGHTS_EXPLODED, epoch_permutation

TOL = 1e-9
ACTS = {"sigmoid": 0, "tanh": 1, "relu": 2, "linear": 3}
OUTS = {"sigmoid": 0, "softmax": 1, "linear": 2}
LOSSES = {"sse": 0, "mse": 1, "bce": 2, "ce": 3}
REGS = {"none": 0, "l1": 1, "l2": 2}
PAIRS = [("sigmoid", "sse"), ("sigmoid", "mse"), ("sigmoid", "bce"), ("softmax", "ce"),
         ("linear", "sse"), ("linear", "mse")]
# Outputs per kind: two independent sigmoids (multi-label), three classes, two targets.
K = {"sigmoid": 2, "softmax": 3, "linear": 2}


# --- the contract's formulas, one batch at a time, in plain NumPy -----------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


HIDDEN = {
    "sigmoid": (sigmoid, lambda a: a * (1.0 - a)),
    "tanh": (np.tanh, lambda a: 1.0 - a * a),
    "relu": (lambda z: np.maximum(z, 0.0), lambda a: (a > 0.0).astype(float)),
    "linear": (lambda z: z, lambda a: np.ones_like(a)),
}


def log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def output(z, out):
    return {"sigmoid": sigmoid, "softmax": lambda v: np.exp(log_softmax(v)),
            "linear": lambda v: v}[out](z)


def summed_loss(o, z, t, loss):
    """The batch's share of the loss before the full set's mean."""
    return {"sse": lambda: 0.5 * np.sum((o - t) ** 2),
            "mse": lambda: np.sum((o - t) ** 2),
            "bce": lambda: np.sum(np.logaddexp(0.0, z) - t * z),
            "ce": lambda: -np.sum(t * log_softmax(z))}[loss]()


def full_set_divisor(loss, n, k):
    return {"sse": 1.0, "mse": n * k, "bce": n * k, "ce": n}[loss]


def output_delta(o, t, out, loss):
    """dE/dz at the output for a batch of m rows, as the contract lists them."""
    m, k = o.shape
    return {("sigmoid", "sse"): lambda: (o - t) * o * (1 - o),
            ("sigmoid", "mse"): lambda: 2 * (o - t) / (m * k) * o * (1 - o),
            ("sigmoid", "bce"): lambda: (o - t) / (m * k),
            ("softmax", "ce"): lambda: (o - t) / m,
            ("linear", "sse"): lambda: o - t,
            ("linear", "mse"): lambda: 2 * (o - t) / (m * k)}[(out, loss)]()


def unpack(params, sizes):
    """Copies of each layer's W (n_in, n_out) and b (n_out,) from the flat layout."""
    weights, biases, off = [], [], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights.append(params[off:off + n_in * n_out].reshape(n_in, n_out).copy())
        off += n_in * n_out
        biases.append(params[off:off + n_out].copy())
        off += n_out
    return weights, biases


def pack(weights, biases):
    return np.concatenate([p.ravel() for wb in zip(weights, biases) for p in wb])


def plain_forward(X, weights, biases, act, out):
    f, _ = HIDDEN[act]
    layers = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        layers.append(f(layers[-1] @ W + b))
    z = layers[-1] @ weights[-1] + biases[-1]
    return layers, z, output(z, out)


def plain_train(X, Y, params, sizes, act, out, loss, bias, lr, reg, reg_rate, batch_size,
                seed, start_epoch, n_epochs):
    """Gradient descent as the contract describes it; returns (params, epoch losses)."""
    n, k = Y.shape
    weights, biases = unpack(params, sizes)
    _, slope = HIDDEN[act]
    history = []
    for epoch in range(start_epoch, start_epoch + n_epochs):
        order = np.arange(n)
        if batch_size < n:
            epoch_permutation(order, seed, epoch)
        epoch_loss = 0.0
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            layers, z, o = plain_forward(X[rows], weights, biases, act, out)
            epoch_loss += summed_loss(o, z, Y[rows], loss) / full_set_divisor(loss, n, k)
            delta = output_delta(o, Y[rows], out, loss)
            grad_w, grad_b = [None] * len(weights), [None] * len(weights)
            for layer in range(len(weights) - 1, -1, -1):
                grad_w[layer] = layers[layer].T @ delta
                grad_b[layer] = delta.sum(axis=0) if bias else np.zeros_like(biases[layer])
                if layer > 0:
                    delta = (delta @ weights[layer].T) * slope(layers[layer])
            for layer, W in enumerate(weights):
                penalty = {"none": 0.0, "l1": np.sign(W), "l2": W}[reg]
                weights[layer] = W - lr * (grad_w[layer] + reg_rate * penalty)
                biases[layer] = biases[layer] - lr * grad_b[layer]
        history.append(epoch_loss)
    return pack(weights, biases), np.array(history)


def plain_loss_and_score(X, Y, params, sizes, act, out, loss):
    weights, biases = unpack(params, sizes)
    _, z, o = plain_forward(X, weights, biases, act, out)
    value = summed_loss(o, z, Y, loss) / full_set_divisor(loss, *Y.shape)
    if out == "linear":
        return value, np.sum((o - Y) ** 2)
    if out == "softmax":
        return value, np.sum(o.argmax(axis=1) == Y.argmax(axis=1))
    return value, np.sum(np.all((o >= 0.5) == (Y >= 0.5), axis=1))


# --- cases ------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    out: str
    loss: str
    act: str
    hidden: tuple[int, ...]
    bias: bool
    batch_size: int | None = None     # None: full batch
    reg: str = "none"
    reg_rate: float = 0.0
    n: int = 60
    n_in: int = 3
    k: int | None = None

    @property
    def sizes(self) -> np.ndarray:
        return np.array([self.n_in, *self.hidden, self.k or K[self.out]], dtype=np.int64)

    @property
    def lr(self) -> float:
        # sse sums over rows: a smaller step keeps the run out of chaos, where
        # two orders of summation part ways.
        return 0.005 if self.loss == "sse" else 0.5

    def data(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(self.n, self.n_in))
        k = int(self.sizes[-1])
        if self.out == "softmax":
            Y = np.eye(k)[rng.integers(0, k, self.n)]
        elif self.out == "sigmoid":
            Y = (rng.random((self.n, k)) < 0.5).astype(float)
        else:
            Y = np.sin(X @ rng.normal(size=(self.n_in, k)))
        return X, Y

    def params(self) -> np.ndarray:
        rng = np.random.default_rng(1)
        sizes = self.sizes
        weights = [rng.normal(0, 1 / np.sqrt(a), (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
        biases = [rng.normal(0, 0.3, b) if self.bias else np.zeros(b) for b in sizes[1:]]
        return pack(weights, biases)

    def settings(self):
        """The settings of every entry point after (X, Y, params), up to ``seed``."""
        return (self.sizes, ACTS[self.act], OUTS[self.out], LOSSES[self.loss], self.bias,
                self.lr, REGS[self.reg], self.reg_rate, self.batch_size or self.n, 5)


def run_dense(case: Case, epochs: int, params=None, start=0, loss_out=None, max_abs=1e4):
    X, Y = case.data()
    params = case.params() if params is None else params
    loss_out = np.zeros(start + epochs) if loss_out is None else loss_out
    done, status = dense.train_epochs(X, Y, params, *case.settings(), start, epochs, loss_out,
                                      max_abs)
    return params, loss_out, done, status


def run_plain(case: Case, epochs: int):
    X, Y = case.data()
    (sizes, _, _, _, bias, lr, _, reg_rate, batch_size, seed) = case.settings()
    return plain_train(X, Y, case.params(), sizes, case.act, case.out, case.loss, bias, lr,
                       case.reg, reg_rate, batch_size, seed, 0, epochs)


BATCHES = {"full": None, "mini": 16}
CASES = {
    f"{out}-{loss}-{act}-{len(hidden)}h-{batch}-{'bias' if bias else 'nobias'}":
        Case(out, loss, act, hidden, bias, BATCHES[batch])
    for (out, loss), act, hidden, batch, bias in itertools.product(
        PAIRS, ACTS, [(), (5,), (6, 4)], BATCHES, (True, False))
    # Without hidden layers the activation plays no part: one case per output.
    if hidden or act == "sigmoid"
}
REG_CASES = {
    f"{out}-{loss}-{reg}-{batch}": Case(out, loss, "tanh", (5,), True, BATCHES[batch], reg, 0.01)
    for (out, loss), reg, batch in itertools.product(PAIRS, ("l1", "l2"), BATCHES)
}


@pytest.mark.parametrize("case", list(CASES.values()) + list(REG_CASES.values()),
                         ids=list(CASES) + list(REG_CASES))
def test_agrees_with_plain_numpy(case):
    epochs = 60
    params, losses, done, status = run_dense(case, epochs)
    expected_params, expected_losses = run_plain(case, epochs)
    assert (done, status) == (epochs, OK)
    np.testing.assert_allclose(losses, expected_losses, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(params, expected_params, rtol=TOL, atol=TOL)
    # The run moved the weights: agreement is not two untouched copies.
    assert np.abs(params - case.params()).max() > 1e-3


def test_long_run_agrees():
    case = Case("softmax", "ce", "relu", (8, 6), True, 16, "l2", 0.001)
    params, losses, _, _ = run_dense(case, 200)
    expected_params, expected_losses = run_plain(case, 200)
    np.testing.assert_allclose(losses, expected_losses, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(params, expected_params, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("case", [CASES[c] for c in CASES if c.endswith("-full-bias")],
                         ids=[c for c in CASES if c.endswith("-full-bias")])
def test_loss_and_score(case):
    X, Y = case.data(seed=3)
    params = case.params()
    loss, score = dense.loss_and_score(X, Y, params, *case.settings()[:4])
    expected_loss, expected_score = plain_loss_and_score(X, Y, params, case.sizes, case.act,
                                                        case.out, case.loss)
    np.testing.assert_allclose(loss, expected_loss, rtol=TOL)
    np.testing.assert_allclose(score, expected_score, rtol=TOL)


def test_no_bias_keeps_biases_at_zero():
    case = Case("softmax", "ce", "sigmoid", (6, 4), False, 16, "l1", 0.01)
    params, _, _, _ = run_dense(case, 30)
    _, biases = unpack(params, case.sizes)
    assert all(np.all(b == 0.0) for b in biases)


def test_resume_is_bit_exact():
    for batch in BATCHES.values():
        case = Case("linear", "mse", "tanh", (7, 5), True, batch, "l2", 0.01)
        whole, whole_losses, _, _ = run_dense(case, 100)
        part, losses, _, _ = run_dense(case, 40, loss_out=np.zeros(100))
        run_dense(case, 60, params=part, start=40, loss_out=losses)
        assert np.array_equal(whole, part)
        assert np.array_equal(whole_losses, losses)


def test_loss_not_finite_keeps_the_weights_that_produced_it():
    case = Case("linear", "sse", "linear", (4,), True)
    X, Y = case.data()
    params = case.params()
    before = params.copy()
    loss_out = np.zeros(5)
    done, status = dense.train_epochs(X * 1e200, Y, params, *case.settings(), 0, 5, loss_out,
                                      np.inf)
    assert (done, status) == (0, LOSS_NOT_FINITE)
    assert not np.isfinite(loss_out[0])
    assert np.array_equal(params, before)


@pytest.mark.parametrize("batch", BATCHES)
def test_weights_exploded_applies_nothing(batch):
    case = Case("linear", "sse", "relu", (6,), True, BATCHES[batch])
    X, Y = case.data()
    settings = list(case.settings())
    settings[5] = 3.0  # lr: sse over 60 rows diverges at once
    params = case.params()
    loss_out = np.zeros(50)
    done, status = dense.train_epochs(X, Y, params, *settings, 0, 50, loss_out, 20.0)
    assert status == WEIGHTS_EXPLODED and 0 <= done < 50
    assert np.abs(params).max() <= 20.0
    # The same run stopped just before the failing epoch holds the same weights...
    again = case.params()
    assert dense.train_epochs(X, Y, again, *settings, 0, done, np.zeros(50), 20.0) == (done, OK)
    if batch == "full":
        # ...and a full-batch epoch's loss is known before its update is refused.
        assert np.isfinite(loss_out[done])
        assert np.array_equal(params, again)
    else:
        # A mini-batch epoch that fails part way has no full-set loss, and the
        # batches before the failing one were applied.
        assert np.isnan(loss_out[done])


def test_train_stops_records_what_train_epochs_reaches():
    case = Case("softmax", "ce", "tanh", (6,), True, 16)
    X, Y = case.data()
    X_test, Y_test = case.data(seed=9)
    stops = np.array([10, 25, 40], dtype=np.int64)
    n_params = case.params().size
    evals = np.zeros((3, 4))
    params_at = np.zeros((3, n_params))
    loss_out = np.zeros(40)
    params = case.params()
    result = dense.train_stops(X, Y, X_test, Y_test, params, *case.settings(), 0, stops,
                               loss_out, 1e4, evals, params_at)
    assert result == (3, 40, OK)
    for j, stop in enumerate(stops):
        expected, expected_losses, _, _ = run_dense(case, int(stop))
        assert np.array_equal(params_at[j], expected)
        assert np.array_equal(loss_out[:stop], expected_losses)
        args = case.settings()[:4]
        assert tuple(evals[j, :2]) == dense.loss_and_score(X, Y, expected, *args)
        assert tuple(evals[j, 2:]) == dense.loss_and_score(X_test, Y_test, expected, *args)
    assert np.array_equal(params, params_at[-1])


def test_train_stops_reports_a_divergence():
    case = Case("linear", "sse", "relu", (6,), True)
    X, Y = case.data()
    settings = list(case.settings())
    settings[5] = 3.0
    stops = np.array([1, 2, 50], dtype=np.int64)
    evals = np.full((3, 4), -1.0)
    params = case.params()
    reached, epoch, status = dense.train_stops(
        X, Y, np.zeros((0, 3)), np.zeros((0, 2)), params, *settings, 0, stops, np.zeros(50),
        20.0, evals, np.zeros((3, params.size)))
    assert status == WEIGHTS_EXPLODED and reached < 3
    assert stops[reached - 1] <= epoch < stops[reached] if reached else epoch < stops[0]
    # Without a test set its columns are left as they were.
    assert np.all(evals[:, 2:] == -1.0)


def test_disallowed_pair_is_refused():
    case = Case("softmax", "ce", "tanh", (6,), True)
    X, Y = case.data()
    settings = list(case.settings())
    settings[3] = LOSSES["mse"]
    with pytest.raises(ValueError, match="cannot train"):
        dense.train_epochs(X, Y, case.params(), *settings, 0, 1, np.zeros(1), 1e4)


# --- against today's compiled loops (sigmoid output, one unit) ---------------------

KERNEL_CASES = {
    f"{loss}-{act}-{len(hidden)}h-{batch}-{'bias' if bias else 'nobias'}":
        Case("sigmoid", loss, act, hidden, bias, BATCHES[batch], k=1,
             reg="l2" if bias else "none", reg_rate=0.01 if bias else 0.0)
    for loss, act, hidden, batch, bias in itertools.product(
        ("sse", "mse", "bce"), ACTS, [(), (5,), (6, 4)], BATCHES, (True, False))
    if hidden or act == "sigmoid"
}


@pytest.mark.parametrize("case", list(KERNEL_CASES.values()), ids=list(KERNEL_CASES))
def test_agrees_with_the_loop_kernel(case):
    X, Y = case.data()
    expected = case.params()
    expected_losses = np.zeros(80)
    assert kernel.train_epochs(X, Y, expected, *case.settings(), 0, 80, expected_losses,
                               1e4) == (80, OK)
    params, losses, done, status = run_dense(case, 80)
    assert (done, status) == (80, OK)
    np.testing.assert_allclose(losses, expected_losses, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(params, expected, rtol=TOL, atol=TOL)
    np.testing.assert_allclose(dense.loss_and_score(X, Y, params, *case.settings()[:4]),
                               kernel.loss_and_score(X, Y, params, *case.settings()[:4]),
                               rtol=TOL)


# --- the vectorised exp and the size rule -------------------------------------------

def test_exp_is_within_two_ulp_of_numpy():
    rng = np.random.default_rng(0)
    src = np.concatenate([rng.normal(0, 5, 20_000), rng.uniform(-700, 700, 5_000),
                          [0.0, -0.0, 1e-300, np.log(2) / 2, -np.log(2) / 2, 707.0]])
    pow2 = np.empty(src.size)
    out = np.empty(src.size)
    dense._exp_neg_abs(src, pow2, pow2.view(np.int64), out)
    expected = np.exp(-np.abs(src))
    assert np.all(np.abs(out - expected) <= 2 * np.spacing(expected))


def test_exp_passes_nan_and_saturates_infinity():
    src = np.array([np.nan, np.inf, -np.inf, 800.0])
    pow2 = np.empty(4)
    out = np.empty(4)
    dense._exp_neg_abs(src, pow2, pow2.view(np.int64), out)
    assert np.isnan(out[0])
    # exp(-inf) is 0; the floor gives exp(-708), as far from 1 as a sigmoid can tell.
    assert np.all((out[1:] >= 0.0) & (out[1:] < 1e-307))


def test_size_rule_counts_multiply_adds_per_batch():
    assert dense.multiply_adds([64, 32, 10], 1437) == 1437 * (64 * 32 + 32 * 10)
    assert dense.wins_over_loops([64, 32, 10], 1437)
    assert not dense.wins_over_loops([2, 3, 1], 200)
    # The same net with small mini-batches is back on the loops.
    assert not dense.wins_over_loops([64, 32, 10], 16)


def test_tanh_is_within_two_ulp_of_numpy():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 2, 20_000), rng.uniform(-0.7, 0.7, 5_000),
                        [0.0, -0.0, 1e-300, 0.625, -0.625, np.nextafter(0.625, 0), 20.0, -400.0]])
    expected = np.tanh(z)
    pow2 = np.empty(z.size)
    dense._tanh(z, pow2, pow2.view(np.int64), np.empty(z.size))
    assert np.all(np.abs(z - expected) <= 2 * np.spacing(np.abs(expected)))


# --- the whole engine: the Trainer on the dense path against the readable reference ----

@pytest.mark.parametrize("output, loss, hidden", [
    ("softmax", "ce", (32,)), ("sigmoid", "bce", (16, 16)), ("linear", "mse", (24,)),
])
def test_trainer_on_dense_equals_the_reference_path(output, loss, hidden):
    from mlp_core.network import Network
    from mlp_core.reference import apply_update, backprop
    from mlp_core.training import TrainConfig, Trainer, kernel_for

    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 30))
    k = {"softmax": 4, "sigmoid": 1, "linear": 2}[output]
    y = rng.integers(0, k, 300).astype(float) if output == "softmax" else \
        (X[:, :k] + 0.1 * rng.normal(size=(300, k)) > 0).astype(float) if output == "sigmoid" \
        else X[:, :k] * 0.5
    net = Network.create(30, hidden, n_outputs=k, output=output, activation="tanh",
                         bias=True, init="xavier", seed=3)
    assert kernel_for(net.layer_sizes, len(X)) is dense       # what this test is about
    ref = net.copy()
    trainer = Trainer(net, X, y, TrainConfig(lr=0.1, epochs=25, loss=loss))
    trainer.train()
    target = ref.encode_targets(y)
    for _ in range(25):
        apply_update(ref, backprop(ref, X, target, loss), 0.1)
    np.testing.assert_allclose(net.params, ref.params, rtol=1e-9, atol=1e-9)
