""""Draw your own" through AppTest: the panel, its messages, training on drawn points,
points that survive page switches, and the CSV file read back by the upload.

AppTest cannot click on a Plotly chart (the real clicks are in
tests/e2e/test_drawing.py); these tests seed the session's drawing, or feed
``after_click`` the selection points Streamlit reports, as a click would.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mlp_core.datasets import DRAWN_CLASSES, MAX_DRAWN_POINTS, Drawing
from mlp_core.datasets.drawn import Point, grid_values
from mlp_figures.drawing import GRID_CURVE
from mlp_ui import keys
from mlp_ui.drawing import after_click
from tests.apptest_support import assert_clean, chart_specs, chart_texts, click, metrics, open_app

pytestmark = pytest.mark.usefixtures("navigation_app")

# A network that learns a few points in a few hundred epochs (the link names init, so
# picking the data set keeps these instead of filling in its own).
SMALL = dict(dataset="draw", hidden="8", activation="tanh", bias="true", init="xavier",
             loss="bce", lr="0.3", epochs="300")
# Two classes either side of the line x1 = 0.
POINTS = ((-1, -1, 0), (-1, 1, 0), (-1.5, 0, 0), (1, 1, 1), (1, -1, 1), (1.5, 0.2, 1))


def drawing(*points) -> Drawing:
    d = Drawing()
    for x1, x2, label in points:
        d = d.add(x1, x2, label)
    return d


def with_points(at: AppTest, d: Drawing) -> AppTest:
    at.session_state[keys.DRAWING] = d
    at.run()
    assert_clean(at)
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


def the_plane(at: AppTest) -> dict:
    found = [spec for spec in chart_specs(at) if spec["layout"]["title"]["text"] == "Your points"]
    assert len(found) == 1
    return found[0]


def test_picking_the_data_set_shows_the_panel_and_what_to_draw():
    at = open_app()
    at.selectbox(key="dataset").set_value("draw").run()
    assert_clean(at)
    assert not at.error
    assert texts(at.info) == [
        "Draw at least 4 points of at least two classes to train: no points yet."]
    # the tutorial's 2-3-1 sigmoid net without bias gives way to one that bends
    s = at.session_state
    assert (s["hidden"], s["activation"], s["bias"], s["init"], s["loss"]) == (
        8, "tanh", True, "xavier", "bce")
    assert any("points drawn by hand" in c.value for c in at.sidebar.caption)
    assert at.button(key="btn-train").disabled
    assert at.button(key="draw-undo").disabled and at.button(key="draw-clear").disabled
    assert at.radio(key=keys.DRAW_CLASS).options == [
        f"{mark} class {c}" for c, mark in enumerate(
            (":orange[●]", ":blue[●]", ":green[●]", ":violet[●]"))]
    assert any("not in the link" in c.value for c in at.main.caption)
    assert at.query_params["dataset"] == "draw"      # the data set, never its points


def test_the_plane_is_a_grid_to_click_and_the_points_drawn():
    at = with_points(open_app(**SMALL), drawing(*POINTS[:3]))
    plane = the_plane(at)
    grid = plane["data"][GRID_CURVE]
    # a marker at every free position: none under a point, or it would take the click
    assert len(grid["x"]) == len(grid_values()) ** 2 - 3
    assert not {(x, y) for x, y in zip(grid["x"], grid["y"])} & {p[:2] for p in POINTS[:3]}
    assert [t["name"] for t in plane["data"][1:]] == [f"class {c}" for c in range(DRAWN_CLASSES)]
    assert plane["data"][1]["customdata"] == [0, 1, 2]
    assert texts(at.info) == ["Draw at least 4 points of at least two classes to train: "
                              "3 points of class 0 so far."]
    assert "3 points: 3 of class 0." in texts(at.main.markdown)


def test_a_click_adds_where_it_lands_and_removes_the_point_it_hits():
    d = drawing(*POINTS[:2])
    # Streamlit's selection points, as the browser reports them (tests/e2e clicks for real)
    d = after_click(d, {"curve_number": GRID_CURVE, "point_index": 7, "x": 0.3, "y": -1.2}, 1)
    assert d.points[-1] == Point(0.3, -1.2, 1)
    d = after_click(d, {"curve_number": 1, "point_index": 1, "customdata": 1,
                        "x": -1, "y": 1}, 0)
    assert [(p.x1, p.x2) for p in d.points] == [(-1, -1), (0.3, -1.2)]
    d = after_click(d, {"curve_number": 2, "point_index": 0, "customdata": [1],
                        "x": 0.3, "y": -1.2}, 0)
    assert [(p.x1, p.x2) for p in d.points] == [(-1, -1)]


def test_drawn_points_train_and_every_view_copes_without_test_data():
    at = with_points(open_app(**SMALL), drawing(*POINTS))
    assert not at.error and not [t for t in texts(at.info) if t.startswith("Draw")]
    at = click(at, "btn-train")
    shown = metrics(at)
    assert shown["Epoch"] == "300" and shown["Accuracy"] == "6/6"
    assert "Test accuracy" not in shown and "Test loss" not in shown
    run = at.session_state[keys.RUN]
    assert run.data.n_train == 6 and run.data.n_test == 0 and run.data.name == "drawn points"
    for spec in chart_texts(at):
        assert "NaN" not in spec and "Infinity" not in spec
    assert any("on drawn points" in c.value for c in at.main.caption)
    assert not at.error and not at.exception


def test_three_classes_train_with_softmax_and_a_confusion_matrix():
    at = with_points(open_app(**SMALL), drawing(*POINTS, (0, 1.8, 2), (0.2, 1.6, 2)))
    at = click(at, "btn-train")
    run = at.session_state[keys.RUN]
    assert run.net.layer_sizes[-1] == 3 and run.net.output_activation == "softmax"
    titles = [spec["layout"]["title"]["text"] for spec in chart_specs(at)]
    assert any(t.startswith("Confusion matrix") for t in titles)
    assert not at.error


def test_a_gap_in_the_classes_is_named():
    at = with_points(open_app(**SMALL), drawing(*POINTS, (0, 1.8, 3)))
    assert texts(at.info) == ["No point has class 2, but some have class 3: draw one of "
                              "class 2 (classes are numbered without gaps)."]
    assert at.button(key="btn-train").disabled


def test_undo_and_clear_change_the_data_and_the_run():
    d = drawing(*POINTS)
    at = with_points(open_app(**SMALL), d.remove(0))
    assert at.session_state[keys.RUN].data.n_train == 5
    at = click(at, "draw-undo")
    assert at.session_state[keys.DRAWING].points == d.points
    assert at.session_state[keys.RUN].data.n_train == 6
    at = click(at, "draw-clear")
    assert at.session_state[keys.DRAWING].points == ()
    assert texts(at.info) == [
        "Draw at least 4 points of at least two classes to train: no points yet."]
    assert at.button(key="btn-train").disabled
    at = click(at, "draw-undo")
    assert len(at.session_state[keys.DRAWING].points) == 6


def test_a_point_changing_class_makes_a_new_run():
    # the same positions and count: only the labels tell the two drawings apart
    at = with_points(open_app(**SMALL), drawing(*POINTS))
    first = at.session_state[keys.RUN]
    x1, x2, _ = POINTS[0]
    at = with_points(at, at.session_state[keys.DRAWING].add(x1, x2, 1).add(0, 0, 0))
    assert at.session_state[keys.RUN] is not first
    assert at.session_state[keys.RUN].data.y_train.tolist().count(1) == 4


def test_the_points_survive_a_page_switch_and_other_pages_use_them():
    at = with_points(open_app(**SMALL), drawing(*POINTS))
    at.switch_page("pages/backprop.py").run()
    assert_clean(at)
    assert not at.error and not at.info
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    assert not at.error
    at.switch_page("pages/playground.py").run()
    assert_clean(at)
    assert len(at.session_state[keys.DRAWING].points) == 6
    assert at.session_state[keys.RUN].data.n_train == 6


def test_other_pages_say_to_draw_in_the_playground():
    at = open_app(**SMALL)
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    assert any("Points are drawn in the Playground" in t for t in texts(at.info))


def test_the_downloaded_csv_uploads_back_to_the_same_points():
    d = drawing(*POINTS, (0.3, -1.7, 2))
    at = with_points(open_app(**SMALL), d)
    csv = d.to_csv()
    assert not at.get("download_button")[0].proto.disabled
    at.selectbox(key="dataset").set_value("upload").run()
    at.file_uploader(key=keys.CSV_UPLOADER).set_value(("drawn-points.csv", csv, "text/csv"))
    at.run()
    assert_clean(at)
    assert not at.error
    data = at.session_state[keys.RUN].data
    # the sidebar's upload standardizes and holds out a test split: undo both to compare
    X = np.concatenate([data.X_train, data.X_test]) * data.feature_scale + data.feature_mean
    y = np.concatenate([data.y_train, data.y_test])
    got = sorted((round(a, 9), round(b, 9), int(c)) for (a, b), c in zip(X.tolist(), y))
    want = sorted((p.x1, p.x2, p.label) for p in d.points)
    assert len(got) == len(want)
    assert all(math.isclose(g[0], w[0], abs_tol=1e-9) and math.isclose(g[1], w[1], abs_tol=1e-9)
               and g[2] == w[2] for g, w in zip(got, want))


@pytest.mark.parametrize("page, press", [("pages/sweep.py", "Run sweep"),
                                         ("pages/race.py", "Race"),
                                         ("pages/grid.py", "Run grid sweep")])
def test_sweeps_and_races_run_on_drawn_points_without_a_test_split(page, press):
    # three classes, six points: k-fold and held-out scores must not trip over them
    at = with_points(open_app(**{**SMALL, "epochs": "50", "loss": "ce"}),
                     drawing(*POINTS[:4], (0, 1.5, 2), (0.2, 1.7, 2)))
    at.switch_page(page).run()
    assert_clean(at)
    next(b for b in at.button if b.label == press).click().run()
    assert_clean(at)
    assert not at.error and not at.warning
    assert chart_texts(at)
    for spec in chart_texts(at):
        assert "NaN" not in spec


def test_a_full_drawing_says_so_and_a_click_on_the_grid_adds_nothing():
    g = grid_values()
    d = Drawing()
    for i in range(MAX_DRAWN_POINTS):
        d = d.add(g[i % len(g)], g[i // len(g)], i % 2)
    at = with_points(open_app(**SMALL), d)
    assert [w.value for w in at.main.warning] == [
        f"The drawing holds {MAX_DRAWN_POINTS} points, the most it can: remove some to add "
        "others."]
    assert after_click(d, {"curve_number": GRID_CURVE, "x": 2.0, "y": 2.0}, 0) is d
    assert len(after_click(d, {"curve_number": 1, "customdata": 0}, 0).points) == \
        MAX_DRAWN_POINTS - 1
