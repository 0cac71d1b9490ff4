"""Bad input: one clear line per file, the batch goes on, exit code 3, no traceback."""

import json
import os
import struct
import zlib

import pytest

from conftest import SAMPLES, run
from generate import camera_jpeg, exif_block, insert_segments, jpeg_bytes, scene


def png_header_only(width, height):
    """A PNG whose IHDR declares a huge image: a decompression bomb's front page."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.fixture
def bad_dir(tmp_path):
    good = camera_jpeg()
    files = {
        "empty.jpg": b"",
        "truncated.jpg": good[: len(good) // 2],
        "random.jpg": os.urandom(4096),
        "text.png": b"this is not a picture, just some notes\n" * 10,
        "bomb.png": png_header_only(30000, 30000),
        "bad_exif_offsets.jpg": insert_segments(jpeg_bytes(scene(0)), (0xE1, b"Exif\x00\x00" + exif_block(
            {0x010F: (2, "Canon")})[:12] + b"\xff" * 8)),
        "good.jpg": good,
        "notes.txt": b"source said: taken on Tuesday\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    os.symlink(tmp_path / "missing-target.jpg", tmp_path / "dangling.jpg")
    return tmp_path


def test_batch_goes_on_and_exit_code_is_3(bad_dir):
    result = run("verify", "--json", "--fail-on", "never", bad_dir)
    assert result.exit_code == 3
    reports = {os.path.basename(f["path"]): f for f in json.loads(result.stdout)["files"]}
    assert reports["good.jpg"]["error"] is None and reports["good.jpg"]["findings"] == []
    expected = {"empty.jpg": "empty", "truncated.jpg": "truncated", "random.jpg": "unsupported",
                "bomb.png": "too_large", "dangling.jpg": "unreadable", "text.png": "unsupported"}
    for name, kind in expected.items():
        assert reports[name]["error"]["kind"] == kind, name
        assert "\n" not in reports[name]["error"]["message"]
    assert "notes.txt" not in reports  # in a directory, a file neither named nor shaped as media is skipped
    bad_exif = reports["bad_exif_offsets.jpg"]
    assert bad_exif["error"] is None
    assert "exif.corrupt" in {f["id"] for f in bad_exif["findings"]}


def test_named_non_media_file_is_an_error(bad_dir):
    result = run("verify", bad_dir / "text.png", bad_dir / "good.jpg")
    assert result.exit_code == 3
    assert "text.png" in result.stdout and "unsupported format: plain text, though named like png" in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.count("\n") == 1  # one line per bad file on stderr


def test_bomb_is_refused_before_decoding_and_limit_is_adjustable(bad_dir):
    result = run("verify", "--json", bad_dir / "bomb.png")
    error = json.loads(result.stdout)["files"][0]["error"]
    assert error["kind"] == "too_large" and "900 MP" in error["message"]
    small_limit = run("verify", "--json", "--max-pixels", "1000", SAMPLES / "clean_camera.jpg")
    assert json.loads(small_limit.stdout)["files"][0]["error"]["kind"] == "too_large"
    assert small_limit.exit_code == 3


def test_wrong_extension_is_sniffed_not_trusted():
    result = run("verify", "--json", "--fail-on", "never", SAMPLES / "file_type_mismatch.png")
    report = json.loads(result.stdout)["files"][0]
    assert report["format"] == "jpeg" and report["width"] == 320


def test_cli_process_has_no_traceback_on_garbage(tmp_path):
    import subprocess
    import sys

    (tmp_path / "x.jpg").write_bytes(b"\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00*\x00\x00\x00\x08")
    proc = subprocess.run([sys.executable, "-m", "mediavet", "verify", str(tmp_path / "x.jpg")],
                          capture_output=True, text=True)
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "x.jpg" in proc.stderr


def test_mutated_files_never_crash_a_check(tmp_path):
    """Flip bytes all over real samples: every result is a report or a clean error, never an exception."""
    import random

    from mediavet.verify import VerifyOptions, verify_file

    rng = random.Random(1234)
    originals = [p for p in sorted(SAMPLES.iterdir()) if p.suffix in (".jpg", ".png")]
    internal = []
    for round_ in range(300):
        source = originals[round_ % len(originals)]
        data = bytearray(source.read_bytes())
        for _ in range(rng.randint(1, 12)):
            position = rng.randrange(min(len(data), 2048)) if rng.random() < 0.7 else rng.randrange(len(data))
            data[position] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(len(data))]
        path = tmp_path / f"mutant{source.suffix}"
        path.write_bytes(bytes(data))
        report = verify_file(path, VerifyOptions())
        crashed = [f for f in report.findings if f.id == "mediavet.check_error"]
        if crashed or (report.error and report.error["kind"] == "internal"):
            internal.append((source.name, report.error, crashed))
    assert not internal, internal[:3]
