"""Playground: train live, watch it learn, pause, step, scrub back, share."""

import streamlit as st

from mlp_core.datasets import DRAW
from mlp_core.health import health_warnings
from mlp_ui import keys, unitmaps, views
from mlp_ui.controls import buttons
from mlp_ui.drawing import draw_points  # issue 16: your own points
from mlp_ui.edit_weights import editor  # issue 16: weights by hand
from mlp_ui.extras import downloads, load_model_box, predict_box, replay_box
from mlp_ui.hidden_space import hidden_space_placeholder, hidden_space_section  # issue 16
from mlp_ui.live import heavy_views_due, train_live
from mlp_ui.live_chart import live_chart  # issue 19: charts updated in place
from mlp_ui.run import NextStep, ensure_run, page_settings, timeline_epochs
from mlp_ui.runs import report_button  # issue 17: run report
from mlp_ui.saving import save_if_due, training_started  # issue 17: saved runs

st.title("Playground")
st.caption("Pick a gate or a data set in the sidebar, press **Train**, and watch the network "
           "learn. The link in the address bar reproduces this exact setup.")

settings = page_settings()
if settings.dataset == DRAW:
    draw_points(st)
run, error = ensure_run(settings)
if error:
    (st.info if isinstance(error, NextStep) else st.error)(error)
buttons(st, run)
if run is None:
    st.stop()

trainer = run.trainer
data = run.data
# What the page draws follows the data and the output layer, which a run keeps.
kind = views.picture_kind(data, trainer.net)
classes = views.shows_classes(data, trainer.net)
digits = classes and views.is_digits(data)
status = st.container()
metric_row = views.MetricRow(st)
left, right = st.columns(2)
loss_ph = left.empty()
grad_ph = left.empty()  # gradient norm per layer, under the loss
plane = views.plane_picker(right, data) if kind.endswith("-plane") else None
picture_ph = right.empty()
opts = st.columns([1, 1, 2])  # wide enough for "Hidden-unit lines" in one line
log_y = opts[0].toggle("Log-scale loss", key=keys.LOG_LOSS)
if kind == "boundary" and trainer.net.features is not None:
    # On features such as x1² the unit's equation is a curve in the plane, not a line.
    opts[1].toggle("Hidden-unit lines", key=keys.SHOW_NEURON_LINES, disabled=True,
                   help="Only when the input features are x1 and x2: with other features "
                        "a unit's w1·f1 + w2·f2 + b = 0 is no straight line in the plane.")
    lines = False
elif kind == "boundary":
    lines = opts[1].toggle("Hidden-unit lines", key=keys.SHOW_NEURON_LINES,
                           help="Each first-layer hidden unit's line w1·x1 + w2·x2 + b = 0.")
else:
    # A unit's line lives in a 2-input plane and splits it in two classes: it says
    # nothing about k classes, a curve, or a plane through many inputs.
    opts[1].toggle("Hidden-unit lines", key=keys.SHOW_NEURON_LINES, disabled=True,
                   help="Only for a 2-input network with one sigmoid output: each first-layer "
                        "unit's line w1·x1 + w2·x2 + b = 0 on the tutorial's boundary.")
    lines = False
if classes:
    c_left, c_right = st.columns(2)
    confusion_ph, per_class_ph = c_left.empty(), c_right.empty()
if digits:
    images_ph, wrong_ph = st.empty(), st.empty()
w_col, n_col = st.columns([3, 2])
weights_ph, network_ph = w_col.empty(), n_col.empty()
editor(w_col, run, training=bool(st.session_state.get(keys.TRAINING)))
table_ph = st.empty()
unit_maps = unitmaps.section(st, data, trainer.net)  # issue 16: what each neuron sees
hidden_ph = hidden_space_placeholder(st, run)


def picture(net):
    display = dict(show_test=settings.show_test, by_class=settings.discretize)
    if kind == "boundary":
        return views.boundary_figure(data, net, show_lines=lines, **display)
    if kind.startswith("regions"):
        return views.regions_figure(data, net, plane, **display)
    if kind == "none":
        return None
    return views.regression_figure(data, net, plane)


HEAVY_GROUPS = 3   # unit maps; weights; gradient norms, diagram and digit images
heavy_due = heavy_views_due(groups=HEAVY_GROUPS)


