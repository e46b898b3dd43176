"""Private helpers: rounding, sanitising, the shared base layout, figure assembly."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go

from . import style

_POW10 = 10.0 ** np.arange(0, 23)  # exact doubles 1e0 .. 1e22


def rounded(a: Any, sig: int = 4) -> Any:
    """Round to ``sig`` significant digits for the browser; non-finite -> None.

    Parameters
    ----------
    a : array_like or scalar
        Any shape.
    sig : int, default 4
        Significant digits kept.

    Returns
    -------
    list or float or None
        Nested Python lists of the same shape as ``a`` (a plain float or
        None for a scalar).  Every float is the closest double to a short
        decimal, so it serialises to JSON in few characters; NaN and
        +-inf become ``None`` (JSON ``null``, a gap in plotly).
    """
    arr = np.asarray(a, dtype=float)
    finite = np.isfinite(arr)
    safe = np.where(finite, arr, 0.0)
    mag = np.floor(np.log10(np.abs(np.where(safe == 0.0, 1.0, safe))))
    k_raw = sig - 1 - mag  # decimals to keep
    exact = np.abs(k_raw) <= 22  # outside: powers of ten are inexact; keep value
    k = np.clip(k_raw, -22, 22).astype(int)
    pos = k >= 0
    # Dividing / multiplying an integer by an exact power of ten is correctly
    # rounded, which gives the shortest repr (no 0.30000000000000004).
    scale_pos = _POW10[np.where(pos, k, 0)]
    scale_neg = _POW10[np.where(pos, 0, -k)]
    m = np.where(pos, np.round(safe * scale_pos), np.round(safe / scale_neg))
    out = np.where(pos, m / scale_pos, m * scale_neg)
    out = np.where(exact, out, safe)
    odd = ~exact & finite  # rare: |x| < ~1e-19 or > ~1e25
    if np.any(odd):
        out = np.array(out, dtype=float, ndmin=1)
        flat_odd = np.atleast_1d(odd).ravel()
        flat = out.ravel()
        flat[flat_odd] = [float(f"{v:.{sig}g}") for v in flat[flat_odd]]
        out = flat.reshape(arr.shape)
    out = np.where(out == 0.0, 0.0, out)  # drop "-0.0"
    if arr.ndim == 0:
        return float(out) if bool(finite) else None
    obj = out.astype(object)
    obj[~finite] = None
    return obj.tolist()


def rounded_probs(a: Any) -> Any:
    """Clip probabilities to [0, 1] and round to 4 decimals; NaN -> None.

    Absolute (not significant-digit) rounding: 3e-7 and 0 look the same on
    a 0..1 colour scale, and ``0.0`` is shorter JSON than ``3e-07``.

    Parameters
    ----------
    a : array_like
        Any shape; +inf / -inf are clipped to 1 / 0.

    Returns
    -------
    list
        Nested lists of the same shape, floats or None.
    """
    arr = np.asarray(a, dtype=float)
    nan = np.isnan(arr)
    out = np.round(np.clip(np.where(nan, 0.0, arr), 0.0, 1.0), 4)
    obj = out.astype(object)
    obj[nan] = None
    return obj.tolist()


def as_numbers(a: Any) -> list:
    """Flat list of ints if ``a`` is integral (and finite), else ``rounded`` floats.

    Parameters
    ----------
    a : array_like, shape (n,)

    Returns
    -------
    list
        Length-n list of int, float or None.
    """
    arr = np.asarray(a).ravel()
    if arr.dtype.kind in "iub":
        return [int(v) for v in arr.tolist()]
    arr = arr.astype(float)
    if np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)) and np.all(np.abs(arr) < 2**53):
        return [int(v) for v in arr.tolist()]
    return rounded(arr)


def fmt_number(v: float, sig: int = 3) -> str:
    """Format one number for display text (``sig`` significant digits)."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+inf" if v > 0 else "-inf"
    s = f"{v:.{sig}g}"
    return "0" if s in ("-0", "0") else s


def finite_max_abs(a: Any, default: float = 1.0) -> float:
    """Largest finite ``|a|``; ``default`` if there is none or it is 0."""
    arr = np.asarray(a, dtype=float)
    arr = np.abs(arr[np.isfinite(arr)])
    if arr.size == 0:
        return default
    m = float(arr.max())
    return m if m > 0 else default


