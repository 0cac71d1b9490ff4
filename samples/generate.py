"""Generate mediavet's own samples: one small image per verify check that triggers it, and
clean images where nothing may fire. Each sample's expected report is written next to it
as <name>.expected.json (the golden file), from `mediavet verify --json --now NOW`.

    python samples/generate.py            # rewrite images and golden reports
    python samples/generate.py --reports  # rewrite only the golden reports

Everything here is synthetic and deterministic: pictures are drawn, metadata is built
byte by byte with the small TIFF writer below (so tests can also build broken EXIF).
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

HERE = Path(__file__).resolve().parent
NOW = "2026-01-01T00:00:00+00:00"  # the fixed --now the golden reports are made with

ASCII, SHORT, LONG, RATIONAL, UNDEFINED, BYTE, SRATIONAL = 2, 3, 4, 5, 7, 1, 10
_SIZES = {BYTE: 1, ASCII: 1, SHORT: 2, LONG: 4, RATIONAL: 8, UNDEFINED: 1, SRATIONAL: 8}


# --- pictures -------------------------------------------------------------------------

def scene(variant: int = 0, size=(320, 240)) -> Image.Image:
    """A small drawn picture: variant 0 (a house under the sun) or any other (a blue disc)."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # sky-to-ground gradient
        shade = int(60 + 150 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade // 2, shade // 2 + 30, 200 - shade // 2) if variant == 0
                  else (200 - shade // 3, shade // 3, shade // 2))
    if variant == 0:
        draw.rectangle([40, 120, 140, 220], fill=(180, 60, 40))  # a building
        draw.polygon([(30, 120), (90, 70), (150, 120)], fill=(90, 30, 20))
        draw.ellipse([230, 30, 290, 90], fill=(250, 230, 120))  # the sun
        draw.rectangle([180, 160, 300, 200], fill=(40, 120, 40))
    else:
        draw.ellipse([60, 40, 260, 220], fill=(30, 30, 160))
        draw.rectangle([0, 0, 90, 60], fill=(240, 240, 240))
        draw.line([(0, 239), (319, 0)], fill=(255, 255, 0), width=12)
    return image


def cloned_scene() -> Image.Image:
    """The drawn scene under seeded grain, with one square of it copied over another place
    (a clone-stamp edit): the copy-move sample."""
    import numpy as np

    grain = np.random.default_rng(13).normal(0, 28, (360, 480, 3))
    base = np.asarray(scene(0, (480, 360)).filter(ImageFilter.GaussianBlur(0.5)), dtype=np.float64)
    picture = Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.8))
    picture.paste(picture.crop((40, 200, 120, 280)), (330, 60))
    return picture


