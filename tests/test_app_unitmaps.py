"""The Playground's "What each neuron sees" through AppTest (no browser)."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_ui import keys
from tests.apptest_support import assert_clean, chart_specs, click, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

SPIRAL = dict(dataset="spiral", hidden="8", layers="2", activation="tanh", bias="true",
              init="xavier", loss="bce", lr="0.1", epochs="40")


def unit_map_spec(at) -> dict | None:
    found = [s for s in chart_specs(at)
             if s["layout"].get("title", {}).get("text") == "What each neuron sees"]
    assert len(found) <= 1
    return found[0] if found else None


def test_spiral_with_two_hidden_layers_shows_every_units_map_and_hides_with_the_toggle():
    at = click(open_app(**SPIRAL), "btn-train")
    assert "What each neuron sees" in [h.value for h in at.subheader]
    spec = unit_map_spec(at)
    names = [t["name"] for t in spec["data"]]
    assert names == ["x1", "x2"] + [f"h1.{i}" for i in range(1, 9)] + \
        [f"h2.{i}" for i in range(1, 9)] + ["out"]
    at.toggle(key=keys.SHOW_UNIT_MAPS).set_value(False).run()
    assert_clean(at)
    assert unit_map_spec(at) is None
    assert not [s for s in at.selectbox if s.key == keys.UNIT_PICKED]


def test_the_picked_unit_shows_its_weights_bias_and_map():
    at = click(open_app(**SPIRAL), "btn-train")
    picker = at.selectbox(key=keys.UNIT_PICKED)
    assert picker.options[:3] == ["h1.1", "h1.2", "h1.3"] and picker.options[-1] == "out"
    picker.select_index(picker.options.index("h1.3")).run()
    assert_clean(at)
    net = at.session_state[keys.RUN].trainer.net
    w, b = net.weights[0][:, 2], net.biases[0][2]
    text = next(m.value for m in at.markdown if m.value.startswith("**h1.3** = tanh("))
    assert f"{abs(w[0]):.3g}·x1" in text and f"{abs(w[1]):.3g}·x2" in text
    assert text.endswith(f"{abs(b):.3g})")
    detail = next(s for s in chart_specs(at) if s["layout"]["title"]["text"] == "h1.3 up close")
    heat, line = detail["data"]
    # The line w1 x1 + w2 x2 + b = 0 of a first-layer unit on the inputs x1, x2
    xs, ys = np.array(line["x"]), np.array(line["y"])
    np.testing.assert_allclose(w[0] * xs + w[1] * ys + b, 0, atol=1e-2 * np.abs(w).sum())


def test_sine_shows_each_units_curve():
    at = click(open_app(dataset="sine", hidden="4", activation="tanh", bias="true",
                        init="xavier", loss="mse", lr="0.1", epochs="50"), "btn-train")
    spec = unit_map_spec(at)
    assert [t["name"] for t in spec["data"]] == ["h1", "h2", "h3", "h4", "out"]
    assert all(t["type"] == "scatter" for t in spec["data"])
    assert not [s for s in at.selectbox if s.key == keys.UNIT_PICKED]


def test_data_with_more_inputs_says_the_maps_need_a_plane():
    at = open_app(dataset="iris")
    assert unit_map_spec(at) is None
    assert any("needs a 2-D input plane" in c.value for c in at.main.caption)


def test_the_timeline_shows_the_maps_at_the_picked_snapshot():
    # Long enough that the first snapshot's output map and the last one's differ.
    at = click(open_app(**{**SPIRAL, "epochs": "400", "lr": "0.3"}), "btn-train")
    sliders = [s for s in at.select_slider if s.key.startswith("timeline-slider")]
    sliders[0].set_value(0).run()
    assert_clean(at)
    trainer = at.session_state[keys.RUN].trainer
    then, now = trainer.network_at(0), trainer.net
    out = np.array(unit_map_spec(at)["data"][-1]["z"], dtype=float) / 100   # % of 1
    x0, x1, y0, y1 = at.session_state[keys.RUN].data.bounds()
    n = out.shape[0]
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    for net, close in ((then, True), (now, False)):
        p = net.outputs(points)[:, 0].reshape(n, n)
        assert bool(np.abs(out - p).max() <= 0.005 + 1e-9) is close
