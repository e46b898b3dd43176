"""Grid sweep: which width, depth, learning rate, activation and optimizer does this problem
need? Every combination, several seeds and folds each, stored so a stopped sweep resumes."""

import streamlit as st

from mlp_core.gridsweep import SweepFile
from mlp_core.problems import problem_for
from mlp_ui.grid import (
    calibration,
    draw_progress,
    estimated_seconds,
    fmt_seconds,
    grid_form,
    run_and_store,
    save_stopped,
    show_results,
    sweeps_dir,
    where_it_runs,
)
from mlp_ui.run import page_data, page_settings
from mlp_ui.saving import show_notices
from mlp_ui.sweeps import MAX_CLICK_SECONDS, score_words

st.title("Grid sweep")
st.caption("Trains every combination of the widths, hidden layers, learning rates, activations "
           "and optimizers below, several seeds each, on the sidebar's data with its epochs, "
           "loss, bias and initialisation, and scores each on held-out rows. Finished cells are "
           "stored: a stopped sweep resumes where it stopped.")

settings = page_settings()
save_stopped(settings)
show_notices()
data = page_data(settings, "sweep")
if settings.has_features:
    st.caption("The grid trains on the points' x1, x2: the sidebar's input features apply on "
               "the Playground, Backprop step by step, Hidden layer vs none and Optimizer race "
               "pages.")
spec = grid_form(settings, data)
where = where_it_runs()
stored = SweepFile(sweeps_dir(), data, spec).load()
todo = [c for c in spec.cells if c.key not in stored]
estimate = estimated_seconds(data, spec, todo, calibration(data, spec), where.workers)
trainings = len(spec.cells) * spec.trials_per_cell
held = (f"{spec.folds}-fold cross-validation" + (" (stratified)" if data.task == "classify"
                                                  else "") if spec.folds else "the test split")
st.caption(f"{len(spec.cells)} cells x {spec.seeds} seeds x {max(1, spec.folds)} "
           f"{'folds' if spec.folds else 'test split'} = {trainings:,} trainings of "
           f"{spec.config.epochs:,} epochs, scored on {held}. "
           f"{len(spec.cells) - len(todo)} cells already stored; the other "
           f"{len(todo) * spec.trials_per_cell:,} trainings take about {fmt_seconds(estimate)} "
           + (f"on {where.words}." if where.budget else
              f"of one worker's time on {where.words}."))

if st.button("Run grid sweep", type="primary", key="grid-run"):
    if where.budget and estimate > MAX_CLICK_SECONDS:
        st.error(f"This sweep would take about {fmt_seconds(estimate)} of this server's time, "
                 f"more than the {MAX_CLICK_SECONDS:.0f} s a shared server allows per click. "
                 "Lower the epochs in the sidebar, or use fewer widths, rates, seeds or folds; "
                 "with a Dask cluster the limit does not apply.")
        st.stop()
    _, chart_score = score_words(problem_for(data, settings.loss).task)
    box = st.empty()
    run_and_store(settings, data, spec, where,
                  lambda done: draw_progress(box, spec, done, chart_score))
    st.rerun()

show_results(settings, data, spec)
