"""Weights: a matrix heatmap and a node-link network diagram."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import _finite_max_abs, _fmt, _r, base_layout, make_figure


def _unique(labels: list[str]) -> list[str]:
    """Make category labels unique (plotly merges equal categories)."""
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        lab = str(lab)
        if lab in seen:
            seen[lab] += 1
            lab = f"{lab} ({seen[lab]})"
        else:
            seen[lab] = 1
        out.append(lab)
    return out


def weight_heatmap(
    W: np.ndarray,
    *,
    title: str,
    row_labels: list[str] | None = None,
    col_labels: list[str] | None = None,
    zmax: float | None = None,
    height: int | None = None,
) -> go.Figure:
    """Weight matrix as a diverging heatmap with the value in each cell.

    Parameters
    ----------
    W : np.ndarray, shape (n_in, n_out)
        Shown as n_in rows (row 0 at the top) x n_out columns.  A bias
        vector can be passed as shape (1, n_out) (a 1-D array of shape
        (n_out,) is treated the same way).  NaN cells are left blank,
        +-inf cells get the extreme colour; the cell text says "NaN"/"+inf".
    title : str
        E.g. ``"weight_hidden (2x3)"``.
    row_labels : list[str], length n_in, optional
        Default ``"in 1"``, ``"in 2"``, ...
    col_labels : list[str], length n_out, optional
        Default ``"h1"``, ``"h2"``, ...
    zmax : float, optional
        Colour scale runs from -zmax to +zmax (white at 0).  Default: the
        largest finite ``|W|``, or 1 if that is 0 / there is none.
    height : int, optional
        Default ``style.DEFAULT_HEIGHT``, or ``style.ROW_HEATMAP_HEIGHT`` for
        a single row.

    Returns
    -------
    go.Figure
        One ``Heatmap`` trace; one layout annotation per cell (3
        significant digits) unless the matrix has more than
        ``style.MAX_COLS_ANNOTATED`` columns or ``style.MAX_ROWS_ANNOTATED``
        rows: then hover only, and a note that says so.
    """
    A = np.asarray(W, dtype=float)
    if A.ndim == 1:
        A = A.reshape(1, -1)
    if A.ndim != 2:
        raise ValueError(f"W must be 2-D (n_in, n_out), got shape {A.shape}")
    n_in, n_out = A.shape
    rows = _unique(row_labels if row_labels is not None else [f"in {i + 1}" for i in range(n_in)])
    cols = _unique(col_labels if col_labels is not None else [f"h{j + 1}" for j in range(n_out)])
    if len(rows) != n_in or len(cols) != n_out:
        raise ValueError("row_labels / col_labels do not match the shape of W")
    if height is None:
        height = style.ROW_HEATMAP_HEIGHT if n_in == 1 else style.DEFAULT_HEIGHT
    if zmax is None or not np.isfinite(zmax) or zmax <= 0:
        zmax = _finite_max_abs(A, default=1.0)
    zmax = float(_r(zmax))
    # colour: clip infinities (and huge values) to the ends of the scale
    Z = np.clip(A, -zmax, zmax)  # NaN stays NaN -> None

    heatmap = {
        "type": "heatmap",
        "z": _r(Z),
        "x": cols,
        "y": rows,
        "zmin": -zmax,
        "zmax": zmax,
        "zmid": 0,
        "colorscale": style.DIVERGING_SCALE,
        "xgap": 1,
        "ygap": 1,
        # a short chart's colour bar has room for 3 tick labels, not plotly's 5
        "colorbar": {"thickness": 12, "len": 0.9, "title": {"text": "w", "side": "right"},
                     **({"nticks": 3} if height < style.DEFAULT_HEIGHT else {})},
        "hovertemplate": "%{y} \u2192 %{x}<br>w = %{z:.4g}<extra></extra>",
    }
    annotations = []
    annotated = n_in <= style.MAX_ROWS_ANNOTATED and n_out <= style.MAX_COLS_ANNOTATED
    if annotated:
        font_size = style.CELL_FONT_SIZE if max(n_in, n_out) <= 8 else style.CELL_FONT_SIZE - 3
        with np.errstate(invalid="ignore"):
            dark = (np.isfinite(A) & (np.abs(A) / zmax > 0.55)) | np.isinf(A)
        for i, (row, dark_row) in enumerate(zip(A.tolist(), dark.tolist(), strict=True)):
            for j, (v, dark_cell) in enumerate(zip(row, dark_row, strict=True)):
                annotations.append(
                    {
                        "x": j,
                        "y": i,
                        "xref": "x",
                        "yref": "y",
                        "text": _fmt(v, 3),
                        "showarrow": False,
                        "font": {
                            "size": font_size,
                            "color": style.TEXT_LIGHT if dark_cell else style.TEXT_DARK,
                        },
                    }
                )
    else:
        annotations.append({
            "text": "hover a cell for its value", "x": 1, "xref": "paper", "xanchor": "right",
            "y": 1, "yref": "paper", "yanchor": "bottom", "showarrow": False,
            "font": {"size": style.ANNOTATION_FONT_SIZE - 1, "color": style.PARAM_COLOR},
        })
    layout = base_layout(title, height)
    layout["annotations"] = annotations
    layout["xaxis"] = {
        "title": {"text": "to (column)"},
        "type": "category",
        "showgrid": False,
        "ticks": "",
        "showline": False,
        "side": "bottom",
    }
    layout["yaxis"] = {
        "title": {"text": "from (row)"},
        "type": "category",
        "autorange": "reversed",
        "showgrid": False,
        "ticks": "",
        "showline": False,
    }
    return make_figure([heatmap], layout)


# --------------------------------------------------------------------------
# Network diagram
# --------------------------------------------------------------------------


def _node_labels(layer: int, n_layers: int, n: int) -> list[str]:
    if layer == 0:
        return [f"x{i + 1}" for i in range(n)]
    if layer == n_layers - 1:
        return ["out"] if n == 1 else [f"o{i + 1}" for i in range(n)]
    prefix = "h" if n_layers == 3 else f"h{layer}."
    return [f"{prefix}{i + 1}" for i in range(n)]


def _default_layer_names(n_layers: int) -> list[str]:
    if n_layers == 1:
        return ["input"]
    names = ["input"]
    hidden = n_layers - 2
    names += ["hidden"] if hidden == 1 else [f"hidden {k + 1}" for k in range(hidden)]
    return names + ["output"]


def network_diagram(
    layer_sizes: list[int],
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None = None,
    *,
    layer_names: list[str] | None = None,
    activations: list[np.ndarray] | None = None,
    title: str = "Network",
    height: int = style.DIAGRAM_HEIGHT,
) -> go.Figure:
    """Node-link diagram of a fully connected network.

    Edges are blue for positive, orange for negative weights, with width
    proportional to ``|w|`` (0.5 px .. 8 px, scaled to the largest finite
    ``|w|`` shown; the 8 px shrinks when two layers are joined by more than
    ``style.EDGE_FULL_WIDTH_EDGES`` edges, so that dense layers stay legible).
    Widths are bucketed (``style.EDGE_WIDTH_BUCKETS`` per sign) so all edges
    fit in few traces.  Hovering the invisible dot on an
    edge shows ``w[x1->h2] = value``; hovering a node shows its bias (and
    activation).

    Parameters
    ----------
    layer_sizes : list[int], length L
        Units per layer, input first, e.g. ``[2, 3, 1]``.
    weights : list[np.ndarray], length L-1
        ``weights[l]`` has shape (layer_sizes[l], layer_sizes[l+1]).
    biases : list[np.ndarray], length L-1, optional
        ``biases[l]`` has shape (layer_sizes[l+1],) (or (1, n)).
    layer_names : list[str], length L, optional
        Column captions; default "input", "hidden" (or "hidden 1", ...),
        "output".  The layer size is appended, e.g. "hidden (3)".
    activations : list[np.ndarray], length L, optional
        One value per node per layer, shape (layer_sizes[l],), e.g. the
        forward pass of one input point; colours the nodes on the diverging
        scale (symmetric around 0) and adds a colour bar.
    title : str, default "Network"
    height : int, default ``style.DIAGRAM_HEIGHT``

    Returns
    -------
    go.Figure
        At most ``2 * EDGE_WIDTH_BUCKETS + 3`` traces: edge-line traces
        (``Scatter`` lines), one non-finite-weight trace if needed, one
        invisible edge-hover ``Scatter``, one node ``Scatter``.  Layers
        wider than ``style.MAX_NODES_SHOWN`` show their first 16 nodes and
        a "+N more" label.  No axes, no grid.
    """
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
    acts: list[np.ndarray] | None = None
    if activations is not None:
        if len(activations) != L:
            raise ValueError(f"need {L} activation vectors, got {len(activations)}")
        acts = []
        for ell, a in enumerate(activations):
            a = np.asarray(a, dtype=float).ravel()
            if a.shape != (sizes[ell],):
                raise ValueError(f"activations[{ell}] has {a.size} values, expected {sizes[ell]}")
            acts.append(a)
    names = list(layer_names) if layer_names is not None else _default_layer_names(L)
    if len(names) != L:
        raise ValueError(f"need {L} layer names, got {len(names)}")

    cap = style.MAX_NODES_SHOWN
    shown = [min(n, cap) for n in sizes]
    M = max(shown) if shown else 1
    labels = [_node_labels(ell, L, sizes[ell]) for ell in range(L)]

    def ypos(ell: int, i: int) -> float:
        return (shown[ell] - 1) / 2.0 - i

    # ---- edges -----------------------------------------------------------
    wmax = _finite_max_abs(
        np.concatenate([W[: shown[ell], : shown[ell + 1]].ravel() for ell, W in enumerate(Ws)])
        if Ws
        else np.zeros(0),
        default=1.0,
    )
    nb = style.EDGE_WIDTH_BUCKETS
    densest = max((a * b for a, b in zip(shown[:-1], shown[1:])), default=1)
    max_width = style.EDGE_MAX_WIDTH * min(1.0, math.sqrt(style.EDGE_FULL_WIDTH_EDGES / densest))
    buckets: dict[tuple[int, int], tuple[list, list]] = {}  # (sign, k) -> (xs, ys)
    bad_x: list = []
    bad_y: list = []
    hxy: list[float] = []  # hover dot positions x0, y0, x1, y1, ... (rounded below)
    htext: list[str] = []
    for ell, W in enumerate(Ws):
        ms, mt = shown[ell], shown[ell + 1]
        rows = W[:ms, :mt].tolist()
        for i in range(ms):
            y0 = ypos(ell, i)
            # hover dot position along the edge: differs per source node so
            # dots of different edges do not coincide
            t = 0.5 if ms == 1 else 0.3 + 0.4 * i / (ms - 1)
            src = f"w[{labels[ell][i]}->"
            for j, w in enumerate(rows[i]):
                y1 = ypos(ell + 1, j)
                if math.isnan(w):
                    bad_x += [ell, ell + 1, None]
                    bad_y += [y0, y1, None]
                else:
                    rel = min(abs(w) / wmax, 1.0)  # inf -> 1
                    k = int(round(rel * (nb - 1)))
                    sign = 0 if w == 0 else (1 if w > 0 else -1)
                    xs_, ys_ = buckets.setdefault((sign, k), ([], []))
                    xs_ += [ell, ell + 1, None]
                    ys_ += [y0, y1, None]
                hxy += [ell + t, y0 + t * (y1 - y0)]
                htext.append(f"{src}{labels[ell + 1][j]}] = {_fmt(w, 4)}")
    hover_xy = _r(np.array(hxy, dtype=float).reshape(-1, 2)) if hxy else []
    order = sorted(buckets, key=lambda sk: (sk[1], sk[0]))  # thin first, thick on top
    # round the y values of all line traces in one go (cheaper than per trace)
    all_y = [buckets[sk][1] for sk in order] + [bad_y]
    flat_y = _r(np.array([v for ys_ in all_y for v in ys_], dtype=float))
    cuts = np.cumsum([0] + [len(ys_) for ys_ in all_y]).tolist()
    ys_r = [flat_y[a:b] for a, b in zip(cuts[:-1], cuts[1:])]

    data: list[dict] = []
    for n, (sign, k) in enumerate(order):
        xs_ = buckets[(sign, k)][0]
        color = style.POS_COLOR if sign > 0 else style.NEG_COLOR if sign < 0 else style.ZERO_COLOR
        width = style.EDGE_MIN_WIDTH + (max_width - style.EDGE_MIN_WIDTH) * k / max(nb - 1, 1)
        sign_txt = "+" if sign > 0 else "-" if sign < 0 else "0"
        data.append(
            {
                "type": "scatter",
                "x": xs_,
                "y": ys_r[n],
                "mode": "lines",
                "line": {"color": color, "width": round(width, 2)},
                "opacity": 0.85,
                "hoverinfo": "skip",
                "showlegend": False,
                "name": f"{sign_txt} w, width {round(width, 2)}",
            }
        )
    if bad_x:
        data.append(
            {
                "type": "scatter",
                "x": bad_x,
                "y": ys_r[-1],
                "mode": "lines",
                "line": {"color": style.ZERO_COLOR, "width": 1.5, "dash": "dot"},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": "non-finite w",
            }
        )
    if hover_xy:
        data.append(
            {
                "type": "scatter",
                "x": [p[0] for p in hover_xy],
                "y": [p[1] for p in hover_xy],
                "mode": "markers",
                "marker": {"size": 10, "color": "rgba(0,0,0,0)"},
                "hovertext": htext,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "showlegend": False,
                "name": "edge weights",
            }
        )

    # ---- nodes -----------------------------------------------------------
    # vertical layout in pixels: nodes must fit, with room for "+N more"
    truncated = any(n > c for n, c in zip(sizes, shown, strict=True))
    plot_h = height - style.DIAGRAM_MARGIN["t"] - style.DIAGRAM_MARGIN["b"]
    pad_top_px = 6.0
    pad_bottom_px = 6.0 + (22.0 if truncated else 0.0)
    free_px = max(plot_h - pad_top_px - pad_bottom_px, 40.0)
    node_size = float(np.clip(0.75 * free_px / M, style.NODE_MIN_SIZE, style.NODE_MAX_SIZE))
    unit_px = (free_px - node_size) / (M - 1) if M > 1 else free_px
    show_text = node_size >= 22
    nx: list = []
    nyr: list[float] = []
    ntext: list[str] = []
    nhover: list[str] = []
    nval: list[float] = []
    for ell in range(L):
        bias = Bs[ell].tolist() if Bs[ell] is not None else None
        act = acts[ell].tolist() if acts is not None else None
        for i in range(shown[ell]):
            nx.append(ell)
            nyr.append(ypos(ell, i))
            ntext.append(labels[ell][i])
            hover = f"<b>{labels[ell][i]}</b> ({names[ell]})"
            if bias is not None:
                hover += f"<br>bias = {_fmt(bias[i], 4)}"
            if act is not None:
                a = act[i]
                hover += f"<br>activation = {_fmt(a, 4)}"
                nval.append(a)
            nhover.append(hover)
    ny = _r(np.array(nyr, dtype=float))
    marker: dict = {
        "size": node_size,
        "line": {"color": style.NODE_OUTLINE, "width": 1.5},
        "color": style.NODE_FILL,
    }
    textcolor: str | list[str] = style.TEXT_DARK
    if acts is not None:
        av = np.array(nval, dtype=float)
        amax = float(_r(_finite_max_abs(av, default=1.0)))
        clipped = np.clip(av, -amax, amax)
        marker.update(
            color=[v if v is not None else 0.0 for v in _r(clipped)],  # NaN -> 0 (white)
            colorscale=style.DIVERGING_SCALE,
            cmin=-amax,
            cmax=amax,
            cmid=0,
            showscale=True,
            colorbar={
                "thickness": 12,
                "len": 0.8,
                "title": {"text": "activation", "side": "right"},
            },
        )
        with np.errstate(invalid="ignore"):
            light = np.isfinite(clipped) & (np.abs(clipped) > 0.55 * amax)
        textcolor = [style.TEXT_LIGHT if v else style.TEXT_DARK for v in light.tolist()]
    nodes = {
        "type": "scatter",
        "x": nx,
        "y": ny,
        "mode": "markers+text" if show_text else "markers",
        "marker": marker,
        "textposition": "middle center",
        "textfont": {
            "size": style.FONT_SIZE - 1 if node_size >= 30 else style.FONT_SIZE - 3,
            "color": textcolor,
        },
        "hovertext": nhover,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "showlegend": False,
        "name": "nodes",
    }
    if show_text:
        nodes["text"] = ntext
    data.append(nodes)

    # ---- captions --------------------------------------------------------
    annotations = []
    y_bottom = -(M - 1) / 2.0
    for ell in range(L):
        annotations.append(
            {
                "text": f"{names[ell]} ({sizes[ell]})",
                "x": ell,
                "xref": "x",
                "y": 0,
                "yref": "paper",
                "yanchor": "top",
                "showarrow": False,
                "font": {"size": style.ANNOTATION_FONT_SIZE},
            }
        )
        if sizes[ell] > shown[ell]:
            annotations.append(
                {
                    "text": f"+{sizes[ell] - shown[ell]} more",
                    "x": ell,
                    "xref": "x",
                    "y": _r(ypos(ell, shown[ell] - 1) - (node_size / 2 + 2) / unit_px),
                    "yref": "y",
                    "yanchor": "top",
                    "showarrow": False,
                    "font": {"size": style.ANNOTATION_FONT_SIZE, "color": style.PARAM_COLOR},
                    "bgcolor": "rgba(255,255,255,0.85)",
                }
            )
    annotations.append(
        {
            "text": (
                f"<span style='color:{style.POS_COLOR}'>blue +</span> / "
                f"<span style='color:{style.NEG_COLOR}'>orange \u2212</span>, width \u221d |w|"
            ),
            "x": 1,
            "xref": "paper",
            "xanchor": "right",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": style.ANNOTATION_FONT_SIZE - 1},
        }
    )
    layout = base_layout(title, height, style.DIAGRAM_MARGIN)
    pad_top = (pad_top_px + node_size / 2) / unit_px
    pad_bottom = (pad_bottom_px + node_size / 2) / unit_px
    layout.update(
        annotations=annotations,
        showlegend=False,
        hovermode="closest",
        xaxis={"visible": False, "range": [-0.35, max(L - 1, 0) + 0.35]},
        yaxis={
            "visible": False,
            "range": [_r(y_bottom - pad_bottom), _r((M - 1) / 2.0 + pad_top)],
        },
    )
    return make_figure(data, layout)
