"""Perceptual hashes: typed values, real distances, robustness properties."""

import pytest
from PIL import Image, ImageOps

from conftest import SAMPLES
from mediavet.archive.hashing import PerceptualHash, compare, compute, dihedral, trim_uniform_border


def picture():
    return Image.open(SAMPLES / "metadata_none.jpg").convert("RGB")


def test_text_round_trip_names_algorithm_and_size():
    for value in compute(picture()):
        text = str(value)
        assert text.startswith(f"{value.algo}:{value.bits}:")
        parsed = PerceptualHash.parse(text)
        assert parsed - value == 0 and parsed.algo == value.algo
    with pytest.raises(ValueError):
        PerceptualHash.parse("pdq:256:abc")  # wrong length
    with pytest.raises(ValueError):
        PerceptualHash.parse("md5:128:" + "0" * 32)  # not a perceptual hash


def test_different_kinds_never_compare():
    pdq, phash, _ = compute(picture())
    with pytest.raises(ValueError):
        pdq - phash


def test_recompressed_and_resized_copies_stay_near_other_pictures_go_far():
    original = picture()
    copy = original.resize((200, 150)).resize((640, 480))
    other = Image.open(SAMPLES / "provenance_ai_parameters.png").convert("RGB")
    for a, b, c in zip(compute(original), compute(copy), compute(other)):
        assert compare(a, b).match, (a.algo, a - b)
        assert not compare(a, c).match, (a.algo, a - c)


def test_a_border_added_around_a_picture_is_trimmed():
    original = picture()
    framed = ImageOps.expand(original, border=(0, 60, 0, 90), fill=(255, 255, 255))
    assert trim_uniform_border(framed).size == original.size
    assert compare(compute(original, ("pdq",))[0], compute(framed, ("pdq",))[0]).match
    assert compute(original, ("pdq",))[0] - compute(framed, ("pdq",), trim=False)[0] > 31


def test_mirrored_copy_matches_a_dihedral_variant():
    original = picture()
    mirrored = original.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    plain = compute(mirrored, ("pdq",))[0]
    assert not compare(compute(original, ("pdq",))[0], plain).match
    assert min(variant - plain for variant in dihedral(original, "pdq")) <= 31


def test_small_rotation_stays_near_quarter_turn_goes_far():
    original = picture()
    base = compute(original, ("phash",))[0]
    assert base - compute(original.rotate(1, resample=Image.Resampling.BILINEAR), ("phash",))[0] <= 10
    assert base - compute(original.rotate(90, expand=True), ("phash",))[0] > 10


def test_flat_image_has_low_pdq_quality():
    flat = Image.new("RGB", (256, 256), (120, 120, 120))
    assert not compute(flat, ("pdq",))[0].trusted
    assert compute(picture(), ("pdq",))[0].trusted


def test_resized_corpus_copies_match(corpus):
    sizes = [compute(Image.open(corpus / "phash" / f"obama-{p}.jpg").convert("RGB")) for p in ("240p", "480p", "720p")]
    for other in sizes[1:]:
        for a, b in zip(sizes[0], other):
            assert compare(a, b).match, (a.algo, a - b)
    peppers = compute(Image.open(corpus / "phash" / "peppers.png").convert("RGB"))
    for a, b in zip(sizes[0], peppers):
        assert not compare(a, b).match


def test_real_photo_invariants(corpus):
    """On a real camera photo: a 1-degree tilt stays within every hash's threshold; another
    photo is beyond it for every hash."""
    from mediavet.media import probe

    photo = probe(corpus / "exif_jpeg" / "Olympus_PEN_E-P3.jpg").image(max_side=720).convert("RGB")
    other = probe(corpus / "faces" / "messi5.jpg").image(max_side=720).convert("RGB")
    tilted = photo.rotate(1, resample=Image.Resampling.BICUBIC)
    for a, b, c in zip(compute(photo), compute(tilted), compute(other)):
        assert compare(a, b).match, (a.algo, a - b)
        assert not compare(a, c).match, (a.algo, a - c)
        assert a - c > 2 * compare(a, b).distance
