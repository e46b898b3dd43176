"""A figure's data points as a layer of their own, for charts redrawn many times a second."""

from __future__ import annotations

import plotly.graph_objects as go

from ._util import make_figure

CLEAR = "rgba(0,0,0,0)"


def _is_points(trace: dict) -> bool:
    return trace.get("type", "scatter") == "scatter" and trace.get("mode") == "markers"


def _in_legend(trace: dict) -> bool:
    # Plotly's defaults: a scatter trace is listed unless told otherwise; a heatmap
    # or contour is not.
    return trace.get("showlegend", trace.get("type", "scatter") == "scatter")


def points_layer(fig: go.Figure) -> tuple[go.Figure, go.Figure | None]:
    """Split ``fig`` into the figure without its marker traces and those traces alone.

    Plotly redraws every trace of a plot when any of them changes, so a decision
    boundary redrawn live restyles its hundreds of unchanging data points on every
    update (about 14 of its 35 ms in Chromium). Drawn as a transparent layer over
    the rest, the points are drawn once.

    Parameters
    ----------
    fig : go.Figure
        A figure of one plot (``xaxis``/``yaxis``).

    Returns
    -------
    base : go.Figure
        ``fig`` without its marker traces and without a legend (the layer has it).
        ``fig`` itself when it has no marker traces, or when a remaining trace is in
        the legend (two legends would be drawn on top of each other).
    layer : go.Figure or None
        The marker traces with the same height, margins, axes (hidden) and legend,
        on a transparent background and without a title or annotations: laid over
        ``base`` with the same margins, its points fall where ``fig`` draws them.
    """
    spec = fig.to_dict()
    data, layout = spec["data"], spec["layout"]
    points = [t for t in data if _is_points(t)]
    rest = [t for t in data if not _is_points(t)]
    if not points or any(_in_legend(t) for t in rest):
        return fig, None
    # Shallow copies: the spec is the figure's own (``SpecFigure``) and is not changed.
    axes = {name: {**layout[name], "visible": False}
            for name in ("xaxis", "yaxis") if name in layout}
    over = {key: value for key, value in layout.items()
            if key not in ("title", "annotations", "shapes", "xaxis", "yaxis")}
    over.update(axes, paper_bgcolor=CLEAR, plot_bgcolor=CLEAR)
    return (make_figure(rest, {**layout, "showlegend": False}),
            make_figure(points, over))


def boundary_field(fig: go.Figure) -> tuple[go.Figure, dict] | None:
    """Split a decision boundary (``decision_boundary``) into its moving field and the rest.

    While a network trains, only the P(class 1) heatmap and its 0.5 contour move.
    Plotly redraws a whole plot for that (about 24 ms in Chromium here); a canvas
    under a transparent plot draws them in about one (``mlp_ui.live_chart``).

    Parameters
    ----------
    fig : go.Figure
        A figure whose first trace is the P heatmap and second its contour.

    Returns
    -------
    (rest, field), or None when ``fig`` is not such a figure (e.g. a predicted surface).
    rest : go.Figure
        ``fig`` without the field, on a transparent background, with an empty trace
        that keeps the heatmap's colour bar.
    field : dict
        ``x`` (gx,), ``y`` (gy,), ``z`` (gy, gx) as lists (None where blank),
        ``zmin``, ``zmax``, ``colorscale`` ([[stop, "#rrggbb"], ...]), ``level`` (the
        contour's value), ``line`` ({"color", "width"}).
    """
    spec = fig.to_dict()
    data, layout = spec["data"], spec["layout"]
    if len(data) < 2 or data[0].get("type") != "heatmap" or data[1].get("type") != "contour":
        return None
    heat, contour = data[0], data[1]
    # A predicted surface is a heatmap and contours too, but on its own scale with many
    # labelled levels: a canvas draws one fixed scale and one level line.
    if heat.get("zmin") is None or heat.get("zmax") is None \
            or contour.get("contours", {}).get("start") is None:
        return None
    field = {"x": heat["x"], "y": heat["y"], "z": heat["z"], "zmin": heat["zmin"],
             "zmax": heat["zmax"], "colorscale": heat["colorscale"],
             "level": contour["contours"]["start"], "line": contour["line"]}
    scale = {"type": "scatter", "x": [None], "y": [None], "mode": "markers",
             "marker": {"color": [heat["zmin"]], "cmin": heat["zmin"], "cmax": heat["zmax"],
                        "colorscale": heat["colorscale"], "showscale": True,
                        "colorbar": heat.get("colorbar", {})},
             "showlegend": False, "hoverinfo": "skip", "name": heat.get("name", "")}
    rest = make_figure([scale, *data[2:]],
                       {**layout, "paper_bgcolor": CLEAR, "plot_bgcolor": CLEAR})
    return rest, field
