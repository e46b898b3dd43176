"""Grid sweeps on this machine's threads: the rows, the summaries, the file, resuming.

The Dask executor's tests (a real scheduler and workers) are in tests/test_grid_dask.py.
"""

from __future__ import annotations

import ast
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mlp_core import gridsweep
from mlp_core.cli import main
from mlp_core.datasets import make_dataset
from mlp_core.executors import LocalExecutor, check_scheduler
from mlp_core.gridsweep import (
    CellSummary,
    GridSpec,
    SweepFile,
    rows_in_order,
    run_grid,
    spec_hash,
    tasks_for,
)
from mlp_core.problems import problem_for
from mlp_core.sweep import SweepSpec, sweep_scores
from mlp_core.training import TrainConfig

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", samples=120, noise=0.2, seed=3)


def small_spec(data, **changes) -> GridSpec:
    problem = problem_for(data, "bce")
    spec = GridSpec(widths=(2, 4), layers=(1, 2), lrs=(0.3,), activations=("tanh",),
                    optimizers=("sgd", "adam"), seeds=2, folds=3, output=problem.output,
                    n_outputs=problem.n_outputs, config=TrainConfig(epochs=150, loss="bce"))
    return replace(spec, **changes)


def numbers(rows):
    """Rows as comparable text: equal text is equal floats, bit for bit."""
    return [json.dumps(r, sort_keys=True) for r in rows]


def test_a_cells_rows_are_the_existing_held_out_sweeps(moons):
    # One width, one optimizer: the grid's rows must be sweep_scores' (another code path
    # over the same trainings), field for field.
    spec = small_spec(moons, widths=(3,), layers=(1,), optimizers=("sgd",), seeds=3)
    grid = run_grid(moons, spec, LocalExecutor())
    old = sweep_scores(moons, SweepSpec(widths=(3,), seeds=3, layers=1, activation="tanh",
                                        folds=3, output="sigmoid"),
                       TrainConfig(lr=0.3, epochs=150, loss="bce"))
    rows = list(rows_in_order(grid))
    assert len(rows) == len(old) == 9
    for new, ref in zip(rows, old):
        assert (new["seed"], new["fold"], new["heldout_score"], new["train_loss"]) == \
            (ref.seed, ref.fold, ref.heldout_score, ref.train_loss)


def test_every_cell_once_with_all_its_trials(moons):
    spec = small_spec(moons)
    result = run_grid(moons, spec, LocalExecutor())
    assert result.complete and result.trained == 8 * 2 * 3
    keys = {(c.hidden, c.layers, c.optimizer) for c in result.cells}
    assert keys == {(h, n, o) for h in (2, 4) for n in (1, 2) for o in ("sgd", "adam")}
    for cell in result.cells:
        rows = result.rows[cell.key]
        assert [(r["seed"], r["fold"]) for r in rows] == [(s, f) for s in (0, 1) for f in (0, 1, 2)]
        assert all(r["hidden"] == cell.hidden and r["optimizer"] == cell.optimizer for r in rows)


def test_the_same_cell_gives_the_same_rows_in_another_grid(moons):
    # A cell's result depends on the cell, not on its neighbours or the order of the tasks.
    big = run_grid(moons, small_spec(moons), LocalExecutor(workers=2))
    alone = run_grid(moons, small_spec(moons, widths=(4,), layers=(2,), optimizers=("adam",)),
                     LocalExecutor(workers=1))
    key = alone.cells[0].key
    assert numbers(alone.rows[key]) == numbers(big.rows[key])


