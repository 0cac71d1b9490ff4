"""Region redaction on generated pictures: codes, manual regions, plans, actions, edges."""

import json

import numpy as np
import pytest
from PIL import Image

from conftest import run
from generate import ean13, qr_code, scene
from mediavet.exitcodes import ExitCode
from mediavet.media import probe
from mediavet.redact.audit import audit_media
from mediavet.redact.cover import BLOCKS, cover
from mediavet.redact.regions import Region


def textured(size=(900, 600)):
    detail = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 90).convert("RGB")
    return Image.blend(scene(0, size), detail, 0.4)


def black_share(image, box) -> float:
    x, y, w, h = box
    patch = np.asarray(image.convert("RGB"), dtype=np.int32)[y:y + h, x:x + w]
    return float((patch.max(axis=2) <= 24).mean())


def test_qr_code_and_barcode_are_covered_and_no_longer_detected(tmp_path):
    import cv2

    picture = textured()
    picture.paste(ean13("590123412345").convert("RGB"), (60, 80))
    picture.paste(qr_code("room 214, block C").convert("RGB"), (560, 300))
    source = tmp_path / "door.png"
    picture.save(source)
    result = run("redact", source, "-o", tmp_path / "out", "--no-faces", "--no-text", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["regions"] == {"code": 2}
    copy = Image.open(tmp_path / "out" / "safe-0001.png")
    bars = (60 + 33, 80 + 33, 95 * 3, 120)  # the drawn bars, without the quiet zone
    assert black_share(copy, bars) > 0.97
    assert black_share(copy, (560 + 6 * 2, 300 + 6 * 2, 6 * 29, 6 * 29)) > 0.97
    grey = np.asarray(copy.convert("L"))
    assert not cv2.QRCodeDetector().detectAndDecode(grey)[0]
    ok, _ = cv2.barcode.BarcodeDetector().detectMulti(grey)
    assert not ok


def test_manual_region_covered_exactly_and_outside_box_refused(tmp_path):
    source = tmp_path / "a.png"
    textured().save(source)
    result = run("redact", source, "-o", tmp_path / "out", "--no-faces", "--no-text", "--no-codes",
                 "--region", "100,50,200,80")
    assert result.exit_code == 0
    copy = Image.open(tmp_path / "out" / "safe-0001.png")
    assert black_share(copy, (100, 50, 200, 80)) == 1.0
    assert black_share(copy, (300, 130, 300, 300)) < 0.05
    outside = run("redact", source, "-o", tmp_path / "out2", "--no-faces", "--no-text", "--no-codes",
                  "--region", "800,500,200,200")
    assert outside.exit_code == ExitCode.INPUT_ERROR and "not inside" in outside.stderr
    assert list((tmp_path / "out2").iterdir()) == []
    assert run("redact", source, "-o", tmp_path / "o3", "--region", "1,2,3").exit_code == ExitCode.USAGE


def test_plan_round_trip_with_edits(tmp_path):
    picture = textured()
    picture.paste(qr_code("badge 0042").convert("RGB"), (500, 100))
    source = tmp_path / "a.png"
    picture.save(source)
    plan_path = tmp_path / "plan.json"
    previews = tmp_path / "review"
    result = run("redact", source, "--plan-only", plan_path, "--preview", previews, "--no-faces", "--no-text")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out").exists()
    plan = json.loads(plan_path.read_text())
    assert plan["mediavet_plan"] == 2
    entry = plan["files"][0]
    assert entry["size"] == [900, 600] and len(entry["sha256"]) == 64
    (code,) = entry["regions"]
    assert code["kind"] == "code" and code["detector"] == "opencv-qr" and code["action"] == "fill"
    assert sorted(p.name for p in previews.iterdir()) == ["PREVIEW-NOT-REDACTED-0001-1.jpg", "PREVIEWS.json"]
    index = json.loads((previews / "PREVIEWS.json").read_text())["files"]
    assert index == [{"number": 1, "input": str(source), "previews": ["PREVIEW-NOT-REDACTED-0001-1.jpg"], "regions": 1}]
    assert audit_media(probe(previews / "PREVIEW-NOT-REDACTED-0001-1.jpg")) == []
    # a person edits: the code is pixelated instead of filled, a manual region is added
    code["action"] = "pixelate"
    entry["regions"].append({"kind": "manual", "box": [10, 10, 100, 60], "action": "fill", "shape": "ellipse"})
    plan_path.write_text(json.dumps(plan))
    applied = run("redact", source, "--plan", plan_path, "-o", tmp_path / "out", "--json", "--no-text", "--no-faces")
    assert applied.exit_code == 0, applied.output
    copy = Image.open(tmp_path / "out" / "safe-0001.png")
    x, y, w, h = code["box"]
    assert black_share(copy, (x, y, w, h)) < 0.5  # pixelated, not filled
    assert black_share(copy, (40, 30, 40, 20)) == 1.0  # the centre of the manual ellipse
    assert black_share(copy, (10, 10, 6, 6)) < 0.5  # its corner stays (ellipse)


def test_plan_refused_when_file_changed_or_boxes_outside(tmp_path):
    source = tmp_path / "a.png"
    textured().save(source)
    plan_path = tmp_path / "plan.json"
    run("redact", source, "--plan-only", plan_path, "--no-faces", "--no-text", "--region", "1,1,20,20")
    plan = json.loads(plan_path.read_text())
    plan["files"][0]["regions"].append({"kind": "manual", "box": [880, 590, 50, 50]})
    bad_boxes = tmp_path / "bad.json"
    bad_boxes.write_text(json.dumps(plan))
    result = run("redact", source, "--plan", bad_boxes, "-o", tmp_path / "out")
    assert result.exit_code == ExitCode.USAGE and "not inside" in result.output
    assert not (tmp_path / "out").exists()
    textured((900, 600)).rotate(1).save(source)  # the file changed since the plan
    result = run("redact", source, "--plan", plan_path, "-o", tmp_path / "out")
    assert result.exit_code == ExitCode.USAGE and "sha256" in result.output
    assert not (tmp_path / "out").exists()
    other = tmp_path / "b.png"
    textured().save(other)
    result = run("redact", other, "--plan", plan_path, "-o", tmp_path / "out")
    assert result.exit_code == ExitCode.USAGE and "not in the plan" in result.output


@pytest.mark.parametrize("action", ["pixelate", "blur"])
def test_pixelate_and_blur_destroy_the_detail(action):
    picture = Image.effect_mandelbrot((400, 400), (-1.5, -0.5, -0.5, 0.5), 200).convert("L")
    box = (50, 50, 300, 300)
    first = np.asarray(cover(picture, [Region("face", box, action=action)]), dtype=np.float64)
    second = np.asarray(cover(picture, [Region("face", box, action=action)]), dtype=np.float64)
    original = np.asarray(picture, dtype=np.float64)
    inside, before = first[50:350, 50:350], original[50:350, 50:350]

    def high_frequency(patch):  # power above a sixth of the band: what makes text and faces readable
        spectrum = np.abs(np.fft.fftshift(np.fft.fft2(patch - patch.mean()))) ** 2
        size = patch.shape[0]
        yy, xx = np.mgrid[:size, :size] - size // 2
        return spectrum[np.hypot(yy, xx) > size / 6].sum() / spectrum.sum()

    assert high_frequency(inside) < 0.5 * high_frequency(before)
    if action == "pixelate":
        assert len(np.unique(inside)) <= BLOCKS * BLOCKS
    assert not np.array_equal(first, second)  # random noise: two runs differ, nothing to invert
    assert np.array_equal(first[:50], original[:50])  # outside untouched


def test_modes_sizes_and_orientation_survive_region_redaction(tmp_path):
    from generate import SHORT, app1_exif, exif_block, insert_segments, jpeg_bytes

    inputs = tmp_path / "in"
    inputs.mkdir()
    Image.new("RGB", (1, 1), (9, 9, 9)).save(inputs / "tiny.png")
    textured((64, 48)).convert("L").save(inputs / "grey.png")
    textured().convert("CMYK").save(inputs / "cmyk.jpg")
    textured().convert("RGBA").save(inputs / "alpha.png")
    Image.fromarray((np.asarray(textured().convert("L")).astype(np.uint16) * 257)).save(inputs / "deep.png")
    turned = insert_segments(jpeg_bytes(textured((400, 300)), 95), app1_exif(exif_block({0x0112: (SHORT, 6)})))
    (inputs / "turned.jpg").write_bytes(turned)
    result = run("redact", inputs, "-o", tmp_path / "out", "--region", "0,0,1,1", "--json")
    assert result.exit_code == 0, result.output
    outcomes = {o["input"].rsplit("/", 1)[1]: o for o in json.loads(result.stdout)["files"]}
    assert all(o["status"] == "written" for o in outcomes.values())
    turned_copy = Image.open(outcomes["turned.jpg"]["output"])
    assert turned_copy.size == (300, 400)
    assert black_share(turned_copy, (0, 0, 1, 1)) == 1.0  # the region is in upright coordinates
    assert Image.open(outcomes["deep.png"]["output"]).mode == "I;16"
    assert Image.open(outcomes["alpha.png"]["output"]).mode == "RGBA"


def blind(frames, options):  # a search that misses everything and does not know it
    return []


def test_a_face_the_search_missed_is_covered_by_the_check(tmp_path, monkeypatch, corpus):
    import mediavet.redact as redact_module

    monkeypatch.setattr(redact_module, "find_regions", blind)
    result = run("redact", corpus / "faces" / "fr_obama.jpg", "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    copy = Image.open(next((tmp_path / "out").iterdir())).convert("L")
    for x, y, w, h in json.loads((corpus / "faces" / "fr_obama.json").read_text())["faces"]:
        assert (np.asarray(copy)[y:y + h, x:x + w] <= 24).mean() >= 0.9  # covered by the check


def test_what_the_last_check_still_finds_means_no_copy(tmp_path, monkeypatch, corpus):
    import mediavet.redact as redact_module
    import mediavet.redact.protect as protect

    monkeypatch.setattr(redact_module, "find_regions", blind)
    monkeypatch.setattr(protect, "CHECKS", 1)  # the one check finds the face and may not cover it
    result = run("redact", corpus / "faces" / "fr_obama.jpg", "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == ExitCode.NOT_CLEAN
    assert "a face" in result.stderr and "not covered" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_burned_in_date_stamp_is_covered(tmp_path):
    from PIL import ImageDraw, ImageFont

    picture = scene(0, (900, 600)).filter(__import__("PIL.ImageFilter", fromlist=["GaussianBlur"]).GaussianBlur(3))
    ImageDraw.Draw(picture).text((600, 540), "2025 06 14  09:30", fill=(255, 140, 0),
                                 font=ImageFont.load_default(size=34))
    source = tmp_path / "stamped.jpg"
    picture.save(source, quality=95)
    result = run("redact", source, "-o", tmp_path / "out", "--no-faces", "--no-codes", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0]["regions"].get("text", 0) >= 1
    copy = Image.open(tmp_path / "out" / "safe-0001.jpg")
    stamp = np.asarray(copy.convert("RGB"), dtype=np.int32)[545:575, 605:880]
    orange = (stamp[..., 0] > 200) & (stamp[..., 1] > 100) & (stamp[..., 2] < 80)
    assert orange.mean() < 0.01  # none of the digits' orange is left


def test_face_margins_grow_with_the_square_root_of_the_face():
    from mediavet.redact.protect import FACE_REFERENCE, MARGINS, ProtectOptions

    options = ProtectOptions()
    size = (4000, 4000)

    def sideways_share(width):
        grown = options.widened(Region("face", (1000, 1000, width, width), 0.9, "centerface"), size)
        return (grown.box[2] - width) / 2 / width

    small, reference, large = sideways_share(15), sideways_share(FACE_REFERENCE), sideways_share(240)
    assert small > reference > large  # small faces, whose boxes are least exact, get relatively more
    assert reference == pytest.approx(MARGINS["face"][0], abs=0.01)
    assert 15 * small >= 3 and 240 * large <= 0.1 * 240  # a few pixels at least; no more than 10% on a big face
    text = options.widened(Region("text", (1000, 1000, 200, 40), 0.9, "ppocr"), size)
    assert text.box[2] == 200 + 2 * round(200 * MARGINS["text"][0])  # other kinds: plain fractions
    assert options.widened(Region("face", (0, 0, 30, 30), 0.9, "centerface"), size).box[:2] == (0, 0)  # clipped


def test_turning_boxes_follows_numpy_rot90():
    from mediavet.redact.detectors import turn, turn_size

    picture = np.zeros((50, 80), dtype=np.uint8)
    picture[10:20, 30:45] = 1  # x 30, y 10, 15 wide, 10 high
    for quarters in range(4):
        rows, cols = np.nonzero(np.rot90(picture, quarters))
        expected = (cols.min(), rows.min(), cols.max() - cols.min() + 1, rows.max() - rows.min() + 1)
        turned = turn((30, 10, 15, 10), (80, 50), quarters)
        assert turned == tuple(int(v) for v in expected)
        assert turn(turned, turn_size((80, 50), quarters), 4 - quarters) == (30, 10, 15, 10)


def test_a_face_found_lying_sideways_gets_its_margins_turned():
    from mediavet.redact.protect import ProtectOptions

    options = ProtectOptions(margins={"face": (0.3, 0.0)})
    upright = options.widened(Region("face", (500, 500, 60, 60), 0.9, "centerface"), (2000, 2000))
    lying = options.widened(Region("face", (500, 500, 60, 60), 0.9, "centerface@90"), (2000, 2000))
    assert upright.box[2] > 60 and upright.box[3] == 60  # sideways margin widens an upright face
    assert lying.box[2] == 60 and lying.box[3] > 60  # and lengthens one lying on its side


@pytest.mark.parametrize("turned", [True, False])
def test_applying_a_plan_checks_as_widely_as_the_plan_searched(tmp_path, monkeypatch, turned):
    import mediavet.redact.protect as protect

    source = tmp_path / "scene.jpg"
    textured().save(source, quality=90)
    plan = tmp_path / "plan.json"
    flags = ["--turned"] if turned else []
    assert run("redact", source, "--plan-only", plan, "--no-text", "--no-codes", *flags).exit_code == 0
    assert json.loads(plan.read_text())["settings"]["turned"] is turned
    seen = []
    real_detect = protect.detect

    def spy(rgb, kinds, min_scores=None, memo=None, turned=False):
        seen.append(turned)
        return real_detect(rgb, kinds, min_scores, memo, turned)

    monkeypatch.setattr(protect, "detect", spy)
    result = run("redact", source, "--plan", plan, "-o", tmp_path / "out", "--no-text", "--no-codes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {turned}  # the fail-closed check on the copy, without --turned given again
