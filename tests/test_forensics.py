"""Copy-move detection: a pasted copy is found, an untouched picture is not, only when asked."""

import json

from PIL import Image, ImageFilter

from conftest import run


def textured():
    noise = Image.effect_noise((800, 600), 60).convert("L").filter(ImageFilter.GaussianBlur(1.2))
    detail = Image.effect_mandelbrot((800, 600), (-2.2, -1.2, 1.0, 1.2), 90).convert("L")
    return Image.merge("RGB", (noise, detail, Image.blend(noise, detail, 0.5)))


def findings(result):
    return {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_a_pasted_copy_is_found_with_where_it_came_from(tmp_path):
    picture = textured()
    patch = picture.crop((80, 60, 280, 240))
    picture.paste(patch, (520, 360))
    forged = tmp_path / "forged.png"
    picture.save(forged)
    result = run("verify", "--json", "--fail-on", "never", "--forensics", forged)
    found = findings(result)["forensics.copy_move"]["evidence"]
    boxes = sorted([found["source"], found["target"]])
    assert abs(boxes[0][0] - 80) < 40 and abs(boxes[1][0] - 520) < 40
    assert found["inliers"] >= 60
    assert "forensics.copy_move" not in findings(run("verify", "--json", "--fail-on", "never", forged))


def test_untouched_pictures_do_not_alarm(tmp_path, corpus):
    original = tmp_path / "original.png"
    textured().save(original)
    names = [original, corpus / "manipulation" / "noso_03.png", corpus / "faces" / "messi5.jpg"]
    document = json.loads(run("verify", "--json", "--fail-on", "never", "--forensics", *names).stdout)
    assert not [f for r in document["files"] for f in r["findings"] if f["id"] == "forensics.copy_move"]


def test_corpus_copy_move_forgery_is_found(corpus):
    result = run("verify", "--json", "--fail-on", "never", "--forensics", corpus / "manipulation" / "noso_03_mod.png")
    assert "forensics.copy_move" in findings(result)


def test_a_second_save_leaves_a_ghost_a_first_does_not(tmp_path):
    import io

    picture = textured()
    first = io.BytesIO()
    picture.save(first, "JPEG", quality=60)
    twice = tmp_path / "twice.jpg"
    Image.open(io.BytesIO(first.getvalue())).save(twice, quality=90)
    once = tmp_path / "once.jpg"
    picture.save(once, quality=90)
    found = findings(run("verify", "--json", "--fail-on", "never", "--forensics", twice))["jpeg.double_compressed"]
    assert abs(found["evidence"]["first_quality"] - 60) <= 3 and found["evidence"]["last_quality"] == 90
    assert "jpeg.double_compressed" not in findings(run("verify", "--json", "--fail-on", "never", "--forensics", once))
