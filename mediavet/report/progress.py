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


class frame_progress:
    """Frames encoded, with their rate, for one clip (rich, on stderr, when it is a terminal)."""

    def __init__(self, path):
        self.path = path
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda: None
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        from mediavet.safe_text import clean

        # the name is a field, never part of the format string or markup: a crafted name stays text
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.fields[name]}", markup=False),
                            TextColumn("{task.completed} frames"),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task("frames", total=None, rate="", name=clean(self.path.name))

        def tick():
            self.bar.advance(task)
            speed = self.bar.tasks[0].speed
            self.bar.update(task, rate=f"{speed:.1f} fps" if speed else "")
        return tick

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False
