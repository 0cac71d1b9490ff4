"""The plan as a contract: an unedited plan applies to the copy a direct run makes, a region a
person deleted or kept is never a reason to refuse, a face nobody decided on still is."""

import hashlib
import json

import numpy as np
import pytest
from PIL import Image

from conftest import CORPUS, run
from mediavet.exitcodes import ExitCode


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def text_clip(tmp_path_factory):
    """A slow pan over a shop front full of signs: covering the big text shows the detectors
    smaller text beside it on the check frames (the rounds a direct copy makes)."""
    from generate import encoded_clip

    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    shop = Image.open(CORPUS / "text" / "immich_japanese-shop.jpg").convert("RGB")
    shop.thumbnail((640, 640))
    size = (400, 300)

    def scenes():
        for number in range(30):
            x = round(number * (shop.width - size[0]) / 29)
            yield shop.crop((x, 0, x + size[0], size[1])), []

    data, _ = encoded_clip(scenes(), size)
    path = tmp_path_factory.mktemp("clips") / "shop.mp4"
    path.write_bytes(data)
    return path


def test_an_unedited_video_plan_applies_to_the_direct_copy(text_clip, tmp_path):
    direct = run("redact", text_clip, "-o", tmp_path / "direct", "--no-faces")
    assert direct.exit_code == ExitCode.OK, direct.output
    plan = tmp_path / "plan.json"
    assert run("redact", text_clip, "--plan-only", plan, "--no-faces").exit_code == ExitCode.OK
    applied = run("redact", text_clip, "--plan", plan, "-o", tmp_path / "planned", "--no-faces")
    assert applied.exit_code == ExitCode.OK, applied.output
    # libx264 does not encode the same frames to the same bytes twice (two direct runs differ
    # too), so the copies are compared by what is covered: the filled (black) pixels per frame
    planned, made = covered_masks(tmp_path / "planned" / "safe-0001.mp4"), covered_masks(tmp_path / "direct" / "safe-0001.mp4")
    assert len(planned) == len(made) == 30
    for a, b in zip(planned, made):
        assert a.sum() > 500 and (a & b).sum() / (a | b).sum() > 0.95


def covered_masks(path) -> list:
    import av

    with av.open(str(path)) as container:
        return [(frame.to_ndarray(format="rgb24") < 24).all(axis=2) for frame in container.decode(video=0)]


@pytest.fixture()
def signs(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    source = tmp_path / "signs.jpg"
    Image.open(CORPUS / "text" / "immich_japanese-shop.jpg").convert("RGB").save(source, quality=95)
    plan = tmp_path / "plan.json"
    made = run("redact", source, "--plan-only", plan, "--no-faces", "--no-codes")
    assert made.exit_code == ExitCode.OK, made.output
    return source, plan


def test_an_unedited_photo_plan_applies_to_the_direct_copy(signs, tmp_path):
    source, plan = signs
    assert run("redact", source, "-o", tmp_path / "direct", "--no-faces", "--no-codes").exit_code == ExitCode.OK
    applied = run("redact", source, "--plan", plan, "-o", tmp_path / "planned", "--no-faces", "--no-codes")
    assert applied.exit_code == ExitCode.OK, applied.output
    assert sha(tmp_path / "planned" / "safe-0001.jpg") == sha(tmp_path / "direct" / "safe-0001.jpg")


@pytest.mark.parametrize("edit", ["delete", "keep"])
def test_a_region_deleted_or_kept_is_left_visible_and_never_refused(signs, tmp_path, edit):
    source, plan_path = signs
    plan = json.loads(plan_path.read_text())
    regions = plan["files"][0]["regions"]
    texts = [r for r in regions if r["kind"] == "text"]
    assert len(texts) >= 3
    chosen = max(texts, key=lambda r: r["box"][2] * r["box"][3])
    if edit == "delete":
        regions.remove(chosen)
    else:
        chosen["action"] = "keep"
    plan_path.write_text(json.dumps(plan))
    applied = run("redact", source, "--plan", plan_path, "-o", tmp_path / "out", "--no-faces", "--no-codes")
    assert applied.exit_code == ExitCode.OK, applied.output
    x, y, w, h = chosen["box"]
    copy = np.asarray(Image.open(tmp_path / "out" / "safe-0001.jpg").convert("L"), dtype=float)
    original = np.asarray(Image.open(source).convert("L"), dtype=float)
    others = [r["box"] for r in regions if r is not chosen and r["action"] != "keep"]
    mask = np.ones((h, w), bool)
    for ox, oy, ow, oh in others:  # where another region overlaps, it is covered: compare the rest
        mask[max(0, oy - y):max(0, oy + oh - y), max(0, ox - x):max(0, ox + ow - x)] = False
    assert mask.mean() > 0.3
    difference = np.abs(copy[y:y + h, x:x + w] - original[y:y + h, x:x + w])[mask]
    assert difference.mean() < 8  # left as it was (JPEG noise only)


def test_a_face_nobody_decided_on_is_refused(tmp_path):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    source = tmp_path / "couple.jpg"
    Image.open(CORPUS / "faces" / "deepface_couple.jpg").convert("RGB").save(source)
    plan = tmp_path / "plan.json"
    assert run("redact", source, "--plan-only", plan, "--no-faces").exit_code == ExitCode.OK  # faces not looked for
    applied = run("redact", source, "--plan", plan, "-o", tmp_path / "out")
    assert applied.exit_code == ExitCode.NOT_CLEAN
    assert "face" in applied.stderr and "not covered" in applied.stderr
    assert not list((tmp_path / "out").glob("safe-*"))
