"""Checks of a video's container: editing software, creation times, telemetry, location."""

from __future__ import annotations

from datetime import timedelta

from mediavet.formats import VIDEO_FORMATS
from mediavet.verify.facts import MAX_ZONE_HOURS, as_utc, video_stamps
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

# encoder, handler or software names that mean a clip went through an editor or a re-encoder
VIDEO_EDITORS = [
    ("premiere", "Adobe Premiere"), ("after effects", "Adobe After Effects"), ("adobe", "an Adobe application"),
    ("mainconcept", "the MainConcept encoder (Adobe Media Encoder, Premiere)"), ("final cut", "Final Cut Pro"),
    ("imovie", "iMovie"), ("capcut", "CapCut"), ("davinci", "DaVinci Resolve"), ("resolve", "DaVinci Resolve"),
    ("vegas", "Vegas Pro"), ("filmora", "Filmora"), ("kinemaster", "KineMaster"), ("inshot", "InShot"),
    ("vn video", "VN"), ("handbrake", "HandBrake"), ("lavf", "FFmpeg (re-muxed or re-encoded)"),
    ("lavc", "FFmpeg (re-encoded)"), ("clipchamp", "Clipchamp"), ("shotcut", "Shotcut"), ("openshot", "OpenShot"),
]
CREATION_SLACK = timedelta(seconds=60)  # between the clip's times, beyond its own duration
FUTURE_ALLOWANCE = timedelta(hours=MAX_ZONE_HOURS)


def _names(metadata) -> list[tuple[str, str]]:
    """(where, name) of every encoder, handler and software name the container states."""
    video = metadata.video
    names = [(f"container {key}", value) for key, value in video["tags"].items()
             if key in ("encoder", "software", "com.apple.quicktime.software", "firmware", "comment")]
    if metadata.xmp.get("xmp:CreatorTool"):
        names.append(("XMP xmp:CreatorTool", metadata.xmp.get("xmp:CreatorTool")))
    names += [("XMP history", event.get("softwareAgent")) for event in metadata.xmp.history if event.get("softwareAgent")]
    for stream in video["streams"]:
        for key in ("encoder", "handler_name"):
            if stream["tags"].get(key):
                names.append((f"stream {stream['index']} {key}", stream["tags"][key]))
    return names


@check("video.editing_software", VIDEO_FORMATS)
def editing_software(media, options):
    found = []
    for where, name in _names(media.metadata):
        lowered = name.lower()
        for needle, editor in VIDEO_EDITORS:
            if needle in lowered:
                found.append({"where": where, "value": name.strip("\x00\x0b\x1f# "), "editor": editor})
                break
    if not found:
        return []
    editors = {item["editor"] for item in found}
    if len(editors) > 1:
        editors.discard("an Adobe application")  # a named Adobe product says more
    editors = sorted(editors)
    return [Finding("video.editing_software", Severity.WARN,
                    f"written by {', '.join(editors)}: not straight from a camera", {"names": found})]


@check("video.datetime_mismatch", VIDEO_FORMATS)
def datetime_mismatch(media, options):
    stamps = [s for s in video_stamps(media.metadata) if s.aware]
    if not stamps:
        return []
    findings = []
    future = [s for s in stamps if as_utc(s.value) > options.now + (timedelta(0) if s.aware else FUTURE_ALLOWANCE)]
    if future:
        findings.append(Finding("video.datetime_mismatch", Severity.HIGH,
                                f"{future[0].source} {future[0].raw} is later than now ({options.now.isoformat()})",
                                {"future": {s.source: s.raw for s in future}, "now": options.now.isoformat()}))
    duration = timedelta(seconds=media.metadata.video.get("duration") or 0)
    earliest = min(stamps, key=lambda s: as_utc(s.value))
    latest = max(stamps, key=lambda s: as_utc(s.value))
    spread = as_utc(latest.value) - as_utc(earliest.value)
    if spread > duration + CREATION_SLACK:
        findings.append(Finding(
            "video.datetime_mismatch", Severity.WARN,
            f"the clip's creation times disagree by {spread.total_seconds() / 3600:.2f} h "
            f"({earliest.source} {earliest.raw} vs {latest.source} {latest.raw})",
            {"times": {s.source: s.raw for s in stamps}, "spread_seconds": round(spread.total_seconds(), 3),
             "allowed_seconds": round((duration + CREATION_SLACK).total_seconds(), 3)}))
    return findings


@check("video.telemetry", VIDEO_FORMATS)
def telemetry(media, options):
    findings = []
    for track in media.metadata.video["telemetry"]:
        reveals = track["reveals"]
        severe = any(word in " ".join(reveals) for word in ("GPS", "location", "serial", "faces"))
        what = ", ".join(reveals) if reveals else "contents not recognised"
        findings.append(Finding(
            "video.telemetry", Severity.WARN if severe else Severity.INFO,
            f"{track['kind']} track (stream {track['stream']}): {what}",
            {"stream": track["stream"], "kind": track["kind"], "handler": track["handler"], "reveals": reveals,
             "positions": track["positions"]}))
    return findings


@check("video.location", VIDEO_FORMATS)
def location(media, options):
    position = media.metadata.video["location"]
    if not position:
        return []
    if position["lat"] == 0 and position["lon"] == 0:
        return [Finding("video.location", Severity.INFO,
                        "the container states position 0,0 (a placeholder, not a real place)", {"position": position})]
    altitude = f", {position['alt']:.0f} m" if position.get("alt") is not None else ""
    where = media.metadata.gps["source"] if media.metadata.gps else "the container"
    return [Finding("video.location", Severity.INFO,
                    f"{'the camera, in the H.264 stream (AVCHD MDPM),' if 'MDPM' in where else 'the container'} "
                    f"states where it was filmed: {position['lat']:.5f}, {position['lon']:.5f}{altitude}",
                    {"position": position, "source": where})]
