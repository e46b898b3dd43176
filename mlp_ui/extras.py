"""The playground's lower tabs: predict a point, replay the run, downloads, load a model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import mlp_figures as figs
from mlp_core import model_io
from mlp_core.features import FEATURE_LABELS
from mlp_core.grid import decision_grid
from mlp_core.script import standalone_script
from mlp_core.settings import OWN_DATA

from . import keys, views
from .run import Run, load_model
from .safe import plain

# 24 frames of a 28x28 grid keep the replay's figure under ~170 KB (30x30 made it
# 205 KB); the browser gets every frame at once.
REPLAY_FRAMES = 24
REPLAY_RESOLUTION = 28


# More inputs than this are not typed in one by one: Predict picks a data row instead.
MAX_TYPED_INPUTS = 6
PREDICT_ROW = "predict_row"
DIGIT_PIXELS = 12    # screen pixels per image pixel of the chosen 8x8 digit


def predict_box(container, run: Run) -> None:
    net, data = run.net, run.data
    n_in = net.n_data_inputs
    if n_in > MAX_TYPED_INPUTS:
        point = _pick_row(container, run)
    else:
        container.markdown("Type a point and follow the tutorial's four steps through the "
                           "network with real numbers (more steps when there are more hidden "
                           "layers).")
        cols = container.columns(n_in)
        default = data.X_train[-1]
        point = np.array([
            cols[i % len(cols)].number_input(
                data.feature_names[i] if len(data.feature_names) == n_in and n_in > 2
                else f"x{i + 1}", value=float(default[i]), format="%g",
                key=f"{keys.PREDICT_X}-{i}")
            for i in range(n_in)
        ])
    zs, acts = net.forward(point.reshape(1, -1))
    names = ["hidden layer" if net.n_hidden_layers == 1 else f"hidden layer {l + 1}"
             for l in range(net.n_hidden_layers)] + ["output layer"]
    rows = []
    if net.features is not None:
        rows.append(("features", ", ".join(FEATURE_LABELS[n] for n in net.features)
                     + " of the point", _vec(acts[0][0])))
    for l, (z, a) in enumerate(zip(zs, acts[1:])):
        activation = net.output_activation if l == len(zs) - 1 else net.hidden_activation
        rows.append((f"result{2 * l + 1}", f"input to the {names[l]}: previous . W"
                     + (" + b" if net.bias else ""), _vec(z[0])))
        rows.append((f"result{2 * l + 2}", f"{activation}(result{2 * l + 1})", _vec(a[0])))
    container.dataframe(pd.DataFrame(rows, columns=["step", "what", "value"]), hide_index=True,
                        width="stretch")
    out = acts[-1][0]
    if net.output_activation == "softmax":
        _softmax_step(container, data, zs[-1][0], out)
    elif net.output_activation == "linear":
        target = data.target_names[0] if data.target_names else "output"
        container.metric("Output", f"{out[0]:.6g}" if len(out) == 1 else _vec(out),
                         delta=f"predicted {target}", delta_color="off", delta_arrow="off")
    else:
        p = float(out[0])
        container.metric("Output", f"{p:.6f}", delta=f"class {int(p >= 0.5)}",
                         delta_color="off", delta_arrow="off")


def _class_name(data, c: int) -> str:
    return data.classes[c] if c < len(data.classes) else str(c)


def _softmax_step(container, data, z: np.ndarray, p: np.ndarray) -> None:
    """The output layer's softmax spelled out: z, e^z / sum e^z, the most probable class."""
    container.markdown("**Softmax**: each class's probability is e^z / (sum of e^z over the "
                       f"{len(z)} classes); the prediction is the most probable class.")
    table = pd.DataFrame({"class": [_class_name(data, c) for c in range(len(z))],
                          "z": [f"{v:.6g}" for v in z],
                          "probability": [f"{v:.4f}" for v in p]})
    container.dataframe(table, hide_index=True, width="content")
    best = int(np.argmax(p))
    container.metric("Predicted class", _class_name(data, best), delta=f"p = {p[best]:.4f}",
                     delta_color="off", delta_arrow="off")


def _pick_row(container, run: Run) -> np.ndarray:
    """Many inputs: a row of the test set (else the training set), chosen by its index."""
    data = run.data
    which, X, y = views.scored_split(data)
    container.markdown(f"This network has {X.shape[1]} inputs: pick a row of the {which} and "
                       "follow it through the network with real numbers.")
    c1, c2 = container.columns([1, 2])
    i = int(c1.number_input(f"Row of the {which} (0 to {len(X) - 1})", 0, len(X) - 1, 0,
                            key=PREDICT_ROW))
    if data.task == "classify":
        truth = f"true class **{plain(_class_name(data, int(y[i])))}**"
    else:
        truth = f"true target **{float(np.ravel(y[i])[0]):.6g}**"
    c2.markdown(f"Row {i}: {truth}")
    if views.is_digits(data):
        raw = views.raw_images(data, X[i:i + 1])[0].reshape(data.image_shape)
        ink = np.clip(raw / 16.0, 0.0, 1.0)    # digits' pixels run 0..16: black ink on white
        pixels = np.kron(1.0 - ink, np.ones((DIGIT_PIXELS, DIGIT_PIXELS)))
        c2.image(pixels, width=8 * DIGIT_PIXELS, clamp=True, caption="8x8 pixels")
    return X[i]


