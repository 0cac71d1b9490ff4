"""Copy-move: clones of several sizes, moved, turned and enlarged, are found where they were
pasted; corpus forgeries are found on their marked areas; originals, repeating patterns and
repeated letters do not alarm; the check runs only when asked."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES, run
from mediavet.media import probe
from mediavet.verify.checks.copy_move import copy_move

PHOTO = "exif_jpeg/Canon_EOS_REBEL_T3i.jpg"  # a camera photo with grass, fence, concrete and a person


def findings(result):
    return {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}


def overlap(box, other) -> float:
    """Intersection over the smaller of two (x, y, w, h) boxes."""
    x0, y0 = max(box[0], other[0]), max(box[1], other[1])
    x1, y1 = min(box[0] + box[2], other[0] + other[2]), min(box[1] + box[3], other[1] + other[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / min(box[2] * box[3], other[2] * other[3])


def jpeg(picture, quality=90):
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def clone(picture, source, target, side, turn=0, zoom=1.0):
    """Copy the side×side square at `source` over `target`, turned and scaled about its centre."""
    patch = picture.crop((*source, source[0] + side, source[1] + side))
    shape = None
    if turn or zoom != 1:
        size = (round(side * zoom),) * 2
        patch = patch.rotate(turn, resample=Image.Resampling.BICUBIC).resize(size, Image.Resampling.BICUBIC)
        shape = Image.new("L", (side, side), 255).rotate(turn).resize(size)
    forged = picture.copy()
    forged.paste(patch, target, shape)
    return jpeg(forged), (*target, patch.width, patch.height)


@pytest.fixture
def photo(corpus):
    return probe(corpus / PHOTO).image(max_side=1024)


@pytest.mark.parametrize("share, turn, zoom", [(0.01, 0, 1.0), (0.04, 0, 1.0), (0.12, 0, 1.0),
                                               (0.04, 12, 1.0), (0.04, 0, 1.2)],
                         ids=["moved-1%", "moved-4%", "moved-12%", "turned-12deg", "enlarged-1.2"])
def test_a_clone_is_found_where_it_was_pasted(photo, share, turn, zoom):
    side = round((share * photo.width * photo.height) ** 0.5)
    # grass near the bench's foot copied onto the concrete wall on the left
    source = (photo.width - side - 10, photo.height - side - 10)
    forged, pasted = clone(photo, source, (30, photo.height // 2 - side // 2), side, turn, zoom)
    found = copy_move(forged)
    assert found, "the clone was not found"
    assert overlap(found["target"], pasted) > 0.5 or overlap(found["source"], pasted) > 0.5
    assert found["share"] >= share / 4
    if turn:
        assert found["method"] == "keypoints" and abs(abs(found["rotation_degrees"]) - turn) < 2
    if zoom != 1:
        assert abs(found["scale"] - zoom) < 0.05 or abs(1 / found["scale"] - zoom) < 0.05


def test_the_untouched_photo_is_quiet(photo):
    assert copy_move(photo) is None
    assert copy_move(jpeg(photo, 75)) is None


def test_a_repeating_pattern_is_not_a_copy():
    """A fence, a brick wall, a row of windows repeat by nature: the same tile everywhere."""
    tile = np.random.default_rng(3).integers(0, 255, (24, 24, 3), dtype=np.uint8)
    wall = Image.fromarray(np.tile(tile, (20, 30, 1)))
    assert copy_move(jpeg(wall)) is None


def test_repeated_letters_are_not_a_copy(corpus):
    """A box printed with the same word twice, a screenshot of source code."""
    for name in ("exif_jpeg/Olympus_PEN_E-P3.jpg", "exif_jpeg/Photoshop_CS6.jpg"):
        media = probe(corpus / name)
        assert copy_move(media.image(max_side=1024), media.size) is None, name


@pytest.mark.parametrize("name", ["noso_03_mod.png", "noso_13_mod.png",
                                  "casia2_Tp_S_NNN_S_O_pla00077_pla00077_11212.jpg"])
def test_corpus_forgeries_are_found_on_their_marked_area(corpus, name):
    path = corpus / "manipulation" / name
    media = probe(path)
    found = copy_move(media.image(max_side=1024), media.size)
    assert found
    marked = np.asarray(Image.open(path.with_name(path.stem + "_gt.png")).convert("L")) > 127
    x, y, w, h = found["target"]
    assert marked[y:y + h, x:x + w].mean() > 0.2


@pytest.mark.parametrize("name", ["noso_03.png", "noso_13.png", "noso_12.png"])
def test_corpus_originals_of_the_forgeries_are_quiet(corpus, name):
    media = probe(corpus / "manipulation" / name)
    assert copy_move(media.image(max_side=1024), media.size) is None


def test_the_sample_alarms_with_evidence_only_when_forensics_are_asked():
    sample = SAMPLES / "forensics_copy_move.jpg"  # samples/generate.py: a square at (40, 200) copied to (330, 60)
    result = run("verify", "--json", "--fail-on", "never", "--forensics", sample)
    found = findings(result)["forensics.copy_move"]
    assert found["severity"] == "warn"
    evidence = found["evidence"]
    boxes = sorted([evidence["source"], evidence["target"]])
    assert overlap(boxes[0], [40, 200, 80, 80]) > 0.6 and overlap(boxes[1], [330, 60, 80, 80]) > 0.6
    assert abs(abs(evidence["shift"][0]) - 290) <= 2 and abs(abs(evidence["shift"][1]) - 140) <= 2
    assert evidence["method"] in ("blocks", "keypoints")
    assert evidence["specificity"] < evidence["thresholds"]["specificity_below"]
    assert "forensics.copy_move" not in findings(run("verify", "--json", "--fail-on", "never", sample))


def test_the_html_report_outlines_both_areas(tmp_path):
    report = tmp_path / "report.html"
    run("verify", "--fail-on", "never", "--forensics", "--html", report, SAMPLES / "forensics_copy_move.jpg")
    page = report.read_text()
    assert "two areas that agree pixel for pixel" in page
    assert page.count("<img") >= 4  # the picture, the outlined areas, error levels, noise
