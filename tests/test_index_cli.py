"""`mediavet index ...` and `verify --index`: real pictures in, real matches and errors out."""

import json

import pytest
from PIL import Image, ImageDraw, ImageOps

from conftest import SAMPLES, run, verify_json
from generate import scene
from mediavet.exitcodes import ExitCode


def town(size=(640, 480)):
    """The drawn town of the samples over a Mandelbrot texture: enough detail for PDQ to trust."""
    detail = Image.effect_mandelbrot((640, 480), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    return Image.blend(scene(0, (640, 480)), detail, 0.5).resize(size)


def save(image, path, **kwargs):
    image.save(path, **kwargs)
    return path


def altered(image):
    """Mirrored, cropped off-centre, with a banner, re-compressed: a typical recycled copy."""
    w, h = image.size
    copy = ImageOps.mirror(image).crop((int(0.06 * w), int(0.02 * h), int(0.97 * w), int(0.95 * h)))
    ImageDraw.Draw(copy).rectangle((0, int(copy.height * 0.88), copy.width, copy.height), fill=(200, 0, 0))
    return copy


@pytest.fixture
def archive(tmp_path):
    """An index holding two different pictures."""
    folder = tmp_path / "archive"
    folder.mkdir()
    save(town(), folder / "town.jpg", quality=92)
    save(scene(1, (640, 480)), folder / "ellipse.png")
    db = tmp_path / "index.db"
    for name in ("town.jpg", "ellipse.png"):  # labelled explicitly: a file name is never a default label
        result = run("index", "add", folder / name, "--db", db, "--source", "photo desk", "--label", name)
        assert result.exit_code == 0, result.output
        assert "1 added" in result.stdout
    return db, folder


def test_add_twice_keeps_one_entry_and_stats_count_it(archive):
    db, folder = archive
    assert "0 added, 2 already" in run("index", "add", folder, "--db", db).stdout
    stats = json.loads(run("index", "stats", "--json", "--db", db).stdout)
    assert stats["items"] == 2 and stats["with_keypoints"] == 2
    assert stats["hashes"] == {"dhash:64": 2, "pdq:256": 2, "phash:64": 2}
    assert stats["sources"] == {"photo desk": 2}
    table = run("index", "stats", "--db", db)
    assert table.exit_code == 0 and "hashes pdq:256" in table.stdout


def test_query_finds_the_altered_copy_and_nothing_for_a_stranger(archive, tmp_path):
    db, folder = archive
    copy = save(altered(town()), tmp_path / "tip.jpg", quality=40)
    stranger = save(Image.effect_noise((400, 300), 70).convert("RGB"), tmp_path / "noise.png")
    result = run("index", "query", copy, stranger, "--json", "--db", db)
    assert result.exit_code == 0
    results = json.loads(result.stdout)["results"]
    assert [r["path"] for r in results] == [str(copy), str(stranger)]
    best = results[0]["matches"][0]
    assert best["label"] == "town.jpg" and best["inliers"] >= 16
    assert set(best) >= {"label", "path", "sha256", "algo", "distance", "score", "added"}
    assert best["path"] is None  # paths are kept only with --store-path
    assert results[1]["matches"] == []
    assert "no match" in run("index", "query", stranger, "--db", db).stdout


def test_store_path_keeps_the_absolute_path(tmp_path):
    picture = save(scene(1), tmp_path / "one.png")
    db = tmp_path / "p.db"
    run("index", "add", picture, "--db", db, "--store-path", "--label", "L")
    match = json.loads(run("index", "query", picture, "--json", "--db", db).stdout)["results"][0]
    assert match["exact"][0]["path"] == str(picture.resolve()) and match["exact"][0]["label"] == "L"


def test_export_import_round_trip_and_hash_queries(archive, tmp_path):
    db, _ = archive
    exported = tmp_path / "ours.tsv"
    assert run("index", "export", "-o", exported, "--db", db, "--with-labels").exit_code == 0
    lines = exported.read_text().splitlines()
    assert lines[0].startswith("#") and len(lines) == 1 + 6
    assert all(len(line.split("\t")) == 3 for line in lines[1:])
    other = tmp_path / "partner.db"
    result = run("index", "import", exported, "--db", other)
    assert result.exit_code == 0 and "6 hashes imported" in result.stdout
    answers = json.loads(run("index", "query", "--hashes", exported, "--json", "--db", other).stdout)["results"]
    assert len(answers) == 6
    for answer in answers:
        assert answer["matches"][0]["distance"] == 0 and answer["matches"][0]["label"] == answer["label"]
    # a picture is found through the imported PDQ/pHash alone (no keypoints travel)
    copy = save(town((480, 360)), tmp_path / "smaller.jpg", quality=60)
    found = json.loads(run("index", "query", copy, "--json", "--db", other).stdout)["results"][0]["matches"]
    assert found and found[0]["label"] == "town.jpg" and found[0]["inliers"] is None


def test_malformed_hash_lines_are_named_skipped_and_fail_the_exit_code(tmp_path):
    listing = tmp_path / "list.tsv"
    listing.write_text("# shared by a partner\n"
                       "pdq\t" + "ab" * 32 + "\tgood one\n"
                       "pdq\txyz\tbroken\n"
                       "\n"
                       "md5\t" + "00" * 16 + "\tunknown kind\n"
                       "phash\t" + "0f" * 8 + "\n"
                       "just one field\n")
    db = tmp_path / "i.db"
    result = run("index", "import", listing, "--db", db)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "2 hashes imported, 3 malformed" in result.stdout
    for number in (3, 5, 7):
        assert f"list.tsv:{number}:" in result.stderr
    assert "list.tsv:2:" not in result.stderr
    query = run("index", "query", "--hashes", listing, "--json", "--db", db)
    assert query.exit_code == ExitCode.INPUT_ERROR
    assert len(json.loads(query.stdout)["results"]) == 2


def test_foreign_and_corrupt_files_are_refused_untouched(tmp_path, unusable_databases):
    picture = save(scene(0), tmp_path / "p.jpg")
    for path in unusable_databases:
        before = path.read_bytes()
        for args in (("add", picture), ("query", picture), ("stats",), ("export",), ("remove", "--label", "x")):
            result = run("index", *args, "--db", path)
            assert result.exit_code == ExitCode.INPUT_ERROR, (path, args)
            assert "mediavet index" in result.stderr or "not a usable" in result.stderr
        assert path.read_bytes() == before
        verify = run("verify", picture, "--index", path)
        assert verify.exit_code == ExitCode.INPUT_ERROR
    missing = tmp_path / "missing.db"
    assert run("index", "query", picture, "--db", missing).exit_code == ExitCode.INPUT_ERROR
    assert not missing.exists()


def test_unreadable_pictures_cost_one_file_each(archive, tmp_path):
    db, folder = archive
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "random.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    good = save(scene(1, (500, 400)), tmp_path / "good.jpg")
    result = run("index", "query", tmp_path / "empty.jpg", tmp_path / "random.png", good, "--json", "--db", db)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert [r["path"] for r in json.loads(result.stdout)["results"]] == [str(good)]
    assert result.stderr.count("mediavet: ") == 2
    added = run("index", "add", tmp_path / "empty.jpg", good, "--db", db)
    assert added.exit_code == ExitCode.INPUT_ERROR and "1 added" in added.stdout


def test_remove_by_file_and_by_label(archive):
    db, folder = archive
    assert "1 entries removed" in run("index", "remove", folder / "town.jpg", "--db", db).stdout
    assert "1 entries removed" in run("index", "remove", "--label", "ellipse.png", "--db", db).stdout
    assert json.loads(run("index", "stats", "--json", "--db", db).stdout)["items"] == 0


def test_environment_variable_names_the_index(archive, monkeypatch):
    db, folder = archive
    monkeypatch.setenv("MEDIAVET_INDEX", str(db))
    assert json.loads(run("index", "stats", "--json").stdout)["items"] == 2


def test_verify_with_index_reports_exact_match_and_batch_duplicates(archive, tmp_path):
    db, folder = archive
    copy = save(altered(town()), tmp_path / "tip.jpg", quality=50)
    repacked = save(Image.open(folder / "ellipse.png"), tmp_path / "ellipse-copy.png", optimize=True)
    stranger = save(Image.effect_noise((300, 300), 60).convert("RGB"), tmp_path / "noise.png")
    result, report = verify_json(folder / "town.jpg", copy, repacked, stranger, "--index", db)
    assert result.exit_code == 0
    by_name = {f["path"].rsplit("/", 1)[1]: {x["id"]: x for x in f["findings"]} for f in report["files"]}
    assert by_name["town.jpg"]["duplicate.exact"]["evidence"]["same"] == "bytes"
    assert by_name["ellipse-copy.png"]["duplicate.exact"]["evidence"]["same"] == "pixels"
    match = by_name["tip.jpg"]["duplicate.match"]
    assert match["severity"] == "warn"
    assert match["evidence"]["label"] == "town.jpg" and match["evidence"]["inliers"] >= 16
    assert {"added", "algo", "distance", "threshold", "inliers"} <= set(match["evidence"])
    assert by_name["tip.jpg"]["duplicate.in_batch"]["evidence"]["other"].endswith("town.jpg")
    assert by_name["town.jpg"]["duplicate.in_batch"]["evidence"]["other"].endswith("tip.jpg")
    assert not any(i.startswith("duplicate.") for i in by_name["noise.png"])
    # without --index nothing of this runs
    _, plain = verify_json(folder / "town.jpg", copy)
    assert not any(x["id"].startswith("duplicate.") for f in plain["files"] for x in f["findings"])


def test_jsonl_with_batch_duplicates_still_one_line_per_file(archive, tmp_path):
    db, folder = archive
    result = run("verify", "--jsonl", "--fail-on", "never", "--in-batch", folder / "town.jpg", folder / "town.jpg",
                 SAMPLES / "metadata_none.jpg")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert any(x["id"] == "duplicate.in_batch" for x in lines[0]["findings"])


def test_flat_pictures_are_flagged_on_add_and_in_query(tmp_path):
    flat = save(Image.new("RGB", (300, 200), (120, 120, 120)), tmp_path / "grey.png")
    db = tmp_path / "f.db"
    result = run("index", "add", flat, "--db", db)
    assert result.exit_code == 0 and "PDQ quality" in result.stderr and "not trusted" in result.stderr
    answer = json.loads(run("index", "query", flat, "--json", "--db", db).stdout)["results"][0]
    assert answer["pdq_quality"] < 50 and answer["matches"] == [] and answer["exact"][0]["same"] == "bytes"


def test_labels_stay_home_unless_asked_and_file_names_are_never_labels(tmp_path):
    """A source's name in a file name must not travel to partner newsrooms (issue #10)."""
    folder = tmp_path / "tips"
    folder.mkdir()
    save(town(), folder / "from-li-wei-dormitory-3.jpg", quality=90)
    db = tmp_path / "index.db"
    assert run("index", "add", folder, "--db", db).exit_code == 0
    shared = run("index", "export", "--db", db)
    assert "li-wei" not in shared.stdout
    labelled = save(scene(2, (640, 480)), tmp_path / "second.png")
    run("index", "add", labelled, "--db", db, "--label", "dormitory tip")
    assert "dormitory" not in run("index", "export", "--db", db).stdout
    assert "dormitory tip" in run("index", "export", "--db", db, "--with-labels").stdout
    query = json.loads(run("index", "query", folder / "from-li-wei-dormitory-3.jpg", "--json", "--db", db).stdout)
    assert all("li-wei" not in (m["label"] or "") for m in query["results"][0]["matches"])


@pytest.mark.parametrize("line, problem", [
    ("dhash\t-fffffffffffffff\tminus", "hexadecimal"),
    ("phash\t" + "f" * 50_000 + "\thuge", "characters"),
    ("phash\t" + "f" * 1024 + "\t200-kbit", "bits"),
    ("phash\tffffffffffffffff\t" + "x" * 5000, "characters"),
])
def test_a_bad_hash_line_is_reported_and_the_good_lines_kept(tmp_path, line, problem):
    hashes = tmp_path / "theirs.tsv"
    hashes.write_text(f"phash\t00ff00ff00ff00ff\tgood\n{line}\n")
    db = tmp_path / "index.db"
    result = run("index", "import", hashes, "--db", db)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "1 hashes imported" in result.stdout and f"{hashes}:2:" in result.stderr and problem in result.stderr
    query = run("index", "query", "--hashes", hashes, "--db", db)
    assert query.exit_code == ExitCode.INPUT_ERROR and problem in query.stderr


def test_a_match_names_which_archived_picture_not_only_the_batch_label(tmp_path):
    import hashlib

    from PIL import Image

    db = tmp_path / "index.db"
    first, second = SAMPLES / "clean_camera.jpg", SAMPLES / "jpeg_platform.jpg"
    assert run("index", "add", first, second, "--db", db, "--label", "flood 2019").exit_code == 0
    tip = tmp_path / "tip.jpg"
    Image.open(second).convert("RGB").resize((800, 600)).save(tip, quality=70)  # recycled: resized, resaved
    result = run("verify", tip, "--index", db, "--json", "--fail-on", "never")
    (match,) = [f for f in json.loads(result.stdout)["files"][0]["findings"] if f["id"] == "duplicate.match"]
    wanted = hashlib.sha256(second.read_bytes()).hexdigest()
    assert wanted[:12] in match["message"] and match["evidence"]["sha256"] == wanted
    assert hashlib.sha256(first.read_bytes()).hexdigest()[:12] not in match["message"]
