"""Detectors of what identifies people: a registry. Each takes an upright RGB numpy array
and returns Regions (kind, box, score, detector name). Models come from installed packages
and load once per process; nothing is downloaded.

Large pictures are cut into overlapping tiles at a scale where the smallest thing worth
covering is still big enough for the model, rather than shrunk until faces vanish.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mediavet.redact.regions import Region, suppress

MIN_SCORES = {"face": 0.2, "text": 0.4, "code": 0.0}  # recall first: a missed face is a leak
RECHECK_SCORES = {"face": 0.5, "text": 0.6}  # what the fail-closed check on a copy insists on


@dataclass(frozen=True)
class Detector:
    kind: str
    name: str
    find: Callable  # (rgb array, min_score) -> list[Region]


def threads() -> int:
    """Threads per model: one inside a worker process (the processes are the parallelism),
    otherwise every core (onnxruntime's default, 0)."""
    import os

    return 1 if os.environ.get("MEDIAVET_WORKER") else 0


def detectors(kinds) -> list[Detector]:
    from mediavet.redact.detectors import codes, faces, text

    available = {"face": faces.DETECTOR, "text": text.DETECTOR, "code": codes.DETECTOR}
    return [available[kind] for kind in kinds]


def detect(rgb, kinds, min_scores: dict | None = None) -> list[Region]:
    scores = {**MIN_SCORES, **(min_scores or {})}
    found: list[Region] = []
    for detector in detectors(kinds):
        found += detector.find(rgb, scores[detector.kind])
    return found


def tiles(width: int, height: int, tile: int, overlap: int):
    """(x, y, w, h) windows covering the picture, overlapping by `overlap` pixels."""
    step = max(1, tile - overlap)
    xs = list(range(0, max(1, width - overlap), step)) or [0]
    ys = list(range(0, max(1, height - overlap), step)) or [0]
    for y in ys:
        for x in xs:
            w, h = min(tile, width - x), min(tile, height - y)
            if w > overlap // 2 and h > overlap // 2 or (x == 0 and y == 0):
                yield x, y, w, h


def tiled(run, rgb, scale: float, tile: int, overlap: int) -> list[tuple[tuple, float]]:
    """Run `run(rgb_window) -> [(box, score)]` on the picture resized by `scale`, tile by tile,
    and return boxes in the original picture's coordinates, duplicates suppressed."""
    import cv2

    height, width = rgb.shape[:2]
    scaled = rgb if scale == 1 else cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                                               interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    found = []
    for x, y, w, h in tiles(scaled.shape[1], scaled.shape[0], tile, overlap):
        for (bx, by, bw, bh), score in run(scaled[y:y + h, x:x + w]):
            found.append(((round((bx + x) / scale), round((by + y) / scale), round(bw / scale), round(bh / scale)),
                          score))
    return suppress(found)
