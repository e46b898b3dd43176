"""The run report: one self-contained HTML file a student can hand in.

It holds interactive charts (plotly.js inlined, so it opens offline), the settings,
seeds and versions, the final metrics and weights, the truth table or confusion
matrix, and the link that reproduces the run. Every piece of text that came from
a person or a file (titles, a CSV's column names, settings) is escaped.

A report is made from a saved run (``RunIn`` or ``RunRecord``: anything with
their fields) and, when the run's data can be drawn again, its ``Dataset``.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime

import numpy as np
import plotly.utils
from plotly.offline import get_plotlyjs

import mlp_figures as figs
from mlp_core import model_io
from mlp_core.datasets import Dataset
from mlp_core.metrics import confusion_matrix
from mlp_core.network import Network
from mlp_core.settings import SPECS, data_for

from . import views

MAX_TABLE_CELLS = 32 * 32     # larger weight matrices are summarised, not tabulated
MAX_MODEL_CHARS = 2_000_000   # the model file is embedded as text up to this size
METRIC_LABELS = {"train_loss": "Train loss", "test_loss": "Test loss",
                 "train_accuracy": "Train accuracy", "test_accuracy": "Test accuracy",
                 "train_r2": "Train R²", "test_r2": "Test R²"}

_CSS = """
body { font-family: "Source Sans Pro", Arial, sans-serif; color: #1a1a1a; margin: 2rem auto;
       max-width: 1200px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.sub { color: #555; margin-top: .3rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .95rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; text-align: left; }
th { background: #f2f5f9; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 1rem; }
.chart { min-height: 360px; } code, pre { background: #f2f5f9; padding: .1rem .3rem; }
pre { max-height: 24rem; overflow: auto; padding: .6rem; font-size: .8rem; }
.weights { display: flex; flex-wrap: wrap; gap: 1.5rem; }
"""

_PLOT_ALL = """
document.querySelectorAll("script[type='application/json'][data-figure]").forEach((node) => {
  const spec = JSON.parse(node.textContent);
  Plotly.newPlot(node.dataset.figure, spec.data, spec.layout,
                 {responsive: true, displaylogo: false});
});
"""


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def _figure_json(fig) -> str:
    """A figure as JSON that is safe inside a <script> element (no "</script>" can end it)."""
    text = json.dumps(fig.to_dict(), cls=plotly.utils.PlotlyJSONEncoder)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def picture(data: Dataset, net: Network):
    """The chart of what ``net`` does with ``data`` (boundary, regions, fit), or None."""
    kind = views.picture_kind(data, net)
    if kind == "boundary":
        return views.boundary_figure(data, net, show_lines=False)
    if kind == "none":
        return None
    plane = views.make_plane(data) if kind.endswith("-plane") else None
    if kind.startswith("regions"):
        return views.regions_figure(data, net, plane)
    return views.regression_figure(data, net, plane)


def record_data(record) -> Dataset | None:
    """The data a saved run trained on, drawn again from its settings (None for a CSV)."""
    from .saving import redrawable, settings_of

    if not redrawable(record.settings):
        return None
    try:
        return data_for(settings_of(record.settings))
    except ValueError:
        return None


def _table(rows, header: tuple[str, ...] | None = None, numeric: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header) if header else ""
    body = "".join(
        "<tr>" + "".join(f"<td class='num'>{esc(c)}</td>" if i in numeric else f"<td>{esc(c)}</td>"
                         for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table>{'<tr>' + head + '</tr>' if head else ''}{body}</table>"


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _weights_html(net: Network) -> str:
    parts = []
    for name, W, b in zip(views.weight_names(net), net.weights, net.biases):
        rows, cols = W.shape
        if rows * cols > MAX_TABLE_CELLS:
            a = np.abs(W)
            parts.append(f"<div><h3>{esc(name)} ({rows}x{cols})</h3><p>{rows * cols:,} weights: "
                         f"mean |w| {a.mean():.4g}, largest {a.max():.4g}. Every value is in "
                         "the model file below.</p></div>")
            continue
        body = [[f"in {i + 1}", *(f"{w:.6g}" for w in W[i])] for i in range(rows)]
        if net.bias:
            body.append(["bias", *(f"{v:.6g}" for v in b)])
        header = ("", *(f"unit {j + 1}" for j in range(cols)))
        parts.append(f"<div><h3>{esc(name)} ({rows}x{cols})</h3>"
                     f"{_table(body, header, set(range(1, cols + 1)))}</div>")
    return "<div class='weights'>" + "".join(parts) + "</div>"


def _truth_table(data: Dataset, net: Network) -> str:
    out = net.predict_proba(data.X_train)
    rows = [(int(x[0]), int(x[1]), int(t), views.fmt_output(float(p)), int(p >= 0.5),
             "✓" if int(p >= 0.5) == int(t) else "✗")
            for x, t, p in zip(data.X_train, data.y_train.astype(int), out)]
    return _table(rows, ("x1", "x2", "target", "output", "predicted", "right"), {0, 1, 2, 3, 4})


def _confusion_table(counts: np.ndarray, names: list[str]) -> str:
    header = ("true \\ predicted", *names)
    rows = [(names[i], *(int(c) for c in counts[i])) for i in range(len(names))]
    return _table(rows, header, set(range(1, len(names) + 1)))


def report_html(record, data: Dataset | None, *, base_url: str = "",
                created: datetime | None = None) -> str:
    """The report of one saved run as a complete HTML document.

    Parameters
    ----------
    record : a ``RunIn`` or ``RunRecord`` (title, status, kind, settings, link, seeds,
        versions, metrics, loss_epochs, loss_values, model, epochs, seconds)
    data : the run's data drawn again, or None (then the data's pictures are left out)
    base_url : the app's address, so the reproducing link opens it from anywhere
    created : when the run was saved (a RunRecord's ``updated``)
    """
    figures: list = []
    net = model_io.read(record.model).net if record.model else None
    title = record.title
    if len(record.loss_epochs):
        figures.append(figs.loss_curve(
            {"train": (np.asarray(record.loss_epochs), np.asarray(record.loss_values))},
            log_y=True, title=f"Training loss ({record.settings.get('loss', '')}), log scale"))
    tables = ""
    if net is not None and data is not None and data.n_features == net.n_data_inputs:
        main = picture(data, net)
        if main is not None:
            figures.append(main)
        if data.is_gate:
            tables = "<h2>Truth table</h2>" + _truth_table(data, net)
        elif net.task == "classify":
            confusion, per_class = views.class_figures(data, net)
            figures.extend([confusion, per_class])
            which, X, y = views.scored_split(data)
            k = max(net.n_outputs, 2)
            names = list(data.classes) if len(data.classes) == k else [str(c) for c in range(k)]
            tables = (f"<h2>Confusion matrix ({esc(which)})</h2>"
                      + _confusion_table(confusion_matrix(y, net.predict(X), k), names))
    elif net is not None and data is None:
        tables = ("<p>The data was an uploaded CSV file, which is not kept: its pictures are "
                  "left out. The weights below are the run's.</p>")
    if net is not None:
        figures.append(views.network_view(net))
        figures.extend(f for f in views.weight_views(net) if not isinstance(f, str))

    chart_divs = "".join(f"<div class='chart' id='fig-{i}'></div>" for i in range(len(figures)))
    specs = "".join(f"<script type='application/json' data-figure='fig-{i}'>{_figure_json(f)}"
                    "</script>" for i, f in enumerate(figures))
    metrics = [(METRIC_LABELS[k], _fmt(v)) for k, v in record.metrics.items()
               if k in METRIC_LABELS and v is not None]
    settings = [(SPECS[k].label if k in SPECS else k, v) for k, v in record.settings.items()]
    link = (base_url.rstrip("/") + "/" + record.link.lstrip("/")) if base_url else record.link
    when = created.strftime("%Y-%m-%d %H:%M UTC") if created else None
    facts = [f"{record.kind} run", record.status, f"{record.epochs:,} epochs",
             f"{record.seconds:.2f} s of training"] + ([f"saved {when}"] if when else [])
    model_text = record.model if record.model and len(record.model) <= MAX_MODEL_CHARS else ""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Run report: {esc(title)}</title><style>{_CSS}</style>",
        f"<script>{get_plotlyjs()}</script></head><body>",
        f"<h1>{esc(title)}</h1><p class='sub'>MLP Playground run report · "
        f"{esc(' · '.join(facts))}</p>",
        "<h2>Final metrics</h2>" + (_table(metrics, ("metric", "value"), {1}) if metrics
                                    else "<p>No metrics were recorded.</p>"),
        f"<h2>Charts</h2><div class='charts'>{chart_divs}</div>" if figures else "",
        tables,
        "<h2>Reproduce this run</h2><p>Open this link in MLP Playground and press Train: "
        f"<a href='{esc(link)}'>{esc(link)}</a></p>",
        "<h2>Settings</h2>" + _table(settings, ("setting", "value")),
        "<h2>Seeds</h2>" + _table(list(record.seeds.items()), ("seed", "value"), {1}),
        "<h2>Versions</h2>" + _table(list(record.versions.items()), ("package", "version")),
    ]
    if net is not None:
        parts.append(f"<h2>Final weights: {esc(net.architecture())}</h2>" + _weights_html(net))
    if model_text:
        parts.append("<h2>Model file</h2><p>Load it in the Playground's <b>Load model</b> tab, "
                     "or with <code>python -m mlp_core</code>.</p>"
                     f"<details><summary>Show the model file (JSON)</summary>"
                     f"<pre>{esc(model_text)}</pre></details>")
    parts += [specs, f"<script>{_PLOT_ALL}</script></body></html>"]
    return "".join(parts)


def report_name(record) -> str:
    """A file name for the report: ``mlp-report-xor-2-4-1-sigmoid.html``."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", record.title).strip("-").lower()[:60] or "run"
    return f"mlp-report-{stem}.html"
