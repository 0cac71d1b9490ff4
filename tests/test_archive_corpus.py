"""Archive matching on real corpus pictures that are related in known ways."""

import pytest

from mediavet.archive import keypoints
from mediavet.archive.hashing import HASH_SIDE, fingerprint
from mediavet.archive.index import HashIndex
from mediavet.media import probe

RELATED = [
    ("phash/obama-720p.jpg", "phash/obama-240p.jpg"),  # the same frame at another resolution
    ("phash/IMG_4120.JPG", "phash/IMG_E4120.JPG"),  # the iPhone's own edit: cropped square
    ("faces/fr_obama.jpg", "faces/fr_obama_partial_face.jpg"),  # a tight crop of the portrait
    ("exif_jpeg/canon_sx60_hdr_NO.jpg", "phash/canon_sx60_hdr_YES.jpg"),  # HDR twin of one shot
]
UNRELATED = ["faces/fr_biden.jpg", "exif_jpeg/Apple_iPhone_4.jpg", "text/alpr_eu1.jpg"]


def load(corpus, name, lookup=False):
    return fingerprint(probe(corpus / name).image(max_side=HASH_SIDE), for_lookup=lookup)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    index = HashIndex(tmp_path_factory.mktemp("corpus") / "index.db")
    for original, _ in RELATED:
        index.add(None, load(CORPUS, original), label=original)
    yield index
    index.close()


@pytest.mark.parametrize("original,copy", RELATED)
def test_related_copies_find_their_original_first(archive, corpus, original, copy):
    matches = archive.query(load(corpus, copy, lookup=True))
    assert matches and matches[0].label == original
    assert matches[0].inliers is not None and matches[0].inliers >= keypoints.MIN_INLIERS


def test_cropped_edit_is_found_only_by_keypoints(archive, corpus):
    # IMG_E4120 is a square crop: PDQ is 110 bits away, far past its threshold
    matches = archive.query(load(corpus, "phash/IMG_E4120.JPG", lookup=True))
    assert matches[0].label == "phash/IMG_4120.JPG"
    assert matches[0].algo in ("orb", "phash", "dhash")


@pytest.mark.parametrize("name", UNRELATED)
def test_unrelated_pictures_match_nothing(archive, corpus, name):
    assert archive.query(load(corpus, name, lookup=True)) == []
