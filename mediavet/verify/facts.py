"""The facts an editor wants at a glance, and the date readers the checks share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from mediavet.metadata import Metadata
from mediavet.metadata.exif import parse_exif_datetime

# Anywhere on Earth, local time lies between UTC-12 and UTC+14.
MAX_ZONE_HOURS = 14


@dataclass(frozen=True)
class Stamp:
    """A date found in the metadata: where it came from, as written, and parsed."""

    source: str
    raw: str
    value: datetime  # aware when the file recorded an offset, else naive local time

    @property
    def aware(self) -> bool:
        return self.value.tzinfo is not None

    def iso(self) -> str:
        return self.value.isoformat()


def parse_iso(text: str | None) -> datetime | None:
    """XMP/ISO 8601 dates ('2005-09-07T15:07:40-07:00', '...Z', date only)."""
    if not text:
        return None
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return parse_exif_datetime(text)
    return value if value.year > 1900 else None


def exif_stamps(metadata: Metadata) -> dict[str, Stamp]:
    """EXIF's three dates, with sub-seconds and offsets where recorded."""
    exif = metadata.exif
    stamps = {}
    for name, key, subsec, offset in (
        ("DateTimeOriginal", "EXIF DateTimeOriginal", "EXIF SubSecTimeOriginal", "EXIF OffsetTimeOriginal"),
        ("DateTimeDigitized", "EXIF DateTimeDigitized", "EXIF SubSecTimeDigitized", "EXIF OffsetTimeDigitized"),
        ("ModifyDate", "Image DateTime", "EXIF SubSecTime", "EXIF OffsetTime"),
    ):
        value = exif.datetime(key, subsec, offset) if exif.state == "ok" else None
        if value is not None:
            stamps[name] = Stamp(f"EXIF {name}", exif.text(key), value)
    return stamps


def all_stamps(metadata: Metadata) -> list[Stamp]:
    """Every capture/modify date the file states, EXIF, GPS, XMP and IPTC."""
    stamps = list(exif_stamps(metadata).values())
    if metadata.gps and metadata.gps.get("utc"):
        stamps.append(Stamp("GPS DateStamp+TimeStamp", metadata.gps["utc"], datetime.fromisoformat(metadata.gps["utc"])))
    for key in ("exif:DateTimeOriginal", "xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate", "photoshop:DateCreated"):
        value = parse_iso(metadata.xmp.get(key))
        if value is not None:
            stamps.append(Stamp(f"XMP {key}", metadata.xmp.get(key), value))
    for event in metadata.xmp.history:
        value = parse_iso(event.get("when"))
        if value is not None:
            stamps.append(Stamp("XMP xmpMM:History", event["when"], value))
    iptc_date = metadata.iptc.get("DateCreated")
    if iptc_date and len(iptc_date) >= 8 and iptc_date[:8].isdigit():
        try:
            stamps.append(Stamp("IPTC DateCreated", iptc_date, datetime.strptime(iptc_date[:8], "%Y%m%d")))
        except ValueError:
            pass
    return stamps


def video_stamps(metadata: Metadata) -> list[Stamp]:
    """A video's creation times: QuickTime's CreationDate (local, with offset) first, then the
    container's and each stream's creation_time (UTC by definition)."""
    stamps = []
    for source, raw in (metadata.video or {}).get("times", {}).items():
        value = parse_iso(raw)
        if value is not None:
            stamps.append(Stamp(source, raw, value))
    return stamps


def capture_time(metadata: Metadata) -> Stamp | None:
    """The best statement of when the picture (or the clip) was taken."""
    if metadata.video is not None:
        stamps = video_stamps(metadata)
        return stamps[0] if stamps else None
    stamps = exif_stamps(metadata)
    if "DateTimeOriginal" in stamps:
        return stamps["DateTimeOriginal"]
    for key in ("exif:DateTimeOriginal", "photoshop:DateCreated"):
        value = parse_iso(metadata.xmp.get(key))
        if value is not None:
            return Stamp(f"XMP {key}", metadata.xmp.get(key), value)
    return stamps.get("DateTimeDigitized")


def as_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def facts(media) -> dict:
    metadata = media.metadata
    exif, xmp, video = metadata.exif, metadata.xmp, metadata.video or {}
    make = exif.text("Image Make") or xmp.get("tiff:Make") or video.get("make")
    model = exif.text("Image Model") or xmp.get("tiff:Model") or video.get("model")
    when = capture_time(metadata)
    software = (exif.text("Image Software") or xmp.get("xmp:CreatorTool") or metadata.text.get("Software")
                or video.get("software") or video.get("encoder"))
    return {
        "camera": (model if make and model and model.lower().startswith(make.lower())
                   else " ".join(part for part in (make, model) if part) or None),
        "make": make,
        "model": model,
        "capture_time": when.iso() if when else None,
        "capture_time_source": when.source if when else None,
        "gps": metadata.gps,
        "software": software,
        "jpeg_quality": _jpeg_quality(media),
        "sha256": media.sha256,
    }


def _jpeg_quality(media) -> dict | None:
    from mediavet.jpeg_quality import of_media

    return of_media(media)
