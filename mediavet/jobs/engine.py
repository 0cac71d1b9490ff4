"""Where a batch's work runs: in this process, in local worker processes, or on a Dask cluster.

All three go through one loop (`ordered`): tasks are submitted to a `concurrent.futures`
executor (a local process pool, or `distributed.Client.get_executor()`), a bounded number at
a time, and results come back in input order as they are ready, so reports stay
deterministic, JSON Lines can stream and memory stays flat however many files there are.

A worker that dies takes its tasks with it: they are run again (the local pool is started
afresh; Dask reschedules on its own), and a file whose task is lost twice gets the
operation's `lost` result instead of stopping the batch.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from concurrent.futures import Executor
from functools import partial

MIN_PER_WORKER = 8  # below this many light files per worker, starting workers costs more than it saves
ATTEMPTS = 2  # a file whose task is lost this many times (its worker died) is recorded as failed


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


class Engine:
    """Local worker processes (`workers`), or a Dask cluster (`client`). `remote`: workers may
    not see this machine's files and folders, so outputs come back as bytes and the driver
    writes them (and, with `ship_bytes`, inputs go out as bytes)."""

    def __init__(self, workers: int | None = None, client=None, ship_bytes: bool = False, cluster=None):
        self.client, self.cluster, self.ship_bytes = client, cluster, ship_bytes
        self.workers = workers or default_jobs()
        self.remote = client is not None

    def size(self) -> int:
        if self.client is None:
            return self.workers
        return max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def local(workers: int | None = None) -> Engine:
    return Engine(workers)


def dask(address: str, ship_bytes: bool = False, workers: int | None = None) -> Engine:
    """A Dask cluster: an existing scheduler's address, or "local" for a LocalCluster of
    `workers` single-threaded processes on this machine. dask[distributed] is an optional
    extra, imported only here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RuntimeError("--scheduler needs Dask: pip install 'mediavet[dask]' (dask[distributed])") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers or default_jobs(), threads_per_worker=1, processes=True,
                               dashboard_address=None if "PYTEST_CURRENT_TEST" in os.environ else ":8787")
        client = Client(cluster)
    else:
        client = Client(address, timeout="20s")
    client.run(_mark_worker)  # every worker: one thread per model, default signals
    return Engine(client=client, cluster=cluster, ship_bytes=ship_bytes)


def from_options(jobs: int | None, scheduler: str | None, ship_bytes: bool = False) -> Engine:
    """The engine a command's --jobs, --scheduler (or $DASK_SCHEDULER_ADDRESS, read by the
    option) and --ship-bytes ask for."""
    if scheduler:
        return dask(scheduler, ship_bytes, jobs)
    if ship_bytes:
        raise ValueError("--ship-bytes goes with --scheduler: local workers read the files themselves")
    return local(jobs)


