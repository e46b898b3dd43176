"""The Runs page's pieces: this browser's saved runs as a table, comparing them, reopening one.

The store keeps each run's settings as the URL's text (``saving.settings_text``);
this module turns them back into values for the table, the comparisons and the
sidebar.
"""

from __future__ import annotations

import io
from collections import defaultdict
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import streamlit as st

import mlp_figures as figs
from mlp_core import model_io
from mlp_core.settings import SPECS
from mlp_store import RunRecord, RunSummary, Store

from . import keys, views
from .report import picture, record_data, report_html, report_name
from .run import Run, load_model, widget_values
from .safe import plain
from .saving import announce, redrawable, settings_of, snapshot

MAX_COMPARE = 6
MAX_GROUP_RUNS = 60        # runs whose loss histories the seed groups load at most
TABLE_KEY = "runs-table"
PICK_KEY = "runs-pick"            # the runs to compare (run ids), set by ticks or by hand
SHOWN_IDS = "runs_shown_ids"      # ids of the table's rows, in order, for its callback
REOPEN_TO = "runs_reopen_to"      # session key: the page to switch to after a reopen
REOPEN_MESSAGE = "runs_reopen_message"
CONFIRM_DELETE = "runs_confirm_delete"
# Settings shown as table columns, in this order; all of them are in the comparison.
TABLE_SETTINGS = ("dataset", "hidden", "layers", "activation", "lr", "epochs", "seed")
SCORES = {"test_accuracy": "test accuracy", "train_accuracy": "train accuracy",
          "test_r2": "test R²", "train_r2": "train R²", "test_loss": "test loss",
          "train_loss": "train loss"}


# --------------------------------------------------------------------------- values

def setting_value(name: str, text):
    """A saved setting's text as its value (a number, a bool, a name); the text if unknown."""
    spec = SPECS.get(name)
    if spec is None or not isinstance(text, str):
        return text
    try:
        return spec.check(spec.parse(text))
    except (ValueError, TypeError, OverflowError):
        return text


def run_labels(summaries: list[RunSummary]) -> dict[str, str]:
    """A short name per run for legends: ``R1`` is this browser's oldest run."""
    oldest_first = sorted(summaries, key=lambda s: s.created)
    return {s.id: f"R{i + 1}" for i, s in enumerate(oldest_first)}


def table(summaries: list[RunSummary], labels: dict[str, str]) -> pd.DataFrame:
    """One row per run: when, what, its main settings and its final numbers."""
    rows = []
    for s in summaries:
        row = {"run": labels[s.id], "saved": s.updated.strftime("%Y-%m-%d %H:%M"),
               "kind": s.kind, "status": s.status, "title": s.title}
        for name in TABLE_SETTINGS:
            row[name] = setting_value(name, s.settings.get(name))
        row["epochs trained"] = s.epochs
        for key, label in SCORES.items():
            row[label] = s.metrics.get(key)
        row["seconds"] = round(s.seconds, 2)
        rows.append(row)
    frame = pd.DataFrame(rows)
    # A column no run has a number in (R² among classifiers) is noise.
    empty = [label for label in SCORES.values() if frame[label].isna().all()]
    return frame.drop(columns=empty)


def filtered(summaries: list[RunSummary], kinds, statuses, datasets, text: str
             ) -> list[RunSummary]:
    words = text.lower().split()
    return [s for s in summaries
            if s.kind in kinds and s.status in statuses
            and s.settings.get("dataset") in datasets
            and all(w in s.title.lower() for w in words)]


