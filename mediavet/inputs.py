"""Turn the paths a person typed into the list of files to process."""

from __future__ import annotations

import os
from pathlib import Path

from mediavet.media import EXTENSION_FORMATS, MediaError, head, sniff


def expand(paths, skipped: list | None = None, every: bool = False) -> list[Path]:
    """Files as given, and the files inside directories (recursively, sorted).

    A named file is always returned, whatever it is (so its error can be reported), and so
    are a folder that cannot be listed and anything that is not a regular file (a FIFO, a
    socket, a device: probe() reports them and never opens them). Inside a directory, unless
    `every` (the audit: everything under a shared folder counts), hidden files and folders
    are left out, and so are files that neither carry a media extension nor start with a
    media signature (reports, notes, sidecars); those are appended to `skipped` when a list
    is given.
    """
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            files.append(path)
            continue
        for root, dirs, names in os.walk(path, onerror=lambda error: files.append(Path(error.filename))):
            dirs[:] = sorted(d for d in dirs if every or not d.startswith("."))
            for name in sorted(names):
                candidate = Path(root) / name
                if not every and name.startswith("."):
                    if skipped is not None:
                        skipped.append(candidate)
                    continue
                if every or _looks_like_media(candidate):
                    files.append(candidate)
                elif skipped is not None:
                    skipped.append(candidate)
    return files


def _looks_like_media(path: Path) -> bool:
    if path.suffix.lower() in EXTENSION_FORMATS:
        return True
    try:
        return sniff(head(path)) is not None
    except MediaError:
        return True  # let the per-file error say what is wrong
