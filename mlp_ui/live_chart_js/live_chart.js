// The Playground's live charts, updated in place (mlp_ui/live_chart.py says why and how).
// Loaded once per page as a module: each live element's own script only imports it.
// Trusted static code; its data are figures of our making.
const L = (window.__mlpLive = window.__mlpLive ||
  {charts: {}, drawn: 0, byName: {}, hidden: {}, built: 0, received: 0});
// A chart whose element has been off the page this long, with no newer figure meanwhile,
// is hidden (the page paused without it, or another page).
const GONE_MS = 400;
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
// whenever the page's blocks change. All boxes are read before any div is moved: a
// read after a write forces the page's layout again, once per chart.
function parts(chart) {    // in painting order: the field's canvas under the plot
  return [chart.canvas, chart.div, chart.layer].filter(Boolean);
}
function where(chart) {
  const box = chart.box;
  if (!box || !box.isConnected) return null;
  const anchor = box.closest('[data-testid="stMainBlockContainer"]') || document.body;
  for (const d of parts(chart)) if (d.parentNode !== anchor) anchor.appendChild(d);
  if (!L.watched) watch(anchor);
  // An element that is not drawn (in a hidden block, or on its way out) has no box.
  if (!box.getClientRects().length) return null;
  const op = chart.div.offsetParent || anchor;
  const b = box.getBoundingClientRect(), o = op.getBoundingClientRect();
  return {top: b.top - o.top + op.scrollTop - op.clientTop,
          left: b.left - o.left + op.scrollLeft - op.clientLeft, width: b.width};
}
function put(d, top, left) {
  if (d.style.top !== `${top}px`) d.style.top = `${top}px`;
  if (d.style.left !== `${left}px`) d.style.left = `${left}px`;
  if (d.style.display) d.style.display = "";
}
function move(chart, at, now) {
  if (at) {
    for (const d of [chart.div, chart.layer]) if (d) put(d, at.top, at.left);
    if (chart.canvas) put(chart.canvas, at.top + chart.off.y, at.left + chart.off.x);
    chart.missing = null;
    if (Math.abs(at.width - chart.width) > 0.5) {
      chart.width = at.width;
      for (const d of [chart.div, chart.layer]) {
        if (!d) continue;
        d.style.width = `${at.width}px`;
        if (!window.Plotly || !d.data) continue;
        const resized = window.Plotly.Plots.resize(d);
        // The plot area moved: the field's canvas follows at once, not at the next update.
        if (d === chart.div && chart.field) {
          resized.then(() => chart.field && paintField(chart, chart.field,
                                                       chart.shown || chart.field.z));
        }
      }
    }
    return false;
  }
  if (chart.div.style.display === "none") return false;
  // Timed from the first look that missed it: the last look that found it may be long
  // ago (nothing moved since), and every chart was hidden on the first frame after Train.
  if (chart.missing == null) chart.missing = now;
  if (now - chart.missing <= GONE_MS) return true;     // look again later
  for (const d of parts(chart)) d.style.display = "none";   // paused, or another page
  L.hidden[chart.name] = (L.hidden[chart.name] || 0) + 1;
  return false;
}
function placeAll() {
  L.pending = false;
  const charts = Object.values(L.charts), now = performance.now();
  const spots = charts.map(where);
  const later = charts.map((chart, i) => move(chart, spots[i], now)).some(Boolean);
  if (later) setTimeout(schedule, GONE_MS);
}
function schedule() {
  if (!L.pending) { L.pending = true; requestAnimationFrame(placeAll); }
}
// Boxes move when the page's blocks change, or change size, or the window is resized;
// between those, nothing runs (a loop on every animation frame kept an idle tab's
// renderer busy).
function watch(anchor) {
  L.watched = true;
  // The divs are placed in the container's own coordinates, so that they scroll with
  // the page: placed against a block outside the scrolling one, a paused page's charts
  // stayed where they were on the screen while the page scrolled under them.
  if (getComputedStyle(anchor).position === "static") anchor.style.position = "relative";
  new MutationObserver(schedule).observe(anchor, {childList: true, subtree: true});
  new ResizeObserver(schedule).observe(anchor);
  window.addEventListener("resize", schedule);
}
const boxes = new ResizeObserver(schedule);
function newDiv() {
  const div = document.createElement("div");
  div.style.position = "absolute";
  return div;
}
// Streamlit's light chart theme, as a paused page's charts have it (read from their
// _fullLayout): without it a chart's text changed size and colour at every Pause.
const THEME = {family: '"Source Sans", sans-serif', text: "#808495", legend: "#262730",
               title: "#1a1a1a"};
