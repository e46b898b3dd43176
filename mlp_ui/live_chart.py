"""Live charts that the browser updates in place, instead of building a new chart per frame.

``st.plotly_chart`` gives a chart an element id that hashes its figure, so every live
frame's new data is a new element and the browser throws the old Plotly chart away
and builds another: with several charts a frame, Chromium's main thread saturated at
1-2 frames a second and a Pause waited behind the frames not yet drawn
(docs/live-view.md).

Here a small ``st.components.v2`` component draws the chart. It has no key (a key may
be drawn once per script run, and the live loop draws many frames in one run), so each
frame still mounts a new element, but the component's script
(``live_chart_js/live_chart.js``, served once as a module) keeps each chart's Plotly
div in a page-wide table by name, laid over the newest element's box, and calls
``Plotly.react`` on it, which updates the existing chart in place. What does not move
while a network trains is drawn once: a decision boundary's P heatmap and level line
are painted on a canvas under a transparent plot that holds its axes, colour bar and
points; another picture's data points go on a layer of their own
(``mlp_figures.layers``). Where updates come seldom, the canvas moves from one field
to the next instead of jumping. The page counts what it drew in ``window.__mlpLive``
(``drawn`` in all, ``byName``, ``fields``, ``tweens``), which the browser tests and
``python -m loadtest.live_view`` read.

Plotly.js itself comes from the plotly Python package (the same library that builds
our figures), served by a ``components.v1`` declaration of its package folder:
Streamlit's own bundled copy is not reachable from a component.
"""

from __future__ import annotations

import itertools
import os
import secrets

import plotly
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

from mlp_figures.layers import boundary_field, points_layer

from .views import CHART_CONFIG

DEFAULT_HEIGHT = 450   # pixels, as st.plotly_chart draws a figure without a height
# An unkeyed element's id hashes its arguments, and two equal ids in one script run are an
# error: a chart whose figure did not change between two live frames (a diagram drawn with
# rounded weights) sent the same arguments twice. Every call gets a number of its own,
# which also orders them: the browser runs the elements' scripts asynchronously, and the
# last live frame's could run after the finished page's, whose figure it then hid.
# The process's own id tells a restarted server's numbers from the last one's.
_calls = itertools.count()
_PROCESS = secrets.token_hex(4)

# The files the page loads, served by the two declarations below (and read by the tests).
PLOTLY_JS_DIR = os.path.join(os.path.dirname(plotly.__file__), "package_data")
LIVE_JS_DIR = os.path.join(os.path.dirname(__file__), "live_chart_js")

# Serves plotly.min.js (and nothing of ours) at /component/<name>/plotly.min.js.
_plotly_js = components.declare_component("plotly_js", path=PLOTLY_JS_DIR)
PLOTLY_URL = f"/component/{_plotly_js.name}/plotly.min.js"

# The component's code is served once as a module (browsers keep it): inline, its 15 KB
# rode every live element, most of a live frame's bytes.
_live_js = components.declare_component("live_chart_js", path=LIVE_JS_DIR)
LIVE_JS_URL = f"/component/{_live_js.name}/live_chart.js"
_LOADER = f"""
const url = new URL({LIVE_JS_URL!r}, document.baseURI).href;
export default function (args) {{
  import(url).then((m) => m.default(args));
}}
"""

COMPONENT = "mlp_live_chart"
_component = st.components.v2.component(COMPONENT, js=_LOADER, isolate_styles=False)


def live_chart(container, fig, name: str, *, points_apart: bool = False,
               key: str | None = None) -> None:
    """Draw ``fig`` in ``container`` as the chart called ``name``, updating it in place.

    ``name`` is the chart's identity in the page across frames (e.g. "playground-loss");
    two charts on one page need two names. ``points_apart``: what does not change while
    a network trains is drawn once: a decision boundary's heatmap and level line go on
    a canvas under the rest (``mlp_figures.layers.boundary_field``); any other figure's
    data points go on a layer of their own over it (``points_layer``). ``key``: a page that
    draws the chart once a run (not a live frame) keeps its element from run to run.
    """
    if fig is None:
        return
    payload = chart_data(fig, name, points_apart=points_apart)
    with container:
        _component(data=payload, height=payload["height"], key=key)


def chart_data(fig, name: str, *, points_apart: bool = False) -> dict:
    """The data ``live_chart.js`` draws ``fig`` from, as ``live_chart`` sends it.

    Keys: ``name``, ``call`` (this process's count), ``process``, ``url`` (plotly.js),
    ``height``, ``config``, ``fig`` (JSON), ``layer`` and ``field`` (JSON, or None).
    """
    base, layer, field = fig, None, None
    if points_apart:
        split = boundary_field(fig)
        if split is not None:
            base, field = split
        else:
            base, layer = points_layer(fig)
    spec = base.to_dict()    # serialised once: a plain Figure's to_dict is a deep copy
    height = int(spec.get("layout", {}).get("height") or DEFAULT_HEIGHT)
    return {"name": name, "call": next(_calls), "process": _PROCESS, "url": PLOTLY_URL,
            "height": height, "config": CHART_CONFIG, "fig": pio.to_json(spec, validate=False),
            "layer": None if layer is None else pio.to_json(layer.to_dict(), validate=False),
            "field": None if field is None else pio.json.to_json_plotly(field)}
