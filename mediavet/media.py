"""probe(): sniff a file's format from its bytes, hash it, and return a Media.

A Media is the one object checks, detectors and reports receive: it holds the file's
bytes and lazily caches the parsed metadata and the decoded (upright) pixels. Nothing
downstream opens files.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from mediavet.errors import MediaError, one_line
from mediavet.formats import SNIFF_BYTES, VIDEO_FORMATS, extension_format, require_regular, sniff

DEFAULT_MAX_PIXELS = 200_000_000


@dataclass(frozen=True, eq=False)
class Media:
    path: Path
    data: bytes = field(repr=False)
    sha256: str
    format: str
    max_pixels: int = DEFAULT_MAX_PIXELS

    @property
    def extension_format(self) -> str | None:
        return extension_format(self.path)

    @cached_property
    def metadata(self):
        from mediavet.metadata import read_metadata

        return read_metadata(self)

    @cached_property
    def _header_image(self):
        """The image opened lazily (header parsed, nothing decoded), size checked."""
        if self.format == "heif":
            _register_heif()
        if self.format == "jxl":
            import pillow_jxl  # noqa: F401  (registers the JPEG XL plugin with Pillow)
        return opened(self.data, self.max_pixels, f"the {self.format} header", self.format)

    def check_frames(self) -> None:
        """A clip's frames under the pixel budget, before any is decoded. Raises MediaError."""
        width, height = self.size
        if self.is_video and width * height > self.max_pixels:
            raise MediaError("too_large", f"refused: frames of {width}x{height} = {width * height / 1e6:.0f} MP, "
                                          f"beyond --max-pixels {self.max_pixels / 1e6:.0f} MP")

    def thumbnail(self):
        """The EXIF thumbnail decoded, under the same pixel budget as the picture (a thumbnail
        can declare 20000x20000); None when there is none. Raises MediaError."""
        data = self.metadata.exif.thumbnail
        if not data:
            return None
        image = opened(data, self.max_pixels, "the EXIF thumbnail")
        try:
            image.load()
        except Exception as exc:
            raise MediaError("corrupt", f"cannot decode the EXIF thumbnail: {one_line(exc)}") from None
        return image

    @property
    def is_video(self) -> bool:
        return self.format in VIDEO_FORMATS

    @property
    def stored_size(self) -> tuple[int, int]:
        """Width and height as stored in the file, before EXIF orientation."""
        if self.is_video:
            return tuple(self.metadata.video["size"])
        return self._header_image.size

    @property
    def size(self) -> tuple[int, int]:
        """Width and height as displayed (EXIF orientation or the video's rotation applied)."""
        if self.is_video:
            return tuple(self.metadata.video["size"])
        width, height = self.stored_size
        return (height, width) if self.metadata.orientation in (5, 6, 7, 8) else (width, height)

    @property
    def header_image_object(self):
        """The opened (not decoded) image, for header-level facts such as JPEG tables."""
        return self._header_image

    @property
    def header_info(self) -> dict:
        """What the decoder found in the header (pillow-heif puts HEIF's EXIF/XMP/ICC here)."""
        return self._header_image.info

    def image(self, max_side: int | None = None):
        """The decoded picture, upright, as RGB; downscaled (cheaply) when max_side is given."""
        cache = self.__dict__.setdefault("_image_cache", {})
        if max_side not in cache:
            cache[max_side] = self._decode(max_side)
        return cache[max_side]

    def tolerated_damage(self) -> str | None:
        """Decode generously: the container damage of a picture whose pixels still decode in
        full (junk between JPEG segments, an odd GIF block), None for an undamaged file.
        Raises MediaError when the damage costs the picture: a truncated or undecodable
        file, a clip, a broken budget."""
        error = self.metadata.structure_error
        if not error:
            return None
        kind = "truncated" if error.startswith("truncated") else "corrupt"
        if self.is_video or kind == "truncated" or "beyond" in error:
            raise MediaError(kind, error)
        try:
            self.image()
        except MediaError:
            raise MediaError(kind, error) from None
        return error

    def _decode(self, max_side):
        self._header_image  # the size limit is enforced before anything is decoded
        image = pil_open(self.data, self.format)
        try:
            if max_side and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))  # DCT-domain downscale: decodes far less
            image.load()  # a freshly opened animation is at its first frame
            image = image.convert("RGB")
        except Exception as exc:
            raise MediaError("corrupt", f"cannot decode the pixels: {one_line(exc)}") from None
        image = orient(image, self.metadata.orientation)
        if max_side and max(image.size) > max_side:
            image.thumbnail((max_side, max_side))
        return image


_TRANSPOSE = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
              6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


def orient(image, orientation: int):
    """Apply an EXIF orientation value (1-8) to a PIL image."""
    from PIL import Image

    name = _TRANSPOSE.get(orientation)
    return image.transpose(getattr(Image.Transpose, name)) if name else image


_heif_registered = False


def _register_heif():
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


BOMB_PIXELS, BOMB_RATIO = 25_000_000, 10_000  # larger, and more pixels a byte than this: a bomb
# (camera JPEGs hold 3-10 pixels a byte, flat PNG screenshots a few thousand)


