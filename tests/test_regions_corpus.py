"""Region redaction on annotated corpus pictures: every face and every licence plate covered."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run
from mediavet.redact.regions import intersection

COVERED = 0.9  # share of an annotated box that must be covered


def black(copy) -> np.ndarray:
    """Pixels of the copy that are the fill colour (black, after JPEG)."""
    return np.asarray(copy.convert("RGB"), dtype=np.int32).max(axis=2) <= 24


def newly_black(original, copy) -> np.ndarray:
    """Pixels the copy turned black: dark pixels of the original do not count as changed."""
    return black(copy) & (np.asarray(original.convert("RGB"), dtype=np.int32).max(axis=2) > 40)


def redact_folder(tmp_path, names, corpus, *flags):
    result = run("redact", *[corpus / name for name in names], "-o", tmp_path, "--json", *flags)
    assert result.exit_code == 0, result.output
    return {o["input"]: o["output"] for o in json.loads(result.stdout)["files"]}


FACES = ["dlib_2007_007763", "dlib_2008_001009", "dlib_2008_001322", "dlib_2008_002079", "dlib_2008_002470",
         "dlib_2008_002506", "dlib_2008_004176", "dlib_2008_007676", "dlib_2009_004587", "fr_obama",
         "fr_obama_partial_face", "immich_curie_portrait"]


def test_every_annotated_face_is_covered_and_little_else(corpus, tmp_path):
    outputs = redact_folder(tmp_path, [f"faces/{n}.jpg" for n in FACES], corpus, "--no-text", "--no-codes")
    far_changed = []
    for name in FACES:
        source = corpus / "faces" / f"{name}.jpg"
        copy = Image.open(outputs[str(source)])
        covered, changed = black(copy), newly_black(Image.open(source), copy)
        near = np.zeros_like(changed)
        for x, y, w, h in json.loads((corpus / "faces" / f"{name}.json").read_text())["faces"]:
            x, y = max(0, x), max(0, y)
            share = covered[y:y + h, x:x + w].mean()
            assert share >= COVERED, (name, (x, y, w, h), share)
            near[max(0, y - h):y + 2 * h, max(0, x - w):x + 2 * w] = True
        far_changed.append(changed[~near].mean())
    assert np.mean(far_changed) < 0.01, far_changed  # far from faces, almost nothing is touched


def test_faces_of_a_rotated_photo_are_covered_upright(corpus, tmp_path):
    name = "faces/immich_curie_portrait-orientation-6.jpg"
    outputs = redact_folder(tmp_path, [name], corpus, "--no-text", "--no-codes")
    copy = Image.open(outputs[str(corpus / name)])
    upright_twin = Image.open(corpus / "faces" / "immich_curie_portrait.jpg")
    assert copy.size == upright_twin.size
    for x, y, w, h in json.loads((corpus / "faces" / "immich_curie_portrait.json").read_text())["faces"]:
        assert black(copy)[y:y + h, x:x + w].mean() >= COVERED


PLATES = ["alpr_eu1", "alpr_eu2", "alpr_eu3", "alpr_us_12c6cb72-3ea3", "alpr_us_22e54a62-57a8", "alpr_us_us4",
          "alpr_us_wts-lg-000023", "alpr_us_wts-lg-000068"]


def test_every_licence_plate_is_covered(corpus, tmp_path):
    outputs = redact_folder(tmp_path, [f"text/{n}.jpg" for n in PLATES], corpus)
    for name in PLATES:
        source = corpus / "text" / f"{name}.jpg"
        covered = black(Image.open(outputs[str(source)]))
        for x, y, w, h in json.loads((corpus / "text" / f"{name}.json").read_text())["plates"]:
            assert covered[y:y + h, x:x + w].mean() >= COVERED, (name, (x, y, w, h))


def test_dogs_are_not_faces(corpus, tmp_path):
    outputs = redact_folder(tmp_path, ["faces/dlib_dogs.jpg"], corpus, "--no-text", "--no-codes")
    source = corpus / "faces" / "dlib_dogs.jpg"
    assert newly_black(Image.open(source), Image.open(outputs[str(source)])).mean() < 0.02


@pytest.mark.parametrize("scale", [1, 4])
def test_small_faces_in_large_pictures_are_found_by_tiling(corpus, tmp_path, scale):
    """A 4096-pixel-wide canvas with a group photo pasted at a quarter size: 10-pixel faces."""
    group = Image.open(corpus / "faces" / "dlib_2007_007763.jpg")
    small = group.resize((group.width // scale, group.height // scale), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (4096, 3072), (120, 140, 110))
    canvas.paste(small, (2900, 2100))
    source = tmp_path / "big.png"
    canvas.save(source)
    result = run("redact", source, "-o", tmp_path / "out", "--no-text", "--no-codes", "--json")
    regions = json.loads(result.stdout)["files"][0]["regions"]
    found = regions.get("face", 0)
    annotated = len(json.loads((corpus / "faces" / "dlib_2007_007763.json").read_text())["faces"])
    assert found >= (annotated if scale == 1 else annotated - 2), regions


def test_tilted_face_is_found_and_thresholds_apply(corpus, tmp_path):
    portrait = Image.open(corpus / "faces" / "fr_obama.jpg").convert("RGB")
    tilted = tmp_path / "tilted.jpg"
    portrait.rotate(35, expand=True, fillcolor=(128, 128, 128)).save(tilted, quality=95)
    result = run("redact", tilted, "-o", tmp_path / "a", "--no-text", "--no-codes", "--json")
    assert json.loads(result.stdout)["files"][0]["regions"].get("face") == 1
    crowd = corpus / "faces" / "dlib_2008_002079.jpg"
    low = json.loads(run("redact", crowd, "-o", tmp_path / "b", "--no-text", "--no-codes", "--json").stdout)
    high = json.loads(run("redact", crowd, "-o", tmp_path / "c", "--no-text", "--no-codes", "--json",
                          "--min-score", "face=0.8").stdout)
    assert high["files"][0]["regions"]["face"] < low["files"][0]["regions"]["face"]


@pytest.mark.parametrize("quarters", [1, 2, 3])
def test_turned_finds_faces_lying_sideways_or_upside_down(corpus, tmp_path, quarters):
    """People lying down: the group photo turned a quarter, a half, three quarters round."""
    from mediavet.redact.detectors import turn

    group = Image.open(corpus / "faces" / "dlib_2007_007763.jpg").convert("RGB")
    source = tmp_path / "turned.jpg"
    group.rotate(90 * quarters, expand=True).save(source, quality=95)
    annotated = json.loads((corpus / "faces" / "dlib_2007_007763.json").read_text())["faces"]
    boxes = [turn(box, group.size, quarters) for box in annotated]  # PIL's rotate turns anticlockwise, as rot90
    result = run("redact", source, "-o", tmp_path / "out", "--no-text", "--no-codes", "--turned", "--json")
    assert result.exit_code == 0, result.output
    covered = black(Image.open(json.loads(result.stdout)["files"][0]["output"]))
    for x, y, w, h in boxes:
        assert covered[y:y + h, x:x + w].mean() >= COVERED, (quarters, (x, y, w, h))


def test_hands_ties_and_sleeves_are_not_covered_as_text_or_codes(corpus, tmp_path):
    """The raised hands, the ties and a sleeve of a corpus photo (boxes drawn by hand in
    tests/fixtures/not_text.json) got text boxes scoring 0.79-0.96 and a code box: no region
    covered there now (they are listed for review), and the faces still are."""
    from pathlib import Path

    fixture = json.loads((Path(__file__).parent / "fixtures" / "not_text.json").read_text())
    for name, places in ((k, v) for k, v in fixture.items() if k != "about"):
        plan = tmp_path / "plan.json"
        result = run("redact", corpus / name, "--plan-only", plan)
        assert result.exit_code == 0
        regions = json.loads(plan.read_text())["files"][0]["regions"]
        for kind, boxes in places.items():
            for box in boxes:
                on_it = [r for r in regions if r["kind"] in ("text", "code") and r["action"] != "review"
                         and intersection(tuple(r["box"]), tuple(box)) >= 0.5 * r["box"][2] * r["box"][3]]
                assert not on_it, (name, kind, box, on_it)
        assert sum(r["kind"] == "face" and r["action"] == "fill" for r in regions) >= 2
        assert any(r["kind"] in ("text", "code") and r["action"] == "review" for r in regions)
        assert "unsure text or code place" in result.stderr  # not counted as possible faces
