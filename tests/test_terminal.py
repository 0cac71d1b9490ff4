"""The terminal says what matters first: the files with HIGH findings, then a few WARN ones;
-q prints only that, -v adds each finding's evidence."""

from conftest import SAMPLES, run


def test_the_summary_names_the_worst_files_first():
    result = run("verify", SAMPLES, "--now", "2026-01-01T00:00:00Z", "--fail-on", "never", "-q")
    lines = result.stdout.splitlines()
    media = [p for p in SAMPLES.iterdir() if p.suffix in (".jpg", ".png", ".mp4")]
    assert lines[0].startswith(f"{len(media)} files, 4 high")  # -q: no per-file blocks before the summary
    start = lines.index("look at these first:")
    listed = [line.split()[0] for line in lines[start + 1:] if line.startswith("  ") and line.split()[0] in ("HIGH", "WARN")]
    assert listed[:4] == ["HIGH"] * 4 and set(listed[4:]) == {"WARN"} and len(listed) == 9
    assert "exif_thumbnail_mismatch.jpg" in result.stdout and "and 11 more with warnings" in result.stdout
    assert "sha256" not in result.stdout


def test_verbose_prints_the_evidence():
    quiet = run("verify", SAMPLES / "exif_daylight_mismatch.jpg", "--fail-on", "never")
    loud = run("verify", SAMPLES / "exif_daylight_mismatch.jpg", "--fail-on", "never", "-v")
    assert '"sun_elevation"' in loud.stdout and '"sun_elevation"' not in quiet.stdout


def test_index_with_no_value_uses_the_default_index(tmp_path, monkeypatch):
    import json

    monkeypatch.setenv("MEDIAVET_INDEX", str(tmp_path / "default.db"))
    assert run("index", "add", SAMPLES / "clean_camera.jpg", "--label", "desk archive").exit_code == 0
    result = run("verify", SAMPLES / "clean_camera.jpg", "--json", "--fail-on", "never", "--index")
    (report,) = json.loads(result.stdout)["files"]
    assert any(f["id"] == "duplicate.exact" for f in report["findings"])


def test_a_dash_reads_one_file_from_standard_input():
    import json
    import subprocess
    import sys

    data = (SAMPLES / "exif_daylight_mismatch.jpg").read_bytes()
    result = subprocess.run([sys.executable, "-m", "mediavet", "verify", "-", "--json", "--fail-on", "never"],
                            input=data, capture_output=True)
    (report,) = json.loads(result.stdout)["files"]
    assert result.returncode == 0 and report["path"].endswith("stdin")
    assert {f["id"] for f in report["findings"]} == {"exif.daylight_mismatch"}
