"""Backprop step by step: one epoch of the sidebar's network, every matrix with its shape."""

import pandas as pd
import streamlit as st

from mlp_core.gradcheck import gradient_check
from mlp_core.optimizers import OPTIMIZER_LABELS, SCHEDULE_LABELS
from mlp_core.reference import backprop, updated_weights
from mlp_ui import keys, views
from mlp_ui.controls import button, on_step
from mlp_ui.run import NextStep, ensure_run, page_settings
from mlp_ui.teaching import (
    activation_latex,
    cut_note,
    loss_latex,
    matrix_table,
    output_definition,
    show_step,
    step_lock,
)

st.title("Backprop step by step")
st.caption("One epoch of the sidebar's network on its training data, laid out as the tutorial "
           "does: the forward pass, phase 1 (output layer), phase 2 (hidden layers), then the "
           "update. The numbers are live: advance an epoch and they all change.")

run, error = ensure_run(page_settings())
if error:
    (st.info if isinstance(error, NextStep) else st.error)(error)
if run is None:
    st.stop()
net, trainer, data = run.net, run.trainer, run.data


def jump() -> None:
    n = int(st.session_state[keys.STEP_EPOCHS])
    trainer.set_target(max(trainer.target, trainer.epoch + n))
    with step_lock():
        trainer.train(n_epochs=n)


c = st.columns([1.2, 1, 1, 2.5])
button(c[0], "Advance one epoch", key="bp-step", on_click=on_step, type="primary",
       disabled=trainer.diverged is not None)
c[1].number_input("Epochs to jump", 1, 1_000_000, value=1000, step=1000, key=keys.STEP_EPOCHS,
                  label_visibility="collapsed")
button(c[2], "Jump ahead", key="bp-jump", on_click=jump, disabled=trainer.diverged is not None)
if trainer.diverged:
    st.error(trainer.diverged.message)

loss = trainer.config.loss
trace = backprop(net, data.X_train, data.y_train, loss, trainer.config.reg,
                 trainer.config.reg_rate)
m = st.columns(4)
m[0].metric("Epoch", f"{trainer.epoch:,}")
m[1].metric("Error of this pass", views.fmt_loss(trace.error))
m[2].metric("Learning rate", f"{trainer.config.lr:g}")
m[3].metric("Network", net.architecture(), delta=f"{net.hidden_activation}, "
            f"{'with' if net.bias else 'no'} bias", delta_color="off", delta_arrow="off")
E, dE = loss_latex(loss)
st.latex(E + r"\qquad" + dE)
n = data.n_train
names = views.weight_names(net)
if data.n_features > 8 or n > 100:
    st.caption(f"{n} training rows x {data.n_features} inputs: each matrix below shows its shape "
               "and its first rows and columns; every number is computed on all of them.")


# How each optimizer turns the gradient g into a step (PyTorch's rules, optimizers.py).
UPDATE_RULES = {
    "sgd": "lr · g",
    "momentum": "lr · b with b ← μ·b + g (b = g at the first update)",
    "nesterov": "lr · (g + μ·b) with b ← μ·b + g",
    "rmsprop": "lr · g / (√v + ε) with v ← α·v + (1 − α)·g²",
    "adam": "lr · m̂ / (√v̂ + ε): m and v are running means of g and g² (β1, β2), "
            "divided by 1 − β^t so the first updates are not too small",
}


def layer_title(layer: int) -> str:
    if layer == len(net.weights):
        return "output layer"
    return "hidden layer" if net.n_hidden_layers == 1 else f"hidden layer {layer}"


def product(step) -> str:
    """The matrix product behind a step, with shapes, e.g. (4x2) . (2x3) = (4x3)."""
    W = net.weights[step.layer - 1]
    r, k = step.value.shape if step.value.ndim == 2 else (1, step.value.shape[0])
    if step.name in ("input_hidden", "input_op"):
        return f"({n}x{W.shape[0]}) · ({W.shape[0]}x{W.shape[1]}) = ({n}x{W.shape[1]})"
    if step.name in ("derror_dwo", "derror_dwh"):
        return f"({r}x{n}) · ({n}x{k}) = ({r}x{k})"
    if step.name == "derror_douth":
        above = net.weights[step.layer]
        return f"({n}x{above.shape[1]}) · ({above.shape[1]}x{k}) = ({n}x{k})"
    return ""


sections = [("forward", "Forward pass"), ("phase 1", "Phase 1: the output layer's weights"),
            ("phase 2", "Phase 2: the hidden layers' weights")]
