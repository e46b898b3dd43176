"""Weights by hand: the edited tables become exactly the network the forward pass runs."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.network import Network
from mlp_core.settings import PRESETS, Settings
from mlp_core.training import TrainConfig, Trainer
from mlp_figures.loss import loss_curve
from mlp_ui.edit_weights import params_from, tables, too_big

X_GATE = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y_OR = np.array([0, 1, 1, 1.0])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def edited(net: Network, changes: dict[str, dict[tuple[int, int], float]]):
    """Every table of ``net`` as the editor returns it, with ``changes`` typed in."""
    out = []
    for table in tables(net):
        values = table.values(net).copy()
        for (i, j), v in changes.get(table.name, {}).items():
            values[i, j] = v
        out.append((table, values))
    return out


def test_tables_name_the_tutorials_matrices_by_unit():
    net = Network.create(2, (3,), bias=True, init="tutorial")
    shown = [(t.name, t.rows, t.columns) for t in tables(net)]
    assert shown == [
        ("weight_hidden", ["x1", "x2"], ["h1", "h2", "h3"]),
        ("bias_hidden", ["b"], ["h1", "h2", "h3"]),
        ("weight_output", ["h1", "h2", "h3"], ["out"]),
        ("bias_output", ["b"], ["out"]),
    ]
    assert tables(net)[0].caption == "**weight_hidden** (2x3)"


def test_an_edited_weight_gives_exactly_the_forward_pass_of_the_edited_matrices():
    net = Network.create(2, (3,), bias=True, init="xavier", seed=3)
    params = params_from(net, edited(net, {"weight_output": {(1, 0): -2.5},
                                           "bias_hidden": {(0, 2): 0.75},
                                           "weight_hidden": {(0, 1): 4.0}}))
    new = net.with_params(params)
    W1, W2 = net.weights[0].copy(), net.weights[1].copy()
    b1, b2 = net.biases[0].copy(), net.biases[1].copy()
    W2[1, 0], b1[2], W1[0, 1] = -2.5, 0.75, 4.0
    by_hand = sigmoid(sigmoid(X_GATE @ W1 + b1) @ W2 + b2)
    np.testing.assert_allclose(new.outputs(X_GATE), by_hand, rtol=0, atol=1e-12)
    assert not np.allclose(net.outputs(X_GATE), by_hand), "the edit must change the output"


@pytest.mark.parametrize("value, says", [(np.nan, "is empty or not a number"),
                                         (np.inf, "= inf"), (2e4, "= 20000")])
def test_a_bad_cell_is_named_and_nothing_is_applied(value, says):
    net = Network.create(2, (3,), init="tutorial")
    before = net.params.copy()
    with pytest.raises(ValueError, match=rf"weight_output\[h2, out\] {says}"):
        params_from(net, edited(net, {"weight_hidden": {(0, 0): 1.0},
                                      "weight_output": {(1, 0): value}}))
    np.testing.assert_array_equal(net.params, before)


def test_set_params_is_a_new_starting_point_and_training_goes_on_from_it():
    net = Network.create(2, (3,), init="tutorial")
    trainer = Trainer(net, X_GATE, Y_OR, TrainConfig(lr=0.05, epochs=100, optimizer="adam"))
    trainer.train(50)
    loss_before = trainer.last_loss
    params = params_from(net, edited(net, {"weight_output": {(0, 0): -3.0}}))
    trainer.set_params(params)
    assert trainer.epoch == 50 and trainer.edited_epochs == [50]
    assert trainer.opt_state[0] == 0.0, "the optimizer's update count starts afresh"
    np.testing.assert_array_equal(trainer.net.params, params)
    # The loss is the edited network's, recorded beside the old one at the same epoch.
    by_hand = 0.5 * np.sum((trainer.net.outputs(X_GATE)[:, 0] - Y_OR) ** 2)
    assert trainer.last_loss == pytest.approx(by_hand, rel=1e-12)
    assert trainer.last_loss != pytest.approx(loss_before)
    assert trainer.records["epoch"][-2:] == [50, 50]
    assert trainer.snapshot_epochs[-1] == 50
    np.testing.assert_array_equal(trainer.snapshot_params[-1], params)
    # A second edit at the same epoch replaces the first's record instead of adding one.
    trainer.set_params(params_from(net, edited(net, {"weight_output": {(0, 0): -1.0}})))
    assert trainer.records["epoch"].count(50) == 2 and trainer.edited_epochs == [50]
    start = trainer.net.params.copy()
    trainer.train(1)
    assert trainer.epoch == 51
    # one plain Adam step from the edited weights moves each weight by about lr
    assert np.max(np.abs(trainer.net.params - start)) == pytest.approx(0.05, rel=1e-3)


@pytest.mark.parametrize("bad, message", [(np.nan, "finite"), (1e5, "within")])
def test_set_params_refuses_bad_values_and_changes_nothing(bad, message):
    net = Network.create(2, (3,), init="tutorial")
    trainer = Trainer(net, X_GATE, Y_OR, TrainConfig(epochs=10))
    before, records = net.params.copy(), len(trainer.records["epoch"])
    params = net.params.copy()
    params[0] = bad
    with pytest.raises(ValueError, match=message):
        trainer.set_params(params)
    np.testing.assert_array_equal(net.params, before)
    assert len(trainer.records["epoch"]) == records and trainer.edited_epochs == []


def test_set_params_keeps_the_biases_of_a_network_without_bias_at_zero():
    net = Network.create(2, (3,), init="tutorial")
    trainer = Trainer(net, X_GATE, Y_OR, TrainConfig(epochs=10))
    params = net.params.copy()
    params[-1] = 1.0      # the output's bias slot
    with pytest.raises(ValueError, match="no bias"):
        trainer.set_params(params)


def test_digits_sized_matrices_are_not_offered_for_editing():
    assert too_big(Network.create(2, (16,), init="xavier")) is None
    reason = too_big(Network.create(64, (32,), n_outputs=10, output="softmax"))
    assert "weight_hidden is 64x32" in reason and "weight_output is 32x10" in reason


def test_zeros_init_and_the_or_by_hand_preset():
    net = Network.create(2, (), bias=True, init="zeros")
    assert net.layer_sizes == (2, 1) and not net.params.any()
    assert Settings.from_query({"init": "zeros"})[0].init == "zeros"
    preset = PRESETS["or-by-hand"]
    assert preset.edit_weights
    assert Settings.from_query({"preset": "or-by-hand"}) == (preset.settings, [])
    s = preset.settings
    assert (s.dataset, s.layers, s.bias, s.init) == ("or", 0, True, "zeros")
    # The description's weights compute OR: sigmoid(10 x1 + 10 x2 - 5) >= 0.5 iff x1 or x2.
    net.weights[0][:, 0] = 10.0
    net.biases[0][0] = -5.0
    np.testing.assert_array_equal(net.predict(X_GATE), Y_OR)


def test_the_loss_curve_marks_where_the_weights_were_set_by_hand():
    fig = loss_curve({"train": (np.arange(1, 101), np.linspace(1, 0.1, 100))},
                     edited_epochs=[40, 70])
    lines = [s.x0 for s in fig.layout.shapes]
    assert lines == [40, 70]
    assert [a.text for a in fig.layout.annotations] == ["weights set by hand"]
    assert fig.layout.annotations[0].x == 70
