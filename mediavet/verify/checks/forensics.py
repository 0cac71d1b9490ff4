"""Pixel and compression forensics of JPEG files: re-saves, platform recompression, JPEG ghosts."""

from __future__ import annotations

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check


# Camera makers whose cameras write quantization tables of their own; libjpeg's standard
# tables in a file that names one of them (and no editor) point to a later software save.
# Phone makers are not listed: many phones encode with libjpeg's tables themselves.
OWN_TABLE_MAKERS = ("canon", "nikon", "apple", "olympus", "panasonic", "fujifilm", "pentax", "leica", "casio")


@check("jpeg.resaved", ("jpeg",))
def resaved(media, options):
    from mediavet.jpeg_quality import of_media
    from mediavet.verify.checks.software import EDITORS, _match, software_fields

    make = media.metadata.exif.text("Image Make") or ""
    maker = next((name for name in OWN_TABLE_MAKERS if name in make.lower()), None)
    if maker is None or any(_match(EDITORS, value) for _, value in software_fields(media.metadata)):
        return []
    tables = of_media(media)
    if not tables or not tables["standard_tables"]:
        return []
    return [Finding("jpeg.resaved", Severity.WARN,
                    f"{make.strip()} cameras write their own quantization tables; this file uses libjpeg's standard "
                    f"tables at quality {tables['quality']}: consistent with a later save by software",
                    {"make": make.strip(), "quality": tables["quality"], "standard_tables": True})]


# Where a picture has been, as far as its shape can say: platforms strip metadata, resize to
# a fixed long edge and re-encode with libjpeg's tables. Several share sizes; all are named.
PLATFORM_EDGES = {1600: ["WhatsApp"], 2560: ["WhatsApp (HD)", "Telegram"], 1280: ["Telegram", "Signal"],
                  2048: ["Facebook", "X/Twitter"], 4096: ["X/Twitter"], 1080: ["Instagram"]}


@check("jpeg.platform", ("jpeg",))
def platform(media, options):
    from mediavet.jpeg_quality import of_media

    metadata = media.metadata
    fbmd = (metadata.iptc.get("OriginalTransmissionReference") or "").startswith("FBMD")
    if fbmd:
        return [Finding("jpeg.platform", Severity.INFO, "carries Facebook's FBMD marker: it went through Facebook",
                        {"iptc_OriginalTransmissionReference": metadata.iptc["OriginalTransmissionReference"][:40]})]
    tables = of_media(media)
    edge = max(media.size)
    if (metadata.exif.state != "absent" or metadata.xmp.state != "absent" or metadata.c2pa or metadata.iptc_present
            or not tables
            or not tables["standard_tables"] or edge not in PLATFORM_EDGES):
        return []
    names = PLATFORM_EDGES[edge]
    return [Finding("jpeg.platform", Severity.INFO,
                    f"consistent with {' or '.join(names)} recompression: no metadata, long edge {edge} px, "
                    f"libjpeg quality {tables['quality']} (a hint, not proof: anyone can save a picture this way)",
                    {"long_edge": edge, "quality": tables["quality"], "candidates": names})]


GHOST_STRENGTH = 0.3  # dip depth that counts (synthetic double saves: 0.43-0.69; corpus camera files: < 0.25)


def jpeg_ghost(image, quality: int) -> dict | None:
    """Save the picture again at lower qualities and watch the difference: it shrinks as the
    quality nears the file's own, except that an earlier save at quality q1 leaves a dip at
    q1 (a JPEG ghost, Farid 2009). Returns {"first_quality", "strength", "curve"} or None."""
    import io

    import numpy as np
    from PIL import Image

    width, height = image.size
    crop_w, crop_h = min(width, 1024) // 8 * 8, min(height, 1024) // 8 * 8
    x0, y0 = (width - crop_w) // 2 // 8 * 8, (height - crop_h) // 2 // 8 * 8  # the 8x8 grid kept
    crop = image.convert("L").crop((x0, y0, x0 + crop_w, y0 + crop_h))
    base = np.asarray(crop, dtype=np.float64)
    qualities = list(range(max(20, quality - 45), quality, 3))
    curve = []
    for q in qualities:
        buffer = io.BytesIO()
        crop.save(buffer, "JPEG", quality=q)
        curve.append(float(((np.asarray(Image.open(io.BytesIO(buffer.getvalue())), dtype=np.float64) - base) ** 2).mean()))
    best = None
    for i in range(1, len(curve) - 1):
        later = max(curve[i + 1:])
        if curve[i] < curve[i - 1] and later > curve[i]:
            strength = (later - curve[i]) / later
            if best is None or strength > best["strength"]:
                best = {"first_quality": qualities[i], "strength": round(strength, 3)}
    if best is None:
        return None
    return {**best, "curve": {str(q): round(v, 2) for q, v in zip(qualities, curve)}}


@check("jpeg.double_compressed", ("jpeg",))
def double_compressed(media, options):
    if not options.forensics:
        return []
    from mediavet.jpeg_quality import of_media

    tables = of_media(media)
    if not tables or media.size[0] < 64 or media.size[1] < 64:
        return []
    found = jpeg_ghost(media.image(), tables["quality"])
    if not found or found["strength"] < GHOST_STRENGTH:
        return []
    return [Finding("jpeg.double_compressed", Severity.WARN,
                    f"saved before at about quality {found['first_quality']}, then again at {tables['quality']} "
                    f"(JPEG ghost, strength {found['strength']:.2f}): the file is not the camera's first save",
                    {**found, "last_quality": tables["quality"], "threshold": GHOST_STRENGTH})]
