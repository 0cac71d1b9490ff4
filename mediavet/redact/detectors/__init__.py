"""Detectors of what identifies people: a registry. Each takes an upright RGB numpy array
and returns Regions (kind, box, score, detector name). Models come from installed packages
and load once per process; nothing is downloaded.

Large pictures are cut into overlapping tiles at a scale where the smallest thing worth
covering is still big enough for the model, rather than shrunk until faces vanish.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from mediavet.redact.regions import Region, suppress

MIN_SCORES = {"face": 0.2, "text": 0.4, "code": 0.0}  # recall first: a missed face is a leak
RECHECK_SCORES = {"face": 0.5, "text": 0.6}  # what the fail-closed check on a copy insists on


@dataclass(frozen=True)
class Detector:
    kind: str
    name: str
    find: Callable  # (rgb array, min_score, memo) -> list[Region]
    turns: bool = False  # its model only knows upright things: --turned also runs it on the picture turned


def threads() -> int:
    """Threads per model: one inside a worker process (the processes are the parallelism),
    otherwise every core (onnxruntime's default, 0)."""
    import os

    return 1 if os.environ.get("MEDIAVET_WORKER") else 0


def detectors(kinds) -> list[Detector]:
    from mediavet.redact.detectors import codes, faces, text

    available = {"face": faces.DETECTOR, "text": text.DETECTOR, "code": codes.DETECTOR}
    return [available[kind] for kind in kinds]


def detect(rgb, kinds, min_scores: dict | None = None, memo: "TileMemo | None" = None,
           turned: bool = False) -> list[Region]:
    """Everything the detectors of `kinds` find. With `turned`, detectors whose model only
    knows upright things (faces) also look at the picture turned a quarter, a half and three
    quarters round: people lying down, a camera held sideways without an orientation tag."""
    import numpy as np

    scores = {**MIN_SCORES, **(min_scores or {})}
    found: list[Region] = []
    for detector in detectors(kinds):
        regions = detector.find(rgb, scores[detector.kind], memo)
        if turned and detector.turns:
            size = (rgb.shape[1], rgb.shape[0])
            for quarter in (1, 2, 3):
                view = memo.turned(quarter, size) if memo is not None else None
                for region in detector.find(np.ascontiguousarray(np.rot90(rgb, quarter)), scores[detector.kind], view):
                    box = turn(region.box, turn_size(size, quarter), 4 - quarter)
                    regions.append(Region(region.kind, box, region.score, f"{region.detector}@{90 * quarter}"))
            regions = merged(regions)
        found += regions
    return _without_text_on_faces(found)


def _without_text_on_faces(found: list[Region]) -> list[Region]:
    """Text boxes lying mostly inside a face's box are dropped: the face decides for that
    place (covered, or a review candidate a person decides on), and the text model's boxes
    there are eyes, brows and mouths."""
    from mediavet.redact.regions import intersection

    faces = [region.box for region in found if region.kind == "face"]
    if not faces:
        return found
    return [region for region in found if region.kind != "text"
            or max(intersection(region.box, face) for face in faces) < 0.6 * max(1, region.area)]


def merged(regions: list[Region]) -> list[Region]:
    """One region per thing seen from several turns: overlapping boxes become the box holding
    them all (the best-scoring one names it), so no turn's view of a face is lost; covered
    when any view is."""
    from dataclasses import replace

    from mediavet.redact.regions import hull, intersection, iou

    kept: list[Region] = []
    for region in sorted(regions, key=lambda r: -r.score):
        for number, other in enumerate(kept):
            if iou(region.box, other.box) > 0.3 or intersection(region.box, other.box) >= 0.7 * region.area:
                action = other.action if other.covered or not region.covered else region.action
                kept[number] = replace(other, box=hull(other.box, region.box), action=action,
                                       reason=None if action != "review" else other.reason)
                break
        else:
            kept.append(region)
    return kept


def quarter_turns(region: Region) -> int:
    """How far the picture was turned when the region was found (0 for upright)."""
    _, _, degrees = region.detector.partition("@")
    return int(degrees) // 90 if degrees.isdigit() else 0


def turn(box, size, quarters: int) -> tuple[int, int, int, int]:
    """A box of a picture of `size` as it lies in the picture turned anticlockwise by
    `quarters` quarter turns (numpy's rot90)."""
    x, y, w, h = box
    width, height = size
    for _ in range(quarters % 4):
        x, y, w, h = y, width - x - w, h, w
        width, height = height, width
    return x, y, w, h


def turn_size(size, quarters: int) -> tuple[int, int]:
    return (size[1], size[0]) if quarters % 2 else tuple(size)


class TileMemo:
    """What each window answered in an earlier pass over the same picture, and where the
    picture changed since. A model sees nothing but its window, so a window whose pixels did
    not change answers the same: it is not run again (repeat passes after covering a few
    faces then cost a few windows, not the whole cascade). Each answer remembers how many
    changes it has seen, so a third pass looks again only where the second pass covered."""

    def __init__(self):
        self.answers: dict[tuple, list] = {}
        self.seen: dict[tuple, int] = {}  # per window: how many of `changed` its answer saw
        self.changed: list[tuple] | None = None  # None: the first pass, everything is new
        self._turned: dict[int, TileMemo] = {}

    def turned(self, quarters: int, size) -> "TileMemo":
        """The memo of the picture turned by `quarters` (see `turn`): its own answers, and the
        changes so far turned with it."""
        view = self._turned.setdefault(quarters, TileMemo())
        view.changed = None if self.changed is None else [turn(box, size, quarters) for box in self.changed]
        return view

    def mark(self, boxes) -> None:
        self.changed = (self.changed or []) + [tuple(box) for box in boxes]

    def since(self, key) -> list[tuple]:
        """The changes made after the window `key` last answered."""
        return (self.changed or [])[self.seen.get(key, 0):]

    def keep(self, key, answer) -> None:
        self.answers[key] = answer
        self.seen[key] = len(self.changed or [])

    def unchanged(self, key, window) -> bool:
        from mediavet.redact.regions import intersection

        return (self.changed is not None and key in self.answers
                and not any(intersection(window, box) for box in self.since(key)))


_ANSWERS: "OrderedDict[tuple, tuple[float, list]]" = OrderedDict()
_ANSWERS_LOCK = threading.Lock()  # the review server may detect in two threads
BOXES_KEPT = 200_000  # boxes remembered per process at most (~40 MB), the oldest windows forgotten first


def answered(model: str, window, min_score: float, run) -> list[tuple[tuple, float]]:
    """`run(window, min_score) -> [(box, score)]`, remembered by the window's pixels: a model
    answers identical pixels identically, so a window seen before with a threshold at most
    `min_score` is not run again, whatever pass or check asks. This is what lets the
    fail-closed check of a covered picture (a fresh look, nothing taken on trust) cost only
    the windows the covering touched: it gets exactly the answers a new run would give."""
    import hashlib

    import numpy as np

    pixels = np.ascontiguousarray(window)
    key = (model, pixels.shape, hashlib.blake2b(memoryview(pixels).cast("B"), digest_size=16).digest())
    with _ANSWERS_LOCK:
        known = _ANSWERS.get(key)
        if known is not None and known[0] <= min_score:
            _ANSWERS.move_to_end(key)
    if known is None or known[0] > min_score:
        known = (min_score, run(pixels, min_score))
        with _ANSWERS_LOCK:
            _ANSWERS.pop(key, None)
            _ANSWERS[key] = known
            kept = sum(len(boxes) for _, boxes in _ANSWERS.values())
            while kept > BOXES_KEPT and len(_ANSWERS) > 1:
                kept -= len(_ANSWERS.popitem(last=False)[1][1])
    return [(box, score) for box, score in known[1] if score >= min_score]


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


def tiled(run, rgb, scale: float, tile: int, overlap: int, memo: TileMemo | None = None,
          name: tuple = (), local: int = 0) -> list[tuple[tuple, float]]:
    """Run `run(rgb_window) -> [(box, score)]` on the picture resized by `scale`, tile by tile,
    and return boxes in the original picture's coordinates, duplicates suppressed. With a
    memo, windows whose pixels did not change since the last pass give their last answer;
    with `local` (pixels of context, for models that see small things: faces), a window that
    changed only in a few small places is run again only around them (`_patched`)."""
    import cv2

    height, width = rgb.shape[:2]
    scaled = rgb if scale == 1 else cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                                               interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    found = []
    reach = 2 + int(2 / scale)  # resampling mixes a few neighbouring pixels into each one
    for x, y, w, h in tiles(scaled.shape[1], scaled.shape[0], tile, overlap):
        key = (*name, scale, x, y, w, h)
        source = (int(x / scale) - reach, int(y / scale) - reach, int(w / scale) + 2 * reach,
                  int(h / scale) + 2 * reach)
        if memo is not None and memo.unchanged(key, source):
            answer = memo.answers[key]
        elif local and memo is not None and key in memo.answers:
            answer = _patched(run, scaled, (x, y, w, h), memo.answers[key], memo.since(key), scale, local)
        else:
            answer = run(scaled[y:y + h, x:x + w])
        if memo is not None:
            memo.keep(key, answer)
        for (bx, by, bw, bh), score in answer:
            found.append(((round((bx + x) / scale), round((by + y) / scale), round(bw / scale), round(bh / scale)),
                          score))
    return suppress(found)


def _patched(run, scaled, window, before, changed, scale: float, context: int) -> list:
    """A window's new answer when only some places in it changed: the model runs on each
    changed place with `context` pixels around it; answers centred inside a changed place
    (grown by half the context) come from that run, the rest stay as they were. A model's
    answer at a point depends on the pixels around it, not on the far side of a large
    window: covering a face changes what it sees next to that face. Falls back to the whole
    window when the changed places cover a third of it."""
    from mediavet.redact.regions import clip, hull, intersection

    x, y, w, h = window
    places: list[tuple] = []
    for cx, cy, cw, ch in changed:
        box = clip((cx * scale - x - context, cy * scale - y - context, cw * scale + 2 * context,
                    ch * scale + 2 * context), (w, h))
        if not (box[2] and box[3]):
            continue
        for number, other in enumerate(places):  # overlapping places run as one
            if intersection(box, other):
                places[number] = hull(other, box)
                break
        else:
            places.append(box)
    if sum(b[2] * b[3] for b in places) * 3 >= w * h:
        return run(scaled[y:y + h, x:x + w])
    cores = [(px + context // 2, py + context // 2, pw - context, ph - context) for px, py, pw, ph in places]

    def centred_in(box, areas) -> bool:
        bx, by = box[0] + box[2] / 2, box[1] + box[3] / 2
        return any(ax <= bx <= ax + aw and ay <= by <= ay + ah for ax, ay, aw, ah in areas)

    answer = [(box, score) for box, score in before if not centred_in(box, cores)]
    for (px, py, pw, ph), core in zip(places, cores):
        for (bx, by, bw, bh), score in run(scaled[y + py:y + py + ph, x + px:x + px + pw]):
            if centred_in((bx + px, by + py, bw, bh), [core]):
                answer.append(((bx + px, by + py, bw, bh), score))
    return answer
