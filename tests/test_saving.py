"""Saving runs: what a save holds, checked against the engine and a real SQLite store."""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import parse_qsl

import numpy as np
import pytest

from mlp_core import model_io
from mlp_core.settings import Settings, data_for
from mlp_core.sweep import SweepSpec, sweep_hidden_sizes, sweep_scores
from mlp_core.training import Trainer
from mlp_store import StoreUnavailable, open_store
from mlp_ui import saving
from mlp_ui.run import Run, train_config
from mlp_ui.saving import (
    HISTORY_POINTS,
    Saver,
    link_of,
    loss_history,
    race_saved,
    settings_of,
    settings_text,
    snapshot,
    sweep_saved,
)

WORKSPACE = "test-workspace-0123456789"


@pytest.fixture
def store(tmp_path):
    return open_store(f"sqlite:///{tmp_path / 'runs.db'}")


def trained(settings: Settings, epochs: int | None = None) -> Run:
    data = data_for(settings)
    from mlp_core.network import Network
    from mlp_core.problems import problem_for

    problem = problem_for(data, settings.loss)
    net = Network.create(data.n_features, settings.hidden_layers, n_outputs=problem.n_outputs,
                         output=problem.output, activation=settings.activation,
                         bias=settings.bias, init=settings.init, seed=settings.seed)
    trainer = Trainer(net, data.X_train, data.y_train, train_config(settings, data),
                      data.X_test, data.y_test)
    trainer.train(n_epochs=epochs or settings.epochs)
    return Run(settings, data, trainer, settings.architecture_key())


XOR = Settings(dataset="xor", hidden=4, init="xavier", bias=True, lr=0.5, epochs=3000)
MOONS = Settings(dataset="moons", hidden=8, activation="tanh", init="xavier", bias=True,
                 loss="bce", lr=0.3, epochs=400, samples=120, noise=0.15, test=25, seed=7)


@pytest.mark.parametrize("settings", [Settings(), XOR, MOONS,
                                      replace(MOONS, lr=0.123456789, noise=0.05)])
def test_saved_settings_and_link_give_the_same_settings_back(settings):
    text = settings_text(settings)
    assert set(text) == set(settings_text(Settings()))   # every setting, defaults too
    assert settings_of(text) == settings
    query = dict(parse_qsl(link_of(settings).lstrip("?")))
    assert Settings.from_query(query) == (settings, [])


def test_loss_history_is_short_ends_at_the_last_epoch_and_has_no_nan():
    losses = np.linspace(1.0, 0.01, 20_000)
    losses[-3:] = np.nan
    epochs, values = loss_history(losses)
    assert len(epochs) <= HISTORY_POINTS
    assert epochs[0] == 1 and epochs[-1] == 19_997
    assert all(np.isfinite(values))
    assert all(v == losses[e - 1] for e, v in zip(epochs, values))   # epoch e is losses[e-1]
    json.dumps(values)   # JSON has no NaN


def test_a_saved_playground_run_holds_its_weights_metrics_and_history(store):
    run = trained(MOONS)
    saved = snapshot(run).saved()
    run_id = store.save_run(saved.run_in(WORKSPACE, "key-1"))
    record = store.get_run(run_id, WORKSPACE)
    assert record.kind == "playground" and record.status == "finished"
    assert record.title == "moons 2-8-1 tanh, lr 0.3"
    net = model_io.read(record.model).net
    np.testing.assert_array_equal(net.params, run.net.params)
    now = run.trainer.current_metrics()
    assert record.metrics["test_loss"] == pytest.approx(now["test_loss"], rel=1e-12)
    assert record.metrics["test_accuracy"] == pytest.approx(now["test_accuracy"])
    assert record.metrics["train_r2"] is None
    assert record.epochs == 400 and record.loss_epochs[-1] == 400
    assert record.loss_values[-1] == pytest.approx(run.trainer.losses[-1])
    assert record.seeds == {"init": 7, "data": 7, "shuffle": 7}
    assert record.data_spec["dataset"] == "moons" and record.data_spec["test"] == 25
    assert {"mlp_playground", "numpy", "numba", "python"} <= set(record.versions)
    assert settings_of(record.settings) == MOONS


