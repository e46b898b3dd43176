"""Playground: train live, watch it learn, pause, step, scrub back, share."""

import streamlit as st

from mlp_core.health import health_warnings
from mlp_ui import keys, views
from mlp_ui.controls import buttons
from mlp_ui.extras import downloads, load_model_box, predict_box, replay_box
from mlp_ui.live import RERUN_EVERY, live_frame
from mlp_ui.live_chart import live_chart
from mlp_ui.run import UPLOAD_FIRST, ensure_run, page_settings, timeline_epochs
from mlp_ui.shared import session_id, shared

st.title("Playground")
st.caption("Pick a gate or a data set in the sidebar, press **Train**, and watch the network "
           "learn. The link in the address bar reproduces this exact setup.")

settings = page_settings()
run, error = ensure_run(settings)
if error:
    (st.info if error == UPLOAD_FIRST else st.error)(error)
buttons(st, run)
if run is None:
    st.stop()

trainer = run.trainer
status = st.container()
opts = st.columns([1, 1, 2])  # wide enough for "Hidden-unit lines" in one line
log_y = opts[0].toggle("Log-scale loss", key=keys.LOG_LOSS)
lines = opts[1].toggle("Hidden-unit lines", key=keys.SHOW_NEURON_LINES,
                       help="Each first-layer hidden unit's line w1·x1 + w2·x2 + b = 0.")


def draw(chart, net=None, epoch=None, last_loss=None, marker=None):
    """The run's metrics, loss and boundary (and a gate's truth table), each chart
    drawn by ``chart(container, figure, key)``."""
    net = net or trainer.net
    epoch = trainer.epoch if epoch is None else epoch
    last_loss = trainer.last_loss if last_loss is None else last_loss
    views.metrics(st, run, net, epoch, last_loss)
    left, right = st.columns(2)
    chart(left, views.loss_figure(run, log_y=log_y, marker_epoch=marker), "loss")
    chart(right, views.boundary_figure(run.data, net, show_lines=lines), "bd")
    if run.data.is_gate:
        views.truth_table(st, run.data, net)


def draw_weights(chart, net=None):
    """The weight matrices and the network diagram."""
    net = net or trainer.net
    w_col, n_col = st.columns([3, 2])
    with w_col:
        # Widths follow the matrices' columns: equal quarters squeezed a 2x4's labels
        # and made 16-column matrices unreadable.
        figures = views.weight_figures(net)
        for row in views.weight_rows(net):
            cols = st.columns([units for _, units in row])
            for col, (i, _) in zip(cols, row):
                chart(col, figures[i], f"w{i}")
    chart(n_col, views.network_figure(net), "net")


def live_chart_keyed(container, fig, key):
    """``live_chart`` under the live view's keys: the same every frame, so drawn in place."""
    live_chart(container, fig, f"{key}-live")


def static_chart(container, fig, key):
    """``st.plotly_chart`` for a paused or finished run's view."""
    views.chart(container, fig, f"{key}-static")


@st.fragment(run_every=RERUN_EVERY)
def live_view():
    """One live frame per run of this fragment (see ``mlp_ui.live``)."""
    in_full_run = st.session_state.pop(IN_FULL_RUN, False)
    frames = st.session_state.get(keys.LIVE_FRAMES)
    if not st.session_state.get(keys.TRAINING) or frames is None:
        st.rerun()                      # paused or reset meanwhile: the full page
    try:
        with run.lock:  # released when this frame ends or Streamlit stops it (see Run.lock)
            over = live_frame(run, frames, lambda _: draw(live_chart_keyed), st.session_state)
    except Exception:
        # Streamlit's own stop/rerun signals are BaseExceptions and pass through; a
        # real error must not leave Train switched on, or every rerun would re-enter it.
        st.session_state[keys.TRAINING] = False
        raise
    if over:
        st.session_state[keys.TRAINING] = False
        shared().leave(session_id())
        st.rerun()
    if not in_full_run:
        # The next frame at once: waiting for the browser's timer would leave the run
        # idle, and forty timers' messages keep Streamlit's event loop busy.
        st.rerun(scope="fragment")


def live_weights():
    """The weights while training: many small charts, so a fragment of their own that
    redraws every ``views.WEIGHTS_EVERY`` frame intervals, not with every frame."""
    if st.session_state.get(keys.TRAINING):
        with run.lock:
            draw_weights(live_chart_keyed)


IN_FULL_RUN = "live_in_full_run"   # the page's own run draws the fragment's first frame
if st.session_state.get(keys.TRAINING):
    st.session_state[IN_FULL_RUN] = True
    live_view()
    every = max(RERUN_EVERY, views.WEIGHTS_EVERY * shared().frame_interval())
    st.fragment(live_weights, run_every=every)()
    st.stop()

# A finished or paused run: the timeline picks which moment the views show.
if trainer.diverged:
    status.error(trainer.diverged.message)
snaps = timeline_epochs(trainer)
view = {}
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
for warning in health_warnings(view.get("net") or trainer.net, run.data.X_train):
    status.warning(warning)
draw(static_chart, **view)
draw_weights(static_chart, view.get("net"))

st.divider()
tabs = st.tabs(["Predict", "Replay", "Download", "Load model"])
predict_box(tabs[0], run)
replay_box(tabs[1], run)
downloads(tabs[2], run)
load_model_box(tabs[3])