def pil_open(data: bytes, fmt: str | None = None):
    """Pillow's image for these bytes; a camera RAW through LibRaw (mediavet/raw.py)."""
    from PIL import Image

    if fmt == "raw":
        from mediavet import raw

        try:  # opened directly, never registered: Pillow must not try LibRaw on other files
            return raw.RawImageFile(io.BytesIO(data))
        except ValueError as exc:
            raise MediaError("corrupt", f"camera RAW: {exc}") from None
    return Image.open(io.BytesIO(data))


def opened(data: bytes, max_pixels: int, what: str, fmt: str | None = None):
    """A picture's header opened by Pillow (nothing decoded yet), its size checked against
    the pixel budget before any decoding. Raises MediaError."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we enforce our own limit, before decoding
    declared = webp_size(data)  # Pillow's WebP opener allocates the whole canvas: check before it runs
    if declared:
        _within_budget(*declared, len(data), max_pixels, what)
    try:
        image = pil_open(data, fmt)
    except MediaError:
        raise
    except Exception as exc:  # Pillow raises many types for bad headers
        coded = heif_item_types(data) if fmt == "heif" else []
        if coded and not set(coded) <= heif_codings():  # what decodes here did not: then the file is damaged
            raise MediaError("unsupported", f"unsupported format: HEIF with {', '.join(coded)} images, which this "
                                            "build's libheif cannot decode") from None
        from mediavet.metadata.bmff import top_level

        if fmt == "heif" and not coded and b"mini" in top_level(data):
            raise MediaError("unsupported", "unsupported format: compact HEIF (a 'mini' box, ISO/IEC 23008-12:2024), "
                                            "which this build's libheif cannot read") from None
        raise MediaError("unreadable", f"cannot read {what}: {one_line(exc)}") from None
    _within_budget(*image.size, len(data), max_pixels, what)
    return image


_HEIF_METADATA_ITEMS = {"Exif", "mime", "uri ", "grid", "iden", "iovl", "tmap"}


def heif_codings() -> set[str]:
    """The HEIF item codings this build's libheif decodes (HEVC; AV1 only with an AV1 decoder)."""
    import pillow_heif

    decoders = " ".join(pillow_heif.libheif_info().get("decoders", {}).values()).lower()
    return {"hvc1"} | ({"av01"} if any(name in decoders for name in ("aom", "dav1d", "av1")) else set())


def heif_item_types(data: bytes) -> list[str]:
    """The coded item types a HEIF declares (hvc1, av01, vvc1, j2k1, jpeg, unci...), read from
    its `infe` boxes; metadata and derived items are left out."""
    found = []
    for match in re.finditer(rb"infe", data[:1 << 20]):
        at = match.start() + 4
        version = data[at:at + 1]
        offset = {b"\x02": 8, b"\x03": 10}.get(version)
        if offset is None:
            continue
        kind = data[at + offset:at + offset + 4].decode("latin-1")
        if kind.isprintable() and kind not in _HEIF_METADATA_ITEMS and kind not in found:
            found.append(kind)
    return found


def _within_budget(width: int, height: int, size: int, max_pixels: int, what: str) -> None:
    if width <= 0 or height <= 0:
        raise MediaError("unreadable", f"invalid image size {width}x{height}")
    if width * height > max_pixels:
        raise MediaError("too_large", f"refused: {what} is {width}x{height} = {width * height / 1e6:.0f} MP, beyond "
                                      f"--max-pixels {max_pixels / 1e6:.0f} MP (possible decompression bomb)")
    if width * height > BOMB_PIXELS and width * height > BOMB_RATIO * size:
        raise MediaError("too_large", f"refused: {what} is {width}x{height} = {width * height / 1e6:.0f} MP from "
                                      f"{size} bytes, {width * height // max(1, size)} pixels a byte "
                                      "(a decompression bomb; no camera compresses like that)")


def webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas a WebP declares (VP8X, VP8L or VP8 header), read from the bytes; None if not WebP."""
    import struct

    if data[:4] != b"RIFF" or data[8:12] != b"WEBP" or len(data) < 30:
        return None
    kind = data[12:16]
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    if kind == b"VP8L" and data[20] == 0x2F:
        bits = struct.unpack("<I", data[21:25])[0]
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if kind == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def probe(path: str | Path, max_pixels: int = DEFAULT_MAX_PIXELS) -> Media:
    """Read and identify one file. Raises MediaError for anything we cannot verify."""
    path = Path(path)
    require_regular(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
            if not head:
                raise MediaError("empty", "empty file (0 bytes)")
            fmt = sniff(head)
            if fmt == "tiff":
                from mediavet.raw import is_raw_name

                fmt = "raw" if is_raw_name(path.suffix.lower()) else fmt  # NEF, ARW, PEF...: TIFFs by their bytes
            if fmt is None:
                from mediavet.formats import describe

                found = describe(head)
                hint = extension_format(path)
                named = f", though named like {hint}" if hint else ""
                raise MediaError("unsupported", f"unsupported format: {found}{named}")
            if fmt in VIDEO_FORMATS:  # videos are hashed as a stream and read by FFmpeg, never held whole
                digest = hashlib.sha256(head)
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                return Media(path=path, data=head, sha256=digest.hexdigest(), format=fmt, max_pixels=max_pixels)
            data = head + handle.read()
    except OSError as exc:
        raise MediaError("unreadable", f"cannot read file: {exc.strerror or exc}") from None
    return Media(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), format=fmt,
                 max_pixels=max_pixels)
