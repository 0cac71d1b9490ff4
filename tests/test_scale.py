"""A batch of any size: reports wait on disk (report/spool.py), so the driver's memory does not
grow with the number of files, whatever the output (JSON document, HTML report, terminal)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOW, ROOT
from generate import jpeg_bytes, scene
from mediavet.report.json_report import document_chunks, dumps
from mediavet.verify import verify_file

# VmHWM is this process image's own peak (ru_maxrss would keep the forking pytest's across exec)
PEAK = ("import re, runpy, sys; sys.argv = ['mediavet'] + sys.argv[1:]\n"
        "try:\n    runpy.run_module('mediavet', run_name='__main__')\n"
        "finally:\n    status = open('/proc/self/status').read()\n"
        "    print('PEAK', re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)")


@pytest.fixture(scope="module")
def batches(tmp_path_factory):
    """2,000 and 20,000 tiny JPEGs, every one different bytes (a comment with its number)."""
    picture = jpeg_bytes(scene(0, size=(24, 16)))
    folders = {}
    for count in (2_000, 20_000):
        folder = tmp_path_factory.mktemp(f"tiny{count}")
        for n in range(count):
            note = str(n).encode()
            (folder / f"t{n:05d}.jpg").write_bytes(picture[:2] + b"\xff\xfe" + (len(note) + 2).to_bytes(2, "big")
                                                   + note + picture[2:])
        folders[count] = folder
    return folders


def verify_peak(folder, *args) -> tuple[int, subprocess.CompletedProcess]:
    """The driver's peak resident memory in KiB (the workers are other processes)."""
    done = subprocess.run([sys.executable, "-c", PEAK, "verify", str(folder), "--now", NOW, "--fail-on", "never",
                           *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return int(re.search(r"PEAK (\d+)", done.stderr).group(1)), done


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak from /proc (Linux)")
@pytest.mark.parametrize("output", ["json", "html", "terminal"])
def test_a_20000_file_verify_runs_in_bounded_memory(batches, tmp_path, output):
    peaks = {}
    for count, folder in batches.items():
        html = tmp_path / f"report{count}.html"
        args = {"json": ["--json"], "html": ["--html", html, "--quiet"], "terminal": []}[output]
        peaks[count], done = verify_peak(folder, *args)
        if output == "json":
            files = json.loads(done.stdout)["files"]
            assert [f["path"] for f in files] == [str(folder / f"t{n:05d}.jpg") for n in range(count)]
            assert all(f["format"] == "jpeg" and not f["error"] for f in files)
        elif output == "html":
            page = html.read_text()
            assert page.count('<section id="file-') == count and page.rstrip().endswith("</html>")
            assert f'<a href="#file-{count}">' in page  # the summary names every file, the last too
        else:
            assert done.stdout.count(f"{folder}/t") >= count  # every file's report printed as it finished
            assert f"{count} files" in done.stdout
    # held in memory, 18,000 more reports took ~270 MB (15 KB each) before they were spooled
    grown_mb = (peaks[20_000] - peaks[2_000]) / 1024
    assert grown_mb < 30, f"the driver grew by {grown_mb:.0f} MB for 18,000 more files: {peaks}"
    assert peaks[20_000] / 1024 < 400, peaks  # the HTML report's decoders and OpenCV alone take ~220 MB


def test_the_streamed_json_document_is_the_one_json_would_write(tmp_path):
    from conftest import SAMPLES

    reports = [verify_file(path) for path in sorted(SAMPLES.glob("*.jpg"))[:3]]
    not_media = [(tmp_path / "notes.txt", "plain text")]
    expected = {"mediavet": __import__("mediavet").__version__, "files": [r.to_json() for r in reports],
                "not_media": [{"path": str(tmp_path / "notes.txt"), "format": "plain text"}]}
    assert "".join(document_chunks(reports, not_media)) == dumps(expected)
    del expected["not_media"]
    assert "".join(document_chunks(reports)) == dumps(expected)
    assert "".join(document_chunks([])) == dumps({"mediavet": expected["mediavet"], "files": []})
    assert "".join(document_chunks([], [])) == dumps({"mediavet": expected["mediavet"], "files": [], "not_media": []})
