"""Hidden layer vs none: the sidebar's network beside a network with no hidden layer."""

import streamlit as st

import mlp_figures as figs
from mlp_core.compare import train_pair
from mlp_core.reference import evaluate
from mlp_core.training import downsample_indices
from mlp_ui import keys, views
from mlp_ui.run import page_data, page_settings
from mlp_ui.teaching import spinner, step_lock

# Bigger comparisons wait for a click, to spare a shared server.
AUTO_RUN_WORK = 20_000_000

st.title("Hidden layer vs none")
st.caption("The sidebar's network and one with no hidden layer at all, trained on the same data "
           "from the same seed with the same learning rate and epochs. The tutorial's question: "
           "what does the hidden layer buy?")

settings = page_settings()
data = page_data(settings, "compare")

init = settings.init
if init == "tutorial" and settings.hidden_layers != (3,):
    init = "uniform"
    st.info("The tutorial's fixed weights exist only for its 2-3-1 and 2-1 networks; "
            "using uniform [0, 1) starting weights instead.")
key = (settings, init, data.name, data.n_train, float(data.X_train.sum()))
stored = st.session_state.get(keys.COMPARE_RESULT)
result = stored[1] if stored and stored[0] == key else None
work = settings.epochs * data.n_train * (1 + settings.hidden * settings.layers)
if result is None:
    clicked = work > AUTO_RUN_WORK and st.button("Train both", type="primary", key="compare-run")
    if clicked or work <= AUTO_RUN_WORK:
        try:
            with spinner("Training both networks…"), step_lock():
                result = train_pair(data, settings.hidden_layers, activation=settings.activation,
                                    bias=settings.bias, init=init, seed=settings.seed,
                                    config=settings.train_config())
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
views.chart(c[0], figs.loss_curve(series, log_y=True, title=f"Loss ({settings.loss}), log scale"),
            "cmp-loss")
accs = [evaluate(tr.net, data.X_train, data.y_train, settings.loss)[1] for tr in (hidden, none)]
bars = figs.comparison_bars(["hidden layer", "no hidden layer"], [a * 100 for a in accs],
                            title="Training accuracy", y_title="% right", y_range=(0, 100))
views.chart(c[1], bars, "cmp-acc")
m = st.columns(4)
for i, (label, tr) in enumerate(zip(("Hidden layer", "No hidden layer"), (hidden, none))):
    m[2 * i].metric(f"{label}: final loss", views.fmt_loss(tr.last_loss))
    m[2 * i + 1].metric(f"{label}: accuracy",
                        views.fmt_accuracy(accs[i], data.n_train))

if data.n_features == 2:
    b = st.columns(2)
    for col, label, tr in zip(b, labels, (hidden, none)):
        views.chart(col, views.boundary_figure(data, tr.net, show_lines=True, title=label,
                                               line_labels=views.unit_labels(tr.net)),
                    f"cmp-bd-{label}")
    st.caption("Dashed lines: each unit's line w1·x1 + w2·x2 + b = 0. The network with no hidden "
               "layer has exactly one such line, so its boundary is always straight.")
if data.is_gate:
    t = st.columns(2)
    for col, label, tr in zip(t, labels, (hidden, none)):
        col.markdown(f"**{label}**")
        views.truth_table(col, data, tr.net)
