"""The gate never lies (issue #10): `audit` accounts for every entry under its paths, no
command writes over what it was given, and hostile inputs end cleanly. Each test rebuilds
one reported problem from a generated file or a scripted operator mistake."""

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from conftest import ROOT, run
from generate import camera_jpeg, jpeg_bytes, scene
from mediavet.exitcodes import ExitCode


def audit_json(*paths):
    result = run("audit", "--json", *paths)
    return result, {os.path.basename(f["path"]): f for f in json.loads(result.stdout)["files"]}


def findings(report) -> set:
    return {f["id"] for f in report["findings"]}


def test_audit_sees_hidden_files_sidecars_and_notes(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "safe-0001.jpg").write_bytes(jpeg_bytes(scene(1)))
    (shared / ".cache.jpg").write_bytes(camera_jpeg())  # hidden, with GPS
    (shared / "DJI_0001.SRT").write_text("1\n00:00:00,000 --> 00:00:00,033\n[latitude: 39.9042] [longitude: 116.4074]\n")
    (shared / "notes.json").write_text('{"source": "the name of the person who sent these"}')
    (shared / ".hidden").mkdir()
    (shared / ".hidden" / "tip.jpg").write_bytes(camera_jpeg())
    result, reports = audit_json(shared)
    assert result.exit_code == ExitCode.FINDINGS
    assert set(reports) == {"safe-0001.jpg", ".cache.jpg", "DJI_0001.SRT", "notes.json", "tip.jpg"}
    assert findings(reports["safe-0001.jpg"]) == set()
    assert "audit.gps" in findings(reports[".cache.jpg"]) and "audit.gps" in findings(reports["tip.jpg"])
    assert findings(reports["DJI_0001.SRT"]) == {"audit.not_media"} == findings(reports["notes.json"])


def test_audit_reports_a_folder_it_cannot_list(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    (shared / "locked").mkdir(parents=True)
    (shared / "safe-0001.jpg").write_bytes(jpeg_bytes(scene(1)))
    real_scandir = os.scandir

    def scandir(path="."):  # root reads any folder, so the refusal is scripted
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", lambda path=".": scandir(path) and [])
    result, reports = audit_json(shared)
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "Permission denied" in reports["locked"]["error"]["message"]


@pytest.mark.parametrize("command", [["verify"], ["audit"], ["redact", "-o", "{out}"], ["index", "add", "--db", "{db}"]])
def test_a_fifo_is_reported_and_never_opened(tmp_path, command):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jpg").write_bytes(jpeg_bytes(scene(0)))
    os.mkfifo(inputs / "pipe.jpg")
    args = [a.format(out=tmp_path / "out", db=tmp_path / "index.db") for a in command]
    done = subprocess.run([sys.executable, "-m", "mediavet", *args, str(inputs)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert "pipe.jpg" in done.stderr + done.stdout and "FIFO" in done.stderr + done.stdout
    assert done.returncode == ExitCode.INPUT_ERROR, done.stderr
