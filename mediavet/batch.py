"""Run one function over many inputs, in local worker processes when it pays off.

Results come back in input order, as they are ready, so reports stay deterministic and
JSON Lines can stream. (dask, for work larger than one machine, will plug in here.)
"""

from __future__ import annotations

import os
from functools import partial

MIN_PER_WORKER = 8  # below this many files per worker, starting workers costs more than it saves


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _mark_worker() -> None:
    """In each worker: models use one thread each, and the signals do what they do by default
    (a forked worker inherits the driver's handlers; the driver stops workers with SIGTERM and
    sweeps up after them, see mediavet/signals.py)."""
    import signal

    os.environ["MEDIAVET_WORKER"] = "1"
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def run_ordered(function, items, jobs: int, heavy: bool = False, **kwargs):
    """Yield function(item, **kwargs) for each item, in order. Heavy items (whole-image work:
    decoding, models) get workers from two items on and are handed out one at a time, so
    that no worker idles behind a slow neighbour."""
    items = list(items)
    call = partial(function, **kwargs)
    jobs = min(jobs, len(items) // (2 if heavy else MIN_PER_WORKER))
    if jobs <= 1:
        yield from map(call, items)
        return
    import multiprocessing

    # Forking a process whose model runtime already started threads can deadlock the child
    # (onnxruntime's thread pools do not survive fork): then workers start fresh (spawn).
    import sys

    method = "fork" if hasattr(os, "fork") and "onnxruntime" not in sys.modules else "spawn"
    context = multiprocessing.get_context(method)
    with context.Pool(jobs, initializer=_mark_worker) as pool:
        yield from pool.imap(call, items, chunksize=1 if heavy else max(1, len(items) // (jobs * 4)))
