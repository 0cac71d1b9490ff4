"""A local edit the EXIF thumbnail still shows unedited: painted over, cloned, or pasted from
another photo (10-30% of the picture) on corpus camera photos. Found, with the changed box
on the edit; the untouched originals stay quiet."""

import io
import random

import pytest
from PIL import Image

from conftest import CORPUS, verify_json

PHOTOS = ["Canon_40D.jpg", "Canon_EOS_REBEL_T3i.jpg", "Google_Nexus_4.jpg", "FujiFilm_FinePix40i.jpg",
          "Casio_EX-Z3.jpg", "Sony_DSC-HX5V_gps.jpg"]


def edited(path, kind: str, share: float, seed: int) -> tuple[bytes, tuple]:
    """The photo with one rectangle changed, saved with its original EXIF (and thumbnail)."""
    original = Image.open(path)
    exif = original.info["exif"]
    picture = original.convert("RGB")
    width, height = picture.size
    w, h = int(width * share ** 0.5), int(height * share ** 0.5)
    rng = random.Random(seed)
    x, y = rng.randint(0, width - w), rng.randint(0, height - h)
    if kind == "paint":
        patch = Image.new("RGB", (w, h), picture.resize((1, 1)).getpixel((0, 0)))
    elif kind == "clone":
        sx, sy = (x + width // 2) % (width - w), (y + height // 2) % (height - h)
        patch = picture.crop((sx, sy, sx + w, sy + h))
    else:
        patch = Image.open(CORPUS / "faces" / "deepface_couple.jpg").convert("RGB").resize((w, h))
    picture.paste(patch, (x, y))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue(), (x, y, w, h)


def overlap(a, b) -> float:
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    return max(0, x1 - x0) * max(0, y1 - y0) / (b[2] * b[3])


@pytest.mark.parametrize("name", PHOTOS)
def test_local_edits_are_found_where_they_are(corpus, tmp_path, name):
    found = 0
    cases = [(kind, share) for kind in ("paint", "clone", "paste") for share in (0.1, 0.3)]
    for number, (kind, share) in enumerate(cases):
        data, box = edited(corpus / "exif_jpeg" / name, kind, share, number)
        path = tmp_path / f"{kind}-{share}.jpg"
        path.write_bytes(data)
        report = verify_json(path, "--fail-on", "never")[1]["files"][0]
        (finding,) = [f for f in report["findings"] if f["id"] == "exif.thumbnail_mismatch"] or [None]
        if finding is None:
            continue
        found += 1
        if "changed_box" in finding["evidence"]:
            assert overlap(finding["evidence"]["changed_box"], box) > 0.3, (kind, share, finding["evidence"])
    assert found >= len(cases) - 1  # measured: 369 of 387 edits over the 43 corpus photos (bench/thumbnail_local.py)


def test_camera_originals_with_thumbnails_are_quiet(corpus):
    paths = [corpus / "exif_jpeg" / name for name in PHOTOS]
    for report in verify_json(*paths, "--fail-on", "never")[1]["files"]:
        assert not [f for f in report["findings"] if f["id"] == "exif.thumbnail_mismatch"], report["path"]