def class_labels(y: Any, n: int) -> np.ndarray:
    """Hard 0/1 labels from targets.

    Parameters
    ----------
    y : array_like, shape (n,) or (n, 1) or (n, k)
        0/1 labels, probabilities (thresholded at 0.5) or one-hot (argmax).
    n : int
        Expected number of samples.

    Returns
    -------
    np.ndarray of int, shape (n,)
    """
    arr = np.asarray(y, dtype=float)
    if arr.ndim == 2 and arr.shape[1] > 1:
        lab = np.argmax(np.nan_to_num(arr), axis=1)
    else:
        lab = (np.nan_to_num(arr.reshape(-1)) >= 0.5).astype(int)
    if lab.shape[0] != n:
        raise ValueError(f"got {lab.shape[0]} labels for {n} points")
    return np.clip(lab, 0, 1)


def points_2d(X: Any) -> np.ndarray:
    """Validate 2-D point coordinates.

    Parameters
    ----------
    X : array_like, shape (n, 2)

    Returns
    -------
    np.ndarray of float, shape (n, 2)
    """
    arr = np.asarray(X, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {arr.shape}")
    return arr


#: Space (px) between the top edge of the figure and the title.
TITLE_PAD_PX = 8

#: ``style.TEMPLATE`` as a plain dict (it is deep-copied into every figure).
_TEMPLATE = style.TEMPLATE.to_plotly_json()


def make_figure(data: list[dict], layout: dict, frames: list[dict] | None = None) -> go.Figure:
    """Assemble a ``go.Figure`` from plain dicts without property validation.

    Plotly's validation of every property (``go.Scatter(...)``,
    ``fig.update_layout(...)``, ...) costs 10-50 ms per figure, the biggest
    share of a redraw; the builders therefore write plain dicts, in exactly
    the form ``fig.to_dict()`` would give, and skip it here.  Typos in
    property names are caught by the tests instead, which rebuild every
    figure with full validation (``go.Figure(fig.to_dict())``).

    Parameters
    ----------
    data : list of dict
        Traces, each with a ``"type"`` key (``"scatter"``, ``"heatmap"``, ...).
    layout : dict
        Complete layout, nested dicts only (``{"title": {"text": ...}}``,
        not ``title_text``); must contain ``"template"`` (else plotly adds
        its default template).
    frames : list of dict, optional
        Animation frames.  Plotly 7.1 validates frames even with
        ``_validate=False`` (and ``go.Frame(..., _validate=False)`` gives
        frames whose ``.data`` raises), so they keep costing ~1 ms each;
        only the boundary replay has frames.

    Returns
    -------
    go.Figure
        An ordinary figure (``to_json``, ``.data``, ``.layout.title.text``
        work as usual); later edits to it are not validated either.
    """
    if frames:
        return go.Figure({"data": data, "layout": layout, "frames": frames}, _validate=False)
    return SpecFigure({"data": data, "layout": layout})


class SpecFigure(go.Figure):
    """A ``go.Figure`` that keeps the dict it was made from and builds plotly's tree lazily.

    ``st.plotly_chart`` only calls ``to_dict()``, and plotly answers that by
    building its object tree (``go.Figure.__init__``, even unvalidated) and
    deep-copying it back out: two thirds of a live frame's CPU on the server,
    which is shared by a classroom of sessions. Here ``to_dict()`` returns
    the finished spec as it is, and the first use of anything else
    (``.data``, ``.layout``, ``update_layout``, ...) builds the ordinary
    figure from it, so callers never see a difference.

    The dict ``to_dict()`` returns before the tree is built is the figure's
    own: read it, don't change it (plotly's is a copy).
    """

    def __init__(self, spec: dict):
        if spec.keys() <= {"data", "layout"}:
            self.__dict__["_spec"] = spec
        else:   # a copy or unpickling passes plotly's own extra keys: build at once
            go.Figure.__init__(self, spec, _validate=False)

    def _build(self) -> None:
        spec = self.__dict__.pop("_spec", None)
        if spec is not None:
            go.Figure.__init__(self, spec, _validate=False)

    def __getattr__(self, name: str):
        # Reached only when ordinary lookup fails, i.e. plotly's attributes are not
        # there yet; during the build itself ``_spec`` is gone and this raises.
        if "_spec" not in self.__dict__ or name.startswith("__"):
            raise AttributeError(name)
        self._build()
        return getattr(self, name)

    def to_dict(self) -> dict:
        spec = self.__dict__.get("_spec")
        return super().to_dict() if spec is None else spec


def base_layout(title: str, height: int, margin: dict | None = None) -> dict:
    """Layout shared by every figure (title, size, fonts, uirevision).

    Parameters
    ----------
    title : str
        Figure title (shown top left).
    height : int
        Fixed height in px.
    margin : dict, optional
        Plotly margin dict; defaults to :data:`style.MARGIN`.

    Returns
    -------
    dict
        A new layout dict (callers add their own keys to it).  The title
        sits in the top ``TITLE_PAD_PX + ~24`` px whatever the top margin,
        and ``margin.pad`` is 0.
    """
    return {
        "template": _TEMPLATE,
        "title": {
            "text": title,
            "x": 0.01,
            "xanchor": "left",
            # pinned to the top edge (not centred in the top margin), so rows
            # of labels above the plot area never run into it
            "yref": "container",
            "y": 1,
            "yanchor": "top",
            "pad": {"t": TITLE_PAD_PX},
            "font": {"size": style.TITLE_FONT_SIZE},
        },
        "height": int(height),
        # pad 0: axis lines touch the plot area (Streamlit's theme sets 8 px,
        # which left a white band between a heatmap and its axes frame)
        "margin": {**(margin or style.MARGIN), "pad": 0},
        "uirevision": style.UIREVISION,
        "hoverlabel": {"font": {"size": style.HOVER_FONT_SIZE}},
    }


#: Extra bottom margin (px) taken by a one-row legend under the x-axis title.
def no_data_note(text: str = "No data yet") -> dict:
    """Annotation centred on an empty plot."""
    return {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "showarrow": False,
        "font": {"size": style.FONT_SIZE + 2, "color": style.PARAM_COLOR},
    }



BOTTOM_LEGEND_PX = 34


def bottom_legend() -> dict:
    """Horizontal legend centred at the bottom edge of the figure.

    Anchored to the container (not the plot), so it never overlaps the
    x-axis title or data as long as the bottom margin includes
    :data:`BOTTOM_LEGEND_PX`.  Plotly wraps it into more rows (growing
    upwards) once its entries are wider than the plot area, so keep them
    short: two or three entries fit one row at ~450 px.
    """
    return {
        "orientation": "h",
        "xref": "container",
        "x": 0.5,
        "xanchor": "center",
        "yref": "container",
        "y": 0,
        "yanchor": "bottom",
        "bgcolor": "rgba(255,255,255,0)",
        "font": {"size": style.FONT_SIZE - 1},
    }


def epoch_player(frame_names: list[str], epochs: list[int], active: int, *, frame_ms: int,
                 redraw: bool, from_current: bool, buttons_pad: int, slider_pad: int
                 ) -> tuple[list[dict], list[dict]]:
    """Play/Pause buttons and an epoch slider for a figure's frames, played by the browser.

    Returns ``(updatemenus, sliders)`` for the layout, both under the plot; ``frame_names``
    (F,) name the frames, ``epochs`` (F,) label the slider's steps, ``active`` is the step
    shown first. ``redraw`` is needed when a frame changes a 3-D scene or a heatmap.
    """
    still = {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate",
             "transition": {"duration": 0}}
    play = {"frame": {"duration": int(frame_ms), "redraw": redraw},
            "transition": {"duration": 0}, "fromcurrent": from_current, "mode": "immediate"}
    buttons = [{
        "type": "buttons", "direction": "left", "showactive": False,
        "x": 0, "xanchor": "left", "y": 0, "yanchor": "top", "pad": {"t": buttons_pad, "r": 10},
        "font": {"size": style.FONT_SIZE},
        "buttons": [
            {"label": "\u25b6 Play", "method": "animate", "args": [None, play]},
            {"label": "\u275a\u275a Pause", "method": "animate", "args": [[None], still]},
        ],
    }]
    slider = [{
        "active": active, "x": 0, "len": 1, "xanchor": "left", "y": 0, "yanchor": "top",
        "pad": {"t": slider_pad, "b": 0},
        "currentvalue": {"prefix": "epoch ", "font": {"size": style.FONT_SIZE,
                                                      "color": style.TEXT_DARK}},
        "font": {"size": style.FONT_SIZE - 3},
        "steps": [{"label": f"{int(e):,}", "method": "animate", "args": [[name], still]}
                  for name, e in zip(frame_names, epochs)],
    }]
    return buttons, slider
