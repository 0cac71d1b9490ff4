"""Walk a file's container (JPEG segments, PNG chunks, WebP RIFF chunks, GIF blocks) and
pull out the raw metadata blocks: EXIF, XMP, IPTC, ICC, comments, text chunks, MPF images,
JUMBF/C2PA boxes, and whatever follows the image's end marker.

Nothing here interprets the blocks; metadata/__init__.py hands them to their readers.
Every walker is defensive: lengths come from the file and are never trusted.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

MAX_TEXT_INFLATE = 1 << 20  # a compressed text chunk may not inflate beyond 1 MiB
MAX_TEXT_TOTAL = 8 << 20  # nor all of a file's text chunks together beyond 8 MiB

XMP_SIGNATURE = b"http://ns.adobe.com/xap/1.0/\x00"
XMP_EXTENSION_SIGNATURE = b"http://ns.adobe.com/xmp/extension/\x00"


@dataclass
class Blocks:
    """Raw metadata blocks found in one file."""

    exif: bytes | None = None  # a TIFF structure (starts with II*\0 or MM\0*)
    exif_more: list[bytes] = field(default_factory=list)  # further EXIF segments (an editor may add its own)
    exif_parts: list[bytes] = field(default_factory=list)  # the rest of one EXIF kept in pieces (CR3's CMT2, CMT4)
    xmp: bytes | None = None
    xmp_more: list[bytes] = field(default_factory=list)  # further packets: a second APP1, APP13, ExtendedXMP, PNG raw profile
    xmp_extended: bool = False
    iptc: bytes | None = None  # IPTC-IIM datasets
    icc: bytes | None = None
    comments: list[str] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)  # PNG tEXt/zTXt/iTXt
    segments: list[str] = field(default_factory=list)  # names of metadata-bearing segments/chunks
    mpf_images: int = 0
    jumbf: bool = False
    image_end: int | None = None  # offset just past the image's end marker
    extended_parts: list[bytes] = field(default_factory=list)  # ExtendedXMP segments, reassembled at the end
    structure_error: str | None = None  # truncated or malformed container


def read_blocks(data: bytes, fmt: str) -> Blocks:
    walker = {"jpeg": _jpeg, "png": _png, "webp": _webp, "gif": _gif}.get(fmt)
    blocks = Blocks()
    if walker is not None:
        try:
            walker(data, blocks)
        except (IndexError, struct.error, ValueError) as exc:
            blocks.structure_error = f"malformed {fmt} structure: {exc}"
    if fmt == "raw":
        from mediavet.raw import exif_blocks

        found = exif_blocks(data)  # TIFF-based RAWs are TIFF structures; CR3 and RAF keep theirs inside
        blocks.exif, blocks.exif_parts = (found[0], found[1:]) if found else (None, [])
    if fmt == "tiff":
        blocks.exif = _bigtiff_exif(data) if data[:4] in (b"II+\x00", b"MM\x00+") else data
    if blocks.xmp is None and fmt in ("tiff", "gif", "heif", "avif", "jxl", "jpeg2000", "raw"):
        blocks.xmp = find_xmp_packet(data)
    extended = _extended_xmp(blocks.extended_parts)
    if extended:
        blocks.xmp_more.append(extended)
    for key, value in blocks.text.items():
        if key.lower() == "raw profile type xmp":
            packet = _raw_profile_xmp(value)
            if packet:
                blocks.xmp_more.append(packet)
    if not blocks.jumbf and fmt in ("tiff", "heif", "avif", "webp", "gif", "jxl", "jpeg2000", "raw"):
        blocks.jumbf = b"jumb" in data and b"c2pa" in data
    return blocks


def _bigtiff_exif(data: bytes) -> bytes | None:
    """A BigTIFF's first IFD with its EXIF and GPS IFDs, re-written as a classic TIFF block
    (the EXIF parser reads only classic TIFF; Pillow reads BigTIFF). Tags of further IFDs
    and maker notes are not carried over."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.getexif()
            classic = Image.Exif()
            for tag, value in found.items():
                if tag not in (0x8769, 0x8825):
                    classic[tag] = value
            for pointer in (0x8769, 0x8825):
                nested = found.get_ifd(pointer)
                if nested:
                    classic.get_ifd(pointer).update(nested)
            return strip_exif_header(classic.tobytes())
    except Exception:  # Pillow raises many types on hostile input: the block is then unreadable
        return b"II+\x00"


