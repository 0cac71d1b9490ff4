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


SHEET_FRAMES = 12  # frames on one contact sheet of a clip
SHEETS = 4  # at most this many sheets per clip
INDEX = "PREVIEWS.json"  # which preview shows which input (it names the originals: not safe to share either)


def name(number: int, page: int = 1) -> str:
    """`number` is the file's entry in the plan (or its place among the inputs), `page` the
    picture of it (a clip gets several contact sheets)."""
    return f"{PREFIX}-{number:04d}-{page}.jpg"


def write(frame, regions, target: Path) -> None:
    write_atomic(target, encode(Picture([_drawn(frame, list(enumerate(regions, start=1)))], [0], None, False),
                                "jpeg", 85))


def write_sheets(path, regions, frames: int, folder: Path, number: int) -> list[str]:
    """A clip's contact sheets: evenly sampled frames (SHEET_FRAMES a sheet, at most SHEETS),
    each with the regions active on it outlined and labelled with their plan ids."""
    from PIL import Image, ImageDraw

    from mediavet.redact.video import frames_at

    count = min(frames, SHEET_FRAMES * SHEETS)
    picks = sorted({round(i * (frames - 1) / max(1, count - 1)) for i in range(count)})
    numbered = list(enumerate(regions, start=1))
    thumbs = []
    for frame_number, image, seconds in frames_at(path, picks):
        active = [(i, r) for i, r in numbered if r.active(frame_number)]
        thumb = _drawn(image, active, side=480)
        ImageDraw.Draw(thumb).text((4, 4), f"frame {frame_number}" + ("" if seconds is None else f"  {seconds:.2f} s"),
                                   fill=(255, 255, 0))
        thumbs.append(thumb)
    written = []
    for page, start in enumerate(range(0, len(thumbs), SHEET_FRAMES), start=1):
        part = thumbs[start:start + SHEET_FRAMES]
        columns, cell = 4, (max(t.width for t in part), max(t.height for t in part))
        sheet = Image.new("RGB", (columns * cell[0], -(-len(part) // columns) * cell[1]))
        for i, thumb in enumerate(part):
            sheet.paste(thumb, ((i % columns) * cell[0], (i // columns) * cell[1]))
        write_atomic(folder / name(number, page), encode(Picture([sheet], [0], None, False), "jpeg", 85))
        written.append(name(number, page))
    return written


def _drawn(frame, numbered, side: int = MAX_SIDE):
    """The frame (downscaled to `side`) with each (id, region) outlined and labelled."""
    from PIL import Image, ImageDraw, ImageFont

    image = frame.convert("RGB")
    scale = min(1.0, side / max(image.size))
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, image.width // 60))
    for number, region in numbered:
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
    return image
