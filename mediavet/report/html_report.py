"""The HTML report: one self-contained file an editor can look at.

It opens with a summary of every file, worst first, linking to each file's section, and
the date, mediavet version and settings of the run. Pictures are inline (JPEG data URIs
from mediavet/rendering.py, so they carry no metadata), there are no scripts and no
external requests, and every piece of text that came out of a file is escaped. Per file: the picture, the verdict and findings with their
evidence, key facts, the EXIF thumbnail beside the picture, an error-level map and a noise
map (pictures for a person: no finding comes from them), a clip's keyframes, and archive
matches beside the tip (the archived picture itself when the archive kept its path).
"""

from __future__ import annotations

import html
import io
import json
from datetime import datetime, timezone

from mediavet import __version__
from mediavet.media import DEFAULT_MAX_PIXELS
from mediavet.rendering import SIDE, data_uri  # pictures are downscaled: a report of hundreds of files stays small
from mediavet.report.summary import next_step, rank, verdict
STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
section{border-top:1px solid #ccc;padding:1em 0}
h2{font-size:16px;word-break:break-all}
.pictures{display:flex;gap:1em;flex-wrap:wrap}
figure{margin:0}figcaption{font-size:12px;color:#555}
img{max-width:360px;border:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;vertical-align:top;text-align:left}
.high{color:#b00;font-weight:bold}.warn{color:#a60}.info{color:#06a}.error{color:#808}
pre{white-space:pre-wrap;font-size:12px;margin:0;max-width:60em}
.note{font-size:12px;color:#555}
.summary td:first-child{text-align:right}.summary .unreadable{color:#808;font-weight:bold}
.HIGH{color:#b00;font-weight:bold}.WARN{color:#a60;font-weight:bold}.INFO{color:#06a}.clean{color:#070}
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _figure(image, caption: str) -> str:
    return f'<figure><img src="{data_uri(image)}" alt="{_e(caption)}"><figcaption>{_e(caption)}</figcaption></figure>'


def error_levels(image):
    """Differences after one more JPEG save at quality 90, amplified: areas saved differently stand out."""
    from PIL import Image, ImageChops

    rgb = image.convert("RGB")
    buffer = io.BytesIO()
    rgb.save(buffer, "JPEG", quality=90)
    resaved = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    return ImageChops.difference(rgb, resaved).point(lambda v: min(255, v * 15))


def noise(image):
    """What is left after a median filter, amplified: texture and sensor noise, which splices disturb."""
    from PIL import ImageChops, ImageFilter

    grey = image.convert("L")
    return ImageChops.difference(grey, grey.filter(ImageFilter.MedianFilter(3))).point(lambda v: min(255, v * 8))


def _pictures(report, max_pixels: int) -> str:
    """The picture, its thumbnail, the maps; a clip's keyframes. Nothing when the file cannot be read."""
    from mediavet.errors import MediaError
    from mediavet.media import probe

    try:
        media = probe(report.path, max_pixels=max_pixels)  # the run's own budget: a refused picture stays refused
        if media.is_video:
            from mediavet.archive.keyframes import keyframes

            media.check_frames()
            return "".join(_figure(frame.image, f"keyframe at {frame.seconds:.1f} s")
                           for frame in keyframes(media.path, limit=6))
        from mediavet.report.figures import evidence_figures

        picture = media.image(max_side=SIDE * 2)
        figures = evidence_figures(media, report.findings, SIDE * 2)
        parts = [] if figures and figures[0][0].startswith("the picture") else [_figure(picture, "the picture")]
        parts += [_figure(image, caption) for caption, image in figures]
        if media.metadata.exif.thumbnail and not any(caption == "embedded EXIF thumbnail" for caption, _ in figures):
            try:
                parts.append(_figure(media.thumbnail(), "embedded EXIF thumbnail"))
            except MediaError as exc:
                parts.append(f'<p class="note">the EXIF thumbnail is not shown: {_e(exc.message)}</p>')
        parts.append(_figure(error_levels(picture), "error levels (JPEG q90 re-save, ×15)"))
        parts.append(_figure(noise(picture), "noise residual (median 3×3, ×8)"))
        return "".join(parts)
    except (MediaError, Exception):
        return ""


def _matches(report, max_pixels: int) -> str:
    """Archive matches beside the tip: the archived picture when its path was kept, else its label."""
    from mediavet.media import probe

    cells = []
    for finding in report.findings:
        if finding.id not in ("duplicate.match", "duplicate.exact"):
            continue
        evidence = finding.evidence
        caption = f"archive: {evidence.get('label')} (added {evidence.get('added')})"
        if evidence.get("region"):  # the part of this picture beside the archived one
            try:
                from mediavet.report.figures import matched_part

                x, y, w, h = evidence["region"]
                cells.append(_figure(matched_part(probe(report.path, max_pixels=max_pixels), evidence["region"], SIDE),
                                     f"this picture, {w}×{h} at {x},{y}: the part that looks like it"))
            except Exception:
                pass
        picture = ""
        try:
            if evidence.get("path"):
                archived = probe(evidence["path"], max_pixels=max_pixels)
                if not archived.is_video:
                    picture = _figure(archived.image(max_side=SIDE * 2), caption)
        except Exception:
            picture = ""
        cells.append(picture or f'<figure><figcaption>{_e(caption)}; the picture is not kept in the archive'
                                f"</figcaption></figure>")
    return f'<div class="pictures">{"".join(cells)}</div>' if cells else ""


def _facts(report) -> str:
    facts = report.facts or {}
    gps = facts.get("gps")
    rows = [("camera", facts.get("camera")),
            ("captured", f"{facts['capture_time']} ({facts['capture_time_source']})" if facts.get("capture_time") else None),
            ("GPS", f"{gps['lat']:.6f}, {gps['lon']:.6f}" if gps else None), ("software", facts.get("software")),
            ("JPEG quality", facts.get("jpeg_quality") and
             f"{facts['jpeg_quality']['quality']} ({'standard' if facts['jpeg_quality']['standard_tables'] else 'own'} tables)"),
            ("size", f"{report.width}x{report.height} {report.format}"), ("sha256", report.sha256)]
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows if v) + "</table>"


def _findings(report) -> str:
    if report.error:
        return f'<p class="error">cannot be verified: {_e(report.error["message"])}</p>'
    if not report.findings:
        return "<p>no findings</p>"
    rows = "".join(
        f'<tr><td class="{_e(f.severity)}">{_e(f.severity)}</td><td>{_e(f.id)}</td><td>{_e(f.message)}</td>'
        f'<td><pre>{_e(json.dumps(f.evidence, ensure_ascii=False, indent=1, default=str)[:3000])}</pre></td></tr>'
        for f in report.findings)
    return f"<table><tr><th>severity</th><th>finding</th><th>what it means</th><th>evidence</th></tr>{rows}</table>"


def _summary(briefs) -> str:
    rows = "".join(
        f'<tr><td>{number}</td><td><a href="#file-{number}">{_e(brief.path)}</a></td>'
        f'<td class="{_e(verdict(brief))}">{_e(verdict(brief))}</td>'
        f'<td>{"<br>".join(_e(m) for m in brief.top) or "—"}</td><td>{_e(brief.next)}</td></tr>'
        for number, brief in rank(briefs))
    return (f'<table class="summary"><tr><th>#</th><th>file</th><th>verdict</th><th>top findings</th>'
            f"<th>what to do next</th></tr>{rows}</table>")


def section(number: int, report, max_pixels: int = DEFAULT_MAX_PIXELS) -> str:
    """One file's part of the report; written as the file finishes, so a batch of any size
    never holds more than one file's pictures."""
    return (f'<section id="file-{number}"><h2>{number}. {_e(report.path)} — <span class="{_e(verdict(report))}">'
            f"{_e(verdict(report))}</span></h2><p>{_e(next_step(report))}</p>{_findings(report)}{_facts(report)}"
            f'<div class="pictures">{_pictures(report, max_pixels)}</div>{_matches(report, max_pixels)}</section>')


def head(briefs, max_pixels: int = DEFAULT_MAX_PIXELS, settings: dict | None = None) -> str:
    """Everything before the files' sections: the title, the settings and the summary."""
    when = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    used = {k: v for k, v in {"max_pixels": max_pixels, **(settings or {})}.items() if v not in (None, False)}
    counts = {name: sum(1 for b in briefs if verdict(b) == name) for name in ("HIGH", "WARN", "INFO", "clean",
                                                                              "unreadable")}
    tally = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"generator\" content=\"mediavet {_e(__version__)}\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            f"style-src 'unsafe-inline'\"><title>mediavet report</title><style>{STYLE}</style></head><body>"
            f"<h1>mediavet {_e(__version__)}: {len(briefs)} file{'s' if len(briefs) != 1 else ''} ({_e(tally)})</h1>"
            f'<p class="note">written {_e(when)}; settings: '
            f'{_e(", ".join(f"{k}={v}" for k, v in sorted(used.items())))}</p>{_summary(briefs)}'
            f'<p class="note">The error-level and noise maps are pictures for a person to look at; no finding '
            f"comes from them alone.</p>")


TAIL = "</body></html>\n"


class HtmlReport:
    """The report written as files finish: each section goes to a private temporary file at
    once; `finish()` writes the head (which needs every file's Brief) and copies the sections
    after it into the target, atomically."""

    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS, settings: dict | None = None):
        import tempfile

        self.max_pixels, self.settings = max_pixels, settings
        self._sections = tempfile.TemporaryFile()
        self._count = 0

    def add(self, report) -> None:
        import warnings

        self._count += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decoders warn about the damage the report already shows
            self._sections.write(section(self._count, report, self.max_pixels).encode("utf-8"))

    def finish(self, target, briefs) -> None:
        import shutil

        from mediavet.atomic import atomic_file

        with atomic_file(target) as out:
            out.write(head(briefs, self.max_pixels, self.settings).encode("utf-8"))
            self._sections.seek(0)
            shutil.copyfileobj(self._sections, out, 1 << 20)
            out.write(TAIL.encode("utf-8"))
        self._sections.close()
