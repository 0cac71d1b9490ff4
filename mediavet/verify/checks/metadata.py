"""Checks on the metadata blocks themselves: missing, unreadable, inconsistent camera fields."""

from __future__ import annotations

from mediavet.metadata.exif import same_vendor
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

CAMERA_EXIF = ("Image Make", "Image Model", "EXIF DateTimeOriginal", "GPS GPSLatitude")
CAMERA_XMP = ("tiff:Make", "tiff:Model", "exif:DateTimeOriginal", "exif:GPSLatitude")


@check("metadata.none")
def no_metadata(media, options):
    metadata = media.metadata
    if metadata.exif.state == "corrupt" or metadata.xmp.state == "corrupt":
        return []  # exif.corrupt speaks for these
    found = [key for key in CAMERA_EXIF if metadata.exif.get(key) is not None]
    found += [key for key in CAMERA_XMP if metadata.xmp.get(key)]
    if found:
        return []
    if media.format == "raw" and metadata.exif.state == "absent":
        from mediavet.raw import layout

        return [Finding("metadata.none", Severity.INFO,
                        f"camera metadata not read: mediavet does not read the metadata of this RAW layout "
                        f"({layout(media.data[:64])}); its absence here says nothing about the file",
                        {"looked_for": list(CAMERA_EXIF + CAMERA_XMP), "exif": "not read", "xmp": metadata.xmp.state})]
    return [Finding(
        "metadata.none", Severity.INFO,
        "no camera metadata (make, model, capture time, GPS): typical after messaging apps or deliberate stripping",
        {"looked_for": list(CAMERA_EXIF + CAMERA_XMP), "exif": metadata.exif.state, "xmp": metadata.xmp.state,
         "iptc": metadata.iptc_present, "other_blocks": sorted(set(metadata.segments))},
    )]


@check("exif.corrupt")
def corrupt(media, options):
    metadata = media.metadata
    findings = []
    for block, state, error in (("exif", metadata.exif.state, metadata.exif.error),
                                ("xmp", metadata.xmp.state, metadata.xmp.error)):
        if state == "corrupt":
            findings.append(Finding(
                "exif.corrupt", Severity.WARN, f"{block.upper()} block present but unparseable: {error}",
                {"block": block, "error": error},
            ))
    return findings


@check("exif.make_model")
def make_model(media, options):
    exif = media.metadata.exif
    make, model = exif.text("Image Make"), exif.text("Image Model")
    findings = []
    if bool(make) != bool(model):
        findings.append(Finding(
            "exif.make_model", Severity.WARN,
            "EXIF names a Make without a Model" if make else "EXIF names a Model without a Make",
            {"make": make, "model": model},
        ))
    vendor = exif.makernote
    if make and vendor and vendor != "unknown" and not same_vendor(vendor, make):
        findings.append(Finding(
            "exif.make_model", Severity.WARN,
            f"the maker note was written by {vendor}, but Make says {make!r}",
            {"make": make, "makernote_vendor": vendor},
        ))
    return findings


@check("exif.dimension_mismatch")
def dimension_mismatch(media, options):
    exif = media.metadata.exif
    width, height = exif.int("EXIF ExifImageWidth"), exif.int("EXIF ExifImageLength")
    if not width or not height:
        return []
    stored = media.stored_size
    if (width, height) in (stored, stored[::-1]):
        return []
    return [Finding(
        "exif.dimension_mismatch", Severity.WARN,
        f"EXIF says {width}x{height} but the image is {stored[0]}x{stored[1]}: resized or cropped after capture",
        {"exif_pixel_dimensions": [width, height], "decoded": list(stored), "orientation": exif.orientation,
         "rule": "equal, or equal with width and height swapped"},
    )]
