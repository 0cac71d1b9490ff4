"""A rich progress bar on stderr for batches, only when stderr is a terminal."""

from __future__ import annotations

import sys


class progress:
    """A rich progress bar on stderr for batches, when stderr is a terminal."""

    def __init__(self, total: int, what: str):
        self.total = total
        self.what = what
        self.enabled = total > 1 and sys.stderr.isatty()
        self.bar = None

    def __enter__(self):
        if not self.enabled:
            return lambda: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn(self.what), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.what, total=self.total)
        return lambda: self.bar.advance(task)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
