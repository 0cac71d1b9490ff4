"""Keypoint signatures: the crop- and rotation-robust half of archive matching.

Global hashes (PDQ, pHash) describe the whole frame, so a 2% crop already moves PDQ by
about 30 bits and a 10% crop or a 3-degree tilt makes a copy look like a stranger. Local
features do not care: the same corners are found in the crop, the tilted copy and the
copy with a banner. A signature is the strongest ORB keypoints of a picture normalised to
a fixed size (positions and 256-bit descriptors; no pixels, not enough to rebuild the
picture). Two signatures match when enough of their descriptors agree AND their positions
agree on one similarity transform (RANSAC): that geometric check is what rejects chance
agreements, and the number of such inliers is the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIDE = 640  # long side of the normalised picture the keypoints are found on
STORED = 128  # keypoints kept in an index entry
KEYFRAME_STORED = 256  # ... of a clip's keyframe: reframed to 9:16 (a phone app) a clip keeps a third of them
QUERY = 500  # keypoints taken from a picture being looked up
VIEW_QUERY = 250  # ... from each picture found inside it (subpictures.py): each is a lookup of its own
MAX_DESCRIPTOR_DISTANCE = 64  # of 256 bits
RANSAC_PX = 4.0
MIN_INLIERS = 16  # chance agreements between unrelated corpus pictures stay below 12
GRID = 4  # keypoints are spread over GRID x GRID cells
MIN_SPREAD = 0.15  # inliers must span this fraction of the picture in both directions
QUERY_SPREAD = 0.3  # ... or this fraction of the looked-up picture
SCALE_RANGE = (0.25, 3.0)  # after normalisation: a crop enlarges, a picture inside a screenshot shrinks
PERSPECTIVE_FROM = 6  # similarity inliers that make a perspective worth trying (most strangers have fewer)
PERSPECTIVE_VOTES = 32  # ... or index votes (descriptors nearest to this entry's): a steep angle leaves a similarity few
PERSPECTIVE_EXTRA = 8  # a perspective transform, freer than a similarity, must explain this many more pairs
PERSPECTIVE_SKEW = 3.0  # opposite sides of the seen picture differ in length at most this much


@dataclass(frozen=True)
class Signature:
    xy: np.ndarray  # (n, 2) float32, positions in the normalised picture
    descriptors: np.ndarray  # (n, 32) uint8
    size: tuple[int, int]  # the normalised picture's width and height

    def __len__(self) -> int:
        return len(self.descriptors)

    def to_blobs(self) -> tuple[bytes, bytes]:
        return self.xy.astype("<f4").tobytes(), self.descriptors.tobytes()

    @classmethod
    def from_blobs(cls, xy: bytes, descriptors: bytes, width: int, height: int) -> "Signature":
        return cls(np.frombuffer(xy, dtype="<f4").reshape(-1, 2).astype(np.float32),
                   np.frombuffer(descriptors, dtype=np.uint8).reshape(-1, 32), (width, height))


def _normalised_grey(image) -> np.ndarray:
    from PIL import Image

    grey = image.convert("L")
    scale = SIDE / max(grey.size)
    size = (max(1, round(grey.width * scale)), max(1, round(grey.height * scale)))
    return np.asarray(grey.resize(size, Image.Resampling.BILINEAR))


def extract(image, count: int = STORED) -> Signature:
    """`count` strong ORB keypoints of an upright, border-trimmed PIL image, spread over it.

    The strongest corners of a photo often crowd into one textured strip (grass, a fence);
    a crop or a banner then removes them all. So the picture is cut into a 4x4 grid, each
    cell keeps its strongest share, and the rest are filled by strength.
    """
    import cv2

    grey = _normalised_grey(image)
    height, width = grey.shape
    orb = cv2.ORB_create(nfeatures=count * 4, fastThreshold=10, edgeThreshold=15, patchSize=31)
    points, descriptors = orb.detectAndCompute(grey, None)
    if descriptors is None:
        return Signature(np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), (width, height))
    xy = np.float32([p.pt for p in points]).reshape(-1, 2)
    strength = np.array([p.response for p in points])
    cells = (np.minimum(xy[:, 0] * GRID // width, GRID - 1) * GRID
             + np.minimum(xy[:, 1] * GRID // height, GRID - 1)).astype(int)
    # each keypoint's rank by strength within its cell: group the strongest-first order by cell
    by_cell = np.argsort(-strength, kind="stable")
    by_cell = by_cell[np.argsort(cells[by_cell], kind="stable")]
    grouped = cells[by_cell]
    rank_in_cell = np.empty(len(points), dtype=int)
    rank_in_cell[by_cell] = np.arange(len(points)) - np.searchsorted(grouped, grouped)
    share = -(-count // (GRID * GRID))
    # each cell's strongest share first, then the rest by strength (ties: detection order)
    order = np.lexsort((np.arange(len(points)), -strength, rank_in_cell >= share))[:count]
    return Signature(xy[order], descriptors[order], (width, height))


def inliers(stored: Signature, query: Signature, pairs: list[tuple[int, int]] | None = None) -> int:
    """How many of `stored`'s keypoints land where one geometric transform puts them in
    `query`; 0 when no plausible transform explains enough pairs (see `agreement`)."""
    return agreement(stored, query, pairs)[0]


def agreement(stored: Signature, query: Signature, pairs: list[tuple[int, int]] | None = None,
              tilted: bool = False):
    """(inliers, transform): how many of `stored`'s keypoints land where one transform puts
    them in `query`, and that transform (3×3, stored → query positions), or (0, None).

    A similarity (rotation, scale, shift) is tried first; when it explains some pairs but too
    few, a perspective transform (a photo of a screen taken at an angle), which must then explain
    more of them (PERSPECTIVE_EXTRA) and keep the stored picture a plausible quadrilateral.
    `pairs` (stored index, query index) may come from a search already done; otherwise each
    query descriptor is paired with its nearest stored one. `tilted`: try the perspective even
    when the similarity explains almost nothing (the index saw many votes for this entry).
    """
    import cv2

    if len(stored) < 3 or len(query) < 3:
        return 0, None
    if pairs is None:
        matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        pairs = [(m.trainIdx, m.queryIdx) for m in matcher.match(query.descriptors, stored.descriptors)
                 if m.distance <= MAX_DESCRIPTOR_DISTANCE]
    if len(pairs) < 3:
        return 0, None
    source = stored.xy[[s for s, _ in pairs]]
    target = query.xy[[q for _, q in pairs]]
    stored_ids = np.array([s for s, _ in pairs])
    transform, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=RANSAC_PX)
    count = 0
    if transform is not None and SCALE_RANGE[0] <= float(np.hypot(transform[0, 0], transform[1, 0])) <= SCALE_RANGE[1]:
        count = _spread_count(stored, query, source, target, stored_ids, mask)
        transform = np.vstack([transform, [0, 0, 1]])
    if count >= MIN_INLIERS or (count < PERSPECTIVE_FROM and not tilted) or len(pairs) < MIN_INLIERS + PERSPECTIVE_EXTRA:
        return (count, transform) if count else (0, None)
    homography, mask = cv2.findHomography(source, target, cv2.RANSAC, RANSAC_PX, maxIters=500)
    if homography is None or not _plausible(homography, stored.size):
        return (count, transform) if count else (0, None)
    perspective = _spread_count(stored, query, source, target, stored_ids, mask)
    if perspective >= MIN_INLIERS + PERSPECTIVE_EXTRA:
        return perspective, homography
    return (count, transform) if count else (0, None)


def _spread_count(stored: Signature, query: Signature, source, target, stored_ids, mask) -> int:
    """The distinct stored keypoints among the inliers, 0 when they all sit in one small patch:
    a logo or a texture is not the same picture. "Small" is relative to where the stored
    keypoints are (a skyline photo has them in one band), and a patch that fills much of the
    looked-up picture (QUERY_SPREAD both ways: a vertical reframing of a wide clip) is not small."""
    keep = mask.ravel().astype(bool)
    points = source[keep]
    unique = np.unique(stored_ids[keep])
    if len(unique) == 0:
        return 0
    size = np.array(stored.size, dtype=np.float32)
    span = (points.max(axis=0) - points.min(axis=0)) / size
    available = (stored.xy.max(axis=0) - stored.xy.min(axis=0)) / size
    if (span < np.minimum(MIN_SPREAD, available / 2)).any():
        seen = target[keep]
        if ((seen.max(axis=0) - seen.min(axis=0)) / np.array(query.size, dtype=np.float32) < QUERY_SPREAD).any():
            return 0
    return int(len(unique))


def _plausible(homography: np.ndarray, size) -> bool:
    """Whether a perspective transform maps the stored picture to a quadrilateral a camera
    could see: convex, not folded, corners not pulled apart by more than PERSPECTIVE_SKEW,
    and within SCALE_RANGE by area."""
    corners = corners_in(homography, size)
    if corners is None:
        return False
    edges = np.roll(corners, -1, axis=0) - corners
    following = np.roll(edges, -1, axis=0)
    turns = edges[:, 0] * following[:, 1] - edges[:, 1] * following[:, 0]
    if not ((turns > 0).all() or (turns < 0).all()):
        return False
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    if min(lengths[0] / lengths[2], lengths[2] / lengths[0], lengths[1] / lengths[3], lengths[3] / lengths[1]) \
            < 1 / PERSPECTIVE_SKEW:
        return False
    (ax, ay), (bx, by) = corners[2] - corners[0], corners[3] - corners[1]
    area = abs(float(ax * by - ay * bx)) / 2  # half the cross product of the diagonals
    scale = (area / (size[0] * size[1])) ** 0.5
    return SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]


def corners_in(transform: np.ndarray, size) -> np.ndarray | None:
    """Where the stored picture's four corners land under a 3×3 transform (None when one
    would land behind the camera)."""
    w, h = size
    points = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=np.float64) @ transform.T
    if (points[:, 2] <= 1e-6).any():
        return None
    return points[:, :2] / points[:, 2:]


def same_picture(stored: Signature, query: Signature) -> int | None:
    """Inliers when the two signatures are of the same picture, else None."""
    count = inliers(stored, query)
    return count if count >= MIN_INLIERS else None