def find_xmp_packet(data: bytes) -> bytes | None:
    start = data.find(b"<x:xmpmeta")
    if start < 0:
        return None
    end = data.find(b"</x:xmpmeta>", start)
    return data[start:end + len(b"</x:xmpmeta>")] if end > 0 else data[start:]


def strip_exif_header(payload: bytes) -> bytes:
    return payload[6:] if payload.startswith(b"Exif\x00\x00") else payload


# --- JPEG -----------------------------------------------------------------------------

_STANDALONE = {0x01, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8}


def _jpeg(data: bytes, blocks: Blocks) -> None:
    pos = 2
    icc_parts: dict[int, bytes] = {}
    mpf_base = None
    mpf_ranges: list[tuple[int, int]] = []
    while True:
        if pos + 4 > len(data):
            blocks.structure_error = "truncated JPEG: ends before the image data"
            return
        if data[pos] != 0xFF:
            blocks.structure_error = f"malformed JPEG: no marker at byte {pos}"
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        payload = data[pos + 4:pos + 2 + length]
        if length < 2 or pos + 2 + length > len(data):
            blocks.structure_error = f"truncated JPEG: segment 0x{marker:02X} at byte {pos} overruns the file"
            return
        if marker == 0xDA:  # start of scan: the image's end is the first EOI after it
            eoi = data.find(b"\xff\xd9", pos + 2 + length)
            if eoi < 0:
                blocks.structure_error = "truncated JPEG: no end-of-image marker"
                return
            blocks.image_end = eoi + 2
            break
        name = _jpeg_segment(marker, payload, blocks, icc_parts)
        if name == "MPF":
            mpf_base = pos + 8
            mpf_ranges = _mpf_ranges(payload[4:])
        if name:
            blocks.segments.append(name)
        pos += 2 + length
    if icc_parts:
        blocks.icc = b"".join(icc_parts[k] for k in sorted(icc_parts))
    if mpf_base is not None and mpf_ranges:
        blocks.mpf_images = len(mpf_ranges)
        ends = [mpf_base + off + size for off, size in mpf_ranges if off > 0]
        if ends and max(ends) <= len(data):
            blocks.image_end = max(blocks.image_end, max(ends))


def _jpeg_segment(marker: int, payload: bytes, blocks: Blocks, icc_parts: dict) -> str | None:
    if marker == 0xE1 and payload.startswith(b"Exif\x00"):
        if blocks.exif is None:
            blocks.exif = payload[6:]
        else:
            blocks.exif_more.append(payload[6:])
        return "APP1 Exif"
    if marker == 0xE1 and payload.startswith(XMP_SIGNATURE):
        packet = payload[len(XMP_SIGNATURE):]
        if blocks.xmp is None:
            blocks.xmp = packet
        else:
            blocks.xmp_more.append(packet)
        return "APP1 XMP"
    if marker == 0xE1 and payload.startswith(XMP_EXTENSION_SIGNATURE):
        blocks.xmp_extended = True
        blocks.extended_parts.append(payload[len(XMP_EXTENSION_SIGNATURE):])
        return "APP1 ExtendedXMP"
    if marker == 0xE2 and payload.startswith(b"ICC_PROFILE\x00") and len(payload) > 14:
        icc_parts[payload[12]] = payload[14:]
        return "APP2 ICC_PROFILE"
    if marker == 0xE2 and payload.startswith(b"MPF\x00"):
        return "MPF"
    if marker == 0xED and payload.startswith(b"Photoshop 3.0\x00"):
        resources = _photoshop_resources(payload[14:])
        blocks.iptc = resources.get(0x0404) or blocks.iptc
        if resources.get(0x0424):  # XMP kept inside Photoshop's image resources
            blocks.xmp_more.append(resources[0x0424])
        return "APP13 Photoshop"
    if marker == 0xEB and payload[:2] == b"JP":
        blocks.jumbf = blocks.jumbf or b"jumb" in payload
        return "APP11 JUMBF"
    if marker == 0xFE:
        blocks.comments.append(payload.decode("utf-8", "replace"))
        return "COM"
    if 0xE0 <= marker <= 0xEF:
        ident = payload[:payload.find(b"\x00")] if b"\x00" in payload[:32] else payload[:8]
        label = ident.decode("latin-1", "replace").strip()
        if marker == 0xE0 and label in ("JFIF", "JFXX"):
            return None
        if marker == 0xEE and label.startswith("Adobe"):
            return None
        return f"APP{marker - 0xE0} {label}".strip()
    return None


