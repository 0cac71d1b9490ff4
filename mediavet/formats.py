"""What a file is, from its first bytes.

`sniff()` names the formats mediavet reads (raw.py recognises camera RAW); `describe()` names
the rest, so that an `unsupported` error says which format it found (never a silent skip).
`head()` reads those first bytes, and only from a regular file.
"""

from __future__ import annotations

import re
from pathlib import Path

from mediavet.errors import MediaError

PHOTO_FORMATS = ("jpeg", "png", "gif", "webp", "tiff", "heif", "avif", "jxl", "jpeg2000", "bmp", "netpbm", "raw")
VIDEO_FORMATS = ("mp4", "quicktime", "matroska", "avi", "mpegts", "mpeg", "asf", "flv", "dv")

# The extension only hints at the format; these are the hints we understand.
EXTENSION_FORMATS = {
    ".jpg": "jpeg", ".jpeg": "jpeg", ".jpe": "jpeg", ".jfif": "jpeg",
    ".png": "png", ".gif": "gif", ".webp": "webp",
    ".tif": "tiff", ".tiff": "tiff", ".dng": "raw",
    ".heic": "heif", ".heif": "heif", ".hif": "heif", ".avif": "avif", ".jxl": "jxl", ".jp2": "jpeg2000", ".j2k": "jpeg2000",
    ".jpx": "jpeg2000", ".cr2": "raw", ".cr3": "raw", ".nef": "raw", ".arw": "raw", ".raf": "raw", ".rw2": "raw",
    ".orf": "raw", ".pef": "raw", ".srw": "raw", ".bmp": "bmp", ".ppm": "netpbm", ".pgm": "netpbm", ".pbm": "netpbm", ".pnm": "netpbm",
    ".mp4": "mp4", ".m4v": "mp4", ".mov": "quicktime", ".qt": "quicktime",
    ".mkv": "matroska", ".webm": "matroska", ".avi": "avi", ".mts": "mpegts", ".m2ts": "mpegts", ".ts": "mpegts",
    ".mpg": "mpeg", ".mpeg": "mpeg", ".vob": "mpeg", ".wmv": "asf", ".asf": "asf", ".flv": "flv", ".dv": "dv",
}

_HEVC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_HEIF_BRANDS = _HEVC_BRANDS | {b"mif1", b"msf1", b"mif2", b"mif3"}  # mif3: the compact layout ('mini' box)
_AVIF_BRANDS = {b"avif", b"avis", b"avio", b"MA1A", b"MA1B"}
_QT_BRANDS = {b"qt  "}


NETPBM = re.compile(rb"P[1-6](\s+|#[^\n]*\n)+\d+\s+\d+\s")  # magic, comments, width, height