def test_pause_then_finish_is_one_run(store):
    run = trained(XOR, epochs=500)
    paused = snapshot(run).saved()
    assert paused.status == "paused"
    store.save_run(paused.run_in(WORKSPACE, "same-run"))
    run.trainer.train(n_epochs=2500)
    store.save_run(snapshot(run).saved().run_in(WORKSPACE, "same-run"))
    runs = store.list_runs(WORKSPACE)
    assert len(runs) == 1
    assert runs[0].status == "finished" and runs[0].epochs == 3000


def test_a_diverged_run_is_saved_as_diverged(store):
    run = trained(replace(XOR, lr=1e5, activation="relu"), epochs=3000)
    assert run.trainer.diverged is not None
    saved = snapshot(run).saved()
    assert saved.status == "diverged"
    record = store.get_run(store.save_run(saved.run_in(WORKSPACE, "boom")), WORKSPACE)
    assert record.status == "diverged"
    assert all(np.isfinite(record.loss_values))


def test_sweeps_are_saved_with_their_rows(store):
    settings = replace(XOR, epochs=300)
    data = data_for(settings)
    spec = SweepSpec(low=1, high=3, seeds=2, bias=True)
    config = train_config(settings, data)
    rows = sweep_hidden_sizes(data, spec, config, workers=1)
    saved = sweep_saved(settings, measure="success", task="classify", spec=spec,
                        config=config, rows=rows, seconds=1.5)
    record = store.get_run(store.save_run(saved.run_in(WORKSPACE, "sweep-1")), WORKSPACE)
    assert record.kind == "sweep" and record.status == "finished" and record.model == ""
    assert len(record.extra["rows"]) == 6
    assert record.extra["widths"] == [1, 2, 3]
    best = min(rows, key=lambda r: r.final_train_loss)
    assert record.metrics["train_loss"] == pytest.approx(best.final_train_loss)


def test_held_out_sweeps_keep_their_best_score(store):
    settings = replace(MOONS, epochs=100)
    data = data_for(settings)
    spec = SweepSpec(widths=(2, 4), seeds=2, bias=True, output="sigmoid", n_outputs=1)
    config = train_config(settings, data)
    rows = sweep_scores(data, spec, config, workers=1)
    saved = sweep_saved(settings, measure="held-out", task="classify", spec=spec,
                        config=config, rows=rows, seconds=1.0)
    store.save_run(saved.run_in(WORKSPACE, "sweep-2"))
    assert saved.metrics["test_accuracy"] == pytest.approx(max(r.heldout_score for r in rows))
    assert "params" not in saved.extra["rows"][0]


def test_a_race_keeps_every_path_and_the_best_entry(store):
    e = np.arange(1, 2001)
    paths = {"gd, lr 0.05": (e, 1 / e), "adam, lr 0.01": (e, 0.1 / e)}
    final = {"gd, lr 0.05": {"train_loss": 1 / 2000}, "adam, lr 0.01": {"train_loss": 0.1 / 2000}}
    saved = race_saved(XOR, paths=paths, final=final, epochs=2000, seconds=0.4,
                       extra={"first_to_target": "adam, lr 0.01"})
    record = store.get_run(store.save_run(saved.run_in(WORKSPACE, "race-1")), WORKSPACE)
    assert record.kind == "race" and record.extra["best"] == "adam, lr 0.01"
    assert record.metrics["train_loss"] == pytest.approx(0.1 / 2000)
    assert len(record.extra["paths"]) == 2
    assert sum(len(p[0]) for p in record.extra["paths"].values()) <= HISTORY_POINTS
    assert record.extra["first_to_target"] == "adam, lr 0.01"


