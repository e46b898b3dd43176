"""The network: layer sizes, one flat parameter vector, and views into it.

All parameters live in one float64 vector ``params`` so the compiled kernel can
train it in place and a snapshot is a single copy; ``weights[l]`` and
``biases[l]`` are views into it, shaped ``(n_in, n_out)`` and ``(n_out,)``, and
applied as ``X @ W + b`` as in the tutorial. With ``bias=False`` the biases stay
at exactly zero (adding 0.0 changes no float), so one code path serves both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validate import MAX_SEED, check_choice, check_int
from .activations import ACTIVATIONS, OUTPUT_ACTIVATIONS, OUTPUT_FUNCTIONS
from .features import PLANE, canonical, map_features

MAX_HIDDEN_LAYERS = 4
MAX_HIDDEN_NODES = 256
MAX_INPUTS = 784            # 28x28 images
MAX_OUTPUTS = 10

# The tutorial's fixed starting weights: its OR network (2-3-1) and the
# single-layer network it compares against (2-1).
TUTORIAL_WEIGHTS = {
    (2, 3, 1): ([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.7], [0.8], [0.9]]),
    (2, 1): ([[0.1], [0.2]],),
}


def _init_tutorial(sizes, rng):
    key = tuple(sizes)
    if key not in TUTORIAL_WEIGHTS:
        known = " or ".join("-".join(map(str, k)) for k in TUTORIAL_WEIGHTS)
        raise ValueError(
            f"init 'tutorial' has fixed weights only for a {known} network, "
            f"not {'-'.join(map(str, sizes))}; choose uniform, xavier or he"
        )
    return [np.array(w, dtype=float) for w in TUTORIAL_WEIGHTS[key]]


def _init_uniform(sizes, rng):
    # np.random.rand's distribution, as in the tutorial's XOR example.
    return [rng.random((n_in, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _init_xavier(sizes, rng):
    return [
        rng.uniform(-np.sqrt(6.0 / (n_in + n_out)), np.sqrt(6.0 / (n_in + n_out)), (n_in, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


def _init_he(sizes, rng):
    return [
        rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


def _init_zeros(sizes, rng):
    # Every unit of a layer then learns the same thing: a start for setting weights by
    # hand, not for training a hidden layer.
    return [np.zeros((n_in, n_out)) for n_in, n_out in zip(sizes[:-1], sizes[1:])]


INITIALIZERS = {
    "tutorial": _init_tutorial,
    "uniform": _init_uniform,
    "xavier": _init_xavier,
    "he": _init_he,
    "zeros": _init_zeros,
}


def layer_sizes_for(n_inputs: int, hidden: tuple[int, ...] | list[int],
                    n_outputs: int = 1) -> tuple[int, ...]:
    """``(n_inputs, *hidden, n_outputs)`` after checking every size against its range."""
    check_int("inputs", n_inputs, 1, MAX_INPUTS)
    check_int("outputs", n_outputs, 1, MAX_OUTPUTS)
    hidden = tuple(hidden)
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(
            f"hidden layers must be between 0 and {MAX_HIDDEN_LAYERS}, got {len(hidden)}"
        )
    for n in hidden:
        check_int("hidden nodes", n, 1, MAX_HIDDEN_NODES)
    return (int(n_inputs), *(int(n) for n in hidden), int(n_outputs))


def check_outputs(output: str, n_outputs: int) -> None:
    """Raise ``ValueError`` unless ``n_outputs`` units of kind ``output`` make sense."""
    check_choice("output", output, OUTPUT_ACTIVATIONS)
    if output == "softmax" and n_outputs < 2:
        # One softmax unit always outputs 1: it can tell no classes apart.
        raise ValueError(f"softmax outputs need at least 2 classes, got {n_outputs}; "
                         "use one sigmoid output for two classes")


@dataclass
class Network:
    """A fully connected network with ``k`` output units.

    Parameters
    ----------
    layer_sizes : tuple of int
        ``(n_inputs, hidden_1, ..., hidden_h, k)``; ``h`` may be 0.
    hidden_activation : str
        Key of ``ACTIVATIONS`` used by every hidden layer.
    bias : bool
        Whether biases are used (and trained).
    params : ndarray of shape (n_params,)
        All weights and biases, layer by layer: ``W`` row-major, then ``b``.
    output_activation : str
        One of ``OUTPUT_ACTIVATIONS``: ``"sigmoid"`` (binary, or independent
        labels when k > 1), ``"softmax"`` (k >= 2 classes) or ``"linear"``
        (regression with k targets).
    features : tuple of str or None
        Input features (keys of ``features.FEATURES``, canonical order) the network
        computes from points ``(x1, x2)`` before its first layer, which then has
        ``len(features)`` inputs; None (also for exactly ``("x1", "x2")``): the data's
        columns as they are. Every inference method takes the data's columns.
    """

    layer_sizes: tuple[int, ...]
    hidden_activation: str = "sigmoid"
    bias: bool = False
    params: np.ndarray = field(default=None, repr=False)
    output_activation: str = "sigmoid"
    features: tuple[str, ...] | None = None

    def __post_init__(self):
        if self.features is not None:
            self.features = canonical(self.features)
            if self.features == PLANE:
                self.features = None
        if self.features is not None and self.layer_sizes[0] != len(self.features):
            raise ValueError(f"a network with {len(self.features)} input features needs "
                             f"{len(self.features)} inputs, got {self.layer_sizes[0]}")
        self.layer_sizes = layer_sizes_for(self.layer_sizes[0], self.layer_sizes[1:-1],
                                           self.layer_sizes[-1])
        check_choice("activation", self.hidden_activation, ACTIVATIONS)
        check_outputs(self.output_activation, self.layer_sizes[-1])
        self.bias = bool(self.bias)
        if self.params is None:
            self.params = np.zeros(self.n_params)
        self.params = np.ascontiguousarray(self.params, dtype=np.float64)
        if self.params.shape != (self.n_params,):
            raise ValueError(f"params must have shape ({self.n_params},), got {self.params.shape}")
        self.weights, self.biases = [], []
        offset = 0
        for n_in, n_out in self.layer_shapes:
            self.weights.append(self.params[offset:offset + n_in * n_out].reshape(n_in, n_out))
            offset += n_in * n_out
            self.biases.append(self.params[offset:offset + n_out])
            offset += n_out

    @classmethod
    def create(
        cls,
        n_inputs: int = 2,
        hidden: tuple[int, ...] | list[int] = (3,),
        *,
        n_outputs: int = 1,
        output: str = "sigmoid",
        activation: str = "sigmoid",
        bias: bool = False,
        init: str = "xavier",
        seed: int = 0,
        features: tuple[str, ...] | None = None,
    ) -> Network:
        """Build a network with weights from the named initializer and an explicit seed.

        Parameters
        ----------
        n_inputs : int, at most ``MAX_INPUTS``
        hidden : sequence of int
            Units per hidden layer (at most ``MAX_HIDDEN_LAYERS`` layers of at
            most ``MAX_HIDDEN_NODES``); empty for no hidden layer.
        n_outputs : int, at most ``MAX_OUTPUTS``
            ``k``: 1 for a binary sigmoid output, the class count for softmax,
            the target count for linear.
        output : {"sigmoid", "softmax", "linear"}
        activation : str, key of ``ACTIVATIONS`` for the hidden layers
        bias : bool
        init : str, key of ``INITIALIZERS`` ("tutorial" only for 2-3-1 and 2-1)
        seed : int
        features : tuple of str, optional
            Input features of 2-column points (``n_inputs`` must be 2); the first
            layer then has one input per feature.
        """
        if features is not None:
            features = canonical(features)
            if features == PLANE:
                features = None
            elif n_inputs != 2:
                raise ValueError(f"input features apply to data with 2 inputs (x1, x2); "
                                 f"this data has {n_inputs}")
            else:
                n_inputs = len(features)
        sizes = layer_sizes_for(n_inputs, hidden, n_outputs)
        check_outputs(output, n_outputs)
        check_choice("init", init, INITIALIZERS)
        check_int("seed", seed, 0, MAX_SEED)
        net = cls(sizes, activation, bias, output_activation=output, features=features)
        rng = np.random.default_rng(seed)
        for W, W0 in zip(net.weights, INITIALIZERS[init](sizes, rng)):
            W[...] = W0
        return net

    @property
    def layer_shapes(self) -> list[tuple[int, int]]:
        return list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))

    @property
    def n_hidden_layers(self) -> int:
        return len(self.layer_sizes) - 2

    @property
    def n_data_inputs(self) -> int:
        """Columns of the data the network takes: 2 with input features, else its inputs."""
        return self.layer_sizes[0] if self.features is None else 2

    @property
    def n_params(self) -> int:
        """Length of ``params``: every weight and a slot per unit for its bias (0 when off)."""
        return sum(n_in * n_out + n_out for n_in, n_out in self.layer_shapes)

    @property
    def n_trainable(self) -> int:
        """Trainable parameters: every weight, plus every bias when ``bias`` is on."""
        return sum(n_in * n_out + (n_out if self.bias else 0) for n_in, n_out in self.layer_shapes)

    @property
    def n_outputs(self) -> int:
        return self.layer_sizes[-1]

    @property
    def task(self) -> str:
        """``"regress"`` for linear outputs, else ``"classify"``."""
        return "regress" if self.output_activation == "linear" else "classify"

    def copy(self) -> Network:
        return self.with_params(self.params)

    def with_params(self, params: np.ndarray) -> Network:
        """A copy of this network's architecture holding (a copy of) ``params``."""
        return Network(self.layer_sizes, self.hidden_activation, self.bias, np.array(params),
                       self.output_activation, self.features)

    def architecture(self) -> str:
        return "-".join(map(str, self.layer_sizes))

    # --- inference -----------------------------------------------------------
    def inputs(self, X: np.ndarray) -> np.ndarray:
        """What the first layer takes for data ``X`` (n, n_data_inputs): the input features
        of each point, shape (n, layer_sizes[0]); ``X`` itself without features."""
        if self.features is None:
            return np.asarray(X, dtype=float)
        return map_features(self.features, X)

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations and activations of every layer.

        Returns ``(zs, activations)``: ``zs[l]`` is ``(n, layer_sizes[l+1])``;
        ``activations[0]`` is ``inputs(X)`` (``X`` itself without features) and
        ``activations[l+1] = f(zs[l])``,
        with the output activation on the last layer.
        """
        act = ACTIVATIONS[self.hidden_activation]
        a = self.inputs(X)
        zs, acts = [], [a]
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            a = OUTPUT_FUNCTIONS[self.output_activation](z) if l == last else act(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def outputs(self, X: np.ndarray) -> np.ndarray:
        """Final activations, shape ``(n, k)``, for inputs ``X`` of shape ``(n, n_in)``."""
        return self.forward(X)[1][-1]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities: ``(n,)`` (P(class 1)) for one sigmoid output, else ``(n, k)``."""
        out = self.outputs(X)
        return out[:, 0] if self._binary else out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions for ``X`` (n, n_in).

        One sigmoid output: labels 0/1, shape ``(n,)`` (output at or above 0.5 is
        class 1); k sigmoid outputs: 0/1 per label, ``(n, k)``; softmax: the most
        probable class, ``(n,)``; linear: the outputs, ``(n, k)``.
        """
        out = self.outputs(X)
        if self.output_activation == "softmax":
            return np.argmax(out, axis=1)
        if self.output_activation == "linear":
            return out
        labels = (out >= 0.5).astype(int)
        return labels[:, 0] if self._binary else labels

    def output_pre_activation(self, X: np.ndarray) -> np.ndarray:
        """The output layer's ``z``: ``(n,)`` for one sigmoid output, else ``(n, k)``."""
        z = self.forward(X)[0][-1]
        return z[:, 0] if self._binary else z

    def encode_targets(self, y: np.ndarray) -> np.ndarray:
        """What a data set holds, as the float64 ``(n, k)`` targets the engine trains on.

        Parameters
        ----------
        y : ndarray of shape (n,) or (n, k)
            Class labels 0..k-1 (float or int) for a classifier: become ``(n, 1)``
            for one sigmoid output, one-hot ``(n, k)`` for softmax; targets
            already ``(n, k)`` pass through (e.g. multi-label 0/1 or one-hot).
            Regression targets ``(n,)`` or ``(n, k)`` for a linear output.

        Returns
        -------
        ndarray of shape (n, k), float64, C-contiguous
        """
        y = np.asarray(y, dtype=np.float64)
        k = self.n_outputs
        if y.ndim == 2 and y.shape[1] == k:
            return np.ascontiguousarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(f"targets must have shape (n,) or (n, {k}) for a "
                             f"{self.architecture()} {self.output_activation} network, "
                             f"got {y.shape}")
        if self.output_activation == "softmax":
            labels = y.astype(np.int64)
            if np.any(labels != y) or np.any(labels < 0) or np.any(labels >= k):
                raise ValueError(f"class labels must be integers 0..{k - 1} for {k} softmax "
                                 "outputs")
            return np.ascontiguousarray(np.eye(k)[labels])
        if k != 1:
            raise ValueError(f"targets of shape {y.shape} do not fit {k} "
                             f"{self.output_activation} outputs; give shape (n, {k})")
        return np.ascontiguousarray(y.reshape(-1, 1))

    @property
    def _binary(self) -> bool:
        # The tutorial's network: callers get (n,) arrays, as before outputs had a k.
        return self.output_activation == "sigmoid" and self.n_outputs == 1


def parameter_breakdown(layer_sizes, bias: bool) -> tuple[int, str]:
    """Trainable parameter count and its breakdown, e.g. ``(9, "2x3 + 3x1 = 9")``.

    With biases each layer adds its width: ``"(2x3 + 3) + (3x1 + 1) = 13"``.
    """
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    if bias:
        parts = [f"({a}x{b} + {b})" for a, b in shapes]
        total = sum(a * b + b for a, b in shapes)
    else:
        parts = [f"{a}x{b}" for a, b in shapes]
        total = sum(a * b for a, b in shapes)
    return total, f"{' + '.join(parts)} = {total}"
