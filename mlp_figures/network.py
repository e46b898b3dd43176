"""The network diagram: every unit a node, every weight an edge."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, finite_max_abs, fmt_number, make_figure, rounded

_PAD_TOP_PX = 6.0
_PAD_BOTTOM_PX = 6.0
_MORE_LABEL_PX = 22.0  # room under a truncated layer for its "+N more"


class NodeGrid(NamedTuple):
    """Where the nodes go: layer ``l``'s unit ``i`` sits at ``(l, y(l, i))``.

    ``shown`` (L,) are the units drawn per layer, ``tallest`` the most of them in
    one layer, ``node_px`` a node's diameter and ``unit_px`` the pixels between
    two neighbouring nodes of a layer (one unit of the y axis).
    """

    shown: list[int]
    tallest: int
    node_px: float
    unit_px: float
    truncated: bool

    def y(self, layer: int, i: int) -> float:
        return (self.shown[layer] - 1) / 2.0 - i


def _unit_names(layer: int, n_layers: int, n: int) -> list[str]:
    if layer == 0:
        return [f"x{i + 1}" for i in range(n)]
    if layer == n_layers - 1:
        return ["out"] if n == 1 else [f"o{i + 1}" for i in range(n)]
    prefix = "h" if n_layers == 3 else f"h{layer}."
    return [f"{prefix}{i + 1}" for i in range(n)]


def _layer_names(n_layers: int) -> list[str]:
    if n_layers == 1:
        return ["input"]
    hidden = n_layers - 2
    return ["input"] + (["hidden"] if hidden == 1 else
                        [f"hidden {k + 1}" for k in range(hidden)]) + ["output"]


def _checked(layer_sizes, weights, biases) -> tuple[list[int], list[np.ndarray], list]:
    """Sizes, weight matrices (n_l, n_l+1) and per-layer biases (None for the inputs)."""
    sizes = [int(s) for s in layer_sizes]
    L = len(sizes)
    if len(weights) != max(L - 1, 0):
        raise ValueError(f"need {L - 1} weight matrices for {L} layers, got {len(weights)}")
    Ws = []
    for ell, Wl in enumerate(weights):
        A = np.asarray(Wl, dtype=float)
        if A.shape != (sizes[ell], sizes[ell + 1]):
            raise ValueError(
                f"weights[{ell}] has shape {A.shape}, expected {(sizes[ell], sizes[ell + 1])}"
            )
        Ws.append(A)
    Bs: list[np.ndarray | None] = [None] * L
    if biases is not None:
        if len(biases) != L - 1:
            raise ValueError(f"need {L - 1} bias vectors, got {len(biases)}")
        for ell, b in enumerate(biases):
            b = np.asarray(b, dtype=float).ravel()
            if b.shape != (sizes[ell + 1],):
                raise ValueError(f"biases[{ell}] has {b.size} values, expected {sizes[ell + 1]}")
            Bs[ell + 1] = b
    return sizes, Ws, Bs


def _node_grid(sizes: list[int], height: int) -> NodeGrid:
    """Nodes as large as the tallest layer lets them be in the plot's height."""
    shown = [min(n, style.MAX_NODES_SHOWN) for n in sizes]
    tallest = max(shown) if shown else 1
    truncated = any(n > s for n, s in zip(sizes, shown, strict=True))
    plot_px = height - style.DIAGRAM_MARGIN["t"] - style.DIAGRAM_MARGIN["b"]
    free_px = max(plot_px - _PAD_TOP_PX - _PAD_BOTTOM_PX - (_MORE_LABEL_PX if truncated else 0.0),
                  40.0)
    node_px = float(np.clip(0.75 * free_px / tallest, style.NODE_MIN_SIZE, style.NODE_MAX_SIZE))
    unit_px = (free_px - node_px) / (tallest - 1) if tallest > 1 else free_px
    return NodeGrid(shown, tallest, node_px, unit_px, truncated)


