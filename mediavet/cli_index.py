"""`mediavet index ...`: the archive of pictures seen before (issue #3)."""

from __future__ import annotations

import sys

import click

from mediavet.cli_jobs import engine_options, ledger_options, open_engine, open_ledger
from mediavet.exitcodes import ExitCode
from mediavet.safe_text import clean

DB_OPTION = click.option("--db", metavar="FILE", envvar="MEDIAVET_INDEX", show_envvar=True,
                         help="The index file (default: $MEDIAVET_INDEX, else the user data directory).")
MAX_PIXELS_OPTION = click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
                                 help="Refuse images larger than this before decoding.")


def _open(db, create=False):
    from mediavet.archive.store import open_index
    from mediavet.archive.index import IndexUnusable

    try:
        return open_index(db, create=create)
    except IndexUnusable as exc:
        click.echo(f"mediavet: {clean(exc)}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)


def _files(paths):
    from mediavet.inputs import expand

    files = expand(paths)
    if not files:
        raise click.UsageError("no media files found in the given paths")
    return files


@click.group()
def index():
    """The archive of pictures seen before: add, query, share hash lists.

    The index stores hashes, keypoint signatures, sha256, labels and dates, never pixels.
    """


@index.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--label", default="", help="Label shown on matches (default: none; a file name may name the source, "
                                         "so it is never used).")
@click.option("--source", help="Where these pictures came from (a note kept with each entry).")
@click.option("--store-path", is_flag=True, help="Also keep each file's absolute path (off by default: names can identify).")
@DB_OPTION
@MAX_PIXELS_OPTION
@engine_options
@ledger_options("Off by default for index add.")
def add(paths, label, source, store_path, db, max_pixels, jobs, scheduler, ship_bytes, ledger_path, retry_failed):
    """Add photos and clips (files or directories) to the index. Workers fingerprint the
    files; this process alone writes the index.

    \b
    Examples:
      mediavet index add archive/2019/ --label "flood 2019" --source "photo desk"
      mediavet index add /mnt/archive/ --scheduler tcp://10.0.0.5:8786 --ledger archive-add.ledger
    """
    from mediavet import jobs as batch
    from mediavet.archive.hashing import PDQ_MIN_QUALITY
    from mediavet.jobs.operations import IndexAdd
    from mediavet.report.progress import progress

    files = _files(paths)
    if ledger_path:
        _check_ledger(ledger_path, files, paths)
    archive = _open(db, create=True)
    operation = IndexAdd(archive, label, source, store_path, max_pixels)
    ledger = open_ledger(ledger_path, operation)
    counts = {"added": 0, "known": 0, "error": 0, "resumed": 0}
    try:
        with open_engine(jobs, scheduler, ship_bytes) as engine, progress(len(files), "adding") as advance:
            for result in batch.run(batch.Job(operation, files), engine, ledger, retry_failed):
                advance()
                added = result.value
                counts[added.status] += 1
                counts["resumed"] += result.resumed
                if added.status == "error":
                    click.echo(f"mediavet: {clean(added.path)}: {clean(added.message)}", err=True)
                elif added.quality is not None and added.quality < PDQ_MIN_QUALITY and not result.resumed:
                    click.echo(f"mediavet: {clean(added.path)}: nearly flat picture (PDQ quality {added.quality} < "
                               f"{PDQ_MIN_QUALITY}): its hashes are kept but not trusted; only copies of the same "
                               "bytes or pixels, or its keypoints, will find it", err=True)
    finally:
        if ledger is not None:
            ledger.close()
        archive.close()
    again = f"; {counts['resumed']} done by an earlier run (from the ledger)" if counts["resumed"] else ""
    click.echo(f"{counts['added']} added, {counts['known']} already in the index, {counts['error']} unreadable "
               f"({clean(archive.path)}){again}")
    sys.exit(ExitCode.INPUT_ERROR if counts["error"] else ExitCode.OK)


def _check_ledger(ledger_path, files, paths) -> None:
    from mediavet.outputs import OutputError, check_file

    try:
        check_file(ledger_path, "ledger", files, paths)
    except OutputError as exc:
        raise click.UsageError(f"--ledger: {exc}") from None


@index.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--hashes", "hash_file", type=click.File("r", encoding="utf-8", errors="replace"),
              help="Look up the hashes in this TSV list (algo<TAB>hash<TAB>label) instead of pictures.")