def sniff(head: bytes) -> str | None:
    """The format named by a file's first bytes, or None when we do not know it."""
    from mediavet import raw

    if raw.sniff(head):  # before TIFF and ISO BMFF: DNG and CR2 are TIFFs, CR3 has an ftyp
        return "raw"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "avi"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):  # classic TIFF and BigTIFF
        return "tiff"  # a Canon CR2 is a TIFF too: raw.sniff took it above
    if head[:2] == b"\xff\x0a" or head[:12] == b"\x00\x00\x00\x0cJXL \r\n\x87\n":
        return "jxl"
    if head[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or head[:4] == b"\xff\x4f\xff\x51":
        return "jpeg2000"
    if head[:2] == b"BM" and len(head) >= 26 and head[14:15] in (b"\x0c", b"\x28", b"\x38", b"\x40", b"\x6c", b"\x7c"):
        return "bmp"  # the info header's size says which BMP version
    if NETPBM.match(head):
        return "netpbm"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "matroska"
    if head[:1] == b"\x47" or head[4:5] == b"\x47":  # MPEG-TS packets (AVCHD .m2ts: a 4-byte timecode first)
        if head[:1] == b"\x47" and head[188:189] == b"\x47" and head[376:377] in (b"\x47", b""):
            return "mpegts"
        if head[4:5] == b"\x47" and head[196:197] == b"\x47" and head[388:389] in (b"\x47", b""):
            return "mpegts"
    if head[:4] == b"\x00\x00\x01\xba":
        return "mpeg"
    if head[:16] == bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"):
        return "asf"
    if head[:3] == b"FLV" and head[3:4] == b"\x01":
        return "flv"
    if head[:3] == b"\x1f\x07\x00":
        return "dv"
    if head[4:8] == b"ftyp":
        brands = {head[8:12]} | {head[i:i + 4] for i in range(16, min(len(head), 64), 4)}
        if head[8:12] in _AVIF_BRANDS or (brands & _AVIF_BRANDS and not brands & _HEVC_BRANDS):
            return "avif"  # AV1 stills, through Pillow's AVIF plugin (libavif); never the video path
        if brands & _HEIF_BRANDS:
            return "heif"
        return "quicktime" if head[8:12] in _QT_BRANDS else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip"):
        return "quicktime"
    return None


def extension_format(path: Path) -> str | None:
    return EXTENSION_FORMATS.get(path.suffix.lower())


def require_regular(path: Path) -> None:
    """Only regular files are opened: opening a FIFO waits forever for a writer, a device
    may never end. A folder here is one that could not be listed."""
    import os
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise MediaError("unreadable", f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        try:
            os.listdir(path)
        except OSError as exc:
            raise MediaError("unreadable", f"cannot list this folder: {exc.strerror or exc}") from None
        raise MediaError("unreadable", "a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise MediaError("not_regular", f"{kind}: never opened")


SNIFF_BYTES = 512  # enough for two MPEG-TS packets


def head(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """A regular file's first bytes (for sniffing); raises MediaError for anything else."""
    require_regular(path)
    try:
        with open(path, "rb") as handle:
            return handle.read(size)
    except OSError as exc:
        raise MediaError("unreadable", f"cannot read file: {exc.strerror or exc}") from None

# (test on the first bytes, name[, family]); the first that matches wins. A family (image,
# video, audio) marks a format a camera, phone or recorder writes: not reading one is an error.
_MAGIC = [
    (lambda b: re.match(rb"P7\s*\n(WIDTH|HEIGHT|DEPTH|MAXVAL|TUPLTYPE|#)", b) is not None, "Netpbm PAM image", "image"),
    (lambda b: b[:4] == b"8BPS", "Photoshop PSD", "image"),
    (lambda b: b[:4] == b"\x00\x00\x01\x00" and len(b) > 6, "Windows icon", "image"),
    (lambda b: b[:4] == b"RIFF" and b[8:12] == b"WAVE", "WAV audio", "audio"),
    (lambda b: b[:3] == b"ID3" or b[:2] in (b"\xff\xfb", b"\xff\xf3"), "MP3 audio", "audio"),
    (lambda b: b[:4] == b"OggS", "Ogg audio or video", "video"),
    (lambda b: b[:4] == b"fLaC", "FLAC audio", "audio"),
    (lambda b: b[:4] == b"PK\x03\x04", "ZIP archive (or a document packed as one)"),
    (lambda b: b[:4] == b"Rar!", "RAR archive"),
    (lambda b: b[:6] == b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (lambda b: b[:2] == b"\x1f\x8b", "gzip archive"),
    (lambda b: b[:4] == b"%PDF", "PDF document"),
    (lambda b: b[:8] == bytes.fromhex("d0cf11e0a1b11ae1"), "Microsoft Office document (OLE)"),
    (lambda b: b[:2] == b"MZ", "Windows program"),
    (lambda b: b[:4] == b"\x7fELF", "Linux program"),
    (lambda b: b[:16] == b"SQLite format 3\x00", "SQLite database"),
    (lambda b: b"<svg" in b[:256], "SVG drawing"),
    (lambda b: b[:1] == b"\x00" and b[1:4] == b"\x05\x16\x07", "AppleDouble resource fork (._ file)"),
    (lambda b: b[:4] == b"\x00\x00\x00\x01" and b[4:8] == b"Bud1", "macOS folder settings (.DS_Store)"),
]


MEDIA_FAMILIES = ("image", "video", "audio")


def describe(head: bytes) -> str:
    """A short name for the format of a file that starts with `head` (at least 256 bytes when
    the file has them)."""
    return identify(head)[0]


def identify(head: bytes) -> tuple[str, str]:
    """(name, family): family is image, video or audio for media formats, else other."""
    if not head:
        return "an empty file", "other"
    for test, name, *family in _MAGIC:
        if test(head):
            return name, family[0] if family else "other"
    return _textual(head), "other"


def _textual(head: bytes) -> str:
    text = _text(head)
    if text is not None:
        if re.match(r"\s*\d+\s*\r?\n\d\d:\d\d:\d\d[,.]\d+ --> ", text):
            return "SubRip subtitles (.srt; drones write positions there)"
        if text.lstrip().startswith(("{", "[")):
            return "JSON text"
        if text.lstrip().startswith("<"):
            return "XML or HTML text"
        return "plain text"
    return "unknown binary data"


def _text(head: bytes) -> str | None:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the end of the head is fine
            return None
        text = head[:exc.start].decode("utf-8")
    printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
    return text if text and printable / len(text) > 0.97 else None