def csv_text(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue()


def settings_compared(records: list[RunRecord], labels: dict[str, str], *,
                      differences_only: bool) -> pd.DataFrame:
    """Settings (rows) by run (columns): all of them, or only those that differ."""
    names = list(dict.fromkeys(n for r in records for n in r.settings))
    data = {}
    for name in names:
        values = [r.settings.get(name, "—") for r in records]
        if differences_only and len(set(values)) == 1:
            continue
        data[SPECS[name].label if name in SPECS else name] = values
    frame = pd.DataFrame(data, index=[labels[r.id] for r in records]).T
    frame.index.name = "setting"
    return frame


def metrics_compared(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    rows = {label: [r.metrics.get(key) for r in records] for key, label in SCORES.items()}
    rows = {k: v for k, v in rows.items() if any(x is not None for x in v)}
    rows["epochs trained"] = [r.epochs for r in records]
    frame = pd.DataFrame(rows, index=[labels[r.id] for r in records]).T
    frame.index.name = "final"
    return frame


def seed_groups(summaries: list[RunSummary]) -> dict[tuple, list[RunSummary]]:
    """Playground runs that differ only in the seed, by their other settings (2+ runs each)."""
    groups: dict[tuple, list[RunSummary]] = defaultdict(list)
    for s in summaries:
        if s.kind == "playground":
            rest = tuple(sorted((k, v) for k, v in s.settings.items() if k != "seed"))
            groups[rest].append(s)
    return {k: v for k, v in groups.items() if len(v) >= 2}


def group_label(runs: list[RunSummary]) -> str:
    """A group's name: its first run's title without the seed (titles carry none)."""
    return runs[0].title


def score_spread(runs: list[RunSummary], key: str) -> tuple[float, float, float] | None:
    values = np.array([r.metrics.get(key) for r in runs if r.metrics.get(key) is not None],
                      dtype=float)
    if not values.size:
        return None
    return float(np.median(values)), float(values.min()), float(values.max())


def parallel_axes(summaries: list[RunSummary]) -> list[figs.Axis]:
    """The settings that vary among ``summaries``, as parallel-coordinate axes."""
    axes = []
    for name in SPECS:
        values = [setting_value(name, s.settings.get(name)) for s in summaries]
        if len({str(v) for v in values}) > 1:
            if all(isinstance(v, bool) for v in values):
                values = ["on" if v else "off" for v in values]
            axes.append(figs.Axis(SPECS[name].label, values))
    return axes


def network_of(record: RunRecord):
    return model_io.read(record.model).net if record.model else None


# --------------------------------------------------------------------------- actions

def reopen(store: Store, run_id: str, workspace: str) -> None:
    """Button callback: line the sidebar up with a saved run and load its final weights.

    The Playground then builds its run from those weights (``mlp_ui.run.load_model``).
    """
    record = store.get_run(run_id, workspace)
    if record is None or not record.model:
        st.session_state[REOPEN_MESSAGE] = ("error", "That run is gone or has no weights.")
        return
    if not redrawable(record.settings):
        st.session_state[REOPEN_MESSAGE] = (
            "error", "That run trained on an uploaded CSV file, which is not kept: load its "
                     "model file in the Playground's Load model tab after uploading the CSV.")
        return
    kind, message = load_model(record.model.encode(), f"{record.title} (saved run)")
    if kind != "success":
        st.session_state[REOPEN_MESSAGE] = (kind, message)
        return
    # Every saved setting, not just those a model file names: epochs, init, seed...
    st.session_state.update(widget_values(settings_of(record.settings)))
    st.session_state.pop(keys.MODEL_MESSAGE, None)   # the Load model tab's, not ours
    announce("success", f"Reopened {record.title}: its settings and its final weights after "
                        f"{record.epochs:,} epochs. Train goes on from them.")
    st.session_state[REOPEN_TO] = "pages/playground.py"


def delete(store: Store, run_ids: list[str], workspace: str) -> None:
    gone = sum(store.delete_run(run_id, workspace) for run_id in run_ids)
    st.session_state[REOPEN_MESSAGE] = ("success", f"Deleted {gone} run{'s' * (gone != 1)}.")
    st.session_state.pop(CONFIRM_DELETE, None)
    st.session_state[PICK_KEY] = []


def rows_ticked() -> None:
    """Table callback: the ticked rows become the runs to compare (the first six)."""
    rows = st.session_state[TABLE_KEY].selection.rows
    ids = st.session_state.get(SHOWN_IDS, [])
    ticked = [ids[i] for i in rows if i < len(ids)]
    if len(ticked) > MAX_COMPARE:
        st.session_state[REOPEN_MESSAGE] = (
            "warning", f"Compare takes up to {MAX_COMPARE} runs: it shows the first "
                       f"{MAX_COMPARE} you ticked.")
    st.session_state[PICK_KEY] = ticked[:MAX_COMPARE]


def keep_picks(shown: dict) -> None:
    """Drop picked runs that the filters (or a delete) took off the table."""
    picks = st.session_state.get(PICK_KEY)
    if picks:
        st.session_state[PICK_KEY] = [i for i in picks if i in shown]


def switch_if_reopened() -> None:
    target = st.session_state.pop(REOPEN_TO, None)
    if target:
        st.switch_page(target)


def show_message() -> None:
    message = st.session_state.pop(REOPEN_MESSAGE, None)
    if message:
        getattr(st, message[0])(plain(message[1]))


# --------------------------------------------------------------------------- reports

def app_base_url() -> str:
    """The app's address as this browser reached it (``http://host:port``), or ""."""
    try:
        parts = urlsplit(st.context.url or "")
    except (AttributeError, RuntimeError):
        return ""
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def run_report(snap, data, base_url: str) -> str:
    """The report of a Playground run from its ``saving.snapshot``."""
    return report_html(snap.saved(), data, base_url=base_url)


def record_report(record: RunRecord, base_url: str) -> str:
    return report_html(record, record_data(record), base_url=base_url, created=record.updated)


def report_button(container, run: Run) -> None:
    """The Playground's "Download report" (made on click: it inlines plotly.js, ~5 MB)."""
    if run.trainer.epoch == 0:
        container.download_button("Download report (HTML)", data="", disabled=True,
                                  key="dl-report", help="Train the network first.")
        return
    base = app_base_url()
    # Copied now (about a millisecond): the file is made on click, maybe while the run
    # trains on, and must show the run as the page does.
    snap = snapshot(run)
    saved_title = f"{run.settings.dataset}-{run.net.architecture()}-{run.net.hidden_activation}"
    container.download_button(
        "Download report (HTML)", data=lambda: run_report(snap, run.data, base),
        file_name=f"mlp-report-{saved_title}.html", mime="text/html", on_click="ignore",
        key="dl-report")
    container.caption("The report is one HTML file to hand in: this run's charts, settings, "
                      "seeds, versions, final weights and the link that reproduces it. It "
                      "opens in any browser, offline.")


def record_report_button(container, record: RunRecord) -> None:
    base = app_base_url()
    container.download_button("Download report (HTML)", data=lambda: record_report(record, base),
                              file_name=report_name(record), mime="text/html",
                              on_click="ignore", key=f"dl-report-{record.id}")


def compare_pictures(records: list[RunRecord], labels: dict[str, str]) -> None:
    """What each run's final network does with its data, side by side (three a row)."""
    drawable = []
    for r in records:
        net, data = network_of(r), record_data(r)
        if net is not None and data is not None and data.n_features == net.n_data_inputs:
            drawable.append((r, net, data))
    if not drawable:
        st.caption("None of these runs has a picture to draw (sweeps and races keep no single "
                   "network; an uploaded CSV is not kept).")
        return
    for start in range(0, len(drawable), 3):
        cols = st.columns(3)
        for col, (r, net, data) in zip(cols, drawable[start:start + 3]):
            fig = picture(data, net)
            if fig is None:
                col.caption(f"{labels[r.id]}: nothing to draw for this network.")
                continue
            fig.layout.title.text = f"{labels[r.id]}: {r.title}"
            views.chart(col, fig, f"runs-pic-{r.id}")


# --------------------------------------------------------------------------- page sections

def kind_details(record: RunRecord) -> None:
    """What a sweep or a race kept beyond one network: its rows, or every entry's loss."""
    if record.kind == "sweep" and record.extra.get("rows"):
        st.caption(f"Every run of this sweep ({record.extra.get('measure', '')}):")
        st.dataframe(pd.DataFrame(record.extra["rows"]), hide_index=True, width="stretch",
                     height=260)
    elif record.kind == "race" and record.extra.get("paths"):
        series = {str(label): (np.asarray(path[0]), np.asarray(path[1]))
                  for label, path in record.extra["paths"].items()}
        views.chart(st, figs.loss_curve(series, log_y=True, title="Each optimizer's loss"),
                    f"runs-race-{record.id}")

def compare_section(store: Store, workspace: str, picked: list[RunSummary],
                    labels: dict[str, str]) -> None:
    """Two to six runs: their differing settings, final numbers, loss curves and pictures."""
    st.header("Compare")
    records = [r for r in (store.get_run(s.id, workspace) for s in picked) if r is not None]
    diff_only = st.toggle("Differences only", value=True, key="runs-diff-only",
                          help="Show only the settings that differ between these runs.")
    left, right = st.columns([3, 2])
    left.dataframe(settings_compared(records, labels, differences_only=diff_only),
                   width="stretch")
    right.dataframe(metrics_compared(records, labels), width="stretch")
    log_y = st.toggle("Log-scale loss", value=True, key="runs-log")
    series = {f"{labels[r.id]} {r.title}": (np.asarray(r.loss_epochs), np.asarray(r.loss_values))
              for r in records if r.loss_epochs}
    if series:
        views.chart(st, figs.loss_curve(series, log_y=log_y, title="Training loss"),
                    "runs-loss")
    compare_pictures(records, labels)


def seeds_section(store: Store, workspace: str, shown: list[RunSummary]) -> None:
    """Runs that differ only in the seed: median and spread of their loss and scores."""
    st.header("Seeds")
    groups = seed_groups(shown)
    if not groups:
        st.caption("Runs that differ only in the seed are grouped here into a median and a "
                   "spread. Train one setup with a few different seeds to see how much the "
                   "start matters.")
        return
    curves, budget = [], MAX_GROUP_RUNS
    for members in groups.values():
        group = []
        for s in members[:budget]:
            record = store.get_run(s.id, workspace)
            if record is not None and record.loss_epochs:
                group.append((np.asarray(record.loss_epochs), np.asarray(record.loss_values)))
        budget -= min(budget, len(members))
        if len(group) >= 2:
            curves.append(figs.SeedGroup(group_label(members), group))
    if curves:
        views.chart(st, figs.seed_spread(curves, log_y=True), "runs-seeds")
    st.dataframe(seed_table(groups), hide_index=True, width="stretch")


def seed_table(groups: dict[tuple, list[RunSummary]]) -> list[dict]:
    rows = []
    for members in groups.values():
        row = {"setup": group_label(members), "seeds": len(members)}
        for key in ("test_accuracy", "train_accuracy", "test_r2", "train_loss"):
            spread = score_spread(members, key)
            if spread is not None:
                for word, value in zip(("median", "lowest", "highest"), spread):
                    row[f"{SCORES[key]} {word}"] = value
        rows.append(row)
    return rows


def parallel_section(which: list[RunSummary]) -> None:
    """One line a run, from the settings that vary to a chosen final score.

    Only runs with that score are drawn (a gate has no test split, a sweep no single
    test score); the score most runs have is offered first.
    """
    st.header("Settings and the final score")
    counts = {k: sum(s.metrics.get(k) is not None for s in which) for k in SCORES}
    present = sorted((k for k in SCORES if counts[k] >= 2), key=lambda k: -counts[k])
    if not present:
        st.caption("Runs whose settings differ are drawn here, one line each from its "
                   "settings to its final score.")
        return
    score = st.selectbox("Score", present, format_func=SCORES.get, key="runs-score")
    scored = [s for s in which if s.metrics.get(score) is not None]
    axes = parallel_axes(scored)
    if not axes:
        st.caption(f"The {len(scored)} runs with a {SCORES[score]} have the same settings.")
        return
    views.chart(st, figs.settings_parallel(axes, [s.metrics[score] for s in scored],
                                           SCORES[score],
                                           title="Settings and the final score, one line a run"),
                "runs-parallel")
    st.caption(f"{len(scored)} runs with a {SCORES[score]}. Drag along an axis to pick a "
               "range; the lines through it stay coloured.")
