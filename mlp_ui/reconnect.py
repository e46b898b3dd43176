"""Redraw a page as soon as its connection comes back, so that it never shows a dead session.

Streamlit's frontend reruns the script after a reconnect only if a script was
running when the connection dropped. An idle page whose server was restarted
(a crash, a deploy) therefore kept showing what the old process drew: a trained
network, an epoch count, a timeline that the new process does not have, until
the student's next press met a new session. A small component in the page
notices every new connection to the server and asks for one rerun on it; a
session that is new to the server then draws its clean state from the link.
"""

from __future__ import annotations

import streamlit as st

SEEN = "_reconnect_seen"      # session-state marker: this session has run before
TRIGGER = "reconnected"
RESTARTED = ("The server was restarted, so this page started afresh from its link: "
             "the previous run is gone.")

# Trusted static code (no user data reaches it). The page's own socket exists before
# this runs, so every later socket to Streamlit's stream is a reconnect. One watcher
# per page: a rerun calls this again and only hands it the current trigger function.
_JS = """
export default function ({ setTriggerValue }) {
  const existing = window.__mlpReconnectWatch;
  if (existing) { existing.trigger = setTriggerValue; return; }
  const watch = window.__mlpReconnectWatch = { trigger: setTriggerValue };
  const Native = window.WebSocket;
  function Watched(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (String(url).includes("/_stcore/stream")) ws.addEventListener("open", () => {
      // Only an idle page needs it. A run already under way (the frontend's own rerun,
      // a press) draws the page; a rerun asked for before that run's answer arrives
      // would carry the page's stale widget values and undo what the press set.
      let busy = false;
      const seen = () => { busy = true; };
      ws.addEventListener("message", seen);
      for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, seen, true);
      setTimeout(() => {   // by then Streamlit has marked the connection up
        ws.removeEventListener("message", seen);
        for (const type of ["pointerdown", "keydown"]) {
          document.removeEventListener(type, seen, true);
        }
        if (!busy) watch.trigger("TRIGGER", Date.now());
      }, 300);
    });
    return ws;
  }
  Watched.prototype = Native.prototype;
  for (const name of ["CONNECTING", "OPEN", "CLOSING", "CLOSED"]) Watched[name] = Native[name];
  window.WebSocket = Watched;
}
""".replace("TRIGGER", TRIGGER)

_component = st.components.v2.component("mlp_reconnect_watch", js=_JS)


def _read_from_the_result() -> None:
    pass


def watch_reconnects() -> bool:
    """Mount the watcher; on a restarted server's first sight of the page, say so.

    Call it inside the sidebar, last: the mount is an empty element. A reconnect to
    the same live session (a dropped network) reruns it harmlessly. Returns True
    when the run was a restarted server's first.
    """
    # Streamlit reports a trigger's value only for events given a callback.
    result = _component(key="reconnect-watch", height=0,
                        **{f"on_{TRIGGER}_change": _read_from_the_result})
    restarted = bool(getattr(result, TRIGGER, None)) and not st.session_state.get(SEEN)
    st.session_state[SEEN] = True
    if restarted:
        st.toast(RESTARTED, icon=":material/restart_alt:")
    return restarted
