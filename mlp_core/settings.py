"""``Settings``: the one serialisable object that a shared URL carries.

Like TensorFlow Playground's ``State``: every field a person can set in the
sidebar, with its default, its range and its URL name; ``from_query`` turns a
URL's parameters into Settings and a list of plain-language notices about the
values it had to replace; ``to_query`` writes back only what differs from the
defaults, so links stay short.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from ._validate import check_choice, check_float, check_int
from .activations import ACTIVATIONS
from .datasets import DATASET_NAMES, GATES
from .losses import LOSSES
from .network import INITIALIZERS, MAX_HIDDEN_LAYERS, MAX_HIDDEN_NODES
from .training import MAX_EPOCHS, MAX_LR, TrainConfig

UPLOAD = "upload"
DATASET_CHOICES = (*DATASET_NAMES, UPLOAD)


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run; defaults are the tutorial's OR network."""

    dataset: str = "or"
    hidden: int = 3
    layers: int = 1
    lr: float = 0.05
    epochs: int = 200_000
    activation: str = "sigmoid"
    loss: str = "sse"
    bias: bool = False
    init: str = "tutorial"
    seed: int = 0
    samples: int = 200
    noise: float = 0.1
    test: int = 20          # per cent of samples held out for testing

    def __post_init__(self):
        for f in fields(self):
            object.__setattr__(self, f.name, _CHECKS[f.name](getattr(self, f.name)))

    @property
    def is_gate(self) -> bool:
        return self.dataset in GATES

    @property
    def hidden_layers(self) -> tuple[int, ...]:
        return (self.hidden,) * self.layers

    def train_config(self) -> TrainConfig:
        return TrainConfig(lr=self.lr, epochs=self.epochs, loss=self.loss, seed=self.seed)

    def architecture_key(self) -> tuple:
        """What, when changed, makes a new network (everything but lr and epochs)."""
        d = asdict(self)
        del d["lr"], d["epochs"]
        return tuple(sorted(d.items()))

    def to_query(self) -> dict[str, str]:
        """URL parameters for the fields that differ from the defaults."""
        default = Settings()
        return {
            f.name: _format(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }

    @classmethod
    def from_query(cls, params: dict[str, str | list[str]]) -> tuple[Settings, list[str]]:
        """Settings from URL parameters, and a notice for every value it could not use.

        Invalid, out-of-range and unknown parameters fall back to the defaults
        (never an exception); a preset named by ``preset=`` is the starting point.
        """
        notices: list[str] = []
        base = Settings()
        values = {}
        for name, raw in params.items():
            raw = raw[-1] if isinstance(raw, list) and raw else raw
            if name == "preset":
                if isinstance(raw, str) and raw in PRESETS:
                    base = PRESETS[raw].settings
                else:
                    notices.append(f"Unknown preset {raw!r} in the link; using the defaults.")
                continue
            if name not in _CHECKS:
                notices.append(f"Ignored unknown link parameter {name!r}.")
                continue
            try:
                values[name] = _CHECKS[name](_PARSERS[name](raw))
            except (ValueError, TypeError, OverflowError) as err:
                notices.append(
                    f"Link parameter {name}={_short(raw)} is not valid ({_reason(err)}); "
                    f"using {_format(getattr(base, name))}."
                )
        settings = replace(base, **values)
        if settings.init == "tutorial" and not _tutorial_shape(settings):
            notices.append(
                "The tutorial's fixed weights exist only for its 2-3-1 network; "
                "using xavier initial weights instead."
            )
            settings = replace(settings, init="xavier")
        return settings, notices


def _tutorial_shape(s: Settings) -> bool:
    return s.dataset in GATES and s.layers == 1 and s.hidden == 3


def _parse_bool(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "on", "yes"):
        return True
    if text in ("0", "false", "off", "no"):
        return False
    raise ValueError("bias must be true or false")


def _parse_float(raw) -> float:
    # float()'s own errors ("could not convert string to float: 'abc'") are Python's
    # words, not a sentence for the person who opened the link.
    try:
        return float(str(raw).strip())
    except ValueError:
        raise ValueError("not a number") from None


def _parse_int(raw) -> int:
    text = str(raw).strip().replace("_", "").replace(",", "")
    number = _parse_float(text)
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"expected a whole number, got {text}")
    return int(number)


