"""The readable reference path: one epoch of backpropagation in the tutorial's names.

For a network with one hidden layer the variables are exactly the tutorial's:
forward ``input_hidden -> output_hidden -> input_op -> output_op``; phase 1
(output layer) ``derror_douto, douto_dino, dino_dwo -> derror_dwo``; phase 2
(hidden layer) ``derror_dino, dino_douth, derror_douth, douth_dinh, dinh_dwh ->
derror_dwh``. The output may be the tutorial's sigmoid, a softmax over k
classes (``output_op = softmax(input_op)``, phase 1 starting straight from
``derror_dino = (output_op - target_output) / n``, since the softmax's Jacobian
cancels against the cross-entropy) or linear (``douto_dino = 1``). With more
hidden layers phase 2 repeats from the top hidden layer down, each layer's
``douth_dinh * derror_douth`` becoming the ``derror_dino`` of the layer below.
Every matrix is recorded, with its shape, in a ``Trace`` so the step-by-step
page can show it. Nothing here is fast; ``kernel.py`` is, and the
tests hold the two to the same answer.

After the pass, ``apply_update`` is the tutorial's gradient descent; the other
optimizers (``optimizers.py``) are written out below in NumPy, one small
function each in ``OPTIMIZER_STEPS``, and ``train`` runs any of them with its
learning-rate schedule and early stopping, as the compiled paths do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .activations import ACTIVATIONS, DERIVATIVES, OUTPUT_FUNCTIONS
from .kernel import epoch_permutation
from .losses import LOSS_DERIVATIVES, LOSSES, OUTPUT_DELTAS, check_loss_for_output
from .metrics import accuracy, r2
from .network import Network
from .optimizers import lr_at


def penalty(net: Network, reg: str, rate: float) -> float:
    """Regularization term added to the objective (weights only, never biases)."""
    if reg == "l2":
        return 0.5 * rate * sum(float(np.sum(W * W)) for W in net.weights)
    if reg == "l1":
        return rate * sum(float(np.sum(np.abs(W))) for W in net.weights)
    return 0.0


def penalty_gradient(W: np.ndarray, reg: str, rate: float) -> np.ndarray:
    if reg == "l2":
        return rate * W
    if reg == "l1":
        return rate * np.sign(W)
    return np.zeros_like(W)


@dataclass
class Step:
    """One named matrix of the pass: what it is, how it is computed, its value."""

    name: str
    value: np.ndarray
    phase: str            # "forward", "phase 1", "phase 2", "update"
    layer: int            # 1-based weight layer it belongs to (output layer = last)
    formula: str = ""     # the line of code / math that produced it

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape


@dataclass
class Trace:
    """Every intermediate matrix of one forward/backward pass, in order."""

    steps: list[Step] = field(default_factory=list)
    error: float = 0.0
    weight_gradients: list[np.ndarray] = field(default_factory=list)
    bias_gradients: list[np.ndarray] = field(default_factory=list)

    def add(self, name, value, phase, layer, formula=""):
        self.steps.append(Step(name, np.asarray(value), phase, layer, formula))
        return value

    def get(self, name: str, layer: int | None = None) -> np.ndarray:
        """The matrix called ``name`` (in weight layer ``layer`` if names repeat)."""
        for step in self.steps:
            if step.name == name and (layer is None or step.layer == layer):
                return step.value
        raise KeyError(name)


def backprop(
    net: Network,
    input_features: np.ndarray,
    target_output: np.ndarray,
    loss: str = "sse",
    reg: str = "none",
    reg_rate: float = 0.0,
) -> Trace:
    """One forward and backward pass, recording every matrix.

    Parameters
    ----------
    net : Network
    input_features : ndarray of shape (n, net.n_data_inputs)
        The data; a network with input features maps each point through them first
        (``Network.inputs``), so the trace's matrices are what its first layer sees.
    target_output : ndarray of shape (n,) or (n, k)
        Anything ``net.encode_targets`` takes: labels or ``(n, k)`` targets.
    loss : {"sse", "mse", "bce", "ce"}
        One of ``losses.ALLOWED_LOSSES[net.output_activation]``.

    Returns
    -------
    Trace
        ``weight_gradients[l]`` has the shape of ``net.weights[l]``, ``(n_in, n_out)``;
        ``error`` is the data loss before this pass's update (the tutorial's
        printed error), without the regularization term.
    """
    output = net.output_activation
    check_loss_for_output(output, loss)
    act = ACTIVATIONS[net.hidden_activation]
    act_der = DERIVATIVES[net.hidden_activation]
    input_features = net.inputs(input_features)
    target_output = net.encode_targets(target_output)
    trace = Trace()
    n_layers = len(net.weights)
    out_layer = n_layers

    # Forward pass: every hidden layer, then the output layer.
    input_hidden, output_hidden = [], []
    a = input_features
    for l in range(n_layers - 1):
        W, b = net.weights[l], net.biases[l]
        z = trace.add("input_hidden", a @ W + b, "forward", l + 1,
                      _dot_formula(l, "input_hidden", net.bias))
        a = trace.add("output_hidden", act(z), "forward", l + 1,
                      f"output_hidden = {net.hidden_activation}(input_hidden)")
        input_hidden.append(z)
        output_hidden.append(a)
    input_op = trace.add("input_op", a @ net.weights[-1] + net.biases[-1], "forward", out_layer,
                         _dot_formula(n_layers - 1, "input_op", net.bias))
    output_op = trace.add("output_op", OUTPUT_FUNCTIONS[output](input_op), "forward",
                          out_layer, f"output_op = {output}(input_op)")
    trace.error = LOSSES[loss](output_op, input_op, target_output)

    # Phase 1: the output layer's weights.
    # derror_dino = derror_douto * douto_dino; OUTPUT_DELTAS computes that product in
    # the tutorial's order for sse/mse and in its cancelled, overflow-free form for
    # sigmoid+bce and softmax+ce, where the output's slope divides out.
    derror_dino = OUTPUT_DELTAS[(output, loss)](output_op, target_output)
    if output == "softmax":
        # Each p_j depends on every z_l, so there is no elementwise douto_dino to show;
        # the product's cancelled form is what the step-by-step page shows instead.
        trace.add("derror_dino", derror_dino, "phase 1", out_layer,
                  "derror_dino = (output_op - target_output) / n")
        product = "derror_dino"
    else:
        trace.add("derror_douto", LOSS_DERIVATIVES[loss](output_op, target_output),
                  "phase 1", out_layer, "derror_douto = dE/d(output_op)")
        trace.add("douto_dino", _output_slope(output_op, output), "phase 1", out_layer,
                  "douto_dino = sigmoid_der(input_op)" if output == "sigmoid"
                  else "douto_dino = 1")
        product = "(derror_douto * douto_dino)"
    dino_dwo = trace.add("dino_dwo", a, "phase 1", out_layer,
                         f"dino_dwo = {'output_hidden' if n_layers > 1 else 'input_features'}")
    derror_dwo = dino_dwo.T @ derror_dino + penalty_gradient(net.weights[-1], reg, reg_rate)
    trace.add("derror_dwo", derror_dwo, "phase 1", out_layer,
              f"derror_dwo = dino_dwo.T . {product}" + _reg_note(reg))
    grads_w = [derror_dwo]
    grads_b = [trace.add("derror_dbo", derror_dino.sum(axis=0), "phase 1", out_layer,
                         f"derror_dbo = sum over rows of {product}")]

    # Phase 2: each hidden layer, from the top one down.
    for l in range(n_layers - 2, -1, -1):
        layer = l + 1
        top = l == n_layers - 2
        trace.add("derror_dino", derror_dino, "phase 2", layer,
                  f"derror_dino = {_top_delta(output)}" if top
                  else "derror_dino = douth_dinh * derror_douth (of the layer above)")
        dino_douth = trace.add("dino_douth", net.weights[l + 1], "phase 2", layer,
                               "dino_douth = weight_output" if l == n_layers - 2
                               else "dino_douth = weights of the layer above")
        derror_douth = trace.add("derror_douth", derror_dino @ dino_douth.T, "phase 2", layer,
                                 "derror_douth = derror_dino . dino_douth.T")
        douth_dinh = trace.add("douth_dinh", act_der(output_hidden[l], input_hidden[l]),
                               "phase 2", layer,
                               f"douth_dinh = {net.hidden_activation}_der(input_hidden)")
        dinh_dwh = trace.add("dinh_dwh", input_features if l == 0 else output_hidden[l - 1],
                             "phase 2", layer,
                             "dinh_dwh = input_features" if l == 0
                             else "dinh_dwh = output_hidden (of the layer below)")
        delta = douth_dinh * derror_douth
        derror_dwh = dinh_dwh.T @ delta + penalty_gradient(net.weights[l], reg, reg_rate)
        trace.add("derror_dwh", derror_dwh, "phase 2", layer,
                  "derror_dwh = dinh_dwh.T . (douth_dinh * derror_douth)" + _reg_note(reg))
        grads_w.insert(0, derror_dwh)
        grads_b.insert(0, trace.add("derror_dbh", delta.sum(axis=0), "phase 2", layer,
                                    "derror_dbh = sum over rows of (douth_dinh * derror_douth)"))
        derror_dino = delta

    trace.weight_gradients = grads_w
    trace.bias_gradients = [g if net.bias else np.zeros_like(g) for g in grads_b]
    return trace


def apply_update(net: Network, trace: Trace, lr: float) -> None:
    """Gradient descent, ``W -= lr * dE/dW``, on every layer at once.

    All gradients were computed from the weights before this update (the
    tutorial computes both phases, then updates both layers).
    """
    for W, g in zip(net.weights, trace.weight_gradients):
        W -= lr * g
    if net.bias:
        for b, g in zip(net.biases, trace.bias_gradients):
            b -= lr * g


def updated_weights(net: Network, trace: Trace, lr: float) -> list[np.ndarray]:
    """What ``apply_update`` would make of each weight matrix, without changing ``net``."""
    return [W - lr * g for W, g in zip(net.weights, trace.weight_gradients)]


# --- the optimizers ------------------------------------------------------------------

@dataclass
class OptimizerState:
    """What an optimizer remembers between updates, in ``net.params``' flat layout.

    ``t`` counts the updates so far (this one included, while it runs);
    ``first`` is momentum's and Nesterov's ``b``, RMSprop's ``v``, Adam's ``m``;
    ``second`` is Adam's ``v``. Both (n_params,), zero before the first update.
    """

    t: int
    first: np.ndarray
    second: np.ndarray

    @classmethod
    def fresh(cls, n_params: int) -> OptimizerState:
        return cls(0, np.zeros(n_params), np.zeros(n_params))


def _sgd(p, g, s, lr, c):
    p -= lr * g


def _momentum(p, g, s, lr, c):
    s.first = g.copy() if s.t == 1 else c.momentum * s.first + g
    p -= lr * s.first


def _nesterov(p, g, s, lr, c):
    s.first = g.copy() if s.t == 1 else c.momentum * s.first + g
    p -= lr * (g + c.momentum * s.first)


def _rmsprop(p, g, s, lr, c):
    s.first = c.alpha * s.first + (1 - c.alpha) * g * g
    p -= lr * (g / (np.sqrt(s.first) + c.eps))


def _adam(p, g, s, lr, c):
    s.first = c.beta1 * s.first + (1 - c.beta1) * g
    s.second = c.beta2 * s.second + (1 - c.beta2) * g * g
    m_hat = s.first / (1 - c.beta1 ** s.t)
    v_hat = s.second / (1 - c.beta2 ** s.t)
    p -= lr * m_hat / (np.sqrt(v_hat) + c.eps)


# name -> step(p, g, state, lr, config): p (the flat parameters) updated in place from
# g (the flat gradient, regularisation included) at rate lr; config a TrainConfig.
OPTIMIZER_STEPS = {
    "sgd": _sgd,
    "momentum": _momentum,
    "nesterov": _nesterov,
    "rmsprop": _rmsprop,
    "adam": _adam,
}


def flat_gradient(net: Network, trace: Trace) -> np.ndarray:
    """The pass's gradients in ``net.params``' layout, shape (n_params,); biases' are zero
    for a network without biases."""
    grad = net.with_params(np.zeros_like(net.params))
    for G, g in zip(grad.weights, trace.weight_gradients):
        G[...] = g
    if net.bias:
        for G, g in zip(grad.biases, trace.bias_gradients):
            G[...] = g
    return grad.params


def optimizer_update(net: Network, trace: Trace, state: OptimizerState, lr: float,
                     config) -> None:
    """One update of ``config.optimizer`` (a ``TrainConfig``'s) from the pass in ``trace``.

    With ``sgd`` it is ``apply_update``, in the flat layout.
    """
    state.t += 1
    OPTIMIZER_STEPS[config.optimizer](net.params, flat_gradient(net, trace), state, lr, config)


@dataclass
class ReferenceRun:
    """What ``train`` did: each epoch's loss (as ``Trainer.losses``), and an early stop.

    ``stopped`` is None, ``"target"`` or ``"patience"``; ``best_epoch`` is the
    epoch whose parameters the network holds after a patience stop.
    """

    losses: np.ndarray
    stopped: str | None = None
    best_epoch: int | None = None


def train(net: Network, X, y, config, X_test=None, y_test=None, *,
          state: OptimizerState | None = None) -> ReferenceRun:
    """``config.epochs`` epochs of ``backprop`` and ``config``'s optimizer, on ``net`` in place.

    Mini-batches take rows in ``kernel.epoch_permutation``'s order; an epoch's
    loss combines its batches' as the full-set loss would (sum for sse, a
    row-weighted mean otherwise). Every update of epoch e runs at
    ``optimizers.lr_at`` of e. Early stopping as ``TrainConfig`` describes it:
    after each epoch the target loss is checked, then (with ``patience``) the
    test loss. ``state`` carries an optimizer's memory in and out (None: fresh).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(X)
    batch = config.batch_size or n
    state = OptimizerState.fresh(len(net.params)) if state is None else state
    order = np.arange(n)
    losses = []
    best_loss, best_epoch, best_params, since_best = math.inf, None, None, 0
    for epoch in range(config.epochs):
        lr = lr_at(config.schedule, config.lr, epoch, config.epochs, config.step_size,
                   config.gamma)
        if batch < n:
            epoch_permutation(order, config.seed, epoch)
        total = 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            trace = backprop(net, X[rows], y[rows], config.loss, config.reg, config.reg_rate)
            optimizer_update(net, trace, state, lr, config)
            total += trace.error if config.loss == "sse" else trace.error * len(rows) / n
        losses.append(total)
        done = epoch + 1
        if config.target_loss > 0 and total <= config.target_loss:
            return ReferenceRun(np.array(losses), "target", done)
        if config.patience > 0:
            test_loss = evaluate(net, X_test, y_test, config.loss)[0]
            if test_loss < best_loss:
                best_loss, best_epoch, best_params, since_best = (
                    test_loss, done, net.params.copy(), 0)
            else:
                since_best += 1
                if since_best >= config.patience:
                    if best_params is not None:
                        net.params[:] = best_params
                    return ReferenceRun(np.array(losses), "patience", best_epoch)
    return ReferenceRun(np.array(losses))


