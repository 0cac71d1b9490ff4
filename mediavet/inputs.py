"""Turn the paths a person typed into the list of files to process."""

from __future__ import annotations

import os
from pathlib import Path

from mediavet.media import EXTENSION_FORMATS, sniff


def expand(paths, skipped: list | None = None) -> list[Path]:
    """Files as given, and the media files inside directories (recursively, sorted).

    A named file is always returned, whatever it is (so its error can be reported).
    Inside a directory, hidden files are skipped, and so are files that neither carry a
    media extension nor start with a media signature (reports, notes, sidecars); those
    are appended to `skipped` when a list is given.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    candidate = Path(root) / name
                    if name.startswith("."):
                        continue
                    if _looks_like_media(candidate):
                        files.append(candidate)
                    elif skipped is not None:
                        skipped.append(candidate)
        else:
            files.append(path)
    return files


def _looks_like_media(path: Path) -> bool:
    if path.suffix.lower() in EXTENSION_FORMATS:
        return True
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(64)) is not None
    except OSError:
        return True  # let the per-file error say what is wrong