def jpeg_bytes(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


# --- a minimal TIFF/EXIF writer -------------------------------------------------------

def _encode(kind: int, value) -> bytes:
    if kind == ASCII:
        return value.encode("latin-1") + b"\x00"
    if kind == UNDEFINED:
        return bytes(value)
    values = value if isinstance(value, (list, tuple)) else [value]
    if kind == RATIONAL:
        return b"".join(struct.pack(">II", *_rational(v)) for v in values)
    if kind == SRATIONAL:
        return b"".join(struct.pack(">ii", *v) for v in values)
    fmt = {BYTE: "B", SHORT: "H", LONG: "I"}[kind]
    return b"".join(struct.pack(">" + fmt, v) for v in values)


def _rational(value) -> tuple[int, int]:
    if isinstance(value, tuple):
        return value
    return (int(round(value * 10000)), 10000)


def exif_block(ifd0: dict, exif: dict | None = None, gps: dict | None = None, thumbnail: bytes | None = None) -> bytes:
    """A big-endian TIFF structure: IFD0 (+ Exif and GPS sub-IFDs) and IFD1 with a JPEG thumbnail.

    Each dict maps tag -> (type, value).
    """
    ifds = [("ifd0", dict(ifd0))]
    if exif:
        ifds.append(("exif", dict(exif)))
    if gps:
        ifds.append(("gps", dict(gps)))
    if thumbnail is not None:
        ifds.append(("ifd1", {0x0103: (SHORT, 6), 0x0201: (LONG, 0), 0x0202: (LONG, len(thumbnail))}))
    if exif:
        ifds[0][1][0x8769] = (LONG, 0)
    if gps:
        ifds[0][1][0x8825] = (LONG, 0)

    def extra(entries):
        return sum(len(_encode(t, v)) + len(_encode(t, v)) % 2 for t, v in entries.values() if len(_encode(t, v)) > 4)

    offsets, position = {}, 8
    for name, entries in ifds:
        offsets[name] = position
        position += 2 + 12 * len(entries) + 4 + extra(entries)
    thumb_offset = position
    if exif:
        ifds[0][1][0x8769] = (LONG, offsets["exif"])
    if gps:
        ifds[0][1][0x8825] = (LONG, offsets["gps"])
    if thumbnail is not None:
        ifds[-1][1][0x0201] = (LONG, thumb_offset)

    out = bytearray(b"MM\x00*" + struct.pack(">I", 8))
    for index, (name, entries) in enumerate(ifds):
        data_at = offsets[name] + 2 + 12 * len(entries) + 4
        table, data = bytearray(struct.pack(">H", len(entries))), bytearray()
        for tag in sorted(entries):
            kind, value = entries[tag]
            raw = _encode(kind, value)
            count = len(raw) // _SIZES[kind]
            if len(raw) <= 4:
                table += struct.pack(">HHI", tag, kind, count) + raw.ljust(4, b"\x00")
            else:
                table += struct.pack(">HHII", tag, kind, count, data_at + len(data))
                data += raw + (b"\x00" if len(raw) % 2 else b"")
        next_ifd = offsets["ifd1"] if name == "ifd0" and thumbnail is not None else 0
        table += struct.pack(">I", next_ifd)
        out += table + data
        assert len(out) == (offsets[ifds[index + 1][0]] if index + 1 < len(ifds) else thumb_offset)
    if thumbnail is not None:
        out += thumbnail
    return bytes(out)


def insert_segments(jpeg: bytes, *segments: tuple[int, bytes]) -> bytes:
    """Put APPn segments right after SOI (dropping the encoder's own JFIF APP0 if asked)."""
    body = b"".join(bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload for marker, payload in segments)
    return jpeg[:2] + body + jpeg[2:]


def app1_exif(tiff: bytes) -> tuple[int, bytes]:
    return 0xE1, b"Exif\x00\x00" + tiff


def app1_xmp(xml: str) -> tuple[int, bytes]:
    return 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + xml.encode("utf-8")


def xmp_packet(properties: str) -> str:
    return ("<?xpacket begin='\ufeff' id='W5M0MpCehiHzreSzNTczkc9d'?>"
            "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
            "<rdf:Description rdf:about='' xmlns:xmp='http://ns.adobe.com/xap/1.0/' "
            "xmlns:Iptc4xmpExt='http://iptc.org/std/Iptc4xmpExt/2008-02-29/'>"
            f"{properties}</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end='w'?>")


def png_with_text(image: Image.Image, chunks: dict[str, str]) -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in chunks.items():
        info.add_text(key, value)
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


# --- codes to cover ---------------------------------------------------------------------

_EAN_L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111",
          "0001011"]
_EAN_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13(digits: str, module: int = 3, height: int = 120) -> Image.Image:
    """An EAN-13 barcode drawn from its specification (12 digits given, check digit added)."""
    numbers = [int(d) for d in digits[:12]]
    numbers.append((10 - sum(n * (3 if i % 2 else 1) for i, n in enumerate(numbers)) % 10) % 10)
    bits = "101"
    for i, n in enumerate(numbers[1:7]):
        left = _EAN_L[n]
        bits += left if _EAN_PARITY[numbers[0]][i] == "L" else "".join("1" if b == "0" else "0" for b in left)[::-1]
    bits += "01010"
    for n in numbers[7:]:
        bits += "".join("1" if b == "0" else "0" for b in _EAN_L[n])
    bits += "101"
    quiet = 11 * module
    image = Image.new("L", (len(bits) * module + 2 * quiet, height + 2 * quiet), 255)
    draw = ImageDraw.Draw(image)
    for i, bit in enumerate(bits):
        if bit == "1":
            draw.rectangle((quiet + i * module, quiet, quiet + (i + 1) * module - 1, quiet + height), fill=0)
    return image


def qr_code(text: str, module: int = 6) -> Image.Image:
    import cv2

    matrix = cv2.QRCodeEncoder.create().encode(text)
    return Image.fromarray(matrix).resize((matrix.shape[1] * module, matrix.shape[0] * module),
                                          Image.Resampling.NEAREST)


