"""Train / Pause / Step / Reset, as button callbacks on the session's run.

Callbacks run at the start of the rerun a click causes. With fast reruns the
previous script run may still be finishing a chunk of epochs in its own thread,
so callbacks that touch the trainer wait for it first (``run.settled``).
"""

from __future__ import annotations

import streamlit as st

from . import keys
from .run import Run, reset_run, settled


def _run() -> Run | None:
    return settled(st.session_state.get(keys.RUN))


def on_train() -> None:
    run = _run()
    if run is None or run.trainer.diverged is not None:
        return
    wanted = run.settings.epochs
    if run.trainer.epoch >= wanted:
        run.trainer.extend(wanted)      # a finished run trains another round
    else:
        run.trainer.set_target(wanted)
    st.session_state[keys.TRAINING] = True
    st.session_state[keys.TIMELINE] = None


def on_pause() -> None:
    st.session_state[keys.TRAINING] = False


def on_step() -> None:
    st.session_state[keys.TRAINING] = False
    run = _run()
    if run is None or run.trainer.diverged is not None:
        return
    trainer = run.trainer
    trainer.set_target(max(trainer.target, trainer.epoch + 1))
    trainer.run(n_epochs=1)
    st.session_state[keys.TIMELINE] = None


def on_reset() -> None:
    reset_run()


def buttons(container, run: Run | None) -> None:
    training = bool(st.session_state.get(keys.TRAINING))
    c = container.columns([1, 1, 1, 1, 3])
    c[0].button("Train", key="btn-train", type="primary", on_click=on_train,
                disabled=run is None or training, width="stretch")
    c[1].button("Pause", key="btn-pause", on_click=on_pause, disabled=not training,
                width="stretch")
    c[2].button("Step", key="btn-step", on_click=on_step, disabled=run is None,
                width="stretch", help="Run exactly one epoch.")
    c[3].button("Reset", key="btn-reset", on_click=on_reset, width="stretch",
                help="New starting weights from the seed.")
    if run is not None:
        tr = run.trainer
        state = ("training…" if training else
                 "diverged" if tr.diverged else
                 "finished" if tr.epoch >= tr.target and tr.epoch else
                 "paused" if tr.epoch else "ready")
        c[4].caption(f"**{state}** · {run.net.architecture()} on {run.data.name} · "
                     f"target {tr.target:,} epochs · lr {tr.config.lr:g}")
