"""The optimizer race (mlp_core.race) and its figures (mlp_figures.race).

Each lane is checked against a Trainer run on its own with the same optimizer from
the same start (the race adds nothing to the training), the reached epoch against
the per-epoch losses, the gradient norms against the reference backprop, and the
tutorial's lesson: on its OR network at lr 0.05 momentum 0.9 and Adam reach loss
0.01 in far fewer epochs than plain gradient descent.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp_core.datasets import make_dataset
from mlp_core.landscape import LINE_ALPHAS, losses_at
from mlp_core.network import Network
from mlp_core.race import (
    MAX_GRADIENT_WORK,
    MAX_RACE_EPOCHS,
    MAX_RACE_WORK,
    Racer,
    against_gradient_descent,
    gradient_norms,
    gradient_points,
    race_epochs,
    race_landscape,
    race_lines,
    reached_epoch,
    run_race,
)
from mlp_core.reference import backprop, evaluate
from mlp_core.training import TrainConfig, Trainer
from mlp_figures.race import (
    LANDSCAPE_SCALE,
    banded_image,
    frame_epochs,
    gradient_norms_figure,
    landscape_figure,
    line_losses_figure,
    race_loss_figure,
)

TARGET = 0.01


@pytest.fixture(scope="module")
def or_data():
    return make_dataset("or")


@pytest.fixture(scope="module")
def or_race(or_data):
    start = Network.create(2, (3,), init="tutorial")
    racers = [Racer("sgd", 0.05), Racer("momentum", 0.05), Racer("adam", 0.05)]
    return start, run_race(start, or_data.X_train, or_data.y_train, TrainConfig(), racers,
                           20_000, TARGET)


def test_the_tutorials_lesson_momentum_and_adam_reach_the_target_far_sooner(or_race):
    _, result = or_race
    sgd, momentum, adam = (lane.reached for lane in result.lanes)
    assert sgd is not None and momentum is not None and adam is not None
    assert momentum * 5 < sgd and adam * 5 < sgd
    assert [lane.label for lane in result.winners()] == ["Adam, lr 0.05"]
    assert result.verdict().startswith(f"Adam, lr 0.05 reaches loss 0.01 first, after {adam:,} "
                                       "epochs")
    assert against_gradient_descent(result) == (
        f"Epochs to loss 0.01, against Gradient descent, lr 0.05. Momentum, lr 0.05: "
        f"{sgd / momentum:.3g}x fewer; Adam, lr 0.05: {sgd / adam:.3g}x fewer.")


def test_each_lane_is_the_run_its_optimizer_makes_alone(or_race, or_data):
    start, result = or_race
    assert np.all(start.params == result.start)       # the shared start is not trained
    for lane in result.lanes:
        alone = Trainer(start.copy(), or_data.X_train, or_data.y_train,
                        TrainConfig(lr=lane.racer.lr, epochs=20_000,
                                    optimizer=lane.racer.optimizer))
        alone.train()
        np.testing.assert_array_equal(lane.net.params, alone.net.params)
        np.testing.assert_array_equal(lane.params[0], start.params)
        np.testing.assert_array_equal(lane.params[-1], alone.net.params)
        assert lane.epochs[0] == 0 and lane.epochs[-1] == 20_000
        assert np.all(np.diff(lane.epochs) > 0) and len(lane.epochs) <= 200
        # the path's losses are the reference path's at each point (the kernel's agree to 1e-9)
        for k in (0, 1, len(lane.epochs) // 2, -2, -1):
            want = evaluate(start.with_params(lane.params[k]), or_data.X_train,
                            or_data.y_train, "sse")[0]
            assert lane.losses[k] == pytest.approx(want, rel=1e-9)
        # the reached epoch is the first whose loss is at most the target
        losses = alone.losses
        assert losses[lane.reached] <= TARGET < losses[lane.reached - 1]
        assert lane.curve_epochs[0] == 0 and lane.curve_epochs[-1] == 20_000
        assert lane.curve_losses[-1] == pytest.approx(lane.final_loss)


def test_gradient_norms_are_the_reference_backprops(or_race, or_data):
    start, result = or_race
    lane = result.lanes[1]
    assert lane.grad_norms.shape == (len(lane.epochs), 2)    # a small net: every point
    np.testing.assert_array_equal(lane.grad_epochs, lane.epochs)
    for k in (0, 7, -1):
        trace = backprop(start.with_params(lane.params[k]), or_data.X_train, or_data.y_train)
        want = [np.linalg.norm(g) for g in trace.weight_gradients]
        np.testing.assert_allclose(lane.grad_norms[k], want, rtol=1e-12)
    again = gradient_norms(start, or_data.X_train, or_data.y_train, "sse", lane.params[:3])
    np.testing.assert_array_equal(again, lane.grad_norms[:3])


def test_gradient_points_are_bounded_for_big_networks():
    small = Network.create(2, (3,))
    np.testing.assert_array_equal(gradient_points(small, 4, 150), np.arange(150))
    digits = Network.create(64, (32,), n_outputs=10, output="softmax")
    picked = gradient_points(digits, 1437, 150)
    assert picked[0] == 0 and picked[-1] == 149 and 2 <= len(picked) < 150
    assert len(picked) * 1437 * (64 * 32 + 32 * 10) <= MAX_GRADIENT_WORK


def test_wide_networks_keep_fewer_path_points():
    from mlp_core.race import MAX_PATH_FLOATS, path_points
    small = Network.create(2, (3,))
    np.testing.assert_array_equal(path_points(small, 5, 200), np.arange(200))
    wide = Network.create(2, (256, 256, 256, 256))
    kept = path_points(wide, 5, 170)
    assert kept[0] == 0 and kept[-1] == 169 and 2 <= len(kept) < 170
    assert len(kept) * wide.n_params * 5 <= MAX_PATH_FLOATS


def test_reached_epoch_counts_epochs_run():
    losses = np.array([0.5, 0.2, 0.05, 0.009, 0.001])
    assert reached_epoch(losses, 0.0005, 0.01) == 3
    assert reached_epoch(losses, 0.0005, 0.5) == 0
    assert reached_epoch(losses, 0.0005, 0.0009) == 5     # only the final weights
    assert reached_epoch(losses, 0.0005, 0.0001) is None


def test_a_tie_names_every_winner():
    data = make_dataset("or")
    start = Network.create(2, (3,), init="tutorial")
    result = run_race(start, data.X_train, data.y_train, TrainConfig(),
                      [Racer("sgd", 0.5), Racer("sgd", 0.5)], 3000, TARGET)
    assert [lane.label for lane in result.lanes] == ["Gradient descent, lr 0.5",
                                                    "Gradient descent, lr 0.5 (2)"]
    assert len(result.winners()) == 2
    assert " and " in result.verdict() and "reach loss" in result.verdict()


def test_nobody_reaching_the_target_says_so():
    data = make_dataset("or")
    start = Network.create(2, (3,), init="tutorial")
    result = run_race(start, data.X_train, data.y_train, TrainConfig(),
                      [Racer("sgd", 0.05), Racer("adam", 0.05)], 5, 1e-9)
    assert result.winners() == []
    assert result.verdict() == "No optimizer reached loss 1e-09 in 5 epochs."
    assert against_gradient_descent(result) is None


def test_racer_labels_name_parameters_off_their_defaults():
    assert Racer("momentum", 0.1).label == "Momentum, lr 0.1"
    assert Racer("momentum", 0.1, momentum=0.5).label == "Momentum, lr 0.1, μ 0.5"
    assert Racer("adam", 0.01, beta2=0.9).label == "Adam, lr 0.01, β2 0.9"
    # a parameter the optimizer does not read is not named
    assert Racer("sgd", 0.1, momentum=0.5).label == "Gradient descent, lr 0.1"


@pytest.mark.parametrize("bad, message", [
    (dict(optimizer="lbfgs", lr=0.1), "optimizer must be one of"),
    (dict(optimizer="adam", lr=0.0), "lr must be"),
    (dict(optimizer="momentum", lr=0.1, momentum=1.0), "momentum must be"),
    (dict(optimizer="adam", lr=0.1, eps=0.0), "eps must be"),
])
def test_bad_racers_raise_one_sentence(bad, message):
    with pytest.raises(ValueError, match=message):
        Racer(**bad)


def test_a_race_needs_two_to_five_racers_and_a_positive_target():
    data = make_dataset("or")
    start = Network.create(2, (3,), init="tutorial")
    with pytest.raises(ValueError, match="2 to 5 optimizers"):
        run_race(start, data.X_train, data.y_train, TrainConfig(), [Racer("sgd", 0.1)], 10, 0.1)
    with pytest.raises(ValueError, match="target loss"):
        run_race(start, data.X_train, data.y_train, TrainConfig(),
                 [Racer("sgd", 0.1), Racer("adam", 0.1)], 10, 0.0)


def test_race_epochs_are_bounded_by_the_work():
    small = Network.create(2, (3,))
    assert race_epochs(small, 4, 3, 200_000) == MAX_RACE_EPOCHS
    assert race_epochs(small, 4, 3, 700) == 700
    wide = Network.create(2, (16, 16), bias=True)
    epochs = race_epochs(wide, 240, 5, 20_000)
    assert epochs < 20_000
    assert epochs * 240 * (2 * 16 + 16 * 16 + 16) * 5 <= MAX_RACE_WORK


def test_a_diverging_racer_stays_out_of_the_plane():
    data = make_dataset("xor")
    start = Network.create(2, (4,), init="xavier", bias=True, seed=1)
    result = run_race(start, data.X_train, data.y_train, TrainConfig(loss="bce"),
                      [Racer("sgd", 0.5), Racer("sgd", 1e6)], 200, 0.05)
    assert result.lanes[1].diverged is not None
    Y = start.encode_targets(data.y_train)
    land = race_landscape(result, start, data.X_train, Y)
    uv = land.plane.coords(result.lanes[0].params)
    assert land.us[0] < uv[:, 0].min() and uv[:, 0].max() < land.us[-1]


def test_race_landscape_and_lines_of_the_or_race(or_race, or_data):
    start, result = or_race
    Y = start.encode_targets(or_data.y_train)
    land = race_landscape(result, start, or_data.X_train, Y)
    assert land.plane.kind == "pca" and land.plane.captured > 0.9
    assert np.all(np.isfinite(land.loss))
    lines = race_lines(result, start, or_data.X_train, Y)
    for lane in result.lanes:
        curve = lines[lane.label]
        assert curve.shape == LINE_ALPHAS.shape
        at_start = losses_at(start, or_data.X_train, Y, "sse", result.start[None])[0]
        assert curve[np.argmin(np.abs(LINE_ALPHAS))] == pytest.approx(at_start)
        assert curve[np.argmin(np.abs(LINE_ALPHAS - 1))] == pytest.approx(lane.final_loss)


# --------------------------------------------------------------------------- figures


def _valid(fig) -> go.Figure:
    """The figure rebuilt with plotly's full validation (builders skip it)."""
    return go.Figure(fig.to_dict())


