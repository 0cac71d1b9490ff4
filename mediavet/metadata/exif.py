"""EXIF: parse a TIFF-structured block with exifread into plain values.

exifread returns {} both for "no EXIF" and for "EXIF we could not parse"; the caller
knows whether a block was present, so here an empty result from a present block is
"corrupt", never "absent".
"""

from __future__ import annotations

import io
import logging
import re
import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

MAX_VALUE_CHARS = 300

# Maker-note headers: the vendor a maker note was written by, from its first bytes.
_MAKERNOTE_HEADERS = [
    (b"Nikon\x00", "Nikon"), (b"OLYMPUS\x00", "Olympus"), (b"OLYMP\x00", "Olympus"),
    (b"OM SYSTEM", "Olympus"), (b"FUJIFILM", "Fujifilm"), (b"Panasonic", "Panasonic"),
    (b"SONY", "Sony"), (b"AOC\x00", "Pentax"), (b"PENTAX ", "Pentax"), (b"QVC\x00", "Casio"),
    (b"Apple iOS", "Apple"), (b"SANYO", "Sanyo"), (b"KDK", "Kodak"), (b"RICOH", "Ricoh"),
    (b"Ricoh", "Ricoh"), (b"LEICA", "Leica"), (b"SAMSUNG", "Samsung"), (b"HUAWEI", "Huawei"),
    (b"DJI", "DJI"), (b"GoPro", "GoPro"), (b"SIGMA", "Sigma"), (b"Minolta", "Minolta"),
    (b"MLT0", "Minolta"), (b"KYOCERA", "Kyocera"), (b"RECONYX", "Reconyx"), (b"Google", "Google"),
]

# Make strings (lower case, first word) that belong to the same vendor as a maker-note name.
_VENDOR_ALIASES = {
    "nikon": {"nikon"}, "olympus": {"olympus", "om"}, "fujifilm": {"fujifilm", "fuji"},
    "panasonic": {"panasonic", "leica"}, "sony": {"sony"}, "pentax": {"pentax", "asahi", "ricoh"},
    "casio": {"casio"}, "apple": {"apple"}, "sanyo": {"sanyo"}, "kodak": {"eastman", "kodak"},
    "ricoh": {"ricoh", "pentax"}, "leica": {"leica", "panasonic"}, "samsung": {"samsung"},
    "huawei": {"huawei", "honor"}, "dji": {"dji", "hasselblad"}, "gopro": {"gopro"},
    "sigma": {"sigma"}, "minolta": {"minolta", "konica"}, "kyocera": {"kyocera", "contax"},
    "reconyx": {"reconyx"}, "google": {"google", "lge"},
}


def same_vendor(makernote_vendor: str, make: str) -> bool:
    words = make.lower().replace(",", " ").split()
    return bool(words) and bool(set(words) & _VENDOR_ALIASES.get(makernote_vendor.lower(), set()))


@dataclass
class Exif:
    state: str = "absent"  # absent | ok | corrupt
    error: str | None = None
    tags: dict[str, object] = field(default_factory=dict)  # "Image Make" -> "Canon"
    thumbnail: bytes | None = None
    makernote: str | None = None  # vendor, "unknown" when present but unrecognised
    orientation: int = 1

    def get(self, key: str):
        return self.tags.get(key)

    def text(self, key: str) -> str | None:
        value = self.tags.get(key)
        if value is None:
            return None
        value = str(value).strip().strip("\x00").strip()
        return value or None

    def int(self, key: str) -> int | None:
        value = self.tags.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None

    def datetime(self, key: str, subsec_key: str | None = None, offset_key: str | None = None):
        """An EXIF date/time as a datetime (aware when an offset tag exists), or None."""
        parsed = parse_exif_datetime(self.text(key))
        if parsed is None:
            return None
        subsec = self.text(subsec_key) if subsec_key else None
        if subsec and subsec.isdigit():
            parsed = parsed.replace(microsecond=int((subsec + "000000")[:6]))
        offset = parse_offset(self.text(offset_key)) if offset_key else None
        return parsed.replace(tzinfo=offset) if offset is not None else parsed


