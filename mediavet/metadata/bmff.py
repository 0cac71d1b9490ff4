"""ISO BMFF / QuickTime box walk (MP4, MOV, HEIF, AVIF): what the boxes themselves keep
that FFmpeg's and libheif's tag views do not show.

FFmpeg reports container and stream tags, but not the creation times kept in track
headers, the vendor code in a sample description, a handler's manufacturer and name,
user-data boxes it does not know, `uuid` boxes, or text padded into `free` boxes; libheif
does not list item properties it does not use. `leftovers` walks the box tree (headers,
and the payload of the small boxes named here) and names every such part, by audit family.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone

CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"dinf", b"edts", b"mvex", b"moof", b"traf",
              b"iprp", b"ipco", b"sinf", b"schi", b"udta", b"meta", b"mfra"}
TOP_LEVEL = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"meta", b"moof", b"mfra", b"sidx", b"styp",
             b"pdin", b"uuid"}
# leaf boxes that only describe the pixels, the sound or the sample layout
STRUCTURAL = {b"ftyp", b"mdat", b"wide", b"mvhd", b"tkhd", b"mdhd", b"hdlr", b"vmhd", b"smhd", b"nmhd", b"dref",
              b"stsd", b"stts", b"ctts", b"stss", b"stsc", b"stsz", b"stz2", b"stco", b"co64", b"sdtp", b"sbgp",
              b"sgpd", b"elst", b"cslg", b"stps", b"mehd", b"trex", b"mfhd", b"tfhd", b"tfdt", b"trun", b"sidx",
              b"styp", b"mfro", b"tfra", b"tref", b"load", b"tapt", b"frma", b"schm", b"tenc", b"pssh", b"saiz", b"saio",
              # HEIF / AVIF
              b"pitm", b"iloc", b"iinf", b"iref", b"ipma", b"idat", b"grpl", b"iprp", b"ipco"}
# item properties an image needs (HEIF/AVIF `ipco`)
IMAGE_PROPERTIES = {b"ispe", b"pixi", b"hvcC", b"av1C", b"colr", b"irot", b"imir", b"clap", b"auxC", b"pasp",
                    b"rloc", b"lsel", b"a1op", b"a1lx", b"jpgC", b"j2kH", b"vvcC", b"avcC", b"clli", b"mdcv",
                    b"cmpd", b"uncC", b"cclv", b"amve"}
GENERIC_HANDLER_NAMES = {"", "VideoHandler", "SoundHandler", "DataHandler", "VideoHandle", "SoundHandle",
                         "DataHandle", "PictureHandler", "MetaHandler"}
EPOCH_1904 = datetime(1904, 1, 1, tzinfo=timezone.utc)
MAX_BOXES = 20_000
MAX_TOP_BOXES = 100_000  # top-level boxes looked at for a C2PA store (headers only)
C2PA_UUID = bytes.fromhex("d8fec3d61b0e483c92975828877ec481")  # the C2PA manifest store's box
MAX_READ = 1 << 20  # payload bytes read from any one small box


def leftovers(path) -> list[tuple[str, str]]:
    """(audit family, what) for every part of an ISO BMFF file a clean copy would not keep;
    a file that does not parse as boxes yields one `audit.structure` entry."""
    found: list[tuple[str, str]] = []
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            _walk(handle, 0, handle.tell(), (), found, [0])
    except (struct.error, ValueError) as exc:
        found.append(("audit.structure", f"the boxes do not parse: {exc}"))
    return found


def _headers(handle, start: int, end: int, strict: bool = True):
    """(offset, kind, body start, box end) of each box from `start` to `end`, reading headers
    only. A box that overruns `end` raises ValueError, or with `strict=False` ends the walk
    cut at `end` (a truncated file still shows what it began)."""
    pos = start
    while pos + 8 <= end:
        handle.seek(pos)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", handle.read(8))[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            if strict or size < header:
                raise ValueError(f"box {_name(kind)} at {pos} overruns its parent")
            yield pos, kind, pos + header, end
            return
        yield pos, kind, pos + header, pos + size
        pos += size


def _level(data: bytes) -> list[tuple[bytes, int, int]]:
    """(kind, body start, end) of each box at this level of `data`, as far as they can be read."""
    import io

    try:
        return [(kind, body, end) for _, kind, body, end in _headers(io.BytesIO(data), 0, len(data), strict=False)]
    except (ValueError, struct.error):
        return []


def top_level(data: bytes) -> list[bytes]:
    """The kinds of a file's top-level boxes, as far as they can be read."""
    return [kind for kind, _, _ in _level(data)]


