"""The loss curve marks where and why early stopping stopped (``mlp_figures.loss``)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import mlp_figures as mf
from mlp_figures import style
from tests.test_figures import check_common


def _series(n: int = 400):
    epochs = np.arange(1, n + 1)
    train = 0.3 * np.exp(-epochs / 80)
    test = 0.05 + 0.3 * np.exp(-epochs / 60) + 1e-4 * np.maximum(epochs - 200, 0)
    return {"train": (epochs, train), "test": (epochs[::10], test[::10])}


def _validated(fig: go.Figure) -> go.Figure:
    go.Figure(fig.to_dict())
    check_common(fig)
    return fig


def test_patience_stop_gets_a_labelled_line_and_a_ring_at_the_best_epoch():
    fig = _validated(mf.loss_curve(_series(), stopped_epoch=380, best_epoch=200,
                                   stopped_label="stopped: test loss flat, best epoch 200 kept"))
    line = [s for s in fig.layout.shapes if s.line.color == style.STOPPED_COLOR]
    assert len(line) == 1 and line[0].x0 == line[0].x1 == 380 and line[0].line.dash == "dash"
    label = fig.layout.annotations[0]
    assert label.text.startswith("stopped: test loss flat") and label.x == 380
    # above the plot area, reaching back into it from a line near the end
    assert (label.yref, label.y, label.yanchor, label.xanchor) == ("paper", 1, "bottom", "right")
    ring = [t for t in fig.data if t.name == "best"]
    assert len(ring) == 1 and list(ring[0].x) == [201]   # the test series' nearest point
    assert ring[0].y[0] == fig.data[1].y[20]
    assert ring[0].marker.line.color == style.STOPPED_COLOR


def test_target_stop_has_no_ring_and_an_early_stop_label_reads_to_the_right():
    fig = _validated(mf.loss_curve(_series(), stopped_epoch=60,
                                   stopped_label="stopped: target loss reached"))
    assert [t.name for t in fig.data] == ["train", "test"]
    label = fig.layout.annotations[0]
    assert label.xanchor == "left" and label.text == "stopped: target loss reached"


def test_stop_and_divergence_marks_differ_in_colour_and_both_show():
    fig = _validated(mf.loss_curve(_series(), stopped_epoch=300, diverged_epoch=100,
                                   stopped_label="stopped early"))
    colors = {s.x0: s.line.color for s in fig.layout.shapes}
    assert colors == {100: style.DIVERGED_COLOR, 300: style.STOPPED_COLOR}
    assert [a.text for a in fig.layout.annotations] == ["diverged", "stopped early"]


def test_the_ring_sits_on_the_log_axis_floor_for_a_zero_loss():
    epochs = np.arange(1, 6)
    fig = _validated(mf.loss_curve({"train": (epochs, np.array([0.2, 0.1, 0.0, 0.0, 0.0]))},
                                   log_y=True, stopped_epoch=5, best_epoch=3))
    ring = [t for t in fig.data if t.name == "best"][0]
    assert ring.y[0] == 0.1 and ring.x[0] == 3
