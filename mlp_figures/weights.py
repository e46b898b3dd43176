"""A weight matrix as a heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from . import style
from ._util import base_layout, finite_max_abs, fmt_number, make_figure, rounded


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
        zmax = finite_max_abs(A, default=1.0)
    zmax = float(rounded(zmax))
    # colour: clip infinities (and huge values) to the ends of the scale
    Z = np.clip(A, -zmax, zmax)  # NaN stays NaN -> None

    heatmap = {
        "type": "heatmap",
        "z": rounded(Z),
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
                        "text": fmt_number(v, 3),
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
