"""Pictures inside a picture: the rectangles of a screenshot, a collage or a page that hold
a photo of their own, so that each can be looked up in the archive as its own view.

A recycled photo usually reaches a newsroom as a phone screenshot of a post (the app's
header, text and buttons around it) or as one tile of a collage. Its global hashes describe
the whole frame, and most of its keypoints land on the clutter. So before a lookup the frame
is cut into blocks the way a page is (recursive XY-cut): along bands of flat colour that run
right across the block (gutters, the app's background between its header, text and the
picture), and where there is no such band along a seam (a straight line of strong contrast
right across the block, where two pictures meet without a gutter). Where gutters run both
ways (a collage's grid) each cell is a block too, as it stands. Every block that no gutter
divides and that is large and not flat is a region, the largest first, then the blocks gutters
divide.
"""

from __future__ import annotations

import numpy as np

SIDE = 480  # long side of the picture the blocks are looked for on
FLAT = 18  # grey levels a band may vary across the block and still be flat
SEAM = 0.6  # share of a block's rows (columns) with strong contrast on one column (row): a seam
CONTRAST = 24  # grey levels across a seam, pixel to pixel
MIN_SIDE = 0.18  # a region spans at least this share of the frame both ways
MIN_AREA, MAX_AREA = 0.05, 0.9  # of the frame (the whole frame is looked up anyway)
BUSY = 0.1  # share of a region's inside with local detail (not a flat panel)
MAX_REGIONS = 12  # a 3×3 collage, and a few of its pieces
MAX_DEPTH = 6
STRIP = 3.0  # a frame this many times longer than wide (a scrolling capture, a chat) is looked at in windows
WINDOW, STRIDE = 2.5, 1.25  # a window's length and step, in frame widths: every picture up to 1.25 widths
# long lies whole inside one


def regions(image) -> list[tuple[tuple[int, int, int, int], bool]]:
    """(box, divided) of the picture regions inside it: the box (x, y, width, height) in the
    image's pixels, and whether gutters divide it (a row of tiles; or a picture with a band of
    the page's colour across it). Pictures first; empty when nothing looks like a picture
    within the picture. A strip (a scrolling capture of a feed) is cut into overlapping windows,
    each a divided region with the regions inside it: in the whole strip a post's picture is
    too small a share to be one."""
    short, long = sorted(image.size)
    if long <= STRIP * short:
        return _regions_of_frame(image)
    tall = image.height > image.width
    found: list[tuple[tuple[int, int, int, int], bool]] = []
    bare = []  # windows with no region inside: each is looked at as it stands
    for start in _window_starts(long, short):
        end = min(long, start + round(WINDOW * short))
        window = (0, start, short, end - start) if tall else (start, 0, end - start, short)
        x, y = window[0], window[1]
        inside = _regions_of_frame(image.crop((x, y, x + window[2], y + window[3])))
        for (bx, by, bw, bh), divided in inside:
            box = (x + bx, y + by, bw, bh)
            if all(overlap(box, other) < 0.8 for other, _ in found):  # seen again in the next window
                found.append((box, divided))
        bare += [] if inside else [(window, True)]
    return [f for f in found if not f[1]] + [f for f in found if f[1]] + bare


def _window_starts(long: int, short: int) -> list[int]:
    """Where the windows along a strip start: every STRIDE widths, the last one ending at its end."""
    length, step = round(WINDOW * short), max(1, round(STRIDE * short))
    starts = list(range(0, max(1, long - length), step))
    return starts + [long - length] if starts[-1] != long - length else starts


