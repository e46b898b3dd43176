"""Hidden-size sweep: how many hidden nodes does this problem need? Measured, over many seeds.

Two measures: on the tutorial's gates and 2-D two-class sets, how often each
width learns the training data at all (success rate, epochs to success); on
everything else (and on 2-D sets when asked), the score on held-out rows, with
the best width and the smallest width within one standard error of it.
"""


import time

import numpy as np
import streamlit as st

import mlp_figures as figs
from mlp_core.problems import problem_for
from mlp_core.rules import rules_of_thumb
from mlp_core.sweep import (
    MAX_FOLDS,
    ScoreRow,
    SweepSpec,
    best_width,
    estimated_seconds,
    rows_to_csv,
    score_matrix,
    summarize,
    sweep_hidden_sizes,
    sweep_scores,
)
from mlp_ui import keys, views
from mlp_ui.run import page_data, page_settings, train_config
from mlp_ui.saving import save_sweep, show_notices  # issue 17: saved runs
from mlp_ui.sweeps import MAX_CLICK_SECONDS, doubling, parse_widths, score_words, show_model

SUCCESS, HELD_OUT = "success on the training data", "score on held-out data"
TEST_SPLIT, K_FOLD = "test split", "k-fold cross-validation"
SCORES_CHART, OPEN_KEY = "sw-scores", "sweep_open"



def run_sweep(sweep, data, spec, config, estimate: float, what_else: str):
    """``sweep(data, spec, config)`` with a progress bar and Cancel; its rows, or None (a
    message shown) when it would take more server time than one click may."""
    if estimate > MAX_CLICK_SECONDS:
        st.error(f"This sweep would take about {estimate:.0f} s of server time, more than the "
                 f"{MAX_CLICK_SECONDS:.0f} s a shared server allows per click. Lower the "
                 f"epochs in the sidebar, {what_else}.")
        return None
    bar = st.progress(0.0, text="Starting…")
    # Any click reruns the page, which stops this script; the sweep then cancels
    # its remaining runs itself (see sweep_hidden_sizes).
    st.button("Cancel", key="sweep-cancel")

    def progress(done, total):
        bar.progress(done / total, text=f"{done} of {total} runs")

    try:
        return sweep(data, spec, config, progress=progress)
    except ValueError as err:
        st.error(str(err))
        st.stop()


st.title("Hidden-size sweep")
st.caption("Trains the sidebar's network with every hidden size in a range, several seeds each, "
           "on the sidebar's data with its learning rate and epochs, and sets the tutorial's "
           "rules of thumb beside what actually happens.")

settings = page_settings()
show_notices()   # issue 17: an unreachable database, a refused save
data = page_data(settings, "sweep")
problem = problem_for(data, settings.loss)
if settings.layers == 0:
    st.info("A sweep varies the width of the hidden layers, and the sidebar's network has "
            "none: set Hidden layers to 1 or more.")
    st.stop()
if settings.has_features:
    st.caption("The sweep trains on the points' x1, x2: the sidebar's input features apply "
               "on the Playground, Backprop step by step, Hidden layer vs none and Optimizer "
               "race pages.")
if problem.notice:
    st.caption(problem.notice)
init = "uniform" if settings.init == "tutorial" else settings.init
if settings.init == "tutorial":
    st.caption("The tutorial's fixed weights exist only for 2-3-1, so each seed starts from "
               "uniform [0, 1) weights, as in the tutorial's XOR example.")

two_d_binary = data.task == "classify" and data.n_classes == 2 and data.n_features == 2
if data.is_gate:
    measure = SUCCESS
elif two_d_binary:
    measure = st.radio("Measure", [SUCCESS, HELD_OUT], horizontal=True, key="sweep_measure")
else:
    measure = HELD_OUT


def pick_from_chart() -> None:
    """A click on a run's point opens that run: it sets the run picker below the chart."""
    event = st.session_state.get(SCORES_CHART)
    points = (event or {}).get("selection", {}).get("points", [])
    for point in points:
        data_ = point.get("customdata")
        # only the runs traces carry [width, seed]; the medians' customdata are quartiles
        if isinstance(data_, list) and len(data_) == 2 and all(
                isinstance(v, int) or float(v).is_integer() for v in data_):
            st.session_state[OPEN_KEY] = (int(data_[0]), int(data_[1]))
            return