def parse_exif_datetime(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.strip()
    for fmt in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            value = datetime.strptime(text[:19] if "S" in fmt else text[:16], fmt)
        except ValueError:
            continue
        return value if value.year > 1900 else None
    return None


def parse_offset(text: str | None):
    """'+02:00' -> timezone(+2h)."""
    if not text or len(text) < 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    sign = 1 if text[0] == "+" else -1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def read_exif(blob: bytes | None) -> Exif:
    if blob is None:
        return Exif()
    if blob[:4] not in (b"II*\x00", b"MM\x00*"):
        return Exif(state="corrupt", error="EXIF block does not start with a TIFF header")
    import exifread

    logging.getLogger("exifread").setLevel(logging.CRITICAL)
    try:
        raw = exifread.process_file(io.BytesIO(blob), details=False, extract_thumbnail=True)
    except Exception as exc:  # exifread raises many types on hostile input
        return Exif(state="corrupt", error=f"EXIF parser failed: {' '.join(str(exc).split())[:160]}")
    orientation = getattr(raw.get("Image Orientation"), "values", None) or [1]
    thumbnail = raw.pop("JPEGThumbnail", None)
    raw.pop("TIFFThumbnail", None)
    tags = {key: _plain(tag) for key, tag in raw.items()}
    tags = {key: value for key, value in tags.items() if value is not None}
    if not tags:
        return Exif(state="corrupt", error="EXIF block present but no tag could be read")
    thumb = thumbnail if isinstance(thumbnail, bytes) and thumbnail else None
    if "EXIF UserComment" not in tags:
        comment = _user_comment(blob)
        if comment:
            tags["EXIF UserComment"] = comment
    orientation = orientation[0] if isinstance(orientation[0], int) and 1 <= orientation[0] <= 8 else 1
    return Exif(state="ok", tags=tags, thumbnail=thumb, makernote=_makernote_vendor(blob),
                orientation=orientation)


def read_exifs(blobs: list[bytes]) -> Exif:
    """One Exif from several TIFF structures that together hold a file's EXIF (a Canon CR3
    keeps IFD0, the Exif IFD and the GPS IFD in separate boxes); the first that reads wins a
    tag, a thumbnail, a maker note and the orientation."""
    parts = [read_exif(blob) for blob in blobs]
    read = [part for part in parts if part.state == "ok"]
    if not read:
        return parts[0] if parts else Exif()
    tags: dict = {}
    for part in reversed(read):
        tags.update(part.tags)
    first = read[0]
    return Exif(state="ok", tags=tags, thumbnail=next((p.thumbnail for p in read if p.thumbnail), None),
                makernote=next((p.makernote for p in read if p.makernote), None), orientation=first.orientation)


def _plain(tag) -> object:
    """An exifread tag as a JSON-friendly value: str, int, float or a short list of them."""
    values = getattr(tag, "values", None)
    printable = str(tag)
    if isinstance(values, str):
        text = "".join(ch for ch in values if ch.isprintable()).strip()
        return text[:MAX_VALUE_CHARS] if text else None
    if isinstance(values, (list, tuple)) and values and len(values) <= 8:
        out = []
        for value in values:
            if hasattr(value, "num") and hasattr(value, "den"):
                out.append(round(value.num / value.den, 6) if value.den else None)
            elif isinstance(value, int):
                out.append(value)
            else:
                return printable[:MAX_VALUE_CHARS]
        if printable and not printable.startswith("[") and not _looks_numeric(printable):
            return printable[:MAX_VALUE_CHARS]  # an enumerated value: keep its name
        return out[0] if len(out) == 1 else out
    return printable[:MAX_VALUE_CHARS] if printable else None


def _looks_numeric(text: str) -> bool:
    """'72', '-1.5' or a ratio like '1/160': exifread's rendering of a number, not a name."""
    return re.fullmatch(r"-?\d+(\.\d+)?(/\d+)?", text.strip()) is not None


def _exif_ifd_bytes(blob: bytes, wanted: int, limit: int) -> bytes | None:
    """Raw bytes of one tag of the Exif sub-IFD, read with our own walker (exifread drops some)."""
    try:
        endian = "<" if blob[:2] == b"II" else ">"
        exif_ifd = _ifd_entry(blob, endian, struct.unpack(endian + "I", blob[4:8])[0], 0x8769)
        if exif_ifd is None:
            return None
        entry = _ifd_entry(blob, endian, exif_ifd[1], wanted)
        if entry is None:
            return None
        count, offset = entry
        return blob[offset:offset + min(count, limit)] if count > 4 else b""
    except (struct.error, IndexError):
        return None


def _makernote_vendor(blob: bytes) -> str | None:
    """Name the vendor of the MakerNote (0x927C) from its header."""
    note = _exif_ifd_bytes(blob, 0x927C, 16)
    if note is None:
        return None
    for header, vendor in _MAKERNOTE_HEADERS:
        if note.startswith(header):
            return vendor
    return "unknown"


def _user_comment(blob: bytes) -> str | None:
    """UserComment (0x9286): an 8-byte charset prefix, then the text."""
    raw = _exif_ifd_bytes(blob, 0x9286, 64 * 1024)
    if not raw or len(raw) <= 8:
        return None
    prefix, body = raw[:8], raw[8:]
    if prefix.startswith(b"UNICODE"):
        codec = "utf-16-be" if blob[:2] == b"MM" else "utf-16-le"
        if body[:1] == b"\x00" and codec == "utf-16-le" or body[1:2] == b"\x00" and codec == "utf-16-be":
            codec = "utf-16-le" if codec == "utf-16-be" else "utf-16-be"
        text = body.decode(codec, "replace")
    else:
        text = body.decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text[:MAX_VALUE_CHARS * 10] or None


def _ifd_entry(blob: bytes, endian: str, ifd: int, wanted: int):
    count = struct.unpack(endian + "H", blob[ifd:ifd + 2])[0]
    for i in range(min(count, 512)):
        tag, _typ, n, value = struct.unpack(endian + "HHII", blob[ifd + 2 + 12 * i: ifd + 14 + 12 * i])
        if tag == wanted:
            return n, value
    return None


def gps_position(exif: Exif):
    """(lat, lon, alt) in decimal degrees/metres from the GPS IFD, or None."""
    lat = _dms(exif.get("GPS GPSLatitude"), exif.text("GPS GPSLatitudeRef"), "S")
    lon = _dms(exif.get("GPS GPSLongitude"), exif.text("GPS GPSLongitudeRef"), "W")
    if lat is None or lon is None:
        return None
    alt = exif.get("GPS GPSAltitude")
    alt = float(alt) if isinstance(alt, (int, float)) else None
    ref = exif.get("GPS GPSAltitudeRef")
    if alt is not None and (ref == 1 or "below" in str(ref).lower()):
        alt = -alt
    return lat, lon, alt


def _dms(value, ref, negative):
    if isinstance(value, (int, float)):
        value = [value]
    if not isinstance(value, list) or not value or any(v is None for v in value):
        return None
    parts = list(value) + [0, 0]
    degrees = float(parts[0]) + float(parts[1]) / 60 + float(parts[2]) / 3600
    return round(-degrees if (ref or "").upper().startswith(negative) else degrees, 7)


def gps_datetime(exif: Exif) -> datetime | None:
    """GPSDateStamp + GPSTimeStamp as an aware UTC datetime, or None."""
    date = exif.text("GPS GPSDate")
    stamp = exif.get("GPS GPSTimeStamp")
    if not date or not isinstance(stamp, list) or len(stamp) != 3 or None in stamp:
        return None
    try:
        day = datetime.strptime(date.strip()[:10].replace("-", ":"), "%Y:%m:%d")
    except ValueError:
        return None
    seconds = float(stamp[0]) * 3600 + float(stamp[1]) * 60 + float(stamp[2])
    if not 0 <= seconds < 86400 + 1:
        return None
    return (day + timedelta(seconds=seconds)).replace(tzinfo=timezone.utc)