def evaluate(net: Network, X: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, float]:
    """``(loss, score)`` of ``net`` on ``X`` (n, n_in); NaNs for no rows.

    ``y`` is anything ``net.encode_targets`` takes (labels ``(n,)`` or targets
    ``(n, k)``). The score is the accuracy for a classifier and R^2 for a
    regression net (``net.task``).
    """
    if len(X) == 0:
        return float("nan"), float("nan")
    zs, acts = net.forward(X)
    target = net.encode_targets(y)
    value = LOSSES[loss](acts[-1], zs[-1], target)
    if net.task == "regress":
        return value, r2(acts[-1], target)
    return value, accuracy(acts[-1], target, net.output_activation)


def objective(net: Network, X, y, loss: str, reg: str = "none", reg_rate: float = 0.0) -> float:
    """Data loss plus regularization: the function gradient descent minimises."""
    zs, acts = net.forward(X)
    target = net.encode_targets(y)
    return LOSSES[loss](acts[-1], zs[-1], target) + penalty(net, reg, reg_rate)


def _output_slope(output_op: np.ndarray, output: str) -> np.ndarray:
    """``douto_dino`` of an elementwise output: the sigmoid's ``o (1 - o)`` or linear's 1."""
    if output == "sigmoid":
        return output_op * (1.0 - output_op)
    return np.ones_like(output_op)


def _top_delta(output: str) -> str:
    return "(output_op - target_output) / n" if output == "softmax" else (
        "derror_douto * douto_dino")


def _dot_formula(l: int, name: str, bias: bool) -> str:
    source = "input_features" if l == 0 else "output_hidden"
    weight = "weight_output" if name == "input_op" else "weight_hidden"
    return f"{name} = {source} . {weight}" + (" + bias" if bias else "")


def _reg_note(reg: str) -> str:
    return {"l2": " + rate * W", "l1": " + rate * sign(W)"}.get(reg, "")
