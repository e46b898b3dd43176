"""views.MetricRow: a live frame sends only the metrics whose value changed."""

from __future__ import annotations

from mlp_ui.views import MetricRow


class Recorder:
    """Stands in for a Streamlit container: records what is drawn where."""

    def __init__(self, log: list, name: str = "page"):
        self.log, self.name, self.children = log, name, 0

    def container(self, **kwargs):
        self.log.append((self.name, "container", kwargs))
        return Recorder(self.log, f"{self.name}/row")

    def empty(self):
        self.children += 1
        return Recorder(self.log, f"{self.name}/{self.children}")

    def metric(self, label, value, **kwargs):
        self.log.append((self.name, label, value))


def test_each_metric_keeps_its_slot_and_is_sent_again_only_when_it_changed():
    log: list = []
    row = MetricRow(Recorder(log))
    for epoch, loss in ((1, "0.5"), (2, "0.5"), (3, "0.4")):
        row.metric("Epoch", f"{epoch:,}")
        row.metric("Train loss", loss, help="h")
        row.metric("Parameters", "9", help="2x3 + 3x1")
    assert log == [
        ("page", "container", {"horizontal": True, "gap": "small"}),
        ("page/row/1", "Epoch", "1"), ("page/row/2", "Train loss", "0.5"),
        ("page/row/3", "Parameters", "9"),
        ("page/row/1", "Epoch", "2"),
        ("page/row/1", "Epoch", "3"), ("page/row/2", "Train loss", "0.4"),
    ]


def test_a_changed_help_or_width_is_a_change():
    log: list = []
    row = MetricRow(Recorder(log))
    row.metric("Accuracy", "90%", help="On the training set.")
    row.metric("Accuracy", "90%", help="On the test set.")
    row.metric("Accuracy", "90%", help="On the test set.", width=120)
    assert [entry[2] for entry in log[1:]] == ["90%", "90%", "90%"]
