"""Hidden-size sweep: how many hidden nodes does this problem need? Measured, over many seeds."""

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.rules import rules_of_thumb
from mlp_core.sweep import SweepSpec, estimated_seconds, rows_to_csv, summarize, sweep_hidden_sizes
from mlp_ui import keys, views
from mlp_ui.run import page_data, page_settings

# A shared classroom server should not give one click more CPU than this.
MAX_ESTIMATED_SECONDS = 45.0

st.title("Hidden-size sweep")
st.caption("Trains the sidebar's network with every hidden size in a range, several seeds each, "
           "on the sidebar's data with its learning rate and epochs, and sets the tutorial's "
           "rules of thumb beside what actually happens.")

settings = page_settings()
data = page_data(settings, "sweep")

c = st.columns(4)
low = c[0].number_input("Hidden nodes from", 1, 64, value=1, key=keys.SWEEP_LOW)
high = c[1].number_input("to", 1, 64, value=16, key=keys.SWEEP_HIGH)
seeds = c[2].number_input("Seeds per size", 1, 100, value=10, key=keys.SWEEP_SEEDS)
target = c[3].select_slider("Success means", options=[0.75, 0.8, 0.9, 0.95, 1.0], value=1.0,
                            format_func=lambda a: "every point right" if a == 1 else f"≥ {a:.0%}",
                            key="sweep_success")
init = "uniform" if settings.init == "tutorial" else settings.init
if settings.init == "tutorial":
    st.caption("The tutorial's fixed weights exist only for 2-3-1, so each seed starts from "
               "uniform [0, 1) weights, as in the tutorial's XOR example.")
if high < low:  # else the engine's message names its own parameter, "sweep high"
    st.error(f"The range of hidden sizes is empty: “to” ({high}) is below "
             f"“Hidden nodes from” ({low}).")
    st.stop()
try:
    spec = SweepSpec(low=int(low), high=int(high), seeds=int(seeds), layers=settings.layers,
                     activation=settings.activation, bias=settings.bias, init=init,
                     success_accuracy=float(target))
except ValueError as err:
    st.error(str(err))
    st.stop()
config = settings.train_config()
estimate = estimated_seconds(data, spec, config)
st.caption(f"{spec.n_runs} runs x {config.epochs:,} epochs on {data.n_train} training points "
           f"({data.name}), lr {config.lr:g}, {settings.layers} hidden layer(s) of "
           f"{settings.activation} units, {'with' if settings.bias else 'no'} bias.")

key = (spec, config, data.name, data.n_train, float(data.X_train.sum()))
if st.button("Run sweep", type="primary", key="sweep-run"):
    if estimate > MAX_ESTIMATED_SECONDS:
        st.error(f"This sweep would take about {estimate:.0f} s of server time, more than the "
                 f"{MAX_ESTIMATED_SECONDS:.0f} s a shared server allows per click. Lower the "
                 "epochs in the sidebar, the seeds, or the range of hidden sizes.")
    else:
        bar = st.progress(0.0, text="Starting…")
        # Any click reruns the page, which stops this script; the sweep then cancels
        # its remaining runs itself (see sweep_hidden_sizes).
        st.button("Cancel", key="sweep-cancel")

        def progress(done, total):
            bar.progress(done / total, text=f"{done} of {total} runs")

        try:
            rows = sweep_hidden_sizes(data, spec, config, progress=progress)
        except ValueError as err:
            st.error(str(err))
            st.stop()
        st.session_state[keys.SWEEP_RESULT] = (key, rows)
        st.rerun()

stored = st.session_state.get(keys.SWEEP_RESULT)
if not stored:
    st.info("Press **Run sweep** to train every hidden size.")
    st.stop()
if stored[0] != key:
    st.caption("These results are from earlier settings; press Run sweep to refresh them.")
rows = stored[1]
s = summarize(rows)
sizes = s["hidden"]
rules = rules_of_thumb(data.n_features, 1)
marks = [figs.RuleMark(r.low, r.high, r.label) for r in rules]
left, right = st.columns(2)
views.chart(left, figs.success_rate(sizes, s["success_rate"],
                                    epochs_to_success_median=s["epochs_to_success_median"],
                                    rule_marks=marks, title="Share of seeds that succeed"),
            "sw-success")
views.chart(right, figs.sweep_summary(sizes, median=s["final_train_loss_median"],
                                      q_low=s["final_train_loss_q25"],
                                      q_high=s["final_train_loss_q75"],
                                      metric_label="final train loss", param_counts=s["params"],
                                      rule_marks=marks, title="Final training loss"), "sw-loss")
left, right = st.columns(2)
views.chart(left, figs.sweep_summary(sizes, median=s["train_accuracy_median"] * 100,
                                     q_low=s["train_accuracy_q25"] * 100,
                                     q_high=s["train_accuracy_q75"] * 100,
                                     metric_label="training accuracy (%)", rule_marks=marks,
                                     title="Training accuracy"), "sw-acc")
if data.n_test:
    views.chart(right, figs.sweep_summary(sizes, median=s["final_test_loss_median"],
                                          q_low=s["final_test_loss_q25"],
                                          q_high=s["final_test_loss_q75"],
                                          metric_label="final test loss", rule_marks=marks,
                                          title="Final test loss"), "sw-test")
for rule in rules:
    st.markdown(f"- **{rule.label}**: {rule.wording}")
table = {"hidden": sizes.astype(int), "parameters": s["params"].astype(int),
         "success rate": np.round(s["success_rate"] * 100, 1),
         "median epochs to success": s["epochs_to_success_median"],
         "median train loss": s["final_train_loss_median"],
         "median train accuracy": s["train_accuracy_median"] * 100}
number = st.column_config.NumberColumn
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "success rate": number(format="%.0f%%", help="Share of the seeds that met *Success means*."),
    "median epochs to success": number(format="%d",
                                       help="Among the seeds that succeeded; empty if none did."),
    "median train loss": number(format="%.4g"),
    "median train accuracy": number(format="%.1f%%")})
st.download_button("Download all runs (CSV)", rows_to_csv(rows), file_name="sweep.csv",
                   mime="text/csv", on_click="ignore", key="sweep-csv")
