"""Review images: the picture with each planned region outlined, numbered and labelled.

They show what is under the boxes, so they are NOT safe to share, and their names say so.
They carry no metadata (written with the safe-copy encoder).
"""

from __future__ import annotations

from pathlib import Path

from mediavet.atomic import write_atomic
from mediavet.redact.encode import Picture, encode

PREFIX = "PREVIEW-NOT-REDACTED"
COLOURS = {"face": (255, 40, 40), "text": (255, 200, 0), "code": (0, 200, 255), "manual": (200, 0, 255)}
REVIEW = (0, 255, 90)  # a place a model was unsure of: not covered unless a person (or --strict) says so
MAX_SIDE = 1600


def name(number: int) -> str:
    return f"{PREFIX}-{number:04d}.jpg"


def write(frame, regions, target: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = frame.convert("RGB")
    scale = min(1.0, MAX_SIDE / max(image.size))
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, image.width // 60))
    for number, region in enumerate(regions, start=1):
        x, y, w, h = (round(v * scale) for v in region.box)
        colour = REVIEW if region.action == "review" else COLOURS.get(region.kind, (255, 255, 255))
        draw.rectangle((x, y, x + w, y + h), outline=colour, width=max(2, image.width // 400))
        score = "" if region.score is None else f" {region.score:.2f}"
        label = f"{number} {region.kind}{score}" + ("" if region.action in ("fill", "keep", "review") else f" {region.action}")
        if region.action == "keep":
            label += " (kept)"
        if region.action == "review":
            label += " REVIEW?"
        left, top, right, bottom = draw.textbbox((x, max(0, y - font.size - 4)), label, font=font)
        shift = min(left, max(0, right + 2 - image.width))  # a label at the right edge stays readable
        left, right = left - shift, right - shift
        draw.rectangle((left - 2, top - 2, right + 2, bottom + 2), fill=colour)
        draw.text((left, top), label, fill=(0, 0, 0), font=font)
    write_atomic(target, encode(Picture([image], [0], None, False), "jpeg", 85))
