"""Readable text: signs, badges, licence plates, screens, burned-in date stamps.

The PP-OCRv4 text *detection* model that ships inside `rapidocr_onnxruntime`, run with
onnxruntime; recognition is never run, so a plan records where text is and never what it
says. The model returns a per-pixel text probability; connected areas above BINARY are text
lines, scored by their mean probability and grown (DB's "unclip") to the whole glyphs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import Detector, answered, threads, tiled
from mediavet.redact.regions import Region, suppress

BINARY = 0.3  # probability that makes a pixel part of a text area
UNCLIP = 1.6  # DB's expansion of the shrunk text kernel back to the glyph outline
WINDOW = 1280  # pictures longer than this are cut into windows at full resolution
OVERLAP = 160
MIN_SIDE = 736  # small pictures are enlarged to at least this (the model's training scale)
MIN_TEXT = 4  # pixels: anything thinner is noise
COMPACT, BLOB, CONFIRM, SKIN = 1.5, 40, 0.7, 0.9  # see _judged
MAX_WORK = 3000  # larger pictures are searched at this long side (text smaller than ~1/300 of it is lost)


@lru_cache(maxsize=1)
def _session():
    import importlib.resources

    import onnxruntime

    path = importlib.resources.files("rapidocr_onnxruntime") / "models" / "ch_PP-OCRv4_det_infer.onnx"
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads()
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _window(rgb: np.ndarray, min_score: float) -> list[tuple[tuple, float]]:
    import cv2

    height, width = rgb.shape[:2]
    padded_h, padded_w = max(32, -(-height // 32) * 32), max(32, -(-width // 32) * 32)
    blob = np.zeros((1, 3, padded_h, padded_w), dtype=np.float32)
    blob[0, :, :height, :width] = (rgb[:, :, ::-1].transpose(2, 0, 1) / 255.0 - 0.5) / 0.5  # BGR, as trained
    probability = _session().run(None, {_session().get_inputs()[0].name: blob})[0][0, 0, :height, :width]
    mask = cv2.dilate((probability > BINARY).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    found = []
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if min(w, h) < 2:
            continue
        inside = np.zeros((h, w), np.uint8)
        cv2.fillPoly(inside, [contour - (x, y)], 1)
        score = float(probability[y:y + h, x:x + w][inside.astype(bool)].mean())
        if score < min_score:
            continue
        (cx, cy), (rw, rh), angle = cv2.minAreaRect(contour)
        grow = rw * rh * UNCLIP / max(1e-6, 2 * (rw + rh))  # offset distance of DB's unclip
        corners = cv2.boxPoints(((cx, cy), (rw + 2 * grow, rh + 2 * grow), angle))
        x0, y0 = np.maximum(corners.min(axis=0), 0)
        x1, y1 = np.minimum(corners.max(axis=0), (width, height))
        if min(x1 - x0, y1 - y0) >= MIN_TEXT:
            found.append(((float(x0), float(y0), float(x1 - x0), float(y1 - y0)), score))
    return found


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    height, width = rgb.shape[:2]
    longest = max(height, width, 1)
    scale = max(1.0, MIN_SIDE / max(1, min(height, width))) if longest <= WINDOW else 1.0
    scale = min(scale, 2000 / longest) if longest <= WINDOW else min(1.0, MAX_WORK / longest)
    longest = max(height, width) * scale
    window = WINDOW if longest > WINDOW else max(32, round(longest))

    def run(part):
        return answered("text", part, min_score, _window)

    found = tiled(run, rgb, scale, window, OVERLAP if window == WINDOW else 0, memo, ("text", min_score))
    regions = [Region("text", tuple(int(v) for v in box), score, "ppocr-det") for box, score in suppress(found, 0.5)]
    if longest <= WINDOW or not any(_blob(region) for region in regions):
        return regions
    coarse = [box for box, score in tiled(run, rgb, WINDOW / max(height, width), WINDOW, 0, memo,
                                          ("text-coarse", min_score)) if score >= CONFIRM]
    return [_judged(region, coarse, rgb) if _blob(region) else region for region in regions]


def _blob(region: Region) -> bool:
    """Compact (neither side COMPACT times the other) and BLOB pixels or more across."""
    _, _, w, h = region.box
    return min(w, h) >= BLOB and max(w, h) < COMPACT * min(w, h)


def skin(rgb: np.ndarray, box) -> float:
    """The share of a box's pixels in the usual skin range (YCrCb: Cr 135-180, Cb 85-135)."""
    import cv2

    x, y, w, h = box
    ycc = cv2.cvtColor(np.ascontiguousarray(rgb[y:y + h, x:x + w]), cv2.COLOR_RGB2YCrCb)
    cr, cb = ycc[..., 1], ycc[..., 2]
    return float(((cr >= 135) & (cr <= 180) & (cb >= 85) & (cb <= 135)).mean()) if cr.size else 0.0


def _judged(region: Region, coarse, rgb) -> Region:
    """A compact blob found in a large photo searched at full resolution is covered only
    when the search at the model's own scale (the whole photo at WINDOW pixels) sees text
    there too, scoring CONFIRM or more; otherwise it is left for review. Beyond its training
    scale the detection model calls large smooth blobs text - cheeks, eyes, ears, raised hands, the knot of a tie - at
    scores of 0.8-0.97 (an OCR pipeline rejects them when reading, which mediavet never
    does); measured on the corpus, every such blob on the faces/ photos was skin or cloth,
    and the seeing-at-both-scales test keeps the signs, plates and labels of text/ covered.
    A raised hand is seen at both scales: a blob SKIN or more of whose pixels are skin-coloured
    is left for review all the same."""
    from mediavet.redact.regions import intersection

    bare = skin(rgb, region.box)
    if bare < SKIN and any(intersection(region.box, box) >= 0.3 * region.area for box in coarse):
        return region
    _, _, w, h = region.box
    why = f"{bare:.0%} skin-coloured" if bare >= SKIN else "seen at full resolution only"
    return region.unsure(f"unsure: a compact {w}x{h} blob, {why} (text, or a hand, a face, cloth?)")


DETECTOR = Detector("text", "ppocr-det", find)
