"""Safe copies on generated files: what goes in dirty comes out clean, or not at all."""

import hashlib
import io
import json
import os
import stat

import numpy as np
import pytest
from PIL import Image, ImageOps

from conftest import ROOT, run
from generate import (SHORT, app1_exif, app1_xmp, camera_jpeg, exif_block, insert_segments, jpeg_bytes, png_with_text,
                      scene, xmp_packet)
from mediavet.exitcodes import ExitCode
from mediavet.media import probe
from mediavet.redact.audit import audit_media
from mediavet.redact.structure import problems

SCHEMA = json.loads((ROOT / "mediavet" / "report" / "schema.json").read_text())
NO_REGIONS = ("--no-faces", "--no-text", "--no-codes")


def photo(size=(640, 480)):
    detail = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    return Image.blend(scene(0, size), detail, 0.5)


def dirty_jpeg() -> bytes:
    """Camera EXIF with GPS and a thumbnail, XMP naming a person, a comment, an appended video."""
    data = insert_segments(jpeg_bytes(photo(), quality=95), app1_exif(_camera_exif()),
                           app1_xmp(xmp_packet("<dc:creator>Jane Source</dc:creator>")),
                           (0xFE, b"shot from dormitory block C"))
    return data + b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


def _camera_exif(orientation=1):
    from generate import ASCII

    thumb = jpeg_bytes(scene(1).resize((160, 120)), quality=75)
    return exif_block({0x010F: (ASCII, "NIKON CORPORATION"), 0x0110: (ASCII, "NIKON D5300"),
                       0x0112: (SHORT, orientation), 0x013B: (ASCII, "Jane Source")},
                      {0x9003: (ASCII, "2025:06:14 09:30:12"), 0xA431: (ASCII, "SN 4021337")},
                      {0x0001: (ASCII, "N"), 0x0002: (5, [(48, 1), (51, 1), (3024, 100)])}, thumb)


