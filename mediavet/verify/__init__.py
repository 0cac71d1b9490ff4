"""verify: run the registered checks over one file and gather a FileReport."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from mediavet.errors import MediaError, stable
from mediavet.media import probe
from mediavet.verify.duplicates import duplicate_findings
from mediavet.verify.facts import facts
from mediavet.verify.finding import Finding, Severity, ordered
from mediavet.verify.options import VerifyOptions
from mediavet.verify.registry import all_checks

__all__ = ["FileReport", "Finding", "Severity", "VerifyOptions", "verify_file"]


@dataclass
class FileReport:
    path: str
    sha256: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    facts: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    error: dict | None = None  # {"kind", "message"} when the file could not be verified
    views: list | None = field(default=None, repr=False)  # (second, fingerprint) for duplicate.in_batch

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def to_json(self) -> dict:
        return {
            "path": self.path, "sha256": self.sha256, "format": self.format, "width": self.width,
            "height": self.height, "facts": self.facts, "metadata": self.metadata,
            "findings": [f.to_json() for f in self.findings], "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict) -> "FileReport":
        """A report as `to_json` wrote it (a ledger's, a spooled one)."""
        return cls(path=data["path"], sha256=data.get("sha256"), format=data.get("format"), width=data.get("width"),
                   height=data.get("height"), facts=data.get("facts") or {}, metadata=data.get("metadata") or {},
                   findings=[Finding.from_json(f) for f in data.get("findings") or []], error=data.get("error"))


def verify_file(path: str | Path, options: VerifyOptions | None = None) -> FileReport:
    """Verify one file. Never raises for a bad file: the report carries the error."""
    options = options or VerifyOptions()
    report = FileReport(path=str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # decoders warn about the very damage we report
        _verify_into(report, path, options)
    return report


def _verify_into(report: FileReport, path, options: VerifyOptions) -> None:
    try:
        media = probe(path, max_pixels=options.max_pixels)
        report.sha256, report.format = media.sha256, media.format
        damage = media.tolerated_damage()  # raises when the damage costs the picture
        report.width, report.height = media.size
        report.findings = run_checks(media, options) + duplicate_findings(media, options, report)
        if damage:
            report.findings.append(Finding("file.damaged", Severity.WARN, f"the file is damaged, though its pixels "
                                           f"decode: {damage}", {"damage": damage}))
        report.findings = ordered(report.findings)
        report.facts = facts(media)
        report.metadata = media.metadata.to_json()
    except MediaError as exc:
        report.error = {"kind": exc.kind, "message": exc.message}
        report.findings = []
    except Exception as exc:  # a reader bug must cost one file, never the batch
        report.error = {"kind": "internal", "message": f"mediavet failed on this file: {type(exc).__name__}: {stable(exc)}"[:300]}
        report.findings = []


def run_checks(media, options: VerifyOptions) -> list[Finding]:
    findings: list[Finding] = []
    for check in all_checks().values():
        if media.format not in check.formats:
            continue
        try:
            findings.extend(check.run(media, options))
        except MediaError:
            raise
        except Exception as exc:  # a broken check must not crash the batch
            findings.append(Finding(
                "mediavet.check_error", Severity.WARN, f"check {check.id} failed: {type(exc).__name__}: {exc}"[:300],
                {"check": check.id, "exception": type(exc).__name__},
            ))
    return ordered(findings)
