"""Which output layer and loss a data set trains with, given the loss a person asked for.

The data decides the output layer: class labels 0..k-1 need k softmax units (or one
sigmoid unit when k is 2), regression targets need linear units. The loss setting
then picks among the losses that fit that layer (``losses.ALLOWED_LOSSES``): on a
two-class set, ``ce`` means two softmax units and any other loss one sigmoid unit, as
in the tutorial. A loss that fits no output layer of the data (``sse`` on ten classes,
``bce`` on a curve) is replaced by the data set's own default, and ``notice`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from .datasets import DRAW, Dataset
from .losses import ALLOWED_LOSSES, LOSS_LABELS


@dataclass(frozen=True)
class Problem:
    """What a network for one data set ends in, and the loss it trains with.

    ``output`` is a key of ``activations.OUTPUT_FUNCTIONS``, ``n_outputs`` its units,
    ``loss`` a key of ``losses.LOSSES`` that fits it; ``notice`` is a sentence for the
    person when ``loss`` is not the one they asked for, else None.
    """

    output: str
    n_outputs: int
    loss: str
    notice: str | None = None

    @property
    def task(self) -> str:
        return "regress" if self.output == "linear" else "classify"


def problem_for(data: Dataset, loss: str) -> Problem:
    """The output layer ``data`` needs and the loss to train it with, ``loss`` if it fits."""
    output, n_outputs, default_loss = data.default_outputs
    if data.task == "classify" and data.n_classes == 2:
        if loss == "ce":
            return Problem("softmax", 2, "ce")
        if loss in ALLOWED_LOSSES["sigmoid"]:
            return Problem("sigmoid", 1, loss)
    elif loss in ALLOWED_LOSSES[output]:
        return Problem(output, n_outputs, loss)
    what = (f"{data.n_classes} classes" if data.task == "classify"
            else "a regression target" if n_outputs == 1 else f"{n_outputs} regression targets")
    return Problem(output, n_outputs, default_loss,
                   f"{data.name} has {what}, so its {n_outputs} {output} output"
                   f"{'s' if n_outputs > 1 else ''} train with {LOSS_LABELS[default_loss]} "
                   f"({default_loss}); the loss setting {loss} does not fit them.")


@dataclass(frozen=True)
class TrainingDefaults:
    """How a data set trains well when a person sets nothing: what the CLI and the presets use.

    ``hidden`` is the units per hidden layer; ``activation`` a key of
    ``activations.ACTIVATIONS``; ``loss`` a key of ``losses.LOSSES`` that fits the
    set's output layer (``problem_for`` keeps it); ``init`` a key of
    ``network.INITIALIZERS``; ``batch_size`` None for full batch; ``samples`` None
    for the usual count of a generated set (real sets have their own rows).
    """

    hidden: tuple[int, ...]
    activation: str
    lr: float
    epochs: int
    loss: str
    bias: bool = True
    init: str = "xavier"
    batch_size: int | None = None
    samples: int | None = None


# Measured from the CLI (test split 0.2, seeds 0-2; docs/performance-real.md, "Default
# training per data set"): each reaches its score in about a second. The gates and the
# two-class 2-D shapes are not here: they keep the tutorial's defaults (Settings()),
# which the tutorial's numbers and the teaching pages depend on.
TRAINING_DEFAULTS: dict[str, TrainingDefaults] = {
    "iris": TrainingDefaults((8,), "tanh", 0.3, 500, "ce"),
    "wine": TrainingDefaults((8,), "tanh", 0.1, 500, "ce"),
    "breast_cancer": TrainingDefaults((16,), "tanh", 0.1, 500, "bce"),
    # 32 units: between two of the tutorial's rules of thumb (10-64 and 52) for 64 -> 10.
    "digits": TrainingDefaults((32,), "tanh", 0.5, 300, "ce"),
    "blobs": TrainingDefaults((8,), "tanh", 0.3, 1000, "ce"),
    "sine": TrainingDefaults((16,), "tanh", 0.1, 2000, "mse"),
    # A jump needs steep units: small batches get there in fewer epochs.
    "step": TrainingDefaults((16,), "tanh", 0.05, 1000, "mse", batch_size=16),
    "abs": TrainingDefaults((16,), "tanh", 0.1, 2000, "mse"),
    # Nielsen's wiggles: two layers bend more per unit than one wide layer (R² 0.89-0.95
    # against 0.58-0.83 for 32 units in one layer).
    "nielsen": TrainingDefaults((16, 16), "tanh", 0.05, 2000, "mse", batch_size=8),
    "plane": TrainingDefaults((8,), "tanh", 0.1, 1000, "mse"),
    # Six cones: ReLU units make their points (R² 0.89-0.94; 16-16 tanh: 0.69-0.80).
    "multi-gauss": TrainingDefaults((32, 32), "relu", 0.05, 1000, "mse", init="he",
                                    batch_size=16, samples=500),
    # A few dozen points drawn by hand: a small tanh net with bias bends around them in
    # about a second; bce keeps two classes on the tutorial's one-output boundary.
    DRAW: TrainingDefaults((8,), "tanh", 0.3, 2000, "bce"),
}
# The spiral keeps the tutorial's defaults with its two arms; more arms are another problem.
SPIRAL_ARMS_DEFAULTS = TrainingDefaults((32, 32), "tanh", 0.3, 3000, "ce", samples=300)
# A CSV file has no name to look up: a small tanh network that suits most tables.
CSV_DEFAULTS: dict[str, TrainingDefaults] = {
    "classify": TrainingDefaults((8,), "tanh", 0.1, 1000, "ce"),
    "regress": TrainingDefaults((16,), "tanh", 0.1, 2000, "mse"),
}


def training_defaults(name: str | None, task: str | None = None,
                      classes: int | None = None) -> TrainingDefaults | None:
    """The defaults of built-in data set ``name`` (drawn with ``classes`` classes, None: its
    own count), or of a CSV file whose last column holds ``task`` (``name`` None).

    None for the gates and the two-class 2-D shapes: the tutorial's ``Settings()`` apply.
    """
    if name is None:
        return CSV_DEFAULTS[task]
    if name == "spiral" and classes is not None and classes > 2:
        return SPIRAL_ARMS_DEFAULTS
    return TRAINING_DEFAULTS.get(name)
