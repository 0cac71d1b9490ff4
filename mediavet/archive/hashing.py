"""Perceptual hashes as small typed values (the first step of archive matching, issue #3).

A hash always names its algorithm and size, as text `pdq:256:<hex>` or `phash:64:<hex>`,
so lists from different tools and newsrooms never mix. `a - b` is the Hamming distance and
refuses hashes of different kinds; `compare()` returns the distance with the threshold used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Distances at or below which two hashes are taken as the same picture (the published
# operating points: PDQ 31 of 256 bits; pHash/dHash about 10 of 64).
THRESHOLDS = {"pdq": 31, "phash": 10, "dhash": 10}
PDQ_MIN_QUALITY = 50  # PDQ's own advice: below this the hash of a flat image is not trustworthy


@dataclass(frozen=True)
class PerceptualHash:
    algo: str
    bits: int
    value: int  # the bits, most significant first
    quality: int | None = None  # PDQ's quality score of the picture (0-100); None when unknown

    def __str__(self) -> str:
        return f"{self.algo}:{self.bits}:{self.value:0{self.bits // 4}x}"

    @classmethod
    def parse(cls, text: str) -> "PerceptualHash":
        try:
            algo, bits, hexdigits = text.strip().split(":")
            size = int(bits)
            value = int(hexdigits, 16)
        except ValueError:
            raise ValueError(f"not a hash of the form algo:bits:hex: {text[:80]!r}") from None
        if algo not in THRESHOLDS or size % 4 or len(hexdigits) != size // 4:
            raise ValueError(f"unknown hash kind or wrong length: {text[:80]!r}")
        return cls(algo, size, value)

    @property
    def trusted(self) -> bool:
        return self.quality is None or self.quality >= PDQ_MIN_QUALITY

    def __sub__(self, other: "PerceptualHash") -> int:
        if (self.algo, self.bits) != (other.algo, other.bits):
            raise ValueError(f"cannot compare {self.algo}:{self.bits} with {other.algo}:{other.bits}")
        return (self.value ^ other.value).bit_count()


@dataclass(frozen=True)
class Comparison:
    algo: str
    distance: int
    threshold: int

    @property
    def match(self) -> bool:
        return self.distance <= self.threshold


def compare(a: PerceptualHash, b: PerceptualHash, threshold: int | None = None) -> Comparison:
    return Comparison(a.algo, a - b, THRESHOLDS[a.algo] if threshold is None else threshold)


def _from_bits(algo: str, bits, quality=None) -> PerceptualHash:
    """The hash of a sequence of bits, the first the most significant (a multiple of 8 of them)."""
    import numpy as np

    flags = np.asarray(bits).astype(bool).ravel()
    return PerceptualHash(algo, len(flags), int.from_bytes(np.packbits(flags).tobytes(), "big"), quality)


def trim_uniform_border(image, tolerance: float = 10.0):
    """Cut away borders of one flat colour (screenshots, frames added around a picture).

    Only rows and columns from the outside in whose every pixel stays within `tolerance`
    of the corner colour are removed; the picture itself is never cut.
    """
    box = uniform_border_box(image, tolerance)
    return image if box == (0, 0, image.width, image.height) else image.crop(box)


def uniform_border_box(image, tolerance: float = 10.0) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the picture inside its flat-colour border."""
    import numpy as np

    whole = (0, 0, image.width, image.height)
    grey = np.asarray(image.convert("L"), dtype=np.int16)
    if grey.size == 0:
        return whole
    background = int(np.median([grey[0, 0], grey[0, -1], grey[-1, 0], grey[-1, -1]]))
    flat = np.abs(grey - background) <= tolerance
    rows = np.where(~flat.all(axis=1))[0]
    cols = np.where(~flat.all(axis=0))[0]
    if len(rows) == 0 or len(cols) == 0:
        return whole
    top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    if (right - left) * (bottom - top) < 0.1 * grey.size:
        return whole  # a small object on a flat background: not a border
    return left, top, right, bottom


def compute(image, algos=("pdq", "phash", "dhash"), trim: bool = True) -> list[PerceptualHash]:
    """Hashes of a decoded picture (PIL image, upright), border trimmed first."""
    import numpy as np

    if trim:
        image = trim_uniform_border(image)
    hashes = []
    for algo in algos:
        if algo == "pdq":
            import pdqhash

            bits, quality = pdqhash.compute(np.ascontiguousarray(np.asarray(image.convert("RGB"))))
            hashes.append(_from_bits("pdq", bits, int(quality)))
        elif algo in ("phash", "dhash"):
            import imagehash

            function = imagehash.phash if algo == "phash" else imagehash.dhash
            hashes.append(_from_bits(algo, function(image).hash.flatten()))
        else:
            raise ValueError(f"unknown hash algorithm {algo!r}")
    return hashes


HASH_SIDE = 720  # pixels needed on the long side: decoders may scale down (JPEG draft) to this
STRIP_WIDTH = 480  # ... but a strip (a scrolling capture) keeps this many across, for the posts in it
MAX_STRIP_SIDE = 8000  # ... up to this long


