"""Names for safe copies: neutral (safe-0001.jpg), random tokens, or the original stem.

A source's file names carry dates, device names, sometimes a person's name; by default
none of that travels. The mapping from original to copy goes only to a manifest the user
asks for.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from mediavet.media import PHOTO_FORMATS, sniff
from mediavet.redact.encode import EXTENSIONS, output_format

NEUTRAL = re.compile(r"^safe-(\d+)\.[a-z]+$")


def extension_for(path: Path, heif_format: str | None) -> str | None:
    """The copy's extension, from the input's bytes; None when it is not a photo we copy."""
    try:
        with open(path, "rb") as handle:
            fmt = sniff(handle.read(64))
    except OSError:
        return None
    if fmt not in PHOTO_FORMATS:
        return None
    return EXTENSIONS[output_format(fmt, heif_format)]


def plan(inputs: list[Path], outdir: Path, scheme: str = "neutral", heif_format: str | None = None,
         overwrite: bool = False) -> list[Path | None]:
    """One target path per input (None for inputs that are not photos), in input order."""
    taken: set[str] = set()
    number = 0 if overwrite else _highest_neutral(outdir)
    targets: list[Path | None] = []
    for path in inputs:
        extension = extension_for(path, heif_format)
        if extension is None:
            targets.append(None)
            continue
        if scheme == "neutral":
            number += 1
            name = f"safe-{number:04d}{extension}"
        elif scheme == "random":
            name = f"{secrets.token_hex(8)}{extension}"
            while name in taken:
                name = f"{secrets.token_hex(8)}{extension}"
        else:  # keep the stem
            name, count = f"{path.stem}{extension}", 1
            while name in taken:
                count += 1
                name = f"{path.stem}-{count}{extension}"
        taken.add(name)
        targets.append(outdir / name)
    return targets


def _highest_neutral(outdir: Path) -> int:
    if not outdir.is_dir():
        return 0
    numbers = [int(m.group(1)) for m in (NEUTRAL.match(p.name) for p in outdir.iterdir()) if m]
    return max(numbers, default=0)