def _regions_of_frame(image) -> list[tuple[tuple[int, int, int, int], bool]]:
    """regions() of a frame that is not a strip."""
    import cv2

    grey = image.convert("L")
    scale = min(1.0, SIDE / max(grey.size))
    if scale < 1:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))))
    g = np.asarray(grey, dtype=np.float32)
    height, width = g.shape
    if min(height, width) < 32:
        return []
    mean = cv2.blur(g, (7, 7))
    detail = np.sqrt(np.maximum(cv2.blur(g * g, (7, 7)) - mean * mean, 0)) > 3
    busy = np.pad(detail.astype(np.int64).cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    ring = np.concatenate([g[0], g[-1], g[:, 0], g[:, -1]])
    blocks: list[tuple[tuple[int, int, int, int], str | None]] = []  # (box, how it was divided)
    _cut(g, (0, 0, width, height), float(np.median(ring)), blocks, 0)
    kept = []
    for (x0, y0, x1, y1), split in blocks:
        w, h = x1 - x0, y1 - y0
        if not _large_enough(w, h, g.shape) or w * h / (width * height) > MAX_AREA:
            continue
        if (busy[y1, x1] - busy[y0, x1] - busy[y1, x0] + busy[y0, x0]) / (w * h) >= BUSY:
            kept.append(((x0, y0, w, h), split))
    # pictures first, the largest first (a seam inside one may be its own edge), then the blocks
    # that gutters divide (a collage's row of tiles; a picture with a band of the page's colour
    # across it), the smallest first
    kept.sort(key=lambda found: (found[1] == "gutter", (1 if found[1] == "gutter" else -1) * found[0][2] * found[0][3],
                                 found[0]))
    chosen: list[tuple[tuple[int, int, int, int], bool]] = []
    for box, split in kept:
        if all(overlap(box, other) < 0.8 for other, _ in chosen):
            chosen.append((box, split == "gutter"))
    return [(tuple(round(v / scale) for v in box), divided) for box, divided in chosen[:MAX_REGIONS]]


def _cut(g: np.ndarray, box, background: float, blocks: list, depth: int) -> None:
    """Trim the block's margins of the background colour (the frame's edge: a gutter, the
    app's page), record it, and cut it further where it can be cut. Bands of another flat
    colour (a clear sky) belong to the picture."""
    x0, y0, x1, y1 = box
    if not _large_enough(x1 - x0, y1 - y0, g.shape):
        return  # neither it nor anything inside it can be a region
    part = g[y0:y1, x0:x1]
    rows, cols = _flat(part, background, 1), _flat(part, background, 0)
    if rows.all() or cols.all():
        return  # all flat
    top, bottom = int(np.argmin(rows)), len(rows) - int(np.argmin(rows[::-1]))
    left, right = int(np.argmin(cols)), len(cols) - int(np.argmin(cols[::-1]))
    if (top, bottom, left, right) != (0, len(rows), 0, len(cols)):
        _cut(g, (x0 + left, y0 + top, x0 + right, y0 + bottom), background, blocks, depth)
        return
    across, down = _split(rows, "rows"), _split(cols, "cols")
    pieces = across or down
    split = "gutter" if pieces else None
    if not pieces:
        pieces = _seam(part)
        split = "seam" if pieces else None
    blocks.append(((x0, y0, x1, y1), split))
    # gutters both ways (a collage's grid): each cell as it stands, so that a tile whose own
    # edges have the gutters' colour (a graphic, a page of text) is not cut into its contents
    blocks += [((x0 + start, y0 + above, x0 + end, y0 + below), "cell")
               for _, above, below in across for _, start, end in down]
    if depth >= MAX_DEPTH:
        return
    for axis, start, end in pieces:
        _cut(g, (x0, y0 + start, x1, y0 + end) if axis == "rows" else (x0 + start, y0, x0 + end, y1), background,
             blocks, depth + 1)


def _large_enough(w: int, h: int, shape) -> bool:
    """Whether a block of w × h is large enough in a frame of this (height, width) to be a region."""
    height, width = shape
    return w >= MIN_SIDE * width and h >= MIN_SIDE * height and w * h >= MIN_AREA * width * height


def _flat(part: np.ndarray, background: float, axis: int) -> np.ndarray:
    """Per row (axis 1) or column (axis 0): whether it is all background colour."""
    return (np.abs(part.max(axis=axis) - background) <= FLAT) & (np.abs(part.min(axis=axis) - background) <= FLAT)


def _split(flat: np.ndarray, axis: str) -> list[tuple[str, int, int]]:
    """The stretches between flat bands (the band itself left out), or [] when there is none."""
    edges = np.flatnonzero(np.diff(np.concatenate([[1], flat.astype(np.int8), [1]])))
    stretches = [(axis, int(a), int(b)) for a, b in zip(edges[::2], edges[1::2])]
    return stretches if len(stretches) > 1 else []


def _seam(part: np.ndarray) -> list[tuple[str, int, int]]:
    """The two sides of the strongest straight seam across the block, if there is one."""
    best = None
    for axis, contrast in (("cols", np.abs(np.diff(part, axis=1)) > CONTRAST),
                           ("rows", (np.abs(np.diff(part, axis=0)) > CONTRAST).T)):
        share = contrast.mean(axis=0)  # per boundary position, the share of the block it crosses
        margin = max(2, int(0.1 * len(share)))
        inner = share[margin:len(share) - margin]
        if len(inner) and inner.max() >= SEAM and (best is None or inner.max() > best[0]):
            best = (float(inner.max()), axis, margin + int(np.argmax(inner)) + 1, len(share) + 1)
    if best is None:
        return []
    _, axis, at, length = best
    return [(axis, 0, at), (axis, at, length)]


def overlap(a, b) -> float:
    """Intersection over union of two boxes."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)
