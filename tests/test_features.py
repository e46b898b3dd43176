"""Input features: one map, the same in the engine, the model file and the standalone script.

The independent truth is each feature written out by hand from its name (x1² is
``x1 ** 2``, ...), in the order the names are listed in ``FEATURES``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from mlp_core import model_io
from mlp_core.features import FEATURES, map_features, parse_features
from mlp_core.grid import decision_grid, discretize, neuron_lines
from mlp_core.network import Network
from mlp_core.script import standalone_script
from mlp_core.training import TrainConfig, Trainer

ALL = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")


def by_hand(X: np.ndarray) -> np.ndarray:
    """TensorFlow Playground's seven features of each point, in its order."""
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)])


def points(n: int = 50, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-3, 3, (n, 2))


def test_the_table_lists_the_seven_features_in_the_playgrounds_order():
    assert tuple(FEATURES) == ALL
    np.testing.assert_array_equal(map_features(ALL, points()), by_hand(points()))


def test_a_list_is_read_in_the_canonical_order_whatever_order_it_is_given():
    assert parse_features("sinx2, x1sq,x1,x1sq") == ("x1", "x1sq", "sinx2")
    with pytest.raises(ValueError, match="^unknown input feature 'x3'; the input features are"):
        parse_features("x1,x3")
    with pytest.raises(ValueError, match="^choose at least one input feature"):
        parse_features(" , ")


def test_map_refuses_points_that_are_not_2_d():
    with pytest.raises(ValueError, match=r"shape \(n, 2\); got \(4, 3\)"):
        map_features(("x1",), np.zeros((4, 3)))


def test_a_network_with_features_takes_points_and_maps_them_first():
    net = Network.create(2, (3,), features=("x2sq", "sinx1"), init="xavier", bias=True, seed=1)
    assert net.layer_sizes == (2, 3, 1) and net.features == ("x2sq", "sinx1")
    assert net.n_data_inputs == 2
    X = points()
    zs, acts = net.forward(X)
    np.testing.assert_array_equal(acts[0], by_hand(X)[:, [3, 5]])
    # x1, x2 are the point itself: no map at all
    assert Network.create(2, (3,), features=("x2", "x1")).features is None
    with pytest.raises(ValueError, match="apply to data with 2 inputs"):
        Network.create(4, (3,), features=("x1sq",))


def test_the_grid_maps_its_points_and_unit_lines_need_x1_x2():
    net = Network.create(2, (), features=("x1sq", "x2sq"), init="xavier", bias=True, seed=2)
    xs, ys, probs = decision_grid(net, (-1.0, 1.0, -2.0, 2.0), resolution=5)
    gx, gy = np.meshgrid(xs, ys)
    w, b = net.weights[0][:, 0], net.biases[0][0]
    expected = 1 / (1 + np.exp(-(w[0] * gx ** 2 + w[1] * gy ** 2 + b)))
    np.testing.assert_allclose(probs, expected, rtol=1e-12)
    assert neuron_lines(net) == []
    assert len(neuron_lines(Network.create(2, (), init="xavier"))) == 1


def test_discretize_keeps_only_the_predicted_class():
    np.testing.assert_array_equal(discretize(np.array([[0.2, 0.5], [0.7, 0.49]])),
                                  [[0.0, 1.0], [1.0, 0.0]])
    three = np.array([[[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]])
    np.testing.assert_array_equal(discretize(three), [[[0, 1, 0], [1, 0, 0]]])


def _trained(features, seed=0):
    X = points(80, seed)
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 < 4).astype(float)
    net = Network.create(2, (4,), features=features, init="xavier", bias=True,
                         activation="tanh", seed=seed)
    start = net.copy()
    config = TrainConfig(lr=0.1, epochs=40, loss="bce", seed=seed)
    trainer = Trainer(net, X, y, config)
    trainer.train()
    return start, trainer, X, y, config


def test_a_model_file_records_the_features_and_loading_applies_them():
    _, trainer, X, _, _ = _trained(("x1sq", "x2sq", "x1x2"))
    text = model_io.dumps(trainer.net)
    saved = json.loads(text)
    assert saved["version"] == 3 and saved["features"] == ["x1sq", "x2sq", "x1x2"]
    assert saved["feature_names"] == ["x1", "x2"]
    loaded = model_io.read(text)
    assert loaded.net.features == ("x1sq", "x2sq", "x1x2")
    np.testing.assert_allclose(loaded.net.outputs(X), trainer.net.outputs(X), rtol=1e-12)


def test_files_without_features_stay_version_2_and_mean_x1_x2():
    net = Network.create(2, (3,), init="xavier")
    saved = json.loads(model_io.dumps(net))
    assert saved["version"] == 2 and "features" not in saved
    assert model_io.read(json.dumps(saved)).net.features is None


