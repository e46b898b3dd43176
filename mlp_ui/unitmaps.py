"""The Playground's "What each neuron sees": every unit's activation over the input plane.

``section`` places the section's widgets once per script run (before the live loop);
``draw`` fills it for one frame. Both maps come from one forward pass over a coarse
grid, which gives every layer's activations at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import mlp_figures as figs
from mlp_core.datasets import Dataset
from mlp_core.grid import layer_grids
from mlp_core.network import Network

from . import keys
from .views import chart, input_labels

# Grid cells over all maps: a finer grid for few units, a coarser one for many, so the
# figure stays under 40 KB (a trained 2-16-16-1: 35 maps of 13x13, 38 KB; saturated
# units' "-100" cost more characters than an untrained net's values).
MAP_CELLS = 6_500
MAP_RESOLUTION = (12, 30)     # the fewest and most grid points per side of a small map
DETAIL_RESOLUTION = 40        # the selected unit's map, as fine as the boundary's
# The range an activation's colours span when the function bounds it; relu and linear
# units (and the inputs) span -max|a|..max|a| of their layer instead.
MAX_MAP_UNITS = 16   # a row of more maps than this is too small to read: a note instead
BOUNDED = {"sigmoid": (0.0, 1.0), "softmax": (0.0, 1.0), "tanh": (-1.0, 1.0)}


@dataclass(frozen=True)
class Unit:
    """One unit of the network: layer ``layer`` (0 = inputs), index ``index``, its name."""

    layer: int
    index: int
    name: str


@dataclass(frozen=True)
class Section:
    """Where the section draws and what the teacher chose."""

    maps_ph: object
    detail_ph: object
    weights_ph: object
    selected: Unit | None


def unit_names(net: Network) -> list[list[str]]:
    """Names as the network diagram and the tutorial give them: x1 (or the feature),
    h1 or h1.3 (hidden layer 1, unit 3), out or o1."""
    sizes = net.layer_sizes
    hidden = len(sizes) - 2
    out = [input_labels(net) or [f"x{i + 1}" for i in range(sizes[0])]]
    for l in range(1, len(sizes) - 1):
        prefix = "h" if hidden == 1 else f"h{l}."
        out.append([f"{prefix}{i + 1}" for i in range(sizes[l])])
    out.append(["out"] if sizes[-1] == 1 else [f"o{i + 1}" for i in range(sizes[-1])])
    return out


def layer_titles(net: Network) -> list[str]:
    hidden = net.n_hidden_layers
    names = ["input"] + (["hidden"] if hidden == 1 else [f"hidden {l + 1}" for l in range(hidden)])
    acts = [net.hidden_activation] * hidden + [net.output_activation]
    first = "input" if net.features is None else "input features"
    return [first] + [f"{n} ({a})" for n, a in zip(names[1:] + ["output"], acts)]


def activation_of(net: Network, layer: int) -> str | None:
    """The function layer ``layer``'s units apply; None for the inputs."""
    if layer == 0:
        return None
    return net.output_activation if layer == len(net.layer_sizes) - 1 else net.hidden_activation


def colour_range(net: Network, layer: int, a: np.ndarray) -> tuple[float, float]:
    """The activation's own range when it has one, else symmetric about 0 to the layer's max |a|."""
    fixed = BOUNDED.get(activation_of(net, layer) or "")
    if fixed:
        return fixed
    top = figs.finite_max_abs(a, default=1.0)
    return -top, top


def range_note(lo: float, hi: float, fixed: bool) -> str:
    return f"{lo:g} to {hi:g}" if fixed else f"±{hi:.3g}, this layer's largest |a|"


