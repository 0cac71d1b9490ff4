"""What a JPEG's quantization tables say about how it was saved.

Encoders built on libjpeg (most software, many phones) scale the two standard tables of the
JPEG specification (Annex K) by a quality setting; cameras often use tables of their own.
An exact match names the quality; otherwise the nearest scaled table gives an estimate. This
is a fact for a person to weigh, not a verdict: many cameras use the standard tables too.
"""

from __future__ import annotations

from functools import lru_cache

LUMINANCE = [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
             14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
             49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
CHROMINANCE = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
               47, 66, 99, 99, 99, 99, 99, 99] + [99] * 32


def scaled(table: list[int], quality: int) -> list[int]:
    """libjpeg's scaling of a standard table to a quality (1-100), baseline-clamped."""
    factor = 5000 // quality if quality < 50 else 200 - 2 * quality
    return [min(255, max(1, (value * factor + 50) // 100)) for value in table]


@lru_cache(maxsize=None)
def _standard() -> dict[tuple, int]:
    """Every standard luminance table -> its quality (the highest when two qualities coincide)."""
    return {tuple(scaled(LUMINANCE, q)): q for q in range(1, 101)}


def estimate(tables: dict) -> dict | None:
    """{"quality", "standard_tables"} from Pillow's `quantization` (natural order), or None."""
    luminance = tuple(tables.get(0) or ())
    if len(luminance) != 64:
        return None
    chrominance = list(tables.get(1) or [])
    quality = _standard().get(luminance)
    if quality is not None and (not chrominance or chrominance == scaled(CHROMINANCE, quality)):
        return {"quality": quality, "standard_tables": True}
    nearest = min(_standard().items(), key=lambda item: sum(abs(a - b) for a, b in zip(luminance, item[0])))[1]
    return {"quality": nearest, "standard_tables": False}


def of_media(media) -> dict | None:
    """`estimate` for a probed JPEG, worked out once per file."""
    if media.format != "jpeg":
        return None
    cache = media.__dict__
    if "_jpeg_quality" not in cache:
        cache["_jpeg_quality"] = estimate(getattr(media.header_image_object, "quantization", None) or {})
    return cache["_jpeg_quality"]
