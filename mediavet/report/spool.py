"""Reports kept on disk while a batch runs, so a run of any size holds only a Brief per file.

Each report (and, for duplicate.in_batch, its fingerprints) is pickled to an anonymous
temporary file as it finishes: the file has no name, so nothing is left behind even when
the process is killed. `reports()` reads them back in order, with the batch-level findings
added since (`amend`).
"""

from __future__ import annotations

import pickle
import tempfile

from mediavet.report.summary import Brief


class Spool:
    def __init__(self):
        self._file = tempfile.TemporaryFile()
        self.briefs: list[Brief] = []
        self._added: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self.briefs)

    def add(self, report) -> None:
        self._file.seek(0, 2)
        pickle.dump((report.to_json(), report.views), self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.briefs.append(Brief.of(report))

    def amend(self, findings: dict[int, list]) -> None:
        """Batch-level findings per report number (0-based); the Briefs follow."""
        self._added.update(findings)
        for number, report in enumerate(self.reports(with_views=False)):
            if number in findings:
                self.briefs[number] = Brief.of(report)

    def reports(self, with_views: bool = False):
        """The FileReports in the order they were added; the fingerprints only when asked."""
        from mediavet.verify import FileReport

        self._file.seek(0)
        for number in range(len(self.briefs)):
            data, views = pickle.load(self._file)
            report = FileReport.from_json(data)
            if with_views:
                report.views = views
            if number in self._added:
                report.findings.extend(self._added[number])
                report.findings.sort(key=lambda f: (-f.severity, f.id, f.message))
            yield report

    def close(self) -> None:
        self._file.close()
