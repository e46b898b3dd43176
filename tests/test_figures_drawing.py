"""The plane to draw points on: a clickable grid under the points, one trace per class."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp_figures import drawing_plane
from mlp_figures.drawing import GRID_CURVE

GRID = np.round(np.linspace(-2, 2, 41), 10)


def test_a_grid_marker_everywhere_and_the_points_by_class():
    X = np.array([[0.5, -1.0], [1.0, 1.0], [-2.0, 2.0]])
    fig = drawing_plane(GRID, X, np.array([1, 0, 1]), 3)
    go.Figure(fig.to_dict())        # Plotly's full validation, as tests/test_figures.py does
    grid = fig.data[GRID_CURVE]
    # every free position, none under a point (a marker there took the point's clicks)
    assert len(grid.x) == 41 * 41 - 3 and grid.hoverinfo == "none"
    free = set(zip(grid.x, grid.y))
    assert not free & {(0.5, -1.0), (1.0, 1.0), (-2.0, 2.0)}
    assert {(0.4, -1.0), (2.0, 2.0), (0.0, 0.0)} <= free
    classes = fig.data[1:]
    assert [t.name for t in classes] == ["class 0", "class 1", "class 2"]
    # customdata is the index into the drawing, whichever trace a point is in
    assert list(classes[0].customdata) == [1] and list(classes[1].customdata) == [0, 2]
    assert list(classes[1].x) == [0.5, -2.0] and len(classes[2].x) == 0
    # the points drawn on the edge are whole: the axes reach half a cell beyond
    assert fig.layout.xaxis.range == (-2.05, 2.05) and fig.layout.xaxis.fixedrange


@pytest.mark.parametrize("grid, X, labels, k, match", [
    (GRID, np.zeros((1, 2)), np.array([2]), 2, "labels must lie"),
    (GRID[::-1], np.zeros((0, 2)), np.zeros(0), 2, "ascending"),
    (GRID, np.zeros((2, 2)), np.zeros(1), 2, "labels must have shape"),
    (GRID, np.zeros((0, 2)), np.zeros(0), 1, "n_classes"),
])
def test_bad_input_is_refused(grid, X, labels, k, match):
    with pytest.raises(ValueError, match=match):
        drawing_plane(grid, X, labels, k)
