"""QR codes and barcodes (a code on a door or a badge can name a place or a person),
with OpenCV's detectors. Codes are located, never decoded."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import Detector
from mediavet.redact.regions import Region, suppress


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
    names = {box: name for box, _, name in found}
    height, width = grey.shape
    return [Region("code", tuple(int(round(v)) for v in box), score, names[box])
            for box, score in suppress([(box, score) for box, score, _ in found])]


DETECTOR = Detector("code", "opencv", find)
