"""Per-layer gradient norms (``mlp_core.gradnorms``) and their chart (``mlp_figures.gradnorms``)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.gradnorms import GradNormHistory, _newest_then_spread, gradient_norms
from mlp_core.network import Network
from mlp_core.reference import evaluate
from mlp_core.training import TrainConfig, Trainer
from mlp_figures.gradnorms import LEGEND_ROW_PX, NORM_FLOOR, gradient_norms_chart
from tests.test_figures import check_common


def _finite_difference_norms(net: Network, X, y, loss: str, h: float = 1e-6) -> np.ndarray:
    """Each weight matrix's gradient norm by central differences of the loss itself."""
    norms = []
    for W in net.weights:
        grad = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            keep = W[idx]
            W[idx] = keep + h
            up = evaluate(net, X, y, loss)[0]
            W[idx] = keep - h
            down = evaluate(net, X, y, loss)[0]
            W[idx] = keep
            grad[idx] = (up - down) / (2 * h)
        norms.append(np.linalg.norm(grad))
    return np.array(norms)


@pytest.mark.parametrize("activation, loss, bias, hidden", [
    ("sigmoid", "sse", False, (3,)),
    ("tanh", "bce", True, (4, 3)),
    ("relu", "mse", True, (5, 4, 3)),
])
def test_norms_equal_the_finite_difference_gradient(activation, loss, bias, hidden):
    data = make_dataset("circle", samples=40, seed=3)
    net = Network.create(2, hidden, activation=activation, bias=bias, init="xavier", seed=5)
    got = gradient_norms(net, data.X_train, data.y_train, loss)
    assert got.shape == (len(hidden) + 1,)
    np.testing.assert_allclose(got, _finite_difference_norms(net, data.X_train, data.y_train,
                                                             loss), rtol=1e-5)


def test_softmax_norms_equal_the_finite_difference_gradient():
    data = make_dataset("blobs", samples=60, seed=1)
    net = Network.create(2, (6,), n_outputs=3, output="softmax", activation="tanh", bias=True,
                         init="xavier", seed=2)
    np.testing.assert_allclose(gradient_norms(net, data.X_train, data.y_train, "ce"),
                               _finite_difference_norms(net, data.X_train, data.y_train, "ce"),
                               rtol=1e-5)


def test_a_deep_sigmoid_net_shows_vanishing_gradients():
    # Each sigmoid layer scales the error signal by its slope (<= 1/4) on the way down.
    data = make_dataset("spiral", samples=200, seed=0)
    net = Network.create(2, (16,) * 4, activation="sigmoid", bias=True, init="xavier", seed=0)
    norms = gradient_norms(net, data.X_train, data.y_train, "bce")
    assert norms[0] < norms[-1] / 20, norms
    relu = Network.create(2, (16,) * 4, activation="relu", bias=True, init="he", seed=0)
    relu_norms = gradient_norms(relu, data.X_train, data.y_train, "bce")
    assert relu_norms[0] / relu_norms[-1] > 10 * norms[0] / norms[-1], relu_norms


def _trainer(epochs: int = 300) -> Trainer:
    data = make_dataset("xor")
    net = Network.create(2, (4,), bias=True, init="xavier", seed=1)
    return Trainer(net, data.X_train, data.y_train, TrainConfig(lr=0.5, epochs=epochs))


