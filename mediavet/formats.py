"""What a file is, named from its first bytes: for the files mediavet does not read, so that
an `unsupported` error says which format it found (never a silent skip).

`sniff()` in media.py (and raw.py for camera RAW) decides what mediavet reads; this module
only names the rest, so it holds no signature of a format mediavet reads.
"""

from __future__ import annotations

import re

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
