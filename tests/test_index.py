"""The archive index (library level): add, exact and near lookups, foreign files refused."""

import hashlib
import os

import pytest
from PIL import Image, ImageOps

from conftest import SAMPLES
from mediavet.archive.hashing import Fingerprint, PerceptualHash, fingerprint
from mediavet.archive.index import HashIndex, IndexUnusable


def striped():
    image = Image.new("RGB", (320, 240), (10, 200, 30))
    for x in range(0, 320, 16):
        image.paste((250, 250, 250), (x, 0, x + 8, 240))
    return image


def entry(image):
    return fingerprint(image.convert("RGB"))


def lookup(image):
    return fingerprint(image.convert("RGB"), for_lookup=True)


@pytest.fixture
def index(tmp_path):
    index = HashIndex(tmp_path / "archive.db")
    for name in ("metadata_none.jpg", "provenance_ai_parameters.png"):  # two different pictures
        data = (SAMPLES / name).read_bytes()
        index.add(hashlib.sha256(data).hexdigest(), entry(Image.open(SAMPLES / name)), label=name,
                  source="test", added="2026-01-01T00:00:00+00:00")
    index.add("0" * 64, entry(striped()), label="stripes", added="2026-01-02T00:00:00+00:00")
    yield index
    index.close()


def test_altered_copy_is_found_best_first(index):
    original = Image.open(SAMPLES / "metadata_none.jpg").convert("RGB")
    altered = ImageOps.expand(original.resize((480, 360)), border=40, fill=(0, 0, 0))  # resized + framed
    matches = index.query(lookup(altered))
    assert [m.label for m in matches] == ["metadata_none.jpg"]
    assert matches[0].distance <= matches[0].threshold
    assert set(matches[0].to_json()) >= {"label", "path", "sha256", "algo", "distance", "score", "added"}


def test_unrelated_picture_finds_nothing(index):
    other = Image.effect_noise((320, 240), 80).convert("RGB")
    assert index.query(lookup(other)) == []
    assert [m.label for m in index.query(lookup(striped().resize((200, 150))))] == ["stripes"]


def test_exact_lookup_by_sha256(index):
    sha = hashlib.sha256((SAMPLES / "metadata_none.jpg").read_bytes()).hexdigest()
    assert index.exact(sha) == [{"label": "metadata_none.jpg", "path": None, "added": "2026-01-01T00:00:00+00:00", "same": "bytes",
                                  "sha256": sha}]
    assert index.count() == 3
    assert index.exact("f" * 64) == []


def test_index_persists_and_reopens(tmp_path, index):
    path = index.path
    index.close()
    again = HashIndex(path)
    assert again.count() == 3
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_foreign_files_are_refused_and_left_untouched(unusable_databases):
    for path in unusable_databases:
        before = path.read_bytes()
        with pytest.raises(IndexUnusable):
            HashIndex(path)
        assert path.read_bytes() == before


def _add_many(path, label, count):
    index = HashIndex(path)
    for i in range(count):
        index.add(f"{label}{i:062d}", Fingerprint((PerceptualHash("phash", 64, i * 7919),), ()), label=label)
    index.close()


def test_two_processes_can_add_at_once(tmp_path):
    import multiprocessing

    path = tmp_path / "shared.db"
    HashIndex(path).close()
    workers = [multiprocessing.get_context("fork").Process(target=_add_many, args=(path, name, 60))
               for name in ("aa", "bb")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    index = HashIndex(path)
    assert index.count() == 120
    index.close()


def test_near_flat_pictures_are_kept_but_never_matched_by_hash(tmp_path):
    index = HashIndex(tmp_path / "flat.db")
    grey = Image.new("RGB", (300, 200), (120, 120, 120))
    blue = Image.new("RGB", (300, 200), (20, 40, 200))
    index.add("a" * 64, entry(grey), label="grey")
    assert index.stats()["low_quality"] == 1
    assert all(h.quality < 50 for h in entry(blue).hashes)
    assert index.query(lookup(blue)) == []
    assert index.query(lookup(grey)) == []  # even itself: only bytes or pixels can vouch for it
    index.close()



def _open_and_add(path) -> None:
    """One process's `index add` on a maybe not yet existing index; exit 0 when it worked."""
    index = HashIndex(path)
    index.add(None, fingerprint(Image.new("RGB", (64, 64), (os.getpid() % 255, 10, 10))), label="x")
    index.close()


def test_two_processes_creating_one_new_index_both_succeed(tmp_path):
    """Issue #10: `index add` twice at once on a new index failed in 6 of 15 trials. (Two
    plain processes, joined: a pool's terminate() would send signals this test is not about.)"""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for trial in range(15):
        path = tmp_path / f"new-{trial}.db"
        workers = [context.Process(target=_open_and_add, args=(path,)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(60)
        assert [worker.exitcode for worker in workers] == [0, 0]
        index = HashIndex(path, create=False)
        assert index.db.execute("SELECT count(*) FROM items").fetchone()[0] == 2
        index.close()
