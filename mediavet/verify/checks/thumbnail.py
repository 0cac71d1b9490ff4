"""Does the embedded EXIF thumbnail show the same picture as the main image?

Cameras write the thumbnail at capture; most editors leave it alone. A thumbnail that
shows something else (a different crop, removed objects, another scene) is one of the
strongest signs of an edit. The comparison tolerates the thumbnail's letterbox bars,
rotation by quarter turns, mirroring, and its low quality.
"""

from __future__ import annotations

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

THRESHOLD = 0.60  # lowest correlation (after trimming and alignment) accepted as "same picture"
SIDE = 24  # both pictures are compared as SIDE x SIDE grey thumbnails


def grey_square(image, side: int = SIDE):
    import numpy as np
    from PIL import Image, ImageFilter

    small = image.convert("L").filter(ImageFilter.BoxBlur(max(1, min(image.size) // 64)))
    small = small.resize((side, side), Image.Resampling.BILINEAR)
    values = np.asarray(small, dtype=np.float64)
    return values - values.mean()


def letterbox_crops(thumb, main_size) -> list:
    """The centred regions of the thumbnail where the main picture would sit if the thumbnail
    was letterboxed (or pillarboxed) to another aspect ratio, upright or turned."""
    width, height = thumb.size
    crops = []
    for aspect in (main_size[0] / main_size[1], main_size[1] / main_size[0]):
        if abs(aspect - width / height) / aspect < 0.03:
            continue
        if aspect > width / height:  # bars above and below
            inner = max(1, round(width / aspect))
            box = (0, (height - inner) // 2, width, (height - inner) // 2 + inner)
        else:  # bars left and right
            inner = max(1, round(height * aspect))
            box = ((width - inner) // 2, 0, (width - inner) // 2 + inner, height)
        crops.append(thumb.crop(box))
    return crops


def _variants(square):
    """The eight quarter-turn/mirror variants of a square array, by name."""
    import numpy as np

    for name, turns in (("identity", 0), ("rotate_90", 1), ("rotate_180", 2), ("rotate_270", 3)):
        yield name, np.rot90(square, turns)
        yield f"mirrored_{name}", np.rot90(square[:, ::-1], turns)


def similarity(thumb, main) -> tuple[float, str]:
    """Best correlation of the two pictures over the eight quarter-turn/mirror variants,
    of the whole thumbnail and of its letterboxed region."""
    import numpy as np

    target = grey_square(main)
    norm_target = np.sqrt((target ** 2).sum())
    best, best_name = -1.0, "identity"
    bases = [("", thumb)] + [("letterboxed+", crop) for crop in letterbox_crops(thumb, main.size)]
    for prefix, base in bases:
        square = grey_square(base)
        norm = np.sqrt((square ** 2).sum())
        for name, candidate in _variants(square):
            score = float((candidate * target).sum() / (norm_target * norm)) if norm_target * norm > 0 else 0.0
            if score > best:
                best, best_name = score, prefix + name
    return best, best_name


@check("exif.thumbnail_mismatch", formats=("jpeg", "tiff", "webp", "png", "heif"))
def thumbnail_mismatch(media, options):
    from mediavet.media import MediaError

    data = media.metadata.exif.thumbnail
    if not data:
        return []
    try:
        thumb = media.thumbnail().convert("RGB")
    except MediaError as exc:
        return [Finding("exif.thumbnail_mismatch", Severity.WARN,
                        "EXIF declares a thumbnail that is not a decodable image" if exc.kind != "too_large"
                        else "EXIF declares a thumbnail beyond the pixel budget (not decoded)",
                        {"thumbnail_bytes": len(data), "first_bytes": data[:8].hex(), "reason": exc.message})]
    main = media.image(max_side=256)
    score, variant = similarity(thumb, main)
    if score >= THRESHOLD:
        return []
    return [Finding(
        "exif.thumbnail_mismatch", Severity.HIGH,
        f"the embedded thumbnail shows a different picture (similarity {score:.2f} < {THRESHOLD}): edited after capture",
        {"similarity": round(score, 3), "threshold": THRESHOLD, "best_alignment": variant,
         "thumbnail_size": list(thumb.size), "image_size": list(media.size),
         "method": f"correlation of {SIDE}x{SIDE} grey images, 8 orientations, with and without letterbox bars"},
    )]