def test_loss_figure_has_a_curve_per_racer_the_target_and_reached_dots(or_race):
    _, result = or_race
    series = {lane.label: (lane.curve_epochs, lane.curve_losses) for lane in result.lanes}
    fig = _valid(race_loss_figure(series, target=TARGET,
                                  reached={lane.label: lane.reached for lane in result.lanes}))
    lines = [t for t in fig.data if t.mode == "lines"]
    dots = [t for t in fig.data if t.mode == "markers"]
    assert [t.name for t in lines] == list(series)
    assert [int(t.x[0]) for t in dots] == [lane.reached for lane in result.lanes]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.shapes[0].y0 == TARGET
    assert fig.layout.annotations[0].text == "target 0.01"
    linear = _valid(race_loss_figure(series, target=TARGET, log_y=False))
    assert linear.layout.yaxis.type == "linear"
    log_epochs = _valid(race_loss_figure(series, log_x=True))
    assert log_epochs.layout.xaxis.type == "log"
    assert min(log_epochs.data[0].x) == 1          # the start, at epoch 1 on a log axis


def test_frame_epochs_keep_the_first_and_last_and_stay_few():
    e = frame_epochs([np.arange(0, 500, 3), np.arange(0, 300)], max_frames=40)
    assert len(e) <= 40 and e[0] == 0 and e[-1] == 498
    assert np.all(np.diff(e) > 0)
    np.testing.assert_array_equal(frame_epochs([np.array([0, 5]), np.array([0, 9])]),
                                  [0, 5, 9])


