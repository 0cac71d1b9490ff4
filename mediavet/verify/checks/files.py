"""File-level checks: the name against the content, and data hidden after the image."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from mediavet.formats import PHOTO_FORMATS, VIDEO_FORMATS
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check


@check("file.type_mismatch", PHOTO_FORMATS + VIDEO_FORMATS)
def type_mismatch(media, options):
    named = media.extension_format
    if named is None or named == media.format:
        return []
    return [Finding(
        "file.type_mismatch", Severity.WARN,
        f"named as {named} ({media.path.suffix}) but the content is {media.format}",
        {"extension": media.path.suffix, "extension_format": named, "content_format": media.format},
    )]


@check("file.trailing_data")
def trailing_data(media, options):
    trailer = media.metadata.trailer
    if trailer is None or trailer.padding:
        return []
    return [Finding(
        "file.trailing_data", Severity.WARN,
        f"{trailer.size} bytes after the image's end marker, looks like: {trailer.kind}",
        {"offset": trailer.offset, "size": trailer.size, "guess": trailer.kind},
    )]


# files a camera, phone or drone leaves beside the picture or clip, and what they give away
COMPANIONS = {".srt": "subtitle/telemetry track (drones write position and altitude per frame)",
              ".aae": "Apple edit instructions (the picture was edited on the device)",
              ".xmp": "XMP sidecar (edits, keywords, sometimes location)",
              ".thm": "thumbnail", ".lrv": "low-resolution copy of the clip", ".gpx": "GPS track",
              ".json": "Google Takeout metadata (time and location)"}


SIDECAR_READ = 2_000_000  # bytes of a sidecar read for positions, at the most


def _start(path) -> bytes:
    """The first SIDECAR_READ bytes of a regular sidecar (never the whole of a 6 GiB one)."""
    from mediavet.errors import MediaError
    from mediavet.formats import head

    try:
        return head(path, SIDECAR_READ)
    except MediaError:
        return b""


@lru_cache(maxsize=4)
def _by_stem(folder: str, mtime_ns: int) -> dict[str, tuple[str, ...]]:
    """A folder's file names by stem, listed once per worker while the folder is unchanged
    (globbing for each file made a folder of 20,000 files cost 20,000 listings)."""
    found: dict[str, list[str]] = {}
    for name in sorted(os.listdir(folder)):
        found.setdefault(Path(name).stem, []).append(name)
    return {stem: tuple(names) for stem, names in found.items()}


@check("file.companion", PHOTO_FORMATS + VIDEO_FORMATS)
def companion(media, options):
    """Files with the same name beside this one (IMG_0001.AAE, DJI_0001.SRT)."""
    from mediavet.metadata.video import positions

    findings = []
    folder = media.path.parent
    try:
        siblings = [folder / name for name in _by_stem(str(folder), os.stat(folder).st_mtime_ns).get(media.path.stem, ())]
    except OSError:
        return []
    takeout = media.path.with_name(media.path.name + ".json")  # Google Takeout: IMG_0001.jpg.json
    for sibling in siblings + ([takeout] if takeout.exists() else []):
        what = COMPANIONS.get(sibling.suffix.lower())
        if what is None or sibling == media.path or (sibling.stem != media.path.stem and sibling != takeout):
            continue
        evidence = {"file": sibling.name, "kind": what}
        severity = Severity.INFO
        if sibling.suffix.lower() in (".srt", ".gpx", ".json", ".xmp"):
            text = _start(sibling).decode("utf-8", "ignore")
            found = positions(text)
            if found:
                evidence.update(positions=len(found), first_position=list(found[0]))
                what += f"; {len(found)} positions, the first {found[0][0]:.5f}, {found[0][1]:.5f}"
                severity = Severity.WARN
        if sibling.suffix.lower() == ".aae":
            severity = Severity.WARN
        findings.append(Finding("file.companion", severity, f"{sibling.name} lies beside it: {what}", evidence))
    return findings
