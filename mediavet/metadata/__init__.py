"""One metadata structure for a file, read once and shared by verify and (later) audit.

`read_metadata(media)` walks the container, then parses each block with its reader.
Each block keeps "absent" apart from "present but unparseable".
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mediavet.errors import MediaError
from mediavet.metadata.bmff import has_c2pa_store
from mediavet.metadata.containers import Blocks, find_xmp_packet, read_blocks, strip_exif_header
from mediavet.metadata.exif import Exif, gps_datetime, gps_position, read_exif, read_exifs
from mediavet.metadata.icc import read_icc
from mediavet.metadata.iptc import read_iptc
from mediavet.metadata.xmp import Xmp, read_xmp

__all__ = ["Metadata", "Trailer", "read_metadata"]


@dataclass
class Trailer:
    offset: int
    size: int
    kind: str
    padding: bool  # only zero or 0xFF filler: harmless, common in camera files


@dataclass
class Metadata:
    exif: Exif
    xmp: Xmp
    iptc: dict[str, str]
    iptc_present: bool
    text: dict[str, str]  # PNG text chunks
    comments: list[str]
    icc: dict[str, str] | None
    mpf_images: int
    trailer: Trailer | None
    c2pa: bool
    segments: list[str]
    structure_error: str | None
    gps: dict | None = field(default=None)
    video: dict | None = field(default=None)  # container and streams (metadata/video.py)
    exif_more: list = field(default_factory=list)  # Exif of further EXIF segments (read for software names)

    @property
    def orientation(self) -> int:
        return self.exif.orientation

    def to_json(self) -> dict:
        exif = {"state": self.exif.state, "error": self.exif.error, "tags": self.exif.tags,
                "thumbnail_bytes": len(self.exif.thumbnail) if self.exif.thumbnail else 0,
                "makernote": self.exif.makernote}
        xmp = {"state": self.xmp.state, "error": self.xmp.error, "fields": self.xmp.fields,
               "history": self.xmp.history}
        trailer = None
        if self.trailer:
            trailer = {"offset": self.trailer.offset, "size": self.trailer.size, "kind": self.trailer.kind,
                       "padding": self.trailer.padding}
        return {
            "exif": exif, "xmp": xmp, "iptc": self.iptc, "png_text": self.text, "comments": self.comments,
            "icc": self.icc, "mpf_images": self.mpf_images, "trailer": trailer, "c2pa": self.c2pa,
            "gps": self.gps, "segments": self.segments, "structure_error": self.structure_error,
            **({"video": self.video} if self.video is not None else {}),
        }


def read_metadata(media) -> Metadata:
    if media.is_video:
        return _video_metadata(media)
    blocks = read_blocks(media.data, media.format)
    if media.format in ("heif", "avif", "jxl", "jpeg2000"):
        _plugin_blocks(media, blocks)
    exif = read_exifs([blocks.exif, *blocks.exif_parts]) if blocks.exif_parts else read_exif(blocks.exif)
    if media.format == "raw":  # LibRaw hands over the pixels upright already
        exif = replace(exif, orientation=1)
    metadata = Metadata(
        exif=exif, xmp=read_xmp(blocks.xmp, blocks.xmp_more), iptc=read_iptc(blocks.iptc), iptc_present=blocks.iptc is not None,
        text={k: v[:2000] for k, v in blocks.text.items()}, comments=[c[:300] for c in blocks.comments],
        icc=read_icc(blocks.icc), mpf_images=blocks.mpf_images, trailer=_trailer(media.data, blocks),
        c2pa=blocks.jumbf, segments=blocks.segments, structure_error=blocks.structure_error,
        exif_more=[read_exif(extra) for extra in blocks.exif_more[:4]],
    )
    position = gps_position(exif) if exif.state == "ok" else None
    if position:
        when = gps_datetime(exif)
        metadata.gps = {"lat": position[0], "lon": position[1], "alt": position[2],
                        "utc": when.isoformat() if when else None}
    return metadata


def _video_metadata(media) -> Metadata:
    """A video's metadata: container and streams from FFmpeg, an XMP packet if one is stored
    near either end of the file (where moov and uuid boxes live)."""
    from mediavet.metadata.video import read_video

    video = read_video(media.path)
    with open(media.path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        ends = b""
        for start in sorted({0, max(0, size - XMP_SCAN)}):
            handle.seek(start)
            ends += handle.read(XMP_SCAN)
        c2pa = (b"jumb" in ends and b"c2pa" in ends) or (media.format in ("mp4", "quicktime") and has_c2pa_store(handle, size))
    metadata = Metadata(
        exif=read_exif(None), xmp=read_xmp(find_xmp_packet(ends)), iptc={}, iptc_present=False, text={},
        comments=[], icc=None, mpf_images=0, trailer=None, c2pa=c2pa, segments=[],
        structure_error=None if video["decodable"] else "no decodable video frames (truncated or damaged)",
        video=video,
    )
    location = video["location"]
    if location:
        from_stream = location == (video.get("mdpm") or {}).get("location")
        metadata.gps = {**location, "utc": None,
                        "source": "H.264 stream MDPM (AVCHD)" if from_stream else "container location (ISO 6709)"}
    return metadata


XMP_SCAN = 4 << 20


def _plugin_blocks(media, blocks: Blocks) -> None:
    """HEIF keeps EXIF/XMP/ICC as items, JPEG XL as boxes (Brotli-compressed ones too); the
    Pillow plugins hand them over."""
    try:
        info = media.header_info
    except MediaError:
        return  # the size check or header error is reported when the size is asked for
    if info.get("exif"):
        blocks.exif = strip_exif_header(info["exif"])
    if info.get("xmp"):
        blocks.xmp = info["xmp"]
    if info.get("icc_profile"):
        blocks.icc = info["icc_profile"]
    if info.get("comment"):  # a JPEG 2000 codestream's COM marker
        comment = info["comment"]
        blocks.comments.append(comment.decode("latin-1") if isinstance(comment, bytes) else str(comment))


_SIGNATURES = [
    (b"ftyp", 4, "MP4/QuickTime video (e.g. a Motion Photo)"), (b"PK\x03\x04", 0, "ZIP archive"),
    (b"\xff\xd8\xff", 0, "JPEG image"), (b"\x89PNG", 0, "PNG image"), (b"Rar!", 0, "RAR archive"),
    (b"7z\xbc\xaf", 0, "7-Zip archive"), (b"%PDF", 0, "PDF document"), (b"SEFH", -8, "Samsung edit data"),
    (b"RIFF", 0, "RIFF data"), (b"<?xpacket", 0, "XMP packet"), (b"<x:xmpmeta", 0, "XMP packet"),
]


def _trailer(data: bytes, blocks: Blocks) -> Trailer | None:
    end = blocks.image_end
    if end is None or end >= len(data):
        return None
    tail = data[end:]
    padding = tail.strip(b"\x00") == b"" or tail.strip(b"\xff") == b""
    return Trailer(offset=end, size=len(tail), kind="padding" if padding else guess_kind(tail), padding=padding)


def guess_kind(tail: bytes) -> str:
    for signature, where, kind in _SIGNATURES:
        if where >= 0 and tail[where:where + len(signature)] == signature:
            return kind
        if where < 0 and signature in tail[-64:]:
            return kind
    if b"ftyp" in tail[:64]:
        return "MP4/QuickTime video (e.g. a Motion Photo)"
    return "unknown data"
