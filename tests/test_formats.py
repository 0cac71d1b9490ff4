"""Every file under the given paths is accounted for: what mediavet reads is verified and
copied, a picture, clip or recording it does not read is an `unsupported` error naming the
format found in its bytes (exit 3), and the rest (notes, archives, sidecars) is listed."""

import json
import wave
import zipfile

import pytest

from conftest import run, verify_json
from generate import jpeg_bytes, scene
from mediavet.exitcodes import ExitCode


@pytest.fixture
def card(tmp_path):
    """A source's memory card: a photo, media mediavet does not read, and other files."""
    folder = tmp_path / "card"
    (folder / "DCIM").mkdir(parents=True)
    (folder / "DCIM" / "photo.jpg").write_bytes(jpeg_bytes(scene(1)))
    (folder / "DCIM" / ".hidden.jpg").write_bytes(jpeg_bytes(scene(2)))  # hidden: still a photo
    (folder / "DCIM" / "edit.psd").write_bytes(b"8BPS\x00\x01" + bytes(200))
    with wave.open(str(folder / "DCIM" / "voice.wav"), "wb") as voice:  # a recording: media, not read
        voice.setnchannels(1), voice.setsampwidth(2), voice.setframerate(8000)
        voice.writeframes(bytes(1600))
    (folder / "notes.txt").write_text("met the source on Tuesday\n")
    (folder / "meta.json").write_text('{"source": "name"}')
    with zipfile.ZipFile(folder / "backup.zip", "w") as archive:
        archive.writestr("a.txt", "b")
    return folder


def test_verify_names_every_file_it_does_not_read(card):
    result, data = verify_json(card, "--fail-on", "never")
    assert result.exit_code == ExitCode.INPUT_ERROR
    errors = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in data["files"] if f["error"]}
    assert errors["edit.psd"] == {"kind": "unsupported", "message": "unsupported format: Photoshop PSD"}
    assert errors["voice.wav"]["message"] == "unsupported format: WAV audio"
    assert {f["path"].rsplit("/", 1)[-1] for f in data["files"] if not f["error"]} == {"photo.jpg", ".hidden.jpg"}
    listed = {item["path"].rsplit("/", 1)[-1]: item["format"] for item in data["not_media"]}
    assert listed == {"notes.txt": "plain text", "meta.json": "JSON text",
                      "backup.zip": "ZIP archive (or a document packed as one)"}
    assert "3 files under the paths are not media and were not verified" in result.stderr
    terminal = run("verify", card, "--fail-on", "never")
    assert "2 unsupported" in terminal.stdout


def test_redact_leaves_nothing_unmentioned(card, tmp_path):
    result = run("redact", card, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "edit.psd: error: unsupported format: Photoshop PSD" in result.stderr
    assert "notes.txt: not copied: not media (plain text)" in result.stderr
    assert "2 written" in result.stderr + result.stdout and "3 not media (not copied)" in result.stderr + result.stdout


def test_messages_are_the_same_from_run_to_run(tmp_path):
    (tmp_path / "noise.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    first = verify_json(tmp_path / "noise.jpg")[1]["files"][0]["error"]
    second = verify_json(tmp_path / "noise.jpg")[1]["files"][0]["error"]
    assert first == second and " at 0x" not in first["message"]
