"""Results kept on disk while a batch runs, so a run of any size holds only a brief per file.

Each result (a verify report with its fingerprints, a redaction outcome) is pickled to an
anonymous temporary file as it finishes: the file has no name, so nothing is left behind
even when the process is killed. `items()` reads them back in order; `briefs` holds what
the summary and the exit code need, made by `brief(result)` as each one is added.
"""

from __future__ import annotations

import pickle
import tempfile


class Spool:
    def __init__(self, brief):
        self._file = tempfile.TemporaryFile()
        self._brief = brief
        self.briefs: list = []

    def __len__(self) -> int:
        return len(self.briefs)

    def add(self, result) -> None:
        self._file.seek(0, 2)
        pickle.dump(result, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.briefs.append(self._brief(result))

    def items(self):
        """The results in the order they were added (one in memory at a time)."""
        self._file.seek(0)
        for _ in range(len(self.briefs)):
            yield pickle.load(self._file)

    def close(self) -> None:
        self._file.close()
