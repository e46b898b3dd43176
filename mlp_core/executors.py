"""Where a grid sweep's tasks run: this machine's cores, or a Dask cluster.

Both executors have one method, ``map_unordered(fn, shared, tasks, cancel)``,
which yields ``fn(*shared, task)`` for each task as it finishes. ``shared``
(the data, the spec, the fold labels) is the same for every task: the local
executor hands the objects to its threads, Dask sends them to each worker once
(``Client.scatter``), not once per task.

- ``local``: a thread per core; the compiled kernel releases the GIL, so two
  threads train on two cores. ``cancel`` reaches into running trainings.
- ``dask``: a ``dask.distributed`` client of the scheduler at ``tcp://HOST:PORT``
  (or ``local:N``, a cluster of N one-thread worker processes on this machine).
  Each worker compiles (or loads) the kernel once, when it joins
  (``_warm_kernel_plugin``). A task running on a worker that dies is run again
  elsewhere by the scheduler; ``cancel`` drops the tasks not yet finished.

dask is imported here only, and only when a Dask executor is opened: the engine
works without it.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

# Where the app (and the CLI's ``--executor dask`` without ``--scheduler``) finds the scheduler.
SCHEDULER_ENV = "MLP_PLAYGROUND_DASK_SCHEDULER"
MAX_LOCAL_WORKERS = 64
# How long a client waits for the scheduler before saying it cannot reach it.
CONNECT_TIMEOUT = "10s"
_ADDRESS = re.compile(r"^(tcp|tls)://[^\s:/]+:\d{1,5}$")
_LOCAL = re.compile(r"^local:(\d+)$")


class LocalExecutor:
    """Tasks on threads of this process, ``workers`` at once (default: one per core)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = workers or os.cpu_count() or 1

    def map_unordered(self, fn: Callable, shared: tuple, tasks: list,
                      cancel: threading.Event) -> Iterator:
        if not tasks:
            return
        with ThreadPoolExecutor(max_workers=min(self.workers, len(tasks))) as pool:
            futures = [pool.submit(fn, *shared, task, cancel) for task in tasks]
            finished = 0
            try:
                for future in as_completed(futures):
                    if cancel.is_set():
                        return
                    result = future.result()
                    finished += 1
                    yield result
            finally:
                # Whatever ended the loop early (cancel, an exception, the caller closing
                # the generator), no training may go on in the background.
                if finished < len(futures):
                    cancel.set()
                    for f in futures:
                        f.cancel()

    def close(self) -> None:
        pass


def check_scheduler(address: str) -> str:
    """``address`` if it is ``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``local:N``."""
    m = _LOCAL.match(address)
    if m and 1 <= int(m.group(1)) <= MAX_LOCAL_WORKERS:
        return address
    if _ADDRESS.match(address):
        return address
    raise ValueError(f"the scheduler must be tcp://HOST:PORT or local:N (N in 1.."
                     f"{MAX_LOCAL_WORKERS}), got {address!r}")


def _warm_kernel_plugin():
    """A worker plugin that gives BLAS one thread and compiles the kernel as a worker
    joins (defined here, not at the top, so that importing this module needs no dask)."""
    from distributed import WorkerPlugin

    class WarmKernel(WorkerPlugin):
        name = "mlp-core-warm-kernel"

        def setup(self, worker):
            from mlp_core.bench import warmup
            from mlp_core.dense import one_blas_thread
            # One BLAS thread per worker: the worker's one task thread is its core.
            one_blas_thread()
            warmup()

    return WarmKernel()


class DaskExecutor:
    """Tasks on a ``dask.distributed`` cluster; ``address`` as ``check_scheduler`` takes it."""

    name = "dask"

    def __init__(self, address: str):
        check_scheduler(address)
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ValueError("the dask executor needs dask.distributed: "
                             "pip install 'dask[distributed]'") from None
        self.address = address
        self._cluster = None
        local = _LOCAL.match(address)
        try:
            if local:
                self._cluster = LocalCluster(n_workers=int(local.group(1)), threads_per_worker=1,
                                             processes=True, host="127.0.0.1",
                                             dashboard_address=None)
                self.client = Client(self._cluster)
            else:
                self.client = Client(address, timeout=CONNECT_TIMEOUT)
        except OSError as err:
            self.close()
            raise ValueError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        self.client.register_plugin(_warm_kernel_plugin())

    def map_unordered(self, fn: Callable, shared: tuple, tasks: list,
                      cancel: threading.Event) -> Iterator:
        from distributed import as_completed as completed

        if not tasks:
            return
        shared = [self.client.scatter(x, broadcast=True, hash=False) if x is not None else None
                  for x in shared]
        futures = [self.client.submit(fn, *shared, task, pure=False) for task in tasks]
        try:
            for future in completed(futures):
                if cancel.is_set():
                    return
                yield future.result()
        finally:
            self.client.cancel(futures)
            self.client.cancel([x for x in shared if x is not None])

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()


def open_executor(name: str = "local", scheduler: str | None = None):
    """The executor ``name`` (``EXECUTORS``); ``dask``'s scheduler is ``scheduler``, else
    the address in the environment variable ``SCHEDULER_ENV``."""
    if name not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}; got {name!r}")
    if name == "local":
        return LocalExecutor()
    address = scheduler or os.environ.get(SCHEDULER_ENV)
    if not address:
        raise ValueError(f"the dask executor needs --scheduler tcp://HOST:PORT or local:N, "
                         f"or {SCHEDULER_ENV} set")
    return DaskExecutor(address)


EXECUTORS = {"local": LocalExecutor, "dask": DaskExecutor}