def test_landscape_figure_animates_every_path_in_the_browser(or_race, or_data):
    start, result = or_race
    Y = start.encode_targets(or_data.y_train)
    land = race_landscape(result, start, or_data.X_train, Y)
    paths = {lane.label: (land.plane.coords(lane.params), lane.epochs, lane.losses)
             for lane in result.lanes}
    fig = _valid(landscape_figure(land.us, land.vs, land.loss, paths,
                                  x_title=land.plane.titles[0], y_title=land.plane.titles[1]))
    # the loss is a picture under the paths (Plotly's animation drops contour traces),
    # its hover and log colour bar on invisible grid markers
    image = fig.layout.images[0]
    assert image.source.startswith("data:image/png;base64,") and image.layer == "below"
    assert (image.x, image.sizex) == (land.us[0], land.us[-1] - land.us[0])
    hover = fig.data[0]
    assert len(hover.x) == land.loss.size and hover.marker.opacity == 0
    np.testing.assert_allclose(np.array(hover.customdata, dtype=float),
                               land.loss.ravel(), rtol=1e-3)
    assert float(hover.marker.colorbar.ticktext[0]) > 0
    assert fig.data[1].marker.symbol == "star" and (fig.data[1].x[0], fig.data[1].y[0]) == (0, 0)
    trails = [t for t in fig.data if t.name in paths]
    assert len(trails) == 3
    n_frames = len(fig.frames)
    assert 2 <= n_frames <= 60
    # it opens on the last frame: every trail ends at its path's final point
    for trail, lane in zip(trails, result.lanes):
        final = land.plane.coords(lane.params[-1:])[0]
        assert trail.x[-1] == pytest.approx(final[0], rel=1e-3, abs=1e-4)
        assert trail.y[-1] == pytest.approx(final[1], rel=1e-3, abs=1e-4)
    # frame 0: every racer at the start; each frame only touches the animated traces
    first = fig.frames[0]
    assert all(len(t.x) == 1 for t in first.data)
    assert len(first.traces) == 6 and 0 not in first.traces
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert len(fig.layout.sliders[0].steps) == n_frames
    assert fig.layout.sliders[0].active == n_frames - 1


