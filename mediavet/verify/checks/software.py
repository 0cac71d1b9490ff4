"""Which program last wrote the file: an image editor, or an image generator."""

from __future__ import annotations

import json
import re

from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

# Editors that change pixels. Camera firmware ("Ver.1.02", "HDR+ 1.0...", "00WW_3_380_SP02"),
# transfer tools (Nikon Transfer) and catalogues (Adobe Bridge) are deliberately absent.
EDITORS = [
    ("Adobe Lightroom", r"lightroom"), ("Adobe Photoshop", r"photoshop"), ("Adobe Camera Raw", r"camera raw"),
    ("Adobe Fireworks", r"fireworks"), ("GIMP", r"\bgimp\b"), ("Snapseed", r"snapseed"),
    ("Affinity Photo", r"affinity"), ("Pixelmator", r"pixelmator"), ("Capture One", r"capture ?one"),
    ("darktable", r"darktable"), ("RawTherapee", r"rawtherapee"), ("Paint.NET", r"paint\.net"),
    ("PaintShop Pro", r"paint ?shop"), ("Canva", r"\bcanva\b"), ("PicsArt", r"picsart"), ("Picasa", r"picasa"),
    ("Luminar", r"luminar"), ("ACDSee", r"acdsee"), ("PhotoScape", r"photoscape"), ("Fotor", r"\bfotor\b"),
    ("VSCO", r"\bvsco\b"), ("Facetune", r"facetune"), ("Polarr", r"polarr"), ("Photopea", r"photopea"),
    ("Krita", r"\bkrita\b"), ("GraphicConverter", r"graphicconverter"), ("ImageMagick", r"imagemagick"),
    ("GraphicsMagick", r"graphicsmagick"), ("Corel", r"\bcorel"), ("PhotoImpact", r"photoimpact"),
    ("Meitu", r"\bmeitu\b"), ("Lensa", r"\blensa\b"), ("Remini", r"\bremini\b"),
    ("InShot", r"\binshot\b"), ("PhotoDirector", r"photodirector"), ("Pixlr", r"\bpixlr\b"),
    ("Olympus CAMEDIA Master", r"camedia master"),
]
GENERATORS = [
    ("Midjourney", r"midjourney"), ("DALL-E", r"dall[\s\-·]?e"), ("Stable Diffusion", r"stable ?diffusion"),
    ("Adobe Firefly", r"firefly"), ("NovelAI", r"novel ?ai"), ("ComfyUI", r"comfyui"), ("InvokeAI", r"invoke ?ai"),
    ("Fooocus", r"fooocus"), ("AUTOMATIC1111", r"automatic1111"), ("Leonardo.Ai", r"leonardo\.?ai"),
    ("Google Imagen", r"\bimagen\b"), ("Ideogram", r"ideogram"), ("FLUX", r"\bflux\.1"), ("Craiyon", r"craiyon"),
    ("Bing Image Creator", r"image creator"), ("DreamStudio", r"dreamstudio"), ("Runway", r"runwayml"),
    ("ChatGPT", r"chatgpt"), ("Gemini", r"google gemini"),
]
AI_SOURCE_TYPES = ("trainedAlgorithmicMedia", "compositeWithTrainedAlgorithmicMedia", "algorithmicMedia")
EXCERPT = 120


def _match(table, text: str) -> str | None:
    lowered = text.lower()
    for name, pattern in table:
        if re.search(pattern, lowered):
            return name
    return None


def editor_named(metadata) -> str | None:
    """The first image editor the file's software fields name, or None."""
    return next((name for name in (_match(EDITORS, value) for _, value in software_fields(metadata)) if name), None)


