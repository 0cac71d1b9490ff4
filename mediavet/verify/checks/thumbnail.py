"""Does the embedded EXIF thumbnail show the same picture as the main image?

Cameras write the thumbnail at capture; most editors leave it alone. A thumbnail that
shows something else (a different crop, removed objects, another scene) is one of the
strongest signs of an edit. The comparison tolerates the thumbnail's letterbox bars,
rotation by quarter turns, mirroring, and its low quality.

When the two are the same picture overall, they are compared locally too: a painted-over,
cloned or pasted area leaves most of the picture alike. The main picture is brought to the
thumbnail's size and orientation, a small shift and a brightness/contrast fit are searched,
and the blocks whose difference stands well above the typical one (what compression and the
camera's processing explain) are joined into areas; an area of 4% or more is reported with
its box. Measured by bench/thumbnail_local.py: 369 of 387 generated edits (10-30% of the
area) on 43 corpus camera photos found, 1 alarm on 64 untouched files with thumbnails (a file
written by Olympus CAMEDIA Master; when an editor wrote the file the finding is a warning
that says so).
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


def aligned(thumb, main, variant: str):
    """The thumbnail turned/mirrored (and its letterbox bars cut) as `variant` says, and the
    main picture at the same size: two grey float arrays."""
    import numpy as np
    from PIL import Image

    base = thumb
    if variant.startswith("letterboxed+"):
        crops = letterbox_crops(thumb, main.size)
        base = crops[0] if crops else thumb
        variant = variant[len("letterboxed+"):]
    grey = np.asarray(base.convert("L"), dtype=np.float64)
    mirrored = variant.startswith("mirrored_")
    turns = {"identity": 0, "rotate_90": 1, "rotate_180": 2, "rotate_270": 3}[variant.removeprefix("mirrored_")]
    grey = np.rot90(grey[:, ::-1] if mirrored else grey, turns)
    height, width = grey.shape
    target = np.asarray(main.convert("L").resize((width, height), Image.Resampling.BOX), dtype=np.float64)
    return grey, target


BLOCKS = 15  # compared blocks across the thumbnail's shorter side (8 px blocks on a 160x120 thumbnail)
LOCAL_SHARE = 0.04  # a changed area must cover at least this share of the picture
LOCAL_SEED = 3.5  # a changed area holds a block this many times the typical (median) difference
LOCAL_GROW = 2.0  # ... and spreads over its neighbours above twice the typical difference
LOCAL_FLOOR = 20.0  # ... and the seed differs by at least this many grey levels (thumbnails differ by a few)


def _residual(thumb_grey, main_grey):
    """(|thumbnail - fitted main picture|, the best shift) over a +-2 px shift search with a
    brightness/contrast fit: the per-pixel difference nothing global explains."""
    import numpy as np
    from scipy import ndimage

    best = None
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            a = np.roll(np.roll(main_grey, dy, axis=0), dx, axis=1)[3:-3, 3:-3]
            b = thumb_grey[3:-3, 3:-3]
            slope, offset = np.polyfit(a.ravel(), b.ravel(), 1) if a.std() > 1 else (1.0, b.mean() - a.mean())
            residual = np.abs(ndimage.gaussian_filter(b, 0.7) - ndimage.gaussian_filter(slope * a + offset, 0.7))
            if best is None or residual.mean() < best[0].mean():
                best = (residual, (dx, dy))
    return best


def difference_map(thumb, main, variant: str):
    """The difference between the thumbnail and the picture as a grey picture for a person
    (brighter: more different), at the thumbnail's size."""
    import numpy as np
    from PIL import Image

    residual, _shift = _residual(*aligned(thumb, main, variant))
    return Image.fromarray(np.clip(residual * 4, 0, 255).astype(np.uint8), "L")


