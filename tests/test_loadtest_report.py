"""Pure pieces of the load test's report, against hand-computed cases."""

from __future__ import annotations

import pytest

from tests.loadtest_support import load_loadtest

lt = load_loadtest()


@pytest.mark.parametrize("browsers, server, cores, warned", [
    (0.0, 1.9, 2, False),     # no browsers: nothing to say
    (0.05, 1.9, 2, False),    # a tab idling
    (0.7, 1.2, 2, True),      # 1.9 of 2 cores busy, 0.7 of them the tabs'
    (0.6, 0.9, 2, False),     # room to spare: the server was not starved
    (1.0, 2.8, 4, True),
])
def test_browsers_that_fill_the_box_with_the_server_are_reported(browsers, server, cores,
                                                                  warned):
    note = lt.browsers_compete(browsers, server, cores)
    assert (note is not None) == warned
    if warned:
        assert f"{browsers:.2f}" in note and "fewer --browsers" in note


def test_the_load_tests_workspace_cookie_is_the_apps():
    from loadtest.client import WORKSPACE_COOKIE
    from mlp_ui.workspace import COOKIE

    assert WORKSPACE_COOKIE == COOKIE
