"""Cover regions of a picture, irreversibly.

`fill` paints a solid colour. `pixelate` and `blur` first destroy the detail: the region is
reduced to at most BLOCKS cells across, each cell's colour gets random noise, and only that
is enlarged (blocky for pixelate, smoothed for blur). Pixelated text and lightly blurred
faces can be read back or matched; a few noisy cells cannot.
"""

from __future__ import annotations

import secrets

import numpy as np

from mediavet.redact.regions import Region

FILL = (0, 0, 0)
BLOCKS = 6  # cells across the longer side of a region after pixelate/blur
NOISE = 24  # +- levels of noise per cell


def cover(image, regions: list[Region]):
    """A copy of the PIL image with every region (already grown) covered; `keep` and `review`
    regions are skipped."""
    from PIL import Image, ImageDraw

    out = image.copy()
    rng = np.random.default_rng(secrets.randbits(64))  # unpredictable: the noise must not be undoable
    for region in regions:
        if not region.covered or region.area == 0:
            continue
        x, y, w, h = region.box
        box = (x, y, x + w, y + h)
        mask = Image.new("L", (w, h), 255)
        if region.shape == "ellipse":
            mask = Image.new("L", (w, h), 0)
            ImageDraw.Draw(mask).ellipse((0, 0, w - 1, h - 1), fill=255)
        if region.action == "fill":
            patch = Image.new(out.mode, (w, h), _colour(out.mode))
        else:
            patch = _destroyed(out.crop(box), region.action, rng)
        out.paste(patch, (x, y), mask)
    return out


def _colour(mode: str):
    if mode in ("RGB", "RGBA"):
        return FILL + ((255,) if mode == "RGBA" else ())
    if mode == "LA":
        return (0, 255)
    return 0


def _destroyed(patch, action: str, rng):
    from PIL import Image, ImageFilter

    w, h = patch.size
    mode = patch.mode
    if mode in ("1", "P"):
        patch = patch.convert("L")
    cells = (max(1, round(BLOCKS * w / max(w, h))), max(1, round(BLOCKS * h / max(w, h))))
    small = np.asarray(patch.resize(cells, Image.Resampling.BOX))
    top = 65535 if small.dtype == np.uint16 else (255 if small.dtype == np.uint8 else int(small.max()) or 255)
    noise = rng.integers(-NOISE, NOISE + 1, small.shape) * (top // 255)
    if small.ndim == 3 and small.shape[2] in (2, 4):
        noise[..., -1] = 0  # alpha stays as it was
    small_image = Image.fromarray(np.clip(small.astype(np.int64) + noise, 0, top).astype(small.dtype))
    if action == "pixelate":
        result = small_image.resize((w, h), Image.Resampling.NEAREST)
    else:
        result = small_image.resize((w, h), Image.Resampling.BILINEAR)
        if result.mode in ("L", "LA", "RGB", "RGBA"):
            result = result.filter(ImageFilter.GaussianBlur(max(1, min(w, h) / (2 * BLOCKS))))
    return result.convert(mode) if result.mode != mode else result
