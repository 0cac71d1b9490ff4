"""Sensor noise (PRNU): every image sensor leaves a faint fixed pattern in every picture it
takes, and a fingerprint built from a few of the camera's pictures links any other picture
to it (Lukáš, Fridrich and Goljan 2006). Metadata removal leaves that pattern untouched.

A safe copy is therefore denoised with an edge-preserving filter (OpenCV's non-local means)
strong enough that the camera's fingerprint no longer finds it, and mild enough to keep the
picture: the measurements are in `bench/sensor_noise.py` and the README. Fail closed where
it can be measured: over the smooth part of the picture (where the residual, what a small
blur removes, is noise rather than edges) the copy's residual is regressed on the
original's; a copy that still carries most of the original's noise is refused like any
other leak. On the corpus, plain copies carry 0.49–1.01 of it (11 of 15 above CARRIED),
unlinked ones 0.03–0.75; a picture with too little smooth area is not measured, and then
the denoising alone stands.

What this does not cover: an analyst with many copies from one source can average them into
a stronger trace; see docs/threat-model.md.
"""

from __future__ import annotations

import numpy as np

STRENGTHS = {"normal": (3, 5, 8, 12), "strong": (5, 8, 12, 16)}  # NL-means h, tried in turn until the copy passes
CAPS = {"normal": 12, "strong": 16}  # NL-means h at most (the noise-driven raise)
FRAME_STRENGTHS = {"normal": (8, 12, 16), "strong": (12, 16, 20)}  # video frames: luminance NL-means h
FRAME_CAPS = {"normal": 16, "strong": 20}
FRAME_TEMPLATE, FRAME_SEARCH = 3, 7  # video frames: smaller windows, about 5 times cheaper (bench/sensor_noise.py)
NOISE_GAIN = 1.2  # h per grey level of the picture's own noise σ
REFERENCE = 16  # NL-means h of the reference that tells noise from structure
VISIBLE = 0.5  # the reference must carry at most this much for the picture to be measured
TEMPLATE, SEARCH = 5, 11  # NL-means windows, pixels
CARRIED = 0.85  # share of the original's noise above which a copy is refused (bench/sensor_noise.py)
FLAT_SLOPE = 2.0  # grey levels a pixel: smooth enough that the residual is noise
MIN_FLAT = 0.02  # share of the picture that must be smooth for the measurement
MIN_NOISE = 0.5  # grey levels of residual in the smooth part below which there is no noise to measure


def noise_level(grey: np.ndarray) -> float:
    """The picture's noise σ in grey levels: the finest diagonal detail's median absolute value
    (Donoho's estimate) in 8×8 blocks of it, taken where the picture is calmest (the 10th
    percentile of the blocks), so texture is not mistaken for grain."""
    g = grey.astype(np.float32)
    h, w = g.shape[0] // 32 * 32, g.shape[1] // 32 * 32
    if not h or not w:
        return 0.0
    diagonal = np.abs(g[0:h:2, 0:w:2] - g[0:h:2, 1:w:2] - g[1:h:2, 0:w:2] + g[1:h:2, 1:w:2]) / 2
    blocks = diagonal.reshape(h // 16, 8, w // 16, 8).transpose(0, 2, 1, 3).reshape(-1, 64)
    return float(np.percentile(np.median(blocks, axis=1), 10) / 0.6745)


def filter_strength(image, strength: str, step: int = 0, video: bool = False) -> float:
    """NL-means h: the strength's step, raised with the picture's own noise (a night shot's
    grain needs more), capped so texture is not wiped out."""
    floor = (FRAME_STRENGTHS if video else STRENGTHS)[strength][step]
    cap = (FRAME_CAPS if video else CAPS)[strength]
    return float(min(max(cap, floor), max(floor, NOISE_GAIN * noise_level(np.asarray(image.convert("L"))))))


def replaced(frames: list, strength: str, original, covered: np.ndarray,
             video: bool = False) -> tuple[list, float | None, int]:
    """The frames with their sensor noise replaced, at the first step of `strength` after
    which the first frame carries no more than CARRIED of the original's noise; that share
    (None when the picture cannot be measured) and the step. A share above CARRIED after the
    last step means the copy must not be written. `video`: a clip's frame (`unlink_frame`)."""
    operation = unlink_frame if video else unlink
    measurable = None  # asked only when a step falls short: most pictures pass the first one
    for step in range(len((FRAME_STRENGTHS if video else STRENGTHS)[strength])):
        done = [operation(frame, strength, step) for frame in frames]
        share = carried(original, done[0], covered)
        if share is None or share <= CARRIED:
            return done, share, step
        if measurable is None:
            measurable = _noise_is_visible(original, covered)
        if not measurable:  # what stays is structure, not noise: no step would change it
            return done, None, step
    return done, share, step


def traceable(share: float | None) -> str | None:
    """Why a copy carrying this share of the original's noise must not be written, or None."""
    if share is None or share <= CARRIED:
        return None
    return (f"the copy still carries {share:.0%} of the original's sensor noise (limit {CARRIED:.0%}): "
            f"it could be traced to the camera")


def measured_share(original, copy, covered) -> float | None:
    """`carried`, or None where the picture's smooth areas hold structure rather than noise."""
    share = carried(original, copy, covered)
    if share is not None and share > CARRIED and not _noise_is_visible(original, covered):
        return None
    return share


def _noise_is_visible(original, covered) -> bool:
    """Whether the measurement sees sensor noise in this picture at all: a reference denoised
    far beyond any step (h = REFERENCE) must carry little of the residual. Where it still
    carries most, the smooth areas hold structure, not noise (a web JPEG's compression
    pattern, drawn gradients), and no denoising would change the measure."""
    share = carried(original, _nl_means(original, REFERENCE), covered)
    return share is not None and share <= VISIBLE


def unlink(image, strength: str = "normal", step: int = 0):
    """The picture with its sensor noise replaced by NL-means' estimate of the scene (an
    alpha channel is kept as it is; grey stays grey)."""
    from PIL import Image

    if image.mode == "1":
        return image  # two levels: no sensor noise to carry
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):  # deep grey (scans, medical, 16-bit PNG)
        deep = np.clip(np.asarray(image.convert("I")), 0, 65535).astype(np.uint16)[..., None]
        return Image.fromarray(np.ascontiguousarray(unlink_deep(deep, strength, step)[..., 0]))  # uint16: I;16
    alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
    clean = _nl_means(image, filter_strength(image, strength, step))
    if image.mode in ("L", "LA"):
        clean = clean.convert("L")
    if alpha is not None:
        clean = clean.convert("RGBA" if image.mode == "RGBA" else "LA")
        clean.putalpha(alpha)
    return clean