def test_an_unreachable_database_fails_the_save_with_a_sentence():
    saver = Saver("postgresql+psycopg://nobody:x@127.0.0.1:9/none?connect_timeout=2")
    future = saver.submit(lambda: snapshot(trained(XOR, epochs=10)).saved().run_in(
        WORKSPACE, "lost"))
    err = future.exception(timeout=60)
    assert isinstance(err, StoreUnavailable)
    sentence = saving.NOT_SAVING.format(reason=err)
    assert sentence.startswith("Runs are not being saved: ") and "\n" not in sentence


def _probed(saver: Saver) -> Saver:
    saver.probe()
    saver._pool.submit(lambda: None).result(timeout=60)   # the probe has run (one thread)
    return saver


def test_a_store_that_opens_is_trusted_before_the_first_save(tmp_path):
    # so that a process's first Pause does not wait NOTICE_WAIT for its save
    assert _probed(Saver(f"sqlite:///{tmp_path / 'runs.db'}")).working


def test_a_store_that_cannot_open_is_not_trusted():
    saver = _probed(Saver("postgresql+psycopg://nobody:x@127.0.0.1:9/none?connect_timeout=2"))
    assert not saver.working and saver.problem


def test_forty_sessions_saving_at_once_lose_no_run(tmp_path):
    import threading

    saver = Saver(f"sqlite:///{tmp_path / 'class.db'}")
    saved = snapshot(trained(XOR, epochs=200)).saved()
    futures, guard = [], threading.Lock()

    def student(i: int) -> None:     # each press queues its save and goes on
        future = saver.submit(lambda: saved.run_in(f"student-workspace-{i:04d}", f"run-{i}"))
        with guard:
            futures.append(future)

    threads = [threading.Thread(target=student, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [f.result(timeout=120) for f in futures]
    assert len(set(ids)) == 40
    assert saver.store().count_runs() == 40


def test_a_grid_sweep_keeps_a_row_per_cell_and_its_best_cells_scores(store, tmp_path):
    from mlp_core.executors import LocalExecutor
    from mlp_core.gridsweep import GridSpec, run_grid
    from mlp_ui.saving import grid_saved

    settings = replace(MOONS, epochs=100)
    data = data_for(settings)
    config = replace(train_config(settings, data), patience=0)
    spec = GridSpec(widths=(2, 4), lrs=(0.1, 0.5), seeds=2, config=config)
    result = run_grid(data, spec, LocalExecutor(1), out=str(tmp_path))
    saved = grid_saved(settings, task="classify", result=result, spec=spec, seconds=2.0)
    record = store.get_run(store.save_run(saved.run_in(WORKSPACE, "grid-1")), WORKSPACE)
    assert record.kind == "sweep" and record.status == "finished"
    assert [(r["hidden"], r["lr"]) for r in record.extra["rows"]] == [
        (2, 0.1), (4, 0.1), (2, 0.5), (4, 0.5)]
    assert [r["trainings"] for r in record.extra["rows"]] == [2, 2, 2, 2]
    means = {c.key: np.mean([t["heldout_score"] for t in result.rows[c.key]])
             for c in result.cells}
    assert record.metrics["test_accuracy"] == pytest.approx(max(means.values()))
    assert record.extra["best_cell"] == max(means, key=means.get)
    assert record.extra["sweep_file"] == result.path

    stopped = replace(result, cells=result.cells[:1], complete=False)
    assert grid_saved(settings, task="classify", result=stopped, spec=spec,
                      seconds=1.0).status == "stopped"


def test_a_run_with_weights_set_by_hand_says_so_and_one_without_does_not():
    run = trained(XOR, epochs=10)
    assert snapshot(run).saved().extra == {}
    params = run.net.params.copy()
    params[0] = 3.0
    run.trainer.set_params(params)
    run.trainer.train(5)
    saved = snapshot(run).saved()
    assert saved.extra == {"weights_edited_at": [10]}
    assert json.loads(json.dumps(saved.extra)) == saved.extra, "the store keeps JSON"
