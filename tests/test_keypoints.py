"""Keypoint signatures: altered copies agree geometrically, different pictures do not."""

from PIL import Image, ImageDraw, ImageOps

from conftest import SAMPLES
from mediavet.archive import keypoints
from mediavet.archive.hashing import fingerprint


def photo():
    return Image.open(SAMPLES / "metadata_none.jpg").convert("RGB")


def test_crop_tilt_and_banner_keep_the_geometry():
    original = keypoints.extract(photo())
    w, h = photo().size
    crop = photo().crop((int(0.07 * w), int(0.03 * h), int(0.97 * w), int(0.93 * h)))
    tilted = photo().rotate(3, resample=Image.Resampling.BICUBIC).crop((30, 30, w - 30, h - 30))
    banner = photo()
    ImageDraw.Draw(banner).rectangle((0, int(h * 0.88), w, h), fill=(200, 0, 0))
    for copy in (crop, tilted, banner):
        assert keypoints.same_picture(original, keypoints.extract(copy, keypoints.QUERY))


def test_a_lookup_carries_the_mirrored_signature():
    stored = fingerprint(photo()).signatures[0]
    lookup = fingerprint(ImageOps.mirror(photo()), for_lookup=True)
    assert len(lookup.signatures) == 2
    assert keypoints.same_picture(stored, lookup.signatures[1]) >= 2 * keypoints.MIN_INLIERS


def test_different_pictures_do_not_agree():
    stored = keypoints.extract(photo())
    other = Image.open(SAMPLES / "provenance_ai_parameters.png").convert("RGB")
    noise = Image.effect_noise((640, 480), 90).convert("RGB")
    for picture in (other, noise):
        assert keypoints.inliers(stored, keypoints.extract(picture, keypoints.QUERY)) < keypoints.MIN_INLIERS


def test_signature_survives_storage_and_is_spread_out():
    signature = keypoints.extract(photo())
    again = keypoints.Signature.from_blobs(*signature.to_blobs(), *signature.size)
    assert (again.xy == signature.xy).all() and (again.descriptors == signature.descriptors).all()
    assert len(signature) == keypoints.STORED
    width, height = signature.size
    rows = set((signature.xy[:, 1] * keypoints.GRID // height).astype(int).tolist())
    assert len(rows) >= 3  # not all in one band


def test_flat_picture_has_no_keypoints():
    flat = keypoints.extract(Image.new("RGB", (300, 200), (90, 90, 90)))
    assert len(flat) == 0
    assert keypoints.inliers(flat, flat) == 0
