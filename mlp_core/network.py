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
from .activations import ACTIVATIONS, sigmoid

MAX_HIDDEN_LAYERS = 4
MAX_HIDDEN_NODES = 64
MAX_INPUTS = 32

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


INITIALIZERS = {
    "tutorial": _init_tutorial,
    "uniform": _init_uniform,
    "xavier": _init_xavier,
    "he": _init_he,
}


def layer_sizes_for(n_inputs: int, hidden: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """``(n_inputs, *hidden, 1)`` after checking every size against its range."""
    check_int("inputs", n_inputs, 1, MAX_INPUTS)
    hidden = tuple(hidden)
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(
            f"hidden layers must be between 0 and {MAX_HIDDEN_LAYERS}, got {len(hidden)}"
        )
    for n in hidden:
        check_int("hidden nodes", n, 1, MAX_HIDDEN_NODES)
    return (int(n_inputs), *(int(n) for n in hidden), 1)


@dataclass
class Network:
    """A fully connected network with sigmoid output.

    Parameters
    ----------
    layer_sizes : tuple of int
        ``(n_inputs, hidden_1, ..., hidden_k, 1)``; ``k`` may be 0.
    hidden_activation : str
        Key of ``ACTIVATIONS`` used by every hidden layer.
    bias : bool
        Whether biases are used (and trained).
    params : ndarray of shape (n_params,)
        All weights and biases, layer by layer: ``W`` row-major, then ``b``.
    """

    layer_sizes: tuple[int, ...]
    hidden_activation: str = "sigmoid"
    bias: bool = False
    params: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        self.layer_sizes = layer_sizes_for(self.layer_sizes[0], self.layer_sizes[1:-1])
        check_choice("activation", self.hidden_activation, ACTIVATIONS)
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
        activation: str = "sigmoid",
        bias: bool = False,
        init: str = "xavier",
        seed: int = 0,
    ) -> Network:
        """Build a network with weights from the named initializer and an explicit seed."""
        sizes = layer_sizes_for(n_inputs, hidden)
        check_choice("init", init, INITIALIZERS)
        check_int("seed", seed, 0, MAX_SEED)
        net = cls(sizes, activation, bias)
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
    def n_params(self) -> int:
        """Length of ``params``: every weight and a slot per unit for its bias (0 when off)."""
        return sum(n_in * n_out + n_out for n_in, n_out in self.layer_shapes)

    @property
    def n_trainable(self) -> int:
        """Trainable parameters: every weight, plus every bias when ``bias`` is on."""
        return sum(n_in * n_out + (n_out if self.bias else 0) for n_in, n_out in self.layer_shapes)

    def copy(self) -> Network:
        return Network(self.layer_sizes, self.hidden_activation, self.bias, self.params.copy())

    def with_params(self, params: np.ndarray) -> Network:
        """A copy of this network's architecture holding ``params``."""
        return Network(self.layer_sizes, self.hidden_activation, self.bias, np.array(params))

    def architecture(self) -> str:
        return "-".join(map(str, self.layer_sizes))

    # --- inference -----------------------------------------------------------
    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Pre-activations and activations of every layer.

        Returns ``(zs, activations)``: ``zs[l]`` is ``(n, layer_sizes[l+1])``;
        ``activations[0]`` is ``X`` itself and ``activations[l+1] = f(zs[l])``.
        """
        act = ACTIVATIONS[self.hidden_activation]
        a = np.asarray(X, dtype=float)
        zs, acts = [], [a]
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            a = sigmoid(z) if l == last else act(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Output of the sigmoid unit, shape ``(n,)``, for inputs ``X`` of shape ``(n, n_in)``."""
        return self.forward(X)[1][-1][:, 0]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels 0/1, shape ``(n,)``: output at or above 0.5 is class 1."""
        return (self.predict_proba(X) >= 0.5).astype(int)

    def output_pre_activation(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)[0][-1][:, 0]


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
