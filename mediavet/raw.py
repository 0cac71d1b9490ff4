"""Camera RAW through LibRaw (rawpy), as a Pillow image: the header gives the size, loading
demosaics. So the pixel budget, verification and safe copies treat a RAW like any picture.

The pixels come out upright (LibRaw applies the camera's orientation), white-balanced as
the camera recorded, 8 bits a channel for looking and detecting; `deep_pixels` gives the same
demosaic at 16 bits for the safe copy (a 16-bit PNG). Embedded previews and thumbnails are
never used: a safe copy is made from the sensor data alone.
"""

from __future__ import annotations

import io

from PIL import Image, ImageFile

# what a RAW starts with (TIFF-based ones that are not DNG or CR2 are told by their extension)
_SIGNATURES = [
    (lambda b: b[:4] == b"II*\x00" and b[8:10] == b"CR", "Canon CR2"),
    (lambda b: b[4:12] == b"ftypcrx ", "Canon CR3"),
    (lambda b: b[6:14] == b"HEAPCCDR", "Canon CRW"),
    (lambda b: b[:15] == b"FUJIFILMCCD-RAW", "Fujifilm RAF"),
    (lambda b: b[:4] == b"\x00MRM", "Minolta MRW"),
    (lambda b: b[:4] == b"IIU\x00", "Panasonic RW2"),
    (lambda b: b[:4] in (b"IIRO", b"IIRS", b"MMOR"), "Olympus ORF"),
    (lambda b: b[:4] == b"FOVb", "Sigma X3F"),
    (lambda b: b[:4] == b"IIII" and b[8:12] == b"IIQ ", "Phase One IIQ"),
]
TIFF_RAW_EXTENSIONS = {".dng", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".pef", ".srw", ".3fr", ".erf", ".kdc",
                       ".mos", ".iiq", ".raw", ".rwl", ".mef", ".dcr"}
DNG_VERSION = 0xC612
MIN_BITS = 0.5  # fewer bits a sensor pixel than this: the data is not there


def sniff(head: bytes) -> bool:
    return any(test(head) for test, _ in _SIGNATURES) or _dng(head)


def layout(head: bytes) -> str:
    """The RAW layout's name (DNG, Canon CR3...), "TIFF-based RAW" for the ones told by extension."""
    return next((name for test, name in _SIGNATURES if test(head)), "DNG" if _dng(head) else "TIFF-based RAW")


def _dng(head: bytes) -> bool:
    """A TIFF whose first IFD (within the first bytes) carries DNGVersion."""
    if head[:4] not in (b"II*\x00", b"MM\x00*"):
        return False
    order = "<" if head[:2] == b"II" else ">"
    offset = int.from_bytes(head[4:8], "little" if order == "<" else "big")
    if offset + 2 > len(head):
        return False
    count = int.from_bytes(head[offset:offset + 2], "little" if order == "<" else "big")
    for entry in range(min(count, 200)):
        at = offset + 2 + 12 * entry
        if at + 2 > len(head):
            return False
        if int.from_bytes(head[at:at + 2], "little" if order == "<" else "big") == DNG_VERSION:
            return True
    return False


def sizes(data: bytes) -> tuple[int, int, tuple[int, int]]:
    """(width, height) of the upright picture and the sensor's (width, height), from LibRaw's
    reading of the header; ValueError with the reason when there is no picture to decode."""
    import rawpy

    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            found = raw.sizes
    except (rawpy.LibRawError, ValueError) as exc:
        raise ValueError(f"LibRaw cannot read it: {' '.join(str(exc).split())[:120]}") from None
    plausible(found.width, found.height, found.raw_width, found.raw_height, len(data))
    width, height = found.width, found.height
    if found.flip in (5, 6):  # LibRaw's flip: 5 and 6 turn the picture a quarter
        width, height = height, width
    return width, height, (found.raw_width, found.raw_height)


MIN_SIDE = 16  # pixels: no camera develops a picture narrower than this


def plausible(width: int, height: int, raw_width: int, raw_height: int, size: int) -> None:
    """ValueError unless LibRaw's reading describes a real picture: sensor data in the file
    (MIN_BITS a pixel), and a developed picture neither tiny nor a small part of the sensor
    (a RAW LibRaw misreads would otherwise become a 1×1 copy)."""
    sensor = raw_width * raw_height
    if size * 8 < sensor * MIN_BITS:  # lossy DNGs keep about 2 bits a pixel, lossless 8 to 14
        raise ValueError(f"{size} bytes for a {raw_width}x{raw_height} sensor: the sensor data "
                         "is missing (a metadata stub or a truncated file)")
    if min(width, height) < MIN_SIDE or width * height * 16 < sensor:
        raise ValueError(f"LibRaw would develop {width}x{height} pixels from a {raw_width}x{raw_height} sensor: "
                         "not the picture (a layout it does not know)")


