"""The registry of checks. A check is a small unit: a stable id, the formats it applies to,
and run(media, options) -> list of findings. Modules in verify/checks/ register themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mediavet.formats import PHOTO_FORMATS


@dataclass(frozen=True)
class Check:
    id: str
    formats: tuple[str, ...]
    run: Callable


CHECKS: dict[str, Check] = {}


def check(check_id: str, formats: tuple[str, ...] = PHOTO_FORMATS):
    """Register `run(media, options)` as the check named `check_id`."""

    def register(run):
        if check_id in CHECKS:
            raise ValueError(f"check {check_id} registered twice")
        CHECKS[check_id] = Check(check_id, formats, run)
        return run

    return register


def all_checks() -> dict[str, Check]:
    import mediavet.verify.checks  # noqa: F401  (importing registers them)

    return CHECKS
