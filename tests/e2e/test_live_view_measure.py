"""``python -m loadtest.live_view`` counts what a real tab draws while a run trains."""

from __future__ import annotations

from tests.loadtest_support import load_loadtest


def test_live_view_counts_what_the_page_draws():
    load_loadtest()
    from loadtest.common import REPO_ROOT
    from loadtest.live_view import measure

    result = measure(REPO_ROOT, seconds=3)
    # The page moved: animation frames and Epoch changes were counted in it, the
    # live charts were built (today's way rebuilds them), and CPU was taken from
    # the tab's renderer and the server under test.
    assert result["animation_frames_per_s"] > 0
    assert result["epoch_changes_per_s"] > 0
    assert result["charts_built_per_s"] > 0
    assert result["cpu_cores"]["renderer"] > 0 and result["cpu_cores"]["server"] > 0
    assert result["pause_to_idle_s"] >= 0