@click.option("--json", "as_json", is_flag=True, help="Print {\"results\": [{\"path\", \"matches\": [...]}]}.")
@click.option("--max-distance", type=click.IntRange(min=0), help="Hamming distance accepted (default: per algorithm).")
@DB_OPTION
@MAX_PIXELS_OPTION
@engine_options
def query(paths, hash_file, as_json, max_distance, db, max_pixels, jobs, scheduler, ship_bytes):
    """Look pictures (or hash lists) up in the index, best match first. Workers read the
    pictures and the index (on a cluster, at the same path: a shared filesystem).

    \b
    Examples:
      mediavet index query tip.jpg
      mediavet index query --hashes theirs.tsv --json
    """
    from mediavet.archive.hashing import Fingerprint

    if bool(paths) == bool(hash_file):
        raise click.UsageError("give either PATHS or --hashes FILE")
    archive = _open(db)
    results, failed = [], 0
    if hash_file:
        from mediavet.archive import hashlist

        for number, value, label in hashlist.read(hash_file):
            name = f"{hash_file.name}:{number}"
            if isinstance(value, hashlist.BadLine):
                click.echo(f"mediavet: {clean(name)}: {clean(value.reason)}", err=True)
                failed += 1
                continue
            matches = archive.query(Fingerprint((value,), ()), max_distance)
            results.append({"path": name, "label": label, "matches": [m.to_json() for m in matches]})
    else:
        from mediavet import jobs as batch
        from mediavet.jobs.operations import IndexQuery
        from mediavet.report.progress import progress

        files = _files(paths)
        operation = IndexQuery(str(archive.path), max_distance, max_pixels)
        with open_engine(jobs, scheduler, ship_bytes) as engine, progress(len(files), "looking up") as advance:
            for result in batch.run(batch.Job(operation, files), engine):
                advance()
                if "error" in result.value:
                    click.echo(f"mediavet: {clean(result.path)}: {clean(result.value['error'])}", err=True)
                    failed += 1
                else:
                    results.append(result.value)
    archive.close()
    _print_results(results, as_json)
    sys.exit(ExitCode.INPUT_ERROR if failed else ExitCode.OK)


def _print_results(results, as_json):
    if as_json:
        from mediavet.report.json_report import dumps

        click.echo(dumps({"results": results}))
        return
    from rich.console import Console
    from rich.table import Table

    from mediavet.safe_text import clean

    console = Console(highlight=False, soft_wrap=True)
    for result in results:
        for entry in result.get("exact", []):
            console.print(f"{clean(result['path'])}: same {entry['same']} as archive entry "
                          f"{clean(entry['label'])!r}, added {entry['added']}", markup=False)
        if not result["matches"]:
            console.print(f"{clean(result['path'])}: no match", markup=False)
            continue
        table = Table(title=clean(result["path"]), title_justify="left")
        for column in ("label", "added", "algo", "distance", "inliers", "score"):
            table.add_column(column)
        for match in result["matches"]:
            table.add_row(*(clean("" if match[c] is None else str(match[c])) for c in
                            ("label", "added", "algo", "distance", "inliers", "score")))
        console.print(table)