def unlink_frame(image, strength: str = "normal", step: int = 0):
    """A video frame with its sensor noise replaced: NL-means on the luminance only, with
    smaller windows. Per frame of a clip the photos' filter costs too much (0.64 s a megapixel
    against 0.08, bench/sensor_noise.py --video); the grey residual is what carries the fingerprint (the analyst's, too), and
    the encoder halves the colour's resolution anyway."""
    import cv2
    from PIL import Image

    h = filter_strength(image, strength, step, video=True)
    ycc = cv2.cvtColor(np.ascontiguousarray(np.asarray(image.convert("RGB"))), cv2.COLOR_RGB2YCrCb)
    ycc[..., 0] = cv2.fastNlMeansDenoising(np.ascontiguousarray(ycc[..., 0]), None, h, FRAME_TEMPLATE, FRAME_SEARCH)
    return Image.fromarray(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2RGB))


def covered_mask(regions, size) -> np.ndarray:
    """Where the covered regions lie (a little wider): solid cover carries no noise and is
    left out of the measurement."""
    mask = np.zeros((size[1], size[0]), dtype=bool)
    for region in regions:
        if region.covered:
            x, y, w, h = region.box
            mask[max(0, y - 2):y + h + 2, max(0, x - 2):x + w + 2] = True
    return mask


def _nl_means(image, h: float):
    """OpenCV's colour non-local means at strength h, as an RGB picture."""
    import cv2
    from PIL import Image

    rgb = np.ascontiguousarray(np.asarray(image.convert("RGB")))
    return Image.fromarray(cv2.fastNlMeansDenoisingColored(rgb, None, h, h, TEMPLATE, SEARCH))


def unlink_deep(pixels: np.ndarray, strength: str = "normal", step: int = 0) -> np.ndarray:
    """The same for a 16-bit picture (a RAW's development), channel by channel."""
    import cv2
    from PIL import Image

    h = filter_strength(Image.fromarray((pixels.mean(axis=2) / 257).astype(np.uint8)), strength, step) * 257
    return np.stack([cv2.fastNlMeansDenoising(np.ascontiguousarray(pixels[..., c]), h=[h], templateWindowSize=TEMPLATE,
                                              searchWindowSize=SEARCH, normType=cv2.NORM_L1)
                     for c in range(pixels.shape[2])], axis=-1)


def residual(image) -> np.ndarray:
    """The picture's finest detail and noise: its grey levels minus a 3×3 Gaussian blur."""
    import cv2

    grey = np.asarray(image.convert("L"), dtype=np.float32)
    return grey - cv2.GaussianBlur(grey, (3, 3), 0)


def _flat(image) -> np.ndarray:
    """Where the scene is smooth (under FLAT_SLOPE grey levels a pixel after a σ2 blur) and
    not clipped: there the residual is sensor noise, not edges."""
    import cv2

    grey = np.asarray(image.convert("L"))
    smooth = cv2.GaussianBlur(grey.astype(np.float32), (0, 0), 2)
    slope = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))
    return (slope <= FLAT_SLOPE) & (grey > 8) & (grey < 247)


def carried(original, copy, covered: np.ndarray | None = None) -> float | None:
    """How much of the original's noise the copy still carries, 0 (none) to about 1 (all): the
    copy's residual regressed on the original's over the smooth part of the picture, outside
    covered regions. None when too little of the picture is smooth to measure it."""
    a, b = residual(original), residual(copy)
    if a.shape != b.shape:
        return None
    keep = _flat(original)
    if covered is not None:
        keep &= ~covered
    if keep.mean() < MIN_FLAT or float(a[keep].std()) < MIN_NOISE:
        return None  # too little smooth area, or no noise in it (drawn pictures, flat JPEG areas)
    a, b = a[keep] - a[keep].mean(), b[keep] - b[keep].mean()
    energy = float((a * a).sum())
    return float((a * b).sum() / energy) if energy else None
