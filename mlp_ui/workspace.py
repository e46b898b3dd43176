"""The anonymous workspace id that this browser's runs are saved under (no accounts).

A tiny component keeps a random id in the browser's localStorage and in a
same-site cookie. The cookie travels with every new connection, so a second tab
and a restarted server know the id at their first run without asking. A browser
that has none takes the id the server made for this session
(``secrets.token_urlsafe``) and keeps it from then on. The id is a bearer secret:
whoever has it sees its runs, so it is never shown in a URL.

The server takes the cookie's id, or on a first visit the id it offers, and the
component reports (a rerun) only a different id: a browser whose cookie was cleared
but whose localStorage kept its id. A report carries the page's widget values as
they are at that instant; one sent while a press's answer was still being drawn
(a restarted server, or a first visit's first press) undid the press.
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")   # what token_urlsafe makes, any length we use
ID_BYTES = 18                                       # 24 characters

# Session-state keys used only here.
WORKSPACE = "workspace"              # str: this browser's workspace id, once reported
FRESH = "workspace_fresh"            # str: the id offered to a browser that has none
COMPONENT_KEY = "workspace-id"

COOKIE = "mlp_workspace"
COOKIE_DAYS = 400   # the longest lifetime browsers grant a cookie

# Trusted static code; the only data it gets is ids of our making. The browser's
# own id wins; an id that is not of our making (edited by hand) is replaced.
_JS = r"""
export default function ({ data, setStateValue }) {
  const KEY = "mlp-playground-workspace";
  const valid = (v) => typeof v === "string" && /^[A-Za-z0-9_-]{16,64}$/.test(v);
  const fromCookie = () => {
    const hit = document.cookie.split("; ").find((c) => c.startsWith(KEY_COOKIE + "="));
    return hit ? hit.slice(KEY_COOKIE.length + 1) : null;
  };
  let id = null;
  try { id = window.localStorage.getItem(KEY); } catch (e) { id = null; }
  if (!valid(id)) id = fromCookie();
  if (!valid(id)) id = data.fresh;
  try { window.localStorage.setItem(KEY, id); } catch (e) { /* private mode: the cookie */ }
  document.cookie = `${KEY_COOKIE}=${id}; path=/; max-age=${DAYS * 86400}; SameSite=Strict`;
  if (id !== data.known) setStateValue("id", id);
}
""".replace("KEY_COOKIE", repr(COOKIE)).replace("DAYS", str(COOKIE_DAYS))

_component = st.components.v2.component("mlp_workspace_id", js=_JS)


def _reported() -> None:
    pass


def valid_id(value) -> bool:
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def mount_workspace() -> str | None:
    """Mount the component (in the sidebar, once per run) and return the workspace id.

    The cookie's id when the browser sent one, else the id offered to it (a first
    visit); a browser whose localStorage holds another id (its cookie cleared) reports
    it, and that id wins. An id put in session state by other means (a test) is kept.
    """
    fresh = st.session_state.setdefault(FRESH, secrets.token_urlsafe(ID_BYTES))
    if workspace_id() is None:
        cookie = st.context.cookies.get(COOKIE)
        # No cookie: a first visit, whose browser takes the id offered (the component
        # keeps it), so no report and no rerun is needed. A report is a rerun carrying
        # the page's widget values of its instant; on a first visit it raced the first
        # press and undid it (a preset clicked as the page settled).
        st.session_state[WORKSPACE] = cookie if valid_id(cookie) else fresh
    # Streamlit reports a state value only for events given a callback.
    result = _component(key=COMPONENT_KEY, data={"fresh": fresh, "known": workspace_id()},
                        height=0, on_id_change=_reported)
    reported = getattr(result, "id", None)
    if valid_id(reported):
        st.session_state[WORKSPACE] = reported
    return workspace_id()


def workspace_id() -> str | None:
    """This browser's workspace id; None only before ``mount_workspace`` ran this session."""
    value = st.session_state.get(WORKSPACE)
    return value if valid_id(value) else None