# --- the camera whose metadata the samples share --------------------------------------

def camera_exif(*, make="NIKON CORPORATION", model="NIKON D5300", software="Ver.1.02",
                original="2025:06:14 09:30:12", digitized=None, modified=None, offset="+03:00",
                size=(320, 240), gps=(48.8584, 2.2945), gps_stamp=("2025:06:14", (6, 30, 10)),
                thumbnail_variant: int | None = 0, exposure: dict | None = None) -> bytes:
    """A camera's EXIF block; `exposure` adds ExposureTime (seconds as (num, den)), FNumber,
    ISO and Flash, e.g. {"time": (1, 1000), "f": 8, "iso": 100, "flash": 0}."""
    ifd0 = {0x010F: (ASCII, make), 0x0110: (ASCII, model), 0x0112: (SHORT, 1), 0x0131: (ASCII, software),
            0x0132: (ASCII, modified or original)}
    ifd0 = {tag: value for tag, value in ifd0.items() if value[1] is not None}
    exif = {0x9003: (ASCII, original), 0x9004: (ASCII, digitized or original), 0xA002: (LONG, size[0]),
            0xA003: (LONG, size[1]), 0x9000: (UNDEFINED, b"0231")}
    if offset:
        exif.update({0x9010: (ASCII, offset), 0x9011: (ASCII, offset)})
    if exposure:
        exif.update({0x829A: (RATIONAL, [exposure["time"]]), 0x829D: (RATIONAL, [(int(exposure["f"] * 10), 10)]),
                     0x8827: (SHORT, exposure["iso"]), 0x9209: (SHORT, exposure.get("flash", 0))})
    gps_ifd = None
    if gps is not None:
        lat, lon = gps
        gps_ifd = {0x0000: (BYTE, [2, 3, 0, 0]), 0x0001: (ASCII, "N" if lat >= 0 else "S"),
                   0x0002: (RATIONAL, _dms(abs(lat))), 0x0003: (ASCII, "E" if lon >= 0 else "W"),
                   0x0004: (RATIONAL, _dms(abs(lon)))}
        if gps_stamp:
            day, (h, m, s) = gps_stamp
            gps_ifd[0x0007] = (RATIONAL, [(h, 1), (m, 1), (s, 1)])
            gps_ifd[0x001D] = (ASCII, day)
    thumb = None
    if thumbnail_variant is not None:
        thumb = jpeg_bytes(scene(thumbnail_variant).resize((160, 120)), quality=75)
    return exif_block(ifd0, exif, gps_ifd, thumb)