def top_level_boxes(data: bytes, kinds) -> list[tuple[bytes, bytes]]:
    """(kind, body) of the boxes of these kinds at this level of `data` (no other body is copied)."""
    return [(kind, data[body:end]) for kind, body, end in _level(data) if kind in kinds]


def has_c2pa_store(handle, size: int) -> bool:
    """Whether a top-level `uuid` box holds a C2PA manifest store, wherever in the file it sits."""
    try:
        for number, (_, kind, body, _end) in enumerate(_headers(handle, 0, size, strict=False)):
            if number >= MAX_TOP_BOXES:
                return False
            if kind == b"uuid":
                handle.seek(body)
                if handle.read(16) == C2PA_UUID:
                    return True
    except (ValueError, struct.error):
        pass
    return False


def _walk(handle, start: int, end: int, parents: tuple, found: list, count: list) -> None:
    last = start
    for _, kind, body, box_end in _headers(handle, start, end):
        count[0] += 1
        if count[0] > MAX_BOXES:
            raise ValueError(f"more than {MAX_BOXES} boxes")
        _box(handle, kind, body, box_end, parents, found, count)
        last = box_end
    if last != end and not (end - last < 8 and not parents and _zeros(handle, last, end)):
        found.append(("audit.structure", f"{end - last} bytes after the last box in {_path(parents) or 'the file'}"))


def _box(handle, kind: bytes, body: int, end: int, parents: tuple, found: list, count: list) -> None:
    where = _path(parents + (kind,))
    parent = parents[-1] if parents else None
    if not parents and kind not in TOP_LEVEL:
        found.append(("audit.structure", f"top-level box {where}"))
    if kind == b"meta":
        handle.seek(body)
        first = handle.read(8)
        skip = 0 if first[4:8] == b"hdlr" else 4  # QuickTime's meta has no version/flags
        _walk(handle, body + skip, end, parents + (kind,), found, count)
        return
    if kind in CONTAINERS or kind == b"ilst":
        _walk(handle, body, end, parents + (kind,), found, count)
        return
    if parent in (b"udta", b"ilst"):
        found.append(("audit.exif", f"{'metadata item' if parent == b'ilst' else 'user data box'} {where} "
                                    f"({end - body} bytes)"))
        return
    if parent == b"ipco" and kind not in (b"free", b"skip"):
        if kind not in IMAGE_PROPERTIES:
            found.append(("audit.exif", f"item property {where} ({end - body} bytes)"))
        return
    if kind in (b"free", b"skip"):
        if not _zeros(handle, body, end):
            found.append(("audit.trailer", f"{where} box holding {end - body} bytes that are not zero"))
        return
    if kind == b"uuid":
        handle.seek(body)
        found.append(("audit.exif", f"uuid box {handle.read(16).hex()} ({end - body} bytes)"))
        return
    payload = _read(handle, body, end)
    if kind in (b"mvhd", b"tkhd", b"mdhd"):
        for label, seconds in zip(("creation", "modification"), _times(payload)):
            if seconds:
                when = EPOCH_1904 + timedelta(seconds=seconds)
                found.append(("audit.dates", f"{where} {label} time {when:%Y-%m-%d %H:%M:%S}"))
    elif kind == b"hdlr":
        _handler(payload, where, found)
    elif kind == b"stsd":
        _sample_entries(payload, where, found)
    elif kind == b"keys":
        if payload[4:8].strip(b"\0"):
            found.append(("audit.exif", f"metadata keys {where} ({end - body} bytes)"))
    elif kind not in STRUCTURAL:
        found.append(("audit.exif", f"box {where} ({end - body} bytes)"))


