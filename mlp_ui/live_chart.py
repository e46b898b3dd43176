"""Live charts that the browser updates in place, instead of building a new chart per frame.

``st.plotly_chart`` gives a chart an element id that hashes its figure, so every live
frame's new data is a new element and the browser throws the old Plotly chart away
and builds another: with several charts a frame, Chromium's main thread saturated at
1-2 frames a second and a Pause waited behind the frames not yet drawn
(docs/live-view.md).

Here a small ``st.components.v2`` component draws the chart. It has no key (a key may
be drawn once per script run, and the live loop draws many frames in one run), so each
frame still mounts a new element, but the component's script keeps each chart's Plotly
div in a page-wide table by name, laid over the newest element's box, and calls
``Plotly.react`` on it, which updates the existing chart in place. The page
counts what it drew in ``window.__mlpLive`` (``drawn`` in all, ``byName``), which the
browser tests and ``python -m loadtest.live_view`` read.

Plotly.js itself comes from the plotly Python package (the same library that builds
our figures), served by a ``components.v1`` declaration of its package folder:
Streamlit's own bundled copy is not reachable from a component.
"""

from __future__ import annotations

import itertools
import os

import plotly
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

from .views import CHART_CONFIG

DEFAULT_HEIGHT = 450   # pixels, as st.plotly_chart draws a figure without a height
# An unkeyed element's id hashes its arguments, and two equal ids in one script run are an
# error: a chart whose figure did not change between two live frames (a diagram drawn with
# rounded weights) sent the same arguments twice. Every call gets a number of its own.
_calls = itertools.count()

# Serves plotly.min.js (and nothing of ours) at /component/<name>/plotly.min.js.
_plotly_js = components.declare_component(
    "plotly_js", path=os.path.join(os.path.dirname(plotly.__file__), "package_data"))
PLOTLY_URL = f"/component/{_plotly_js.name}/plotly.min.js"

# Trusted static code; its data are figures of our making.
_JS = r"""
const L = (window.__mlpLive = window.__mlpLive ||
  {charts: {}, drawn: 0, byName: {}, built: 0, received: 0});
const GONE_MS = 400;   // a chart whose element left the page this long ago is hidden
function plotly(url) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!L.loading) {
    L.loading = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = url;
      s.onload = () => resolve(window.Plotly);
      s.onerror = () => { L.loading = null; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(s);
    });
  }
  return L.loading;
}
// Every frame replaces the chart's element, and the new one mounts a moment after the
// old one has left the page (this script runs asynchronously), often after a paint: a
// div inside the element would blink. So the div lives beside the page's blocks, in
// the main block container, which stays, and is laid over the newest element's box
// on every animation frame.
function place(chart) {
  const d = chart.div, box = chart.box;
  if (box && box.isConnected) {
    const anchor = box.closest('[data-testid="stMainBlockContainer"]') || document.body;
    if (d.parentNode !== anchor) anchor.appendChild(d);
    const op = d.offsetParent || anchor;
    const b = box.getBoundingClientRect(), o = op.getBoundingClientRect();
    d.style.top = `${b.top - o.top + op.scrollTop - op.clientTop}px`;
    d.style.left = `${b.left - o.left + op.scrollLeft - op.clientLeft}px`;
    d.style.display = "";
    chart.seen = performance.now();
    if (Math.abs(b.width - chart.width) > 0.5) {
      chart.width = b.width;
      d.style.width = `${b.width}px`;
      if (window.Plotly && d.data) window.Plotly.Plots.resize(d);
    }
  } else if (d.style.display !== "none" && performance.now() - chart.seen > GONE_MS) {
    d.style.display = "none";      // no live frame any more: paused, or another page
  }
}
if (!L.ticking) {
  L.ticking = true;
  const tick = () => {
    for (const chart of Object.values(L.charts)) place(chart);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
export default function ({ data, parentElement }) {
  L.received++;
  let chart = L.charts[data.name];
  if (!chart) {
    const div = document.createElement("div");
    div.style.position = "absolute";
    chart = L.charts[data.name] = {div, latest: null, busy: false, width: 0, seen: 0};
    L.built++;
  }
  chart.div.style.height = `${data.height}px`;
  chart.box = parentElement;
  place(chart);
  chart.latest = data.fig;                // drawn when the draw under way is done
  const draw = (P) => {
    const text = chart.latest;
    chart.latest = null;
    const fig = JSON.parse(text);
    // A trace that did not change (the data points) is handed back as the same object,
    // which Plotly.react skips: restyling hundreds of unchanged markers every frame
    // was most of the page's work.
    const texts = fig.data.map((t) => JSON.stringify(t));
    const same = (i) => chart.texts && chart.texts[i] === texts[i];
    fig.data = fig.data.map((t, i) => (same(i) ? chart.traces[i] : t));
    chart.texts = texts;
    chart.traces = fig.data;
    // As st.plotly_chart's width="stretch": the element's width, not the figure's own.
    fig.layout = Object.assign({}, fig.layout, {width: undefined, autosize: true});
    // The page's font and bold titles, as Streamlit's chart theme draws the paused page.
    fig.layout.font = Object.assign({}, fig.layout.font, {family: '"Source Sans", sans-serif'});
    if (fig.layout.title) {
      fig.layout.title = Object.assign({}, fig.layout.title);
      fig.layout.title.font = Object.assign({weight: 600}, fig.layout.title.font);
    }
    // After the first draw, the margins the axes' labels pushed out are kept: automatic
    // margins cost a second layout pass on every update.
    const size = chart.div._fullLayout && chart.div._fullLayout._size;
    if (size) {
      fig.layout.margin = {l: size.l, r: size.r, t: size.t, b: size.b, pad: size.p || 0};
      for (const k of Object.keys(chart.div._fullLayout)) {
        if (/^[xy]axis\d*$/.test(k)) {
          fig.layout[k] = Object.assign({}, fig.layout[k], {automargin: false});
        }
      }
    }
    return P.react(chart.div, fig.data, fig.layout, data.config).then(() => {
      L.drawn++;
      L.byName[data.name] = (L.byName[data.name] || 0) + 1;
      return chart.latest ? draw(P) : null;
    });
  };
  if (!chart.busy) {
    chart.busy = true;
    plotly(data.url).then(draw).finally(() => { chart.busy = false; });
  }
}
"""

_component = st.components.v2.component("mlp_live_chart", js=_JS, isolate_styles=False)


def live_chart(container, fig, name: str) -> None:
    """Draw ``fig`` in ``container`` as the chart called ``name``, updating it in place.

    ``name`` is the chart's identity in the page across frames (e.g. "playground-loss");
    two charts on one page need two names.
    """
    if fig is None:
        return
    spec = fig.to_dict()     # serialised once: a plain Figure's to_dict is a deep copy
    height = int(spec.get("layout", {}).get("height") or DEFAULT_HEIGHT)
    payload = {"name": name, "call": next(_calls), "url": PLOTLY_URL, "height": height,
               "config": CHART_CONFIG, "fig": pio.to_json(spec, validate=False)}
    with container:
        _component(data=payload, height=height)