class RawImageFile(ImageFile.ImageFile):
    format = "RAW"
    format_description = "camera RAW (LibRaw)"

    def _open(self):
        self._raw = self.fp.read()
        width, height, self.declared = sizes(self._raw)
        self._size, self._mode = (width, height), "RGB"
        self.tile = []

    def load(self):
        if getattr(self, "_im", None) is None:
            import rawpy

            try:
                with rawpy.imread(io.BytesIO(self._raw)) as raw:
                    pixels = raw.postprocess(output_bps=8, **DEMOSAIC)
            except (rawpy.LibRawError, ValueError) as exc:
                raise OSError(f"LibRaw cannot decode it: {' '.join(str(exc).split())[:120]}") from None
            decoded = Image.fromarray(pixels, "RGB")
            if decoded.size != self.size:
                raise OSError(f"LibRaw decoded {decoded.size[0]}x{decoded.size[1]} pixels where the file declares "
                              f"{self.size[0]}x{self.size[1]}")
            self.im = decoded.im
        return Image.Image.load(self)


DEMOSAIC = {"use_camera_wb": True}  # the same development at 8 and at 16 bits, so the two align pixel for pixel


def deep_pixels(data: bytes):
    """The demosaiced picture at 16 bits a channel (height × width × 3 uint16), upright."""
    import rawpy

    try:
        with rawpy.imread(io.BytesIO(data)) as raw:
            return raw.postprocess(output_bps=16, **DEMOSAIC)
    except (rawpy.LibRawError, ValueError) as exc:
        raise OSError(f"LibRaw cannot decode it: {' '.join(str(exc).split())[:120]}") from None


CR3_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
TIFF_VARIANTS = {b"IIRO": b"II*\x00", b"IIRS": b"II*\x00", b"MMOR": b"MM\x00*", b"IIU\x00": b"II*\x00"}  # ORF, RW2


def exif_blocks(data: bytes) -> list[bytes]:
    """The EXIF (TIFF) structures a camera RAW keeps, for exifread: the file itself for the
    TIFF-based ones (DNG, CR2, NEF, ARW, and ORF and RW2 under their own magic numbers);
    Canon CR3's CMT1 (IFD0), CMT2 (Exif IFD) and CMT4 (GPS IFD) boxes, each given a first
    IFD that points to it; Fujifilm RAF's embedded JPEG's APP1; Minolta MRW's TTW block.
    [] when none is found (Canon CRW, Sigma X3F, Phase One IIQ are not read)."""
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return [data]
    if data[:4] in TIFF_VARIANTS:
        return [TIFF_VARIANTS[data[:4]] + data[4:]]
    if data[4:12] == b"ftypcrx ":
        return _cr3_blocks(data)
    if data[:15] == b"FUJIFILMCCD-RAW":
        return _raf_blocks(data)
    if data[:4] == b"\x00MRM":
        return _mrw_blocks(data)
    return []


def _mrw_blocks(data: bytes) -> list[bytes]:
    """Minolta MRW: after an 8-byte header, blocks of (name, 4-byte length); TTW is a TIFF."""
    import struct

    end, pos = min(len(data), 8 + struct.unpack(">I", data[4:8])[0]), 8
    while pos + 8 <= end:
        name, length = data[pos:pos + 4], struct.unpack(">I", data[pos + 4:pos + 8])[0]
        if name == b"\x00TTW":
            tiff = data[pos + 8:pos + 8 + length]
            return [tiff] if tiff[:4] in (b"II*\x00", b"MM\x00*") else []
        pos += 8 + length
    return []


def _cr3_blocks(data: bytes) -> list[bytes]:
    from mediavet.metadata.bmff import top_level_boxes

    found = {}
    for _, movie in top_level_boxes(data, {b"moov"}):
        for _, canon in top_level_boxes(movie, {b"uuid"}):
            if canon[:16] == CR3_UUID:
                found.update(top_level_boxes(canon[16:], {b"CMT1", b"CMT2", b"CMT4"}))
    blocks = []
    for kind, pointer in ((b"CMT1", None), (b"CMT2", 0x8769), (b"CMT4", 0x8825)):
        tiff = found.get(kind)
        if tiff and tiff[:4] in (b"II*\x00", b"MM\x00*"):
            blocks.append(tiff if pointer is None else _pointed(tiff, pointer))
    return blocks


def _pointed(tiff: bytes, tag: int) -> bytes:
    """The TIFF with a new first IFD at its end holding one pointer (Exif or GPS IFD) to its
    old first IFD, so a reader sees those tags where they belong; every offset stays valid."""
    import struct

    order = "<" if tiff[:2] == b"II" else ">"
    first = struct.unpack(order + "I", tiff[4:8])[0]
    body = tiff + b"\x00" * (len(tiff) % 2)
    ifd = struct.pack(order + "HHHII", 1, tag, 4, 1, first) + struct.pack(order + "I", 0)
    return tiff[:4] + struct.pack(order + "I", len(body)) + body[8:] + ifd


def _raf_blocks(data: bytes) -> list[bytes]:
    """RAF: a header naming the camera, then an embedded JPEG whose APP1 holds the EXIF."""
    import struct

    from mediavet.metadata.containers import read_blocks

    if len(data) < 92:
        return []
    offset, length = struct.unpack(">II", data[84:92])
    preview = data[offset:offset + length]
    if preview[:3] != b"\xff\xd8\xff":
        return []
    exif = read_blocks(preview, "jpeg").exif
    return [exif] if exif else []


def is_raw_name(suffix: str) -> bool:
    """Whether a TIFF with this extension is a camera RAW (NEF, ARW, PEF...)."""
    return suffix.lower() in TIFF_RAW_EXTENSIONS
