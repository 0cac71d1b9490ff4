"""Copy-move: a part of the picture pasted elsewhere in the same picture (to hide or to
multiply something). Keypoints are matched against the picture's own; pairs that agree on
one geometric transform between two separate areas are the evidence."""

from __future__ import annotations

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

SIDE = 1024  # searched at this long side
MIN_INLIERS = 60  # pairs agreeing on one transform; set on bench/copy_move.py so no original alarms
MIN_SHIFT = 0.04  # of the long side: matches closer than this are the same texture, not a copy
RATIO = 0.6  # Lowe's ratio between the best and second-best other match


def copy_move(image) -> dict | None:
    """The strongest copied area as {"source", "target", "inliers"} (boxes in picture pixels), or None."""
    import cv2
    import numpy as np

    grey = np.asarray(image.convert("L"))
    scale = min(1.0, SIDE / max(grey.shape))
    if scale < 1:
        grey = cv2.resize(grey, (round(grey.shape[1] * scale), round(grey.shape[0] * scale)),
                          interpolation=cv2.INTER_AREA)
    sift = cv2.SIFT_create(nfeatures=4000, contrastThreshold=0.02)
    points, descriptors = sift.detectAndCompute(grey, None)
    if descriptors is None or len(points) < 3 * MIN_INLIERS:
        return None
    xy = np.float32([p.pt for p in points])
    matches = cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors, descriptors, k=3)
    shift = MIN_SHIFT * max(grey.shape)
    pairs = []
    for candidates in matches:
        others = [m for m in candidates if m.trainIdx != m.queryIdx]
        if len(others) < 2 or others[0].distance > RATIO * others[1].distance:
            continue
        a, b = others[0].queryIdx, others[0].trainIdx
        if a < b and np.hypot(*(xy[a] - xy[b])) > shift:
            pairs.append((a, b))
    if len(pairs) < MIN_INLIERS:
        return None
    source = xy[[a for a, _ in pairs]]
    target = xy[[b for _, b in pairs]]
    transform, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0)
    if transform is None:
        return None
    keep = mask.ravel().astype(bool)
    if keep.sum() < MIN_INLIERS or np.hypot(transform[0, 2], transform[1, 2]) < shift:
        return None

    def box(points):
        (x0, y0), (x1, y1) = points.min(axis=0) / scale, points.max(axis=0) / scale
        return [int(x0), int(y0), int(x1 - x0), int(y1 - y0)]

    return {"source": box(source[keep]), "target": box(target[keep]), "inliers": int(keep.sum())}


@check("forensics.copy_move", ("jpeg", "png", "webp", "tiff", "heif"))
def copy_move_check(media, options):
    if not options.forensics:  # pixel forensics cost a second per picture: asked for with --forensics
        return []
    found = copy_move(media.image(max_side=SIDE))
    if not found:
        return []
    return [Finding("forensics.copy_move", Severity.WARN,
                    f"an area seems copied within the picture: {found['inliers']} keypoints match between "
                    f"{found['source']} and {found['target']} (x, y, w, h) under one transform", found)]


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