def dng(size=(320, 240), serial: str = "3004417", gps=(48.8584, 2.2945)) -> bytes:
    """A small real DNG: the drawn scene as a 16-bit RGGB Bayer mosaic that LibRaw decodes,
    with a camera's make, model, serial number, capture time and GPS."""
    import numpy as np

    width, height = size
    rgb = np.asarray(scene(5, size), dtype=np.uint16) * 257
    mosaic = np.empty((height, width), np.uint16)
    mosaic[0::2, 0::2], mosaic[0::2, 1::2] = rgb[0::2, 0::2, 0], rgb[0::2, 1::2, 1]
    mosaic[1::2, 0::2], mosaic[1::2, 1::2] = rgb[1::2, 0::2, 1], rgb[1::2, 1::2, 2]
    pixels = mosaic.astype(">u2").tobytes()
    identity = [(1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]
    ifd0 = {0x00FE: (LONG, 0), 0x0100: (LONG, width), 0x0101: (LONG, height), 0x0102: (SHORT, 16),
            0x0103: (SHORT, 1), 0x0106: (SHORT, 32803), 0x010F: (ASCII, "NIKON CORPORATION"),
            0x0110: (ASCII, "NIKON D5300"), 0x0111: (LONG, 0), 0x0112: (SHORT, 1), 0x0115: (SHORT, 1),
            0x0116: (LONG, height), 0x0117: (LONG, len(pixels)), 0x011C: (SHORT, 1), 0x828D: (SHORT, [2, 2]),
            0x828E: (BYTE, [0, 1, 1, 2]), 0xC612: (BYTE, [1, 4, 0, 0]), 0xC614: (ASCII, "NIKON D5300"),
            0xC61D: (LONG, 65535), 0xC621: (SRATIONAL, identity), 0xC65A: (SHORT, 21), 0xC62F: (ASCII, serial)}
    exif = {0x9003: (ASCII, "2025:06:14 09:30:12"), 0x9000: (UNDEFINED, b"0231")}
    lat, lon = gps
    gps_ifd = {0x0000: (BYTE, [2, 3, 0, 0]), 0x0001: (ASCII, "N"), 0x0002: (RATIONAL, _dms(lat)),
               0x0003: (ASCII, "E"), 0x0004: (RATIONAL, _dms(lon))}
    ifd0[0x0111] = (LONG, len(exif_block(ifd0, exif, gps_ifd)))  # the pixels follow the tags
    return exif_block(ifd0, exif, gps_ifd) + pixels


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def cr3_stub(make="Canon", model="Canon EOS R5", serial="042021000123", gps=(40.1292, 124.3947)) -> bytes:
    """A Canon CR3's metadata without sensor data: ftyp 'crx ', and in moov Canon's uuid box
    with CMT1 (IFD0), CMT2 (Exif IFD) and CMT4 (GPS IFD), each its own TIFF, as cameras write
    them (ExifTool reads these the same)."""
    lat, lon = gps
    cmt1 = exif_block({0x010F: (ASCII, make), 0x0110: (ASCII, model), 0x0132: (ASCII, "2025:06:14 23:40:00")})
    cmt2 = exif_block({0x9003: (ASCII, "2025:06:14 23:40:00"), 0xA431: (ASCII, serial)})
    cmt4 = exif_block({0x0001: (ASCII, "N"), 0x0002: (RATIONAL, _dms(lat)), 0x0003: (ASCII, "E"),
                       0x0004: (RATIONAL, _dms(lon))})
    canon = _box(b"uuid", bytes.fromhex("85c0b687820f11e08111f4ce462b6a48") + _box(b"CNCV", b"CanonCR3_001/01.09.00")
                 + _box(b"CMT1", cmt1) + _box(b"CMT2", cmt2) + _box(b"CMT4", cmt4))
    return _box(b"ftyp", b"crx \0\0\0\x01crx isom") + _box(b"moov", canon) + _box(b"mdat", bytes(64))


def mrw_stub() -> bytes:
    """A Minolta MRW's metadata without sensor data: the MRM header, a PRD block, and the TTW
    block holding the camera's TIFF (EXIF)."""
    tiff = camera_exif(thumbnail_variant=None)
    blocks = b"\x00PRD" + struct.pack(">I", 24) + bytes(24) + b"\x00TTW" + struct.pack(">I", len(tiff)) + tiff
    return b"\x00MRM" + struct.pack(">I", len(blocks)) + blocks + bytes(100)


def raf_stub(**camera) -> bytes:
    """A Fujifilm RAF's metadata without sensor data: the header naming the camera, and the
    embedded JPEG (offset and length at byte 84) whose APP1 holds the EXIF."""
    jpeg = camera_jpeg(**camera)
    head = (b"FUJIFILMCCD-RAW 0201FF393501" + camera.get("model", "X-T4").encode().ljust(32, b"\0")).ljust(84, b"\0")
    offset = 148
    return (head + struct.pack(">II", offset, len(jpeg))).ljust(offset, b"\0") + jpeg + bytes(64)


def _dms(value: float):
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return [(degrees, 1), (minutes, 1), (seconds, 100)]


def camera_tables() -> list[list[int]]:
    """Quantization tables of the kind a camera writes: near libjpeg's at 92, but its own."""
    from mediavet.jpeg_quality import CHROMINANCE, LUMINANCE, scaled

    return [[max(1, v + (i % 3) - 1) for i, v in enumerate(scaled(table, 92))] for table in (LUMINANCE, CHROMINANCE)]


def camera_jpeg(**kwargs) -> bytes:
    out = io.BytesIO()
    scene(0).save(out, "JPEG", qtables=camera_tables())
    return insert_segments(out.getvalue(), app1_exif(camera_exif(**kwargs)))


# --- video clips ----------------------------------------------------------------------

_ASS_HEADER = (b"[Script Info]\r\nScriptType: v4.00+\r\nPlayResX: 320\r\nPlayResY: 240\r\n\r\n[V4+ Styles]\r\n"
               b"Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
               b"Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
               b"Alignment, MarginL, MarginR, MarginV, Encoding\r\nStyle: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,"
               b"0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\r\n\r\n[Events]\r\nFormat: Layer, Start, End, Style, Name, "
               b"MarginL, MarginR, MarginV, Effect, Text\r\n")


def clip(tags: dict[str, str] | None = None, subtitle: str | None = None, frames: int = 20) -> bytes:
    """A two-second MP4 of the drawn scene panning, with container tags and optionally a
    subtitle track (drones write telemetry that way). FFmpeg's own encoder tag is left out
    (bitexact), so only the tags given appear."""
    import fractions
    import struct

    import av
    import numpy as np

    out = io.BytesIO()
    container = av.open(out, "w", format="mp4",
                        container_options={"movflags": "use_metadata_tags", "fflags": "+bitexact"})
    for key, value in {"creation_time": "2025-06-14T06:30:12.000000Z", **(tags or {})}.items():
        container.metadata[key] = value
    video = container.add_stream("mpeg4", rate=10)
    video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
    video.codec_context.options = {"flags": "+bitexact"}
    text_stream = None
    if subtitle is not None:
        text_stream = container.add_stream("mov_text")
        text_stream.codec_context.subtitle_header = _ASS_HEADER
    picture = np.asarray(scene(0, (480, 240)))
    for number in range(frames):
        window = np.ascontiguousarray(picture[:, number * 8:number * 8 + 320])
        for packet in video.encode(av.VideoFrame.from_ndarray(window, format="rgb24")):
            container.mux(packet)
    if text_stream is not None:
        payload = subtitle.encode()
        packet = av.Packet(struct.pack(">H", len(payload)) + payload)
        packet.stream, packet.pts, packet.dts, packet.duration = text_stream, 0, 0, 2000
        packet.time_base = fractions.Fraction(1, 1000)
        container.mux(packet)
    for packet in video.encode():
        container.mux(packet)
    container.close()
    return out.getvalue()


def mdpm_sei(make: int = 0x0108, model: str = "HDR-CX405", when=(2025, 6, 14, 23, 40, 0), zone_hours: int = 8,
             position=(40.1292, 124.3947)) -> bytes:
    """An H.264 SEI NAL unit holding AVCHD's MDPM the way Sony camcorders write it: recording
    time (BCD, with its zone), GPS, maker code and model name (see mediavet/metadata/avchd.py)."""
    def bcd(value):
        return (value // 10) << 4 | value % 10

    def rational(value, scale=1):
        return struct.pack(">HH", round(value * scale), scale)

    year, month, day, hour, minute, second = when
    lat, lon = position
    records = [(0x18, bytes([zone_hours << 1, bcd(year // 100), bcd(year % 100), bcd(month)])),
               (0x19, bytes([bcd(day), bcd(hour), bcd(minute), bcd(second)])),
               (0xB1, b"N\0\0\0"), (0xB2, rational(int(lat))), (0xB3, rational(int(lat * 60) % 60)),
               (0xB4, rational(lat * 3600 % 60, 100)), (0xB5, b"E\0\0\0"), (0xB6, rational(int(lon))),
               (0xB7, rational(int(lon * 60) % 60)), (0xB8, rational(lon * 3600 % 60, 100)),
               (0xE0, struct.pack(">HH", make, 0x3100))]
    name = model.encode().ljust(12, b"\0")
    records += [(0xE4 + n, name[4 * n:4 * n + 4]) for n in range(3)]
    data = (bytes.fromhex("17ee8c60f84d11d98cd60800200c9a66") + b"MDPM" + bytes([len(records)])
            + b"".join(bytes([tag]) + value for tag, value in records))
    payload = bytes([5, len(data)]) + data + b"\x80"  # user data unregistered; RBSP trailing bits
    escaped, zeros = bytearray(), 0
    for byte in payload:  # emulation prevention: no 00 00 0x (x <= 3) inside a NAL unit
        if zeros >= 2 and byte <= 3:
            escaped.append(3)
            zeros = 0
        escaped.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return b"\x00\x00\x00\x01\x06" + bytes(escaped)


def avchd_clip(m2ts: bool = False, **mdpm) -> bytes:
    """A one-second AVCHD-style MPEG-TS (.mts, or .m2ts) of H.264 whose every key frame carries
    an MDPM SEI (`mdpm_sei`'s arguments)."""
    import av
    import numpy as np

    sei = mdpm_sei(**mdpm)
    out = io.BytesIO()
    container = av.open(out, "w", format="mpegts", options={"mpegts_m2ts_mode": "1"} if m2ts else {})
    video = container.add_stream("libx264", rate=25)
    video.width, video.height, video.pix_fmt = 320, 240, "yuv420p"
    video.codec_context.options = {"x264-params": "keyint=10"}
    picture = np.asarray(scene(0, (480, 240)))
    frames = [av.VideoFrame.from_ndarray(np.ascontiguousarray(picture[:, n * 4:n * 4 + 320]), format="rgb24")
              for n in range(25)]
    for packet in [p for frame in frames for p in video.encode(frame)] + list(video.encode()):
        if packet.is_keyframe:
            marked = av.Packet(sei + bytes(packet))
            marked.pts, marked.dts, marked.time_base, marked.stream = packet.pts, packet.dts, packet.time_base, video
            marked.is_keyframe = True
            packet = marked
        container.mux(packet)
    container.close()
    return out.getvalue()


DJI_SRT = "".join(f"{n}\n00:00:0{n - 1},000 --> 00:00:0{n},000\n2025.06.14 09:30:1{n} GPS(2.2945,48.8584,{30 + n}) "
                  f"BAROMETER:{n}.2\n\n" for n in range(1, 3))


# --- the samples ----------------------------------------------------------------------

def samples() -> dict[str, bytes]:
    """File name -> bytes. Names say what each sample is for."""
    stripped = jpeg_bytes(scene(0))
    zip_bytes = b"PK\x03\x04" + b"\x14\x00" + b"\x00" * 24 + b"source-notes.txt" + b"meet at gate 3" * 4
    return {
        # clean: nothing may fire
        "clean_camera.jpg": camera_jpeg(),
        "clean_phone.jpg": camera_jpeg(make="Google", model="Pixel 8", software="HDR+ 1.0.570503588zd",
                                       thumbnail_variant=None),
        "clean_android_firmware.jpg": camera_jpeg(make="HMD Global", model="Nokia 8.3 5G",
                                                  software="00WW_3_380_SP02", thumbnail_variant=None, gps=None),
        # one per check
        "metadata_none.jpg": stripped,
        "exif_corrupt.jpg": insert_segments(stripped, (0xE1, b"Exif\x00\x00MM\x00*\xff\xff\xff\xf0garbage")),
        "exif_editing_software.jpg": camera_jpeg(software="Adobe Photoshop 25.0 (Windows)"),
        "exif_datetime_order.jpg": camera_jpeg(modified="2025:06:13 18:00:00"),
        "exif_datetime_future.jpg": camera_jpeg(original="2031:03:01 12:00:00", gps=None),
        "exif_gps_time_mismatch.jpg": camera_jpeg(gps_stamp=("2025:06:17", (6, 30, 10))),
        "exif_gps_invalid.jpg": camera_jpeg(gps=(0.0, 0.0), gps_stamp=None),
        "exif_dimension_mismatch.jpg": camera_jpeg(size=(6000, 4000)),
        "exif_thumbnail_mismatch.jpg": camera_jpeg(thumbnail_variant=1),
        "exif_make_model.jpg": camera_jpeg(model=None),
        "exif_daylight_mismatch.jpg": camera_jpeg(original="2025:06:14 23:40:00", offset="+02:00",
                                                  gps_stamp=("2025:06:14", (21, 40, 0)),
                                                  exposure={"time": (1, 1000), "f": 8, "iso": 100, "flash": 0}),
        "file_type_mismatch.png": camera_jpeg(),
        "forensics_copy_move.jpg": jpeg_bytes(cloned_scene(), quality=92),
        "jpeg_platform.jpg": jpeg_bytes(scene(0, (1600, 1200)), quality=80),
        "jpeg_resaved.jpg": insert_segments(jpeg_bytes(scene(0), quality=85), app1_exif(camera_exif(
            make="Canon", model="Canon EOS 5D Mark IV", software="1.2.0", thumbnail_variant=None))),
        "file_trailing_data.jpg": camera_jpeg() + zip_bytes,
        "provenance_ai_generated.jpg": insert_segments(stripped, app1_xmp(xmp_packet(
            "<Iptc4xmpExt:DigitalSourceType>http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
            "</Iptc4xmpExt:DigitalSourceType>"))),
        # video: one clean clip, one per video check
        "clean_clip.mp4": clip(),
        "video_location.mp4": clip({"location": "+48.8584+002.2945+035.000/"}),
        "video_editing_software.mp4": clip({"software": "CapCut 12.1.0"}),
        "video_datetime_mismatch.mp4": clip({"com.apple.quicktime.creationdate": "2025-06-10T09:30:12+0300"}),
        "video_telemetry.mp4": clip(subtitle="GPS(2.2945,48.8584,35) BAROMETER:1.9"),
        "file_companion.mp4": clip(),
        "file_companion.SRT": DJI_SRT.encode(),
        "provenance_c2pa_stripped.jpg": insert_segments(stripped, app1_xmp(xmp_packet(
            "<dcterms:provenance xmlns:dcterms='http://purl.org/dc/terms/'>self#jumbf=/c2pa/urn:uuid:"
            "7d1f7d0e-0000-4000-8000-000000000001/c2pa.claim</dcterms:provenance>"))),
        "provenance_ai_parameters.png": png_with_text(scene(1), {
            "parameters": "a factory dormitory at night\nNegative prompt: blurry\n"
                          "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, Size: 320x240"}),
    }


def write_reports() -> None:
    """Regenerate every golden report from the samples as they are on disk."""
    from click.testing import CliRunner

    from mediavet.cli import main

    os.chdir(HERE.parent)
    for path in sorted(HERE.iterdir()):
        if path.suffix.lower() in (".py", ".json", ".md", ".srt") or path.name.startswith("."):
            continue
        result = CliRunner().invoke(main, ["verify", "--json", "--fail-on", "never", "--now", NOW,
                                           f"samples/{path.name}"])
        document = json.loads(result.stdout)
        (HERE / f"{path.stem}.expected.json").write_text(json.dumps(document["files"][0], indent=2,
                                                                    ensure_ascii=False) + "\n")


def main(argv: list[str]) -> None:
    if "--reports" not in argv:
        for name, data in samples().items():
            (HERE / name).write_bytes(data)
    write_reports()


if __name__ == "__main__":
    main(sys.argv[1:])


def _turned_away(face):
    """The face crop with its inner face (the middle 60%) made an 3x3 mosaic."""
    w, h = face.size
    box = (int(w * 0.2), int(h * 0.2), int(w * 0.8), int(h * 0.8))
    inner = face.crop(box)
    mosaic = inner.resize((3, 3), Image.Resampling.BOX).resize(inner.size, Image.Resampling.NEAREST)
    out = face.copy()
    out.paste(mosaic, box[:2])
    return out


def encoded_clip(scenes, size, fps: int = 25) -> tuple[bytes, list]:
    """An H.264 MP4 of (PIL frame, [face boxes]) pairs: (bytes, the boxes of every frame)."""
    import av

    out = io.BytesIO()
    truth = []
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.codec_context.options = {"crf": "18", "preset": "veryfast"}
        for canvas, boxes in scenes:
            truth.append(boxes)
            for packet in stream.encode(av.VideoFrame.from_image(canvas)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue(), truth


def noisy_background(size):
    return Image.effect_noise(size, 30).convert("RGB").filter(ImageFilter.GaussianBlur(4))


def moving_faces_clip(faces: list, size=(960, 540), frames: int = 100, fps: int = 25, hidden=None):
    """A clip of face pictures (PIL images) gliding across a textured background, and where
    each one is on each frame: (bytes, [[(x, y, w, h), ...] per frame]). `hidden` maps a face's
    index to the frames (a range) on which its inner face is a coarse mosaic, as when a person
    turns away: no detector finds it there, while the hair and clothes around it still move
    with it."""
    import numpy as np

    width, height = size
    background = noisy_background(size)

    def scenes():
        for number in range(frames):
            canvas = background.copy()
            boxes = []
            for index, face in enumerate(faces):
                span = width - face.width
                x = int((number / max(1, frames - 1)) * span) if index % 2 == 0 else int((1 - number / max(1, frames - 1)) * span)
                y = int((index + 0.5) * height / (len(faces) + 0.5)) - face.height // 2
                y = max(0, min(height - face.height, y + int(20 * np.sin(number / 7 + index))))
                canvas.paste(_turned_away(face) if hidden and number in hidden.get(index, ()) else face, (x, y))
                boxes.append((x, y, face.width, face.height))
            yield canvas, boxes

    return encoded_clip(scenes(), size, fps)