for phase, heading in sections:
    steps = [s for s in trace.steps if s.phase == phase and (net.bias or "_db" not in s.name)]
    if not steps:
        continue
    st.header(heading)
    if phase == "phase 1":
        out = net.output_activation
        why = {"sigmoid": "one probability per unit",
               "softmax": f"{net.n_outputs} class probabilities that sum to 1; with "
                          "cross-entropy its slope and the loss's cancel, so phase 1 starts "
                          "from derror_dino = (p − t) / n with no douto_dino step",
               "linear": f"{net.n_outputs} predicted value(s), unsquashed, so douto_dino = 1"}
        st.caption(f"Output layer: {net.n_outputs} {out} unit(s), "
                   f"${output_definition(out)}$: {why[out]}.")
    if phase == "phase 2":
        st.caption(f"Hidden activation: {net.hidden_activation}, whose slope is "
                   f"${activation_latex(net.hidden_activation)}$.")
    shown_layer = None
    for step in steps:
        if step.layer != shown_layer and (net.n_hidden_layers > 1 or phase == "forward"):
            st.subheader(layer_title(step.layer).capitalize())
            shown_layer = step.layer
        if step.name.startswith("derror_db"):
            st.markdown("*Extra matrix, because this network has biases:*")
        with st.container(border=True):
            show_step(st, step, product=product(step), n_hidden_layers=net.n_hidden_layers,
                      bias=net.bias, output=net.output_activation)

# The run's optimizer and schedule make the update; plain gradient descent at a
# constant rate is the tutorial's W - lr * dE/dW.
cfg = trainer.config
if (cfg.optimizer, cfg.schedule) == ("sgd", "constant"):
    st.header("The update: W ← W − lr · dE/dW")
    after, lr = updated_weights(net, trace, cfg.lr), cfg.lr
else:
    after, lr = views.next_weights(run, trace)
    st.header(f"The update by {OPTIMIZER_LABELS[cfg.optimizer]}: W ← W − step")
    st.caption(f"The step is {UPDATE_RULES[cfg.optimizer]}, at this epoch's learning rate "
               f"{lr:g} ({SCHEDULE_LABELS[cfg.schedule].lower()} schedule); the 'after' "
               "column is what 'Advance one epoch' gives.")
for name, W, g, W2 in zip(names, net.weights, trace.weight_gradients, after):
    st.subheader(f"{name} ({W.shape[0]}x{W.shape[1]})")
    # Side by side only while a third of the page fits every column; wider ones stack.
    cols = st.columns(3) if W.shape[1] <= 2 else [st] * 3
    cols[0].markdown("**before**")
    cols[0].dataframe(matrix_table(W).style.format("{:.6g}"), width="stretch")
    if cfg.optimizer == "sgd":
        cols[1].markdown(f"**lr · dE/dW** (lr = {lr:g})")
        cols[1].dataframe(matrix_table(lr * g).style.format("{:.6g}"), width="stretch")
    else:
        cols[1].markdown("**step** (before − after)")
        cols[1].dataframe(matrix_table(W - W2).style.format("{:.6g}"), width="stretch")
    cols[2].markdown("**after**")
    cols[2].dataframe(matrix_table(W2).style.format("{:.6g}"), width="stretch")
    note = cut_note(W)
    if note:
        st.caption(note)
st.caption("Both phases use the weights from before the update; the tutorial updates both "
           "layers only after computing every derivative. 'Advance one epoch' applies it.")

st.header("Gradient check")
st.markdown("Each analytic derivative from backpropagation beside a central finite difference "
            "$\\frac{E(w+\\varepsilon)-E(w-\\varepsilon)}{2\\varepsilon}$, "
            "$\\varepsilon = 10^{-6}$.")
check = gradient_check(net, data.X_train, data.y_train, loss, trainer.config.reg,
                       trainer.config.reg_rate)
worst = check.max_relative_error
st.metric("Largest relative error", f"{worst:.2e}")
if worst < 1e-6:
    st.success("Backpropagation agrees with the finite differences (relative error below 1e-6).")
else:
    st.warning("Some derivatives differ from the finite differences by more than 1e-6; at a kink "
               "(ReLU at exactly 0) or with saturated units this can be expected.")
# Enough digits to see the two derivatives agree; the default display rounds to 4 decimals.
table = pd.DataFrame({"parameter": check.names, "backprop": check.analytic,
                      "finite difference": check.numeric,
                      "relative error": check.relative_error})
st.dataframe(table.style.format({"backprop": "{:.10g}", "finite difference": "{:.10g}",
                                 "relative error": "{:.2e}"}),
             width="stretch", hide_index=True)
