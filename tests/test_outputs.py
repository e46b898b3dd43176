"""Multi-output networks: softmax, linear and k sigmoid outputs, every allowed loss.

Checked against independent truths: the losses against PyTorch's documented
definitions written out here (not the engine's functions); one gradient-descent
step of the compiled kernel against central finite differences of the objective;
the compiled path against the readable reference path to 1e-9; a split run
against an uninterrupted one, bit for bit.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from mlp_core import Network, TrainConfig, Trainer
from mlp_core.activations import ACTIVATION_IDS, OUTPUT_IDS, softmax
from mlp_core.kernel import epoch_permutation, loss_and_score, train_epochs
from mlp_core.losses import ALLOWED_LOSSES, LOSS_IDS, LOSSES, check_loss_for_output
from mlp_core.reference import apply_update, backprop, evaluate, objective
from mlp_core.training import MAX_ABS_WEIGHT, kernel_for, kernel_settings

RTOL = 1e-9
PAIRS = [(out, loss) for out, losses in ALLOWED_LOSSES.items() for loss in losses]


def _targets(output: str, n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """What a data set would hold: labels (n,) for softmax / one sigmoid, else (n, k)."""
    if output == "softmax":
        return rng.integers(0, k, n).astype(float)
    if output == "sigmoid":
        return (rng.random((n, k)) > 0.5).astype(float) if k > 1 else (
            (rng.random(n) > 0.5).astype(float))
    return rng.normal(size=(n, k)) if k > 1 else rng.normal(size=n)


def _network(n_in, hidden, k, output, activation="tanh", bias=True, seed=0) -> Network:
    net = Network.create(n_in, hidden, n_outputs=k, output=output, activation=activation,
                         bias=bias, init="xavier", seed=seed)
    if bias:
        rng = np.random.default_rng(seed + 1)
        for b in net.biases:
            b[...] = rng.uniform(-0.3, 0.3, b.shape)
    return net


# --- losses against PyTorch's definitions ------------------------------------------


def torch_cross_entropy(z: np.ndarray, t: np.ndarray) -> float:
    """``nn.CrossEntropyLoss()`` with probability targets, as its documentation writes it:
    ``l_i = -sum_c t_ic log(exp(z_ic) / sum_j exp(z_ij))``, mean over rows; the
    log-sum-exp written out with the row's maximum taken out."""
    total = 0.0
    for row, targets in zip(z.tolist(), t.tolist()):
        top = max(row)
        log_sum_exp = top + math.log(sum(math.exp(v - top) for v in row))
        total += -sum(tc * (zc - log_sum_exp) for zc, tc in zip(row, targets))
    return total / len(z)


def torch_bce_with_logits(z: np.ndarray, t: np.ndarray) -> float:
    """``nn.BCEWithLogitsLoss()``: mean of ``-[t log s(z) + (1-t) log(1-s(z))]``, with
    ``log s(z) = -log(1 + e^-z)`` and ``log(1 - s(z)) = -z - log(1 + e^-z)`` taken
    for ``z >= 0`` and their mirror images below (no exp of a large positive number)."""
    values = []
    for zc, tc in zip(z.ravel().tolist(), t.ravel().tolist()):
        if zc >= 0:
            log_s, log_1ms = -math.log1p(math.exp(-zc)), -zc - math.log1p(math.exp(-zc))
        else:
            log_s, log_1ms = zc - math.log1p(math.exp(zc)), -math.log1p(math.exp(zc))
        values.append(-(tc * log_s + (1 - tc) * log_1ms))
    return sum(values) / len(values)


def torch_mse(o: np.ndarray, t: np.ndarray) -> float:
    """``nn.MSELoss()``: mean over every element."""
    diffs = (o - t).ravel().tolist()
    return sum(d * d for d in diffs) / len(diffs)


def tutorial_sse(o: np.ndarray, t: np.ndarray) -> float:
    return 0.5 * sum(d * d for d in (o - t).ravel().tolist())