def _edge_traces(Ws: list[np.ndarray], grid: NodeGrid, units: list[list[str]]) -> list[dict]:
    """Edges in a few line traces (one per sign and width bucket), thin first,
    plus one dotted trace for non-finite weights and one of invisible hover dots."""
    shown = grid.shown
    wmax = finite_max_abs(
        np.concatenate([W[: shown[ell], : shown[ell + 1]].ravel() for ell, W in enumerate(Ws)])
        if Ws else np.zeros(0),
        default=1.0,
    )
    nb = style.EDGE_WIDTH_BUCKETS
    densest = max((a * b for a, b in zip(shown[:-1], shown[1:])), default=1)
    max_width = style.EDGE_MAX_WIDTH * min(1.0, math.sqrt(style.EDGE_FULL_WIDTH_EDGES / densest))
    buckets: dict[tuple[int, int], tuple[list, list]] = {}  # (sign, width bucket) -> (xs, ys)
    bad_x: list = []
    bad_y: list = []
    hover_xy: list[float] = []
    hover_text: list[str] = []
    for ell, W in enumerate(Ws):
        ms, mt = shown[ell], shown[ell + 1]
        rows = W[:ms, :mt].tolist()
        for i in range(ms):
            y0 = grid.y(ell, i)
            # the hover dot's place along its edge differs per source node, so
            # that the dots of different edges do not coincide
            t = 0.5 if ms == 1 else 0.3 + 0.4 * i / (ms - 1)
            for j, w in enumerate(rows[i]):
                y1 = grid.y(ell + 1, j)
                if math.isnan(w):
                    bad_x += [ell, ell + 1, None]
                    bad_y += [y0, y1, None]
                else:
                    k = int(round(min(abs(w) / wmax, 1.0) * (nb - 1)))  # inf -> widest
                    sign = 0 if w == 0 else (1 if w > 0 else -1)
                    xs, ys = buckets.setdefault((sign, k), ([], []))
                    xs += [ell, ell + 1, None]
                    ys += [y0, y1, None]
                hover_xy += [ell + t, y0 + t * (y1 - y0)]
                hover_text.append(f"w[{units[ell][i]}->{units[ell + 1][j]}] = {fmt_number(w, 4)}")

    data: list[dict] = []
    for sign, k in sorted(buckets, key=lambda sk: (sk[1], sk[0])):  # thick on top
        xs, ys = buckets[(sign, k)]
        color = style.POS_COLOR if sign > 0 else style.NEG_COLOR if sign < 0 else style.ZERO_COLOR
        width = round(style.EDGE_MIN_WIDTH
                      + (max_width - style.EDGE_MIN_WIDTH) * k / max(nb - 1, 1), 2)
        sign_text = "+" if sign > 0 else "-" if sign < 0 else "0"
        data.append({"type": "scatter", "x": xs, "y": rounded(np.array(ys, dtype=float)),
                     "mode": "lines", "line": {"color": color, "width": width}, "opacity": 0.85,
                     "hoverinfo": "skip", "showlegend": False,
                     "name": f"{sign_text} w, width {width}"})
    if bad_x:
        data.append({"type": "scatter", "x": bad_x, "y": rounded(np.array(bad_y, dtype=float)),
                     "mode": "lines",
                     "line": {"color": style.ZERO_COLOR, "width": 1.5, "dash": "dot"},
                     "hoverinfo": "skip", "showlegend": False, "name": "non-finite w"})
    if hover_xy:
        xy = rounded(np.array(hover_xy, dtype=float).reshape(-1, 2))
        data.append({"type": "scatter", "x": [p[0] for p in xy], "y": [p[1] for p in xy],
                     "mode": "markers", "marker": {"size": 10, "color": "rgba(0,0,0,0)"},
                     "hovertext": hover_text, "hovertemplate": "%{hovertext}<extra></extra>",
                     "showlegend": False, "name": "edge weights"})
    return data


def _node_trace(grid: NodeGrid, units: list[list[str]], names: list[str],
                Bs: list[np.ndarray | None]) -> dict:
    """Every shown unit as a node, named inside when there is room; hover gives its bias."""
    xs: list[int] = []
    ys: list[float] = []
    text: list[str] = []
    hover: list[str] = []
    for ell, n in enumerate(grid.shown):
        bias = Bs[ell].tolist() if Bs[ell] is not None else None
        for i in range(n):
            xs.append(ell)
            ys.append(grid.y(ell, i))
            text.append(units[ell][i])
            line = f"<b>{units[ell][i]}</b> ({names[ell]})"
            hover.append(line if bias is None else f"{line}<br>bias = {fmt_number(bias[i], 4)}")
    show_text = grid.node_px >= 22
    trace = {
        "type": "scatter", "x": xs, "y": rounded(np.array(ys, dtype=float)),
        "mode": "markers+text" if show_text else "markers",
        "marker": {"size": grid.node_px, "color": style.NODE_FILL,
                   "line": {"color": style.NODE_OUTLINE, "width": 1.5}},
        "textposition": "middle center",
        "textfont": {"size": style.FONT_SIZE - 1 if grid.node_px >= 30 else style.FONT_SIZE - 3,
                     "color": style.TEXT_DARK},
        "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False, "name": "nodes",
    }
    if show_text:
        trace["text"] = text
    return trace


