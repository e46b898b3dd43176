"""Unit maps ("What each neuron sees"): the figures against a forward pass written here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

import mlp_figures as figs
from mlp_core.datasets import make_dataset
from mlp_core.network import Network
from mlp_core.training import TrainConfig, Trainer
from mlp_ui import unitmaps

# Independent of the engine's tables: the functions as any textbook writes them.
HAND = {"tanh": np.tanh, "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "relu": lambda z: np.maximum(z, 0), "linear": lambda z: z}


def hand_forward(net: Network, points: np.ndarray) -> list[np.ndarray]:
    """Every layer's activations by X @ W + b, layer by layer; inputs first."""
    x1, x2 = points[:, 0], points[:, 1]
    feature = {"x1": x1, "x2": x2, "x1sq": x1 ** 2, "x2sq": x2 ** 2}
    a = points if net.features is None else np.column_stack([feature[f] for f in net.features])
    out = [a]
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        last = l == len(net.weights) - 1
        a = HAND[net.output_activation if last else net.hidden_activation](a @ W + b)
        out.append(a)
    return out


@pytest.mark.parametrize(("hidden", "act", "features"), [
    ((8, 8), "tanh", None), ((16, 16), "relu", None), ((3,), "sigmoid", ("x1sq", "x2sq"))])
def test_maps_are_the_activations_on_the_grid(hidden, act, features):
    data = make_dataset("spiral")
    net = Network.create(2 if features is None else len(features), hidden, activation=act,
                         bias=True, seed=3, features=features)
    fig = unitmaps.plane_maps(data, net)
    res = unitmaps.resolution_for(net)
    x0, x1, y0, y1 = data.bounds()
    gx, gy = np.meshgrid(np.linspace(x0, x1, res), np.linspace(y0, y1, res))
    expected = hand_forward(net, np.column_stack([gx.ravel(), gy.ravel()]))
    traces = list(fig.data)
    assert len(traces) == sum(net.layer_sizes)
    k = 0
    for l, a in enumerate(expected):
        lo, hi = unitmaps.colour_range(net, l, a)
        top = max(abs(lo), abs(hi))
        if l == 0 or act in ("relu", "linear") and l < len(expected) - 1:
            assert top == pytest.approx(np.abs(a).max(), rel=1e-12)
        for u in range(a.shape[1]):
            z = np.array(traces[k].z, dtype=float) * top / 100   # whole percents of top
            want = a[:, u].reshape(res, res)
            # rounded to 1% of the scale: at most half a step off, plus float noise
            assert np.abs(z - want).max() <= top / 200 + 1e-6, (l, u)
            assert traces[k].x0 == pytest.approx(x0, rel=1e-3)
            k += 1


def test_one_subplot_per_unit_titled_by_the_units_name():
    net = Network.create(2, (16, 16), activation="tanh", bias=True, seed=0)
    fig = unitmaps.plane_maps(make_dataset("spiral"), net)
    names = ["x1", "x2"] + [f"h1.{i}" for i in range(1, 17)] + \
        [f"h2.{i}" for i in range(1, 17)] + ["out"]
    assert [t.name for t in fig.data] == names
    assert len({t.xaxis for t in fig.data}) == len(names)     # each map its own axes
    texts = [a.text for a in fig.layout.annotations]
    assert all(n in texts for n in names)
    assert "<b>hidden 1 (tanh): colours -1 to 1</b>" in texts
    assert "<b>output (sigmoid): colours 0 to 1</b>" in texts
    go.Figure(fig.to_dict())    # plotly accepts every property


def test_a_trained_2_16_16_1_net_stays_light():
    # Trained, its saturated units' maps hold many "-100"s: the heaviest case.
    data = make_dataset("spiral")
    net = Network.create(2, (16, 16), activation="tanh", bias=True, seed=1)
    trainer = Trainer(net, data.X_train, data.y_train,
                      TrainConfig(lr=0.3, epochs=2000, loss="bce"))
    trainer.train()
    fig = unitmaps.plane_maps(data, trainer.net)
    assert len(pio.to_json(fig, validate=False)) < 40_000


def test_relu_layers_are_symmetric_about_zero_and_say_so():
    net = Network.create(2, (4,), activation="relu", bias=True, seed=0)
    fig = unitmaps.plane_maps(make_dataset("circle"), net)
    title = next(a.text for a in fig.layout.annotations if "hidden" in a.text)
    assert "this layer's largest |a|" in title
    assert fig.layout.coloraxis2.cmin == -fig.layout.coloraxis2.cmax == -100


def test_names_and_the_look_closer_text():
    net = Network.create(2, (3,), activation="sigmoid", bias=True, seed=0)
    assert unitmaps.unit_names(net) == [["x1", "x2"], ["h1", "h2", "h3"], ["out"]]
    net.weights[0][:, 1] = [0.5, -2.0]
    net.biases[0][1] = -0.25
    h2 = unitmaps.Unit(1, 1, "h2")
    assert unitmaps.incoming(net, h2) == "**h2** = sigmoid(0.5·x1 − 2·x2 − 0.25)"
    assert unitmaps.unit_line(net, h2) == (0.5, -2.0, -0.25)
    assert unitmaps.unit_line(net, unitmaps.Unit(2, 0, "out")) is None
    featured = Network.create(2, (3,), bias=True, seed=0, features=("x1sq", "x2sq"))
    assert unitmaps.unit_names(featured)[0] == ["x1²", "x2²"]
    assert unitmaps.unit_line(featured, h2) is None       # a curve in the plane, not a line
    softmax = Network.create(2, (2,), bias=False, seed=0, output="softmax", n_outputs=3)
    softmax.weights[1][:, 2] = [1.5, -0.5]
    assert unitmaps.incoming(softmax, unitmaps.Unit(2, 2, "o3")) == \
        "**o3** = softmax(z)[3], z3 = 1.5·h1 − 0.5·h2"


def test_detail_draws_the_units_line_inside_the_plane():
    data = make_dataset("circle")
    net = Network.create(2, (3,), activation="tanh", bias=True, seed=0)
    net.weights[0][:, 0] = [1.0, 1.0]
    net.biases[0][0] = 0.0
    fig = unitmaps.detail_figure(data, net, unitmaps.Unit(1, 0, "h1"))
    heat, line = fig.data
    xs, ys = np.array(line.x), np.array(line.y)
    np.testing.assert_allclose(xs + ys, 0, atol=1e-3)        # on x1 + x2 = 0
    z = np.array(heat.z)
    gx, gy = np.meshgrid(heat.x, heat.y)
    np.testing.assert_allclose(z, np.tanh(gx + gy), atol=5e-3)   # 3 significant digits


def test_curves_for_one_input():
    x = np.linspace(-1, 1, 50)
    layers = [np.tanh(np.outer(x, [1, 2])), np.outer(x, [0.5])]
    fig = figs.unit_curves(x, layers, [["h1", "h2"], ["out"]], ["hidden (tanh)", "output"])
    assert [t.name for t in fig.data] == ["h1", "h2", "out"]
    np.testing.assert_allclose(fig.data[1].y, np.tanh(2 * x), atol=1e-3)
    assert fig.data[2].yaxis == "y2"
    go.Figure(fig.to_dict())