def test_unaligned_arrays_train_like_aligned_ones(moons):
    # A Dask worker's copy of the data may start at any byte (an unpickled message).
    def unaligned(a):
        buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
        view = np.frombuffer(buf.data, dtype=np.uint8, count=a.nbytes, offset=1)
        out = view.view(a.dtype).reshape(a.shape)
        out[...] = a
        return out

    shifted = replace(moons, X_train=unaligned(moons.X_train), X_test=unaligned(moons.X_test))
    assert not shifted.X_train.flags.aligned
    # numba gets aligned copies (its code for unaligned arrays is slower), and aligned data
    # is not copied at all
    fixed = gridsweep._aligned(shifted)
    assert fixed.X_train.flags.aligned and fixed.X_test.flags.aligned
    assert np.array_equal(fixed.X_train, moons.X_train)
    assert gridsweep._aligned(moons) is moons
    spec = small_spec(moons, widths=(3,), layers=(1,), optimizers=("adam",), folds=0)
    trials = [gridsweep.Trial(spec.cells[0], s, -1) for s in range(2)]
    a = gridsweep.train_task(moons, spec, None, trials)
    b = gridsweep.train_task(shifted, spec, None, trials)
    assert numbers(a.rows) == numbers(b.rows)


def test_cell_summary_against_the_statistics_module():
    scores = [0.5, 0.75, 0.8, 0.9, 1.0, None]
    s = CellSummary.of([{"heldout_score": v} for v in scores])
    finite = [v for v in scores if v is not None]
    q25, median, q75 = statistics.quantiles(finite, n=4, method="inclusive")
    assert s.n == 5
    assert s.mean == pytest.approx(statistics.fmean(finite))
    assert s.sd == pytest.approx(statistics.stdev(finite))
    assert (s.median, s.q25, s.q75) == pytest.approx((median, q25, q75))


def test_small_trainings_are_batched_large_ones_are_not(moons):
    tiny = small_spec(moons, config=TrainConfig(epochs=10, loss="bce"))
    tasks = tasks_for(moons, tiny, tiny.cells)
    assert len(tasks) < len(tiny.cells) * tiny.trials_per_cell
    digits = make_dataset("digits", test_fraction=0.2, seed=0)
    p = problem_for(digits, "ce")
    big = GridSpec(widths=(64,), seeds=4, output=p.output, n_outputs=p.n_outputs,
                   config=TrainConfig(epochs=2000, loss="ce"))
    assert [len(t) for t in tasks_for(digits, big, big.cells)] == [1, 1, 1, 1]
    # every trial exactly once, whatever the batching
    trials = [t for task in tasks for t in task]
    assert len(trials) == len(set(trials)) == len(tiny.cells) * tiny.trials_per_cell


def test_the_file_is_named_by_data_and_spec(moons, tmp_path):
    spec = small_spec(moons)
    assert spec_hash(moons, spec) == spec_hash(moons, small_spec(moons))
    assert spec_hash(moons, spec) != spec_hash(moons, small_spec(moons, seeds=3))
    assert spec_hash(moons, spec) != spec_hash(
        moons, small_spec(moons, config=TrainConfig(epochs=151, loss="bce")))
    other = make_dataset("moons", samples=120, noise=0.2, seed=4)
    assert spec_hash(moons, spec) != spec_hash(other, spec)


def test_a_resumed_sweep_trains_only_the_missing_cells(moons, tmp_path):
    spec = small_spec(moons)
    full = run_grid(moons, spec, LocalExecutor())
    # Cancel once two cells are stored (the callback runs as each is stored).
    cancel = threading.Event()
    stored = []

    def stop_after_two(cell, rows):
        stored.append(cell.key)
        if len(stored) == 2:
            cancel.set()

    first = run_grid(moons, spec, LocalExecutor(), out=str(tmp_path), on_cell=stop_after_two,
                     cancel=cancel)
    assert not first.complete and len(first.cells) == len(stored) == 2
    with open(first.path) as f:
        assert [json.loads(line)["cell"] for line in f] == stored
    before = gridsweep.trials_trained()
    second = run_grid(moons, spec, LocalExecutor(), out=str(tmp_path))
    missing = (len(spec.cells) - 2) * spec.trials_per_cell
    assert second.trained == missing
    assert gridsweep.trials_trained() - before == missing
    assert second.complete
    assert numbers(rows_in_order(second)) == numbers(rows_in_order(full))
    # and once everything is stored, nothing is trained
    assert run_grid(moons, spec, LocalExecutor(), out=str(tmp_path)).trained == 0


