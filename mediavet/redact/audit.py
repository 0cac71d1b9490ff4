"""What in a file could still point back to its source? The audit behind `mediavet audit`
and behind every safe copy's fail-closed check.

Each finding names a family of identifying data (GPS, serials, owner, device, dates,
software, free text, thumbnails, trailers, XMP, IPTC, C2PA, ICC, other EXIF) with the
fields found; `audit.structure` lists container parts an image does not need (for the
formats mediavet writes). A file is clean when the list is empty.
"""

from __future__ import annotations

from mediavet.metadata.bmff import IMAGE_BOXES, image_boxes, leftovers
from mediavet.redact.structure import problems
from mediavet.verify.finding import Finding, Severity

# EXIF tag names (after exifread's IFD prefix) by family
GPS_TAGS = {"GPSInfo", "Tag 0x830E", "Tag 0x8482", "Tag 0x85D8", "Tag 0x87AF", "Tag 0x87B0", "Tag 0x87B1"}  # + GeoTIFF
SERIAL_TAGS = {"BodySerialNumber", "CameraSerialNumber", "LensSerialNumber", "ImageUniqueID", "SerialNumber",
               "InternalSerialNumber", "Tag 0xA431", "Tag 0xA435",
               "Tag 0xC62F", "Tag 0xC614"}  # DNG: CameraSerialNumber, UniqueCameraModel
OWNER_TAGS = {"Artist", "Copyright", "CameraOwnerName", "OwnerName", "XPAuthor", "Tag 0xA430"}
DEVICE_TAGS = {"Make", "Model", "LensMake", "LensModel", "LensSpecification", "Tag 0xA433", "Tag 0xA434"}
DATE_TAGS = {"DateTime", "DateTimeOriginal", "DateTimeDigitized", "SubSecTime", "SubSecTimeOriginal",
             "SubSecTimeDigitized", "OffsetTime", "OffsetTimeOriginal", "OffsetTimeDigitized"}
SOFTWARE_TAGS = {"Software", "ProcessingSoftware", "HostComputer"}
TEXT_TAGS = {"ImageDescription", "UserComment", "XPComment", "XPTitle", "XPSubject", "XPKeywords", "DocumentName",
             "PageName"}
# TIFF tags that only describe the pixels (a TIFF's whole IFD is its "EXIF")
STRUCTURAL_TAGS = {"ImageWidth", "ImageLength", "BitsPerSample", "Compression", "PhotometricInterpretation",
                   "StripOffsets", "RowsPerStrip", "StripByteCounts", "PlanarConfiguration", "SamplesPerPixel",
                   "ColorMap", "TileWidth", "TileLength", "TileOffsets", "TileByteCounts", "ExtraSamples",
                   "SampleFormat", "Predictor", "FillOrder", "NewSubfileType", "SubfileType", "XResolution",
                   "YResolution", "ResolutionUnit", "YCbCrSubSampling", "YCbCrPositioning", "ExifOffset"}

FAMILIES = [  # (finding id, severity, what it is, tag names)
    ("audit.gps", Severity.HIGH, "location (GPS or GeoTIFF)", GPS_TAGS),
    ("audit.serial", Severity.HIGH, "serial numbers or unique ids", SERIAL_TAGS),
    ("audit.owner", Severity.HIGH, "owner, artist or copyright", OWNER_TAGS),
    ("audit.text", Severity.HIGH, "free-text descriptions", TEXT_TAGS),
    ("audit.device", Severity.WARN, "camera or lens make and model", DEVICE_TAGS),
    ("audit.dates", Severity.WARN, "dates and times", DATE_TAGS),
    ("audit.software", Severity.WARN, "software names", SOFTWARE_TAGS),
]
MAX_VALUE = 80
BMFF_FORMATS = ("mp4", "quicktime", "heif", "avif")
NOT_MEDIA = ("unsupported", "empty")  # probe's error kinds for files that are no picture or clip


# container tags that only describe the file's structure
STRUCTURAL_VIDEO_TAGS = {"major_brand", "minor_version", "compatible_brands", "language", "handler_name",
                         "vendor_id", "duration"}
GENERIC_HANDLERS = {"VideoHandler", "SoundHandler", "VideoHandle", "SoundHandle"}


