"""QR codes and barcodes (a code on a door or a badge can name a place or a person),
with OpenCV's detectors. Codes are located, never decoded.

OpenCV's barcode detector finds areas of parallel gradients, which stripes on a sleeve or a
tie have too; it gives no score. A barcode's score here is how many light/dark changes a
line across its bars crosses (an EAN-13 has 60, a UPC 60, Code 128 more), as a share of
BARS: under REVIEW_BELOW the place is left for review, not covered. QR codes are found by
their three finder patterns: score 1.0.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import Detector
from mediavet.redact.regions import Region, suppress


BARS = 40  # light/dark changes across a real barcode, at least (EAN-8 has 44)
REVIEW_BELOW = 0.5  # fewer than 20 changes: stripes, not a code


@lru_cache(maxsize=1)
def _detectors():
    import cv2

    return cv2.QRCodeDetectorAruco(), cv2.barcode.BarcodeDetector()


def _boxes(points) -> list[tuple]:
    if points is None:
        return []
    boxes = []
    for quad in np.asarray(points, dtype=np.float32).reshape(-1, 4, 2):
        x0, y0 = quad.min(axis=0)
        x1, y1 = quad.max(axis=0)
        if x1 > x0 and y1 > y0:
            boxes.append((float(x0), float(y0), float(x1 - x0), float(y1 - y0)))
    return boxes


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    qr, barcode = _detectors()
    found = []
    for name, detector in (("opencv-qr", qr), ("opencv-barcode", barcode)):
        try:
            ok, points = detector.detectMulti(grey)
        except cv2.error:
            ok, points = False, None
        if ok:
            found += [(box, 1.0, name) for box in _boxes(points)]
    found = [(box, bars(grey, box) if name == "opencv-barcode" else score, name) for box, score, name in found]
    names = {box: name for box, _, name in found}
    regions = []
    for box, score in suppress([(box, score) for box, score, _ in found]):
        region = Region("code", tuple(int(round(v)) for v in box), score, names[box])
        if score < REVIEW_BELOW:
            region = region.unsure(f"unsure: {score * BARS:.0f} light/dark changes across it, a barcode has "
                                   f"{BARS} or more (stripes?)")
        regions.append(region)
    return regions


def bars(grey: np.ndarray, box) -> float:
    """Light/dark changes along lines across the bars (perpendicular to the box's dominant
    edges), the median of five parallel lines, as a share of BARS (at most 1.0)."""
    import cv2

    x, y, w, h = (int(round(v)) for v in box)
    patch = grey[max(0, y):y + h, max(0, x):x + w].astype(np.float32)
    if min(patch.shape) < 4:
        return 0.0
    gx, gy = cv2.Sobel(patch, cv2.CV_32F, 1, 0), cv2.Sobel(patch, cv2.CV_32F, 0, 1)
    angle = 0.5 * np.arctan2(2 * (gx * gy).sum(), (gx * gx - gy * gy).sum())  # the gradients' direction
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    centre = np.array([patch.shape[1] / 2, patch.shape[0] / 2])
    length = int(np.hypot(*patch.shape))
    steps = np.arange(-length / 2, length / 2, 0.5)
    counts = []
    for offset in np.linspace(-0.3, 0.3, 5) * min(patch.shape):
        points = centre + offset * normal + steps[:, None] * direction
        inside = (points[:, 0] >= 0) & (points[:, 0] < patch.shape[1] - 1) & (points[:, 1] >= 0) & \
            (points[:, 1] < patch.shape[0] - 1)
        if inside.sum() < 8:
            continue
        line = cv2.remap(patch, points[inside, 0].reshape(1, -1).astype(np.float32),
                         points[inside, 1].reshape(1, -1).astype(np.float32), cv2.INTER_LINEAR).ravel()
        level = (line.max() + line.min()) / 2
        dark = line < level
        counts.append(int(np.count_nonzero(dark[1:] != dark[:-1])) if line.max() - line.min() > 40 else 0)
    return min(1.0, float(np.median(counts)) / BARS) if counts else 0.0


DETECTOR = Detector("code", "opencv", find)