def software_fields(metadata) -> list[tuple[str, str]]:
    """(field, value) for every place a file names the program that wrote it."""
    exif, xmp = metadata.exif, metadata.xmp
    fields = [("EXIF Software", exif.text("Image Software")),
              ("EXIF ProcessingSoftware", exif.text("Image ProcessingSoftware")),
              ("XMP CreatorTool", xmp.get("xmp:CreatorTool")),
              ("XMP tiff:Software", xmp.get("tiff:Software")),
              ("IPTC OriginatingProgram", metadata.iptc.get("OriginatingProgram")),
              ("PNG Software", metadata.text.get("Software")),
              ("PNG Comment", metadata.text.get("Comment"))]
    fields += [("comment", comment) for comment in metadata.comments]  # GIMP writes "Created with GIMP" there
    fields += [("EXIF Software (another EXIF segment)", extra.text("Image Software")) for extra in metadata.exif_more]
    fields += [("XMP History softwareAgent", event.get("softwareAgent")) for event in xmp.history]
    return [(name, value) for name, value in fields if value]


@check("exif.editing_software")
def editing_software(media, options):
    seen = {}
    for field, value in software_fields(media.metadata):
        editor = _match(EDITORS, value)
        if editor and (field, value) not in seen:
            seen[(field, value)] = editor
    if not seen:
        return []
    editors = sorted(set(seen.values()))
    return [Finding(
        "exif.editing_software", Severity.WARN,
        f"written by an image editor: {', '.join(editors)}",
        {"editors": editors, "fields": [{"field": f, "value": v, "editor": e} for (f, v), e in seen.items()]},
    )]


@check("provenance.ai_generated")
def ai_generated(media, options):
    metadata = media.metadata
    evidence = []
    for field in ("Iptc4xmpExt:DigitalSourceType", "plus:DigitalSourceType"):
        value = metadata.xmp.get(field) or ""
        kind = value.rstrip("/").rsplit("/", 1)[-1]
        if kind in AI_SOURCE_TYPES:
            evidence.append({"field": f"XMP {field}", "value": value, "means": kind})
    for field, value in software_fields(metadata):
        generator = _match(GENERATORS, value)
        if generator:
            evidence.append({"field": field, "value": value[:EXCERPT], "generator": generator})
    for key, value in metadata.text.items():
        generator = _png_generator(key, value)
        if generator:
            evidence.append({"field": f"PNG text {key!r}", "value": value[:EXCERPT], "generator": generator})
    comment = media.metadata.exif.text("EXIF UserComment") or ""
    if _a1111_parameters(comment):
        evidence.append({"field": "EXIF UserComment", "value": comment[:EXCERPT], "generator": "Stable Diffusion (A1111)"})
    if metadata.c2pa:
        from mediavet.verify.checks.provenance import credentials

        active = credentials(media, options)["active"] or {}
        for source in active.get("digital_source_types", []):
            kind = source.strip().rstrip("/").rsplit("/", 1)[-1]
            if kind in AI_SOURCE_TYPES:
                evidence.append({"field": "C2PA action digitalSourceType", "value": source.strip(), "means": kind,
                                 "signed_by": active.get("signer")})
    if not evidence:
        return []
    names = sorted({e.get("generator") or e.get("means") for e in evidence})
    return [Finding("provenance.ai_generated", Severity.HIGH,
                    f"metadata says the image was made by a generator: {', '.join(names)}", {"found": evidence})]


def _a1111_parameters(text: str) -> bool:
    return "Steps:" in text and ("Sampler:" in text or "Seed:" in text)


def _png_generator(key: str, value: str) -> str | None:
    lowered = key.lower()
    if lowered == "parameters":
        if "fooocus" in value.lower():
            return "Fooocus"
        return "Stable Diffusion (A1111)" if _a1111_parameters(value) else None
    if lowered in ("prompt", "workflow") and value.lstrip().startswith("{") and (
            '"class_type"' in value or '"nodes"' in value or '"inputs"' in value):
        return "ComfyUI"  # node graphs; long ones are cut short in the metadata, so no full JSON parse
    if lowered in ("dream", "sd-metadata", "invokeai_metadata", "invokeai_graph"):
        return "InvokeAI"
    if lowered == "fooocus_scheme":
        return "Fooocus"
    if lowered == "comment" and _json_object(value) and {"steps", "sampler"} <= set(_json_object(value)):
        return "NovelAI"
    return None


def _json_object(text: str) -> dict | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