LOGITS = {
    "moderate": np.array([[0.5, -1.2, 2.0], [0.0, 0.1, -0.1], [3.0, -3.0, 1.0]]),
    "large": np.array([[1000.0, 0.0, -1000.0], [-800.0, -805.0, -790.0], [750.0, 750.0, -5.0]]),
}


@pytest.mark.parametrize("scale", list(LOGITS))
def test_ce_is_torch_cross_entropy(scale):
    z = LOGITS[scale]
    t = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    value = LOSSES["ce"](softmax(z), z, t)
    assert math.isfinite(value)
    assert value == pytest.approx(torch_cross_entropy(z, t), rel=1e-12, abs=1e-12)
    assert np.all(np.isfinite(softmax(z)))
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0, rtol=1e-15)


def test_ce_of_saturated_logits_has_known_values():
    z = np.array([[1000.0, 0.0, -1000.0]])
    assert LOSSES["ce"](softmax(z), z, np.array([[1.0, 0, 0]])) == 0.0
    assert LOSSES["ce"](softmax(z), z, np.array([[0, 1.0, 0]])) == pytest.approx(1000.0)
    assert LOSSES["ce"](softmax(z), z, np.array([[0, 0, 1.0]])) == pytest.approx(2000.0)


@pytest.mark.parametrize("scale", list(LOGITS))
def test_bce_is_torch_bce_with_logits(scale):
    z = LOGITS[scale]
    t = (np.arange(9).reshape(3, 3) % 2).astype(float)
    out = 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    assert LOSSES["bce"](out, z, t) == pytest.approx(torch_bce_with_logits(z, t), rel=1e-12)


def test_mse_and_sse_over_all_elements():
    rng = np.random.default_rng(3)
    o, t = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
    assert LOSSES["mse"](o, o, t) == pytest.approx(torch_mse(o, t), rel=1e-13)
    assert LOSSES["sse"](o, o, t) == pytest.approx(tutorial_sse(o, t), rel=1e-13)


@pytest.mark.parametrize("output,loss", PAIRS)
def test_compiled_loss_is_torch_loss_at_large_logits(output, loss):
    """The kernel's own loss (``loss_and_score``) on a 0-hidden-layer net with huge z."""
    k = 1 if (output == "sigmoid" and loss == "sse") else 3
    net = Network((2, k), "sigmoid", True, output_activation=output)
    net.weights[0][...] = np.array([[400.0, -300.0, 5.0][:k], [-350.0, 10.0, 300.0][:k]])
    X = np.array([[2.0, 1.0], [-1.0, 2.0], [0.5, -2.5], [0.0, 0.0]])
    rng = np.random.default_rng(0)
    Y = net.encode_targets(_targets(output, 4, k, rng))
    z = X @ net.weights[0]
    expected = {
        "ce": lambda: torch_cross_entropy(z, Y),
        "bce": lambda: torch_bce_with_logits(z, Y),
        "mse": lambda: torch_mse(net.outputs(X), Y),
        "sse": lambda: tutorial_sse(net.outputs(X), Y),
    }[loss]()
    sizes = np.array(net.layer_sizes, dtype=np.int64)
    value, _ = loss_and_score(X, Y, net.params, sizes, 0, OUTPUT_IDS[output], LOSS_IDS[loss])
    assert math.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)


# --- allowed pairs -----------------------------------------------------------------


@pytest.mark.parametrize("output,loss,message", [
    ("softmax", "sse", r"^loss sse does not fit softmax outputs: softmax outputs train with "
                       r"ce; choose ce$"),
    ("softmax", "bce", r"choose ce$"),
    ("linear", "bce", r"linear outputs train with sse or mse; choose one of those$"),
    ("linear", "ce", r"linear outputs train with sse or mse"),
    ("sigmoid", "ce", r"sigmoid outputs train with sse, mse or bce"),
])
def test_bad_output_loss_pair_says_what_to_choose(output, loss, message):
    with pytest.raises(ValueError, match=message):
        check_loss_for_output(output, loss)
    k = 3 if output == "softmax" else 1
    net = Network.create(2, (3,), n_outputs=k, output=output)
    X, y = np.zeros((4, 2)), np.zeros(4)
    with pytest.raises(ValueError, match=message):
        Trainer(net, X, y, TrainConfig(loss=loss))


