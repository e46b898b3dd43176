"""The run report: one self-contained HTML file, every chart valid, every user text escaped."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from html.parser import HTMLParser

import plotly.graph_objects as go
import pytest

from mlp_core import model_io
from mlp_core.settings import Settings, data_defaults
from mlp_ui.report import record_data, report_html, report_name
from mlp_ui.saving import snapshot
from tests.test_saving import MOONS, XOR, trained


class _Collect(HTMLParser):
    """The document's tags, text, and the figure specs in its JSON script elements."""

    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.specs: list[dict] = []
        self._json = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._json = tag == "script" and ("type", "application/json") in attrs

    def handle_endtag(self, tag):
        self._json = False

    def handle_data(self, data):
        if self._json:
            self.specs.append(json.loads(data))
        else:
            self.text.append(data)


def parsed(html: str) -> _Collect:
    doc = _Collect()
    doc.feed(html)
    return doc


def test_a_gate_report_has_its_charts_truth_table_weights_and_link():
    run = trained(XOR)
    saved = snapshot(run).saved()
    html = report_html(saved, run.data, base_url="http://class.example:8501")
    doc = parsed(html)
    assert html.startswith("<!doctype html>")
    assert "Plotly.newPlot" in html and len(html) > 1_000_000          # plotly.js is inlined
    assert not re.search(r"<script[^>]+src=", html)                    # nothing fetched
    for spec in doc.specs:
        go.Figure(spec)                                                # each a valid figure
    titles = [s["layout"]["title"]["text"] for s in doc.specs]
    assert any(t.startswith("Training loss") for t in titles)
    assert "Decision boundary" in titles
    text = " ".join(doc.text)
    assert "Truth table" in text and text.count("✓") + text.count("✗") == 4
    out = run.net.predict_proba(run.data.X_train)
    assert f"{out[0]:.6f}" in text                                      # the network's outputs
    assert f"{run.net.weights[0][0, 0]:.6g}" in text                   # final weights
    assert "http://class.example:8501/?" in html and "dataset=xor" in html
    assert "mlp_playground" in text and "numpy" in text
    model = json.loads(re.search(r"<pre>(.*?)</pre>", html, re.S).group(1)
                       .replace("&quot;", '"').replace("&#x27;", "'").replace("&amp;", "&")
                       .replace("&lt;", "<").replace("&gt;", ">"))
    assert model_io.read_dict(model).net.params.tolist() == run.net.params.tolist()


def test_a_classifier_report_has_its_confusion_matrix():
    run = trained(MOONS)
    doc = parsed(report_html(snapshot(run).saved(), run.data))
    titles = [s["layout"]["title"]["text"] for s in doc.specs]
    assert any(t.startswith("Confusion matrix") for t in titles)
    text = " ".join(doc.text)
    assert "Confusion matrix (test set)" in text
    assert "Test accuracy" in text


def test_user_text_is_escaped_everywhere():
    run = trained(XOR, epochs=50)
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    saved = replace(snapshot(run).saved(), title=evil,
                    settings={**snapshot(run).saved().settings, "dataset": evil})
    html = report_html(saved, run.data)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert" in html
    assert report_name(saved).startswith("mlp-report-script-alert")


def test_a_script_end_tag_in_a_figure_cannot_end_its_script():
    run = trained(XOR, epochs=50)
    saved = replace(snapshot(run).saved(), settings={**snapshot(run).saved().settings,
                                                     "loss": "</script><b>x"})
    html = report_html(saved, run.data)
    assert "</script><b>x" not in html
    doc = parsed(html)
    assert any("</script><b>x" in s["layout"]["title"]["text"] for s in doc.specs)


@pytest.mark.parametrize("dataset", ["upload"])
def test_a_run_on_an_uploaded_csv_reports_without_its_data(dataset):
    run = trained(XOR, epochs=50)
    saved = replace(snapshot(run).saved(),
                    settings={**snapshot(run).saved().settings, "dataset": dataset})
    assert record_data(saved) is None
    html = report_html(saved, None)
    assert "uploaded CSV file, which is not kept" in html
    titles = [s["layout"]["title"]["text"] for s in parsed(html).specs]
    assert "Decision boundary" not in titles and any(t.startswith("Network") for t in titles)


@pytest.mark.parametrize("dataset, picture_title", [
    ("sine", "Network fit, made of each hidden unit's part"),
    ("plane", "Predicted surface"),
    ("blobs", "Decision regions"),
    ("iris", "Decision regions on a 2-D view of the data"),
    ("digits", "Decision regions on a 2-D view of the data"),
])
def test_every_kind_of_data_gets_its_picture(dataset, picture_title):
    settings = replace(Settings(dataset=dataset, init="xavier", seed=3),
                       **{**(data_defaults(dataset) or {}), "epochs": 20})
    run = trained(settings)
    saved = snapshot(run).saved()
    data = record_data(saved)                      # drawn again from the saved settings
    assert data.X_train.tolist() == run.data.X_train.tolist()
    doc = parsed(report_html(saved, data))
    for spec in doc.specs:
        go.Figure(spec)
    titles = [s["layout"]["title"]["text"] for s in doc.specs]
    assert picture_title in titles
    if run.net.task == "classify":
        assert "Confusion matrix" in " ".join(doc.text)