def test_history_gives_each_snapshots_norms():
    trainer = _trainer()
    trainer.train(n_epochs=120)
    epochs, norms = GradNormHistory().at_snapshots(trainer)
    assert list(epochs) == trainer.snapshot_epochs and epochs[0] == 0
    assert norms.shape == (len(epochs), 2)
    for i in (0, len(epochs) // 2, len(epochs) - 1):
        net = trainer.network_at(i)
        np.testing.assert_array_equal(norms[i], gradient_norms(net, trainer.X, trainer.y, "sse"))


def test_history_computes_only_new_snapshots():
    trainer = _trainer()
    history = GradNormHistory()
    trainer.train(n_epochs=50)
    history.at_snapshots(trainer)
    before = {epoch: norm for epoch, (_, norm) in history._seen.items()}
    trainer.train(n_epochs=200)
    epochs, norms = history.at_snapshots(trainer)
    assert len(epochs) > len(before)
    for epoch, norm in before.items():
        assert history._seen[epoch][1] is norm, "an old snapshot was computed again"
    # ... and the answer is what computing everything afresh gives
    fresh_epochs, fresh = GradNormHistory().at_snapshots(trainer)
    np.testing.assert_array_equal(epochs, fresh_epochs)
    np.testing.assert_array_equal(norms, fresh)


def test_history_follows_replaced_snapshots():
    trainer = _trainer()
    history = GradNormHistory()
    trainer.train(n_epochs=100)
    history.at_snapshots(trainer)
    # a snapshot array the trainer replaced (same epoch, new weights) is not taken as seen
    trainer.snapshot_params[-1] = trainer.snapshot_params[0].copy()
    _, norms = history.at_snapshots(trainer)
    np.testing.assert_array_equal(norms[-1], norms[0])


def test_a_spent_budget_measures_the_newest_snapshot_then_fills_in_one_a_call():
    trainer = _trainer()
    trainer.train(n_epochs=300)
    n = len(trainer.snapshot_epochs)
    history = GradNormHistory()
    epochs, _ = history.at_snapshots(trainer, budget_s=0.0)
    assert list(epochs) == [trainer.snapshot_epochs[-1]]
    epochs, _ = history.at_snapshots(trainer, budget_s=0.0)
    assert list(epochs) == [0, trainer.snapshot_epochs[-1]]
    for calls in range(3, n + 1):
        epochs, norms = history.at_snapshots(trainer, budget_s=0.0)
        assert len(epochs) == calls and list(epochs) == sorted(epochs)
    _, everything = GradNormHistory().at_snapshots(trainer)
    np.testing.assert_array_equal(norms, everything)


def test_the_fill_order_spans_the_run_early():
    order = _newest_then_spread(list(range(17)), 16)
    assert order[:5] == [16, 0, 8, 4, 12]
    assert sorted(order) == list(range(17))
    assert _newest_then_spread([1, 2, 3], 9)[:2] == [2, 1]   # the newest is measured
    assert _newest_then_spread([], 3) == [] and _newest_then_spread([5], 5) == [5]


def _validated(fig: go.Figure) -> go.Figure:
    go.Figure(fig.to_dict())  # full property validation (the builders skip it)
    check_common(fig)
    return fig


def test_chart_has_one_log_line_per_layer():
    epochs = np.array([1, 2, 4, 11, 31, 101])
    norms = np.column_stack([np.geomspace(1e-4, 1e-6, 6), np.geomspace(0.1, 1e-3, 6)])
    fig = _validated(gradient_norms_chart(epochs, norms, ["weight_hidden", "weight_output"],
                                          marker_epoch=11))
    assert [t.name for t in fig.data] == ["weight_hidden", "weight_output"]
    assert fig.layout.yaxis.type == fig.layout.xaxis.type == "log"
    assert list(fig.data[1].x) == list(epochs)
    assert fig.data[0].y[0] == pytest.approx(1e-4)
    assert fig.layout.shapes[0].x0 == 11
    # ticks are full numbers, never plotly's bare minor-tick digits
    assert all("e" in t or "." in t or t.isdigit() for t in fig.layout.yaxis.ticktext)


def test_chart_puts_zero_norms_on_the_floor_and_drops_non_finite():
    norms = np.array([[0.0, 1.0], [np.nan, 0.5], [np.inf, 0.1]])
    fig = _validated(gradient_norms_chart(np.arange(1, 4), norms, ["a", "b"]))
    assert list(fig.data[0].y) == [NORM_FLOOR, None, None]


def test_chart_before_any_snapshot_is_valid():
    fig = _validated(gradient_norms_chart(np.zeros(0), np.zeros((0, 1)), ["weight_output"]))
    assert fig.layout.annotations[0].text == "No data yet"
    assert fig.layout.showlegend is False


def test_a_deep_nets_legend_gets_rows_of_its_own():
    two = gradient_norms_chart(np.arange(1, 4), np.ones((3, 2)), ["a", "b"])
    five = _validated(gradient_norms_chart(np.arange(1, 4), np.ones((3, 5)), list("abcde")))
    # three legend rows: two more than the two-layer chart's, in height and bottom margin
    assert five.layout.height - two.layout.height == 2 * LEGEND_ROW_PX
    assert five.layout.margin.b - two.layout.margin.b == 2 * LEGEND_ROW_PX
    assert five.layout.margin.t == two.layout.margin.t