def test_a_line_cut_short_by_a_crash_is_trained_again(moons, tmp_path):
    spec = small_spec(moons)
    run_grid(moons, spec, LocalExecutor(), out=str(tmp_path))
    path = SweepFile(str(tmp_path), moons, spec).path
    with open(path) as f:
        lines = f.readlines()
    with open(path, "w") as f:
        f.writelines(lines[:-1])
        f.write(lines[-1][: len(lines[-1]) // 2])   # no newline: a write that stopped
    again = run_grid(moons, spec, LocalExecutor(), out=str(tmp_path))
    assert again.trained == spec.trials_per_cell and again.complete
    assert len(SweepFile(str(tmp_path), moons, spec).load()) == len(spec.cells)


@pytest.mark.parametrize("changes, message", [
    ({"widths": ()}, r"hidden sizes needs at least one value"),
    ({"widths": (2, 2)}, r"hidden sizes lists a value twice"),
    ({"layers": (5,)}, r"hidden layers must be an integer in \[1, 4\]"),
    ({"lrs": (0.0,)}, r"lr must be a number in \(0"),
    ({"optimizers": ("lbfgs",)}, r"optimizer must be one of sgd"),
    ({"folds": 1}, r"folds must be an integer in \[2, 10\]"),
    ({"seeds": 100, "widths": tuple(range(1, 65)), "folds": 10}, r"at most 20,000 trainings"),
])
def test_bad_specs_say_which_value(moons, changes, message):
    with pytest.raises(ValueError, match=message):
        small_spec(moons, **changes)


def test_scheduler_addresses():
    assert check_scheduler("tcp://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert check_scheduler("local:2") == "local:2"
    for bad in ("10.0.0.5:8786", "local:0", "local:x", "http://h:1"):
        with pytest.raises(ValueError, match="tcp://HOST:PORT or local:N"):
            check_scheduler(bad)


# ---- the CLI ------------------------------------------------------------------------------

GRID_ARGS = ["sweep", "--data", "moons", "--samples", "120", "--hidden", "2,4",
             "--layers", "1,2", "--lr", "0.3", "--activation", "tanh", "--seeds", "2",
             "--folds", "3", "--epochs", "150"]


def test_cli_grid_json_rows_and_cell_summaries(capsys, tmp_path):
    assert main([*GRID_ARGS, "--out", str(tmp_path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = [json.loads(line) for line in out.splitlines()]
    trials = [x for x in lines if x["kind"] == "trial"]
    cells = [x for x in lines if x["kind"] == "cell"]
    sweep = lines[-1]
    assert len(trials) == 4 * 2 * 3 and len(cells) == 4
    assert sweep["kind"] == "sweep" and sweep["trained"] == 24 and sweep["score"] == "accuracy"
    for cell in cells:
        scores = [t["heldout_score"] for t in trials if t["cell"] == cell["cell"]]
        assert len(scores) == 6 and cell["n"] == 6 and isinstance(cell["n"], int)
        assert cell["mean"] == pytest.approx(statistics.fmean(scores))
        assert cell["median"] == pytest.approx(statistics.median(scores))
    # the same command again reads every cell back and prints the same rows
    assert main([*GRID_ARGS, "--out", str(tmp_path), "--json"]) == 0
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert again[:-1] == lines[:-1]
    assert again[-1]["trained"] == 0 and again[-1]["cells_read_back"] == 4


def test_cli_grid_table(capsys):
    assert main([*GRID_ARGS, "--optimizer", "sgd,adam"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("8 cells x 6 trainings on local: 48 trained in")
    assert len(lines) == 3 + 8 + 1 and lines[-1].startswith("best mean: h")


def test_a_single_range_is_still_the_old_sweep(capsys):
    assert main(["sweep", "--data", "xor", "--hidden", "2-3", "--seeds", "2",
                 "--epochs", "200", "--json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"seconds", "model_epochs", "rows"}


BAD_GRID_ARGS = {
    "step 0": (["--hidden", "4-64:0"], r"--hidden's step must be at least 1"),
    "empty range": (["--hidden", "8-4:2"], r"--hidden 8-4 holds no width"),
    "bad width": (["--hidden", "4,x"], r"--hidden takes a range like 1-16"),
    "bad layers": (["--layers", "1,a"], r"--layers: expected a whole number, got 'a'"),
    "bad optimizer": (["--optimizer", "sgd,lbfgs"], r"optimizer must be one of"),
    "bad scheduler": (["--scheduler", "localhost"], r"tcp://HOST:PORT or local:N"),
    "dask without scheduler": (["--executor", "dask"], r"needs --scheduler"),
    "local with scheduler": (["--executor", "local", "--scheduler", "local:2"],
                             r"leave out --executor local"),
}


@pytest.mark.parametrize("name", list(BAD_GRID_ARGS))
def test_bad_grid_arguments_exit_2_with_one_line(name, capsys, monkeypatch):
    monkeypatch.delenv("MLP_PLAYGROUND_DASK_SCHEDULER", raising=False)
    args, message = BAD_GRID_ARGS[name]
    try:
        code = main(["sweep", "--data", "moons", "--epochs", "10", "--seeds", "1", *args])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1, err
    assert lines[0].startswith("mlp_core: error: ")
    assert re.search(message, lines[0]), lines[0]


# ---- dask stays optional ------------------------------------------------------------------

def test_the_engine_imports_dask_only_when_a_dask_executor_opens():
    code = ("import sys, mlp_core.cli, mlp_core.gridsweep, mlp_core.executors; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_only_executors_py_imports_dask():
    importers = set()
    for path in sorted((REPO_ROOT / "mlp_core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] in ("dask", "distributed") for n in names):
                importers.add(path.relative_to(REPO_ROOT).as_posix())
    assert importers == {"mlp_core/executors.py"}


@pytest.mark.slow
def test_ctrl_c_keeps_the_finished_cells_and_the_same_command_resumes(tmp_path):
    args = [sys.executable, "-m", "mlp_core", *GRID_ARGS[:-2], "--epochs", "3000",
            "--optimizer", "sgd,adam", "--out", str(tmp_path), "--json"]
    proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not any(p.stat().st_size for p in tmp_path.glob("sweep-*.jsonl")):
            assert time.monotonic() < deadline and proc.poll() is None, "no cell was stored"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = err.strip().splitlines()
    assert proc.returncode == 2 and out == "" and len(lines) == 1, err
    (path,) = tmp_path.glob("sweep-*.jsonl")
    said = re.search(r"interrupted; (\d+) of 8 cells are finished and kept in (\S+), and the "
                     r"same command trains only the others$", lines[0])
    kept = int(said.group(1))
    assert 1 <= kept < 8 and said.group(2) == str(path)
    assert len(path.read_text().splitlines()) == kept
    again = subprocess.run(args, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    sweep = json.loads(again.stdout.splitlines()[-1])
    assert sweep["cells_read_back"] == kept and sweep["trained"] == (8 - kept) * 6


def test_best_cells_pick_the_highest_mean_and_the_smallest_width_within_one_se():
    from mlp_core.gridsweep import Cell, CellSummary, best_cells

    def rows(scores):
        return [{"heldout_score": s} for s in scores]

    cells = [Cell(h, 1, 0.5, "tanh", "sgd") for h in (1, 2, 4, 8)]
    scores = {1: [0.5, 0.6], 2: [0.80, 0.90], 4: [0.90, 0.90], 8: [0.88, 0.96]}
    summaries = {c.key: CellSummary.of(rows(scores[c.hidden])) for c in cells}
    picked = best_cells(cells, summaries)
    # means 0.55, 0.85, 0.90, 0.92; the best's SE is sd(0.88, 0.96) / sqrt(2) = 0.04, so
    # width 4's 0.90 is within it and width 2's 0.85 is not
    assert picked.best.hidden == 8
    assert picked.smallest_within_se.hidden == 4
    wide = {**scores, 8: [0.75, 1.0]}   # best 0.875 with SE 0.125: width 2's 0.85 is in
    summaries = {c.key: CellSummary.of(rows(wide[c.hidden])) for c in cells}
    summaries[cells[2].key] = CellSummary.of(rows([0.5]))
    picked = best_cells(cells, summaries)
    assert picked.best.hidden == 8 and picked.smallest_within_se.hidden == 2
    assert best_cells(cells, {c.key: CellSummary.of(rows([None])) for c in cells}) is None
