"""Optimizer race: several optimizers train the sidebar's network from one start."""

import time

import streamlit as st

from mlp_core.race import race_epochs
from mlp_ui import race
from mlp_ui.run import page_data, page_settings, train_config
from mlp_ui.saving import show_notices

st.title("Optimizer race")
st.caption("The sidebar's network and data, one shared set of starting weights, and 2 to 5 "
           "optimizers, each with its own learning rate. Who reaches the target loss first, "
           "and which way does each one go across the loss landscape?")

settings = page_settings()
data = page_data(settings, "race")
base = train_config(settings, data)
try:
    start, note = race.start_network(settings, data)
except ValueError as err:
    st.error(str(err))
    st.stop()
if note:
    st.info(note)
if start.features is not None:
    st.caption(f"Every optimizer trains on the input features {', '.join(start.features)} "
               "of each point, as on the Playground.")

racers, errors = race.racer_controls(st, settings)
cap = race_epochs(start, data.n_train, max(len(racers), 2), race.MAX_RACE_EPOCHS)
c = st.columns([1, 1, 2], vertical_alignment="bottom")
epochs = race.remember(race.EPOCHS, c[0].number_input(
    "Epochs per optimizer", 1, cap, step=100,
    key=race.kept(race.EPOCHS, min(settings.epochs, cap), lo=1, hi=cap)))
target = race.remember(race.TARGET, c[1].number_input(
    "Target loss", min_value=1e-12, format="%g", step=0.001,
    key=race.kept(race.TARGET, race.DEFAULT_TARGET, lo=1e-12)))
pressed = c[2].button("Race", type="primary", key=race.RUN_BUTTON, disabled=bool(errors))
st.caption(race.bounds_caption(start, data, len(racers)))
for error in errors:
    st.error(error)
if errors:
    st.stop()

key = (settings, tuple(racers), int(epochs), float(target), data.name, data.n_train,
       float(data.X_train.sum()))
stored = st.session_state.get(race.RESULT)
if pressed:
    started = time.perf_counter()
    try:
        view = race.run(start, data, base, racers, int(min(epochs, cap)), float(target))
    except ValueError as err:
        st.error(str(err))
        st.stop()
    race.save(view, settings, time.perf_counter() - started)
    st.session_state[race.RESULT] = stored = (key, view)
if stored is None or stored[0] != key:
    st.info("Press Race to train every optimizer from the same start."
            if stored is None else "The settings changed since the last race: press Race "
            "to run it again.")
    st.stop()

t = st.columns(2)
log_y = race.remember(race.LOG_Y, t[0].toggle("Log scale for the losses",
                                              key=race.kept(race.LOG_Y, True)))
log_x = race.remember(race.LOG_X, t[1].toggle(
    "Log scale for the epochs", key=race.kept(race.LOG_X, False),
    help="Spreads out the first epochs, where a fast optimizer wins the race."))
race.show(stored[1], data, log_y, log_x)
show_notices(st)   # the race was kept, or why not