def lookup_side(size: tuple[int, int]) -> int:
    """The long side to decode a picture at for a lookup: HASH_SIDE; for a strip (longer than
    subpictures.STRIP widths) enough to keep STRIP_WIDTH pixels across (never more than it has)."""
    from mediavet.archive.subpictures import STRIP

    short, long = sorted(size)
    if long <= STRIP * short:
        return HASH_SIDE
    return min(long, MAX_STRIP_SIDE, max(HASH_SIDE, round(long * STRIP_WIDTH / short)))


@dataclass(frozen=True)
class Fingerprint:
    """Everything archive matching keeps of a picture: global hashes and keypoint signatures.

    For an archive entry: PDQ, pHash and dHash and one signature. For a lookup: also PDQ's
    seven other dihedral variants (mirrored, rotated copies) and a signature of the mirror
    image (ORB descriptors are rotation- but not mirror-invariant), and `region`: the part of
    the looked-up picture the fingerprint describes, (x, y, width, height) in its pixels
    (its borders trimmed; a picture found inside a screenshot or a collage: see subpictures.py).
    """

    hashes: tuple[PerceptualHash, ...]
    signatures: tuple  # keypoints.Signature, the first one of the upright picture
    region: tuple[int, int, int, int] | None = None
    divided: bool = False  # the region is a block gutters divide (a row of tiles): it says where a match
    # lies only when no undivided view does (the whole picture is divided: it holds the others)

    def as_entry(self) -> "Fingerprint":
        """A lookup fingerprint reduced to what an archive entry keeps."""
        return Fingerprint(self.hashes[:3], self.signatures[:1])


def fingerprint(image, for_lookup: bool = False, offset: tuple[int, int] | None = None,
                stored: int | None = None) -> Fingerprint:
    """The fingerprint of an upright PIL image (borders trimmed first). `offset`: the image is
    a region of the picture being looked up, lying there; its lookup leaves out the mirror
    image's keypoints (half the cost; PDQ's variants still find a mirrored region). `stored`:
    the keypoints an archive entry keeps (keypoints.STORED unless given)."""
    from PIL import ImageOps

    from mediavet.archive import keypoints

    left, top, right, bottom = uniform_border_box(image)
    picture = image.convert("RGB").crop((left, top, right, bottom))
    # a lookup takes PDQ of all eight turns, the first of which is the picture's own
    pdq = dihedral(picture, "pdq") if for_lookup else compute(picture, ("pdq",), trim=False)
    hashes = pdq[:1] + compute(picture, ("phash", "dhash"), trim=False)
    # PDQ's quality measures how much the picture has to hash: on a near-flat picture every
    # global hash degenerates (pHash of any flat image is all zeros), so all carry it
    hashes = [replace(h, quality=hashes[0].quality) for h in hashes]
    if not for_lookup:
        return Fingerprint(tuple(hashes), (keypoints.extract(picture, stored or keypoints.STORED),))
    hashes += pdq[1:]
    signatures = (keypoints.extract(picture, keypoints.QUERY if offset is None else keypoints.VIEW_QUERY),)
    if offset is None:
        signatures += (keypoints.extract(ImageOps.mirror(picture), keypoints.QUERY),)
    x, y = offset or (0, 0)
    return Fingerprint(tuple(hashes), signatures, (x + left, y + top, right - left, bottom - top))


SAME_VIEW = 0.9  # a region overlapping the whole frame's trimmed picture this much is that picture


def lookup_views(image) -> list[Fingerprint]:
    """Lookup fingerprints of a picture: the whole of it (divided when pictures are found in
    it), then each picture found inside it."""
    from mediavet.archive.subpictures import overlap, regions

    whole = fingerprint(image, for_lookup=True)
    # a region that is the whole frame's picture again (inside a flat border) adds nothing
    found = [(box, divided) for box, divided in regions(image) if overlap(box, whole.region) < SAME_VIEW]
    views = [replace(whole, divided=bool(found))]
    for (x, y, w, h), divided in found:
        view = fingerprint(image.crop((x, y, x + w, y + h)), for_lookup=True, offset=(x, y))
        views.append(replace(view, divided=divided))
    return views


def within(region, size) -> tuple[int, int, int, int]:
    """A region (x, y, w, h) cut to a picture of this size."""
    x0, y0 = max(0, region[0]), max(0, region[1])
    x1, y1 = min(size[0], region[0] + region[2]), min(size[1], region[1] + region[3])
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def dihedral(image, algo: str = "pdq") -> list[PerceptualHash]:
    """The hash of each of the eight quarter-turn/mirror variants, the picture itself first:
    mirrored or rotated copies of a picture match one of them. PDQ computes all eight from
    one transform (with the picture's quality); the others hash each turned copy."""
    from PIL import Image

    if algo == "pdq":
        import numpy as np
        import pdqhash

        variants, quality = pdqhash.compute_dihedral(np.ascontiguousarray(np.asarray(image.convert("RGB"))))
        return [_from_bits("pdq", bits, int(quality)) for bits in variants]

    t = Image.Transpose
    variants = [image] + [image.transpose(op) for op in (t.ROTATE_90, t.ROTATE_180, t.ROTATE_270,
                                                         t.FLIP_LEFT_RIGHT, t.FLIP_TOP_BOTTOM,
                                                         t.TRANSPOSE, t.TRANSVERSE)]
    return [compute(variant, (algo,), trim=False)[0] for variant in variants]
