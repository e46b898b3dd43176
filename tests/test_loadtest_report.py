"""Pure pieces of the load test's report, against hand-computed cases."""

from __future__ import annotations

import pytest

from tests.loadtest_support import load_loadtest

lt = load_loadtest()


@pytest.mark.parametrize("browsers, server, cores, nice, warned", [
    (0.0, 1.9, 2, 0, False),     # no browsers: nothing to say
    (0.05, 1.9, 2, 0, False),    # a tab idling
    (0.7, 1.2, 2, 0, True),      # 1.9 of 2 cores busy, 0.7 of them the tabs'
    (0.7, 1.2, 2, 10, True),     # a little lower, still competing
    (0.7, 1.2, 2, 19, False),    # the tabs got only what the server left
    (0.6, 0.9, 2, 0, False),     # room to spare: the server was not starved
    (1.0, 2.8, 4, 0, True),
])
def test_browsers_that_fill_the_box_with_the_server_are_reported(browsers, server, cores, nice,
                                                                  warned):
    note = lt.browsers_compete(browsers, server, cores, nice)
    assert (note is not None) == warned
    if warned:
        assert f"{browsers:.2f}" in note and "fewer --browsers" in note


def test_the_load_tests_workspace_cookie_is_the_apps():
    from loadtest.client import WORKSPACE_COOKIE
    from mlp_ui.workspace import COOKIE

    assert WORKSPACE_COOKIE == COOKIE


def test_what_a_tab_drew_is_the_difference_of_two_readings_per_second():
    from loadtest.tab_counts import drawn_rates

    before = {"frames": 100, "epochChanges": 10, "chartsBuilt": 4, "received": 50, "hidden": 2,
              "byName": {"playground-bd": 5, "playground-loss": 7}}
    after = {"frames": 140, "epochChanges": 30, "chartsBuilt": 4, "received": 90, "hidden": 3,
             "byName": {"playground-bd": 25, "playground-loss": 27, "playground-net": 3}}
    drawn = drawn_rates(before, after, 4.0)
    assert drawn["animation_frames_per_s"] == 10.0
    assert (drawn["epoch_changes"], drawn["epoch_changes_per_s"]) == (20, 5.0)
    assert (drawn["charts_built"], drawn["charts_hidden"]) == (0, 1)
    assert drawn["live_figures_received_per_s"] == 10.0
    # A chart first drawn inside the window counts from zero.
    assert drawn["in_place_updates_per_s"] == {
        "boundary": 5.0, "all": 10.75,
        "by_name": {"playground-bd": 5.0, "playground-loss": 5.0, "playground-net": 0.75}}


def test_chromiums_cpu_is_divided_by_the_updates_drawn():
    from collections import Counter

    from loadtest.tab_counts import cpu_per_update

    cpu0 = Counter({"browser": 10.0, "renderer": 20.0, "gpu-process": 1.0})
    # A renderer that started inside the window: all its CPU is the window's.
    cpu1 = Counter({"browser": 11.0, "renderer": 27.0, "gpu-process": 1.0, "utility": 0.5})
    got = cpu_per_update(cpu0, cpu1, 5.0, 50)
    assert got["cores"] == {"browser": 0.2, "renderer": 1.4, "gpu-process": 0.0,
                            "utility": 0.1, "all": 1.7}
    assert got["ms_per_update"]["all"] == 170.0 and got["ms_per_update"]["renderer"] == 140.0
    assert cpu_per_update(cpu0, cpu1, 5.0, 0)["ms_per_update"]["all"] is None


def test_the_report_prints_what_the_tabs_drew_and_their_cpu_per_update():
    tabs = [{"drawn": {"animation_frames_per_s": fps, "epoch_changes_per_s": epochs,
                       "charts_built": 0,
                       "in_place_updates_per_s": {"boundary": epochs, "all": 3 * epochs}}}
            for fps, epochs in ((20.0, 2.0), (30.0, 3.0))]
    from loadtest.report import _browser_drawn_lines, drawn_summary

    drawn = drawn_summary(tabs + [{"errors": ["failed before the live run"]}])
    assert drawn["epoch_changes_per_s"] == {"n": 2, "min": 2.0, "p50": 2.5, "max": 3.0}
    assert drawn["in_place_updates_per_s"]["max"] == 9.0
    live = {"seconds": 10.0, "late_s": 0.0, "tabs": 2, "epoch_changes_drawn": 50,
            "chromium": {"cores": {"all": 1.5, "renderer": 1.2},
                         "ms_per_update": {"all": 300.0, "renderer": 240.0}}}
    text = "\n".join(_browser_drawn_lines(drawn, live))
    assert "Epoch 2.0 / 2.5" in text and "boundary 2.0 / 2.5" in text
    assert "1.50 cores (renderers 1.20)" in text and "300 ms per drawn Epoch" in text
