"""The HTML report: self-contained, every file shown, untrusted text escaped."""

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from conftest import SAMPLES, run
from generate import camera_jpeg


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.sources, self.sections = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "section":
            self.sections += 1
        for key in ("src", "href"):
            if key in attrs:
                self.sources.append(attrs[key])


def test_report_is_self_contained_and_shows_every_file(tmp_path, corpus):
    hostile = tmp_path / "hostile.jpg"
    hostile.write_bytes(camera_jpeg(software="<script>alert(1)</script> Adobe Photoshop"))
    report = tmp_path / "report.html"
    result = run("verify", "--fail-on", "never", "--html", report, SAMPLES, hostile,
                 corpus / "video" / "iPhone6_with-gps.mov", tmp_path / "missing.jpg")
    assert result.exit_code == 3  # the missing file; the report is written all the same
    text = report.read_text()
    page = Collector()
    page.feed(text)
    media = [p for p in SAMPLES.iterdir() if p.suffix in (".jpg", ".png", ".mp4")]
    assert page.sections == len(media) + 3
    assert "script" not in page.tags and "link" not in page.tags
    assert page.sources and all(source.startswith(("data:image/jpeg;base64,", "#file-")) for source in page.sources)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "<script>alert" not in text
    assert "default-src 'none'" in text  # and the browser is told to fetch nothing
    assert "embedded EXIF thumbnail" in text and "error levels" in text and "keyframe at" in text
    assert "cannot be verified" in text


def test_report_opens_with_a_summary_worst_first(tmp_path):
    report = tmp_path / "report.html"
    names = ["clean_camera.jpg", "exif_make_model.jpg", "provenance_ai_generated.jpg"]
    result = run("verify", "--fail-on", "never", "--html", report, *(SAMPLES / n for n in names),
                 tmp_path / "missing.jpg")
    assert f"HTML report written to {report}" in result.stderr
    text = report.read_text()
    summary = text[text.index('class="summary"'):text.index("</table>")]
    order = [int(n) for n in re.findall(r'href="#file-(\d+)"', summary)]
    assert order == [4, 3, 2, 1]  # unreadable, HIGH, WARN, clean
    for number in order:
        assert f'id="file-{number}"' in text
    assert "treat it as not a photograph" in summary and "mediavet 0." in text and "max_pixels=" in text


@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no Chromium")
def test_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    run("verify", "--fail-on", "never", "--html", report, SAMPLES / "clean_camera.jpg")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,900", report.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
    assert re.search(r"clean_camera", report.read_text())


def test_archive_matches_are_shown_beside_the_tip(tmp_path):
    from PIL import Image, ImageOps

    archived = tmp_path / "archived.png"
    detail = Image.effect_mandelbrot((640, 480), (-2.2, -1.2, 1.0, 1.2), 60).convert("RGB")
    detail.save(archived)
    db = tmp_path / "index.db"
    assert run("index", "add", archived, "--db", db, "--store-path", "--label", "flood 2019").exit_code == 0
    tip = tmp_path / "tip.jpg"
    ImageOps.mirror(detail).crop((30, 20, 620, 460)).save(tip, quality=70)
    report = tmp_path / "report.html"
    run("verify", "--fail-on", "never", "--index", db, "--html", report, tip)
    text = report.read_text()
    assert "archive: flood 2019" in text
    assert text.count("<img") >= 4  # the tip, its two maps, and the archived picture


def test_the_area_that_differs_from_the_thumbnail_is_outlined(tmp_path, corpus):
    from test_thumbnail_local import edited

    data, _box = edited(corpus / "exif_jpeg" / "Google_Nexus_4.jpg", "paint", 0.2, 1)
    (tmp_path / "edited.jpg").write_bytes(data)
    report = tmp_path / "report.html"
    run("verify", "--fail-on", "never", "--html", report, tmp_path / "edited.jpg")
    assert "the area that differs from its thumbnail outlined" in report.read_text()
    assert "difference from the thumbnail" in report.read_text()
