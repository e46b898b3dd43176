"""The standalone script for every output kind and loss: run with NumPy alone, it prints
the final loss the engine reports, to 1e-9 (issue 14).

``tests/test_cli.py`` checks the tutorial's one-sigmoid-output scripts through the CLI;
these cover softmax + ce, linear + sse/mse (one and two targets), k independent sigmoid
outputs, and standardized features.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.network import Network
from mlp_core.script import standalone_script
from mlp_core.training import TrainConfig, Trainer


def _multi_label(n: int = 40, seed: int = 0):
    """3 features -> 3 independent 0/1 labels (the sign of each feature, mostly)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X + 0.3 * rng.normal(size=(n, 3)) > 0).astype(float)


def _two_targets(n: int = 50, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, 2))
    return X, np.column_stack([np.sin(2 * X[:, 0]), X[:, 0] * X[:, 1]])


def _data(name: str):
    """``(X, y, standardize)`` for a case: a data set's training split or made-up arrays."""
    if name == "multi-label":
        return (*_multi_label(), None)
    if name == "two-targets":
        return (*_two_targets(), None)
    data = make_dataset(name, samples=60)
    stand = None if data.feature_mean is None else (data.feature_mean, data.feature_scale)
    return data.X_train, data.y_train, stand


# case -> data, (hidden, output, k, activation, bias), (loss, lr, epochs, batch, reg, rate)
CASES = {
    "softmax-ce-iris-standardized": ("iris", ((5,), "softmax", 3, "tanh", True),
                                     ("ce", 0.3, 40, None, "none", 0.0)),
    "softmax-ce-2-layers-minibatch-l2": ("blobs", ((4, 3), "softmax", 3, "relu", True),
                                         ("ce", 0.2, 15, 7, "l2", 0.01)),
    "softmax-ce-no-hidden": ("wine", ((), "softmax", 3, "sigmoid", False),
                             ("ce", 0.1, 30, None, "none", 0.0)),
    "softmax-ce-two-classes": ("breast_cancer", ((6,), "softmax", 2, "tanh", True),
                               ("ce", 0.1, 20, 64, "l1", 0.001)),
    "sigmoid-bce-standardized": ("breast_cancer", ((6,), "sigmoid", 1, "tanh", True),
                                 ("bce", 0.1, 20, None, "none", 0.0)),
    "linear-mse-sine": ("sine", ((8,), "linear", 1, "tanh", True),
                        ("mse", 0.1, 50, None, "none", 0.0)),
    "linear-sse-plane-2-layers": ("plane", ((4, 4), "linear", 1, "sigmoid", False),
                                  ("sse", 0.01, 30, None, "none", 0.0)),
    "linear-mse-two-targets-minibatch": ("two-targets", ((6,), "linear", 2, "tanh", True),
                                         ("mse", 0.2, 20, 8, "none", 0.0)),
    "linear-sse-two-targets": ("two-targets", ((6,), "linear", 2, "relu", True),
                               ("sse", 0.01, 20, None, "l2", 0.01)),
    "sigmoid-3-labels-bce": ("multi-label", ((5,), "sigmoid", 3, "tanh", True),
                             ("bce", 0.5, 30, None, "none", 0.0)),
    "sigmoid-3-labels-sse": ("multi-label", ((5,), "sigmoid", 3, "sigmoid", False),
                             ("sse", 0.1, 30, 9, "none", 0.0)),
    "sigmoid-3-labels-mse": ("multi-label", ((5, 2), "sigmoid", 3, "relu", True),
                             ("mse", 0.5, 30, None, "none", 0.0)),
}


def _run(script: str, tmp_path) -> list[str]:
    path = tmp_path / "train_mlp.py"
    path.write_text(script)
    ran = subprocess.run([sys.executable, str(path)], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip().splitlines()


@pytest.mark.parametrize("case", list(CASES))
def test_script_prints_the_engines_final_loss(case, tmp_path):
    name, (hidden, output, k, activation, bias), (loss, lr, epochs, batch, reg, rate) = \
        CASES[case]
    X, y, standardize = _data(name)
    net = Network.create(X.shape[1], hidden, n_outputs=k, output=output,
                         activation=activation, bias=bias, init="xavier", seed=3)
    config = TrainConfig(lr=lr, epochs=epochs, loss=loss, batch_size=batch, reg=reg,
                         reg_rate=rate, seed=4)
    script = standalone_script(net, X, y, config, standardize=standardize)
    assert "import numpy as np" in script and "mlp_core" not in script
    trainer = Trainer(net.copy(), X, y, config)
    trainer.train()
    assert trainer.diverged is None
    lines = _run(script, tmp_path)
    np.testing.assert_allclose(float(lines[-1]), trainer.last_loss, rtol=1e-9, atol=0)


def test_standardized_script_keeps_the_mapping_for_raw_points(tmp_path):
    data = make_dataset("iris", seed=2)
    raw = make_dataset("iris", seed=2, standardize=False)
    net = Network.create(4, (3,), n_outputs=3, output="softmax", seed=0)
    script = standalone_script(net, data.X_train, data.y_train,
                               TrainConfig(lr=0.1, epochs=2, loss="ce"),
                               standardize=(data.feature_mean, data.feature_scale))
    check = (f"\nraw = np.array({raw.X_train.tolist()!r})\n"
             "print(repr(float(np.max(np.abs(prepare(raw) - input_features)))))\n")
    assert float(_run(script + check, tmp_path)[-1]) < 1e-12


def test_a_loss_that_does_not_fit_the_output_is_refused():
    net = Network.create(2, (3,), n_outputs=3, output="softmax")
    with pytest.raises(ValueError, match="loss"):
        standalone_script(net, np.zeros((4, 2)), np.array([0, 1, 2, 0]),
                          TrainConfig(loss="sse"))
