"""The Playground's "Hidden space" section through AppTest (issue 16, part 5)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from mlp_ui import hidden_space, keys
from tests.apptest_support import assert_clean, click, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

XOR_2_2_1 = dict(dataset="xor", hidden="2", activation="tanh", bias="true", init="xavier",
                 loss="bce", lr="0.5", epochs="2000")


def section_figure(at: AppTest) -> dict | None:
    """The hidden-space chart's spec, or None when there is none."""
    found = [json.loads(c.proto.spec) for c in at.get("plotly_chart")
             if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Hidden layer")]
    assert len(found) <= 1
    return found[0] if found else None


def subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.main.subheader]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.main.caption]


def test_xor_with_two_hidden_units_shows_its_hidden_space_after_training():
    at = open_app(**XOR_2_2_1)
    assert "Hidden space" in subheaders(at)
    assert hidden_space.BEFORE_TRAINING in captions(at)
    assert section_figure(at) is None, "nothing to animate before training"
    click(at, "btn-train")
    fig = section_figure(at)
    assert fig is not None
    assert fig["layout"]["title"]["text"] == "Hidden layer 1 \u2014 epoch 2,000"
    assert [t["name"] for t in fig["data"]] == ["grid of the plane", "w·h + b = 0", "class 0",
                                                "class 1"]
    assert len(fig["frames"]) == hidden_space.MAX_FRAMES
    assert fig["layout"]["sliders"][0]["active"] == len(fig["frames"]) - 1   # the timeline's end
    assert fig["layout"]["xaxis"]["title"]["text"] == "unit 1 of hidden layer 1"


def test_the_start_frame_follows_the_timeline():
    at = click(open_app(**XOR_2_2_1), "btn-train")
    [slider] = [s for s in at.select_slider if s.key.startswith("timeline-slider")]
    slider.set_value(0).run()
    assert_clean(at)
    fig = section_figure(at)
    assert fig["layout"]["sliders"][0]["active"] == 0
    assert fig["layout"]["title"]["text"] == "Hidden layer 1 \u2014 epoch 0"


def test_the_preset_opens_the_section_and_its_network_solves_xor():
    at = click(open_app(preset="xor-hidden-space"), "btn-train")
    assert at.session_state[keys.RUN].net.layer_sizes == (2, 2, 1)
    assert any(m.label == "Accuracy" and m.value == "4/4" for m in at.main.metric)
    assert section_figure(at) is not None


def test_a_wide_layer_gets_a_caption_saying_when_the_section_appears():
    at = click(open_app(**{**XOR_2_2_1, "hidden": "16", "epochs": "200"}), "btn-train")
    assert "Hidden space" not in subheaders(at)
    assert section_figure(at) is None
    assert hidden_space.APPEARS_WHEN in captions(at)


def test_two_narrow_layers_offer_a_layer_picker():
    at = click(open_app(**{**XOR_2_2_1, "layers": "2", "epochs": "300"}), "btn-train")
    picker = at.radio(key=keys.HIDDEN_SPACE_LAYER)
    assert picker.options == ["hidden layer 1", "hidden layer 2"]
    assert section_figure(at)["layout"]["title"]["text"].startswith("Hidden layer 2")
    picker.set_value(1).run()
    assert_clean(at)
    fig = section_figure(at)
    assert fig["layout"]["title"]["text"].startswith("Hidden layer 1")
    # only the layer that feeds the output has the output unit's line
    assert [t["name"] for t in fig["data"]] == ["grid of the plane", "class 0", "class 1"]


def test_three_units_draw_a_3d_scene():
    at = click(open_app(**{**XOR_2_2_1, "hidden": "3"}), "btn-train")
    fig = section_figure(at)
    assert [t["type"] for t in fig["data"]] == ["scatter3d", "mesh3d", "scatter3d", "scatter3d"]
    assert fig["layout"]["scene"]["zaxis"]["title"]["text"] == "unit 3"
