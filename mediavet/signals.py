"""One way a run ends early, whatever stops it: Ctrl-C (SIGINT), a service manager or `kill`
(SIGTERM), a closed terminal (SIGHUP). The handler raises `Stopped` in the main process:
worker pools are terminated as the exception unwinds them, every temporary file this run
made is removed (they carry the run's number in their name, in workers too), and the
process exits 130, 143 or 129 with one line on stderr. Nothing half-written stays behind.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
RUN = "MEDIAVET_RUN"  # the driver's process number, inherited by its workers

_folders: set[Path] = set()


class Stopped(KeyboardInterrupt):
    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def code(self) -> int:
        return CODES.get(self.signum, 130)

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def install() -> None:
    """In the driver: handle the three signals, and mark this run's temporary files."""
    os.environ[RUN] = str(os.getpid())
    for signum in CODES:
        signal.signal(signum, _stop)


def _stop(signum, _frame) -> None:
    if os.environ.get(RUN) != str(os.getpid()):  # a forked child inherited the handler: die as by default
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    for other in CODES:  # a second signal must not interrupt the clean-up
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def prefix() -> str:
    """The name every temporary file of this run starts with (hidden, `.part` at the end)."""
    return f".mediavet-{os.environ.get(RUN, os.getpid())}-"


def watch(folder) -> None:
    """A folder this run writes temporary files into: swept when the run is stopped."""
    _folders.add(Path(folder))


def sweep() -> int:
    """Remove this run's temporary files from the watched folders; how many were removed."""
    removed = 0
    for folder in _folders:
        for leftover in folder.glob(f"{prefix()}*.part"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_dead(folder) -> int:
    """Remove the temporary files of runs that are no longer alive (a SIGKILL or a power cut
    leaves them behind); how many were removed."""
    import re

    removed = 0
    for leftover in Path(folder).glob(".mediavet-*-*.part"):
        match = re.match(r"\.mediavet-(\d+)-", leftover.name)
        if match and not _alive(int(match.group(1))):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True
