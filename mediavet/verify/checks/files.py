"""File-level checks: the name against the content, and data hidden after the image."""

from __future__ import annotations

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check


@check("file.type_mismatch")
def type_mismatch(media, options):
    named = media.extension_format
    if named is None or named == media.format:
        return []
    return [Finding(
        "file.type_mismatch", Severity.WARN,
        f"named as {named} ({media.path.suffix}) but the content is {media.format}",
        {"extension": media.path.suffix, "extension_format": named, "content_format": media.format},
    )]


@check("file.trailing_data")
def trailing_data(media, options):
    trailer = media.metadata.trailer
    if trailer is None or trailer.padding:
        return []
    return [Finding(
        "file.trailing_data", Severity.WARN,
        f"{trailer.size} bytes after the image's end marker, looks like: {trailer.kind}",
        {"offset": trailer.offset, "size": trailer.size, "guess": trailer.kind},
    )]