def local_difference(thumb_grey, main_grey) -> dict | None:
    """Where the two aligned pictures differ: block-wise differences after a small shift search
    and a brightness/contrast fit, normalised by the spread of differences across the picture
    (what their compression and processing explain), then the largest connected changed area.
    None when nothing local stands out."""
    import numpy as np
    from scipy import ndimage

    residual, shift = _residual(thumb_grey, main_grey)
    block = max(3, min(residual.shape) // BLOCKS)
    rows, cols = residual.shape[0] // block, residual.shape[1] // block
    if rows < 4 or cols < 4:
        return None
    blocks = residual[:rows * block, :cols * block].reshape(rows, block, cols, block).mean(axis=(1, 3))
    typical = float(np.median(blocks)) + 1.0  # what compression and processing explain (most blocks)
    limit = max(LOCAL_FLOOR, LOCAL_SEED * typical)
    grown = blocks > max(LOCAL_FLOOR * 2 / 3, LOCAL_GROW * typical)
    changed, count = ndimage.label(grown)  # areas of blocks above the lower bar holding one above the upper
    seeded = set(np.unique(changed[blocks > limit])) - {0}
    if not seeded:
        return None
    changed = np.where(np.isin(changed, list(seeded)), changed, 0)
    sizes = ndimage.sum(np.ones_like(blocks), changed, index=range(1, count + 1))
    label = int(np.argmax(sizes)) + 1
    share = float(sizes[label - 1]) / blocks.size
    if share < LOCAL_SHARE:
        return None
    ys, xs = np.nonzero(changed == label)
    return {"share": round(share, 3), "blocks": [int(xs.min()), int(ys.min()), int(xs.max() + 1), int(ys.max() + 1)],
            "grid": [cols, rows], "score": round(float(blocks[changed == label].mean()), 1),
            "limit": round(limit, 1), "shift": list(shift)}


@check("exif.thumbnail_mismatch", formats=("jpeg", "tiff", "webp", "png", "heif", "avif"))
def thumbnail_mismatch(media, options):
    from mediavet.errors import MediaError

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
    if score >= THRESHOLD:  # the same picture overall: the local comparison looks closer
        return _local(media, thumb, media.image(max_side=1024), variant, score)
    return [Finding(
        "exif.thumbnail_mismatch", Severity.HIGH,
        f"the embedded thumbnail shows a different picture (similarity {score:.2f} < {THRESHOLD}): edited after capture",
        {"similarity": round(score, 3), "threshold": THRESHOLD, "best_alignment": variant,
         "thumbnail_size": list(thumb.size), "image_size": list(media.size),
         "method": f"correlation of {SIDE}x{SIDE} grey images, 8 orientations, with and without letterbox bars"},
    )]


def _local(media, thumb, main, variant: str, score: float) -> list[Finding]:
    """The same picture overall: is part of it changed?"""
    area = local_difference(*aligned(thumb, main, variant))
    if area is None:
        return []
    cols, rows = area["grid"]
    x0, y0, x1, y1 = area["blocks"]
    width, height = media.size
    box = [round(x0 / cols * width), round(y0 / rows * height), round((x1 - x0) / cols * width),
           round((y1 - y0) / rows * height)]
    from mediavet.verify.checks.software import editor_named

    editor = editor_named(media.metadata)  # an editor that kept the camera's thumbnail explains a difference
    said = f"; {editor} wrote the file, so the change may be its own edit" if editor else ": changed after capture"
    return [Finding(
        "exif.thumbnail_mismatch", Severity.WARN if editor else Severity.HIGH,
        f"part of the picture differs from its embedded thumbnail ({area['share']:.0%} of it, around "
        f"x={box[0]}, y={box[1]}, {box[2]}x{box[3]} px){said}",
        {"changed_box": box, "changed_share": area["share"], "block_difference": area["score"],
         "block_limit": area["limit"], "minimum_share": LOCAL_SHARE, "similarity": round(score, 3),
         "best_alignment": variant, "shift": area["shift"], "explained_by_software": editor,
         "method": f"about {BLOCKS} blocks across the thumbnail's shorter side, brightness/contrast fitted, a block counts when "
                   f"{LOCAL_SEED}x the median difference (and >= {LOCAL_FLOOR} grey levels) seeds an area that "
                   f"spreads over neighbours above {LOCAL_GROW}x; the largest such area"},
    )]