def draw(frame, net=None, epoch=None, last_loss=None, marker=None):
    net = net or trainer.net
    epoch = trainer.epoch if epoch is None else epoch
    last_loss = trainer.last_loss if last_loss is None else last_loss
    views.metrics(metric_row, run, net, epoch, last_loss)
    live = isinstance(frame, int)

    def put(container, fig, name, points_apart=False):
        # Every chart is updated in place by the browser (mlp_ui.live_chart), the paused,
        # finished or scrubbed page's too: built anew, the paused page's dozen charts took
        # Chromium about a second after Pause (docs/live-view.md). While training,
        # what does not move is drawn once; a still page draws the whole figure.
        live_chart(container, fig, f"playground-{name}", points_apart=points_apart and live,
                   key=None if live else f"chart-{name}")

    put(loss_ph, views.loss_figure(run, log_y=log_y, marker_epoch=marker), "loss")
    put(picture_ph, picture(net), "bd", points_apart=True)
    if classes:
        confusion, per_class = views.class_figures(data, net)
        put(confusion_ph, confusion, "cm")
        put(per_class_ph, per_class, "pc")
    if data.is_gate:
        with table_ph.container():
            views.truth_table(st, data, net)
    # The heavy views (many small figures) refresh in turns while training, a group on
    # a frame now and then (mlp_ui.live.heavy_views_due), which keeps a live frame cheap
    # for the server and the browser; a paused or finished page draws them all.
    groups = heavy_due(frame) if live else range(HEAVY_GROUPS)
    if 0 in groups:
        unitmaps.draw(unit_maps, data, net, frame, put)
    if 1 in groups:
        with weights_ph.container():
            # Widths follow the matrices' columns: equal quarters squeezed a 2x4's labels
            # and made 16-column matrices unreadable.
            figures = views.weight_views(net)
            for row in views.weight_rows(net):
                cols = st.columns([units for _, units in row])
                for col, (i, _) in zip(cols, row):
                    if isinstance(figures[i], str):
                        col.caption(figures[i])
                    else:
                        put(col, figures[i], f"w{i}")
    if 2 in groups:
        put(grad_ph, views.gradient_norms_figure(run, marker, live=live), "grad")
        put(network_ph, views.network_view(net), "net")
        if digits:
            unit_images, wrong = views.image_figures(data, net)
            put(images_ph, unit_images, "img")
            put(wrong_ph, wrong, "wrong")
    elif live:
        views.measure_gradient_norms(run)


if st.session_state.get(keys.TRAINING):
    training_started(run)   # saved when this loop ends: finished, paused or diverged
    try:
        with run.lock:  # released when this loop ends or Streamlit stops it (see Run.lock)
            train_live(run, draw, st.session_state)
    except Exception:
        # Streamlit's own stop/rerun signals are BaseExceptions and pass through; a
        # real error must not leave Train switched on, or every rerun would re-enter it.
        st.session_state[keys.TRAINING] = False
        raise
    st.session_state[keys.TRAINING] = False
    st.rerun()

notices = status.container()   # the save's notices, above the timeline
# A finished or paused run: the timeline picks which moment the views show.
if trainer.diverged:
    status.error(trainer.diverged.message)
if trainer.stopped:
    status.info(trainer.stopped.message)
snaps = timeline_epochs(trainer)
view = dict(frame="static")
picked = len(snaps) - 1                 # the moment shown: the latest, unless scrubbed
if len(snaps) > 1:
    index = st.session_state.get(keys.TIMELINE)
    if index is None or index >= len(snaps):
        index = len(snaps) - 1          # Train/Step/Reset asked for the latest frame
    # The key names the timeline's length: a run that moved on gets a new slider at
    # its latest frame. With one key, a browser that had not yet seen the server move
    # the thumb (a press racing the redraw) sent its old position back, and the page
    # showed the run as if it had gone back to epoch 0.
    picked = status.select_slider(
        "Timeline: scrub back through the run", options=list(range(len(snaps))), value=index,
        format_func=lambda i: f"epoch {snaps[i]:,}", key=keys.timeline_slider(len(snaps)))
    st.session_state[keys.TIMELINE] = picked
    if picked != len(snaps) - 1:
        e = snaps[picked]
        view.update(net=trainer.network_at(picked), epoch=e, marker=e,
                    last_loss=trainer.loss_after(e))
for warning in health_warnings(view.get("net") or trainer.net, data.X_train, trainer.config):
    status.warning(warning)
draw(**view)
# After the charts: the first save of a process may wait for its notice (NOTICE_WAIT).
save_if_due(notices)   # the run the live loop left (off this thread: see mlp_ui.saving)
hidden_space_section(hidden_ph, run, snaps, picked)

st.divider()
tabs = st.tabs(["Predict", "Replay", "Download", "Load model"])
predict_box(tabs[0], run)
replay_box(tabs[1], run)
downloads(tabs[2], run)
report_button(tabs[2], run)
load_model_box(tabs[3])
