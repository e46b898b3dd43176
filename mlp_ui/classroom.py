"""Classes in the app: reading a classroom link, holding its controls, joining, teaching.

A session meets a class through its link (read once, on its first run, by the
sidebar: ``take_link``):

* a student link, ``?class=<code>&lock=...&hide=...&sig=...`` (a signed classroom
  link, ``mlp_ui.classlink``) or just ``?class=<code>`` (the class's own rules are
  read from the store): the sidebar holds the rules (``held``, ``rule_for``) and
  offers to join the class under a nickname (``sidebar_block``);
* a teacher link, ``/classroom?class=<code>&teacher=<secret>``: checked against the
  store's hash, then dropped from the address bar so a projected board never shows
  it (``teacher``).

An edited link is refused with one sentence and its settings are not used; when it
names a real class, that class's own rules still apply.
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit

import streamlit as st

from mlp_core.settings import SPECS, Settings
from mlp_store import ClassInfo, Store, StoreUnavailable, open_store

from . import classlink
from .classlink import Rules
from .safe import plain

TEACHER_PARAM = "teacher"
LOCKED_HELP = "Locked by the classroom link your teacher made."

# Session-state keys used only here.
RULES = "classroom_rules"          # classlink.Rules the sidebar holds, or None
URL = "classroom_url"              # dict: the classroom parameters kept in the address bar
CLASS = "classroom_class"          # ClassInfo of the class the link names (student side)
MEMBER = "classroom_member"        # (code, nickname) once this session has joined
TEACHER = "classroom_teacher"      # (code, secret) of the class this session teaches
MESSAGES = "classroom_messages"    # list of (kind, sentence) about the link
OWN_WORKSPACE = "classroom_workspace"  # a per-session id until runs-ui's has reported
NICKNAME_BOX = "classroom_nickname"
REJOIN_CHECKED = "classroom_rejoin"  # (code, workspace) already looked up in the store
# runs-ui's mlp_ui.workspace keeps this browser's id here (see ``workspace``).
BROWSER_WORKSPACE = "workspace"


# --------------------------------------------------------------------------- the store


def store() -> Store:
    """The process's store; ``StoreUnavailable`` (one sentence) when it cannot be reached."""
    return open_store()


def workspace() -> str:
    """This browser's workspace id (runs-ui's, kept in localStorage), or until the browser
    has reported it, one made for this session."""
    browser = st.session_state.get(BROWSER_WORKSPACE)
    if isinstance(browser, str) and browser:
        return browser
    return st.session_state.setdefault(OWN_WORKSPACE, secrets.token_urlsafe(18))


# --------------------------------------------------------------------------- reading a link


def rules_of_class(info: ClassInfo) -> tuple[Rules, dict[str, str]]:
    """A class's own rules and its preset's parameters, from the store's record."""
    preset_params = dict(parse_qsl(info.link.lstrip("?")))
    preset, _ = Settings.from_query(preset_params)
    controls = info.controls or {}
    rules = Rules.from_preset(preset, controls.get("hidden", ()), controls.get("locked", ()),
                              class_code=info.code)
    return rules, preset_params


def _say(kind: str, sentence: str) -> None:
    st.session_state.setdefault(MESSAGES, []).append((kind, sentence))


def take_link(params: dict) -> tuple[dict, list[str]]:
    """Read the classroom part of a session's first link.

    Returns the parameters for ``Settings.from_query`` (a class's preset under the
    link's own, the held settings taken out) and a notice for each link value it
    ignored. Called once per session by the sidebar.
    """
    st.session_state[MESSAGES] = []
    link = {k: params.pop(k) for k in (*classlink.LINK_PARAMS, TEACHER_PARAM) if k in params}
    if not link:
        return params, []
    code = link.get(classlink.CLASS)
    try:
        db = store()
        if TEACHER_PARAM in link:
            _take_teacher(db, code, link[TEACHER_PARAM])
            return params, []
        rules, preset, params = _take_rules(db, link, code, params)
        if rules is None:
            return params, []
        st.session_state[URL] = classlink.link_params(db.signing_key(), rules)
    except StoreUnavailable as err:
        _say("error", f"This classroom link cannot be checked right now, so its settings "
                      f"were not used: {err}")
        return {}, []
    st.session_state[RULES] = rules
    notices = rules.ignored(params)
    return {k: v for k, v in {**preset, **params}.items() if k not in rules.held}, notices


def _take_teacher(db: Store, code: str | None, secret: str) -> None:
    info = db.class_by_code(code) if code else None
    if info is None or not db.teacher_ok(code, secret):
        _say("error", "This teacher link does not match any class: check that it was copied "
                      "whole, or create a new class.")
        return
    st.session_state[TEACHER] = (code, secret)
    st.session_state[CLASS] = info


