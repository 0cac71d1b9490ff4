"""The region stage of a safe copy: find what identifies people, cover it, and check the
result with the detectors once more (fail closed)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mediavet.redact.cover import cover
from mediavet.redact.detectors import RECHECK_SCORES, TileMemo, detect
from mediavet.redact.regions import Region, inside_problem

# how far each kind's boxes grow (sideways, up/down; fractions of the box per side).
# CenterFace boxes run brow to chin but are narrow: ears and cheeks need the sideways margin.
MARGINS = {"face": (0.2, 0.05), "text": (0.15, 0.3), "code": (0.5, 0.5), "manual": (0.0, 0.0)}
# (a barcode reads from any slice across its bars and its detector often boxes only part of them:
# codes grow generously)
RECHECK_UNCOVERED = 0.5  # a re-detected face/text box more than half outside the covered area fails
ROUNDS = 3


@dataclass(frozen=True)
class ProtectOptions:
    kinds: tuple[str, ...] = ("face", "text", "code")
    min_scores: dict = field(default_factory=dict)
    margins: dict = field(default_factory=lambda: dict(MARGINS))
    action: str = "fill"
    shape: str = "rect"
    manual: tuple[tuple[int, int, int, int], ...] = ()


def detection_rgb(frame) -> np.ndarray:
    """8-bit RGB for the detectors, whatever the frame's mode (16-bit scaled, alpha dropped)."""
    if frame.mode in ("I;16", "I"):
        grey = (np.asarray(frame, dtype=np.float64) / 257).clip(0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))
    return np.ascontiguousarray(np.asarray(frame.convert("RGB")))


def find_regions(frames, options: ProtectOptions) -> tuple[list[Region], bool]:
    """Regions to cover (margins added) from every frame, and whether the search converged.

    Detection repeats on the covered picture: once the dominant text or faces are covered,
    the models notice weaker ones they overlooked next to them. The search has converged
    when a pass over the covered picture finds nothing new; that pass is then also the
    fail-closed check (same pixels, same models, a lower threshold than the check's).
    """
    size = frames[0].size
    found: list[Region] = []
    for box in options.manual:
        problem = inside_problem(box, size)
        if problem:
            raise ValueError(f"--region {','.join(map(str, box))}: {problem}")
        found.append(Region("manual", tuple(box), None, "manual", options.action, options.shape))
    kinds = options.kinds
    memos = [TileMemo() for _ in frames]
    for _ in range(ROUNDS):
        if not kinds:
            return found, True
        mask = coverage(found, size)
        new = []
        for frame, memo in zip(apply(frames, found), memos):
            for region in detect(detection_rgb(frame), kinds, options.min_scores, memo):
                if _outside(mask, region.box) > RECHECK_UNCOVERED:
                    grown = region.grown(options.margins.get(region.kind, (0.0, 0.0)), size)
                    new.append(replace(grown, action=options.action, shape=options.shape))
        if not new:
            return found, _as_strict_as_the_check(options)
        found += new
        for memo in memos:
            memo.mark(region.box for region in new)
        kinds = tuple(kind for kind in kinds if kind != "code")  # codes are found in one pass
    return found, False


def _as_strict_as_the_check(options: ProtectOptions) -> bool:
    """Whether a clean detection pass also answers the fail-closed check (it looked with
    thresholds at most the check's)."""
    from mediavet.redact.detectors import MIN_SCORES

    scores = {**MIN_SCORES, **options.min_scores}
    return all(scores[kind] <= RECHECK_SCORES[kind] for kind in RECHECK_SCORES if kind in options.kinds)


def coverage(regions, size) -> np.ndarray:
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    for region in regions:
        x, y, w, h = region.box
        mask[y:y + h, x:x + w] = True
    return mask


def _outside(mask: np.ndarray, box) -> float:
    x, y, w, h = box
    if w * h == 0:
        return 0.0
    return 1.0 - float(mask[y:y + h, x:x + w].mean())


def apply(frames, regions: list[Region]) -> list:
    return [cover(frame, regions) if regions else frame for frame in frames]


def missed(image, regions: list[Region], kinds) -> list[Region]:
    """Faces and text the detectors find in one picture more than half outside `regions`
    (keep regions count as decided), at the fail-closed check's thresholds."""
    recheck = tuple(kind for kind in ("face", "text") if kind in kinds)
    if not recheck:
        return []
    mask = coverage(regions, image.size)
    return [region for region in detect(detection_rgb(image), recheck, RECHECK_SCORES)
            if _outside(mask, region.box) > RECHECK_UNCOVERED]


def uncovered(frames, regions: list[Region], kinds) -> list[str]:
    """The reasons a covered picture must not be written: what `missed` finds on any frame."""
    problems = []
    for number, frame in enumerate(frames):
        for region in missed(frame, regions, kinds):
            where = f" in frame {number + 1}" if len(frames) > 1 else ""
            problems.append(f"a {region.kind} (score {region.score:.2f}) at {list(region.box)}{where} "
                            "is not covered")
    return problems
