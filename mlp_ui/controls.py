"""Train / Pause / Step / Reset, as button callbacks on the session's run.

Callbacks run at the start of the rerun a click causes. With fast reruns (off in
our config, on in Streamlit's default) the previous script run may still be
finishing a chunk of epochs in its own thread, so callbacks that touch the
trainer wait for it first (``run.settled``).

Two kinds of press need more than a callback:

* A repeated Train press: a double click, or Train-Pause-Train in quick
  succession. The browser keeps Train enabled until the first press's rerun
  reaches it, and a busy browser handles queued clicks only after it has drawn
  the next page, so the second press can arrive after a short run has finished,
  and a finished run trains another round. A Train press on a finished round is
  that first press again, and is ignored (the run ends at its target), when it
  comes within ``DOUBLE_PRESS_S`` of it with the same settings and the timeline
  not scrubbed back. Any later press trains another round.
* A press on a page that a *new* session inherited (the server restarted, or the
  session expired after ``server.disconnectedSessionTTL`` and the tab came back).
  The browser keeps showing the old page and sends the press to a session that
  never drew the button, so Streamlit has no callback to call: ``button`` (used
  for every button with a callback) carries the press out itself.
"""

from __future__ import annotations

import time

import streamlit as st

from mlp_core.optimizers import OPTIMIZER_LABELS

from . import keys
from .run import Run, reset_run, settled, timeline_epochs

# A second Train press this soon after the one that started the round is a double
# click, not another round: the usual double-click interval (0.5 s) plus what a busy
# browser and server add between the two presses' arrival (0.13-0.6 s measured for
# clicks 50-100 ms apart in headless Chromium on a loaded 2-core machine).
DOUBLE_PRESS_S = 1.0
# Session-state keys used only here.
TRAIN_PRESSED = "train_pressed"     # (trainer id, Settings, monotonic time) of the last Train
DRAWN_BUTTONS = "drawn_buttons"     # keys of the buttons this session has drawn


def button(container, label: str, *, key: str, on_click, args: tuple = (), **kwargs) -> bool:
    """``container.button(...)`` whose press counts even on a page a new session inherited.

    A session that never drew the button has no callback for it (see the module's
    docstring): the press arrives as a click with nothing to call. Then this calls
    ``on_click(*args)`` itself and reruns, so the page shows what the press did.
    """
    drawn = st.session_state.setdefault(DRAWN_BUTTONS, set())
    inherited = key not in drawn
    drawn.add(key)
    clicked = container.button(label, key=key, on_click=on_click, args=args, **kwargs)
    if clicked and inherited:
        on_click(*args)
        st.rerun()
    return clicked


def _shows_latest(run: Run) -> bool:
    """The page's timeline is at the run as it is now (not scrubbed back: see playground)."""
    index = st.session_state.get(keys.TIMELINE)
    return index is None or index >= len(timeline_epochs(run.trainer)) - 1


def _run() -> Run | None:
    return settled(st.session_state.get(keys.RUN))


def on_train() -> None:
    run = _run()
    if run is None or run.trainer.diverged is not None:
        return
    wanted = run.settings.epochs
    press = (id(run.trainer), run.settings, time.monotonic())
    stopped = run.trainer.stopped is not None
    if run.trainer.epoch >= wanted or stopped:
        last = st.session_state.get(TRAIN_PRESSED)
        if last is not None and last[:2] == press[:2] and press[2] - last[2] < DOUBLE_PRESS_S \
                and _shows_latest(run):
            return                      # the press that trained this round, repeated
        # A finished run trains another round; one stopped early goes on to its target
        # (``extend`` clears the stop).
        short = wanted - run.trainer.epoch
        run.trainer.extend(short if stopped and short > 0 else wanted)
    else:
        run.trainer.set_target(wanted)
    st.session_state[TRAIN_PRESSED] = press
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
    if trainer.stopped is not None:
        trainer.extend(1)               # one epoch past an early stop clears it
    else:
        trainer.set_target(max(trainer.target, trainer.epoch + 1))
    trainer.train(n_epochs=1)
    st.session_state[keys.TIMELINE] = None


def on_reset() -> None:
    reset_run()


def buttons(container, run: Run | None) -> None:
    training = bool(st.session_state.get(keys.TRAINING))
    # A diverged run trains no further until the learning rate changes or Reset
    # (the page says so): Train and Step would do nothing.
    stuck = run is None or run.trainer.diverged is not None
    c = container.columns([1, 1, 1, 1, 3])
    button(c[0], "Train", key="btn-train", type="primary", on_click=on_train,
           disabled=stuck or training, width="stretch")
    button(c[1], "Pause", key="btn-pause", on_click=on_pause, disabled=not training,
           width="stretch")
    button(c[2], "Step", key="btn-step", on_click=on_step, disabled=stuck,
           width="stretch", help="Run exactly one epoch.")
    button(c[3], "Reset", key="btn-reset", on_click=on_reset, width="stretch",
           help="New starting weights from the seed.")
    if run is not None:
        tr = run.trainer
        state = ("training…" if training else
                 "diverged" if tr.diverged else
                 "stopped early" if tr.stopped else
                 "finished" if tr.epoch >= tr.target and tr.epoch else
                 "paused" if tr.epoch else "ready")
        # the optimizer, unless it is the tutorial's plain gradient descent
        how = "" if tr.config.optimizer == "sgd" else f"{OPTIMIZER_LABELS[tr.config.optimizer]} "
        c[4].caption(f"**{state}** · {run.net.architecture()} on {run.data.name} · "
                     f"target {tr.target:,} epochs · {how}lr {tr.config.lr:g}")