function withDefaults(defaults, given) { return Object.assign({}, defaults, given); }
// The theme's fonts and bold titles, at the element's width (as st.plotly_chart's
// width="stretch"), not the figure's own.
function themed(layout) {
  const out = Object.assign({}, layout, {width: undefined, autosize: true});
  out.font = withDefaults({size: 12, color: THEME.text}, out.font);
  out.font.family = THEME.family;
  out.legend = Object.assign({}, out.legend, {
    font: withDefaults({size: 13, color: THEME.legend}, out.legend && out.legend.font)});
  for (const k of Object.keys(out)) {
    if (!/^[xy]axis\d*$/.test(k) || !out[k]) continue;
    // Streamlit's theme draws no vertical grid lines unless a figure asks for them.
    const axis = out[k] = Object.assign(k[0] === "x" ? {showgrid: false} : {}, out[k]);
    axis.tickfont = withDefaults({size: 12, color: THEME.text}, axis.tickfont);
    if (axis.title) {
      axis.title = Object.assign({}, axis.title, {
        font: withDefaults({size: 14, color: THEME.text}, axis.title.font)});
    }
  }
  if (out.title) {
    out.title = Object.assign({}, out.title);
    out.title.font = withDefaults({size: 18, color: THEME.title, weight: 600}, out.title.font);
  }
  return out;
}
// A drawn plot's margins (Plotly's _fullLayout._size), as a layout's margin.
function marginOf(size) {
  return {l: size.l, r: size.r, t: size.t, b: size.b, pad: size.p || 0};
}
function react(P, chart, latest) {
  const fig = JSON.parse(latest.fig);
  // A trace that did not change is handed back as the same object, which
  // Plotly.react skips.
  const texts = fig.data.map((t) => JSON.stringify(t));
  const same = (i) => chart.texts && chart.texts[i] === texts[i];
  fig.data = fig.data.map((t, i) => (same(i) ? chart.traces[i] : t));
  chart.texts = texts;
  chart.traces = fig.data;
  chart.figText = latest.fig;
  fig.layout = themed(fig.layout);
  // After the first draw, the margins the axes' labels pushed out are kept: automatic
  // margins cost a second layout pass on every update. A different kind of figure
  // under the same name (another data set's picture) gets its own margins first.
  const kind = JSON.stringify([fig.data.map((t) => t.type), fig.layout.title]);
  const size = kind === chart.kind && chart.div._fullLayout && chart.div._fullLayout._size;
  chart.kind = kind;
  if (size) {
    fig.layout.margin = marginOf(size);
    for (const k of Object.keys(chart.div._fullLayout)) {
      if (/^[xy]axis\d*$/.test(k)) {
        fig.layout[k] = Object.assign({}, fig.layout[k], {automargin: false});
      }
    }
  }
  return P.react(chart.div, fig.data, fig.layout, latest.config);
}
// The data points' layer (mlp_figures.layers.points_layer): drawn again only when its
// figure or the chart's margins change, with the margins of the chart under it so
// that the two plots coincide.
function drawLayer(P, chart, text, config) {
  if (!chart.layer) {
    chart.layer = newDiv();
    chart.div.after(chart.layer);
    chart.layer.style.width = chart.div.style.width;
  }
  chart.layer.style.height = chart.div.style.height;
  const margin = marginOf(chart.div._fullLayout._size);
  const key = text + JSON.stringify(margin);
  if (key === chart.layerKey) return null;
  chart.layerKey = key;
  const fig = JSON.parse(text);
  fig.layout = Object.assign(themed(fig.layout), {margin});
  return P.react(chart.layer, fig.data, fig.layout,
                 Object.assign({}, config, {displayModeBar: false}));
}
// A decision boundary's field (mlp_figures.layers.boundary_field): its colours and its
// level line, drawn on a canvas under the plot's transparent plot area.
function rgb(color) {
  if (color[0] === "#") return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
  return color.match(/[\d.]+/g).slice(0, 3).map(Number);       // rgb(r, g, b)
}
function colorAt(stops, t) {
  t = Math.min(1, Math.max(0, t));
  let k = 0;
  while (k < stops.length - 2 && t > stops[k + 1][0]) k++;
  const [s0, c0] = stops[k], [s1, c1] = stops[k + 1];
  const u = s1 > s0 ? (t - s0) / (s1 - s0) : 0;
  return c0.map((c, i) => Math.round(c + (c1[i] - c) * u));
}
// Marching squares: the segments where z crosses `level`, in grid coordinates (i, j).
function levelSegments(z, level) {
  const out = [], ny = z.length, nx = z[0].length;
  const cut = (i0, j0, v0, i1, j1, v1) => {
    const t = (level - v0) / (v1 - v0);
    return [i0 + (i1 - i0) * t, j0 + (j1 - j0) * t];
  };
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const a = z[j][i], b = z[j][i + 1], c = z[j + 1][i + 1], d = z[j + 1][i];
      if (a === null || b === null || c === null || d === null) continue;
      const up = [a >= level, b >= level, c >= level, d >= level];
      const edges = [];                    // bottom, right, top, left
      if (up[0] !== up[1]) edges.push(["b", cut(i, j, a, i + 1, j, b)]);
      if (up[1] !== up[2]) edges.push(["r", cut(i + 1, j, b, i + 1, j + 1, c)]);
      if (up[3] !== up[2]) edges.push(["t", cut(i, j + 1, d, i + 1, j + 1, c)]);
      if (up[0] !== up[3]) edges.push(["l", cut(i, j, a, i, j + 1, d)]);
      if (edges.length === 2) out.push([edges[0][1], edges[1][1]]);
      if (edges.length === 4) {            // a saddle: the centre decides
        const e = Object.fromEntries(edges);
        const centre = (a + b + c + d) / 4 >= level;
        if (centre === up[0]) out.push([e.b, e.r], [e.t, e.l]);
        else out.push([e.b, e.l], [e.t, e.r]);
      }
    }
  }
  return out;
}
function paintField(chart, f, z) {
  const full = chart.div._fullLayout, xa = full.xaxis, ya = full.yaxis;
  const w = Math.max(1, Math.round(xa._length)), h = Math.max(1, Math.round(ya._length));
  if (!chart.canvas) {
    chart.canvas = document.createElement("canvas");
    chart.canvas.style.position = "absolute";
    chart.canvas.style.pointerEvents = "none";
    chart.div.before(chart.canvas);
  }
  const c = chart.canvas, dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
  chart.off = {x: xa._offset, y: ya._offset};
  schedule();
  const nx = f.x.length, ny = f.y.length, span = f.zmax - f.zmin;
  const stops = f.colorscale.map(([s, color]) => [s, rgb(color)]);
  const img = new ImageData(nx, ny);      // a pixel per grid point, largest y on top
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = z[j][i], k = 4 * ((ny - 1 - j) * nx + i);
      if (v === null) continue;             // blank, as the heatmap leaves it
      const [r, g, b] = colorAt(stops, (v - f.zmin) / span);
      img.data[k] = r; img.data[k + 1] = g; img.data[k + 2] = b; img.data[k + 3] = 255;
    }
  }
  const src = chart.fieldSrc || (chart.fieldSrc = document.createElement("canvas"));
  src.width = nx;
  src.height = ny;
  src.getContext("2d").putImageData(img, 0, 0);
  const [x0, x1] = xa.range, [y0, y1] = ya.range;
  const px = (x) => ((x - x0) / (x1 - x0)) * w, py = (y) => h - ((y - y0) / (y1 - y0)) * h;
  const sx = (px(f.x[nx - 1]) - px(f.x[0])) / (nx - 1);
  const sy = (py(f.y[0]) - py(f.y[ny - 1])) / (ny - 1);
  const ctx = c.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  // The browser's smoothing interpolates between pixel centres, which sit on the
  // grid points, as the heatmap's "best" smoothing does between its cells.
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(src, px(f.x[0]) - sx / 2, py(f.y[ny - 1]) - sy / 2, sx * nx, sy * ny);
  const gx = (i) => px(f.x[0]) + i * sx, gy = (j) => py(f.y[0]) - j * sy;
  ctx.beginPath();
  for (const [[i0, j0], [i1, j1]] of levelSegments(z, f.level)) {
    ctx.moveTo(gx(i0), gy(j0));
    ctx.lineTo(gx(i1), gy(j1));
  }
  ctx.strokeStyle = f.line.color;
  ctx.lineWidth = f.line.width;
  ctx.lineCap = ctx.lineJoin = "round";
  ctx.stroke();
}
// Where updates come seldom (a class of 40 shares the server: about one a second), the
// canvas moves from the field it shows to the new one over most of the time between
// two updates, so that the boundary bends instead of jumping.
const TWEEN_FROM_MS = 250;    // updates closer than this are drawn as they come
const TWEEN_MAX_MS = 700;
// Drawn about 25 times a second: every animation frame cost a software-rendered tab a
// third of a core in the 40-session load test, whose tabs share the server's cores.
const TWEEN_STEP_MS = 40;
function mix(a, b, u) {
  return b.map((row, j) => row.map((v, i) => {
    const w = a[j][i];
    return v === null || w === null ? v : w + (v - w) * u;
  }));
}
function drawField(chart, f) {
  const now = performance.now(), gap = now - (chart.fieldAt || -Infinity);
  const from = chart.shown;
  chart.fieldAt = now;
  chart.field = f;                        // the newest field (read by the tests)
  L.fields = (L.fields || 0) + 1;
  const shaped = from && from.length === f.z.length && from[0].length === f.z[0].length;
  if (!shaped || gap < TWEEN_FROM_MS) {
    chart.tween = null;
    chart.shown = f.z;
    paintField(chart, f, f.z);
    return;
  }
  const tween = chart.tween = {start: now, ms: Math.min(TWEEN_MAX_MS, 0.8 * gap)};
  L.tweens = (L.tweens || 0) + 1;
  const step = (t) => {
    if (chart.tween !== tween) return;    // a newer field took over
    const u = Math.min(1, Math.max(0, (t - tween.start) / tween.ms));
    chart.shown = u < 1 ? mix(from, f.z, u) : f.z;
    paintField(chart, f, chart.shown);
    if (u < 1) setTimeout(() => requestAnimationFrame(step), TWEEN_STEP_MS);
    else chart.tween = null;
  };
  step(now);
}
function drop(chart, key) {
  if (!chart[key]) return;
  if (window.Plotly && chart[key].data) window.Plotly.purge(chart[key]);
  chart[key].remove();
  chart[key] = null;
}
// A whole figure (the paused page's) holds its own heatmap. The field goes with its
// canvas: a tween still on its way would paint the canvas again at its next step, and
// the next live field would be tweened from a picture no longer shown.
function dropField(chart) {
  chart.tween = chart.field = chart.shown = null;
  drop(chart, "canvas");
}
// The charts are drawn one at a time, each in a task of its own, those in the window
// first. Between two, the page handles its messages and clicks: a paused page's dozen
// charts drawn in one go held Chromium's main thread for 0.4 s, and the script's end,
// the controls and the charts a user looks at waited behind the ones below the fold.
// A chart whose newer figure arrives meanwhile is drawn once, with the newest; one
// that has waited STARVE_MS goes first, or a live loss in the window would keep the
// charts below it from ever being drawn.
const STARVE_MS = 300;
const inView = new IntersectionObserver((entries) => {
  for (const e of entries) e.target.inView = e.isIntersecting;
});
function nextChart() {
  const waiting = Object.values(L.charts).filter((c) => c.latest);
  if (!waiting.length) return null;
  const oldest = waiting.reduce((a, c) => (c.since < a.since ? c : a));
  if (performance.now() - oldest.since > STARVE_MS) return oldest;
  return waiting.find((c) => c.div.inView) || oldest;
}
const tasks = new MessageChannel();     // a task at once (setTimeout waits 4 ms when nested)
function pump() {
  if (!L.pumping) { L.pumping = true; tasks.port2.postMessage(null); }
}
tasks.port1.onmessage = () => {
  const chart = nextChart();
  if (!chart) { L.pumping = false; return; }
  plotly(chart.latest.url)
    .then((P) => drawChart(P, chart))
    .catch((err) => console.error("live chart", chart.name, err))
    .finally(() => tasks.port2.postMessage(null));
};
function drawChart(P, chart) {
  const latest = chart.latest;
  chart.latest = null;
  // A figure already drawn is not drawn again: a field's plot (axes, colour bar, points)
  // between its updates, or a chart the paused page did not change.
  const still = latest.fig === chart.figText;
  return (still ? Promise.resolve() : react(P, chart, latest))
    .then(() => (latest.layer ? drawLayer(P, chart, latest.layer, latest.config) : null))
    .then(() => {
      if (!latest.layer) { drop(chart, "layer"); chart.layerKey = null; }
      if (latest.field) drawField(chart, JSON.parse(latest.field));
      else dropField(chart);
      L.drawn++;
      L.byName[chart.name] = (L.byName[chart.name] || 0) + 1;
    });
}
export default function ({ data, parentElement }) {
  L.received++;
  let chart = L.charts[data.name];
  // An element whose script ran after a newer one's (mlp_ui/live_chart.py, _calls).
  if (chart && chart.process === data.process && data.call < chart.call) return;
  if (!chart) {
    chart = L.charts[data.name] = {name: data.name, div: newDiv(), latest: null, width: 0,
                                   missing: null, off: {x: 0, y: 0}};
    chart.div.dataset.liveChart = data.name;     // found by the browser tests
    inView.observe(chart.div);
    L.built++;
  }
  chart.div.style.height = `${data.height}px`;
  // An element may mount before it is laid out (with no box yet): its chart shows when
  // it gets one.
  if (chart.box !== parentElement) {
    if (chart.box) boxes.unobserve(chart.box);
    boxes.observe(parentElement);
  }
  chart.box = parentElement;
  chart.call = data.call;
  chart.process = data.process;
  // A newer figure says the chart is still on the page, even when its element has gone
  // already: the elements' scripts run late, and while a run trains the next frame has
  // often replaced an element by the time its script runs. Timed from the last look, the
  // loss and the boundary blinked out for 0.4-1.3 s a few times a run.
  chart.missing = null;
  move(chart, where(chart), performance.now());
  if (!chart.latest) chart.since = performance.now();
  chart.latest = data;
  pump();
}
