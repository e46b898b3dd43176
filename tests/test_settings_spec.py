"""Each setting is declared once (``Settings``' field specs); everything else follows it.

These tests walk ``SPECS`` rather than listing settings, so a new setting is
covered the day it is declared: its URL parameter round-trips at both ends of
its range and is refused just outside it, the sidebar draws it with the declared
label and range, and the CLI takes its flag with the same check.
"""

from __future__ import annotations

import math
from dataclasses import fields, replace

import pytest

from mlp_core import cli
from mlp_core.datasets import make_dataset
from mlp_core.settings import MIN_SIDEBAR_LR, SPECS, Settings, Spec
from tests.apptest_support import open_app

NUMERIC = [name for name, spec in SPECS.items() if spec.kind in (int, float)]
CHOICES = [name for name, spec in SPECS.items() if spec.choices]


def test_every_field_has_exactly_one_spec_and_its_default_is_valid():
    assert list(SPECS) == [f.name for f in fields(Settings)]
    for name, spec in SPECS.items():
        assert isinstance(spec, Spec)
        assert spec.check(getattr(Settings(), name)) == getattr(Settings(), name)


def _base_for(name: str) -> Settings:
    # The tutorial's fixed weights need the 2-3-1 gate network; other values of
    # these settings would (rightly) switch init to xavier with a notice.
    return Settings(init="xavier") if name in ("dataset", "hidden", "layers") else Settings()


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_settings_round_trip_at_both_ends_of_their_range(name):
    spec = SPECS[name]
    ends = ([] if spec.lo_open else [spec.lo]) + ([] if spec.hi_open else [spec.hi])
    # an open end: the value just inside it
    ends += [spec.ui_lo] if spec.lo_open else []
    ends += [spec.ui_hi] if spec.hi_open else []
    for value in ends:
        s = replace(_base_for(name), **{name: spec.kind(value)})
        assert Settings.from_query(s.to_query()) == (s, [])


@pytest.mark.parametrize("name", NUMERIC)
def test_numeric_settings_refuse_the_values_just_outside(name):
    spec = SPECS[name]
    step = 1 if spec.kind is int else 1e-9 * max(1.0, abs(spec.hi))
    outside = [spec.hi if spec.hi_open else spec.hi + step,
               spec.lo if spec.lo_open else spec.lo - step]
    for value in outside:
        settings, notices = Settings.from_query({name: repr(spec.kind(value))})
        assert settings == Settings()
        assert len(notices) == 1 and spec.allowed() in notices[0], notices
        with pytest.raises(ValueError, match=f"^{spec.what} must be"):
            Settings(**{name: spec.kind(value)})


def _one(spec: Spec, choice: str):
    """The value that picks only ``choice``: a subset's (``tuple``) is a tuple of it."""
    return (choice,) if spec.kind is tuple else choice


@pytest.mark.parametrize("name", CHOICES)
def test_every_choice_round_trips_and_others_are_refused(name):
    for choice in SPECS[name].choices:
        s = replace(_base_for(name), **{name: _one(SPECS[name], choice)})
        again, _ = Settings.from_query(s.to_query())
        assert getattr(again, name) == _one(SPECS[name], choice)
    settings, notices = Settings.from_query({name: "no-such-choice"})
    assert settings == Settings() and len(notices) == 1


# Links under which the sidebar draws, between them, every setting: an optimizer's and a
# schedule's own parameters are drawn only when they apply.
EVERY_PARAMETER_SHOWN = [{}, {"optimizer": "momentum", "schedule": "step"},
                         {"optimizer": "rmsprop"}, {"optimizer": "adam"}]


def test_the_sidebar_draws_every_setting_as_declared():
    drawn = {}
    for link in EVERY_PARAMETER_SHOWN:
        at = open_app(**link)
        for kind in ("selectbox", "multiselect", "number_input", "slider", "toggle"):
            for element in getattr(at.sidebar, kind):
                if element.key not in link:
                    drawn[element.key] = (kind, element)
    assert set(SPECS) <= set(drawn)
    widget_kind = {"select": "selectbox", "number": "number_input", "slider": "slider",
                   "toggle": "toggle", "multiselect": "multiselect"}
    for name, spec in SPECS.items():
        kind, element = drawn[name]
        assert kind == widget_kind[spec.widget], name
        assert element.label == spec.label, name
        default = getattr(Settings(), name)
        assert element.value == (list(default) if spec.kind is tuple else default), name
        if kind in ("number_input", "slider"):
            lo = spec.lo if spec.ui_lo is None else spec.ui_lo
            hi = spec.hi if spec.ui_hi is None else spec.ui_hi
            assert (element.min, element.max) == (lo, hi), name
        if kind in ("selectbox", "multiselect"):
            assert len(element.options) == len(spec.choices), name


def test_the_sidebar_cannot_show_learning_rates_below_its_box():
    # The one declared difference between the sidebar and a link: lr's box floor.
    assert SPECS["lr"].ui_lo == MIN_SIDEBAR_LR > SPECS["lr"].lo


def test_an_open_end_has_a_widget_bound_inside_it():
    # A number box reaching the excluded end would let a person pick an invalid value.
    for name, spec in SPECS.items():
        if spec.lo_open:
            assert spec.ui_lo is not None and spec.lo < spec.ui_lo < spec.hi, name
        if spec.hi_open:
            assert spec.ui_hi is not None and spec.lo < spec.ui_hi < spec.hi, name


CLI_SETTINGS = [name for name, spec in SPECS.items() if spec.cli]


def _dest(name: str) -> str:
    return SPECS[name].cli.lstrip("-").replace("-", "_")


def test_cli_flags_default_to_the_settings_defaults():
    # A flag not given takes the data set's default (problems.TRAINING_DEFAULTS), else
    # the Settings default: the CLI's default data, the OR gate, has none of its own.
    parsed = cli.build_parser().parse_args(["train"])
    cli.fill_defaults(parsed, make_dataset(parsed.data))
    for name in CLI_SETTINGS:
        assert getattr(parsed, _dest(name)) == getattr(Settings(), name), name


def test_cli_help_gives_each_flag_its_range(capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in CLI_SETTINGS:
        assert f"{SPECS[name].what}: {SPECS[name].allowed()}" in text, name


@pytest.mark.parametrize("name", CLI_SETTINGS)
def test_cli_refuses_a_bad_value_in_one_line(name, capsys):
    spec = SPECS[name]
    bad = "no-such-choice" if spec.choices else repr(spec.kind(spec.hi) + 1)
    with pytest.raises(SystemExit) as stop:
        cli.main(["train", spec.cli, bad])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and spec.what in err[0]


def test_cli_parses_a_valid_value_of_every_setting_flag():
    args, expected = ["train"], {}
    for name in CLI_SETTINGS:
        spec = SPECS[name]
        value = _one(spec, spec.choices[-1]) if spec.choices else spec.kind(spec.hi)
        args += [spec.cli, ",".join(value) if isinstance(value, tuple) else str(value)]
        expected[name] = value
    parsed = cli.build_parser().parse_args(args)
    for name, value in expected.items():
        got = getattr(parsed, _dest(name))
        assert got == value or (isinstance(value, float) and math.isclose(got, value)), name