def _vec(v: np.ndarray) -> str:
    return "[" + ", ".join(f"{x:.6g}" for x in v) + "]"


def replay_box(container, run: Run) -> None:
    tr, net = run.trainer, run.net
    why = None
    if net.task == "regress":
        why = ("The replay animates a decision boundary; a regression network has none. "
               "Scrub the timeline above to see the fit at any epoch.")
    elif net.n_data_inputs != 2:
        why = (f"The replay animates the boundary over a network's two inputs; this one has "
               f"{net.n_data_inputs}. Scrub the timeline above to see the regions at any epoch.")
    elif not (net.output_activation == "sigmoid" and net.n_outputs == 1):
        why = ("The replay animates the two-class boundary of one sigmoid output; this network "
               f"has {net.n_outputs} {net.output_activation} outputs. Scrub the timeline above "
               "to see the regions at any epoch.")
    elif len(tr.snapshot_epochs) < 2:
        why = "Train the network first; the replay then runs in your browser."
    if why:
        container.info(why)
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
                "loss": tr.config.loss, "init": run.settings.init, "seed": run.settings.seed,
                **model_io.update_fields(tr.config)}
    if not run.data.is_gate and run.settings.dataset not in OWN_DATA:
        # with the seed, these draw the same points again when the file is loaded
        settings.update(model_io.data_fields(run.settings.samples, run.settings.noise,
                                             run.settings.test / 100))
        # blobs' and spiral's class count, real sets' scaling: the same data again
        settings.update(classes=run.settings.classes, standardize=run.settings.standardize)
    return settings


def _files(run: Run) -> dict[str, str]:
    """The model file and the script of the run as it is now, each text or an error message.

    Made once per epoch and learning rate (a paused page reruns on every click, and a
    digits script holds the whole training set), and made here rather than on click,
    so a network the writers cannot handle gets a message instead of a failed download.
    """
    tr = run.trainer
    key = (tr.epoch, tr.config)
    if run.files.get("key") != key:
        run.files = {"key": key}
        for name, make in (("model", lambda: model_io.dumps(run.net, model_training(run),
                                                                  run.data)),
                           ("script", lambda: _script(run))):
            try:
                run.files[name] = make()
            except (ValueError, KeyError, NotImplementedError) as err:
                # A KeyError's text is just the missing key: name what it was.
                why = f"{err.args[0]!s} is not supported" if isinstance(err, KeyError) \
                    else str(err)
                run.files[name + "_error"] = (
                    f"The {name} file cannot be written for this {run.net.architecture()} "
                    f"{run.net.output_activation} network yet: {why}.")
    return run.files


def downloads(container, run: Run) -> None:
    tr = run.trainer
    files = _files(run)
    c = container.columns(3)
    for col, name, label, file_name, mime in (
            (c[0], "model", "Model (JSON)", "mlp-model.json", "application/json"),
            (c[2], "script", "Python script", "train_mlp.py", "text/x-python")):
        if name in files:
            col.download_button(label, data=files[name], file_name=file_name, mime=mime,
                                on_click="ignore", key=f"dl-{name}")
        else:
            col.download_button(label, data="", disabled=True, key=f"dl-{name}",
                                help=files[name + "_error"])
            container.warning(plain(files[name + "_error"]))
    c[1].download_button("Loss history (CSV)", data=lambda: _loss_csv(tr),
                         file_name="loss-history.csv", mime="text/csv", on_click="ignore",
                         key="dl-loss")
    container.caption("The script needs only NumPy: it starts from this run's initial weights "
                      "and repeats its epochs; its last line prints the final loss shown here.")


def _loss_csv(tr) -> str:
    losses = tr.losses
    lines = ["epoch,train_loss"] + [f"{i + 1},{v!r}" for i, v in enumerate(losses.tolist())]
    return "\n".join(lines) + "\n"


def _script(run: Run) -> str:
    tr = run.trainer
    start = tr.network_at(0)
    # The script runs the epochs this run ran, so it needs no early stopping of its own;
    # a patience stop kept the weights of its best epoch, which is where the script ends.
    # A schedule still spans the configured epochs.
    epochs = tr.stopped.best_epoch if tr.stopped else tr.epoch
    cfg = replace(tr.config, patience=0, target_loss=0.0)
    data = run.data
    scaled = data.feature_mean is not None
    return standalone_script(start, data.X_train, data.y_train, cfg,
                             standardize=(data.feature_mean, data.feature_scale) if scaled
                             else None, run_epochs=max(1, epochs))


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
