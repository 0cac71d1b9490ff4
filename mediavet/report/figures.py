"""Pictures that show where a finding's evidence lies, for the HTML report and the review
page alike: the area that differs from the EXIF thumbnail outlined, the thumbnail and the
difference map beside it, the two areas of a copy-move outlined. Each is (caption, image);
the caller renders them (mediavet/rendering.py), so nothing of the file travels but pixels."""

from __future__ import annotations

RED, BLUE = (255, 0, 0), (0, 90, 255)


def outlined(picture, boxes, size):
    """The picture with boxes (x, y, w, h in the file's pixels) outlined, each in its colour."""
    from PIL import ImageDraw

    drawn = picture.convert("RGB").copy()
    scale = drawn.width / size[0]
    draw = ImageDraw.Draw(drawn)
    for box, colour in boxes:
        x, y, w, h = (round(v * scale) for v in box)
        draw.rectangle((x, y, x + w, y + h), outline=colour, width=max(2, drawn.width // 150))
    return drawn


def evidence_figures(media, findings, side: int) -> list[tuple[str, object]]:
    """The figures a picture's findings call for (none for a clip or when nothing is located)."""
    from mediavet.errors import MediaError

    if media.is_video:
        return []
    by_id = {finding.id: finding.evidence for finding in findings}
    figures = []
    thumbnail = by_id.get("exif.thumbnail_mismatch")
    if thumbnail and "changed_box" in thumbnail:
        picture = media.image(max_side=side)
        figures.append(("the picture, the area that differs from its thumbnail outlined",
                        outlined(picture, [(thumbnail["changed_box"], RED)], media.size)))
        try:
            from mediavet.verify.checks.thumbnail import difference_map

            small = media.thumbnail().convert("RGB")
            figures.append(("embedded EXIF thumbnail", small))
            figures.append(("difference from the thumbnail (brighter: more)",
                            difference_map(small, media.image(max_side=1024), thumbnail["best_alignment"])))
        except MediaError:
            pass  # the finding's own message says what the thumbnail is
    copied = by_id.get("forensics.copy_move")
    if copied:
        figures.append(("copy-move: two areas that agree pixel for pixel (blue, red): one is a copy of the other",
                        outlined(media.image(max_side=side), [(copied["source"], BLUE), (copied["target"], RED)],
                                 media.size)))
    return figures


def matched_part(media, region, side: int):
    """The part of a picture (x, y, w, h in the file's pixels) where an archived picture was
    found, at most `side` pixels on its long side."""
    picture = media.image(max_side=max(side, 2 * max(region[2], region[3])))
    scale = picture.width / media.size[0]
    x, y, w, h = (round(v * scale) for v in region)
    part = picture.crop((x, y, x + max(1, w), y + max(1, h)))
    part.thumbnail((side, side))
    return part
