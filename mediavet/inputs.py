"""Turn the paths a person typed into the list of files to process."""

from __future__ import annotations

import os
from pathlib import Path

from mediavet.errors import MediaError
from mediavet.formats import EXTENSION_FORMATS, head, sniff


# extensions of media mediavet does not read (yet): such a file is an input, and its error says so
CAMERA_EXTENSIONS = {".jxl", ".jp2", ".j2k", ".jpx", ".bmp", ".ppm", ".pgm", ".pbm", ".pnm", ".psd", ".avif",
                     ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".rw2", ".orf",
                     ".mrw", ".x3f", ".iiq", ".pef", ".srw", ".3fr", ".erf", ".kdc", ".mos", ".raw", ".rwl",
                     ".mts", ".m2ts", ".ts", ".mpg", ".mpeg", ".vob", ".wmv", ".asf", ".flv", ".dv", ".3gp", ".3g2",
                     ".wav", ".mp3", ".m4a", ".aac", ".amr", ".ogg", ".opus", ".flac"}


def expand(paths, not_media: list | None = None, every: bool = False) -> list[Path]:
    """Files as given, and the files inside directories (recursively, sorted), hidden ones too.

    A named file is always returned, whatever it is (so its error can be reported), and so
    are a folder that cannot be listed and anything that is not a regular file (a FIFO, a
    socket, a device: probe() reports them and never opens them). Inside a directory, every
    file that is named or shaped like a picture, a clip or a recording is returned, read or
    not (an unsupported one gets its error); the rest (notes, reports, sidecars, archives) go
    to `not_media` as (path, what the bytes look like), unless `every` (the audit: everything
    under a shared folder counts).
    """
    files: list[Path] = []
    for raw in paths:
        if raw == "-":  # one file from standard input
            files.append(from_stdin())
            continue
        path = Path(raw)
        if not path.is_dir():
            files.append(path)
            continue
        for root, dirs, names in os.walk(path, onerror=lambda error: files.append(Path(error.filename))):
            dirs.sort()
            for name in sorted(names):
                candidate = Path(root) / name
                what = None if every else _not_media(candidate)
                if what is None:
                    files.append(candidate)
                elif not_media is not None:
                    not_media.append((candidate, what))
    return files


STDIN_LIMIT = 8 << 30  # a file piped in is read for at most 8 GiB


def from_stdin() -> Path:
    """Standard input copied to a private temporary file (removed when the run ends), so that
    it is hashed, sniffed and decoded like any file."""
    import atexit
    import shutil
    import sys
    import tempfile

    folder = tempfile.mkdtemp(prefix="mediavet-stdin-")
    atexit.register(shutil.rmtree, folder, True)
    target = Path(folder) / "stdin"
    with open(target, "wb") as out:
        copied = 0
        while copied <= STDIN_LIMIT and (chunk := sys.stdin.buffer.read(1 << 20)):
            out.write(chunk)
            copied += len(chunk)
    if copied > STDIN_LIMIT:
        raise MediaError("too_large", f"standard input is larger than {STDIN_LIMIT >> 30} GiB")
    return target


def _not_media(path: Path) -> str | None:
    """What a file looks like when it is plainly no picture, clip or recording; else None."""
    from mediavet.formats import MEDIA_FAMILIES, identify

    if path.suffix.lower() in EXTENSION_FORMATS or path.suffix.lower() in CAMERA_EXTENSIONS:
        return None
    try:
        first = head(path, 512)
    except MediaError:
        return None  # let the per-file error say what is wrong
    if sniff(first) is not None:
        return None
    name, family = identify(first)
    return None if family in MEDIA_FAMILIES else name


def left_out(items: list, what: str) -> str | None:
    """One line naming the files under the paths that are no picture, clip or recording,
    grouped by what their bytes look like; None when there are none."""
    from collections import Counter

    from mediavet.safe_text import clean

    if not items:
        return None
    kinds = ", ".join(f"{count} {kind}" for kind, count in Counter(kind for _, kind in items).most_common())
    names = ", ".join(clean(path.name) for path, _ in items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")
    return (f"{len(items)} file{'s' if len(items) != 1 else ''} under the paths {'are' if len(items) != 1 else 'is'} "
            f"not media and {'were' if len(items) != 1 else 'was'} {what}: {kinds} ({names})")


def not_media_json(items: list) -> list[dict]:
    return [{"path": str(path), "format": kind} for path, kind in items]
