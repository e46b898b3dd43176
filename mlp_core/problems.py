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

from .datasets import Dataset
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
