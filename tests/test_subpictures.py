"""Recycled photos inside screenshots, collages and photos of screens (issue #15): an archived
corpus photo is found wherever it sits in the frame, with the region it sits in; distinct
corpus photos framed the same way match nothing. The scenes come from bench/dup_accuracy.py's
generators (an app-like post with text at several sizes, collages, a screen at an angle) and
bench/dup_clips.py's (a clip reframed to 9:16, written as H.264)."""

import json
import sys

import pytest
from PIL import Image

from conftest import CORPUS, ROOT, run
from mediavet.exitcodes import ExitCode

sys.path.insert(0, str(ROOT / "bench"))
import dup_accuracy as scenes  # noqa: E402
from dup_clips import clip_frames, vertical, write_clip  # noqa: E402

ARCHIVED = scenes.ORIGINALS[:16]
STRANGERS = scenes.DISTRACTORS[:16]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    from mediavet.archive.hashing import fingerprint, uniform_border_box
    from mediavet.archive.index import HashIndex

    index = HashIndex(tmp_path_factory.mktemp("archive") / "index.db")
    pictures = [scenes.load(CORPUS, name) for name in ARCHIVED]
    # pictures with a flat border of their own are archived without it, so their region in a
    # screenshot is smaller than the pasted box: leave them out of the region comparisons
    pictures = [p for p in pictures if uniform_border_box(p) == (0, 0, p.width, p.height)]
    for number, picture in enumerate(pictures):
        index.add(None, fingerprint(picture), label=str(number))
    strangers = [scenes.load(CORPUS, name) for name in STRANGERS]
    yield index, pictures, strangers
    index.close()


def found(index, picture, number, box, inside=0.9) -> bool:
    """Whether the right archived picture is the first answer and the region it names lies on
    the picture (at least `inside` of it) and covers at least half of it (a band across the
    photo may cut the region the lookup saw it in)."""
    matches = scenes.lookup(index, picture)
    if not matches or matches[0].label != str(number) or not matches[0].region:
        return False
    region = matches[0].region
    common = scenes.overlap(region, box) * (region[2] * region[3] + box[2] * box[3]) / (1 + scenes.overlap(region, box))
    return common >= inside * region[2] * region[3] and common >= 0.5 * box[2] * box[3]


def at_most_one_missed(results: list[bool]) -> None:
    """The issue's target is 95% top-1; on these 13 pictures that allows one miss (the bench
    measures the rate on 51)."""
    assert sum(results) >= len(results) - 1, [n for n, right in enumerate(results) if not right]


@pytest.mark.parametrize("share", [0.3, 0.5, 0.7])
def test_a_photo_inside_a_screenshot_of_a_post_is_found_where_it_sits(archive, share):
    index, pictures, _ = archive
    results = []
    for number, picture in enumerate(pictures):
        shot, box = scenes.screenshot_post(picture, share, dark=number % 2 == 1, seed=number)
        assert box[2] * box[3] <= share * shot.width * shot.height * 1.05  # the picture is a part of the frame
        results.append(found(index, shot, number, box))
    at_most_one_missed(results)


@pytest.mark.parametrize("grid,gutter", [(2, 8), pytest.param(2, 0, marks=pytest.mark.xfail(
    strict=True, reason="measured: without gutters the seam cut names the tile's region for 10 of 13 (found 12 of 13)")),
    (3, 8)])
def test_a_photo_in_a_collage_is_found_on_its_tile(archive, grid, gutter):
    index, pictures, strangers = archive
    at_most_one_missed([found(index, *_collage(picture, strangers, grid, gutter, number))
                        for number, picture in enumerate(pictures)])


def _collage(picture, strangers, grid, gutter, number):
    sheet, box = scenes.collage(picture, strangers, grid, gutter=gutter, seed=number)
    return sheet, number, box


def test_a_photo_of_a_screen_at_an_angle_with_scan_lines_is_found(archive):
    """Every one of them. The steepest (picture 12) gets 32 or more of the index's votes, yet
    those pairs agree on only 3 under a similarity (look-alike entries took its best ones), too
    few to pair it alone; so many votes now ask for that, with a perspective: 53 agree (before:
    missed, 12 of 13 found)."""
    index, pictures, _ = archive
    results = []
    for number, picture in enumerate(pictures):
        seen, box = scenes.screen_photo(picture, seed=number)
        results.append(found(index, seen, number, box, inside=0.8))
    assert all(results), [n for n, right in enumerate(results) if not right]


