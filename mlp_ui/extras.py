"""The playground's lower tabs: predict a point, replay the run, downloads, load a model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import mlp_figures as figs
from mlp_core import model_io
from mlp_core.grid import decision_grid
from mlp_core.script import standalone_script
from mlp_core.settings import UPLOAD
from mlp_core.training import TrainConfig

from . import keys
from .run import Run, load_model
from .safe import plain

# 24 frames of a 28x28 grid keep the replay's figure under ~170 KB (30x30 made it
# 205 KB); the browser gets every frame at once.
REPLAY_FRAMES = 24
REPLAY_RESOLUTION = 28


def predict_box(container, run: Run) -> None:
    net = run.net
    n_in = net.layer_sizes[0]
    container.markdown("Type a point and follow the tutorial's four steps through the network "
                       "with real numbers (more steps when there are more hidden layers).")
    cols = container.columns(min(n_in, 6))
    default = run.data.X_train[-1]
    point = np.array([
        cols[i % len(cols)].number_input(f"x{i + 1}", value=float(default[i]), format="%g",
                                         key=f"{keys.PREDICT_X}-{i}")
        for i in range(n_in)
    ])
    zs, acts = net.forward(point.reshape(1, -1))
    names = ["hidden layer" if net.n_hidden_layers == 1 else f"hidden layer {l + 1}"
             for l in range(net.n_hidden_layers)] + ["output layer"]
    rows = []
    for l, (z, a) in enumerate(zip(zs, acts[1:])):
        activation = "sigmoid" if l == len(zs) - 1 else net.hidden_activation
        rows.append((f"result{2 * l + 1}", f"input to the {names[l]}: previous . W"
                     + (" + b" if net.bias else ""), _vec(z[0])))
        rows.append((f"result{2 * l + 2}", f"{activation}(result{2 * l + 1})", _vec(a[0])))
    container.dataframe(pd.DataFrame(rows, columns=["step", "what", "value"]), hide_index=True,
                        width="stretch")
    p = float(acts[-1][0, 0])
    container.metric("Output", f"{p:.6f}", delta=f"class {int(p >= 0.5)}", delta_color="off",
                     delta_arrow="off")


def _vec(v: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in v) + "]"


def replay_box(container, run: Run) -> None:
    tr = run.trainer
    if run.net.layer_sizes[0] != 2 or len(tr.snapshot_epochs) < 2:
        container.info("Train a 2-input network first; the replay then runs in your browser.")
        return
    if not container.toggle("Build the replay", key=keys.SHOW_REPLAY,
                             help="An animation of the decision boundary over the whole run, "
                                  "played by your browser without the server."):
        return
    picks = np.unique(np.linspace(0, len(tr.snapshot_epochs) - 1, REPLAY_FRAMES).astype(int))
    frames, epochs, losses = [], [], []
    for i in picks:
        net = tr.network_at(int(i))
        xs, ys, probs = decision_grid(net, run.data.bounds(), REPLAY_RESOLUTION)
        frames.append(probs)
        e = tr.snapshot_epochs[i]
        epochs.append(e)
        losses.append(tr.loss_after(e))
    fig = figs.boundary_animation(xs, ys, frames, epochs, losses, X_train=run.data.X_train,
                                  y_train=run.data.y_train)
    container.plotly_chart(fig, key="replay", config={"displaylogo": False}, width="stretch")


def model_training(run: Run) -> dict:
    """The model file's ``training`` fields: how this run trained, and on what data."""
    tr = run.trainer
    settings = {"data": run.data.name, "lr": tr.config.lr, "epochs": tr.epoch,
                "loss": tr.config.loss, "init": run.settings.init, "seed": run.settings.seed}
    if not run.data.is_gate and run.settings.dataset != UPLOAD:
        # with the seed, these draw the same points again when the file is loaded
        settings.update(model_io.data_fields(run.settings.samples, run.settings.noise,
                                             run.settings.test / 100))
    return settings


def downloads(container, run: Run) -> None:
    tr = run.trainer
    settings = model_training(run)
    c = container.columns(3)
    c[0].download_button("Model (JSON)", data=lambda: model_io.dumps(run.net, settings),
                         file_name="mlp-model.json", mime="application/json",
                         on_click="ignore", key="dl-model")
    c[1].download_button("Loss history (CSV)", data=lambda: _loss_csv(tr),
                         file_name="loss-history.csv", mime="text/csv", on_click="ignore",
                         key="dl-loss")
    c[2].download_button("Python script", data=lambda: _script(run), file_name="train_mlp.py",
                         mime="text/x-python", on_click="ignore", key="dl-script")
    container.caption("The script needs only NumPy: it starts from this run's initial weights "
                      "and repeats its epochs; its last line prints the final loss shown here.")


def _loss_csv(tr) -> str:
    losses = tr.losses
    lines = ["epoch,train_loss"] + [f"{i + 1},{v!r}" for i, v in enumerate(losses.tolist())]
    return "\n".join(lines) + "\n"


def _script(run: Run) -> str:
    tr = run.trainer
    start = tr.network_at(0)
    cfg = TrainConfig(lr=tr.config.lr, epochs=max(1, tr.epoch), loss=tr.config.loss,
                      batch_size=tr.config.batch_size, reg=tr.config.reg,
                      reg_rate=tr.config.reg_rate, seed=tr.config.seed)
    return standalone_script(start, run.data.X_train, run.data.y_train, cfg)


def _on_model_upload() -> None:
    # A callback, because load_model sets the sidebar's widget keys: that is only
    # allowed before those widgets are drawn in the run.
    uploaded = st.session_state.get(keys.MODEL_UPLOADER)
    if uploaded is None or st.session_state.get(keys.MODEL_SEEN) == uploaded.file_id:
        return
    st.session_state[keys.MODEL_SEEN] = uploaded.file_id
    st.session_state[keys.MODEL_MESSAGE] = load_model(uploaded.getvalue(), uploaded.name)


def load_model_box(container) -> None:
    container.file_uploader("Load a model file (JSON)", type=["json"], key=keys.MODEL_UPLOADER,
                            on_change=_on_model_upload)
    message = st.session_state.get(keys.MODEL_MESSAGE)
    if message:
        getattr(container, message[0])(plain(message[1]))
