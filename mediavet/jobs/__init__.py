"""One batch API for every command and the review server.

A job is inputs and an operation (verify, audit, plan, redact, index-add; each carries its
frozen options, see `operations`). `run` yields one `Result` per input, in input order, as
files finish: from the ledger when an earlier run already did that file with the same
settings, else from the engine's workers (local processes or a Dask cluster, see `engine`).
The driver alone finishes results (names and places copies, inserts into the archive) and
writes the ledger.

    from mediavet import jobs
    from mediavet.jobs.operations import Verify
    for result in jobs.run(jobs.Job(Verify(options), paths)):
        print(result.path, result.value.worst)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mediavet.jobs.engine import Engine, local, ordered
from mediavet.jobs.ledger import DONE, Ledger, sha256_of
from mediavet.jobs.operations import Operation

__all__ = ["Job", "Result", "run", "Ledger"]


@dataclass(frozen=True)
class Job:
    operation: Operation
    inputs: tuple

    def __init__(self, operation: Operation, inputs):
        object.__setattr__(self, "operation", operation)
        object.__setattr__(self, "inputs", tuple(str(p) for p in inputs))


@dataclass
class Result:
    number: int  # place among the inputs, from 0
    path: str
    value: Any  # the operation's result (a FileReport, an Outcome, an Added)
    resumed: bool = False  # reported from the ledger: an earlier run did it


def run(job: Job, engine: Engine | None = None, ledger: Ledger | None = None, retry_failed: bool = False,
        fresh: bool = False):
    """Yield a Result per input, in input order. With a ledger, what an earlier run did is not
    done again (failures only with `retry_failed`; nothing with `fresh`), and every new result
    is recorded."""
    operation, engine = job.operation, engine or local()
    known: dict[int, Any] = {}
    if ledger is not None and not fresh:
        for number, path in enumerate(job.inputs):
            value = _from_ledger(operation, ledger, path, retry_failed)
            if value is not None:
                known[number] = value
    todo = [number for number in range(len(job.inputs)) if number not in known]
    if ledger is not None:
        for number in todo:
            operation.redo(job.inputs[number], ledger.latest(job.inputs[number]))
    function, kwargs = operation.work(engine)
    prepare = None
    if engine.ship_bytes:
        function, kwargs, prepare = _unpack, {"work": function, "named": operation.path_field, **kwargs}, _pack
    computed = ordered(
        engine, function, [job.inputs[n] for n in todo], operation.lost,
        heavy=operation.heavy, inline=lambda path: operation.inline(path, engine), prepare=prepare, **kwargs)
    try:
        pending = iter(computed)
        for number, path in enumerate(job.inputs):
            if number in known:
                yield Result(number, path, known.pop(number), resumed=True)
                continue
            _item, value = next(pending)
            yield Result(number, path, operation.finish(value, lambda done, path=path: _record(ledger, operation, path, done)))
        next(pending, None)  # the loop ends on its own: workers are shut down, not stopped
    finally:
        computed.close()
        if ledger is not None:
            ledger.flush()


def _record(ledger: Ledger | None, operation: Operation, path: str, value) -> None:
    status = operation.status(value)
    if ledger is not None and status is not None:
        ledger.record(path, status, operation.sha256(value), operation.summary(value), operation.to_json(value),
                      now=operation.durable)


def _from_ledger(operation: Operation, ledger: Ledger, path: str, retry_failed: bool):
    row = ledger.lookup(path)
    if row is None and operation.by_content:
        digest = sha256_of(path)
        row = ledger.by_sha256(digest) if digest else None
    if row is None or (row.status != DONE and retry_failed):
        return None
    return operation.from_ledger(row, path)


@dataclass
class _Shipped:
    """An input sent to a worker as bytes (--ship-bytes): the worker sees no shared folder."""
    path: str
    data: bytes


def _pack(path: str):
    try:
        return _Shipped(path, Path(path).read_bytes())
    except OSError:
        return path  # the worker reports it as it reports any unreadable file


def _unpack(item, work, named, **kwargs):
    """On a worker: the shipped bytes in a temporary file of the same extension, the work
    done on it, the result named after the input."""
    if not isinstance(item, _Shipped):
        return work(item, **kwargs)
    with tempfile.TemporaryDirectory(prefix="mediavet-input-") as scratch:
        copy = Path(scratch) / ("input" + Path(item.path).suffix.lower())
        copy.write_bytes(item.data)
        os.chmod(copy, 0o400)
        result = work(copy, **kwargs)
    setattr(result, named, item.path)
    return result