def _take_rules(db: Store, link: dict, code: str | None, params: dict
                ) -> tuple[Rules | None, dict, dict]:
    """The rules a student link holds, the class's preset, and the link's own parameters
    still to be used (none when the link was edited)."""
    info = db.class_by_code(code) if code else None
    st.session_state[CLASS] = info
    if code and info is None:
        _say("warning", "There is no class with this link's code (it may have been "
                        "deleted): your runs will not appear on a class board.")
    if classlink.has_rules(link):
        try:
            return classlink.read_link(db.signing_key(), link), {}, params
        except ValueError as err:
            _say("error", str(err))
            if info is None:
                return None, {}, {}
            _say("info", f"The class {info.name!r} still holds its own controls.")
            rules, preset = rules_of_class(info)
            return rules, preset, {}
    if info is None:
        return None, {}, params
    rules, preset = rules_of_class(info)
    return rules, preset, params


# --------------------------------------------------------------------------- holding controls


def rules() -> Rules | None:
    return st.session_state.get(RULES)


def holding() -> bool:
    """Whether a classroom link holds any setting in this session."""
    r = rules()
    return r is not None and bool(r.held)


def rule_for(name: str) -> str | None:
    """``"hidden"``, ``"locked"`` or None: how the classroom link holds setting ``name``."""
    r = rules()
    if r is None:
        return None
    return "hidden" if name in r.hidden else "locked" if name in r.locked else None


def hold() -> None:
    """Put every held setting back at the link's value, before the sidebar draws.

    Presets, a loaded model or a data set's defaults may have moved one.
    """
    r = rules()
    if r is not None:
        st.session_state.update(r.held)


def url_params(settings_query: dict[str, str]) -> dict[str, str]:
    """The address bar's parameters: the settings but the held ones, and the link's rules."""
    r = rules()
    if r is None:
        return settings_query
    kept = {k: v for k, v in settings_query.items() if k not in r.held}
    return {**st.session_state.get(URL, {}), **kept}


# --------------------------------------------------------------------------- joining


def current_member() -> tuple[str, str] | None:
    """``(class code, nickname)`` when this session has joined a class, else None.

    Saving (mlp_ui.saving) puts these on every run it saves, so the run joins the board.
    """
    return st.session_state.get(MEMBER)


def teacher() -> tuple[str, str] | None:
    """``(class code, secret)`` when this session opened a valid teacher link."""
    return st.session_state.get(TEACHER)


def _join() -> None:
    info: ClassInfo = st.session_state[CLASS]
    nickname = st.session_state.get(NICKNAME_BOX, "")
    try:
        student = store().join_class(info.code, nickname, workspace())
    except (ValueError, StoreUnavailable) as err:
        st.session_state[MESSAGES] = [("error", str(err))]
        return
    st.session_state[MEMBER] = (info.code, student.nickname)
    st.session_state[MESSAGES] = []


def _rejoin(info: ClassInfo) -> None:
    """A browser that joined before (same workspace) is a member again, without asking."""
    # Looked up once per workspace id: the browser's own id arrives after the first run.
    checked = (info.code, workspace())
    if st.session_state.get(REJOIN_CHECKED) == checked:
        return
    st.session_state[REJOIN_CHECKED] = checked
    try:
        student = store().student(info.code, workspace())
    except StoreUnavailable:
        return
    if student is not None:
        st.session_state[MEMBER] = (info.code, student.nickname)


def _held_words(r: Rules) -> str:
    parts = []
    for what, names in (("locked", r.locked), ("hidden", r.hidden)):
        if names:
            parts.append(f"{', '.join(SPECS[n].label for n in names)} ({what})")
    return "; ".join(parts)


def sidebar_block(sb) -> None:
    """The classroom's place at the top of the sidebar: messages, the class, joining."""
    for kind, sentence in st.session_state.get(MESSAGES, []):
        getattr(sb, kind)(plain(sentence))
    info: ClassInfo | None = st.session_state.get(CLASS)
    if teacher() is not None:
        sb.caption(f"You teach **{plain(info.name)}**: the board is on the Classroom page.")
        return
    r = rules()
    if info is not None and current_member() is None:
        _rejoin(info)
    if info is not None:
        member = current_member()
        if member is None:
            with sb.container(border=True):
                st.markdown(f"**Class: {plain(info.name)}**")
                st.text_input("Your nickname", key=NICKNAME_BOX, max_chars=24,
                              placeholder="no real names needed",
                              help="Only this nickname is shown on the class board.")
                st.button("Join the class", key="classroom-join", on_click=_join,
                          type="primary", width="stretch")
        else:
            sb.success(f"In class **{plain(info.name)}** as **{plain(member[1])}**: "
                       "your runs appear on the class board.")
    if r is not None and r.held:
        sb.caption(f"Held by the classroom link: {_held_words(r)}.")


# --------------------------------------------------------------------------- making links


def site_root() -> str:
    """The app's address as the browser sees it, without a page or parameters."""
    url = st.context.url or ""
    parts = urlsplit(url)
    if not parts.scheme:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def student_link(db: Store, rules: Rules, preset: Settings) -> str:
    return f"{site_root()}/?{urlencode(classlink.link_params(db.signing_key(), rules, preset))}"


def teacher_link(code: str, secret: str) -> str:
    return f"{site_root()}/classroom?{urlencode({classlink.CLASS: code, TEACHER_PARAM: secret})}"


def end_teaching() -> None:
    for key in (TEACHER, CLASS):
        st.session_state.pop(key, None)