def _photoshop_resources(irb: bytes) -> dict[int, bytes]:
    """The resources of a Photoshop image resource block by id (0x0404 IPTC-IIM, 0x0424 XMP)."""
    found: dict[int, bytes] = {}
    pos = 0
    while pos + 12 <= len(irb) and irb[pos:pos + 4] == b"8BIM":
        resource = struct.unpack(">H", irb[pos + 4:pos + 6])[0]
        name_len = irb[pos + 6]
        pos += 7 + name_len + ((name_len + 1) % 2)  # Pascal string padded to even
        size = struct.unpack(">I", irb[pos:pos + 4])[0]
        pos += 4
        found.setdefault(resource, irb[pos:pos + size])
        pos += size + (size % 2)
    return found


def _extended_xmp(parts: list[bytes]) -> bytes | None:
    """ExtendedXMP reassembled: each part is a 32-byte GUID, the full length, its offset, data."""
    pieces = {}
    for part in parts:
        if len(part) > 40:
            pieces[struct.unpack(">I", part[36:40])[0]] = part[40:]
    return b"".join(pieces[offset] for offset in sorted(pieces)) or None


def _raw_profile_xmp(text: str) -> bytes | None:
    """ImageMagick's "Raw profile type xmp" PNG text: a name, a length, then hex digits."""
    lines = text.strip().split("\n", 2)
    if len(lines) < 3:
        return None
    try:
        return bytes.fromhex("".join(lines[2].split()))
    except ValueError:
        return None


def _mpf_ranges(tiff: bytes) -> list[tuple[int, int]]:
    """(offset, size) of each image in an MPF index; offsets relative to the MPF header."""
    if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        return []
    endian = "<" if tiff[:2] == b"II" else ">"
    ifd = struct.unpack(endian + "I", tiff[4:8])[0]
    count = struct.unpack(endian + "H", tiff[ifd:ifd + 2])[0]
    for i in range(min(count, 64)):
        entry = tiff[ifd + 2 + 12 * i: ifd + 14 + 12 * i]
        tag, _typ, n, value = struct.unpack(endian + "HHII", entry)
        if tag == 0xB002:  # MPEntry: 16 bytes per image
            table = tiff[value:value + n]
            return [struct.unpack(endian + "IIIHH", table[j:j + 16])[1:3] for j in range(0, len(table) - 15, 16)]
    return []


# --- PNG ------------------------------------------------------------------------------

def _png(data: bytes, blocks: Blocks) -> None:
    pos, inflated = 8, 0
    while True:
        if pos + 12 > len(data):
            blocks.structure_error = "truncated PNG: no IEND chunk"
            return
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) < length:
            blocks.structure_error = f"truncated PNG: chunk {ctype!r} overruns the file"
            return
        name = ctype.decode("latin-1")
        if ctype == b"IEND":
            blocks.image_end = pos + 12 + length
            return
        if ctype in (b"tEXt", b"zTXt", b"iTXt"):
            if inflated > MAX_TEXT_TOTAL:
                blocks.structure_error = (f"PNG text chunks inflate beyond {MAX_TEXT_TOTAL >> 20} MiB together "
                                          "(a decompression bomb?)")
                return
            key, value = _png_text(ctype, body)
            inflated += len(value)
            if key == "XML:com.adobe.xmp":
                blocks.xmp = value.encode("utf-8")
            else:
                blocks.text[key] = value
        elif ctype == b"eXIf":
            blocks.exif = strip_exif_header(body)
        elif ctype == b"iCCP":
            blocks.icc = _inflate(body[body.find(b"\x00") + 2:])
        elif ctype == b"caBX":
            blocks.jumbf = True
        if name[0].islower() and ctype not in (b"pHYs", b"gAMA", b"cHRM", b"sRGB", b"bKGD", b"sBIT",
                                               b"tRNS", b"acTL", b"fcTL", b"fdAT"):
            blocks.segments.append(name)
        pos += 12 + length


