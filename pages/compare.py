"""Hidden layer vs none: the sidebar's network beside a network with no hidden layer."""

import streamlit as st

import mlp_figures as figs
from mlp_core.compare import train_pair
from mlp_core.problems import problem_for
from mlp_core.reference import evaluate
from mlp_core.training import downsample_indices
from mlp_ui import keys, views
from mlp_ui.run import page_data, page_settings, train_config
from mlp_ui.sweeps import confusion_figure, fit_figure, fmt_score, regions_figure, score_words
from mlp_ui.teaching import spinner, step_lock

# Bigger comparisons wait for a click, to spare a shared server.
AUTO_RUN_WORK = 20_000_000

st.title("Hidden layer vs none")
st.caption("The sidebar's network and one with no hidden layer at all, trained on the same data "
           "from the same seed with the same learning rate and epochs. The tutorial's question: "
           "what does the hidden layer buy?")

settings = page_settings()
data = page_data(settings, "compare")
problem = problem_for(data, settings.loss)
config = train_config(settings, data)
if problem.notice:
    st.caption(problem.notice)
if problem.output != "sigmoid":
    st.caption("Without a hidden layer, " + (
        f"{problem.n_outputs} softmax outputs are multinomial logistic regression: one "
        "straight boundary between each pair of classes." if problem.output == "softmax" else
        "a linear output is linear regression: a straight line (or flat plane) through the "
        "data."))

if settings.layers == 0:
    st.info("The sidebar's network has no hidden layer, so both networks here are the same: "
            "set Hidden layers to 1 or more to see what a hidden layer buys.")
if settings.has_features:
    st.caption(f"Both networks see the input features {', '.join(settings.features)} of each "
               "point, as on the Playground.")
init = settings.init
if init == "tutorial" and settings.hidden_layers not in ((3,), ()):
    init = "uniform"
    st.info("The tutorial's fixed weights exist only for its 2-3-1 and 2-1 networks; "
            "using uniform [0, 1) starting weights instead.")
key = (settings, init, data.name, data.n_train, float(data.X_train.sum()))
stored = st.session_state.get(keys.COMPARE_RESULT)
result = stored[1] if stored and stored[0] == key else None
width = data.n_features + problem.n_outputs
work = settings.epochs * data.n_train * (width + settings.hidden * (settings.layers + width))
if result is None:
    clicked = work > AUTO_RUN_WORK and st.button("Train both", type="primary", key="compare-run")
    if clicked or work <= AUTO_RUN_WORK:
        try:
            with spinner("Training both networks…"), step_lock():
                result = train_pair(data, settings.hidden_layers, activation=settings.activation,
                                    bias=settings.bias, init=init, seed=settings.seed,
                                    config=config, n_outputs=problem.n_outputs,
                                    output=problem.output,
                                    features=settings.features if data.n_features == 2
                                    else None)
        except ValueError as err:
            st.error(str(err))
            st.stop()
        st.session_state[keys.COMPARE_RESULT] = (key, result)
    else:
        st.info(f"This comparison trains {settings.epochs:,} epochs on {data.n_train} points "
                "twice; press Train both to run it.")
        st.stop()

hidden, none = result.hidden, result.none
labels = [f"hidden layer ({hidden.net.architecture()})",
          f"no hidden layer ({none.net.architecture()})"]
for fact in result.facts(data):
    st.markdown(f"- {fact}")
for label, tr in zip(labels, (hidden, none)):
    if tr.diverged:
        st.error(f"{label}: {tr.diverged.message}")

series = {}
for label, tr in zip(labels, (hidden, none)):
    idx = downsample_indices(len(tr.losses), 1000)
    series[label] = (idx + 1, tr.losses[idx])
c = st.columns([3, 2])
loss = hidden.config.loss
task = hidden.net.task
name, _ = score_words(task)
views.chart(c[0], figs.loss_curve(series, log_y=True, title=f"Loss ({loss}), log scale"),
            "cmp-loss")
scores = [evaluate(tr.net, data.X_train, data.y_train, loss)[1] for tr in (hidden, none)]
if task == "regress":
    # R² may be far below 0 for a bad fit; the bars start at 0 or below it
    bars = figs.comparison_bars(["hidden layer", "no hidden layer"], scores,
                                title="Training R²", y_title="R²",
                                y_range=(min(0.0, *scores), 1.0))
else:
    bars = figs.comparison_bars(["hidden layer", "no hidden layer"], [a * 100 for a in scores],
                                title="Training accuracy", y_title="% right", y_range=(0, 100))
views.chart(c[1], bars, "cmp-acc")
m = st.columns(4)
for i, (label, tr) in enumerate(zip(("Hidden layer", "No hidden layer"), (hidden, none))):
    m[2 * i].metric(f"{label}: final loss", views.fmt_loss(tr.last_loss))
    m[2 * i + 1].metric(f"{label}: {name}",
                        views.fmt_accuracy(scores[i], data.n_train) if task == "classify"
                        else fmt_score(scores[i], task))
if data.n_test:
    tests = [evaluate(tr.net, data.X_test, data.y_test, loss)[1] for tr in (hidden, none)]
    st.caption(f"On the {data.n_test} test rows: hidden layer {fmt_score(tests[0], task)}, "
               f"no hidden layer {fmt_score(tests[1], task)} ({name}).")

one_sigmoid = problem.output == "sigmoid" and problem.n_outputs == 1
if data.n_features == 2 and task == "classify":
    b = st.columns(2)
    for col, label, tr in zip(b, labels, (hidden, none)):
        fig = (views.boundary_figure(data, tr.net, show_lines=True, title=label,
                                     line_labels=views.unit_labels(tr.net)) if one_sigmoid
               else regions_figure(data, tr.net, label))
        views.chart(col, fig, f"cmp-bd-{label}")
    if one_sigmoid and settings.has_features:
        st.caption("On these input features a unit's w1·f1 + w2·f2 + b = 0 is no straight "
                   "line in the plane, so no unit lines are drawn: the network with no hidden "
                   "layer draws a straight line in feature space, which here can be a curve.")
    elif one_sigmoid:
        st.caption("Dashed lines: each unit's line w1·x1 + w2·x2 + b = 0. The network with no "
                   "hidden layer has exactly one such line, so its boundary is always straight.")
    else:
        st.caption("Without a hidden layer each pair of classes is split by a straight line.")
elif task == "regress" and data.n_features <= 2:
    b = st.columns(2)
    for col, label, tr in zip(b, labels, (hidden, none)):
        views.chart(col, fit_figure(data, tr.net, label), f"cmp-fit-{label}")
elif task == "classify":
    b = st.columns(2)
    for col, label, tr in zip(b, labels, (hidden, none)):
        views.chart(col, confusion_figure(data, tr.net, label), f"cmp-cm-{label}")
if data.is_gate:
    t = st.columns(2)
    for col, label, tr in zip(t, labels, (hidden, none)):
        col.markdown(f"**{label}**")
        views.truth_table(col, data, tr.net)
