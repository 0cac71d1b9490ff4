"""Write a file so that it is either whole or absent: temporary file beside it, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: str | Path, data: bytes, overwrite: bool = True) -> None:
    with atomic_file(path, overwrite) as out:
        out.write(data)


@contextmanager
def atomic_file(path: str | Path, overwrite: bool = True):
    """A binary handle whose bytes become `path` when the block ends, and never otherwise
    (an exception or a stop leaves the old file, or none)."""
    path = Path(path)
    if not overwrite and path.exists():
        raise FileExistsError(f"{path} exists")
    from mediavet import signals

    path.parent.mkdir(parents=True, exist_ok=True)  # a report or plan may name a folder not made yet
    signals.watch(path.parent or ".")
    handle, temporary = tempfile.mkstemp(prefix=signals.prefix(), suffix=".part", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # a normal file, not mkstemp's private 0600
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