def test_banded_image_colours_low_loss_dark_and_leaves_nan_clear():
    z = np.array([[0.0, 1.0], [2.0, np.nan]])
    image = banded_image(z, 0.0, 2.0, bands=4, upsample=2)
    assert image.shape == (3, 3, 4) and image.dtype == np.uint8
    # the first image row is the largest v (z's last row), flipped for the picture
    low, high = image[-1, 0], image[0, 0]
    assert low[3] == high[3] == 255
    assert low[:3].sum() < high[:3].sum()          # low loss dark, high loss light
    assert image[0, -1, 3] == 0                     # the NaN corner is transparent
    darkest = LANDSCAPE_SCALE[0][1]
    assert abs(int(low[0]) - int(darkest[1:3], 16)) < 40


def test_line_and_gradient_figures(or_race):
    _, result = or_race
    lines = {lane.label: np.linspace(1, 0.1, len(LINE_ALPHAS)) for lane in result.lanes}
    fig = _valid(line_losses_figure(LINE_ALPHAS, lines))
    assert [t.name for t in fig.data] == list(lines)
    assert [a.text for a in fig.layout.annotations] == ["start", "final"]
    grads = _valid(gradient_norms_figure(
        {lane.label: (lane.grad_epochs, lane.grad_norms) for lane in result.lanes},
        ["weight_hidden", "weight_output"]))
    # 3 racers x 2 layers, then a legend entry per layer's dash
    assert len(grads.data) == 8
    assert [t.name for t in grads.data[-2:]] == ["weight_hidden", "weight_output"]
    assert grads.layout.yaxis.type == "log"


