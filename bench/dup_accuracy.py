"""Archive matching accuracy on altered copies of real pictures (issue #3).

Indexes a set of distinct corpus originals, then looks up nine altered copies of each
(half size, JPEG quality 30, 10% off-centre crop, mirror, 3-degree rotation then crop,
greyscale, a text banner over the bottom 12%, an 8% white border, brightness and
contrast +20%), eight copies with the picture inside another (phone screenshots of a post,
a scrolling capture of five posts, 2x2 and 3x3 collages, a photo of a screen), and as many distinct pictures that were never
indexed. It prints, per alteration, how often the right original is the top match, and
whether any distractor matched anything, for mediavet and for three baselines run on the
same files: mediavet's lookup of the whole frame only (as it was before issue #15, whose
time per query the target compares with), pHash (distance <= 10) and PDQ with its dihedral
variants (<= 31).

The two lists were chosen once: corpus pictures at least 160 px on the short side, with a
trustworthy PDQ, and no pair of them the same scene (PDQ of any dihedral variant within
60 bits, or 16+ ORB keypoints agreeing geometrically, with a looser check than mediavet's).

    python bench/dup_accuracy.py [--corpus ../shared/corpus]
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mediavet.archive import keypoints  # noqa: E402
from mediavet.archive.hashing import HASH_SIDE, THRESHOLDS, compute, fingerprint, lookup_views, within  # noqa: E402
from mediavet.archive.index import HashIndex  # noqa: E402
from mediavet.media import probe  # noqa: E402
from mediavet.archive.subpictures import overlap  # noqa: E402  (intersection over union of two boxes)

ORIGINALS = """
heic/exif-at-eof.heic text/alpr_eu1.jpg faces/dlib_2008_001322.jpg exif_jpeg/exiforg_nikon-e950.jpg
exif_jpeg/exiforg_kodak-dc240.jpg exif_jpeg/Apple_iPhone_4.jpg faces/immich_curie_portrait-orientation-6.jpg
text/easyocr_korean.png png_webp/webp_animated_lossy.webp text/easyocr_chinese.jpg phash/imagehash.png
text/immich_craft-beer.jpg c2pa/ocsp.jpg faces/dlib_2007_007763.jpg exif_jpeg/exiforg_canon-ixus.jpg
exif_jpeg/gps_DSCN0025.jpg exif_jpeg/exiforg_olympus-c960.jpg exif_jpeg/Apple_iPhone_5.jpg
heic/cheers_1440x960.heic faces/fr_biden.jpg text/easyocr_french.jpg exif_jpeg/Nikon_D1X.jpg
heic/immich_IMG_2682.heic faces/dlib_2008_007676.jpg exif_jpeg/Photoshop_CS6.jpg faces/dlib_dogs.jpg
exif_jpeg/Canon_EOS_7D_Lightroom.jpg manipulation/casia2_Tp_S_NRN_S_N_pla00005_pla00005_10937.jpg
manipulation/noso_13.png exif_jpeg/Olympus_PEN_E-P3.jpg text/alpr_eu2.jpg exif_jpeg/canon_sx60_hdr_NO.jpg
faces/dlib_2008_004176.jpg exif_jpeg/gps_DSCN0027.jpg phash/peppers.png png_webp/webp_lossless_alpha.webp
exif_jpeg/xmp_BlueSquare.jpg c2pa/cloud.jpg text/alpr_us_wts-lg-000068.jpg c2pa/no_manifest.jpg
faces/messi5.jpg faces/dlib_2008_002506.jpg text/alpr_us_12c6cb72-3ea3.jpg exif_jpeg/exiforg_sony-d700.jpg
exif_jpeg/Sony_DSLR-A200.jpg heic/samplefilehub.heif exif_jpeg/gps_DSCN0042.jpg faces/dlib_2008_001009.jpg
exif_jpeg/gps_DSCN0021.jpg exif_jpeg/Nokia_Lumia_800.jpg manipulation/casia2_Tp_D_CRN_M_N_pla00035_pla00033_10997.jpg
""".split()
DISTRACTORS = """
exif_jpeg/Canon_EOS_D60_Photoshop7.jpg text/alpr_eu3.jpg heic/iphone_7.heic faces/dlib_2008_002079.jpg
exif_jpeg/iphone6_hdr_YES.jpg text/alpr_us_22e54a62-57a8.jpg text/alpr_us_us4.jpg manipulation/noso_03.png
faces/deepface_couple.jpg exif_jpeg/jolla.jpg manipulation/noso_12.png png_webp/screenshot_macos.png
exif_jpeg/exiforg_fujifilm-dx10.jpg exif_jpeg/xmp_no_exif.jpg png_webp/norway-kjetil-moe.webp
exif_jpeg/Samsung_Galaxy_S_GT-I9000.jpg heic/iPhone11ProMax_IMG_5195.HEIC exif_jpeg/orientation_landscape_1.jpg
exif_jpeg/Reconyx_HC500_Hyperfire.jpg exif_jpeg/Canon_PowerShot_S40.jpg png_webp/denali.webp c2pa/CA.jpg
c2pa/no_alg.jpg text/immich_japanese-shop.jpg png_webp/this-is-a-jpeg.png
manipulation/casia2_Tp_S_NNN_S_O_pla00077_pla00077_11212.jpg exif_jpeg/exiforg_sanyo-vpcg250.jpg
exif_jpeg/Panasonic_DMC-LC40.jpg text/immich_handwritten-notes.jpg
manipulation/casia2_Tp_D_CRN_S_N_nat00033_cha00086_11502.jpg faces/fr_obama.jpg text/easyocr_thai.jpg
heic/iphone_15_pro.heic exif_jpeg/gps_DSCN0010.jpg exif_jpeg/Google_Nexus_4.jpg faces/fr_kit_with_rose.jpg
faces/fr_obama_and_biden.jpg exif_jpeg/Nikon_D5000_Bridge.jpg exif_jpeg/Canon_EOS_REBEL_T3i.jpg
exif_jpeg/exiforg_ricoh-rdc5300.jpg text/alpr_us_wts-lg-000023.jpg exif_jpeg/FujiFilm_FinePix40i.jpg
phash/IMG_4120.JPG faces/dlib_2008_002470.jpg exif_jpeg/Nokia_8.3_5G.jpg text/easyocr_japanese.jpg
exif_jpeg/HTC_Desire.jpg exif_jpeg/Casio_EX-Z3.jpg heic/Nokia_8.3_5G_hdr.heif faces/dlib_2009_004587.jpg
exif_jpeg/Sony_DSC-HX5V_gps.jpg faces/deface_city.jpg
""".split()


# -- the nine alterations --------------------------------------------------------------

def half_size(im):
    return im.resize((max(1, im.width // 2), max(1, im.height // 2)), Image.Resampling.LANCZOS)


def jpeg_q30(im):
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=30)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def crop_10(im):  # 10% off each dimension, unevenly split (7%/3%)
    w, h = im.size
    return im.crop((int(0.07 * w), int(0.03 * h), int(0.97 * w), int(0.93 * h)))


def mirror(im):
    return ImageOps.mirror(im)


def rotate_3_crop(im):  # tilt, then cut away the corners the tilt exposed
    w, h = im.size
    angle = math.radians(3)
    keep = 1 / (math.cos(angle) + math.sin(angle) * max(w / h, h / w))
    cw, ch = w * keep, h * keep
    tilted = im.rotate(3, resample=Image.Resampling.BICUBIC)
    return tilted.crop((int((w - cw) / 2) + 1, int((h - ch) / 2) + 1, int((w + cw) / 2) - 1, int((h + ch) / 2) - 1))


def greyscale(im):
    return im.convert("L").convert("RGB")


def banner_12(im):
    im = im.copy()
    w, h = im.size
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, int(h * 0.88), w, h), fill=(180, 0, 0))
    draw.text((int(w * 0.03), int(h * 0.895)), "BREAKING NEWS", fill=(255, 255, 255),
              font=ImageFont.load_default(size=max(10, int(h * 0.08))))
    return im


def white_border_8(im):
    w, h = im.size
    framed = Image.new("RGB", (w + 2 * int(w * 0.08), h + 2 * int(h * 0.08)), (255, 255, 255))
    framed.paste(im, (int(w * 0.08), int(h * 0.08)))
    return framed


def brighter_contrast_20(im):
    return ImageEnhance.Contrast(ImageEnhance.Brightness(im).enhance(1.2)).enhance(1.2)


ALTERATIONS = [half_size, jpeg_q30, crop_10, mirror, rotate_3_crop, greyscale, banner_12, white_border_8,
               brighter_contrast_20]


# -- pictures inside pictures (issue #15): each returns (the altered picture, the box where the
# original now lies in it). `fillers` are pictures that are not in the archive.

def _font(size):
    return ImageFont.load_default(size=max(8, int(size)))


def _saved(im, quality=85):
    buffer = io.BytesIO()
    im.convert("RGB").save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def screenshot_post(im, share=0.5, dark=False, seed=0):
    """A phone screenshot (720 px wide) of a social post: status bar, the app's header, the
    author's line, the post's text at several sizes, the picture covering `share` of the
    screenshot, the buttons and the next post's start; re-saved as a messenger would."""
    import random

    rng = random.Random(seed)
    width = 720
    margin = rng.choice((0, 0, 24))
    pw = width - 2 * margin
    ph = round(pw * im.height / im.width)
    if ph > 1.3 * width:  # a tall picture is shown cut to the app's frame
        ph = round(1.3 * width)
    picture = ImageOps.fit(im, (pw, ph), Image.Resampling.LANCZOS)
    height = max(ph + 160, round(pw * ph / (width * share)))
    room = height - ph
    above = round(room * 0.6)
    back, ink, soft = ((16, 16, 20), (235, 235, 240), (130, 130, 140)) if dark else \
        ((255, 255, 255), (20, 20, 24), (110, 110, 120))
    shot = Image.new("RGB", (width, height), back)
    draw = ImageDraw.Draw(shot)
    unit = max(14, min(40, above / 9))
    draw.rectangle((0, 0, width, unit * 1.2), fill=(0, 0, 0) if not dark else (30, 30, 34))
    draw.text((16, unit * 0.15), f"{rng.randint(7, 22)}:{rng.randint(10, 59)}", fill=(255, 255, 255), font=_font(unit * 0.8))
    draw.text((width - 110, unit * 0.15), "5G 87%", fill=(255, 255, 255), font=_font(unit * 0.8))
    y = unit * 1.5
    draw.text((20, y), rng.choice(("Home", "For you", "Feed")), fill=ink, font=_font(unit * 1.1))
    draw.ellipse((width - 60, y, width - 60 + unit, y + unit), outline=ink, width=3)
    y += unit * 1.6
    draw.line((0, y, width, y), fill=soft, width=1)
    y += unit * 0.4
    draw.ellipse((16, y, 16 + unit * 1.6, y + unit * 1.6), fill=(rng.randint(40, 220), 90, 160))
    draw.text((28 + unit * 1.6, y), rng.choice(("Daily Witness", "news_now", "J. Citizen")), fill=ink, font=_font(unit * 0.9))
    draw.text((28 + unit * 1.6, y + unit), "@" + rng.choice(("witness", "breaking", "citizen")) + " · 2h",
              fill=soft, font=_font(unit * 0.7))
    y += unit * 2
    for line in ("This just happened downtown, share before", "they take it down!! #breaking #news")[:2]:
        if y + unit > above - 6:
            break
        draw.text((20, y), line, fill=ink, font=_font(unit * 0.85))
        y += unit * 1.1
    top = above
    shot.paste(picture, (margin, top))
    y = top + ph + unit * 0.4
    for number, label in enumerate(("Like 1.2K", "Reply 310", "Share")):
        draw.text((20 + number * width // 3, y), label, fill=soft, font=_font(unit * 0.8))
    y += unit * 1.4
    draw.line((0, y, width, y), fill=soft, width=1)
    draw.text((20, y + unit * 0.4), "Another account · 5m  nothing to see here", fill=ink, font=_font(unit * 0.8))
    return _saved(shot), (margin, top, pw, ph)


def scroll_capture(im, fillers, posts=5, seed=0):
    """A phone's scrolling capture of a feed: `posts` screenshots of posts stacked into one
    tall picture, the original in one of them and fillers in the others."""
    import random

    rng = random.Random(seed)
    mine = rng.randrange(posts)
    others = iter(rng.sample(fillers, posts - 1))
    pages, box = [], None
    for number in range(posts):
        page, inside = screenshot_post(im if number == mine else next(others), 0.5, dark=seed % 2 == 1,
                                       seed=seed + number)
        if number == mine:
            box = (inside[0], sum(p.height for p in pages) + inside[1], inside[2], inside[3])
        pages.append(page)
    strip = Image.new("RGB", (pages[0].width, sum(p.height for p in pages)))
    top = 0
    for page in pages:
        strip.paste(page, (0, top))
        top += page.height
    return _saved(strip), box


def collage(im, fillers, grid=2, tile=None, gutter=8, seed=0):
    """An n×n collage of square tiles with `gutter` px of white between them; the original
    (centre-cut to a square) is one tile, the others are fillers."""
    import random

    rng = random.Random(seed)
    side = 600 // grid
    tile = rng.randrange(grid * grid) if tile is None else tile
    canvas = Image.new("RGB", (grid * side + (grid + 1) * gutter,) * 2, (255, 255, 255))
    others = iter(rng.sample(fillers, grid * grid - 1))
    box = None
    for number in range(grid * grid):
        x, y = gutter + (number % grid) * (side + gutter), gutter + (number // grid) * (side + gutter)
        picture = im if number == tile else next(others)
        canvas.paste(ImageOps.fit(picture, (side, side), Image.Resampling.LANCZOS), (x, y))
        if number == tile:
            box = (x, y, side, side)
    return _saved(canvas), box


def screen_photo(im, seed=0):
    """The picture on a monitor photographed at an angle: dark bezel, scan lines, the
    perspective of a hand-held shot, blur, sensor noise and JPEG."""
    import random

    import cv2
    import numpy as np

    rng = random.Random(seed)
    shown = im.copy()
    shown.thumbnail((800, 800))
    pixels = np.asarray(shown, dtype=np.float32)
    lines = 1 - 0.15 * (np.arange(pixels.shape[0]) % 3 == 0)
    pixels = pixels * lines[:, None, None]
    w, h = shown.size
    pad = round(0.12 * max(w, h))
    canvas = np.full((h + 2 * pad, w + 2 * pad, 3), 28, np.float32)
    canvas[pad:pad + h, pad:pad + w] = pixels
    width, height = canvas.shape[1], canvas.shape[0]
    corners = np.float32([[pad, pad], [pad + w, pad], [pad + w, pad + h], [pad, pad + h]])

    def jitter(value):
        return value + rng.uniform(-0.08, 0.08) * max(w, h)

    moved = np.float32([[jitter(x), jitter(y)] for x, y in corners])
    matrix = cv2.getPerspectiveTransform(corners, moved)
    seen = cv2.warpPerspective(canvas, matrix, (width, height), borderValue=(40, 38, 36))
    seen = cv2.GaussianBlur(seen, (0, 0), 1.0)
    seen = seen * np.float32([1.0, 0.97, 1.05]) + np.random.default_rng(seed).normal(0, 3, seen.shape)
    out = Image.fromarray(np.clip(seen, 0, 255).astype(np.uint8))
    x0, y0 = moved.min(axis=0)
    x1, y1 = moved.max(axis=0)
    return _saved(out, 80), (int(x0), int(y0), int(x1 - x0), int(y1 - y0))


def inside_alterations(fillers):
    """(name, function of (picture, its number) → (altered, box)) for the pictures-inside cases."""
    return [
        ("screenshot_post_30", lambda im, n: screenshot_post(im, 0.3, dark=n % 2 == 1, seed=n)),
        ("screenshot_post_50", lambda im, n: screenshot_post(im, 0.5, dark=n % 2 == 0, seed=n)),
        ("screenshot_post_70", lambda im, n: screenshot_post(im, 0.7, seed=n)),
        ("scroll_capture_5", lambda im, n: scroll_capture(im, fillers, 5, seed=n)),
        ("collage_2x2", lambda im, n: collage(im, fillers, 2, seed=n)),
        ("collage_2x2_seamless", lambda im, n: collage(im, fillers, 2, gutter=0, seed=n)),
        ("collage_3x3", lambda im, n: collage(im, fillers, 3, seed=n)),
        ("screen_photo", lambda im, n: screen_photo(im, seed=n)),
    ]


def load(corpus: Path, name: str):
    return probe(corpus / name).image(max_side=HASH_SIDE).convert("RGB")


def baseline_top(query_hashes, archive, algo):
    """Top original by plain Hamming distance within the published threshold, or None."""
    best = None
    for number, stored in enumerate(archive):
        distance = min(q - stored for q in query_hashes)
        if distance <= THRESHOLDS[algo] and (best is None or distance < best[0]):
            best = (distance, number)
    return None if best is None else best[1]


def lookup(index, im):
    """The archive's answer for a picture as `mediavet verify` asks it: the whole frame and
    every picture found inside it, best match per entry first."""
    best = {}
    for view in lookup_views(im):
        for match in index.query(view):
            match = replace(match, region=within(match.region, im.size))
            best[match.item] = best[match.item].merged(match) if match.item in best else match
    return sorted(best.values(), key=lambda m: (-m.score, -(m.inliers or 0), m.item))


def whole_frame_lookup(index, im):
    """The lookup as it was before pictures inside pictures (issue #15): the whole frame only,
    the time per query the target is measured against, in the same run."""
    return index.query(fingerprint(im, for_lookup=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    from mediavet.archive.hashing import dihedral

    def pdq_dihedral(im):
        return dihedral(im, "pdq")

    originals = [load(args.corpus, name) for name in ORIGINALS]
    distractors = [load(args.corpus, name) for name in DISTRACTORS]
    phash_archive = [compute(im, ("phash",), trim=False)[0] for im in originals]
    pdq_archive = [pdq_dihedral(im)[0] for im in originals]
    cases = [(f.__name__, lambda im, n, f=f: (f(im), None)) for f in ALTERATIONS] + inside_alterations(distractors)
    with tempfile.TemporaryDirectory() as tmp:
        index = HashIndex(Path(tmp) / "bench.db")
        started = time.perf_counter()
        for number, im in enumerate(originals):
            index.add(None, fingerprint(im), label=str(number))
        add_seconds = time.perf_counter() - started
        index.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        index.db.execute("VACUUM")
        entry_bytes = (Path(tmp) / "bench.db").stat().st_size / len(originals)
        lookups, lookup_seconds, whole_seconds, failing = 0, 0.0, 0.0, []
        print(f"{len(originals)} originals indexed, {len(cases)} alterations each, {len(distractors)} distractors "
              f"(which also fill the collages)\n")
        print(f"{'':40s} {'whole frame only':>16s}")
        print(f"{'alteration':22s} {'mediavet':>9s} {'region':>7s} {'ms':>5s} {'top-1':>10s} {'ms':>5s} "
              f"{'pHash<=10':>10s} {'PDQx8<=31':>10s}")
        totals = [0, 0, 0, 0]
        for name, alteration in cases:
            right, placed, spent, whole = [0, 0, 0, 0], 0, 0.0, 0.0
            for number, im in enumerate(originals):
                copy, box = alteration(im, number)
                started = time.perf_counter()
                matches = lookup(index, copy)
                spent += time.perf_counter() - started
                started = time.perf_counter()
                before = whole_frame_lookup(index, copy)
                whole += time.perf_counter() - started
                lookups += 1
                top = bool(matches) and matches[0].label == str(number)
                right[0] += top
                placed += bool(top and box and matches[0].region and overlap(matches[0].region, box) >= 0.5)
                right[1] += bool(before) and before[0].label == str(number)
                right[2] += baseline_top(compute(copy, ("phash",), trim=False), phash_archive, "phash") == number
                right[3] += baseline_top(pdq_dihedral(copy), pdq_archive, "pdq") == number
            totals = [t + r for t, r in zip(totals, right)]
            lookup_seconds += spent
            whole_seconds += whole
            n = len(originals)
            failing += [name] if right[0] / n < 0.95 else []
            region = f"{placed / n:7.0%}" if box else f"{'–':>7s}"
            print(f"{name:22s} {right[0] / n:9.0%} {region} {spent / n * 1000:5.0f} {right[1] / n:10.0%} "
                  f"{whole / n * 1000:5.0f} {right[2] / n:10.0%} {right[3] / n:10.0%}", flush=True)
        n = len(originals) * len(cases)
        print(f"{'all altered copies':22s} {totals[0] / n:9.1%} {'':7s} {'':5s} {totals[1] / n:10.1%} {'':5s} "
              f"{totals[2] / n:10.1%} {totals[3] / n:10.1%}")
        false, closest = [0, 0, 0, 0], 0
        stored = [index.signature(item) for item in range(1, len(originals) + 1)]
        for im in distractors:
            false[0] += bool(lookup(index, im))
            closest = max([closest] + [keypoints.inliers(s, q) for s in stored
                                       for q in fingerprint(im, for_lookup=True).signatures])
            false[1] += bool(whole_frame_lookup(index, im))
            false[2] += baseline_top(compute(im, ("phash",), trim=False), phash_archive, "phash") is not None
            false[3] += baseline_top(pdq_dihedral(im), pdq_archive, "pdq") is not None
        print(f"{'distractors matched':22s} {false[0]:9d} {'':7s} {'':5s} {false[1]:10d} {'':5s} {false[2]:10d} "
              f"{false[3]:10d}   (of {len(distractors)})")
        print(f"closest distractor: {closest} keypoint inliers (a match needs {keypoints.MIN_INLIERS})")
        ratio = lookup_seconds / whole_seconds
        print(f"\nmediavet: {add_seconds / len(originals) * 1000:.0f} ms per picture added, "
              f"{lookup_seconds / lookups * 1000:.0f} ms per lookup (fingerprints of every view + search), "
              f"{entry_bytes / 1024:.1f} KiB per index entry")
        print(f"whole frame only: {whole_seconds / lookups * 1000:.0f} ms per lookup; "
              f"the lookup with pictures inside pictures takes {ratio:.2f}x that")
        index.close()
    target = not failing and false[0] == 0 and ratio <= 2
    print("target (>= 95% top-1 on every alteration, no distractor matched, <= 2x the whole-frame lookup's time):",
          "met" if target else f"NOT met ({', '.join(failing) or ('false matches' if false[0] else 'time')})")
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