def test_trainer_refuses_a_new_config_with_a_bad_loss():
    net = Network.create(2, (3,), n_outputs=3, output="softmax")
    trainer = Trainer(net, np.zeros((3, 2)), np.array([0, 1, 2]), TrainConfig(loss="ce"))
    with pytest.raises(ValueError, match="choose ce"):
        trainer.set_config(TrainConfig(loss="mse"))


# --- one gradient-descent step against finite differences --------------------------

STEP_CASES = [
    (output, loss, k, depth, bias)
    for output, loss, k in [("softmax", "ce", 3), ("softmax", "ce", 2), ("linear", "mse", 1),
                            ("linear", "mse", 3), ("linear", "sse", 2), ("sigmoid", "bce", 3),
                            ("sigmoid", "mse", 3), ("sigmoid", "sse", 3)]
    for depth in (1, 2)
    for bias in (True, False)
]


def _numeric_gradient(net: Network, X, y, loss: str, eps: float = 1e-5) -> np.ndarray:
    """Central differences of ``reference.objective`` in every entry of ``params``."""
    grad = np.zeros_like(net.params)
    probe = net.copy()
    for p in range(len(grad)):
        saved = probe.params[p]
        probe.params[p] = saved + eps
        plus = objective(probe, X, y, loss)
        probe.params[p] = saved - eps
        minus = objective(probe, X, y, loss)
        probe.params[p] = saved
        grad[p] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("output,loss,k,depth,bias", STEP_CASES)
def test_one_step_is_finite_difference_descent(output, loss, k, depth, bias):
    rng = np.random.default_rng(11)
    X = rng.normal(size=(9, 3))
    y = _targets(output, 9, k, rng)
    net = _network(3, (5,) * depth, k, output, bias=bias, seed=k + depth)
    lr = 0.1
    expected = net.params - lr * _numeric_gradient(net, X, y, loss)
    if not bias:
        expected[_bias_mask(net)] = 0.0   # biases off: they stay at exactly 0
    # The compiled kernel, one full-batch epoch.
    stepped = net.copy()
    settings = kernel_settings(stepped, TrainConfig(lr=lr, loss=loss), len(X))
    losses = np.zeros(1)
    done, status = train_epochs(X, stepped.encode_targets(y), stepped.params, *settings, 0, 1,
                                losses, MAX_ABS_WEIGHT)
    assert (done, status) == (1, 0)
    np.testing.assert_allclose(stepped.params, expected, rtol=0, atol=1e-8)
    assert losses[0] == pytest.approx(objective(net, X, y, loss), rel=1e-12)
    # The reference path's step.
    ref = net.copy()
    apply_update(ref, backprop(ref, X, y, loss), lr)
    np.testing.assert_allclose(ref.params, expected, rtol=0, atol=1e-8)
    assert np.max(np.abs(expected - net.params)) > 1e-3   # the step moved something


def _bias_mask(net: Network) -> np.ndarray:
    mask = np.zeros(net.n_params, dtype=bool)
    offset = 0
    for n_in, n_out in net.layer_shapes:
        offset += n_in * n_out
        mask[offset:offset + n_out] = True
        offset += n_out
    return mask


# --- compiled path against the reference path --------------------------------------


@dataclass(frozen=True)
class Case:
    n_in: int
    hidden: tuple[int, ...]
    k: int
    output: str
    loss: str
    batch_size: int | None = None
    activation: str = "tanh"
    bias: bool = True
    rows: int = 24
    epochs: int = 40
    lr: float = 0.05

    def data(self):
        rng = np.random.default_rng(self.n_in * 7 + self.k)
        X = rng.normal(size=(self.rows, self.n_in))
        return X, _targets(self.output, self.rows, self.k, rng)

    def network(self) -> Network:
        return _network(self.n_in, self.hidden, self.k, self.output, self.activation, self.bias)

    def config(self) -> TrainConfig:
        return TrainConfig(lr=self.lr, epochs=self.epochs, loss=self.loss,
                           batch_size=self.batch_size, seed=5)