def test_big_data_landscape_is_measured_on_a_sample_scaled_to_all_rows(monkeypatch):
    import mlp_core.race as race_module
    data = make_dataset("moons", samples=200, noise=0.1, test_fraction=0.0, seed=0)
    start = Network.create(2, (4,), init="xavier", bias=True, seed=0)
    result = run_race(start, data.X_train, data.y_train, TrainConfig(),
                      [Racer("sgd", 0.5), Racer("adam", 0.05)], 50, 0.01)
    Y = start.encode_targets(data.y_train)
    full = race_landscape(result, start, data.X_train, Y)
    assert full.n_rows == 200
    monkeypatch.setattr(race_module, "landscape_rows", lambda net, n: 100)
    part = race_landscape(result, start, data.X_train, Y)
    assert part.n_rows == 100
    # the same plane; sse summed over half the rows, scaled up: close to the full loss
    np.testing.assert_allclose(part.plane.axes, full.plane.axes)
    # (unscaled, a half sum would read about 0.5 of the full one)
    assert 0.85 < np.median(part.loss / full.loss) < 1.15


def test_volume_figure_holds_the_surfaces_and_animates_the_paths():
    from mlp_core.landscape import loss_volume
    from mlp_figures.race import landscape_3d_figure
    data = make_dataset("xor")
    start = Network.create(2, (1,), init="xavier", seed=0)
    result = run_race(start, data.X_train, data.y_train, TrainConfig(),
                      [Racer("sgd", 0.5), Racer("adam", 0.05)], 300, 0.05)
    points = np.vstack([lane.params for lane in result.lanes])
    vol = loss_volume(start, data.X_train, start.encode_targets(data.y_train), "sse", points,
                      resolution=7)
    fig = _valid(landscape_3d_figure(
        vol.axes, vol.loss, {lane.label: (vol.coords(lane.params), lane.epochs, lane.losses)
                             for lane in result.lanes}, titles=vol.titles))
    assert fig.data[0].type == "isosurface" and len(fig.data[0].value) == 7 ** 3
    assert [t.name for t in fig.data[1:] if t.mode == "lines"] == [lane.label
                                                               for lane in result.lanes]
    assert fig.layout.scene.xaxis.title.text == "W1[0,0]"
    assert 2 <= len(fig.frames) <= 60 and 0 not in fig.frames[0].traces


def test_mini_batch_lanes_measure_the_loss_at_each_point():
    # an epoch's loss is then a mean over changing parameters, not the loss at a point
    data = make_dataset("or")
    start = Network.create(2, (3,), init="tutorial")
    result = run_race(start, data.X_train, data.y_train, TrainConfig(batch_size=2),
                      [Racer("sgd", 0.5), Racer("adam", 0.05)], 200, TARGET)
    for lane in result.lanes:
        for k in (1, 10, -1):
            want = evaluate(start.with_params(lane.params[k]), data.X_train, data.y_train,
                            "sse")[0]
            assert lane.losses[k] == pytest.approx(want, rel=1e-12)


def test_a_slower_racer_needs_more_epochs_than_gradient_descent():
    data = make_dataset("or")
    start = Network.create(2, (3,), init="tutorial")
    result = run_race(start, data.X_train, data.y_train, TrainConfig(),
                      [Racer("sgd", 0.5), Racer("momentum", 0.1, momentum=0.5)], 8000, TARGET)
    fast, slow = (lane.reached for lane in result.lanes)
    assert fast < slow
    assert against_gradient_descent(result).endswith(
        f"Momentum, lr 0.1, μ 0.5: {slow / fast:.3g}x more.")
