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
