"""Copy-move: a part of the picture pasted elsewhere in the same picture, to hide something
(cloned over) or to multiply it. Two searches propose where a copy could be; one test on the
pixels decides.

Proposals
- Dense blocks (Fridrich, Soukal and Lukáš 2003): every BLOCK×BLOCK block, at every
  position, is described by its nine lowest 2-D DCT coefficients; blocks are sorted by the
  quantised coefficients, and neighbours in that order that are nearly equal and far apart
  in the picture vote for the shift between them. The shifts with most votes are proposals.
  This finds plain (moved, not turned) clones however small, also in low-contrast areas.
- Keypoints (Amerini et al. 2011): SIFT points matched against the picture's own, keeping
  every neighbour that passes the generalised 2NN test (so an area copied twice is seen
  twice); similarity transforms are fitted by RANSAC in rounds, the inliers of one round
  removed before the next. This finds turned and rescaled clones.

Decision (a match-density test, not a count of matching points): the proposed transform
moves the whole picture onto itself, and the copied area is where the moved picture agrees
with the picture (the local difference small against the local contrast, on textured
pixels), as one connected area. It must cover MIN_SHARE of the picture with a solid core
and be specific: moving the transform by a few pixels must make the agreement clearly worse
(RATIO), which smooth areas and repeating texture do not pass. Agreement that lies mostly
inside lines of text found by the text detector is discounted: the same letters repeat in
any sign or screenshot. The thresholds come from `bench/copy_move.py`.
"""

from __future__ import annotations

import numpy as np

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

SIDE = 1024  # searched at this long side
BLOCK = 8  # dense block side, pixels
MIN_SHIFT = 0.03  # of the long side (and at least 2 blocks): closer matches are the same texture, not a copy
MIN_VOTES = 20  # block pairs sharing one shift before it is tried
PROPOSALS = 5  # dense shifts tried, most voted first
ROUNDS = 3  # keypoint transforms tried
RATIO = 0.35  # difference at the transform / least difference 3 px off it, over the area
MIN_SHARE = 0.001  # of the picture's area the agreeing area must cover
MIN_CORE = 0.0003  # of the picture's area left after eroding the area by 7×7: a solid patch, not a line
WINDOW = 7  # pixels: the neighbourhood over which differences and contrast are measured
MIN_CONTRAST = 4.0  # grey-level std of a neighbourhood that counts as textured
SPECIFIC = 0.5  # a copied pixel's difference / its least difference 3 px off the transform
REPEATS = 0.3  # share of the area that agrees a step back, a step on or at half the step: a repeating pattern
IN_TEXT = 0.5  # share of both the source and the copy inside detected text that discounts them


def _dct_rows(size: int, count: int) -> np.ndarray:
    x = np.arange(size)
    return np.array([np.cos(np.pi * (2 * x + 1) * u / (2 * size)) for u in range(count)], dtype=np.float32)


def block_shifts(grey: np.ndarray) -> list[tuple[int, int, int]]:
    """The shifts (dx, dy, votes) that most pairs of matching blocks share, most voted first."""
    import cv2

    g = grey.astype(np.float32)
    height, width = g.shape
    rows = _dct_rows(BLOCK, 3)
    keep = (slice(0, height - BLOCK + 1), slice(0, width - BLOCK + 1))

    def filtered(kx, ky):
        return cv2.sepFilter2D(g, cv2.CV_32F, kx, ky, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)[keep] / BLOCK

    mean = cv2.boxFilter(g, -1, (BLOCK, BLOCK), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)[keep]
    square = cv2.boxFilter(g * g, -1, (BLOCK, BLOCK), anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)[keep]
    ys, xs = np.nonzero(square - mean * mean >= 9.0)  # blocks with some contrast (std >= 3 grey levels)
    if len(ys) < MIN_VOTES:
        return []
    features = np.stack([filtered(rows[u], rows[v])[ys, xs] for u in range(3) for v in range(3)], axis=1)
    order = np.lexsort(np.round(features / 2.0).astype(np.int32).T[::-1])
    features, xs, ys = features[order], xs[order], ys[order]
    far = max(2 * BLOCK, MIN_SHIFT * max(height, width))
    firsts, seconds = [], []
    for step in (1, 2, 3):
        close = np.abs(features[step:] - features[:-step]).max(axis=1) < 2.0
        apart = np.hypot(xs[step:] - xs[:-step], ys[step:] - ys[:-step]) > far
        index = np.nonzero(close & apart)[0]
        firsts.append(index)
        seconds.append(index + step)
    a, b = np.concatenate(firsts), np.concatenate(seconds)
    dx, dy = xs[b] - xs[a], ys[b] - ys[a]
    flip = (dx < 0) | ((dx == 0) & (dy < 0))  # one sign per shift: (a, b) and (b, a) are the same pair
    dx, dy = np.where(flip, -dx, dx), np.where(flip, -dy, dy)
    shifts, votes = np.unique(np.stack([dx, dy], axis=1), axis=0, return_counts=True)
    best = np.argsort(-votes, kind="stable")[:PROPOSALS]
    return [(int(shifts[i][0]), int(shifts[i][1]), int(votes[i])) for i in best if votes[i] >= MIN_VOTES]