REFERENCE_CASES = {
    "softmax-3-full-1": Case(2, (5,), 3, "softmax", "ce"),
    "softmax-3-mini-2": Case(4, (6, 5), 3, "softmax", "ce", batch_size=7),
    "softmax-10-full-1": Case(64, (32,), 10, "softmax", "ce", rows=40, epochs=20, lr=0.2),
    "softmax-10-mini-2": Case(64, (32, 16), 10, "softmax", "ce", batch_size=16, rows=40,
                              epochs=10, activation="relu"),
    "softmax-2-no-hidden": Case(3, (), 2, "softmax", "ce", bias=False),
    "softmax-3-no-bias-sigmoid": Case(3, (4,), 3, "softmax", "ce", activation="sigmoid",
                                      bias=False),
    "linear-1-mse-full-1": Case(1, (8,), 1, "linear", "mse"),
    "linear-1-sse-mini-1": Case(1, (8,), 1, "linear", "sse", batch_size=5, lr=0.01),
    "linear-3-mse-mini-2": Case(5, (6, 4), 3, "linear", "mse", batch_size=10),
    "linear-3-sse-full-2": Case(5, (6, 4), 3, "linear", "sse", lr=0.005),
    "linear-10-mse-wide": Case(64, (32,), 10, "linear", "mse", rows=30, epochs=15),
    "linear-2-no-hidden": Case(3, (), 2, "linear", "mse", bias=False),
    "sigmoid-3-bce-full-1": Case(4, (5,), 3, "sigmoid", "bce"),
    "sigmoid-3-bce-mini-2": Case(4, (5, 3), 3, "sigmoid", "bce", batch_size=6),
    "sigmoid-3-mse-full-2": Case(4, (5, 3), 3, "sigmoid", "mse", lr=0.5),
    "sigmoid-3-sse-mini-1": Case(4, (5,), 3, "sigmoid", "sse", batch_size=9),
    "sigmoid-10-bce-wide": Case(64, (32,), 10, "sigmoid", "bce", rows=30, epochs=15),
}


def reference_run(net: Network, X, y, config: TrainConfig) -> np.ndarray:
    """``backprop`` + ``apply_update`` epoch by epoch, mini-batches in the kernel's order;
    an epoch's loss is its batches' combined as the full-set loss would be."""
    n = len(X)
    batch = config.batch_size or n
    order = np.arange(n)
    losses = np.empty(config.epochs)
    for epoch in range(config.epochs):
        if batch < n:
            epoch_permutation(order, config.seed, epoch)
        total = 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            trace = backprop(net, X[rows], y[rows], config.loss)
            apply_update(net, trace, config.lr)
            total += trace.error if config.loss == "sse" else trace.error * len(rows) / n
        losses[epoch] = total
    return losses


@pytest.mark.parametrize("name", list(REFERENCE_CASES))
def test_compiled_path_matches_reference(name):
    case = REFERENCE_CASES[name]
    X, y = case.data()
    reference = case.network()
    ref_losses = reference_run(reference, X, y, case.config())
    trainer = Trainer(case.network(), X, y, case.config())
    trainer.train()
    assert trainer.diverged is None and trainer.epoch == case.epochs
    assert np.all(np.isfinite(ref_losses))
    np.testing.assert_allclose(trainer.losses, ref_losses, rtol=RTOL, atol=0)
    scale = float(np.max(np.abs(reference.params)))
    np.testing.assert_allclose(trainer.net.params, reference.params, rtol=RTOL,
                               atol=RTOL * scale)
    assert np.max(np.abs(trainer.net.params - case.network().params)) > 1e-3   # it trained
    # The kernel's evaluation against the reference path's (loss, accuracy or R^2).
    loss, score = evaluate(trainer.net, X, y, case.loss)
    assert trainer.records["train_loss"][-1] == pytest.approx(loss, rel=RTOL)
    key = "train_r2" if case.output == "linear" else "train_accuracy"
    assert trainer.records[key][-1] == pytest.approx(score, rel=RTOL)


