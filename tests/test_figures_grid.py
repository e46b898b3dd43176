"""The Grid sweep page's figures: scores against width per combination, width x rate heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import mlp_figures as figs


def traces(fig: go.Figure) -> list[dict]:
    go.Figure(fig.to_dict())   # plotly's own validation of what the builder assembled
    return fig.to_dict()["data"]


def test_width_quartiles_ignore_missing_trials_and_leave_empty_widths_nan():
    scores = np.array([[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, np.nan, np.nan, np.nan, np.nan],
                       [np.nan] * 5])
    lo, med, hi = figs.width_quartiles(scores)
    assert list(med[:2]) == [2.0, 5.0] and list(lo[:2]) == [1.0, 5.0] and list(hi[:2]) == [3.0, 5.0]
    assert np.isnan(med[2]) and np.isnan(lo[2]) and np.isnan(hi[2])


def test_width_chart_draws_each_lines_medians_band_and_cell_ids():
    widths = np.array([1, 2, 4])
    held = np.array([[0.5, 0.6, 0.7], [0.8, 0.9, 1.0], [np.nan, np.nan, np.nan]])
    train = held + 0.05
    line = figs.GridLine("lr 0.5, tanh", train, held, ["a", "b", "c"])
    data = traces(figs.grid_width_scores(widths, [line], "accuracy"))
    band, train_t, median = data
    assert median["x"] == [1, 2] and median["y"] == [0.6, 0.9]   # width 4 not finished
    assert median["customdata"] == ["a", "b"]
    assert train_t["y"] == [0.65, 0.95] and train_t["line"]["dash"] == "dot"
    assert band["fill"] == "toself" and band["mode"] == "lines"   # no markers on its edge
    assert band["y"] == [0.65, 0.95, 0.85, 0.55]   # q75 out along x, q25 back


def test_width_chart_goes_log_for_a_wide_span_and_says_when_nothing_finished():
    empty = figs.GridLine("x", np.full((2, 1), np.nan), np.full((2, 1), np.nan), ["a", "b"])
    fig = figs.grid_width_scores(np.array([1, 32]), [empty], "accuracy")
    assert traces(fig) == []
    layout = fig.to_dict()["layout"]
    assert layout["xaxis"]["type"] == "log"
    assert layout["annotations"][0]["text"] == "No cell finished yet"


def test_heatmap_puts_widths_across_rates_up_and_gaps_where_unfinished():
    scores = np.array([[0.5, np.nan], [0.75, 1.0]])
    ids = [["a", "b"], ["c", "d"]]
    fig = figs.grid_heatmap(np.array([2, 8]), np.array([0.1, 0.5]), scores, "accuracy", ids=ids)
    heat, clicks = traces(fig)
    assert heat["x"] == ["2", "8"] and heat["y"] == ["0.1", "0.5"]
    assert heat["z"] == [[0.5, None], [0.75, 1.0]]
    assert heat["customdata"] == ids
    assert heat["text"] == [["0.5", ""], ["0.75", "1"]]
    assert (heat["zmin"], heat["zmax"]) == (0.5, 1.0)
    # the clickable markers sit on the finished cells only, with their ids
    assert list(zip(clicks["x"], clicks["y"], clicks["customdata"])) == [
        ("2", "0.1", "a"), ("2", "0.5", "c"), ("8", "0.5", "d")]