def keypoint_transforms(grey: np.ndarray) -> list[tuple[np.ndarray, int]]:
    """Similarity transforms (2×3, source to copy) agreed by matching keypoint pairs, with their inlier counts."""
    import cv2

    sift = cv2.SIFT_create(nfeatures=4000, contrastThreshold=0.02)
    points, descriptors = sift.detectAndCompute(grey, None)
    if descriptors is None or len(points) < 20:
        return []
    xy = np.float32([p.pt for p in points])
    far = max(2 * BLOCK, MIN_SHIFT * max(grey.shape))
    pairs = set()
    for candidates in cv2.BFMatcher(cv2.NORM_L2).knnMatch(descriptors, descriptors, k=5):
        others = [m for m in candidates if m.trainIdx != m.queryIdx]
        for near, next_ in zip(others, others[1:]):  # g2NN: every neighbour much nearer than the one after it
            if near.distance > 0.6 * next_.distance:
                break
            a, b = sorted((near.queryIdx, near.trainIdx))
            if np.hypot(*(xy[a] - xy[b])) > far:
                pairs.add((a, b))
    pairs = sorted(pairs)
    source, target = xy[[a for a, _ in pairs]], xy[[b for _, b in pairs]]
    found = []
    for _ in range(ROUNDS):
        if len(source) < 6:
            break
        transform, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=3.0)
        if transform is None:
            break
        inliers = mask.ravel().astype(bool)
        if inliers.sum() < 5:
            break
        found.append((transform.astype(np.float32), int(inliers.sum())))
        source, target = source[~inliers], target[~inliers]
    return found


