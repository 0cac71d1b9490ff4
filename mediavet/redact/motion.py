"""Following a face through the frames where no detector sees it (turned away, blurred by
motion, too small for a moment): pyramidal Lucas-Kanade optical flow on corners inside the
face's box, checked forward and backward, on small grey frames.

`follow` moves a box from one frame to the next, or says the track is lost (too few corners
survive the forward-backward check: the face left, was covered by something, or the scene
changed); `cut` tells a scene cut (the frames' grey histograms no longer correlate).
"""

from __future__ import annotations

import numpy as np

SIDE = 640  # tracking works on grey frames at most this many pixels wide
MIN_POINTS = 5  # fewer surviving corners: the track is lost
BACK_ERROR = 1.0  # pixels (small frame): a corner that does not flow back to itself is dropped
CUT = 0.6  # histogram correlation under this between consecutive frames: a scene cut


class Small:
    """A frame as the tracker sees it: grey, at most SIDE wide, and its histogram."""

    def __init__(self, image):
        import cv2

        grey = np.asarray(image.convert("L"))
        self.scale = min(1.0, SIDE / grey.shape[1])
        if self.scale < 1:
            grey = cv2.resize(grey, (SIDE, max(1, round(grey.shape[0] * self.scale))), interpolation=cv2.INTER_AREA)
        self.grey = np.ascontiguousarray(grey)
        histogram = cv2.calcHist([self.grey], [0], None, [32], [0, 256])
        self.histogram = cv2.normalize(histogram, histogram).flatten()


def cut(a: Small, b: Small) -> bool:
    import cv2

    return cv2.compareHist(a.histogram, b.histogram, cv2.HISTCMP_CORREL) < CUT


def follow(a: Small, b: Small, box) -> tuple[int, int, int, int] | None:
    """Where `box` (full-size pixels of frame a) is in frame b, or None when lost."""
    import cv2

    s = a.scale
    x, y, w, h = (v * s for v in box)
    height, width = a.grey.shape
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(width, int(x + w + 1)), min(height, int(y + h + 1))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    mask = np.zeros_like(a.grey)
    mask[y0:y1, x0:x1] = 255
    corners = cv2.goodFeaturesToTrack(a.grey, maxCorners=40, qualityLevel=0.01, minDistance=2, mask=mask, blockSize=3)
    if corners is None or len(corners) < MIN_POINTS:
        return None
    window = (max(7, min(21, int(min(w, h) / 2) | 1)),) * 2
    ahead, status, _ = cv2.calcOpticalFlowPyrLK(a.grey, b.grey, corners, None, winSize=window, maxLevel=3)
    back, status_back, _ = cv2.calcOpticalFlowPyrLK(b.grey, a.grey, ahead, None, winSize=window, maxLevel=3)
    good = (status.ravel() == 1) & (status_back.ravel() == 1) & \
        (np.linalg.norm((back - corners).reshape(-1, 2), axis=1) < BACK_ERROR)
    if good.sum() < MIN_POINTS:
        return None
    before, after = corners.reshape(-1, 2)[good], ahead.reshape(-1, 2)[good]
    shift = np.median(after - before, axis=0)
    spread_before = np.linalg.norm(before - before.mean(axis=0), axis=1).mean()
    spread_after = np.linalg.norm(after - after.mean(axis=0), axis=1).mean()
    zoom = float(np.clip(spread_after / spread_before, 0.8, 1.25)) if spread_before > 1 else 1.0
    cx, cy = x + w / 2 + shift[0], y + h / 2 + shift[1]
    w, h = w * zoom, h * zoom
    moved = ((cx - w / 2) / s, (cy - h / 2) / s, w / s, h / s)
    full_w, full_h = width / s, height / s
    if moved[0] + moved[2] <= 0 or moved[1] + moved[3] <= 0 or moved[0] >= full_w or moved[1] >= full_h:
        return None  # left the frame
    return tuple(int(round(v)) for v in moved)