def test_distinct_photos_framed_the_same_ways_match_nothing(archive):
    index, _, strangers = archive
    for number, picture in enumerate(strangers):
        others = strangers[:number] + strangers[number + 1:]
        for framed, _ in (scenes.screenshot_post(picture, 0.5, seed=number), scenes.collage(picture, others, 2, seed=number),
                          scenes.collage(picture, others, 3, gutter=0, seed=number), scenes.screen_photo(picture, seed=number)):
            assert scenes.lookup(index, framed) == [], STRANGERS[number]


@pytest.mark.xfail(strict=True, reason="measured: the exact box of the picture is among the regions of 10 of 13 "
                   "screenshots (the lookup still finds 13 of 13 through a part of it or the whole frame)")
def test_the_picture_of_a_screenshot_is_one_of_its_regions(archive):
    from mediavet.archive.subpictures import regions

    _, pictures, _ = archive
    shots = []
    for number, picture in enumerate(pictures):
        shot, box = scenes.screenshot_post(picture, 0.5, dark=number % 2 == 0, seed=number)
        shots.append(any(scenes.overlap(found_box, box) >= 0.9 for found_box, _ in regions(shot)))
    at_most_one_missed(shots)


def test_every_tile_of_a_collage_is_one_of_its_regions_and_a_flat_page_has_none(archive):
    from mediavet.archive.subpictures import regions

    _, pictures, strangers = archive
    tiles_found = []  # per tile of every collage: the 95%
    for number, picture in enumerate(pictures):
        sheet, _ = scenes.collage(picture, strangers, 2, seed=number)
        tiles = [(8 + (n % 2) * 308, 8 + (n // 2) * 308, 300, 300) for n in range(4)]
        boxes = [found_box for found_box, _ in regions(sheet)]
        tiles_found += [any(scenes.overlap(found_box, tile) >= 0.9 for found_box in boxes) for tile in tiles]
    assert sum(tiles_found) >= 0.95 * len(tiles_found), sum(tiles_found)
    assert regions(Image.new("RGB", (600, 400), (240, 240, 240))) == []


def test_a_tile_with_margins_of_the_gutters_colour_stays_whole_and_is_found(archive, tmp_path):
    """A page of dark text on white (a corpus C2PA fixture) as one tile of a white-gutter 3×3
    collage: trimming the gutters' colour cut the tile into its lines of text, none of them a
    region, and the lookup missed it; the grid's cells keep it whole."""
    from mediavet.archive.hashing import fingerprint
    from mediavet.archive.index import HashIndex
    from mediavet.archive.subpictures import regions

    _, _, strangers = archive
    page = scenes.load(CORPUS, "c2pa/no_manifest.jpg")
    index = HashIndex(tmp_path / "index.db")
    index.add(None, fingerprint(page), label="page")
    try:
        for seed in range(3):
            sheet, box = scenes.collage(page, strangers, 3, seed=seed)
            assert any(scenes.overlap(found_box, box) >= 0.9 for found_box, _ in regions(sheet)), seed
            matches = scenes.lookup(index, sheet)
            assert matches and matches[0].label == "page", seed
            x, y, w, h = matches[0].region  # on the tile (the text's part of it: where its keypoints lie)
            assert box[0] <= x and box[1] <= y and x + w <= box[0] + box[2] and y + h <= box[1] + box[3], seed
    finally:
        index.close()


def test_a_picture_inside_a_flat_border_is_looked_up_once(archive):
    """The whole frame's view already trims a flat border; the same picture found as a region
    is not looked up a second time (it was, at a view's cost, for every bordered copy)."""
    from mediavet.archive.hashing import lookup_views
    from mediavet.archive.subpictures import regions

    _, pictures, _ = archive
    for picture in pictures[:4]:
        bordered = scenes.white_border_8(picture)
        whole = lookup_views(bordered)[0].region
        assert any(scenes.overlap(box, whole) >= 0.9 for box, _ in regions(bordered))  # the cut finds it again
        assert all(scenes.overlap(view.region, whole) < 0.9 for view in lookup_views(bordered)[1:])


def test_a_photo_in_a_scrolling_capture_of_a_feed_is_found_where_it_sits(archive, tmp_path):
    """Five posts stacked in one capture, saved at a phone's 1080 px across and looked up through
    the command line: each archived photo is named with its region. In the whole strip a post's
    picture is too small a share to be a region, and decoded at 720 px on the long side it was
    80 px wide (before the strip was cut into windows: 0 of 17 found in the bench's run)."""
    _, pictures, strangers = archive
    db = tmp_path / "index.db"
    tips = tmp_path / "tips"
    tips.mkdir()
    boxes = {}
    for number, picture in enumerate(pictures[:5]):
        original = tmp_path / f"archived{number}.jpg"
        picture.save(original, quality=95)
        assert run("index", "add", original, "--db", db, "--label", f"photo {number}").exit_code == ExitCode.OK
        strip, box = scenes.scroll_capture(picture, strangers, 5, seed=number)
        factor = 1080 / strip.width
        strip.resize((1080, round(strip.height * factor))).save(tips / f"capture{number}.jpg", quality=90)
        boxes[f"capture{number}.jpg"] = (number, [round(v * factor) for v in box])
    strip, _ = scenes.scroll_capture(strangers[0], strangers[1:], 5, seed=9)  # nothing archived in it
    strip.save(tips / "strangers.jpg", quality=90)
    result = run("verify", tips, "--index", db, "--json")
    files = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(result.stdout)["files"]}
    # (its posts' pictures are the other captures' fillers: `duplicate.in_batch` rightly says so)
    assert not [f for f in files["strangers.jpg"]["findings"] if f["id"] in ("duplicate.match", "duplicate.exact")]
    right = []
    for name, (number, box) in sorted(boxes.items()):
        match = [f for f in files[name]["findings"] if f["id"] == "duplicate.match"]
        right.append(bool(match) and match[0]["evidence"]["label"] == f"photo {number}"
                     and scenes.overlap(match[0]["evidence"]["region"], box) >= 0.5)
    assert all(right), right


def test_verify_names_the_part_of_a_screenshot_that_is_archived_and_shows_it(archive, tmp_path):
    """Through the command line: the finding says which part, its evidence has the region in the
    file's pixels, and the HTML report shows that part beside the archive's answer."""
    _, pictures, _ = archive
    original = tmp_path / "archived.jpg"
    pictures[0].save(original, quality=95)
    db = tmp_path / "index.db"
    assert run("index", "add", original, "--db", db, "--store-path", "--label", "archived.jpg").exit_code == ExitCode.OK
    shot, box = scenes.screenshot_post(pictures[0], 0.4, seed=3)
    shot_path = tmp_path / "screenshot.jpg"
    shot.save(shot_path, quality=90)
    result = run("verify", shot_path, "--index", db, "--json", "--html", tmp_path / "report.html")
    finding = next(f for f in json.loads(result.stdout)["files"][0]["findings"] if f["id"] == "duplicate.match")
    assert finding["message"].startswith("a part of it (")
    assert scenes.overlap(finding["evidence"]["region"], box) >= 0.8
    page = (tmp_path / "report.html").read_text()
    part, archived = page.index("the part that looks like it"), page.index("archive: archived.jpg")
    assert part < archived and page.count("<img") >= 3  # the tip, the part, the archived picture beside it


@pytest.fixture(scope="module")
def archived_clip(tmp_path_factory):
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    folder = tmp_path_factory.mktemp("clips")
    clip = write_clip(clip_frames(CORPUS / "video" / "short_hamilton_clip.mp4"), folder / "archived.mp4")
    db = folder / "index.db"
    assert run("index", "add", clip, "--db", db, "--label", "hamilton").exit_code == ExitCode.OK
    return clip, db


def _verdict(path, db):
    result = run("verify", path, "--index", db, "--json")
    return [f for f in json.loads(result.stdout)["files"][0]["findings"] if f["id"] == "duplicate.match"]


@pytest.mark.parametrize("alteration", ["vertical", "screen"])
def test_a_clip_reframed_or_filmed_off_a_screen_finds_the_archived_clip(archived_clip, tmp_path, alteration):
    """vertical: the middle 9:16 of this 16:9 talking-head clip holds a third of a keyframe's
    keypoints; with 128 kept a keyframe agreed on 7 (16 needed), with 256 on 19."""
    clip, db = archived_clip
    if alteration == "vertical":
        frames = map(vertical, clip_frames(clip))
    else:  # every frame through the same screen, angle and scan lines
        frames = (scenes.screen_photo(frame, seed=4)[0] for frame in clip_frames(clip))
    found = _verdict(write_clip(frames, tmp_path / f"{alteration}.mp4"), db)
    assert found and found[0]["evidence"]["label"] == "hamilton", found


def test_another_clip_reframed_finds_nothing(archived_clip, tmp_path):
    _, db = archived_clip
    other = write_clip(map(vertical, clip_frames(CORPUS / "video" / "isom-avc1.mp4")), tmp_path / "other.mp4")
    assert _verdict(other, db) == []