def agreement(grey: np.ndarray, transform: np.ndarray) -> dict | None:
    """Where the picture moved by `transform` agrees with itself: the largest such area, its
    mask, and how specific the agreement is. None when nothing agrees."""
    import cv2

    g = grey.astype(np.float32)
    height, width = g.shape

    def moved(matrix):
        return cv2.warpAffine(g, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=-1000.0)

    def local(matrix):
        return cv2.blur(np.abs(moved(matrix) - g), (WINDOW, WINDOW))

    copy = moved(transform)
    here = local(transform)
    off = []
    for dx, dy in ((3, 0), (-3, 0), (0, 3), (0, -3)):
        shifted = transform.copy()
        shifted[0, 2] += dx
        shifted[1, 2] += dy
        off.append(local(shifted))
    off = np.minimum.reduce(off)
    mean = cv2.blur(g, (WINDOW, WINDOW))
    contrast = np.sqrt(np.maximum(cv2.blur(g * g, (WINDOW, WINDOW)) - mean * mean, 0))
    # a pixel of a copy: textured, close to its moved twin, and clearly closer than 3 px off it
    agree = ((copy > -1) & (contrast > MIN_CONTRAST) & (here < np.maximum(2.5, 0.25 * contrast))
             & (here < SPECIFIC * off)).astype(np.uint8)
    agree = cv2.morphologyEx(agree, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    agree = cv2.morphologyEx(agree, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(agree)
    if count < 2:
        return None
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    agreeing = labels == largest
    difference = float(np.abs(copy - g)[agreeing].mean())
    ratio = float(here[agreeing].mean()) / max(float(off[agreeing].mean()), 1e-6)
    # the window's blur shrank the area by half a window at each edge: grow it back
    target = (cv2.dilate(agreeing.astype(np.uint8), np.ones((WINDOW, WINDOW), np.uint8)) > 0) & (copy > -1)
    core = float(cv2.erode(target.astype(np.uint8), np.ones((7, 7), np.uint8)).mean())
    inverse = cv2.invertAffineTransform(transform)
    source = cv2.warpAffine(target.astype(np.uint8), inverse, (width, height), flags=cv2.INTER_NEAREST) > 0
    # a copy's source is not itself a copy of what lies one step back, nor its target of what
    # lies one step on, nor does half the step agree: a fence, a row of windows or a straight
    # wire does one of these
    steps = [cv2.warpAffine(agreeing.astype(np.uint8), matrix, (width, height), flags=cv2.INTER_NEAREST) > 0
             for matrix in (inverse, transform)]
    repeats = max([float(agree[step].mean()) for step in steps if step.any()] + [0.0])
    half = transform.copy()
    half[:, 2] /= 2
    if np.allclose(transform[:, :2], np.eye(2), atol=0.02):  # a shift: its half is the half shift
        at_half = local(half)
        repeats = max(repeats, float((at_half[agreeing] < np.maximum(2.5, 0.25 * contrast[agreeing])).mean()))
    return {"target": target, "source": source, "difference": difference, "ratio": ratio,
            "share": float(target.mean()), "core": core,
            "repeats": repeats}


def _box(mask: np.ndarray, scale: float) -> list[int]:
    ys, xs = np.nonzero(mask)
    x0, y0, x1, y1 = xs.min() / scale, ys.min() / scale, (xs.max() + 1) / scale, (ys.max() + 1) / scale
    return [int(x0), int(y0), int(round(x1 - x0)), int(round(y1 - y0))]


def _in_text(image, areas) -> list[bool]:
    """For each (source, target) mask pair: do both lie mostly inside detected lines of text?"""
    from mediavet.redact.detectors import MIN_SCORES
    from mediavet.redact.detectors.text import find

    rgb = np.asarray(image.convert("RGB"))
    text = np.zeros(rgb.shape[:2], bool)
    for region in find(rgb, MIN_SCORES["text"]):
        x, y, w, h = region.box
        text[y:y + h, x:x + w] = True
    return [all(float((text & area).sum()) > IN_TEXT * float(area.sum()) for area in pair) for pair in areas]


def measured(grey: np.ndarray) -> list[dict]:
    """Every proposal with its agreement measured (see `agreement`), largest area first."""
    proposals = [("blocks", np.float32([[1, 0, dx], [0, 1, dy]]), votes) for dx, dy, votes in block_shifts(grey)]
    proposals += [("keypoints", transform, inliers) for transform, inliers in keypoint_transforms(grey)]
    found = []
    for method, transform, support in proposals:
        area = agreement(grey, transform)
        if area:
            found.append({"method": method, "transform": transform, "support": support, **area})
    return sorted(found, key=lambda area: -area["share"])


def passes(area: dict) -> bool:
    return (area["ratio"] < RATIO and area["share"] >= MIN_SHARE and area["core"] >= MIN_CORE
            and area["repeats"] < REPEATS)


def working(image):
    """The picture at the searched size."""
    from PIL import Image

    factor = min(1.0, SIDE / max(image.size))
    if factor == 1:
        return image
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.BICUBIC)


def copy_move(image, size: tuple[int, int] | None = None) -> dict | None:
    """The most convincing copied area as evidence, or None; boxes and shift in pixels of
    `size` (the file's picture size; default the image's own)."""
    work = working(image)
    scale = work.width / (size or image.size)[0]  # searched pixels per reported pixel
    passed = [area for area in measured(np.asarray(work.convert("L"))) if passes(area)]
    if passed:
        in_text = _in_text(work, [(area["source"], area["target"]) for area in passed])
        passed = [area for area, text in zip(passed, in_text) if not text]
    if not passed:
        return None
    area = passed[0]
    transform = area["transform"]
    return {"source": _box(area["source"], scale), "target": _box(area["target"], scale),
            "share": round(area["share"], 4), "method": area["method"], "support": area["support"],
            "shift": [round(float(transform[0, 2]) / scale), round(float(transform[1, 2]) / scale)],
            "rotation_degrees": round(float(np.degrees(np.arctan2(transform[1, 0], transform[0, 0]))), 1),
            "scale": round(float(np.hypot(transform[0, 0], transform[1, 0])), 3),
            "difference": round(area["difference"], 2), "specificity": round(area["ratio"], 3),
            "thresholds": {"specificity_below": RATIO, "share_at_least": MIN_SHARE, "core_share_at_least": MIN_CORE,
                           "repeats_below": REPEATS}}


@check("forensics.copy_move", ("jpeg", "png", "webp", "tiff", "heif", "avif"))
def copy_move_check(media, options):
    if not options.forensics:  # pixel forensics cost a second per picture: asked for with --forensics
        return []
    found = copy_move(media.image(max_side=SIDE), media.size)
    if not found:
        return []
    source, target = found["source"], found["target"]
    return [Finding("forensics.copy_move", Severity.WARN,
                    f"an area seems copied within the picture: {source} and {target} (x, y, w, h) agree pixel for "
                    f"pixel under one {'shift' if found['method'] == 'blocks' else 'transform'} "
                    f"({found['share']:.1%} of the picture)", found)]