def held_out_sweep() -> None:
    score_name, chart_score = score_words(problem.task)
    c = st.columns([2, 1, 1.3, 1])
    default = doubling(64 if data.n_features > 2 else 16)
    text = c[0].text_input("Widths", value=default, key="sweep_widths",
                           help="Hidden units per layer to try: a list such as 1, 2, 4, 8, a "
                                "range such as 1-16, or both. Up to 256.")
    seeds = c[1].number_input("Seeds per width", 1, 100, value=5, key="sweep_seeds_scores")
    options = [TEST_SPLIT, K_FOLD] if data.n_test else [K_FOLD]
    held = c[2].selectbox("Held-out data", options, key="sweep_heldout")
    folds = 0
    if held == K_FOLD:
        folds = int(c[3].number_input("Folds", 2, MAX_FOLDS, value=5, key="sweep_folds"))
    try:
        widths = parse_widths(text)
        spec = SweepSpec(widths=widths, seeds=int(seeds), layers=settings.layers,
                         activation=settings.activation, bias=settings.bias, init=init,
                         folds=folds, output=problem.output, n_outputs=problem.n_outputs)
    except ValueError as err:
        st.error(str(err))
        st.stop()
    config = train_config(settings, data)
    estimate = estimated_seconds(data, spec, config)
    where = (f"{folds}-fold cross-validation on the {data.n_train} training rows "
             "(stratified by class)" if folds and problem.task == "classify" else
             f"{folds}-fold cross-validation on the {data.n_train} training rows" if folds else
             f"the {data.n_test} rows of the test split")
    st.caption(f"{spec.n_runs} runs x {config.epochs:,} epochs of {data.n_features}-h-"
               f"{problem.n_outputs} networks ({problem.output} output, {config.loss}), "
               f"lr {config.lr:g}, {settings.layers} hidden layer(s) of {settings.activation} "
               f"units, {'with' if settings.bias else 'no'} bias; {score_name} on {where}. "
               f"About {estimate:.0f} s of server time at most.")
    key = ("held-out", spec, config, data.name, data.n_train, float(data.X_train.sum()))
    if st.button("Run sweep", type="primary", key="sweep-run"):
        started = time.monotonic()
        rows = run_sweep(sweep_scores, data, spec, config, estimate,
                         "the seeds, the folds or the widths")
        if rows is None:
            st.stop()
        st.session_state[keys.SWEEP_RESULT] = (key, rows)
        save_sweep(settings, measure=HELD_OUT, task=problem.task, spec=spec, config=config,
                   rows=rows, seconds=time.monotonic() - started)
        st.session_state.pop(OPEN_KEY, None)
        st.rerun()

    stored = st.session_state.get(keys.SWEEP_RESULT)
    if not stored or not stored[1] or not isinstance(stored[1][0], ScoreRow):
        st.info("Press **Run sweep** to train every width.")
        st.stop()
    if stored[0] != key:
        st.caption("These results are from earlier settings; press Run sweep to refresh them.")
    run_key, rows = stored
    spec, config = run_key[1], run_key[2]
    widths, seed_ids, test = score_matrix(rows, "heldout_score")
    _, _, train = score_matrix(rows, "train_score")
    rules = rules_of_thumb(data.n_features, spec.n_outputs)
    marks = [figs.RuleMark(r.low, r.high, r.label) for r in rules]
    fig = figs.hidden_size_scores(widths, train, test, marks, chart_score, seeds=seed_ids,
                                  title=f"Hidden-layer size: train and held-out {score_name}")
    st.plotly_chart(fig, key=SCORES_CHART, on_select=pick_from_chart, selection_mode="points",
                    config=views.CHART_CONFIG, width="stretch")
    best, one_se = best_width(widths, test)
    m = st.columns(2)
    m[0].metric("Best width", "—" if best is None else str(best),
                help=f"Highest mean held-out {score_name} over the seeds.")
    m[1].metric("Smallest width within 1 SE", "—" if one_se is None else str(one_se),
                help="The smallest width whose mean held-out score is within one standard "
                     "error of the best width's: as good, as far as the seeds can tell.")
    for rule in rules:
        st.markdown(f"- **{rule.label}**: {rule.wording}")
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(np.where(np.isfinite(test), test, np.nan), axis=1)
        n = np.isfinite(test).sum(axis=1)
        sd = np.array([np.nanstd(t, ddof=1) if k > 1 else 0.0 for t, k in zip(test, n)])
    params = [next(r.n_params for r in rows if r.hidden == w) for w in widths]
    table = {"hidden": widths, "parameters": params,
             f"median train {score_name}": np.nanmedian(train, axis=1),
             f"median held-out {score_name}": np.nanmedian(test, axis=1),
             f"mean held-out {score_name}": mean,
             "standard error": sd / np.sqrt(np.maximum(n, 1))}
    number = st.column_config.NumberColumn
    fmt = "%.4f" if problem.task == "regress" else "percent"
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        k: number(format=fmt if "standard" not in k else "%.4f")
        for k in table if k not in ("hidden", "parameters")})
    st.download_button("Download all runs (CSV)", rows_to_csv(rows), file_name="sweep.csv",
                       mime="text/csv", on_click="ignore", key="sweep-csv")

    st.header("Open one run")
    st.caption("Click a run's point on the chart (the small circles), or pick it here.")
    kept = {(r.hidden, r.seed): r for r in rows if r.params is not None}
    if not kept:   # a sweep cancelled before any run that keeps its model finished
        st.info("No finished run kept its model; run the sweep to the end to open one.")
        return
    choices = sorted(kept)
    if st.session_state.get(OPEN_KEY) not in kept:
        st.session_state[OPEN_KEY] = (best, 0) if (best, 0) in kept else choices[0]
    pick = st.selectbox("Run", choices, key=OPEN_KEY,
                        format_func=lambda ws: f"width {ws[0]}, seed {ws[1]}")
    show_model(data, spec, kept[pick], config.loss, spec.folds)


