"""What a person reads first about a batch: files worst first, each with its verdict, its top
findings in plain words and what to do next. Shared by the HTML report and the review page."""

from __future__ import annotations

from dataclasses import dataclass

from mediavet.verify.finding import Severity

# (finding id prefix, what to do) in order of urgency; the first that applies is shown
NEXT_STEPS = [
    ("duplicate.exact", "seen before, byte for byte: compare with the archived original before using it"),
    ("duplicate.match", "the same picture is in the archive: check when and where it was first seen"),
    ("provenance.ai_generated", "marked as made by a generator: treat it as not a photograph"),
    ("provenance.c2pa_invalid", "its Content Credentials do not validate: ask the source how it was made"),
    ("claim.", "it contradicts what the source said (time or place): ask before using it"),
    ("exif.thumbnail_mismatch", "the embedded thumbnail shows something else: the picture was changed"),
    ("forensics.copy_move", "parts of the picture repeat: look for a pasted-over area"),
    ("exif.editing_software", "edited in software: ask the source for the camera original"),
    ("video.editing_software", "edited in software: ask the source for the camera original"),
    ("exif.datetime", "its dates contradict each other or the clock: ask the source when it was taken"),
    ("video.datetime", "its dates contradict each other or the clock: ask the source when it was taken"),
    ("exif.dimension_mismatch", "resized or cropped after capture: ask for the camera original"),
    ("file.trailing_data", "data is hidden after the picture: share only a safe copy"),
    ("file.type_mismatch", "the file is not what its name says: check how it was sent"),
    ("video.location", "its location is recorded: share only a safe copy"),
    ("video.telemetry", "it carries telemetry (positions): share only a safe copy"),
]
SAFE_COPY = "it carries metadata that can identify the source: share only a safe copy"


@dataclass(frozen=True)
class Brief:
    """What a summary needs of one file, a few hundred bytes: a batch of 100,000 keeps these,
    not the reports."""

    path: str
    worst: Severity | None
    error: dict | None
    top: tuple[str, ...]  # the top findings' messages, worst first
    next: str

    @classmethod
    def of(cls, report) -> "Brief":
        error = {"kind": report.error["kind"], "message": report.error["message"]} if report.error else None
        return cls(report.path, report.worst, error, tuple(top_findings(report)), next_step(report))


def rank(reports) -> list[tuple[int, object]]:
    """(1-based place in the run, report), worst first: unreadable, HIGH, WARN, INFO, clean;
    ties keep the run's order."""
    def weight(item):
        number, report = item
        return (-(4 if report.error else int(report.worst or 0)), number)

    return sorted(enumerate(reports, start=1), key=weight)


def verdict(report) -> str:
    if report.error:
        return "unreadable"
    return str(report.worst).upper() if report.worst else "clean"


def top_findings(report, count: int = 3) -> list[str]:
    ordered = sorted(report.findings, key=lambda f: -int(f.severity))
    return [f.message for f in ordered[:count]]


def next_step(report) -> str:
    if report.error:
        return "cannot be verified: " + report.error["message"]
    ids = [f.id for f in report.findings]
    for prefix, advice in NEXT_STEPS:
        if any(i.startswith(prefix) for i in ids):
            return advice
    facts = report.facts or {}
    if facts.get("gps") or facts.get("camera"):
        return SAFE_COPY
    if any(f.severity >= Severity.WARN for f in report.findings):
        return "look at the findings before using it"
    return "nothing found: share a safe copy all the same"
