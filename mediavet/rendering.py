"""Pictures for people to look at (the HTML report, the review page): upright, downscaled,
in a fresh JPEG that carries no metadata at all (the pixels are copied into a new image, so
nothing the decoder kept in `info` can travel). Safe copies are made by redact/encode.py;
this is only ever a view."""

from __future__ import annotations

import base64
import io

SIDE = 360


def jpeg(image, side: int | None = SIDE, quality: int = 80) -> bytes:
    from PIL import Image

    rgb = image.convert("RGB")
    if side:
        rgb.thumbnail((side, side), Image.Resampling.LANCZOS)
    fresh = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    fresh.save(out, "JPEG", quality=quality)
    return out.getvalue()


def data_uri(image, side: int | None = SIDE) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg(image, side)).decode("ascii")
