"""The Playground's "Hidden space" section (issue 16, part 5).

For a hidden layer of 2 or 3 units: the training points and the input plane's grid
as that layer sees them, animated over the run's timeline by the browser. Drawn only
once a run stops (finished, paused, scrubbed): while it trains, the section says so,
and a live frame costs nothing here. The figure is kept in the session until the run,
the layer or the timeline's moment changes, so reruns that change something else
(a toggle, a tab) do not rebuild it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.hiddenspace import drawable_layers, hidden_space, plane_grid_lines

from . import keys, views
from .run import Run

# Frames the browser gets at once (the timeline's moment adds one if it falls between):
# 24 keep the 3-unit figure near 250 KB, as the boundary replay's 24 do.
MAX_FRAMES = 24
# 9 lines a direction cross a gate's window at 0, 0.5 and 1, through its points; 25
# points a line draw the bends of a trained sigmoid or tanh layer smoothly. A cube's
# frames carry a third coordinate, so fewer: the figure stays near 170 KB either way,
# under the page's 200 KB a chart (30 and 20 points made the tutorial's OR 207 KB).
GRID_LINES = 9
GRID_SAMPLES = {2: 25, 3: 16}

APPEARS_WHEN = ("**Hidden space** appears for a hidden layer of 2 or 3 units on 2-input "
                "classification data: try the preset *XOR: see the hidden space* (2-2-1).")
WHILE_TRAINING = "**Hidden space**: drawn when the run pauses or finishes."
BEFORE_TRAINING = ("Train (or Step) the network: the hidden space then shows how the layer "
                   "moved the points over the run.")


def hidden_space_placeholder(container, run: Run):
    """The section's place on the page, holding a note while a run trains."""
    place = container.empty()
    if st.session_state.get(keys.TRAINING) and drawable_layers(run.net):
        place.caption(WHILE_TRAINING)
    return place


def hidden_space_section(place, run: Run, moments: list[int], at: int) -> None:
    """Draw the section into ``place`` for the run as it stands (not while it trains).

    ``moments`` are the page's timeline epochs (``timeline_epochs``), ``at`` the index of
    the one the page shows: the animation starts there.
    """
    layers = drawable_layers(run.net)
    with place.container():
        if not layers:
            st.caption(APPEARS_WHEN)
            return
        st.subheader("Hidden space")
        layer = _pick_layer(layers)
        if len(moments) < 2:
            st.caption(BEFORE_TRAINING)
            return
        fig = _figure(run, layer, moments, at)
        left, right = st.columns([3, 2])
        views.chart(left, fig, "hidden-space")
        right.markdown(_explanation(run, layer))


def _pick_layer(layers: list[int]) -> int:
    """The layer to draw: the only one, or the reader's pick (the top one at first)."""
    if len(layers) == 1:
        return layers[0]
    if st.session_state.get(keys.HIDDEN_SPACE_LAYER) not in layers:
        st.session_state.pop(keys.HIDDEN_SPACE_LAYER, None)   # the network changed shape
    return st.radio("Layer", layers, index=len(layers) - 1, horizontal=True,
                    format_func=lambda l: f"hidden layer {l}", key=keys.HIDDEN_SPACE_LAYER)


def frame_indices(n_moments: int, at: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """Timeline indices to animate: evenly spread over the run, the moment ``at`` included."""
    picks = np.round(np.linspace(0, n_moments - 1, min(max_frames, n_moments))).astype(int)
    return sorted({int(i) for i in picks} | {int(at)})


def _figure(run: Run, layer: int, moments: list[int], at: int):
    tr = run.trainer
    key = (id(run), layer, tuple(moments), at,
           hashlib.blake2b(tr.net.params.tobytes(), digest_size=8).digest())
    kept = st.session_state.get(keys.HIDDEN_SPACE_FIGURE)
    if kept is not None and kept[0] == key:
        return kept[1]
    data = run.data
    grid = plane_grid_lines(data.bounds(), GRID_LINES, GRID_SAMPLES[run.net.layer_sizes[layer]])
    picks = frame_indices(len(moments), at)
    spaces = []
    for i in picks:
        # The timeline's last moment may be the run as it is now, past its last snapshot.
        net = tr.network_at(i) if i < len(tr.snapshot_epochs) else tr.net
        spaces.append(hidden_space(net, data.X_train, layer, grid))
    labels = np.asarray(data.y_train)
    labels = np.argmax(labels, axis=1) if labels.ndim == 2 else labels
    separators = [s.separator for s in spaces] if spaces[0].separator is not None else None
    fig = figs.hidden_space_animation(
        [s.points for s in spaces], [s.lines for s in spaces], labels,
        [moments[i] for i in picks], layer=layer, separators=separators,
        start=picks.index(at))
    st.session_state[keys.HIDDEN_SPACE_FIGURE] = (key, fig)
    return fig


def _explanation(run: Run, layer: int) -> str:
    units = run.net.layer_sizes[layer]
    where = "a point in the square" if units == 2 else "a point in the cube (drag to turn it)"
    text = (f"Each of the layer's {units} units is an axis: the layer sends every point of "
            f"the input plane to {where}. The grey lines were a straight grid over the "
            "plane; the layer bends and folds them. Press **▶ Play** to watch training move "
            "the points.")
    if layer == run.net.n_hidden_layers and run.net.output_activation == "sigmoid":
        shape = "line" if units == 2 else "plane"
        drawn = "dashed line" if units == 2 else "see-through plane"
        text += (f"\n\nThe {drawn} is the output unit's **w·h + b = 0**: it says class "
                 f"1 on one side, class 0 on the other. Once each class has a side to "
                 f"itself, the layer has made the data **linearly separable**: one straight "
                 f"{shape} here does what no straight line could in the input plane.")
    else:
        text += ("\n\nThe layers above this one take these points as their inputs: "
                 "the better the classes are apart here, the less they have left to do.")
    return text