def audit_media(media) -> list[Finding]:
    """Every identifying thing left in a probed file; [] when it is clean."""
    metadata = media.metadata
    found: dict[str, list] = {}

    def note(finding_id: str, name: str, value=None) -> None:
        found.setdefault(finding_id, []).append(name if value is None else f"{name}={_short(value)}")

    if metadata.video is not None:
        _audit_video(metadata.video, note)
    if media.format in BMFF_FORMATS:
        for finding_id, what in leftovers(media.path):
            note(finding_id, what)
    if media.format in IMAGE_BOXES:
        for finding_id, what in image_boxes(media.data, media.format):
            note(finding_id, what)

    exif = metadata.exif
    if exif.state == "corrupt":
        note("audit.exif", "EXIF block (unparseable)")
    for key, value in (exif.tags or {}).items():
        group, _, name = key.partition(" ")
        if group == "Thumbnail":
            continue  # reported once below
        if group == "GPS" or name in GPS_TAGS:
            note("audit.gps", name, value)
            continue
        family = next((fid for fid, _, _, tags in FAMILIES if name in tags), None)
        if family:
            note(family, name, value)
        elif not (media.format == "tiff" and name in STRUCTURAL_TAGS):
            note("audit.exif", name, value)
    if exif.makernote:
        note("audit.serial", f"maker note ({exif.makernote}; vendors keep serial numbers there)")
    if exif.thumbnail or any(k.startswith("Thumbnail ") for k in exif.tags or {}):
        note("audit.thumbnail", f"EXIF thumbnail ({len(exif.thumbnail or b'')} bytes)")
    if metadata.mpf_images:
        note("audit.thumbnail", f"{metadata.mpf_images} MPF images (previews, depth maps)")
    for name in _heif_thumbnails(media):
        note("audit.thumbnail", name)
    if metadata.xmp.state != "absent":
        fields = sorted(metadata.xmp.fields) or ["(unparseable packet)"]
        note("audit.xmp", ", ".join(fields[:40]) + (" ..." if len(fields) > 40 else ""))
        for event in metadata.xmp.history[:5]:
            note("audit.xmp", "history", event)
    if metadata.iptc_present:
        note("audit.iptc", ", ".join(sorted(metadata.iptc)) or "(empty IPTC block)")
    if metadata.c2pa:
        note("audit.c2pa", "C2PA / JUMBF manifest (may name the device, the software and people)")
    for key, value in metadata.text.items():
        note("audit.text", f"PNG text {key}", value)
    for comment in metadata.comments:
        note("audit.text", "comment", comment)
    if metadata.icc:
        note("audit.icc", "ICC profile", "; ".join(f"{k}: {v}" for k, v in sorted(metadata.icc.items())))
    if metadata.trailer and not metadata.trailer.padding:
        note("audit.trailer", f"{metadata.trailer.size} bytes after the image: {metadata.trailer.kind}")
    if "tIME" in metadata.segments:
        note("audit.dates", "PNG tIME chunk")
    if media.format in ("jpeg", "png", "webp"):
        for problem in problems(media.data, media.format):
            note("audit.structure", problem)
    return [_finding(finding_id, items) for finding_id, items in sorted(found.items())]


SEVERITY = {fid: severity for fid, severity, _, _ in FAMILIES} | {
    "audit.thumbnail": Severity.HIGH, "audit.trailer": Severity.HIGH, "audit.xmp": Severity.HIGH,
    "audit.iptc": Severity.HIGH, "audit.c2pa": Severity.HIGH, "audit.icc": Severity.WARN,
    "audit.exif": Severity.WARN, "audit.structure": Severity.WARN, "audit.telemetry": Severity.HIGH}
WHAT = {fid: what for fid, _, what, _ in FAMILIES} | {
    "audit.thumbnail": "embedded thumbnails or previews (they can show the uncropped original)",
    "audit.trailer": "data appended after the image", "audit.xmp": "an XMP packet", "audit.iptc": "IPTC data",
    "audit.c2pa": "Content Credentials", "audit.icc": "an ICC profile (names devices and vendors)",
    "audit.exif": "other EXIF tags or container tags", "audit.structure": "container parts an image does not need",
    "audit.telemetry": "data, subtitle or attachment tracks (telemetry, positions, timed metadata)"}