def psnr(a, b) -> float:
    a = np.asarray(a.convert("RGB"), dtype=np.float64)
    b = np.asarray(b.convert("RGB"), dtype=np.float64)
    mse = ((a - b) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def redact(*args):
    return run("redact", *NO_REGIONS, *args)


def test_dirty_jpeg_comes_out_with_pixels_only(tmp_path):
    source = tmp_path / "in" / "DSC_0042 Jane.jpg"
    source.parent.mkdir()
    source.write_bytes(dirty_jpeg())
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    assert {f.id for f in audit_media(probe(source))} >= {"audit.gps", "audit.serial", "audit.owner",
                                                          "audit.thumbnail", "audit.xmp", "audit.text",
                                                          "audit.trailer", "audit.structure"}
    result = redact(source, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 written" in result.stdout
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["safe-0001.jpg"]
    copy = (tmp_path / "out" / "safe-0001.jpg").read_bytes()
    assert problems(copy, "jpeg") == []
    assert audit_media(probe(tmp_path / "out" / "safe-0001.jpg")) == []
    for secret in (b"Jane", b"4021337", b"dormitory", b"Exif", b"ftyp", b"NIKON", b"xmpmeta"):
        assert secret not in copy
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert psnr(Image.open(io.BytesIO(copy)), Image.open(source)) >= 38


def test_orientation_is_applied_to_the_pixels(tmp_path):
    picture = photo((400, 300))
    source = tmp_path / "turned.jpg"
    source.write_bytes(insert_segments(jpeg_bytes(picture, quality=95), app1_exif(_camera_exif(orientation=6))))
    assert redact(source, "-o", tmp_path / "out").exit_code == 0
    copy = Image.open(tmp_path / "out" / "safe-0001.jpg")
    assert copy.size == (300, 400)  # portrait now, with no orientation tag left to say so
    assert psnr(copy, ImageOps.exif_transpose(Image.open(source))) >= 38


@pytest.mark.parametrize("name,make,expect_format,expect_mode", [
    ("text.png", lambda: png_with_text(photo(), {"Author": "Jane Source", "parameters": "a prompt"}), "png", "RGB"),
    ("alpha.png", lambda: _save(photo().convert("RGBA"), "PNG"), "png", "RGBA"),
    ("grey16.png", lambda: _save(Image.fromarray((np.arange(64 * 48, dtype=np.uint16) * 20).reshape(48, 64)), "PNG"),
     "png", "I;16"),
    ("grey.png", lambda: _save(photo().convert("L"), "PNG"), "png", "L"),
    ("lossless.webp", lambda: _save(photo(), "WEBP", lossless=True), "webp", "RGB"),
    ("lossy.webp", lambda: _save(photo(), "WEBP", quality=80, exif=_camera_exif()), "webp", "RGB"),
    ("scan.tiff", lambda: _save(photo(), "TIFF", tiffinfo={315: "Jane Source", 271: "NIKON"}), "png", "RGB"),
    ("anim.gif", lambda: _animated_gif(), "png", "RGB"),
    ("cmyk.jpg", lambda: _save(photo().convert("CMYK"), "JPEG", quality=95), "jpeg", "RGB"),
    ("jpeg-named.png", lambda: dirty_jpeg(), "jpeg", "RGB"),
])
def test_every_format_comes_out_clean_in_its_output_format(tmp_path, name, make, expect_format, expect_mode):
    source = tmp_path / name
    source.write_bytes(make())
    exact = name in ("lossless.webp", "grey16.png")  # pixels kept exactly: only without sensor unlinking
    result = redact(source, "-o", tmp_path / "out", *(["--unlink-sensor", "off"] if exact else []))
    assert result.exit_code == 0, result.output
    (copy,) = (tmp_path / "out").iterdir()
    media = probe(copy)
    assert media.format == expect_format and copy.suffix == {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}[
        expect_format]
    assert audit_media(media) == [] and problems(media.data, expect_format) == []
    decoded = Image.open(copy)
    assert decoded.mode == expect_mode
    if name == "lossless.webp":
        assert b"VP8L" in media.data[:64]
        assert psnr(decoded, Image.open(source)) == 99.0
    if name == "grey16.png":
        assert np.array_equal(np.asarray(decoded), np.asarray(Image.open(source)))


def _save(image, fmt, **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def _animated_gif() -> bytes:
    frames = [scene(i % 2).convert("P") for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=120, loop=0,
                   comment=b"sent by Jane")
    return out.getvalue()


def test_animation_keeps_first_frame_unless_all_frames(tmp_path):
    source = tmp_path / "anim.gif"
    source.write_bytes(_animated_gif())
    redact(source, "-o", tmp_path / "one")
    assert getattr(Image.open(tmp_path / "one" / "safe-0001.png"), "n_frames", 1) == 1
    assert redact(source, "-o", tmp_path / "all", "--all-frames").exit_code == 0
    animated = Image.open(tmp_path / "all" / "safe-0001.png")
    assert animated.n_frames == 3
    assert audit_media(probe(tmp_path / "all" / "safe-0001.png")) == []


def test_names_neutral_random_kept_and_no_overwrite(tmp_path):
    inputs = tmp_path / "in"
    (inputs / "a").mkdir(parents=True)
    (inputs / "b").mkdir()
    for folder in ("a", "b"):
        (inputs / folder / "IMG_0001.jpg").write_bytes(camera_jpeg())
    out = tmp_path / "out"
    assert redact(inputs, "-o", out).exit_code == 0
    assert redact(inputs, "-o", out).exit_code == 0  # the same again: nothing written twice
    assert sorted(p.name for p in out.iterdir()) == ["safe-0001.jpg", "safe-0002.jpg"]
    (inputs / "b" / "IMG_0002.jpg").write_bytes(camera_jpeg(model="NIKON D7500"))
    assert redact(inputs, "-o", out).exit_code == 0  # something new: the numbering continues
    assert sorted(p.name for p in out.iterdir()) == [f"safe-000{i}.jpg" for i in range(1, 4)]
    (inputs / "b" / "IMG_0002.jpg").unlink()
    assert redact(inputs, "-o", tmp_path / "random", "--names", "random").exit_code == 0
    names = [p.name for p in (tmp_path / "random").iterdir()]
    assert len(names) == 2 and all(len(n) == len("0123456789abcdef.jpg") for n in names)
    kept = tmp_path / "kept"
    assert redact(inputs, "-o", kept, "--keep-names").exit_code == 0
    assert sorted(p.name for p in kept.iterdir()) == ["IMG_0001-2.jpg", "IMG_0001.jpg"]
    again = redact(inputs, "-o", kept, "--keep-names")  # unchanged inputs: their copies are kept, not clashed with
    assert again.exit_code == 0 and "already there from an earlier run" in again.stderr + again.stdout
    assert redact(inputs, "-o", kept, "--keep-names", "--overwrite").exit_code == 0
    assert not [p for p in kept.iterdir() if p.name.startswith(".")]
    for copy in kept.iterdir():  # the copies changed: made again, never over what is there now
        copy.write_bytes(b"someone else's file")
    clash = redact(inputs, "-o", kept, "--keep-names")
    assert clash.exit_code == ExitCode.INPUT_ERROR and "already exists" in clash.stderr


def test_manifest_only_where_asked(tmp_path):
    source = tmp_path / "Jane's photo.jpg"
    source.write_bytes(camera_jpeg())
    out = tmp_path / "out"
    manifest = tmp_path / "map.json"
    assert redact(source, "-o", out, "--manifest", manifest).exit_code == 0
    entry = json.loads(manifest.read_text())["files"][0]
    assert entry["input"] == str(source) and entry["output"] == str(out / "safe-0001.jpg")
    assert entry["input_sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert entry["output_sha256"] == hashlib.sha256((out / "safe-0001.jpg").read_bytes()).hexdigest()
    assert [p.name for p in out.iterdir()] == ["safe-0001.jpg"]


def test_times_and_permissions_are_not_copied(tmp_path):
    source = tmp_path / "a.jpg"
    source.write_bytes(camera_jpeg())
    os.chmod(source, 0o600)
    os.utime(source, (1_000_000_000, 1_000_000_000))
    redact(source, "-o", tmp_path / "out")
    copy = tmp_path / "out" / "safe-0001.jpg"
    assert copy.stat().st_mtime > 1_600_000_000
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o666 & ~umask


def test_output_dir_must_not_be_or_sit_inside_an_input(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jpg").write_bytes(camera_jpeg())
    for outdir in (inputs, inputs / "safe"):
        result = redact(inputs, "-o", outdir)
        assert result.exit_code == ExitCode.USAGE and "input" in result.output
    result = redact(inputs / "a.jpg", "-o", inputs, "--keep-names")
    assert result.exit_code == ExitCode.USAGE and "among the originals" in result.output  # its own folder: refused before names
    assert sorted(p.name for p in inputs.iterdir()) == ["a.jpg"]


def test_bad_inputs_cost_one_file_each_and_leave_nothing_half_written(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.jpg").write_bytes(b"")
    (inputs / "random.png").write_bytes(os.urandom(3000))
    (inputs / "truncated.jpg").write_bytes(camera_jpeg()[:1500])
    (inputs / "good.jpg").write_bytes(camera_jpeg())
    sidecar = tmp_path / "IMG_0001.xmp"
    sidecar.write_text(xmp_packet("<exif:GPSLatitude>48,51.5N</exif:GPSLatitude>"))
    out = tmp_path / "out"
    result = redact(inputs, sidecar, "-o", out)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "1 written" in result.stdout
    assert result.stderr.count(": error: ") == 4  # empty, random, truncated, the sidecar
    assert [p.name for p in out.iterdir()] == ["safe-0001.jpg"]  # nothing else, no temporary files


def test_a_copy_that_cannot_be_proven_clean_is_not_written(tmp_path, monkeypatch):
    import mediavet.redact as redact_module

    real_encode = redact_module.encode

    def leaky(picture, fmt, quality):  # an encoder that lets EXIF through
        return insert_segments(real_encode(picture, fmt, quality), app1_exif(_camera_exif()))

    monkeypatch.setattr(redact_module, "encode", leaky)
    source = tmp_path / "a.jpg"
    source.write_bytes(camera_jpeg())
    out = tmp_path / "out"
    result = redact(source, "-o", out, "--jobs", "1")
    assert result.exit_code == ExitCode.NOT_CLEAN
    assert "NOT CLEAN" in result.stderr and "audit.gps" in result.stderr
    assert list(out.iterdir()) == []


def test_audit_gate_exit_codes_and_json(tmp_path):
    import jsonschema

    dirty = tmp_path / "dirty.jpg"
    dirty.write_bytes(dirty_jpeg())
    redact(dirty, "-o", tmp_path / "out")
    clean = tmp_path / "out" / "safe-0001.jpg"
    assert run("audit", clean).exit_code == 0
    result = run("audit", dirty, clean, "--json")
    assert result.exit_code == ExitCode.FINDINGS
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    findings = {f["id"]: f for f in document["files"][0]["findings"]}
    assert findings["audit.gps"]["severity"] == "high" and "GPSLatitude" in findings["audit.gps"]["message"]
    assert "SN 4021337" in findings["audit.serial"]["message"]
    assert document["files"][1]["findings"] == []
    terminal = run("audit", dirty)
    assert "not clean" in terminal.stdout and "audit.thumbnail" in terminal.stdout
    (tmp_path / "notes.xmp").write_text("<x:xmpmeta/>")  # a sidecar is no clean picture: a finding (issue #10)
    sidecar = run("audit", tmp_path / "notes.xmp", "--json")
    assert sidecar.exit_code == ExitCode.FINDINGS
    assert [f["id"] for f in json.loads(sidecar.stdout)["files"][0]["findings"]] == ["audit.not_media"]


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    source = tmp_path / "big.png"
    source.write_bytes(_save(Image.new("L", (4000, 4000)), "PNG"))
    result = redact(source, "-o", tmp_path / "out", "--max-pixels", "1000000")
    assert result.exit_code == ExitCode.INPUT_ERROR and "decompression bomb" in result.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_webp_lossless_with_metadata_first_and_animated_webp(tmp_path):
    source = tmp_path / "meta-first.webp"
    source.write_bytes(_save(photo(), "WEBP", lossless=True, exif=_camera_exif(), icc_profile=b"\0" * 200))
    assert b"VP8L" not in source.read_bytes()[:64]  # the image chunk comes after EXIF/ICC
    assert redact(source, "-o", tmp_path / "a").exit_code == 0
    copy = tmp_path / "a" / "safe-0001.webp"
    assert b"VP8L" in copy.read_bytes()[:64] and audit_media(probe(copy)) == []
    frames = [scene(i % 2) for i in range(3)]
    animated = tmp_path / "anim.webp"
    animated.write_bytes(_save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100,
                               exif=_camera_exif()))
    assert redact(animated, "-o", tmp_path / "b", "--all-frames").exit_code == 0
    copy = tmp_path / "b" / "safe-0001.webp"
    assert Image.open(copy).n_frames == 3 and audit_media(probe(copy)) == []


def test_running_again_writes_nothing_twice_and_resumes(tmp_path):
    import os

    from generate import jpeg_bytes, scene

    tips = tmp_path / "tips"
    tips.mkdir()
    for n in range(3):  # three different pictures (scene has two variants; the sizes differ)
        (tips / f"tip{n}.jpg").write_bytes(jpeg_bytes(scene(n % 2, size=(320 + 16 * n, 240))))
    shared = tmp_path / "shared"
    flags = ("--no-faces", "--no-text", "--no-codes")
    first = run("redact", tips, "-o", shared, *flags)
    assert first.exit_code == 0 and sorted(p.name for p in shared.iterdir()) == [f"safe-000{n}.jpg" for n in (1, 2, 3)]
    (shared / ".mediavet-999999999-x.part").write_bytes(b"debris of a killed run")
    again = run("redact", tips, "-o", shared, *flags)
    assert again.exit_code == 0 and "0 written" in again.stderr + again.stdout
    assert "3 already there from an earlier run" in again.stderr + again.stdout
    assert "removed 1 temporary file an interrupted run left" in again.stderr
    assert sorted(p.name for p in shared.iterdir()) == [f"safe-000{n}.jpg" for n in (1, 2, 3)]
    (tips / "tip1.jpg").write_bytes(jpeg_bytes(scene(0, size=(400, 240))))  # one tip changed: it is copied again
    os.remove(shared / "safe-0003.jpg")  # and a copy someone deleted is made again
    third = run("redact", tips, "-o", shared, *flags)
    assert "2 written" in third.stderr + third.stdout and "1 already there" in third.stderr + third.stdout
    other = run("redact", tips, "-o", shared, *flags, "--quality", "80")  # other settings: a new copy
    assert "3 written" in other.stderr + other.stdout