def _mark_worker() -> None:
    """In each worker: models use one thread each, and the signals do what they do by default
    (a forked worker inherits the driver's handlers; the driver stops workers with SIGTERM and
    sweeps up after them, see mediavet/signals.py)."""
    import signal
    import threading

    os.environ["MEDIAVET_WORKER"] = "1"
    _keep_freed_memory()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _keep_freed_memory() -> None:
    """glibc: keep freed memory for the next file instead of returning it at once. Dask starts
    its workers with MALLOC_TRIM_THRESHOLD_=65536, which also pins the mmap threshold at 128 KiB:
    every decoded picture was then mapped and unmapped afresh, and verify ran at half speed on a
    cluster (measured: 100 files 5.1 s, 2.5 s with these two settings). A worker's memory stays
    bounded by the largest pictures it decodes."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 128 << 20)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: buffers up to 32 MiB from the heap, reused
    except (OSError, AttributeError):  # not glibc
        pass


def _run_chunk(function, items, kwargs):
    return [function(item, **kwargs) for item in items]


def ordered(engine: Engine, function, items, lost, heavy: bool = False, inline=None, prepare=None, **kwargs):
    """Yield (item, function(item, **kwargs)) for each item, in input order.

    Heavy items (whole-image work: decoding, models) are handed out one at a time, so that no
    worker idles behind a slow neighbour; light ones in chunks. `inline(item)`: run this one
    in this process when its turn comes (a clip with its frame counter) while the workers
    go on with the next ones: it returns a function of no arguments that does the work, or
    None. `prepare(item)`: what is sent to a worker for this item (its bytes, say), made when
    it is sent. `lost(item, why)` is the result for an item whose worker died `ATTEMPTS`
    times."""
    items = list(items)
    call = partial(function, **kwargs)
    inline = inline or (lambda item: None)
    sent = (lambda group: [prepare(item) for item in group]) if prepare else (lambda group: group)
    size = engine.size()
    if not engine.remote and min(size, len(items) // (2 if heavy else MIN_PER_WORKER)) <= 1:
        for item in items:
            runner = inline(item)
            yield item, runner() if runner else call(item)
        return
    chunk = 1 if heavy else max(1, min(64, len(items) // (size * 4)))
    with _Pool(engine, len(items) if not engine.remote else size) as pool:
        tasks = deque()  # [items, a future, a function to run here or a list of results, attempts]
        upcoming = iter(_chunks(items, chunk, inline))

        def fill():
            while len(tasks) < 2 * size + 1:
                group, runner = next(upcoming, (None, None))
                if group is None:
                    return
                tasks.append([group, runner or pool.submit(_run_chunk, function, sent(group), kwargs), 1])

        fill()
        while tasks:
            group, state, attempts = tasks[0]
            if callable(state):  # this one runs here
                tasks.popleft()
                fill()
                yield group[0], state()
                continue
            try:
                results = state if isinstance(state, list) else state.result()
            except Exception as exc:  # the worker died (or the cluster lost the task)
                if not pool.lost(exc):
                    raise
                if engine.client is None:  # the whole local pool went down: find the culprit
                    pool.quarantine(tasks, function, kwargs, lost, sent)
                    continue
                tasks.popleft()
                if len(group) > 1 or attempts < ATTEMPTS:  # again, one by one, so that the culprit is known
                    for item in reversed(group):
                        tasks.appendleft([[item], pool.submit(_run_chunk, function, sent([item]), kwargs),
                                          attempts + (len(group) == 1)])
                else:
                    tasks.appendleft([group, [lost(group[0], "the worker processing it died twice")], attempts])
                continue
            tasks.popleft()
            fill()
            yield from zip(group, results)


def _chunks(items, size, inline):
    """(items, None) for up to `size` items the workers do together, ([item], runner) for one
    this process does: `inline` is asked once per item."""
    group = []
    for item in items:
        runner = inline(item)
        if runner:
            if group:
                yield group, None
                group = []
            yield [item], runner
            continue
        group.append(item)
        if len(group) >= size:
            yield group, None
            group = []
    if group:
        yield group, None


class _Pool:
    """The executor of one batch: a local process pool (started again when a worker dies)
    or the Dask client's executor."""

    def __init__(self, engine: Engine, count: int):
        self.engine, self.count = engine, count
        self.executor: Executor | None = None

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc):
        if self.executor is None:
            return False
        if exc[0] is not None and self.engine.client is None:  # stopped: the workers stop now, not after their file
            for process in list(getattr(self.executor, "_processes", {}).values()):
                process.terminate()
        # a cluster's executor has no cancel_futures: Dask cancels what the client drops
        cancel = {"cancel_futures": True} if self.engine.client is None else {}
        self.executor.shutdown(wait=exc[0] is None, **cancel)
        return False

    def _start(self) -> None:
        if self.engine.client is not None:
            self.executor = self.engine.client.get_executor(pure=False)
            return
        from concurrent.futures import ProcessPoolExecutor

        self.executor = ProcessPoolExecutor(min(self.engine.workers, max(1, self.count)), mp_context=self._context(),
                                            initializer=_mark_worker)

    def submit(self, function, *args):
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self.executor.submit(function, *args)
        except BrokenProcessPool as exc:  # it broke since the last result: this task fails like those in it
            failed = Future()
            failed.set_exception(exc)
            return failed

    def lost(self, exc: BaseException) -> bool:
        """Whether this exception means the task's worker went away (not a bug in the task)."""
        from concurrent.futures.process import BrokenProcessPool

        if isinstance(exc, BrokenProcessPool):
            return True
        return type(exc).__name__ in ("KilledWorker", "CommClosedError", "FutureCancelledError")

    def quarantine(self, tasks, function, kwargs, lost, sent) -> None:
        """A local worker died and took the pool down: every unfinished task runs again alone,
        in a pool of its own, item by item; an item that kills that one too is lost. Then a
        fresh pool takes the rest."""
        from concurrent.futures import ProcessPoolExecutor

        self.executor.shutdown(wait=False, cancel_futures=True)  # local only: a cluster reschedules by itself
        for task in tasks:
            group, state = task[0], task[1]
            if callable(state) or isinstance(state, list) or (state.done() and not state.cancelled()
                                                               and state.exception() is None):
                continue
            results = []
            for item in group:
                alone = ProcessPoolExecutor(1, mp_context=self._context(), initializer=_mark_worker)
                try:
                    results += alone.submit(_run_chunk, function, sent([item]), kwargs).result()
                except Exception as exc:
                    if not self.lost(exc):
                        raise
                    results.append(lost(item, "the worker processing it died twice"))
                finally:
                    alone.shutdown(wait=False, cancel_futures=True)
            task[1] = results
        self._start()

    @staticmethod
    def _context():
        import multiprocessing

        # Forking a process whose model runtime already started threads can deadlock the child
        # (onnxruntime's thread pools do not survive fork): then workers start fresh (spawn).
        return multiprocessing.get_context("fork" if hasattr(os, "fork") and "onnxruntime" not in sys.modules
                                           else "spawn")
