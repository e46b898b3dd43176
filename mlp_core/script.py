"""Write a standalone NumPy script, in the tutorial's step-by-step style, that
repeats a training run exactly: same data, same starting weights, same updates.

The script imports only NumPy. Its last printed line is the final loss (the
loss of the last epoch's forward pass), the number ``train`` reports. Every output
kind and loss the engine trains is written out: sigmoid (sse, mse, bce; one output or
k independent ones), softmax with cross-entropy, linear with sse or mse. So is every
optimizer (``optimizers.py``: an ``update`` function with PyTorch's rule), every
learning-rate schedule (an ``lr_at`` function) and the target-loss stop; patience
needs the test set, which a script does not carry, so it is refused.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .features import FEATURE_CODE, FEATURE_LABELS
from .losses import check_loss_for_output
from .network import Network
from .training import TrainConfig

_ACTIVATION_CODE = {
    "sigmoid": ("sigmoid(x)", "sigmoid_der(x)"),
    "tanh": ("np.tanh(x)", "1 - np.tanh(x) ** 2"),
    "relu": ("np.maximum(x, 0.0)", "(x > 0).astype(float)"),
    "linear": ("x + 0.0", "np.ones_like(x)"),
}
# (output activation, loss) -> the error line and the lines that give derror_dino, the
# gradient at the output layer's input (contract: "dE/dz at the output").
_LOSS_CODE = {
    ("sigmoid", "sse"): ("error = np.sum((1 / 2) * np.power(output_op - target_output, 2))",
                         ["derror_douto = output_op - target_output",
                          "douto_dino = sigmoid_der(input_op)",
                          "derror_dino = derror_douto * douto_dino"]),
    ("sigmoid", "mse"): ("error = np.mean(np.power(output_op - target_output, 2))",
                         ["derror_douto = 2 * (output_op - target_output) / target_output.size",
                          "douto_dino = sigmoid_der(input_op)",
                          "derror_dino = derror_douto * douto_dino"]),
    ("sigmoid", "bce"): ("error = np.mean(np.logaddexp(0, input_op) - target_output * input_op)",
                         ["# For cross-entropy, derror_douto * douto_dino simplifies to "
                          "(o - t) / (n k)",
                          "derror_dino = (output_op - target_output) / target_output.size"]),
    ("softmax", "ce"): ("error = -np.mean(np.sum(target_output * log_softmax(input_op), "
                        "axis=1))",
                        ["# Softmax with cross-entropy: derror_dino simplifies to (p - t) / n",
                         "derror_dino = (output_op - target_output) / len(target_output)"]),
    ("linear", "sse"): ("error = np.sum((1 / 2) * np.power(output_op - target_output, 2))",
                        ["# A linear output: douto_dino is 1",
                         "derror_dino = output_op - target_output"]),
    ("linear", "mse"): ("error = np.mean(np.power(output_op - target_output, 2))",
                        ["# A linear output: douto_dino is 1",
                         "derror_dino = 2 * (output_op - target_output) / target_output.size"]),
}
_OUTPUT_CODE = {"sigmoid": "sigmoid(input_op)", "softmax": "softmax(input_op)",
                "linear": "input_op + 0.0"}
_SOFTMAX_CODE = [
    "",
    "def log_softmax(x):",
    "    # Shift each row by its largest entry so exp never overflows",
    "    shifted = x - np.max(x, axis=1, keepdims=True)",
    "    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))",
    "",
    "def softmax(x):",
    "    return np.exp(log_softmax(x))",
]
_SHUFFLE = '''
def epoch_order(n, seed, epoch):
    """The same mini-batch order as MLP Playground's engine (splitmix64 Fisher-Yates)."""
    mask = (1 << 64) - 1
    order = list(range(n))
    state = (seed * 0x100000001B3 + epoch + 1) & mask
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z = z ^ (z >> 31)
        j = z % (i + 1)
        order[i], order[j] = order[j], order[i]
    return np.array(order)