def resolution_for(net: Network) -> int:
    lo, hi = MAP_RESOLUTION
    return int(min(hi, max(lo, math.isqrt(MAP_CELLS // sum(net.layer_sizes)))))


def all_units(net: Network) -> list[Unit]:
    return [Unit(l, i, name) for l, names in enumerate(unit_names(net))
            for i, name in enumerate(names)]


def plane_maps(data: Dataset, net: Network, resolution: int | None = None):
    """The small-maps figure for a 2-input net: one forward pass over a coarse grid."""
    xs, ys, maps = layer_grids(net, data.bounds(), resolution or resolution_for(net))
    ranges = [colour_range(net, l, m) for l, m in enumerate(maps)]
    titles = [f"{t}: colours {range_note(lo, hi, activation_of(net, l) in BOUNDED)}"
              for l, (t, (lo, hi)) in enumerate(zip(layer_titles(net), ranges))]
    return figs.unit_maps(xs, ys, maps, unit_names(net), titles, ranges)


def curve_maps(data: Dataset, net: Network, points: int = 200):
    """A 1-input net: each hidden and output unit's activation against x."""
    lo, hi = float(data.X_train.min()), float(data.X_train.max())
    pad = 0.05 * (hi - lo if hi > lo else 1.0)
    x = np.linspace(lo - pad, hi + pad, points)
    _, acts = net.forward(x.reshape(-1, 1))
    x_name = data.feature_names[0] if data.feature_names else "x"
    return figs.unit_curves(x, acts[1:], unit_names(net)[1:], layer_titles(net)[1:],
                            x_title=x_name)


def incoming(net: Network, unit: Unit) -> str:
    """``h1.3 = tanh(0.52·x1 − 1.3·x2 + 0.1)``: the unit's weights and bias, in Markdown."""
    if unit.layer == 0:
        return f"**{unit.name}** is an input: it has no incoming weights."
    names = unit_names(net)[unit.layer - 1]
    W, b = net.weights[unit.layer - 1][:, unit.index], net.biases[unit.layer - 1][unit.index]
    terms = [(w, f"{abs(w):.3g}·{n}") for w, n in zip(W, names)]
    if net.bias:
        terms.append((b, f"{abs(b):.3g}"))
    text = " ".join(f"{'−' if v < 0 else '+'} {body}" for v, body in terms)
    text = text[2:] if text.startswith("+ ") else "−" + text[2:]
    act = activation_of(net, unit.layer)
    if act == "softmax":    # each output's share depends on every output's z
        return f"**{unit.name}** = softmax(z)[{unit.index + 1}], z{unit.index + 1} = {text}"
    return f"**{unit.name}** = {act}({text})"


def unit_line(net: Network, unit: Unit) -> tuple[float, float, float] | None:
    """``(w1, w2, b)`` of a first-layer unit on the inputs x1, x2 exactly; else None."""
    if unit.layer != 1 or net.features is not None or net.layer_sizes[0] != 2:
        return None
    W = net.weights[0][:, unit.index]
    return float(W[0]), float(W[1]), float(net.biases[0][unit.index])


def detail_figure(data: Dataset, net: Network, unit: Unit):
    xs, ys, maps = layer_grids(net, data.bounds(), DETAIL_RESOLUTION)
    z = maps[unit.layer][:, :, unit.index]
    lo, hi = colour_range(net, unit.layer, maps[unit.layer])
    return figs.unit_map_detail(xs, ys, z, (lo, hi), name=unit.name,
                                line=unit_line(net, unit), title=f"{unit.name} up close")


def section(st, data: Dataset, net: Network) -> Section | None:
    """Heading, toggle and unit picker; None when the maps are hidden or cannot be drawn."""
    st.subheader("What each neuron sees")
    n_in = net.n_data_inputs
    if n_in > 2:
        st.caption(f"Each unit's map needs a 2-D input plane; this data has {n_in} inputs. "
                   "The chart beside the loss shows the network on a plane through the data.")
        return None
    shown = st.toggle("Show unit maps", value=True, key=keys.SHOW_UNIT_MAPS,
                      help="Every unit's activation over the input plane (along x for 1-D "
                           "data), laid out like the network diagram.")
    if not shown:
        return None
    if n_in == 1:
        st.caption("One input: each unit's map is a curve, its activation against x.")
        return Section(st.empty(), None, None, None)
    st.caption("One row per layer, input to output. Colours as the decision boundary: "
               "orange low, white the middle, blue high, over the activation's range "
               "(sigmoid 0 to 1, tanh −1 to 1; relu and linear ± the layer's largest |a|).")
    widest = max(net.layer_sizes)
    if widest > MAX_MAP_UNITS:
        st.caption(f"A layer of {widest} units makes each map too small to read (at most "
                   f"{MAX_MAP_UNITS} per row): look closer at one unit at a time below.")
    maps_ph = st.empty() if widest <= MAX_MAP_UNITS else None
    units = [u for u in all_units(net) if u.layer > 0]
    left, right = st.columns([1, 1])
    picked = left.selectbox("Look closer at", units, format_func=lambda u: u.name,
                            key=keys.UNIT_PICKED)
    weights_ph = left.empty()
    return Section(maps_ph, right.empty(), weights_ph, picked)


def draw(sec: Section | None, data: Dataset, net: Network, frame, put=None) -> None:
    """Fill the section for one frame.

    ``put(container, fig, name)`` draws a chart (the Playground's: in place while live);
    by default an ordinary chart whose key is ``name`` and ``frame``.
    """
    if sec is None:
        return
    if put is None:
        def put(container, fig, name):
            chart(container, fig, f"{name}-{frame}")
    if net.n_data_inputs == 1:
        put(sec.maps_ph, curve_maps(data, net), "unitcurves")
        return
    if sec.maps_ph is not None:
        put(sec.maps_ph, plane_maps(data, net), "unitmaps")
    if sec.selected is not None:
        sec.weights_ph.markdown(incoming(net, sec.selected))
        # While training, the browser redraws enough: the close look waits for Pause.
        if isinstance(frame, int):
            sec.detail_ph.caption(f"{sec.selected.name}'s map up close: when paused.")
        else:
            put(sec.detail_ph, detail_figure(data, net, sec.selected), "unitdetail")