def _captions(sizes: list[int], grid: NodeGrid, names: list[str]) -> list[dict]:
    """Each layer's name and size under it, "+N more" under a truncated layer,
    and the edge colours' key above the plot."""
    out = []
    for ell, n in enumerate(sizes):
        out.append({"text": f"{names[ell]} ({n})", "x": ell, "xref": "x", "y": 0,
                    "yref": "paper", "yanchor": "top", "showarrow": False,
                    "font": {"size": style.ANNOTATION_FONT_SIZE}})
        if n > grid.shown[ell]:
            below = grid.y(ell, grid.shown[ell] - 1) - (grid.node_px / 2 + 2) / grid.unit_px
            out.append({"text": f"+{n - grid.shown[ell]} more", "x": ell, "xref": "x",
                        "y": rounded(below), "yref": "y", "yanchor": "top", "showarrow": False,
                        "font": {"size": style.ANNOTATION_FONT_SIZE, "color": style.PARAM_COLOR},
                        "bgcolor": "rgba(255,255,255,0.85)"})
    out.append({
        "text": (f"<span style='color:{style.POS_COLOR}'>blue +</span> / "
                 f"<span style='color:{style.NEG_COLOR}'>orange \u2212</span>, width \u221d |w|"),
        "x": 1, "xref": "paper", "xanchor": "right", "y": 1, "yref": "paper",
        "yanchor": "bottom", "showarrow": False,
        "font": {"size": style.ANNOTATION_FONT_SIZE - 1},
    })
    return out


def _axes(n_layers: int, grid: NodeGrid) -> dict:
    """Hidden axes whose y range fits the tallest layer and its padding."""
    top = (grid.tallest - 1) / 2.0
    pad_top = (_PAD_TOP_PX + grid.node_px / 2) / grid.unit_px
    pad_bottom = (_PAD_BOTTOM_PX + (_MORE_LABEL_PX if grid.truncated else 0.0)
                  + grid.node_px / 2) / grid.unit_px
    return {
        "xaxis": {"visible": False, "range": [-0.35, max(n_layers - 1, 0) + 0.35]},
        "yaxis": {"visible": False, "range": [rounded(-top - pad_bottom), rounded(top + pad_top)]},
    }


def network_diagram(
    layer_sizes: list[int],
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None = None,
    *,
    title: str = "Network",
    height: int = style.DIAGRAM_HEIGHT,
    input_names: list[str] | None = None,
) -> go.Figure:
    """Node-link diagram of a fully connected network.

    Edges are blue for positive, orange for negative weights, with width
    proportional to ``|w|`` (0.5 px .. 8 px, scaled to the largest finite
    ``|w|`` shown; the 8 px shrinks when two layers are joined by more than
    ``style.EDGE_FULL_WIDTH_EDGES`` edges, so that dense layers stay legible).
    Widths are bucketed (``style.EDGE_WIDTH_BUCKETS`` per sign) so all edges
    fit in few traces. Hovering the invisible dot on an edge shows
    ``w[x1->h2] = value``; hovering a node shows its bias.

    Parameters
    ----------
    layer_sizes : list[int], length L
        Units per layer, input first, e.g. ``[2, 3, 1]``.
    weights : list[np.ndarray], length L-1
        ``weights[l]`` has shape (layer_sizes[l], layer_sizes[l+1]).
    biases : list[np.ndarray], length L-1, optional
        ``biases[l]`` has shape (layer_sizes[l+1],) (or (1, n)).
    title : str, default "Network"
    height : int, default ``style.DIAGRAM_HEIGHT``
    input_names : list[str], length layer_sizes[0], optional
        The input nodes' names (e.g. the input features ``x1²``); default ``x1``, ``x2``, ...

    Returns
    -------
    go.Figure
        At most ``2 * EDGE_WIDTH_BUCKETS + 3`` traces: edge-line traces
        (``Scatter`` lines), one non-finite-weight trace if needed, one
        invisible edge-hover ``Scatter``, one node ``Scatter``. Layers
        wider than ``style.MAX_NODES_SHOWN`` show their first 16 nodes and
        a "+N more" label. No axes, no grid. Layers are captioned "input",
        "hidden" (or "hidden 1", ...), "output" with their sizes.
    """
    sizes, Ws, Bs = _checked(layer_sizes, weights, biases)
    L = len(sizes)
    names = _layer_names(L)
    units = [_unit_names(ell, L, n) for ell, n in enumerate(sizes)]
    if input_names is not None:
        if len(input_names) != sizes[0]:
            raise ValueError(f"input_names must name {sizes[0]} inputs, got {len(input_names)}")
        units[0] = [str(name) for name in input_names]
    grid = _node_grid(sizes, height)
    data = _edge_traces(Ws, grid, units) + [_node_trace(grid, units, names, Bs)]
    layout = base_layout(title, height, style.DIAGRAM_MARGIN)
    layout.update(annotations=_captions(sizes, grid, names), showlegend=False,
                  hovermode="closest", **_axes(L, grid))
    return make_figure(data, layout)
