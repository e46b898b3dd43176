"""Classroom links: signed rules that an edited URL cannot loosen.

The pure signing and verification (``mlp_ui.classlink``) are checked here against an
HMAC computed independently; the sidebar's enforcement of a verified link (hidden
controls not drawn, locked ones disabled, URL values for them ignored) runs through
AppTest in ``test_sidebar_*`` below.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlencode

import pytest

from mlp_core.settings import Settings
from mlp_ui.classlink import EDITED, Rules, canonical, link_params, read_link
from tests.apptest_support import assert_clean
from tests.classroom_support import make_class, open_link, store  # noqa: F401  (fixture)

KEY = secrets.token_bytes(32)
PRESET = Settings(dataset="xor", hidden=2, init="xavier", bias=True, lr=0.5, epochs=5000)


def rules(code="AbC123xyz") -> Rules:
    return Rules.from_preset(PRESET, hidden=["lr"], locked=["dataset", "hidden"],
                             class_code=code)


def as_url(params: dict) -> dict:
    """The parameters after a round trip through a real query string."""
    return dict(parse_qsl(urlencode(params)))


def test_a_link_verifies_and_gives_back_its_rules():
    params = as_url(link_params(KEY, rules(), PRESET))
    got = read_link(KEY, params)
    assert got == rules()
    assert got.held == {"lr": 0.5, "dataset": "xor", "hidden": 2}
    # the free settings of the preset travel as ordinary parameters, the held ones do not
    assert params["epochs"] == "5000" and params["init"] == "xavier"
    assert "hidden" not in params and "dataset" not in params and "lr" not in params


def test_the_signature_is_hmac_sha256_of_the_canonical_form():
    params = link_params(KEY, rules())
    expected = hmac.new(KEY, canonical(rules()), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(params["sig"] + "=") == expected
    assert canonical(rules()).decode().splitlines() == [
        "mlp-playground classroom link v1", "class=AbC123xyz", "hide=lr:0.5",
        "lock=dataset:xor,hidden:2"]


@pytest.mark.parametrize("edit", [
    {"lock": "dataset:xor,hidden:8"},          # a locked value changed
    {"lock": "dataset:xor"},                   # a control unlocked
    {"hide": ""},                              # a hidden control shown
    {"hide": "lr:0.5,epochs:10"},              # a control hidden that was not
    {"class": "SomeOtherClass"},               # another class's board
    {"sig": "A" * 43},                         # a made-up signature
    {"sig": ""},
    {"lock": "dataset:xor,hidden:2,hidden:3"},  # a name twice
    {"lock": "dataset:nope,hidden:2"},          # a value no setting takes
    {"lock": "colour:red"},                     # no such setting
])
def test_an_edited_link_is_rejected_with_a_sentence(edit):
    params = {**as_url(link_params(KEY, rules(), PRESET)), **edit}
    with pytest.raises(ValueError) as err:
        read_link(KEY, params)
    assert str(err.value) == EDITED


def test_removing_the_signature_is_rejected():
    params = as_url(link_params(KEY, rules(), PRESET))
    del params["sig"]
    with pytest.raises(ValueError, match="changed since it was made"):
        read_link(KEY, params)


def test_another_servers_key_does_not_verify():
    params = as_url(link_params(KEY, rules(), PRESET))
    with pytest.raises(ValueError):
        read_link(secrets.token_bytes(32), params)


def test_ordinary_parameters_for_held_settings_are_ignored_with_a_notice():
    r = rules()
    params = {**as_url(link_params(KEY, r, PRESET)), "hidden": "8", "epochs": "300"}
    assert read_link(KEY, params) == r      # the signed part is intact: the link verifies
    notices = r.ignored(params)
    assert notices == ["Hidden nodes is locked by the classroom link: ignored hidden='8' "
                       "from the link."]
    settings, _ = Settings.from_query({k: v for k, v in params.items()
                                       if k not in ("class", "lock", "hide", "sig")})
    held = r.apply(settings)
    assert (held.hidden, held.dataset, held.lr, held.epochs) == (2, "xor", 0.5, 300)


def test_a_link_without_a_class():
    r = Rules.from_preset(PRESET, hidden=[], locked=["activation"])
    params = as_url(link_params(KEY, r, PRESET))
    assert "class" not in params
    assert read_link(KEY, params) == r


def test_rules_refuse_a_setting_both_hidden_and_locked():
    with pytest.raises(ValueError, match="both hidden and locked"):
        Rules.from_preset(PRESET, hidden=["lr"], locked=["lr"])


# --------------------------------------------------------------------------- the sidebar holds it

pytestmark_app = pytest.mark.usefixtures("navigation_app")


def sidebar_widget(at, key):
    """The sidebar widget with ``key`` (any kind), or None when it is not drawn."""
    found = [w for w in at.sidebar if getattr(w, "key", None) == key]
    return found[0] if found else None


@pytestmark_app
def test_sidebar_hides_and_locks_and_ignores_url_values_for_them(store):  # noqa: F811
    info, _, params = make_class(store)
    at = open_link({**params, "hidden": "7", "dataset": "moons", "epochs": "40"})
    settings = at.session_state["settings"]
    assert (settings.dataset, settings.hidden, settings.lr) == ("xor", 2, 0.5)   # held
    assert settings.epochs == 40                                                  # free
    notices = [w.value for w in at.sidebar.warning]
    assert any("Hidden nodes is locked" in n and "hidden='7'" in n for n in notices)
    assert any("Dataset is locked" in n and "dataset='moons'" in n for n in notices)
    assert sidebar_widget(at, "lr") is None                  # hidden: not drawn
    assert at.sidebar.number_input(key="hidden").disabled    # locked: drawn, disabled
    assert at.sidebar.selectbox(key="dataset").disabled
    assert not at.sidebar.number_input(key="epochs").disabled
    # The address bar keeps the signed rules, and no ordinary value for a held setting.
    url = dict(at.query_params)
    assert url["class"] == info.code and url["sig"] == params["sig"]
    assert "hidden" not in url and "lr" not in url and url["epochs"] == "40"


@pytestmark_app
def test_a_locked_control_cannot_be_changed_even_by_a_forged_widget_value(store):  # noqa: F811
    _, _, params = make_class(store)
    at = open_link(params)
    # A disabled widget cannot be used in a browser (AppTest refuses too); a crafted
    # message could still send a value for it, which lands in session state like this.
    # The server puts the held value back before anything reads it.
    at.session_state["hidden"] = 9
    at.run()
    assert_clean(at)
    assert at.session_state["settings"].hidden == 2
    assert at.sidebar.number_input(key="hidden").value == 2
    at.session_state["lr"] = 3.0          # the hidden control, set behind the sidebar's back
    at.run()
    assert at.session_state["settings"].lr == 0.5


@pytestmark_app
def test_an_edited_link_is_refused_in_the_app_and_its_class_still_holds(store):  # noqa: F811
    _, _, params = make_class(store)
    edited = {**params, "lock": "dataset:xor"}            # "unlock" hidden nodes
    at = open_link({**edited, "hidden": "8"})
    assert [e.value for e in at.sidebar.error] == [EDITED.replace(":", "\\:")]
    settings = at.session_state["settings"]
    assert settings.hidden == 2 and settings.lr == 0.5    # the class's own rules
    assert not at.sidebar.warning      # none of the edited link's values was used
    assert at.sidebar.number_input(key="hidden").disabled


@pytestmark_app
def test_an_edited_link_without_a_class_uses_none_of_its_settings(store):  # noqa: F811
    rules_ = Rules.from_preset(PRESET, hidden=[], locked=["hidden"])
    params = {**link_params(store.signing_key(), rules_, PRESET), "lock": "hidden:9"}
    at = open_link(params)
    assert [e.value for e in at.sidebar.error] == [EDITED.replace(":", "\\:")]
    assert at.session_state["settings"] == Settings()
    assert not at.sidebar.number_input(key="hidden").disabled


@pytestmark_app
def test_a_bare_class_code_brings_the_class_preset_and_rules(store):  # noqa: F811
    info, _, _ = make_class(store, hidden=(), locked=("activation",))
    at = open_link({"class": info.code})
    settings = at.session_state["settings"]
    assert (settings.dataset, settings.hidden, settings.epochs) == ("xor", 2, 300)
    assert at.sidebar.selectbox(key="activation").disabled
    assert dict(at.query_params)["lock"] == "activation:sigmoid"   # now a signed link


@pytestmark_app
def test_a_lesson_setup_cannot_move_a_locked_control(store):  # noqa: F811
    _, _, params = make_class(store)
    at = open_link(params)
    at.switch_page("pages/lessons.py").run()
    lesson_id = at.selectbox(key="lesson_pick").value
    at.button(key=f"setup-{lesson_id}-0").click().run()     # its setup asks for 1 hidden node
    assert_clean(at)
    settings = at.session_state["settings"]
    assert settings.hidden == 2 and settings.lr == 0.5 and settings.epochs == 5000
    # the setup's learning rate is the class's own 0.5: only the hidden nodes differ
    assert "Set up, but your teacher's link keeps Hidden nodes as it is." in [
        c.value for c in at.main.caption]
