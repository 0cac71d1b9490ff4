"""Regions of a picture to cover: what, where (upright pixel coordinates), how sure, found by
whom, and what to do with it. Plus the little geometry the detectors and the checks share."""

from __future__ import annotations

from dataclasses import dataclass, replace

KINDS = ("face", "text", "code", "manual")
ACTIONS = ("fill", "pixelate", "blur", "keep", "review")
# keep: a person decided this region may stay; review: a detector was unsure (not covered
# unless --strict; a person decides)
UNCOVERED = ("keep", "review")
SHAPES = ("rect", "ellipse")


@dataclass(frozen=True)
class Region:
    kind: str
    box: tuple[int, int, int, int]  # x, y, width, height
    score: float | None = None
    detector: str = "manual"
    action: str = "fill"
    shape: str = "rect"
    frames: tuple[int, int] | None = None  # video: first and last frame covered (inclusive)
    scores: tuple[tuple[str, float], ...] | None = None  # each model's score, when several looked
    reason: str | None = None  # why a region is left for review
    track: int | None = None  # video: the regions of one tracked face or text share a number
    by: str | None = None  # "reviewer": a person added, kept, resized or decided this region

    @property
    def covered(self) -> bool:
        return self.action not in UNCOVERED

    def unsure(self, reason: str) -> "Region":
        """This region left for a person to decide (not covered unless --strict)."""
        return replace(self, action="review", reason=reason)

    def active(self, frame: int) -> bool:
        return self.frames is None or self.frames[0] <= frame <= self.frames[1]

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    def grown(self, margin: tuple[float, float], size: tuple[int, int], reference: int | None = None) -> "Region":
        """Grown sideways by margin[0] of its width and up and down by margin[1] of its
        height, on each side, clipped to the picture. With a reference size the margins are
        those of a box `reference` pixels across and grow with the square root of the size:
        smaller boxes get relatively more, larger ones less."""
        x, y, w, h = self.box
        if reference:
            dx, dy = round(margin[0] * (reference * w) ** 0.5), round(margin[1] * (reference * h) ** 0.5)
        else:
            dx, dy = round(w * margin[0]), round(h * margin[1])
        return replace(self, box=clip((x - dx, y - dy, w + 2 * dx, h + 2 * dy), size))

    def to_json(self) -> dict:
        data = {"kind": self.kind, "box": list(self.box), "score": None if self.score is None else round(self.score, 3),
                "detector": self.detector, "action": self.action, "shape": self.shape}
        if self.frames is not None:
            data["frames"] = list(self.frames)
        if self.scores:
            data["scores"] = dict(self.scores)
        if self.reason:
            data["reason"] = self.reason
        if self.track is not None:
            data["track"] = self.track
        if self.by:
            data["by"] = self.by
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Region":
        if not isinstance(data, dict):
            raise ValueError(f"a region must be an object with kind, box, action..., found {str(data)[:40]!r}")
        box = data.get("box")
        if not (isinstance(box, list) and len(box) == 4 and all(isinstance(v, int) for v in box)):
            raise ValueError(f"box must be [x, y, width, height] in whole pixels, found {box!r}")
        frames = data.get("frames")
        if frames is not None and not (isinstance(frames, list) and len(frames) == 2
                                       and all(isinstance(v, int) and v >= 0 for v in frames) and frames[0] <= frames[1]):
            raise ValueError(f"frames must be [first, last] frame numbers, found {frames!r}")
        scores = data.get("scores")
        if scores is not None and not (isinstance(scores, dict) and all(
                isinstance(k, str) and isinstance(v, (int, float)) for k, v in scores.items())):
            raise ValueError(f"scores must map detector names to numbers, found {scores!r}")
        score = data.get("score")
        if score is not None and (isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1):
            raise ValueError(f"score must be a number from 0 to 1, found {score!r}")
        for key in ("kind", "detector", "action", "shape"):
            if key in data and not isinstance(data[key], str):
                raise ValueError(f"{key} must be text, found {data[key]!r}")
        track = data.get("track")
        if track is not None and not (isinstance(track, int) and track >= 0):
            raise ValueError(f"track must be a whole number, found {track!r}")
        for key in ("reason", "by"):
            if data.get(key) is not None and not isinstance(data[key], str):
                raise ValueError(f"{key} must be text, found {data[key]!r}")
        region = cls(kind=data.get("kind", "manual"), box=tuple(box), score=score,
                     detector=data.get("detector", "manual"), action=data.get("action", "fill"),
                     shape=data.get("shape", "rect"), frames=tuple(frames) if frames else None,
                     scores=tuple(sorted(scores.items())) if scores else None, reason=data.get("reason"),
                     track=track, by=data.get("by"))
        if region.kind not in KINDS:
            raise ValueError(f"unknown kind {region.kind!r} (known: {', '.join(KINDS)})")
        if region.action not in ACTIONS:
            raise ValueError(f"unknown action {region.action!r} (known: {', '.join(ACTIONS)})")
        if region.shape not in SHAPES:
            raise ValueError(f"unknown shape {region.shape!r} (known: {', '.join(SHAPES)})")
        return region


def hull(a, b) -> tuple[int, int, int, int]:
    """The smallest box holding both."""
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return x0, y0, x1 - x0, y1 - y0


def clip(box, size) -> tuple[int, int, int, int]:
    x, y, w, h = box
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(size[0], int(round(x + w))), min(size[1], int(round(y + h)))
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def inside_problem(box, size) -> str | None:
    """Why a box is not a valid region of a picture of `size`, or None."""
    x, y, w, h = box
    if w <= 0 or h <= 0:
        return f"box {list(box)} has no area"
    if x < 0 or y < 0 or x + w > size[0] or y + h > size[1]:
        return f"box {list(box)} is not inside the {size[0]}x{size[1]} picture"
    return None


def intersection(a, b) -> int:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return max(0, x1 - x0) * max(0, y1 - y0)


def iou(a, b) -> float:
    shared = intersection(a, b)
    union = a[2] * a[3] + b[2] * b[3] - shared
    return shared / union if union else 0.0


def suppress(found: list[tuple[tuple, float]], overlap: float = 0.3) -> list[tuple[tuple, float]]:
    """Non-maximum suppression: keep the best of boxes overlapping by more than `overlap` IoU,
    or lying mostly inside a better one (a tile's partial view of a face)."""
    kept: list[tuple[tuple, float]] = []
    for box, score in sorted(found, key=lambda item: -item[1]):
        if all(iou(box, other) <= overlap and intersection(box, other) < 0.7 * box[2] * box[3]
               for other, _ in kept):
            kept.append((box, score))
    return kept
