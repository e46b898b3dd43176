"""Grid sweeps on a real Dask cluster: a ``dask scheduler`` and two ``dask worker``
processes on 127.0.0.1, started here and always stopped afterwards.

Each worker is its own process group (its nanny and its worker process), so one can be
killed whole mid-sweep, as a machine of a cluster dies.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlp_core import gridsweep
from mlp_core.datasets import make_dataset
from mlp_core.executors import DaskExecutor, LocalExecutor
from mlp_core.gridsweep import GridSpec, SweepFile, rows_in_order, run_grid
from mlp_core.problems import problem_for
from mlp_core.training import TrainConfig

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and ``n`` one-thread workers, each a subprocess group of its own."""

    def __init__(self, log_dir: Path, workers: int = 2):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.log_dir = log_dir
        self.env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_NUM_THREADS": "1"}
        self.procs: list[subprocess.Popen] = []
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start("scheduler", "distributed.cli.dask_scheduler",
                                     "--host", "127.0.0.1", "--port", port, "--no-dashboard")
        self.workers = [self._start(f"worker{i}", "distributed.cli.dask_worker", self.address,
                                    "--nworkers", "1", "--nthreads", "1",
                                    "--host", "127.0.0.1", "--no-dashboard")
                        for i in range(workers)]

    def _start(self, name: str, module: str, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
        proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=REPO_ROOT,
                                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        proc.log = log
        self.procs.append(proc)
        return proc

    def wait_for_workers(self, executor: DaskExecutor, n: int) -> None:
        executor.client.wait_for_workers(n, timeout=START_TIMEOUT)

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the process's whole group (the nanny and its worker): no goodbye."""
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for proc in self.procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            proc.log.close()


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture
def executor(cluster):
    ex = DaskExecutor(cluster.address)
    try:
        cluster.wait_for_workers(ex, 2)
        yield ex
    finally:
        ex.close()


@pytest.fixture(scope="module")
def moons():
    return make_dataset("moons", samples=160, noise=0.2, seed=5)


def spec_for(data, epochs: int) -> GridSpec:
    p = problem_for(data, "bce")
    return GridSpec(widths=(3, 6), layers=(1, 2), lrs=(0.3,), optimizers=("sgd", "adam"),
                    activations=("tanh",), seeds=2, folds=3, output=p.output,
                    n_outputs=p.n_outputs, config=TrainConfig(epochs=epochs, loss="bce"))


def text(rows):
    """Rows as JSON text: equal text is equal floats, bit for bit."""
    return [json.dumps(r, sort_keys=True) for r in rows]


def trained_on_workers(executor: DaskExecutor) -> int:
    return sum(executor.client.run(gridsweep.trials_trained).values())


def test_dask_rows_equal_the_local_rows_bit_for_bit(executor, moons):
    spec = spec_for(moons, 400)
    local = run_grid(moons, spec, LocalExecutor())
    before = trained_on_workers(executor)
    remote = run_grid(moons, spec, executor)
    assert remote.complete and remote.trained == 8 * 6
    assert text(rows_in_order(remote)) == text(rows_in_order(local))
    # the trainings ran on the workers (both of them), not in this process
    counts = executor.client.run(gridsweep.trials_trained)
    assert sum(counts.values()) - before == 8 * 6
    assert len(counts) == 2 and all(n > 0 for n in counts.values())
    # each worker took the kernel-warming plugin when it joined
    plugins = executor.client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert all("mlp-core-warm-kernel" in names for names in plugins.values())


def test_killing_a_worker_mid_sweep_loses_no_cell(cluster, executor, moons):
    spec = spec_for(moons, 4000)
    local = run_grid(moons, spec, LocalExecutor())
    victim = cluster.workers[0]
    finished, killed_after = [], []

    def kill_after_the_first_cell(cell, rows):
        finished.append(cell.key)
        if len(finished) == 1:
            cluster.kill(victim)
            killed_after.append(len(finished))

    remote = run_grid(moons, spec, executor, on_cell=kill_after_the_first_cell)
    assert victim.poll() is not None and killed_after == [1]
    assert remote.complete and len(finished) == len(spec.cells)
    assert text(rows_in_order(remote)) == text(rows_in_order(local))
    # The survivor is the only worker left (a fresh one: it counted this sweep's trainings
    # only), and it trained more than its half: the killed worker's share came to it.
    survivor = executor.client.run(gridsweep.trials_trained)
    assert len(survivor) == 1
    assert sum(survivor.values()) > len(spec.cells) * spec.trials_per_cell / 2


def test_a_resumed_dask_sweep_trains_only_the_missing_cells(executor, moons, tmp_path):
    spec = spec_for(moons, 400)
    out = str(tmp_path / "sweeps")
    full = run_grid(moons, spec, LocalExecutor(), out=out)
    # An interrupted sweep's file: the first three cells only.
    path = SweepFile(out, moons, spec).path
    with open(path) as f:
        lines = f.readlines()
    with open(path, "w") as f:
        f.writelines(lines[:3])
    before = trained_on_workers(executor)
    resumed = run_grid(moons, spec, executor, out=out)
    missing = (len(spec.cells) - 3) * spec.trials_per_cell
    assert resumed.trained == missing
    assert trained_on_workers(executor) - before == missing
    assert text(rows_in_order(resumed)) == text(rows_in_order(full))
    with open(path) as f:
        assert len(f.readlines()) == len(spec.cells)


def test_the_cli_runs_a_grid_on_the_cluster(cluster, executor, tmp_path):
    args = ["sweep", "--data", "moons", "--samples", "160", "--hidden", "3,6", "--seeds", "2",
            "--folds", "3", "--epochs", "300", "--activation", "tanh", "--lr", "0.3", "--json"]
    run = [sys.executable, "-m", "mlp_core", *args]
    local = subprocess.run(run, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    remote = subprocess.run([*run, "--scheduler", cluster.address], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=120)
    # the app's way: the address in the environment
    env = {**os.environ, "MLP_PLAYGROUND_DASK_SCHEDULER": cluster.address}
    from_env = subprocess.run([*run, "--executor", "dask"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    for proc in (local, remote, from_env):
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    local_lines = local.stdout.splitlines()
    for proc in (remote, from_env):
        lines = proc.stdout.splitlines()
        assert lines[:-1] == local_lines[:-1]
        assert json.loads(lines[-1])["executor"] == "dask"


@pytest.mark.usefixtures("navigation_app")   # AppTest as the real server runs the pages
def test_the_grid_page_runs_its_sweep_on_the_cluster(cluster, executor, monkeypatch):
    # The app's way (MLP_PLAYGROUND_DASK_SCHEDULER), through the Grid sweep page in AppTest:
    # the trainings run on the two workers, and the page reads the cells back on a rerun.
    from tests.apptest_support import assert_clean, click
    from tests.test_app_grid import open_grid

    monkeypatch.setenv("MLP_PLAYGROUND_DASK_SCHEDULER", cluster.address)
    at = open_grid(dataset="moons", samples="160", bias="true", init="xavier", lr="0.3",
                   epochs="300", activation="tanh", loss="bce")
    at.text_input(key="grid_widths").set_value("3, 6").run()
    at.number_input(key="grid_seeds").set_value(2).run()
    assert any(f"the Dask cluster at {cluster.address}" in c.value for c in at.caption)
    before = trained_on_workers(executor)
    click(at, "grid-run")
    assert_clean(at)
    assert at.success[0].value.startswith("0 cells read back, 2 trained (4 trainings")
    counts = executor.client.run(gridsweep.trials_trained)
    assert sum(counts.values()) - before == 4
    click(at, "grid-run")
    assert at.success[0].value.startswith("2 cells read back, 0 trained (0 trainings")
