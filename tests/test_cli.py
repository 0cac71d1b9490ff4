"""The command line: help, version, start-up cost, output formats, schema, untrusted text."""

import json
import subprocess
import sys

import jsonschema
import pytest

from conftest import ROOT, SAMPLES, run
from generate import camera_jpeg
from mediavet.cli import main
from mediavet.exitcodes import ExitCode

SCHEMA = json.loads((ROOT / "mediavet" / "report" / "schema.json").read_text())


def commands(group=main, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from commands(command, prefix + (name,))


@pytest.mark.parametrize("command", [()] + list(commands()), ids=lambda c: " ".join(c) or "mediavet")
def test_every_command_has_help_and_is_in_the_readme(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout
    if "Commands:" in result.stdout:  # a group: its command list is never cut mid-sentence
        assert "..." not in result.stdout.split("Commands:")[1]
    else:
        assert "Example" in result.stdout  # every command shows how it is used
    if command:
        assert f"mediavet {' '.join(command)}" in (ROOT / "README.md").read_text()


def test_version():
    from mediavet import __version__

    assert run("--version").stdout.strip().endswith(__version__)


def test_startup_imports_nothing_heavy():
    code = ("import sys; from mediavet.cli import main; "
            "heavy = [m for m in ('PIL', 'numpy', 'cv2', 'onnxruntime', 'av', 'rich', 'exifread') if m in sys.modules]; "
            "print(','.join(heavy))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == ""


def test_exit_codes_are_stable():
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 4]
    assert run("verify").exit_code == ExitCode.USAGE
    assert run("verify", "--fail-on", "sometimes", SAMPLES / "clean_camera.jpg").exit_code == ExitCode.USAGE


def test_json_output_validates_against_the_schema():
    result = run("verify", "--json", "--fail-on", "never", SAMPLES, "/nonexistent.jpg")
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    media = [p for p in SAMPLES.iterdir() if p.suffix in (".jpg", ".png", ".mp4")]
    assert len(document["files"]) == len(media) + 1


def test_jsonl_streams_one_object_per_file():
    result = run("verify", "--jsonl", "--fail-on", "never", SAMPLES / "clean_camera.jpg", SAMPLES / "metadata_none.jpg")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        jsonschema.validate({"mediavet": "x", "files": [json.loads(line)]}, SCHEMA)
    assert run("verify", "--json", "--jsonl", SAMPLES / "clean_camera.jpg").exit_code == ExitCode.USAGE


def test_json_is_deterministic():
    first = run("verify", "--json", "--now", "2026-01-01T00:00:00Z", SAMPLES).stdout
    second = run("verify", "--json", "--now", "2026-01-01T00:00:00Z", SAMPLES).stdout
    assert first == second


def test_untrusted_metadata_is_printed_without_control_characters(tmp_path):
    hostile = "Canon\x1b[2J\x1b]0;owned\x07 [bold red]FAKE[/]"
    path = tmp_path / "hostile.jpg"
    path.write_bytes(camera_jpeg(model=hostile))
    result = run("verify", path)
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "[bold red]FAKE[/]" in result.stdout  # shown literally, not interpreted as markup


def test_terminal_report_shows_facts():
    result = run("verify", "--now", "2026-01-01T00:00:00Z", SAMPLES / "clean_camera.jpg")
    out = result.stdout
    assert "NIKON CORPORATION NIKON D5300" in out
    assert "2025-06-14T09:30:12+03:00" in out
    assert "48.858" in out and "2.294" in out
    assert "no findings" in out and result.exit_code == 0


def test_worker_processes_give_the_same_report():
    args = ("verify", "--json", "--fail-on", "never", "--now", "2026-01-01T00:00:00Z", SAMPLES)
    assert run(*args, "--jobs", "1").stdout == run(*args, "--jobs", "2").stdout