def test_kernel_for_is_the_tiny_net_kernel_today():
    from mlp_core import kernel
    assert kernel_for((2, 3, 1), 4) is kernel


# --- records, stop and resume ------------------------------------------------------


def _softmax_trainer(batch_size=None) -> Trainer:
    case = Case(4, (6,), 3, "softmax", "ce", rows=60, epochs=3_000, lr=0.1,
                batch_size=batch_size)
    X, y = case.data()
    rng = np.random.default_rng(9)
    X_test, y_test = rng.normal(size=(20, 4)), rng.integers(0, 3, 20).astype(float)
    return Trainer(case.network(), X, y, case.config(), X_test, y_test)


@pytest.mark.parametrize("batch_size", [None, 8])
def test_softmax_split_run_is_bit_identical(batch_size):
    whole = _softmax_trainer(batch_size)
    whole.train()
    split = _softmax_trainer(batch_size)
    for n in (1, 7, 500):
        split.train(n_epochs=n)
    calls = 0
    while not split.done:
        split.train(callback=lambda progress: True)
        calls += 1
    assert calls >= 1
    assert split.epoch == whole.epoch == 3_000
    assert np.array_equal(split.net.params, whole.net.params)
    assert np.array_equal(split.losses, whole.losses)
    for key in ("epoch", "train_accuracy", "test_accuracy", "test_loss"):
        common = sorted(set(split.records["epoch"]) & set(whole.records["epoch"]))
        a = dict(zip(split.records["epoch"], split.records[key]))
        b = dict(zip(whole.records["epoch"], whole.records[key]))
        assert [a[e] for e in common] == [b[e] for e in common]


def test_records_hold_accuracy_for_classifiers_and_r2_for_regression():
    trainer = _softmax_trainer()
    trainer.train(n_epochs=200)
    assert all(0.0 <= a <= 1.0 for a in trainer.records["train_accuracy"])
    assert all(math.isnan(v) for v in trainer.records["train_r2"] + trainer.records["test_r2"])
    test_loss, test_acc = evaluate(trainer.net, trainer.X_test, trainer.y_test, "ce")
    assert trainer.records["test_accuracy"][-1] == pytest.approx(test_acc)
    assert trainer.records["test_loss"][-1] == pytest.approx(test_loss, rel=1e-12)

    rng = np.random.default_rng(2)
    X = rng.uniform(-3, 3, size=(80, 1))
    y = np.sin(X[:, 0]) + 0.05 * rng.normal(size=80)
    net = Network.create(1, (16,), output="linear", activation="tanh", bias=True, seed=0)
    reg = Trainer(net, X, y, TrainConfig(lr=0.05, epochs=3_000, loss="mse"), X[:20], y[:20])
    reg.train()
    assert all(math.isnan(v) for v in reg.records["train_accuracy"])
    assert reg.records["train_r2"][-1] > 0.9          # a tanh net fits a sine
    assert reg.records["train_r2"][-1] == pytest.approx(evaluate(net, X, y, "mse")[1], rel=1e-9)
    metrics = reg.current_metrics()
    assert "train_accuracy" not in metrics and metrics["test_r2"] == pytest.approx(
        reg.records["test_r2"][-1], rel=1e-9)


# --- network outputs ----------------------------------------------------------------