if measure == HELD_OUT:
    held_out_sweep()
    st.stop()

c = st.columns(4)
low = c[0].number_input("Hidden nodes from", 1, 64, value=1, key=keys.SWEEP_LOW)
high = c[1].number_input("to", 1, 64, value=16, key=keys.SWEEP_HIGH)
seeds = c[2].number_input("Seeds per size", 1, 100, value=10, key=keys.SWEEP_SEEDS)
target = c[3].select_slider("Success means", options=[0.75, 0.8, 0.9, 0.95, 1.0], value=1.0,
                            format_func=lambda a: "every point right" if a == 1 else f"≥ {a:.0%}",
                            key="sweep_success")
if high < low:  # else the engine's message names its own parameter, "sweep high"
    st.error(f"The range of hidden sizes is empty: “to” ({high}) is below "
             f"“Hidden nodes from” ({low}).")
    st.stop()
try:
    spec = SweepSpec(low=int(low), high=int(high), seeds=int(seeds), layers=settings.layers,
                     activation=settings.activation, bias=settings.bias, init=init,
                     success_accuracy=float(target), output=problem.output,
                     n_outputs=problem.n_outputs)
except ValueError as err:
    st.error(str(err))
    st.stop()
config = train_config(settings, data)
estimate = estimated_seconds(data, spec, config)
st.caption(f"{spec.n_runs} runs x {config.epochs:,} epochs on {data.n_train} training points "
           f"({data.name}), lr {config.lr:g}, {settings.layers} hidden layer(s) of "
           f"{settings.activation} units, {'with' if settings.bias else 'no'} bias.")

key = (spec, config, data.name, data.n_train, float(data.X_train.sum()))
if st.button("Run sweep", type="primary", key="sweep-run"):
    started = time.monotonic()
    rows = run_sweep(sweep_hidden_sizes, data, spec, config, estimate,
                     "the seeds, or the range of hidden sizes")
    if rows is not None:
        st.session_state[keys.SWEEP_RESULT] = (key, rows)
        save_sweep(settings, measure=SUCCESS, task=problem.task, spec=spec, config=config,
                   rows=rows, seconds=time.monotonic() - started,
                   summary=summarize(rows) if rows else None)
        st.rerun()

stored = st.session_state.get(keys.SWEEP_RESULT)
if not stored or (stored[1] and isinstance(stored[1][0], ScoreRow)):
    st.info("Press **Run sweep** to train every hidden size.")
    st.stop()
if stored[0] != key:
    st.caption("These results are from earlier settings; press Run sweep to refresh them.")
rows = stored[1]
if not rows:
    st.info("The sweep was cancelled before any run finished; press Run sweep again.")
    st.stop()
s = summarize(rows)
sizes = s["hidden"]
rules = rules_of_thumb(data.n_features, problem.n_outputs)
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
