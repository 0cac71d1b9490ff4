"""YuNet (libfacedetection, compiled into the `yuface` package, BSD-3-Clause): a second face
model for the ensemble in faces.py. It sees small, turned and partly hidden faces that
CenterFace scores low, and runs on the CPU in a few milliseconds per window.

It is trained for windows up to about 960 pixels, so the picture is searched in 960-pixel
tiles at a working size of at most WORK pixels on its long side (CenterFace's full-size
tiles find the smallest faces of larger pictures).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import tiled
from mediavet.redact.regions import Region

NAME = "yunet"
TILE, OVERLAP = 960, 96
WORK = 1280


@lru_cache(maxsize=1)
def available() -> bool:
    """yuface publishes wheels for CPython up to 3.11 only (and no source): elsewhere the
    ensemble runs without YuNet, and redact says so (cli_redact)."""
    import importlib.util

    return importlib.util.find_spec("yuface") is not None


def _window(rgb: np.ndarray, min_score: float) -> list[tuple[tuple, float]]:
    import warnings

    import yuface

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its warning about windows over 960 px: ours are not
        scores, boxes, _landmarks = yuface.detect(np.ascontiguousarray(rgb[:, :, ::-1]), conf=min_score)
    return [((float(x), float(y), float(w), float(h)), float(score) / 100)
            for score, (x, y, w, h) in zip(scores.tolist(), boxes.tolist()) if w > 0 and h > 0]


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    if not available():
        return []
    scale = min(1.0, WORK / max(rgb.shape[:2]))
    found = tiled(lambda part: _window(part, min_score), rgb, scale, TILE, OVERLAP, memo, (NAME, min_score))
    return [Region("face", tuple(int(v) for v in box), score, NAME) for box, score in found]
