"""Pixels only: decode a photo upright in sRGB, and encode a brand-new file from them.

Nothing of the original file is carried over: the pixels are copied into a fresh image
that has no `info` at all, and the encoder is given nothing but pixels and quality.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from mediavet.media import MediaError, orient

# what each input format becomes
OUTPUT_FORMATS = {"jpeg": "jpeg", "png": "png", "webp": "webp", "tiff": "png", "gif": "png", "heif": "jpeg"}
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
    if chosen and input_format == "heif":
        return chosen
    return OUTPUT_FORMATS[input_format]


def decode(media, all_frames: bool = False) -> Picture:
    from PIL import Image, ImageSequence

    media.stored_size  # the pixel limit is checked from the header before decoding
    image = Image.open(io.BytesIO(media.data))
    orientation = media.metadata.orientation
    frames, durations = [], []
    try:
        sequence = ImageSequence.Iterator(image) if all_frames else [image]
        for number, frame in enumerate(sequence):
            if number >= MAX_FRAMES:
                raise MediaError("too_large", f"more than {MAX_FRAMES} frames")
            frame.load()
            durations.append(int(frame.info.get("duration", 100) or 100))
            frames.append(orient(_to_srgb(frame), orientation).copy())  # the sequence reuses `frame`
    except MediaError:
        raise
    except Exception as exc:
        raise MediaError("corrupt", f"cannot decode the pixels: {' '.join(str(exc).split())[:200]}") from None
    lossless = media.format == "webp" and b"VP8L" in media.data[12:64]
    return Picture(frames, durations, image.info.get("loop"), lossless)


def _to_srgb(frame):
    """Colour-managed conversion to sRGB when the frame carries an ICC profile."""
    from PIL import ImageCms

    profile = frame.info.get("icc_profile")
    if frame.mode == "P":
        frame = frame.convert("RGBA" if "transparency" in frame.info else "RGB")
    if not profile or frame.mode not in ("RGB", "RGBA", "CMYK"):
        return frame
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
    """The frame in a mode the format stores, as a fresh image with no info at all."""
    from PIL import Image

    mode = frame.mode
    if mode in ("I;16B", "I;16L", "I;16N"):
        frame, mode = frame.convert("I"), "I"
    if mode not in _MODES[fmt]:
        has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La")
        if fmt == "jpeg" and has_alpha:  # JPEG has no alpha: flatten on white
            rgba = frame.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            frame = flat
        elif mode == "F":
            frame = frame.convert("L")
        else:
            frame = frame.convert("RGBA" if has_alpha else ("L" if fmt == "png" and mode in ("1", "L") else "RGB"))
        mode = frame.mode
        if mode not in _MODES[fmt]:
            frame, mode = frame.convert("RGB"), "RGB"
    return Image.frombytes(mode, frame.size, frame.tobytes())


def encode(picture: Picture, fmt: str, quality: int) -> bytes:
    frames = [_encodable(frame, fmt) for frame in picture.frames]
    out = io.BytesIO()
    options: dict = {}
    if fmt == "jpeg":
        options = {"quality": quality, "subsampling": "4:2:0" if quality < 90 else "4:4:4"}
    elif fmt == "webp":
        options = {"quality": quality, "lossless": picture.lossless, "method": 4}
    if len(frames) > 1:
        options.update(save_all=True, append_images=frames[1:], duration=picture.durations,
                       loop=picture.loop or 0)
        if fmt == "png":
            options["default_image"] = False
    frames[0].save(out, PIL_NAMES[fmt], **options)
    return out.getvalue()
