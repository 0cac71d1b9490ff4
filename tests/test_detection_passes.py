"""Repeat detection passes over a covered picture (protect.find_regions): a pass runs a model
again only where the picture changed since that window last answered, and a search that
converged that way finds what a fresh check of the covered picture finds."""

import numpy as np
import pytest
from PIL import Image

from mediavet.redact.detectors import TileMemo, tiled


def passes(local: int = 0) -> list[list[tuple[int, int]]]:
    """The window shapes a model saw in three passes over a 1000x1000 picture cut into 400-pixel
    windows: the first pass, one after covering a place in the top-left window, one after
    covering a place in the bottom-right one."""
    rgb = np.zeros((1000, 1000, 3), np.uint8)
    memo, seen = TileMemo(), []

    def run(window):
        seen[-1].append(window.shape[:2])
        return []

    for covered in ([], [(10, 10, 20, 20)], [(850, 850, 20, 20)]):
        memo.mark(covered) if covered else None
        seen.append([])
        tiled(run, rgb, 1.0, 400, 0, memo, ("test",), local)
    return seen


def test_a_pass_runs_again_only_where_the_picture_changed_since_that_window_answered():
    first, second, third = passes()
    assert len(first) == 9
    assert second == [(400, 400)]  # the top-left window, covered since
    assert third == [(200, 200)]  # the bottom-right one only: the top-left answered after its change


def test_with_local_context_only_the_changed_place_is_looked_at_again():
    first, second, third = passes(local=32)
    assert len(first) == 9
    assert second == [(62, 62)]  # the place, its 32 pixels of context clipped at the picture's edge
    assert third == [(84, 84)]  # the new place and its context, nothing around the earlier one


# where the search's last pass found nothing new while a fresh look at the covered picture
# found a face (0.64) and a text line (0.83) left visible: measured before the check was always
# run (the search's answers far from a change are reused, and its thresholds are lower)
LEFT_BY_THE_SEARCH = ["faces/deface_city.jpg", "text/immich_japanese-shop.jpg"]


@pytest.mark.parametrize("name", LEFT_BY_THE_SEARCH)
def test_a_copy_shows_nothing_the_detectors_find_afresh(corpus, tmp_path, name):
    from conftest import run
    from mediavet.redact.detectors import RECHECK_SCORES, detect
    from mediavet.redact.protect import detection_rgb

    result = run("redact", corpus / name, "-o", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    copy = Image.open(next((tmp_path / "out").iterdir()))
    filled = np.asarray(copy.convert("RGB"), dtype=np.int32).max(axis=2) <= 24  # black, after JPEG
    for region in detect(detection_rgb(copy), ("face", "text"), RECHECK_SCORES):
        x, y, w, h = region.box
        if region.covered:
            assert filled[y:y + h, x:x + w].mean() >= 0.5, (region.kind, region.box, region.score)


def test_a_window_is_answered_once_for_its_pixels_at_any_threshold_above():
    from mediavet.redact import detectors

    detectors._ANSWERS.clear()
    calls = []

    def run(window, min_score):
        calls.append(min_score)
        return [((0, 0, 4, 4), 0.3), ((5, 5, 4, 4), 0.8)]

    window = np.zeros((64, 64, 3), np.uint8)
    assert detectors.answered("m", window, 0.2, run) == run(window, 0.2)
    calls.clear()
    assert detectors.answered("m", window.copy(), 0.5, run) == [((5, 5, 4, 4), 0.8)]  # same pixels: remembered
    assert calls == []
    assert detectors.answered("m", window[:32], 0.5, run) and calls == [0.5]  # other pixels: run
    window[3, 3] = 1
    detectors.answered("m", window, 0.5, run)
    detectors.answered("m", np.zeros((64, 64, 3), np.uint8), 0.1, run)  # below what was remembered: run
    assert calls == [0.5, 0.5, 0.1]
    detectors.answered("other model", window, 0.5, run)
    assert len(calls) == 4


def test_the_check_answers_as_a_first_run_would(corpus, monkeypatch):
    from mediavet.redact import detectors
    from mediavet.redact.detectors import centerface, text
    from mediavet.redact.protect import ProtectOptions, apply, find_regions, missed

    picture = Image.open(corpus / "faces" / "deface_city.jpg").convert("RGB")
    options = ProtectOptions()
    regions = find_regions([picture], options)[:-3]  # the last faces left uncovered: the check has work
    covered = apply([picture], regions)[0]
    runs = []
    for module in (text, centerface):
        monkeypatch.setattr(module, "_window", lambda rgb, score, real=module._window: runs.append(1) or real(rgb, score))
    remembered = missed(covered, regions, options)  # most windows answered during the search
    warm, runs[:] = len(runs), []
    detectors._ANSWERS.clear()
    assert remembered and missed(covered, regions, options) == remembered
    assert warm < len(runs)  # the same answers for fewer model runs


def test_the_oldest_answers_are_forgotten_past_the_bound(monkeypatch):
    from mediavet.redact import detectors

    detectors._ANSWERS.clear()
    monkeypatch.setattr(detectors, "BOXES_KEPT", 4)
    calls = []

    def run(window, min_score):
        calls.append(int(window[0, 0, 0]))
        return [((0, 0, 4, 4), 0.9), ((5, 5, 4, 4), 0.9)]

    windows = [np.full((8, 8, 3), value, np.uint8) for value in range(3)]
    for window in windows:
        detectors.answered("m", window, 0.5, run)
    detectors.answered("m", windows[2], 0.5, run)
    detectors.answered("m", windows[1], 0.5, run)
    assert calls == [0, 1, 2]  # the last two are remembered (4 boxes)
    detectors.answered("m", windows[0], 0.5, run)
    assert calls == [0, 1, 2, 0]  # the first was forgotten