'''


# Each optimizer's update of one parameter array, in place, as a script writes it;
# ``first``/``second`` hold its running averages by parameter name, ``t`` counts updates.
_UPDATE_CODE = {
    "momentum": [
        "# SGD with momentum (torch.optim.SGD(momentum=mu)): a running sum of gradients",
        "b = grad.copy() if t == 1 else momentum * first[name] + grad",
        "first[name] = b",
        "param -= lr * b",
    ],
    "nesterov": [
        "# Nesterov momentum (torch.optim.SGD(momentum=mu, nesterov=True)): the step",
        "# looks ahead along the running sum",
        "b = grad.copy() if t == 1 else momentum * first[name] + grad",
        "first[name] = b",
        "param -= lr * (grad + momentum * b)",
    ],
    "rmsprop": [
        "# RMSprop (torch.optim.RMSprop): divide by the root of the running mean square",
        "v = alpha * first.get(name, 0.0) + (1 - alpha) * grad * grad",
        "first[name] = v",
        "param -= lr * (grad / (np.sqrt(v) + eps))",
    ],
    "adam": [
        "# Adam (torch.optim.Adam): running means of the gradient and of its square,",
        "# corrected for starting at zero",
        "m = beta1 * first.get(name, 0.0) + (1 - beta1) * grad",
        "v = beta2 * second.get(name, 0.0) + (1 - beta2) * grad * grad",
        "first[name], second[name] = m, v",
        "m_hat = m / (1 - beta1 ** t)",
        "v_hat = v / (1 - beta2 ** t)",
        "param -= lr * m_hat / (np.sqrt(v_hat) + eps)",
    ],
}
# The optimizer's constants, by the TrainConfig fields each reads.
_UPDATE_CONSTANTS = {"momentum": ("momentum",), "nesterov": ("momentum",),
                     "rmsprop": ("alpha", "eps"), "adam": ("beta1", "beta2", "eps")}
# Each schedule's rate of an epoch, from base_lr (optimizers.lr_at).
_SCHEDULE_CODE = {
    "step": "return base_lr * gamma ** (epoch // step_size)",
    "exp": "return base_lr * gamma ** (epoch / step_size)",
    "cosine": "return base_lr * 0.5 * (1 + math.cos(math.pi * min(epoch, epochs) / epochs))",
}


def _array(a: np.ndarray) -> str:
    return "np.array(" + repr(np.asarray(a, dtype=float).tolist()) + ")"


def standalone_script(net: Network, X: np.ndarray, y: np.ndarray, config: TrainConfig, *,
                      standardize: tuple[np.ndarray, np.ndarray] | None = None,
                      run_epochs: int | None = None) -> str:
    """The script's source text for training ``net`` (its current weights are the start).

    Parameters
    ----------
    net : Network, any output kind
    X : ndarray of shape (n, net.n_data_inputs), the data the network trains on (points
        (x1, x2) when ``net`` has input features: the script maps them as the engine does)
    y : ndarray of shape (n,) or (n, k), class labels or targets (``net.encode_targets``)
    config : TrainConfig, whose loss fits ``net``'s output
    standardize : (mean, scale), each of shape (n_in,), or None
        When ``X`` was standardized: the script keeps both and a ``prepare`` function
        that maps raw features the same way (``X`` itself is already standardized).
    run_epochs : int or None
        Epochs the script trains, when fewer than ``config.epochs`` (a paused run);
        a schedule still spans ``config.epochs`` (cosine's T, step's default S).
    """
    check_loss_for_output(net.output_activation, config.loss)
    spans = config.schedule == "cosine" or (config.schedule != "constant"
                                            and config.step_size == 0)
    if run_epochs is not None and not spans:
        # The rates do not depend on the configured length: it is the epochs to run.
        config, run_epochs = replace(config, epochs=run_epochs), None
    if config.patience > 0:
        raise ValueError("a standalone script cannot stop on patience: it has no test set; "
                         "leave patience at 0")
    Y = net.encode_targets(y)
    output = net.output_activation
    n_layers = len(net.weights)
    hidden = n_layers - 1
    wname = [("weight_hidden" if hidden == 1 else f"weight_hidden_{l + 1}")
             for l in range(hidden)] + ["weight_output"]
    bname = [w.replace("weight", "bias") for w in wname]
    suffix = [("" if hidden == 1 else f"_{l + 1}") for l in range(hidden)]
    act, act_der = _ACTIVATION_CODE[net.hidden_activation]
    loss_line, dino_lines = _LOSS_CODE[output, config.loss]
    minibatch = config.batch_size is not None and config.batch_size < len(X)
    inputs = _input_lines(net, X, standardize is not None)
    out = [
        "# Standalone training script written by MLP Playground.",
        f"# Network {net.architecture()}, hidden activation {net.hidden_activation}, "
        + (f"{net.n_outputs} {output} outputs, " if (output, net.n_outputs) != ("sigmoid", 1)
           else "") +
        f"{'with' if net.bias else 'no'} bias, loss {config.loss}, lr {config.lr!r}, "
        f"{run_epochs or config.epochs} epochs"
        + (f", mini-batches of {config.batch_size}" if minibatch else "")
        + (f", {config.reg} regularization {config.reg_rate!r}" if config.reg != "none" else "")
        + (f", optimizer {config.optimizer}" if config.optimizer != "sgd" else "")
        + (f", {config.schedule} learning-rate schedule" if config.schedule != "constant"
           else "")
        + ".",
        "# Weights have shape (n_in, n_out) and are applied as X . W (+ b).",
        *(["import math"] if config.schedule == "cosine" else []),
        "import numpy as np",
        "",
        *inputs,
    ]
    if output == "sigmoid" and net.n_outputs == 1:
        out += [f"# Target output, shape ({len(Y)}, 1):",
                f"target_output = {_array(Y[:, 0])}.reshape({len(Y)}, 1)"]
    else:
        what = {"softmax": "one-hot classes", "linear": "targets",
                "sigmoid": "0/1 labels"}[output]
        out += [f"# Target output ({what}), shape {Y.shape}:",
                f"target_output = {_array(Y)}"]
    if standardize is not None:
        mean, scale = standardize
        out += [
            "",
            "# The features above are (raw - feature_mean) / feature_scale, both measured on",
            "# the training rows: new raw points must go through prepare() first.",
            f"feature_mean = {_array(mean)}",
            f"feature_scale = {_array(scale)}",
            "",
            "def prepare(raw_features):",
            "    return (raw_features - feature_mean) / feature_scale",
        ]
    out += ["", "# Starting weights:"]
    for l in range(n_layers):
        out.append(f"{wname[l]} = {_array(net.weights[l])}")
        if net.bias:
            out.append(f"{bname[l]} = {_array(net.biases[l])}")
    out += ["", *_rate_lines(config)]
    if run_epochs is None or run_epochs == config.epochs:
        out.append(f"epochs = {config.epochs}")
        loop = "for epoch in range(epochs):"
    else:
        out += [f"epochs = {config.epochs}   # the schedule's length",
                f"run_epochs = {run_epochs}   # the epochs this run trained"]
        loop = "for epoch in range(run_epochs):"
    if config.optimizer != "sgd":
        out += _optimizer_lines(config)
    out += [
        "",
        "def sigmoid(x):",
        "    # 1 / (1 + exp(-x)), written so exp never overflows for negative x",
        "    ex = np.exp(-np.abs(x))",
        "    return np.where(x >= 0, 1 / (1 + ex), ex / (1 + ex))",
        "",
        "def sigmoid_der(x):",
        "    return sigmoid(x) * (1 - sigmoid(x))",
        "",
        "def hidden_activation(x):",
        f"    return {act}",
        "",
        "def hidden_activation_der(x):",
        f"    return {act_der}",
    ]
    if output == "softmax":
        out += _SOFTMAX_CODE
    if minibatch:
        out += _SHUFFLE.splitlines()
    out += ["", "def train_step(input_features, target_output):"]
    body = []
    body.append("global " + ", ".join(wname + (bname if net.bias else [])
                                      + (["t"] if config.optimizer != "sgd" else [])))
    for l in range(hidden):
        src = "input_features" if l == 0 else f"output_hidden{suffix[l - 1]}"
        b = f" + {bname[l]}" if net.bias else ""
        body += [f"# Input for hidden layer{suffix[l].replace('_', ' ')}:",
                 f"input_hidden{suffix[l]} = np.dot({src}, {wname[l]}){b}",
                 f"output_hidden{suffix[l]} = hidden_activation(input_hidden{suffix[l]})"]
    top = f"output_hidden{suffix[-1]}" if hidden else "input_features"
    b = f" + {bname[-1]}" if net.bias else ""
    body += ["# Input for output layer:", f"input_op = np.dot({top}, {wname[-1]}){b}",
             f"output_op = {_OUTPUT_CODE[output]}", loss_line, "",
             "# Phase 1: the output layer", *dino_lines, f"dino_dwo = {top}",
             f"derror_dwo = np.dot(dino_dwo.T, derror_dino){_reg(config, wname[-1])}"]
    if net.bias:
        body.append("derror_dbo = derror_dino.sum(axis=0)")
    grads = {wname[-1]: "derror_dwo"}
    bgrads = {bname[-1]: "derror_dbo"}
    for l in range(hidden - 1, -1, -1):
        s = suffix[l]
        above = wname[l + 1]
        below = "input_features" if l == 0 else f"output_hidden{suffix[l - 1]}"
        body += ["", f"# Phase 2: hidden layer{s.replace('_', ' ')}",
                 f"dino_douth = {above}", "derror_douth = np.dot(derror_dino, dino_douth.T)",
                 f"douth_dinh = hidden_activation_der(input_hidden{s})",
                 f"dinh_dwh = {below}",
                 f"derror_dwh{s} = np.dot(dinh_dwh.T, douth_dinh * derror_douth)"
                 f"{_reg(config, wname[l])}"]
        if net.bias:
            body.append(f"derror_dbh{s} = (douth_dinh * derror_douth).sum(axis=0)")
        body.append("derror_dino = douth_dinh * derror_douth")
        grads[wname[l]] = f"derror_dwh{s}"
        bgrads[bname[l]] = f"derror_dbh{s}"
    body += ["", "# Update every layer with the gradients computed above:"]
    if config.optimizer == "sgd":
        for w, g in grads.items():
            body.append(f"{w} -= lr * {g}")
        if net.bias:
            for bn, g in bgrads.items():
                body.append(f"{bn} -= lr * {g}")
    else:
        body.append("t += 1")
        for w, g in grads.items():
            body.append(f"update({w!r}, {w}, {g})")
        if net.bias:
            for bn, g in bgrads.items():
                body.append(f"update({bn!r}, {bn}, {g})")
    body.append("return error")
    out += ["    " + line if line else "" for line in body]
    out += [""]
    if minibatch:
        out += [
            f"batch_size = {config.batch_size}",
            f"seed = {config.seed}",
            "n = len(input_features)",
            loop,
            *_epoch_rate_lines(config),
            "    order = epoch_order(n, seed, epoch)",
            "    error = 0.0",
            "    for start in range(0, n, batch_size):",
            "        rows = order[start:start + batch_size]",
            "        batch_error = train_step(input_features[rows], target_output[rows])",
            "        error += batch_error" + (" * len(rows) / n" if config.loss != "sse" else ""),
            *_target_lines(config),
        ]
    else:
        out += [loop,
                *_epoch_rate_lines(config),
                "    error = train_step(input_features, target_output)",
                *_target_lines(config)]
    out += ["", "print('Final weights:')"]
    for w in wname:
        out.append(f"print({w!r}, {w}.tolist())")
    out += ["# The loss of the last epoch's forward pass:", "print(repr(float(error)))", ""]
    return "\n".join(out)


def _input_lines(net: Network, X: np.ndarray, standardized: bool) -> list[str]:
    """``input_features``: the data itself, or each point's input features (``features``)."""
    if net.features is None:
        return [f"# Input features, shape {X.shape}"
                + (", standardized (see prepare below):" if standardized else ":"),
                f"input_features = {_array(X)}"]
    names = ", ".join(FEATURE_LABELS[name] for name in net.features)
    return [f"# Points (x1, x2), shape {X.shape}:",
            f"points = {_array(X)}",
            "",
            "def features(points):",
            f"    # What the first layer sees of each point: {names}",
            "    x1, x2 = points[:, 0], points[:, 1]",
            "    return np.column_stack([" + ", ".join(FEATURE_CODE[name]
                                                    for name in net.features) + "])",
            "",
            f"input_features = features(points)   # shape ({len(X)}, {len(net.features)})"]


def _rate_lines(config: TrainConfig) -> list[str]:
    """The learning rate: ``lr``, or ``base_lr`` and the schedule's ``lr_at(epoch)``."""
    if config.schedule == "constant":
        return [f"lr = {config.lr!r}"]
    lines = [f"base_lr = {config.lr!r}", "lr = base_lr"]
    if config.schedule in ("step", "exp"):
        step_size = config.step_size or max(1, config.epochs // 4)
        lines += [f"gamma = {config.gamma!r}", f"step_size = {step_size}"]
    code = _SCHEDULE_CODE[config.schedule]
    lines += ["", "def lr_at(epoch):",
              f"    # The learning rate of every update in this epoch ({config.schedule} schedule)",
              f"    {code}", ""]
    return lines


def _epoch_rate_lines(config: TrainConfig) -> list[str]:
    return [] if config.schedule == "constant" else ["    lr = lr_at(epoch)"]


def _target_lines(config: TrainConfig) -> list[str]:
    if config.target_loss <= 0:
        return []
    return [f"    if error <= {config.target_loss!r}:",
            "        break   # early stopping: the loss reached the target"]


def _optimizer_lines(config: TrainConfig) -> list[str]:
    """The optimizer's constants, its state and ``update(name, param, grad)``."""
    lines = ["", *(f"{name} = {getattr(config, name)!r}"
                   for name in _UPDATE_CONSTANTS[config.optimizer]),
             "t = 0          # updates so far (mini-batches, not epochs)",
             "first = {}     # each parameter's running average, by name",
             "second = {}    # (Adam) each parameter's running mean square",
             "",
             "def update(name, param, grad):"]
    return lines + ["    " + line for line in _UPDATE_CODE[config.optimizer]]


def _reg(config: TrainConfig, weight: str) -> str:
    if config.reg == "l2":
        return f" + {config.reg_rate!r} * {weight}"
    if config.reg == "l1":
        return f" + {config.reg_rate!r} * np.sign({weight})"
    return ""
