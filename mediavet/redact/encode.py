"""Pixels only: decode a photo upright in sRGB, and encode a brand-new file from them.

Nothing of the original file is carried over: the pixels are copied into a fresh image
that has no `info` at all, and the encoder is given nothing but pixels and quality.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from mediavet.errors import MediaError
from mediavet.media import orient, pil_open

# what each input format becomes
OUTPUT_FORMATS = {"jpeg": "jpeg", "png": "png", "webp": "webp", "tiff": "png", "gif": "png", "heif": "jpeg", "avif": "jpeg",
                  "jxl": "png", "jpeg2000": "png", "bmp": "png", "netpbm": "png", "raw": "png"}
EXTENSIONS = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
PIL_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
MAX_FRAMES = 1000


@dataclass
class Picture:
    """Upright sRGB frames ready to encode (one unless an animation is kept)."""

    frames: list  # PIL images without any info
    durations: list[int]
    loop: int | None
    lossless: bool  # the source was lossless WebP


def output_format(input_format: str, chosen: str | None = None) -> str:
    if chosen and input_format in ("heif", "avif", "raw"):
        return chosen
    return OUTPUT_FORMATS[input_format]


def decode(media, all_frames: bool = False) -> Picture:
    from PIL import ImageSequence

    media.stored_size  # the pixel limit is checked from the header before decoding
    image = pil_open(media.data, media.format)
    orientation = media.metadata.orientation
    convert = not _is_srgb(media.metadata.icc)
    frames, durations = [], []
    try:
        sequence = ImageSequence.Iterator(image) if all_frames else [image]
        for number, frame in enumerate(sequence):
            if number >= MAX_FRAMES:
                raise MediaError("too_large", f"more than {MAX_FRAMES} frames")
            if (number + 1) * image.width * image.height > media.max_pixels:  # frames are kept whole: they add up
                raise MediaError("too_large", f"refused: {number + 1} frames of {image.width}x{image.height} are "
                                              f"beyond --max-pixels {media.max_pixels / 1e6:.0f} MP together")
            frame.load()
            durations.append(int(frame.info.get("duration", 100) or 100))
            upright = orient(_to_srgb(frame, convert), orientation)
            frames.append(upright.copy() if all_frames and upright is frame else upright)  # the sequence reuses `frame`
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError("corrupt", f"cannot decode the pixels: {' '.join(str(exc).split())[:200]}") from None
    return Picture(frames, durations, image.info.get("loop"), media.format == "webp" and _webp_lossless(media.data))


def _webp_lossless(data: bytes) -> bool:
    """Whether the (first) image of a WebP file is VP8L; metadata chunks may come before it."""
    import struct

    pos = 12
    while pos + 8 <= len(data):
        kind, size = struct.unpack("<4sI", data[pos:pos + 8])
        if kind in (b"VP8 ", b"VP8L"):
            return kind == b"VP8L"
        if kind == b"ANMF":  # an animation frame: its own chunks follow a 16-byte header
            pos += 8 + 16
            continue
        pos += 8 + size + (size % 2)
    return False


def _is_srgb(icc: dict | None) -> bool:
    """No profile, or one that only says "this is sRGB" (most cameras embed one): nothing to convert."""
    description = (icc or {}).get("description") or ""
    return icc is None or ("sRGB" in description and "linear" not in description.lower())


def _to_srgb(frame, convert: bool = True):
    """Colour-managed conversion to sRGB when the frame carries a profile of another colour space."""
    from PIL import ImageCms

    profile = frame.info.get("icc_profile") if convert else None
    if frame.mode == "P":
        frame = frame.convert("RGBA" if "transparency" in frame.info else "RGB")
    if not profile or frame.mode not in ("RGB", "RGBA", "CMYK"):
        return frame.convert("RGB") if frame.mode == "CMYK" else frame
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        target = ImageCms.createProfile("sRGB")
        mode = "RGBA" if frame.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(frame, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return frame.convert("RGBA" if frame.mode == "RGBA" else "RGB")  # a broken profile: plain conversion


_MODES = {  # output format -> {input mode: mode to encode}
    "jpeg": {"L": "L", "RGB": "RGB"},
    "png": {"1": "1", "L": "L", "LA": "LA", "RGB": "RGB", "RGBA": "RGBA", "I;16": "I;16", "I": "I"},
    "webp": {"RGB": "RGB", "RGBA": "RGBA"},
}


def _encodable(frame, fmt: str):
    """The frame in a mode the format stores, with no `info` at all (frames are our own
    copies, so clearing it touches nothing else)."""
    from PIL import Image

    mode = frame.mode
    if mode in ("I;16B", "I;16L", "I;16N"):
        frame, mode = frame.convert("I"), "I"
    if mode not in _MODES[fmt]:
        has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La")
        if fmt == "jpeg" and has_alpha:  # JPEG has no alpha: flatten on white
            rgba = frame.convert("RGBA")
            frame = Image.new("RGB", rgba.size, (255, 255, 255))
            frame.paste(rgba, mask=rgba.getchannel("A"))
        elif mode == "F":
            frame = frame.convert("L")
        else:
            frame = frame.convert("RGBA" if has_alpha else ("L" if fmt == "png" and mode in ("1", "L") else "RGB"))
        if frame.mode not in _MODES[fmt]:
            frame = frame.convert("RGB")
    frame.info = {}
    return frame


def encode_deep(covered, deep, mask) -> bytes:
    """A 16-bit RGB PNG: the 16-bit pixels, except inside `mask` (every covered region), which
    comes from the covered 8-bit picture, so no low bit of a covered area survives. Written by
    OpenCV's libpng (Pillow writes no 16-bit colour), which adds no metadata chunk."""
    import cv2
    import numpy as np

    merged = deep.copy()
    merged[mask] = np.asarray(covered.convert("RGB"), dtype=np.uint16)[mask] * 257
    ok, data = cv2.imencode(".png", np.ascontiguousarray(merged[:, :, ::-1]), [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise MediaError("encode", "OpenCV could not write the 16-bit PNG")
    return data.tobytes()


def encode(picture: Picture, fmt: str, quality: int) -> bytes:
    frames = [_encodable(frame, fmt) for frame in picture.frames]
    out = io.BytesIO()
    options: dict = {}
    if fmt == "jpeg":
        options = {"quality": quality, "subsampling": "4:2:0"}
    elif fmt == "webp":
        options = {"quality": quality, "lossless": picture.lossless, "method": 4}
    elif fmt == "png":
        options = {"compress_level": 3}  # 3x faster than zlib's default 6 for 7% more bytes
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:], duration=picture.durations,
                       loop=picture.loop or 0)
        if fmt == "png":
            options["default_image"] = False
    frames[0].save(out, PIL_NAMES[fmt], **options)
    return out.getvalue()