def _audit_video(video: dict, note) -> None:
    """Container and stream tags, telemetry tracks, and streams a safe copy would not keep."""
    families = {"location": "audit.gps", "make": "audit.device", "model": "audit.device", "date": "audit.dates",
                "creation": "audit.dates", "software": "audit.software", "encoder": "audit.software",
                "firmware": "audit.software", "artist": "audit.owner", "author": "audit.owner",
                "copyright": "audit.owner", "comment": "audit.text", "title": "audit.text", "description": "audit.text"}
    tagged = [("container", video["tags"])] + [(f"stream {s['index']}", s["tags"]) for s in video["streams"]]
    for where, tags in tagged:
        for key, value in tags.items():
            if key in STRUCTURAL_VIDEO_TAGS and not (key == "handler_name" and value.strip() not in GENERIC_HANDLERS):
                continue
            family = next((fid for word, fid in families.items() if word in key.lower()), "audit.exif")
            note(family, f"{where} {key}", value)
    camera = video.get("mdpm") or {}
    for key, family in (("make", "audit.device"), ("model", "audit.device"), ("time", "audit.dates"),
                        ("location", "audit.gps")):
        if key in camera:
            value = camera[key]
            note(family, f"H.264 MDPM {key}", f"{value['lat']:.6f}, {value['lon']:.6f}" if key == "location" else value)
    if camera and not any(key in camera for key in ("make", "model", "time", "location")):
        note("audit.exif", "H.264 MDPM records", ", ".join(camera["tags"]))
    for track in video["telemetry"]:
        note("audit.telemetry", f"stream {track['stream']} {track['kind']}", ", ".join(track["reveals"]) or "data")
    for stream in video["streams"]:
        if stream["kind"] not in ("video", "audio", "data", "subtitle"):
            note("audit.telemetry", f"stream {stream['index']} {stream['kind']}")


def _finding(finding_id: str, items: list[str]) -> Finding:
    return Finding(finding_id, SEVERITY[finding_id], _message(WHAT[finding_id], items), {"items": items})


MAX_MESSAGE = 400


def _message(what: str, items: list[str]) -> str:
    """What was found, whole items only: those that do not fit are counted, never cut."""
    shown = []
    for item in items:
        if len(what) + 2 + len("; ".join(shown + [item])) > MAX_MESSAGE - 20 and shown:
            break
        shown.append(item)
    more = len(items) - len(shown)
    return f"{what}: {'; '.join(shown)}" + (f"; and {more} more (all in the evidence)" if more else "")


def _heif_thumbnails(media) -> list[str]:
    """HEIF keeps thumbnails, depth maps and auxiliary images as separate items."""
    if media.format != "heif":
        return []
    info = media.header_info
    found = [f"HEIF thumbnail ({size} px)" for size in info.get("thumbnails") or []]
    found += ["HEIF depth map"] * len(info.get("depth_images") or [])
    found += [f"HEIF auxiliary image {name}" for name in (info.get("aux") or {})]
    return found


def _short(value) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def audit_file(path, max_pixels: int | None = None):
    """A FileReport (the verify envelope) whose findings are the audit's; never raises."""
    import warnings

    from mediavet.errors import MediaError, stable
    from mediavet.media import DEFAULT_MAX_PIXELS, probe
    from mediavet.verify import FileReport

    report = FileReport(path=str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            media = probe(path, max_pixels=max_pixels or DEFAULT_MAX_PIXELS)
            report.sha256, report.format = media.sha256, media.format
            if media.metadata.structure_error:
                raise MediaError("corrupt", media.metadata.structure_error)
            report.width, report.height = media.size
            report.findings = audit_media(media)
            report.metadata = media.metadata.to_json()
        except MediaError as exc:
            if exc.kind in NOT_MEDIA:  # in a shared folder, anything but a clean picture or clip is a finding
                report.findings = [Finding("audit.not_media", Severity.HIGH,
                                           f"not a picture or clip mediavet can prove clean: {exc.message}",
                                           {"reason": exc.message})]
            else:
                report.error = {"kind": exc.kind, "message": exc.message}
        except Exception as exc:
            report.error = {"kind": "internal", "message": f"mediavet failed on this file: {type(exc).__name__}: {stable(exc)}"[:300]}
    return report