def _png_text(ctype: bytes, body: bytes) -> tuple[str, str]:
    key, _, rest = body.partition(b"\x00")
    keyword = key.decode("latin-1", "replace")
    if ctype == b"tEXt":
        return keyword, rest.decode("latin-1", "replace")
    if ctype == b"zTXt":
        return keyword, _inflate(rest[1:]).decode("latin-1", "replace")
    compressed = rest[:1] == b"\x01"
    _lang, _, rest = rest[2:].partition(b"\x00")
    _translated, _, text = rest.partition(b"\x00")
    return keyword, (_inflate(text) if compressed else text).decode("utf-8", "replace")


def _inflate(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, MAX_TEXT_INFLATE)
    except zlib.error:
        return b""


# --- WebP -----------------------------------------------------------------------------

def _webp(data: bytes, blocks: Blocks) -> None:
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    pos = 12
    end = min(riff_end, len(data))
    while pos + 8 <= end:
        ctype, size = struct.unpack("<4sI", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + size]
        if ctype == b"EXIF":
            blocks.exif = strip_exif_header(body)
        elif ctype == b"XMP ":
            blocks.xmp = body
        elif ctype == b"ICCP":
            blocks.icc = body
        if ctype not in (b"VP8 ", b"VP8L", b"VP8X", b"ANIM", b"ANMF", b"ALPH"):
            blocks.segments.append(ctype.decode("latin-1").strip())
        pos += 8 + size + (size % 2)
    if riff_end > len(data):
        blocks.structure_error = "truncated WebP: the RIFF size exceeds the file"
    blocks.image_end = min(riff_end, len(data))


# --- GIF ------------------------------------------------------------------------------

def _gif(data: bytes, blocks: Blocks) -> None:
    """The GIF block walk. A file that ends (or stops making sense) after at least one whole
    image is damaged but its picture is intact, as decoders see it; one that ends inside an
    image's data, or before any image, is truncated."""
    flags = data[10]
    pos = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    images = 0
    try:
        while pos < len(data):
            kind = data[pos]
            if kind == 0x3B:
                blocks.image_end = pos + 1
                return
            if kind == 0x21:
                label = data[pos + 1]
                pos, payload = _gif_sub_blocks(data, pos + 2)
                if label == 0xFE:
                    blocks.comments.append(payload.decode("latin-1", "replace"))
                    blocks.segments.append("Comment")
                elif label == 0x01:  # Plain Text Extension: a 12-byte grid header, then text drawn on the picture
                    blocks.comments.append(payload[12:].decode("latin-1", "replace"))
                    blocks.segments.append("PlainText")
                elif label == 0xFF:
                    app = payload[:11].decode("latin-1", "replace")
                    if not app.startswith(("NETSCAPE", "ANIMEXTS")):
                        blocks.segments.append(f"Application {app}")
            elif kind == 0x2C:
                start = pos
                try:
                    local = data[pos + 9]
                    pos += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0) + 1
                    pos, _ = _gif_sub_blocks(data, pos)
                except IndexError:
                    blocks.structure_error = f"truncated GIF: the file ends inside the image that starts at byte {start}"
                    return
                images += 1
            else:
                _gif_damaged(blocks, images, f"an unknown block 0x{kind:02X} at byte {pos}")
                return
        _gif_damaged(blocks, images, "no trailer (0x3B) after the last block")
    except IndexError:
        _gif_damaged(blocks, images, f"the file ends inside a block (at byte {len(data)})")


def _gif_damaged(blocks: Blocks, images: int, what: str) -> None:
    if images:  # the picture is whole: what follows it is damage a decoder steps over
        blocks.structure_error = f"malformed GIF after its {images} image{'s' if images > 1 else ''}: {what}"
    else:
        blocks.structure_error = f"truncated GIF: no image before {what}"


def _gif_sub_blocks(data: bytes, pos: int) -> tuple[int, bytes]:
    parts = []
    while True:
        size = data[pos]
        if size == 0:
            return pos + 1, b"".join(parts)
        parts.append(data[pos + 1:pos + 1 + size])
        pos += 1 + size
