"""JPEG forensics: a second save leaves a ghost, a first does not (copy-move: test_copy_move.py)."""

import json

from PIL import Image, ImageFilter

from conftest import run


def textured():
    noise = Image.effect_noise((800, 600), 60).convert("L").filter(ImageFilter.GaussianBlur(1.2))
    detail = Image.effect_mandelbrot((800, 600), (-2.2, -1.2, 1.0, 1.2), 90).convert("L")
    return Image.merge("RGB", (noise, detail, Image.blend(noise, detail, 0.5)))


def findings(result):
    return {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}


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