@index.command(name="import", short_help="Add a shared hash list (TSV) from a partner newsroom.")
@click.argument("hash_file", type=click.File("r", encoding="utf-8", errors="replace"))
@click.option("--source", help="Who shared the list (default: the file name).")
@DB_OPTION
def import_(hash_file, source, db):
    """Add a shared hash list (TSV: algo<TAB>hash<TAB>label; '-' reads stdin).

    Malformed lines are reported with their line number and skipped; the exit code is 3 then.

    \b
    Example:
      mediavet index import theirs.tsv --source "partner newsroom"
    """
    from mediavet.archive import hashlist

    archive = _open(db, create=True)
    bad = []

    def good_entries():
        for _number, value, label in hashlist.read(hash_file):
            if isinstance(value, hashlist.BadLine):
                bad.append(value)
                continue
            yield value, label

    count = archive.add_hash_list(good_entries(), source=source or hash_file.name)
    archive.close()
    for line in bad:
        click.echo(f"mediavet: {clean(hash_file.name)}:{line.line}: {clean(line.reason)}; line skipped", err=True)
    click.echo(f"{count} hashes imported, {len(bad)} malformed lines skipped")
    sys.exit(ExitCode.INPUT_ERROR if bad else ExitCode.OK)


@index.command(short_help="Write every stored hash as a TSV list to share.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write here (atomically) instead of stdout.")
@click.option("--with-labels", is_flag=True,
              help="Include each entry's label (labels can name people or places: left out unless asked).")
@DB_OPTION
def export(output, with_labels, db):
    """Write every stored hash as a TSV list to share (keypoint signatures and labels stay home).

    \b
    Example:
      mediavet index export -o ours.tsv
    """
    from mediavet.archive import hashlist

    if output is not None:
        from mediavet.outputs import OutputError, check_file

        try:
            check_file(output, "hash list")
        except OutputError as exc:
            raise click.UsageError(f"--output: {exc}") from None
    archive = _open(db)
    lines = [hashlist.HEADER] + [hashlist.format_line(value, label if with_labels else "")
                                 for value, label in archive.export()]
    archive.close()
    text = "\n".join(lines) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    from mediavet.atomic import write_atomic

    write_atomic(output, text.encode("utf-8"))


@index.command(short_help="How many entries, of which kinds, from where, added when.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@DB_OPTION
def stats(as_json, db):
    """How many entries, which hash kinds, from which sources, added when.

    \b
    Example:
      mediavet index stats --json
    """
    archive = _open(db)
    numbers = archive.stats()
    archive.close()
    if as_json:
        from mediavet.report.json_report import dumps

        click.echo(dumps(numbers))
        return
    from rich.console import Console
    from rich.table import Table

    from mediavet.safe_text import clean

    table = Table(show_header=False, title=clean(numbers["path"]), title_justify="left")
    for key in ("items", "with_keypoints", "low_quality", "first_added", "last_added", "bytes"):
        table.add_row(key.replace("_", " "), str(numbers[key]))
    for kind, count in numbers["hashes"].items():
        table.add_row(f"hashes {kind}", str(count))
    for name, count in numbers["sources"].items():
        table.add_row(f"source {clean(name) or '-'}", str(count))
    Console(highlight=False).print(table)


@index.command(short_help="Remove entries by file, label or sha256.")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--label", help="Remove every entry with this label.")
@click.option("--sha256", "sha256s", multiple=True, metavar="HEX", help="Remove the entries of this file digest.")
@DB_OPTION
def remove(paths, label, sha256s, db):
    """Remove entries: those of the given files (by sha256), a --label, or --sha256 digests.

    \b
    Example:
      mediavet index remove --label "flood 2019"
    """
    import hashlib

    from mediavet.inputs import expand

    if not (paths or label or sha256s):
        raise click.UsageError("give PATHS, --label or --sha256")
    archive = _open(db)
    removed = failed = 0
    digests = list(sha256s)
    for path in expand(paths) if paths else []:
        try:
            digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError as exc:
            click.echo(f"mediavet: {clean(path)}: {clean(exc.strerror or exc)}", err=True)
            failed += 1
    for digest in digests:
        removed += archive.remove(sha256=digest.lower())
    if label is not None:
        removed += archive.remove(label=label)
    archive.close()
    click.echo(f"{removed} entries removed")
    sys.exit(ExitCode.INPUT_ERROR if failed else ExitCode.OK)
