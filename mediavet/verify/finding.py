"""Finding: one observation about a file, always with the evidence that led to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    INFO = 1
    WARN = 2
    HIGH = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> "Severity":
        return cls[name.upper()]


@dataclass(frozen=True)
class Finding:
    id: str  # stable, dotted: "exif.thumbnail_mismatch"
    severity: Severity
    message: str  # one line, for a person
    evidence: dict = field(default_factory=dict)  # the values that led to it, and the thresholds used

    def to_json(self) -> dict:
        return {"id": self.id, "severity": str(self.severity), "message": self.message, "evidence": self.evidence}

    @classmethod
    def from_json(cls, data: dict) -> "Finding":
        return cls(data["id"], Severity.parse(data["severity"]), data["message"], data.get("evidence") or {})


def ordered(findings) -> list[Finding]:
    """Findings in report order: worst first, then by id and message (deterministic)."""
    return sorted(findings, key=lambda f: (-f.severity, f.id, f.message))