def _check_bool(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"bias must be true or false, got {value!r}")
    return value


_PARSERS = {
    "dataset": str, "hidden": _parse_int, "layers": _parse_int, "lr": _parse_float,
    "epochs": _parse_int, "activation": str, "loss": str, "bias": _parse_bool,
    "init": str, "seed": _parse_int, "samples": _parse_int, "noise": _parse_float,
    "test": _parse_int,
}
_CHECKS = {
    "dataset": lambda v: check_choice("dataset", v, DATASET_CHOICES),
    "hidden": lambda v: check_int("hidden nodes", v, 1, MAX_HIDDEN_NODES),
    "layers": lambda v: check_int("hidden layers", v, 1, MAX_HIDDEN_LAYERS),
    "lr": lambda v: check_float("learning rate", v, 0.0, MAX_LR, lo_open=True),
    "epochs": lambda v: check_int("epochs", v, 1, MAX_EPOCHS),
    "activation": lambda v: check_choice("activation", v, ACTIVATIONS),
    "loss": lambda v: check_choice("loss", v, LOSSES),
    "bias": _check_bool,
    "init": lambda v: check_choice("initial weights", v, INITIALIZERS),
    "seed": lambda v: check_int("seed", v, 0, 2**32 - 1),
    "samples": lambda v: check_int("samples", v, 10, 2000),
    "noise": lambda v: check_float("noise", v, 0.0, 1.0),
    "test": lambda v: check_int("test %", v, 0, 90),
}


def _format(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        short = f"{value:g}"  # short links; repr where 6 digits would change the value
        return short if float(short) == value else repr(value)
    return str(value)


def _short(raw) -> str:
    text = str(raw)
    return repr(text if len(text) <= 24 else text[:21] + "...")


def _reason(err: Exception) -> str:
    text = str(err)
    return text if len(text) <= 120 else text[:117] + "..."


@dataclass(frozen=True)
class Preset:
    label: str
    description: str
    settings: Settings


PRESETS = {
    "tutorial-or": Preset(
        "Tutorial: OR (2-3-1)",
        "The tutorial's first network: OR gate, 3 hidden sigmoid nodes, no bias, its fixed "
        "starting weights, lr 0.05, 200,000 epochs, sum-of-squares error.",
        Settings(),
    ),
    "tutorial-xor": Preset(
        "Tutorial: XOR (2-4-1)",
        "The tutorial's XOR network: 4 hidden nodes, no bias, uniform [0, 1) starting "
        "weights, lr 0.05, 200,000 epochs.",
        Settings(dataset="xor", hidden=4, init="uniform"),
    ),
    "xor-one-node": Preset(
        "XOR with 1 hidden node (fails)",
        "One hidden unit draws one line: XOR needs two. Watch it stall at 3 of 4.",
        Settings(dataset="xor", hidden=1, init="xavier", bias=True, lr=0.5, epochs=20_000),
    ),
    "spiral-deep": Preset(
        "Spiral needs depth",
        "Two interleaved spirals: 2 hidden layers of 16 tanh units with bias and "
        "cross-entropy.",
        Settings(dataset="spiral", hidden=16, layers=2, activation="tanh", bias=True,
                 init="xavier", loss="bce", lr=0.3, epochs=20_000, samples=300, noise=0.05),
    ),
    "circle-relu": Preset(
        "Circle with ReLU",
        "Inner disk vs ring: 8 ReLU units with bias learn a closed boundary.",
        Settings(dataset="circle", hidden=8, activation="relu", bias=True, init="he",
                 loss="bce", lr=0.2, epochs=5_000),
    ),
    "too-high-lr": Preset(
        "Learning rate too high (diverges)",
        "XOR with cross-entropy and lr 1,000,000: the first update throws the weights "
        "out of range and training stops with a warning.",
        Settings(dataset="xor", hidden=4, init="xavier", bias=True, loss="bce", lr=1e6,
                 epochs=2_000),
    ),
}