@pytest.mark.parametrize("change, message", [
    ({"features": None}, r"^a version 3 file must list its input features$"),
    ({"features": ["x1sq", "cos"]}, r"^unknown input feature 'cos'"),
    ({"features": ["x2sq", "x1sq"]}, r"^features must be listed once each in the order"),
    ({"features": "x1sq,x2sq"}, r"^features must be a list of names"),
    ({"features": ["x1sq"]}, r"^the input size must be 1 for 1 input features, got 2$"),
    ({"version": 2}, r"^features need a version 3 file$"),
])
def test_a_bad_features_field_is_refused_with_one_sentence(change, message):
    net = Network.create(2, (3,), features=("x1sq", "x2sq"), init="xavier")
    saved = {**json.loads(model_io.dumps(net)), **change}
    with pytest.raises(model_io.ModelFileError, match=message):
        model_io.read(json.dumps(saved))


def test_the_standalone_script_computes_the_same_features_and_weights(tmp_path):
    features = ("x2", "x1sq", "x1x2", "sinx1", "sinx2")
    start, trainer, X, y, config = _trained(features, seed=4)
    script = tmp_path / "features_script.py"
    script.write_text(standalone_script(start, X, y, config))
    # Read the script's own variables after it ran, in a fresh interpreter.
    probe = ("import json, runpy, sys; ns = runpy.run_path(sys.argv[1]); "
             "print(json.dumps({'inputs': ns['input_features'].tolist(), "
             "'weights': [ns[k].tolist() for k in ('weight_hidden', 'weight_output')], "
             "'loss': float(ns['error'])}))")
    ran = subprocess.run([sys.executable, "-c", probe, str(script)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    got = json.loads(ran.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(got["inputs"], by_hand(X)[:, [1, 2, 4, 5, 6]], atol=1e-9)
    for W_script, W_engine in zip(got["weights"], trainer.net.weights):
        np.testing.assert_allclose(W_script, W_engine, atol=1e-9)
    assert got["loss"] == pytest.approx(trainer.last_loss, abs=1e-9)


def test_the_reference_pass_and_the_compiled_kernel_agree_on_features():
    # The backprop page's readable pass maps the points as the trainer's kernels do.
    from mlp_core.gradcheck import gradient_check
    from mlp_core.reference import backprop

    start, trainer, X, y, config = _trained(("x1sq", "x1x2", "sinx2"), seed=5)
    trace = backprop(trainer.net, X, y, "bce")
    assert trace.error == pytest.approx(trainer.evaluate(X, y)[0], rel=1e-9)
    assert gradient_check(trainer.net, X, y, "bce").max_relative_error < 1e-6


def test_the_diagram_and_the_heatmaps_name_the_inputs_by_feature():
    from mlp_ui import views

    net = Network.create(2, (), features=("x1sq", "x2sq"), init="xavier", bias=True)
    diagram = views.network_figure(net)
    names = [t for trace in diagram.data if trace.text is not None for t in trace.text]
    assert "x1²" in names and "x2²" in names and "x1" not in names
    weight, bias = views.weight_views(net)
    assert list(weight.data[0].y) == ["x1²", "x2²"] and list(weight.data[0].x) == ["out"]
    assert list(bias.data[0].y) == ["b"] and list(bias.data[0].x) == ["out"]


def test_saved_settings_keep_the_features_and_display_options():
    from mlp_core.settings import Settings
    from mlp_ui.saving import settings_of, settings_text

    chosen = Settings(dataset="circle", features=("sinx2", "x1sq"), layers=0, init="xavier",
                      show_test=True, discretize=True)
    assert settings_text(chosen)["features"] == "x1sq,sinx2"
    assert settings_of(settings_text(chosen)) == chosen


def test_a_gate_with_no_hidden_layer_keeps_the_tutorials_2_1_weights():
    from mlp_core.settings import Settings

    settings, notices = Settings.from_query({"layers": "0"})
    assert notices == [] and settings.init == "tutorial"
    net = Network.create(2, settings.hidden_layers, init=settings.init)
    np.testing.assert_array_equal(net.weights[0], [[0.1], [0.2]])
    # three features make a 3-1 network, for which the tutorial has no weights
    settings, notices = Settings.from_query({"layers": "0", "features": "x1,x2,x1x2"})
    assert settings.init == "xavier" and "2-1 one without a hidden layer" in notices[0]


def test_the_loss_landscape_maps_the_points_through_the_features():
    from mlp_core.landscape import losses_at
    from mlp_core.reference import backprop

    _, trainer, X, y, _ = _trained(("x1sq", "x2sq"), seed=6)
    net = trainer.net
    plain = Network(net.layer_sizes, net.hidden_activation, net.bias, net.params.copy(),
                    net.output_activation)
    Y = net.encode_targets(y)
    [loss] = losses_at(net, X, Y, "bce", net.params[None])
    assert loss == pytest.approx(backprop(plain, by_hand(X)[:, [2, 3]], y, "bce").error,
                                 rel=1e-9)
