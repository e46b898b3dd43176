"""The Runs page's figures: seed groups' median and spread, settings against the score."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import mlp_figures as figs


def test_group_quantiles_are_the_median_and_range_of_the_runs_at_each_epoch():
    e = np.arange(0, 101)
    curves = [(e, 1.0 + 0 * e), (e, 3.0 + 0 * e), (e, 2.0 + e / 100)]
    grid, median, low, high = figs.group_quantiles(curves, points=11)
    np.testing.assert_allclose(grid, np.linspace(0, 100, 11))
    third = 2.0 + grid / 100
    np.testing.assert_allclose(median, np.median(np.vstack([1 + 0 * grid, 3 + 0 * grid, third]),
                                                 axis=0))
    np.testing.assert_allclose(low, 1.0)
    np.testing.assert_allclose(high, 3.0)


def test_a_shorter_run_counts_only_up_to_its_last_epoch():
    long = (np.array([1, 101]), np.array([1.0, 1.0]))
    short = (np.array([1, 51]), np.array([3.0, 3.0]))
    grid, median, low, high = figs.group_quantiles([long, short], points=5)   # 1, 26, 51, 76, 101
    assert list(median) == [2.0, 2.0, 2.0, 1.0, 1.0]
    assert list(high) == [3.0, 3.0, 3.0, 1.0, 1.0]


def test_seed_spread_draws_a_band_and_a_median_per_group_and_is_valid():
    e = np.arange(1, 201)
    groups = [figs.SeedGroup("xor <b>2-2-1</b>", [(e, np.exp(-e / 50)), (e, np.exp(-e / 40))]),
              figs.SeedGroup("xor 2-4-1", [(e, np.exp(-e / 20)), (e, np.exp(-e / 25)),
                                           (e, np.exp(-e / 30))])]
    fig = figs.seed_spread(groups, log_y=True)
    go.Figure(fig.to_dict())
    named = [t for t in fig.to_dict()["data"] if t.get("showlegend", True)]
    assert [t["name"] for t in named] == ["xor <b>2-2-1</b> (2 seeds)", "xor 2-4-1 (3 seeds)"]
    assert "<b>" not in named[0]["hovertemplate"]
    assert sum(t.get("fill") == "tonexty" for t in fig.to_dict()["data"]) == 2


def test_parallel_coordinates_number_categories_and_keep_numbers():
    fig = figs.settings_parallel(
        [figs.Axis("Hidden nodes", [1, 2, 4]), figs.Axis("Activation", ["tanh", "relu", "tanh"])],
        [0.5, np.nan, 1.0], "test accuracy")
    go.Figure(fig.to_dict())
    dims = fig.to_dict()["data"][0]["dimensions"]
    assert dims[0]["values"] == [1, 2, 4]
    assert dims[1]["ticktext"] == ["relu", "tanh"] and dims[1]["values"] == [1, 0, 1]
    assert dims[2]["label"] == "test accuracy" and dims[2]["values"] == [0.5, 0.5, 1.0]
    assert fig.to_dict()["data"][0]["line"]["showscale"] is True


def test_parallel_coordinates_without_a_spread_of_scores_draw_no_colour_bar():
    # Two seeds that both reach 100 %: a bar would repeat "1.00" down its length.
    fig = figs.settings_parallel([figs.Axis("Seed", [0, 1])], [1.0, 1.0], "train accuracy")
    go.Figure(fig.to_dict())
    assert fig.to_dict()["data"][0]["line"]["showscale"] is False
