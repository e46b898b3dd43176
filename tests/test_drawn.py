"""Points drawn by hand: editing, undo, the data set they train as, and their CSV file."""

from __future__ import annotations

import numpy as np
import pytest

from mlp_core.datasets import (
    DRAWN_CLASSES,
    MAX_DRAWN_POINTS,
    MIN_DRAWN_POINTS,
    Drawing,
    load_csv,
)
from mlp_core.datasets.drawn import EXTENT, MAX_UNDO, grid_values, snap


def drawing(*points) -> Drawing:
    d = Drawing()
    for x1, x2, label in points:
        d = d.add(x1, x2, label)
    return d


SQUARE = ((-1, -1, 0), (-1, 1, 0), (1, 1, 1), (1, -1, 1))


def test_grid_is_a_tenth_apart_over_the_plane():
    g = grid_values()
    assert g[0] == -EXTENT and g[-1] == EXTENT
    assert np.allclose(np.diff(g), 0.1)
    assert 0.0 in g and 0.3 in g and -1.7 in g    # round numbers, as a CSV writes them


def test_add_snaps_to_the_grid_and_a_position_holds_one_point():
    d = drawing((0.31, -1.18, 0))
    assert d.points[0].x1 == 0.3 and d.points[0].x2 == -1.2
    assert snap(0.04) == 0.0 and snap(-0.06) == -0.1
    d = d.add(0.3, -1.2, 1)                         # same spot, other class: replaced
    assert [(p.x1, p.x2, p.label) for p in d.points] == [(0.3, -1.2, 1)]


@pytest.mark.parametrize("x1, x2, label, match", [
    (2.5, 0, 0, "must lie in"), (0, -3, 0, "must lie in"),
    (0, 0, DRAWN_CLASSES, "label must be"), (0, 0, -1, "label must be"),
    (0, 0, True, "label must be"), (0, 0, 0.5, "label must be"),
])
def test_add_refuses_points_off_the_plane_and_unknown_classes(x1, x2, label, match):
    with pytest.raises(ValueError, match=match):
        Drawing().add(x1, x2, label)


def test_a_full_drawing_takes_no_more_points():
    g = grid_values()
    d = Drawing()
    for i in range(MAX_DRAWN_POINTS):
        d = d.add(g[i % len(g)], g[i // len(g)], i % 2)
    assert d.full and len(d.points) == MAX_DRAWN_POINTS
    with pytest.raises(ValueError, match="at most"):
        d.add(2.0, 2.0, 0)
    assert not d.remove(0).full


def test_remove_undo_and_clear():
    d = drawing(*SQUARE)
    fewer = d.remove(1)
    assert [(p.x1, p.x2) for p in fewer.points] == [(-1, -1), (1, 1), (1, -1)]
    assert fewer.undo().points == d.points
    cleared = fewer.clear()
    assert cleared.points == () and cleared.undo().points == fewer.points
    assert cleared.undo().undo().points == d.points
    with pytest.raises(ValueError, match="no point 4"):
        d.remove(4)
    fresh = Drawing()
    assert not fresh.can_undo and fresh.undo() is fresh and fresh.clear() is fresh


def test_undo_goes_back_at_most_max_undo_changes():
    d = Drawing()
    for i in range(MAX_UNDO + 20):
        d = d.add(grid_values()[i % 41], grid_values()[i // 41], 0)
    steps = 0
    while d.can_undo:
        d = d.undo()
        steps += 1
    assert steps == MAX_UNDO
    assert len(d.points) == 20      # the 20 oldest changes cannot be undone


@pytest.mark.parametrize("points, says", [
    ((), "no points yet"),
    (SQUARE[:3], "3 points of class 0 and 1 so far"),
    (((-1, -1, 0), (0, 0, 0), (1, 1, 0), (1, -1, 0), (0, 1, 0)), "5 points of class 0 so far"),
    ((*SQUARE, (0, 0, 3)), "No point has class 2, but some have class 3"),
])
def test_problem_says_what_to_draw_before_training(points, says):
    d = drawing(*points)
    assert says in d.problem()
    with pytest.raises(ValueError, match=says.split(",")[0]):
        d.to_dataset()


def test_the_smallest_drawing_that_trains():
    assert len(SQUARE) == MIN_DRAWN_POINTS
    assert drawing(*SQUARE).problem() is None
    assert drawing(*SQUARE[:3], (0, 0, 2)).problem() is None   # 3 classes, none missing


def test_every_point_trains_as_drawn():
    d = drawing(*SQUARE, (0, 0.5, 2))
    data = d.to_dataset()
    assert data.X_train.tolist() == [[-1, -1], [-1, 1], [1, 1], [1, -1], [0, 0.5]]
    assert data.y_train.tolist() == [0, 0, 1, 1, 2]
    assert data.n_test == 0 and data.n_classes == 3 and data.task == "classify"
    assert data.feature_mean is None        # drawn in the plane's own coordinates
    assert d.counts() == [2, 2, 1]


def test_the_csv_uploads_back_to_the_same_points():
    # Off-grid clicks, negative zero and every class: read by the upload's own parser
    # with the options the sidebar passes for "from the last column".
    d = drawing(*SQUARE, (0.04, -0.01, 2), (-2, 2, 3), (0.7, 1.3, 1))
    data = load_csv(d.to_csv(), name="drawn-points.csv", test_fraction=0.0, seed=0,
                    standardize=False, task=None)
    X, y = d.arrays()
    assert data.task == "classify" and data.n_classes == 4
    assert data.feature_names == ("x1", "x2")
    got = sorted(zip(map(tuple, data.X_train.tolist()), data.y_train.tolist()))
    assert got == sorted(zip(map(tuple, X.tolist()), y.astype(float).tolist()))


def test_the_csv_file_itself():
    text = drawing((0.3, -1.2, 0), (1, 1, 1)).to_csv().decode()
    assert text == "x1,x2,label\n0.3,-1.2,0\n1.0,1.0,1\n"
