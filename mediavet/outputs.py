"""Where a command may write. Never over a path it was given, never into a folder it reads
originals from, and never over an existing file it did not write itself: a report, plan,
manifest or hash list names mediavet in its first bytes, and a copy is replaced only when
it is a picture or clip the audit finds clean (what mediavet writes). Paths are compared
after resolving symbolic links."""

from __future__ import annotations

from pathlib import Path

MARKERS = {  # what a file mediavet wrote starts with (or holds near its start)
    "report": b'<meta name="generator" content="mediavet',
    "plan": b'"mediavet_plan"',
    "manifest": b'"mediavet"',
    "hash list": b"# mediavet hash list",
}


class OutputError(ValueError):
    """An output path that must not be written; the message says why, in one line."""


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_file(path, kind: str, inputs=(), given=(), folders=()) -> None:
    """Refuse an output file that is an input, lies in an input folder or in one of `folders`
    (OUTDIR: nothing but copies goes there), or exists and was not written by mediavet."""
    target = Path(path).resolve()
    for file in inputs:
        if Path(file).resolve() == target:
            raise OutputError(f"{path} is one of the inputs; choose another name")
    for raw in given:
        if Path(raw).is_dir() and inside(target, Path(raw).resolve()):
            raise OutputError(f"{path} lies inside the input folder {raw}; choose a name outside it")
    for folder in folders:
        if folder and inside(target, Path(folder).resolve()):
            raise OutputError(f"{path} lies inside {folder}, where only safe copies go")
    if target.is_dir():
        raise OutputError(f"{path} is a folder")
    if target.exists() and not written_by_mediavet(target, kind):
        raise OutputError(f"{path} exists and is not a {kind} mediavet wrote; it is left alone, choose another name")


def check_folder(path, inputs=(), given=(), folders=()) -> None:
    """Refuse an output folder that is or lies in an input folder, holds an input file (the
    originals' own folder), is or lies in one of `folders`, or is a file."""
    target = Path(path).resolve()
    if target.exists() and not target.is_dir():
        raise OutputError(f"{path} exists and is not a folder")
    for raw in given:
        if Path(raw).is_dir() and inside(target, Path(raw).resolve()):
            raise OutputError(f"{path} is inside the input folder {raw}; outputs must not land among the originals")
    for file in inputs:
        if Path(file).resolve() == target or Path(file).resolve().parent == target:
            raise OutputError(f"{path} holds the input {file}; outputs must not land among the originals")
    for folder in folders:
        if folder and (inside(target, Path(folder).resolve()) or inside(Path(folder).resolve(), target)):
            raise OutputError(f"{path} and {folder} must be apart: the safe copies' folder holds nothing else")


def written_by_mediavet(path: Path, kind: str) -> bool:
    if kind == "ledger":
        from mediavet.jobs.ledger import is_ledger

        return is_ledger(path)
    try:
        with open(path, "rb") as handle:
            start = handle.read(4096)
    except OSError:
        return False
    return MARKERS[kind] in start


def replaceable_copy(path: Path) -> str | None:
    """Why an existing file may not be replaced by a safe copy (--overwrite), or None: only a
    regular file that audits clean (a copy mediavet wrote) is replaced."""
    from mediavet.errors import MediaError
    from mediavet.media import probe
    from mediavet.redact.audit import audit_media

    if path.is_dir() or path.is_symlink():
        return f"{path} is a folder or a link, not an earlier copy"
    try:
        leftovers = audit_media(probe(path))
    except MediaError as exc:
        return f"{path} is not an earlier safe copy ({exc.message})"
    if leftovers:
        return f"{path} is not an earlier safe copy (it holds {', '.join(f.id for f in leftovers)})"
    return None
