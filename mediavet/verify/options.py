"""Everything a verify run can be told, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from mediavet.media import DEFAULT_MAX_PIXELS


@dataclass(frozen=True)
class VerifyOptions:
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    claimed_time: datetime | None = None
    time_tolerance: timedelta = timedelta(hours=24)
    claimed_location: tuple[float, float] | None = None
    distance_tolerance_km: float = 25.0
    max_pixels: int = DEFAULT_MAX_PIXELS
    index: str | None = None  # archive index file: duplicate.exact / duplicate.match
    in_batch: bool = False  # keep fingerprints for duplicate.in_batch across the run
    trust_anchors: str | None = None  # PEM file of C2PA trust anchors
    forensics: bool = False  # pixel forensics (copy-move): slower, so asked for