def _times(payload: bytes) -> tuple[int, int]:
    if payload[:1] == b"\x01":
        return struct.unpack(">QQ", payload[4:20])
    return struct.unpack(">II", payload[4:12])


def _handler(payload: bytes, where: str, found: list) -> None:
    """hdlr: version/flags, QuickTime component type (or 0), handler type, manufacturer and
    two reserved words, then a name (C string, or a Pascal string in QuickTime files)."""
    manufacturer = payload[12:16]
    if payload[8:12] == b"mdir" and manufacturer == b"appl":  # the iTunes metadata handler says so by rule
        manufacturer = b""
    raw = payload[24:]
    if raw and raw[0] == len(raw) - 1 and raw[0] > 0:  # QuickTime Pascal string
        raw = raw[1:]
    name = raw.split(b"\0")[0].decode("utf-8", "replace").strip()
    if manufacturer.strip(b"\0"):
        found.append(("audit.device", f"{where} manufacturer {_name(manufacturer)}"))
    if name not in GENERIC_HANDLER_NAMES:
        found.append(("audit.software", f"{where} name {name[:60]!r}"))


def _sample_entries(payload: bytes, where: str, found: list) -> None:
    """stsd: the vendor code QuickTime sample descriptions carry (e.g. 'appl', 'FFMP')."""
    count = struct.unpack(">I", payload[4:8])[0]
    pos = 8
    for _ in range(min(count, 16)):
        if pos + 28 > len(payload):
            return
        size, fmt = struct.unpack(">I4s", payload[pos:pos + 8])
        vendor = payload[pos + 20:pos + 24]
        if vendor.strip(b"\0"):
            found.append(("audit.device", f"{where} {_name(fmt)} vendor {_name(vendor)}"))
        if size < 8:
            return
        pos += size


def _read(handle, body: int, end: int) -> bytes:
    handle.seek(body)
    return handle.read(min(end - body, MAX_READ))


def _zeros(handle, start: int, end: int) -> bool:
    handle.seek(start)
    left = end - start
    while left > 0:
        chunk = handle.read(min(left, 1 << 20))
        if not chunk or chunk.strip(b"\0"):
            return not chunk
        left -= len(chunk)
    return True


def _name(kind: bytes) -> str:
    return "".join(chr(b) if 32 <= b < 127 else "." for b in kind)


def _path(kinds: tuple) -> str:
    return "/".join(_name(k) for k in kinds)


# JPEG 2000 (JP2) and JPEG XL files are boxes too: these are the ones a picture needs
IMAGE_BOXES = {"jpeg2000": {b"jP  ", b"ftyp", b"jp2h", b"jp2c", b"rreq", b"jp2i"},
               "jxl": {b"JXL ", b"ftyp", b"jxll", b"jxlc", b"jxlp", b"jxli", b"jbrd"}}
BOX_FAMILIES = {b"Exif": "audit.exif", b"xml ": "audit.xmp", b"jumb": "audit.c2pa", b"uuid": "audit.exif",
                b"brob": "audit.exif"}


def image_boxes(data: bytes, fmt: str) -> list[tuple[str, str]]:
    """(audit family, what) for every top-level box of a JP2 or JPEG XL file a picture does
    not need (EXIF, XMP, JUMBF, uuid, compressed metadata); [] for a bare codestream."""
    import io

    if data[4:8] not in (b"jP  ", b"JXL "):
        return []
    found = []
    try:
        for offset, kind, body, end in _headers(io.BytesIO(data), 0, len(data)):
            if len(found) >= 100:
                break
            if kind not in IMAGE_BOXES[fmt]:
                inner = f" ({_name(data[body:body + 4])} inside)" if kind == b"brob" else ""
                found.append((BOX_FAMILIES.get(kind, "audit.structure"), f"box {_name(kind)}{inner}, {end - offset} bytes"))
    except (ValueError, struct.error) as exc:
        found.append(("audit.structure", str(exc)))
    return found
