"""A hidden-layer network and a network with no hidden layer, trained alike.

Both start from the same seed (or the tutorial's fixed weights, which exist for
its 2-3-1 network and for the 2-1 network it compares against) and see the same
data, learning rate and epochs, so any difference is the hidden layer's doing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .datasets import Dataset
from .network import Network
from .training import TrainConfig, Trainer


@dataclass
class Pair:
    hidden: Trainer
    none: Trainer

    def facts(self, data: Dataset) -> list[str]:
        """What the comparison shows, in plain words, from the trained networks."""
        out = []
        single = self.none.net
        origin = np.all(data.X_train == 0, axis=1)
        one_sigmoid = single.output_activation == "sigmoid" and single.n_outputs == 1
        if not single.bias and origin.any() and one_sigmoid:
            p0 = float(single.predict_proba(np.zeros((1, data.n_features)))[0])
            out.append(
                f"Without a bias the single-layer network's output at (0, 0) is "
                f"sigmoid(0) = {p0:g} whatever its weights, so it can never pull that "
                f"point below 0.5."
            )
        if data.is_gate and one_sigmoid:
            correct = int(np.sum(single.predict(data.X_train) == data.y_train))
            hidden_correct = int(np.sum(self.hidden.net.predict(data.X_train) == data.y_train))
            out.append(
                f"The hidden-layer network gets {hidden_correct} of 4 rows right; the network "
                f"with no hidden layer gets {correct} of 4."
            )
            if data.name in ("xor", "xnor"):
                out.append(
                    "A single sigmoid unit draws one straight line w1·x1 + w2·x2 + b = 0. No one "
                    "line separates XOR's two classes, so at best 3 of 4 rows come out right; "
                    "hidden units each draw a line, and the output combines them."
                )
        return out


def train_pair(data: Dataset, hidden: tuple[int, ...], *, activation: str, bias: bool,
               init: str, seed: int, config: TrainConfig, n_outputs: int = 1,
               output: str = "sigmoid", features: tuple[str, ...] | None = None) -> Pair:
    """Train the hidden-layer network and its no-hidden-layer twin; return both trainers.

    Both have ``n_outputs`` units of kind ``output``: without a hidden layer a
    softmax net is multinomial logistic regression and a linear one is linear
    regression. Both see the same input ``features`` (None: the data's columns).
    """
    trainers = []
    for layers in (hidden, ()):
        net = Network.create(data.n_features, layers, n_outputs=n_outputs, output=output,
                             activation=activation, bias=bias, init=init, seed=seed,
                             features=features)
        trainer = Trainer(net, data.X_train, data.y_train, config, data.X_test, data.y_test)
        trainer.train()
        trainers.append(trainer)
    return Pair(*trainers)