def test_predictions_per_output_kind():
    X = np.random.default_rng(0).normal(size=(6, 4))
    soft = Network.create(4, (5,), n_outputs=3, output="softmax", bias=True, seed=1)
    assert soft.outputs(X).shape == soft.predict_proba(X).shape == (6, 3)
    np.testing.assert_allclose(soft.predict_proba(X).sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(soft.predict(X), np.argmax(soft.outputs(X), axis=1))
    lin = Network.create(4, (5,), n_outputs=2, output="linear", seed=1)
    hidden = 1.0 / (1.0 + np.exp(-(X @ lin.weights[0] + lin.biases[0])))
    np.testing.assert_allclose(lin.predict(X), hidden @ lin.weights[1] + lin.biases[1],
                               rtol=1e-14)
    assert lin.task == "regress" and soft.task == "classify"
    binary = Network.create(4, (5,), seed=1)
    assert binary.predict_proba(X).shape == binary.predict(X).shape == (6,)


def test_encode_targets():
    soft = Network.create(2, (3,), n_outputs=3, output="softmax")
    np.testing.assert_array_equal(soft.encode_targets(np.array([2.0, 0.0, 1.0])),
                                  [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.raises(ValueError, match=r"class labels must be integers 0\.\.2"):
        soft.encode_targets(np.array([0.0, 3.0]))
    assert Network.create(2, (3,)).encode_targets(np.array([0, 1])).shape == (2, 1)
    lin = Network.create(2, (3,), n_outputs=2, output="linear")
    assert lin.encode_targets(np.ones((5, 2))).shape == (5, 2)
    with pytest.raises(ValueError, match=r"give shape \(n, 2\)"):
        lin.encode_targets(np.ones(5))


def test_copy_and_with_params_keep_the_output_kind():
    net = Network.create(3, (4,), n_outputs=3, output="softmax", seed=2)
    for other in (net.copy(), net.with_params(net.params)):
        assert other.output_activation == "softmax" and other.layer_sizes == (3, 4, 3)
        assert other.params is not net.params


def test_wide_network_trains_on_the_kernel():
    """784 inputs, 256 hidden units, 10 softmax outputs: the limits, end to end."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 784))
    y = np.arange(12) % 10
    net = Network.create(784, (256,), n_outputs=10, output="softmax", bias=True, seed=0)
    trainer = Trainer(net, X, y, TrainConfig(lr=0.05, epochs=30, loss="ce"))
    trainer.train()
    assert trainer.losses[-1] < trainer.losses[0]
    assert trainer.records["train_accuracy"][-1] == 1.0


def test_baseline_file_is_what_the_sigmoid_kernel_gives():
    """The compiled loops for one sigmoid output give the bits they gave before outputs
    had a k (recorded in tests/data/kernel_sigmoid_baseline.json from the earlier kernel):
    the specialised one-hidden-layer loop and the general one, full and mini-batch."""
    cases = json.loads((Path(__file__).parent / "data" / "kernel_sigmoid_baseline.json")
                       .read_text())
    for c in cases:
        rng = np.random.default_rng(c["seed"] + 100)
        X = rng.normal(size=(c["rows"], c["n_in"]))
        y = (rng.random(c["rows"]) > 0.5).astype(float)
        net = Network.create(c["n_in"], tuple(c["hidden"]), activation=c["act"], bias=c["bias"],
                             init="xavier", seed=c["seed"])
        config = TrainConfig(lr=c["lr"], loss=c["loss"], batch_size=c["batch"], seed=c["seed"],
                             reg=c["reg"], reg_rate=c["reg_rate"])
        settings = kernel_settings(net, config, len(X))
        assert settings.act_id == ACTIVATION_IDS[c["act"]]
        Y = net.encode_targets(y)
        losses = np.zeros(300)
        done, status = train_epochs(X, Y, net.params, *settings, 0, 300, losses, 1e4)
        assert status == c["status"]
        assert [float(p).hex() for p in net.params] == c["params"]
        assert [float(v).hex() for v in losses[::25]] == c["losses"]
        loss, correct = loss_and_score(X, Y, net.params, settings.sizes, settings.act_id,
                                       settings.out_id, settings.loss_id)
        assert float(loss).hex() == c["final_loss"] and correct == c["correct"]


def test_decision_grid_of_a_softmax_net_has_k_layers():
    from mlp_core.grid import decision_grid
    net = Network.create(2, (4,), n_outputs=3, output="softmax", seed=0)
    xs, ys, probs = decision_grid(net, (-1, 1, -2, 2), resolution=5)
    assert probs.shape == (5, 5, 3)
    np.testing.assert_allclose(probs[3, 1], net.predict_proba(np.array([[xs[1], ys[3]]]))[0],
                               rtol=1e-15)


# --- the step-by-step trace -------------------------------------------------------


def _formula(trace, name, phase):
    return next(s.formula for s in trace.steps if s.name == name and s.phase == phase)


def test_softmax_trace_starts_phase_1_from_p_minus_t():
    rng = np.random.default_rng(4)
    X, labels = rng.normal(size=(5, 2)), np.array([0, 2, 1, 2, 0])
    net = _network(2, (3,), 3, "softmax")
    trace = backprop(net, X, labels, "ce")
    hidden = np.tanh(X @ net.weights[0] + net.biases[0])
    z = hidden @ net.weights[1] + net.biases[1]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(trace.get("output_op"), p, rtol=1e-13)
    assert _formula(trace, "output_op", "forward") == "output_op = softmax(input_op)"
    assert _formula(trace, "derror_dino", "phase 1") == (
        "derror_dino = (output_op - target_output) / n")
    np.testing.assert_allclose(trace.get("derror_dino", layer=2), (p - np.eye(3)[labels]) / 5,
                               rtol=1e-12)
    assert not any(s.name in ("douto_dino", "derror_douto") for s in trace.steps)
    assert trace.get("derror_dwo").shape == (3, 3)
    assert _formula(trace, "derror_dino", "phase 2") == (
        "derror_dino = (output_op - target_output) / n")


def test_linear_trace_has_slope_one():
    rng = np.random.default_rng(5)
    X, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    net = _network(2, (3,), 2, "linear")
    trace = backprop(net, X, y, "mse")
    assert _formula(trace, "output_op", "forward") == "output_op = linear(input_op)"
    assert _formula(trace, "douto_dino", "phase 1") == "douto_dino = 1"
    np.testing.assert_array_equal(trace.get("douto_dino"), np.ones((4, 2)))
    np.testing.assert_allclose(trace.get("derror_douto"),
                               2 * (trace.get("output_op") - y) / 8, rtol=1e-14)
    assert trace.error == pytest.approx(torch_mse(trace.get("output_op"), y), rel=1e-14)


# --- the data sets' defaults train well ---------------------------------------------

REAL_RUNS = {
    # name: (hidden, hidden activation, lr, epochs, score it must reach on the test split)
    "iris": ((8,), "tanh", 0.1, 2_000, 0.9),
    "wine": ((8,), "tanh", 0.1, 2_000, 0.9),
    "breast_cancer": ((16,), "tanh", 0.1, 2_000, 0.9),
    "sine": ((16,), "tanh", 0.05, 5_000, 0.9),
    "digits": ((32,), "tanh", 0.2, 1_000, 0.93),
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.slow) if n == "digits" else n for n in REAL_RUNS])
def test_data_set_defaults_train_well(name):
    from mlp_core.datasets import make_dataset
    hidden, activation, lr, epochs, goal = REAL_RUNS[name]
    data = make_dataset(name)
    output, k, loss = data.default_outputs
    net = Network.create(data.n_features, hidden, n_outputs=k, output=output,
                         activation=activation, bias=True, init="xavier", seed=0)
    trainer = Trainer(net, data.X_train, data.y_train,
                      TrainConfig(lr=lr, epochs=epochs, loss=loss), data.X_test, data.y_test)
    trainer.train()
    score = "test_r2" if data.task == "regress" else "test_accuracy"
    assert trainer.current_metrics()[score] >= goal


def test_hidden_layer_comparison_with_softmax_outputs():
    from mlp_core.compare import train_pair
    from mlp_core.datasets import make_dataset
    data = make_dataset("blobs", classes=3)
    pair = train_pair(data, (6,), activation="tanh", bias=True, init="xavier", seed=0,
                      config=TrainConfig(lr=0.1, epochs=300, loss="ce"), n_outputs=3,
                      output="softmax")
    assert pair.none.net.layer_sizes == (2, 3) and pair.hidden.net.layer_sizes == (2, 6, 3)
    assert pair.facts(data) == []      # the facts are about the tutorial's gates
    assert pair.none.records["train_accuracy"][-1] > 0.8   # blobs: softmax regression does well
