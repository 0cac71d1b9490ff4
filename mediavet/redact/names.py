"""Names for safe copies: neutral (safe-0001.jpg), random tokens, or the original stem.

A source's file names carry dates, device names, sometimes a person's name; by default
none of that travels. The mapping from original to copy goes only to a manifest the user
asks for.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from mediavet.errors import MediaError
from mediavet.formats import PHOTO_FORMATS, VIDEO_FORMATS, head, sniff
from mediavet.redact.encode import EXTENSIONS, output_format

NEUTRAL = re.compile(r"^safe-(\d+)\.[a-z]+$")


def extension_for(path: Path, heif_format: str | None) -> str | None:
    """The copy's extension, from the input's bytes; None when it is not a photo we copy."""
    try:
        fmt = sniff(head(path))
    except MediaError:
        return None
    if fmt in VIDEO_FORMATS:
        return ".mp4"
    if fmt not in PHOTO_FORMATS:
        return None
    return EXTENSIONS[output_format(fmt, heif_format)]


class Namer:
    """Hands out target names in input order, for the copies that were actually made."""

    def __init__(self, outdir: Path, scheme: str = "neutral", overwrite: bool = False):
        self.outdir, self.scheme = outdir, scheme
        self.number = 0 if overwrite else _highest_neutral(outdir)
        self.taken: set[str] = set()

    def name(self, source: Path, extension: str) -> Path:
        if self.scheme == "neutral":
            self.number += 1
            name = f"safe-{self.number:04d}{extension}"
        elif self.scheme == "random":
            name = f"{secrets.token_hex(8)}{extension}"
            while name in self.taken:
                name = f"{secrets.token_hex(8)}{extension}"
        else:  # keep the stem
            name, count = f"{source.stem}{extension}", 1
            while name in self.taken:
                count += 1
                name = f"{source.stem}-{count}{extension}"
        self.taken.add(name)
        return self.outdir / name


def _highest_neutral(outdir: Path) -> int:
    if not outdir.is_dir():
        return 0
    numbers = [int(m.group(1)) for m in (NEUTRAL.match(p.name) for p in outdir.iterdir()) if m]
    return max(numbers, default=0)
