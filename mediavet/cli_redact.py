"""`mediavet redact` (safe copies) and `mediavet audit` (the gate before anything is shared)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mediavet.exitcodes import ExitCode


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output-dir", "-o", "outdir", required=True, type=click.Path(file_okay=False),
              help="Where the safe copies go (created if missing; never an input directory).")
@click.option("--quality", type=click.IntRange(1, 100), default=92, show_default=True,
              help="JPEG/WebP quality of the copies (lossless WebP stays lossless).")
@click.option("--format", "heif_format", type=click.Choice(["jpeg", "png", "webp"]), default=None,
              help="What HEIC/HEIF becomes (default jpeg). JPEG, PNG and WebP keep their format; TIFF and GIF become PNG.")
@click.option("--all-frames", is_flag=True, help="Keep every frame of an animation (default: the first only).")
@click.option("--names", type=click.Choice(["neutral", "random"]), default="neutral", show_default=True,
              help="neutral: safe-0001.jpg, ...; random: a random token per file.")
@click.option("--keep-names", is_flag=True, help="Keep each original file name's stem (it may identify the source).")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help="Write the mapping original -> copy (with both sha256) to this JSON file.")
@click.option("--overwrite", is_flag=True, help="Replace existing copies of the same name.")
@click.option("--faces/--no-faces", default=True, help="Cover faces (region redaction, issue #5).")
@click.option("--text/--no-text", default=True, help="Cover readable text (region redaction, issue #5).")
@click.option("--codes/--no-codes", default=True, help="Cover QR codes and barcodes (region redaction, issue #5).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome of every file as JSON (it names originals).")
@click.option("--verbose", "-v", is_flag=True, help="Print original -> copy for each written file.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding (decompression bombs).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for large batches.")
def redact(paths, outdir, quality, heif_format, all_frames, names, keep_names, manifest, overwrite, faces, text,
           codes, as_json, verbose, max_pixels, jobs):
    """Make safe copies: pixels only (upright, sRGB), no metadata of any kind, neutral names.

    Every copy is re-read and proven clean before it gets its name; a copy that cannot be
    proven clean is not written (exit 4). Originals are only read. Exit 3 when some input
    could not be read (the rest is copied).
    """
    from mediavet.batch import default_jobs, run_ordered
    from mediavet.inputs import expand
    from mediavet.redact import ERROR, PENDING, REFUSED, RedactOptions, discard, place, safe_copy
    from mediavet.redact.names import Namer, planned_names
    from mediavet.report.progress import progress

    outdir = Path(outdir)
    skipped: list[Path] = []
    files = expand(paths, skipped)
    if not files:
        raise click.UsageError("no media files found in the given paths")
    _check_outdir(outdir, paths, files)
    scheme = "keep" if keep_names else names
    inputs = {path.resolve() for path in files}
    for target in planned_names(files, outdir, scheme, heif_format, overwrite):
        if target.resolve() in inputs:
            raise click.UsageError(f"{target} would overwrite an input; choose another --output-dir")
    if faces or text or codes:
        click.echo("mediavet: note: this version removes metadata only; faces, text and codes are NOT covered yet "
                   "(pass --no-faces --no-text --no-codes to acknowledge)", err=True)
    outdir.mkdir(parents=True, exist_ok=True)
    options = RedactOptions(quality=quality, heif_format=heif_format, all_frames=all_frames, overwrite=overwrite,
                            max_pixels=max_pixels)
    namer = Namer(outdir, scheme, overwrite)
    outcomes = []
    try:
        with progress(len(files), "copying") as advance:
            for outcome in run_ordered(safe_copy, files, jobs or default_jobs(), chunksize=1, outdir=outdir,
                                       options=options):
                if outcome.status == PENDING:  # named here, in input order: neutral names stay contiguous
                    place(outcome, namer.name(Path(outcome.input), outcome.extension), overwrite)
                outcomes.append(outcome)
                advance()
    finally:
        for outcome in outcomes:
            discard(outcome)
    if manifest:
        _write_manifest(manifest, outcomes)
    _report(outcomes, skipped, outdir, as_json, verbose)
    if any(o.status == REFUSED for o in outcomes):
        sys.exit(ExitCode.NOT_CLEAN)
    sys.exit(ExitCode.INPUT_ERROR if any(o.status == ERROR for o in outcomes) else ExitCode.OK)


def _check_outdir(outdir: Path, paths, files) -> None:
    """The output directory must not be, or lie inside, an input directory, nor be a file."""
    if outdir.exists() and not outdir.is_dir():
        raise click.UsageError(f"--output-dir {outdir} exists and is not a directory")
    resolved = outdir.resolve()
    for raw in paths:
        given = Path(raw).resolve()
        if Path(raw).is_dir() and (resolved == given or given in resolved.parents):
            raise click.UsageError(f"--output-dir {outdir} is inside the input directory {raw}; "
                                   "copies must not land among the originals")
    if any(path.resolve() == resolved for path in files):
        raise click.UsageError(f"--output-dir {outdir} is an input")


def _write_manifest(manifest, outcomes) -> None:
    from mediavet import __version__
    from mediavet.atomic import write_atomic
    from mediavet.report.json_report import dumps

    document = {"mediavet": __version__, "files": [o.to_json() for o in outcomes]}
    write_atomic(manifest, (dumps(document) + "\n").encode("utf-8"))


def _report(outcomes, skipped, outdir, as_json, verbose) -> None:
    from mediavet.redact import ERROR, REFUSED, WRITTEN
    from mediavet.report.terminal import clean

    if as_json:
        from mediavet import __version__
        from mediavet.report.json_report import dumps

        click.echo(dumps({"mediavet": __version__, "files": [o.to_json() for o in outcomes],
                          "skipped": [str(p) for p in skipped]}))
    for outcome in outcomes:
        if outcome.status == WRITTEN and verbose and not as_json:
            click.echo(f"{clean(outcome.input)} -> {clean(outcome.output)}")
        elif outcome.status != WRITTEN:
            label = "NOT CLEAN" if outcome.status == REFUSED else "error"
            click.echo(f"mediavet: {clean(outcome.input)}: {label}: {clean(outcome.message)}", err=True)
    for path in skipped:
        click.echo(f"mediavet: {clean(path)}: skipped: not a photo (nothing copied)", err=True)
    counts = {status: sum(1 for o in outcomes if o.status == status) for status in (WRITTEN, REFUSED, ERROR)}
    summary = (f"{counts[WRITTEN]} written to {clean(outdir)}, {counts[REFUSED]} refused (not provably clean), "
               f"{counts[ERROR]} errors, {len(skipped)} skipped")
    click.echo(summary, err=as_json)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (the same envelope as verify).")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for large batches.")
def audit(paths, as_json, max_pixels, jobs):
    """Report everything identifying still in each file; write nothing.

    Exit 0 when every file is clean, 1 when any is not, 3 when some could not be read.
    The gate a shared folder or a CI job runs before anything leaves.
    """
    from mediavet.batch import default_jobs, run_ordered
    from mediavet.inputs import expand
    from mediavet.redact.audit import audit_file
    from mediavet.report.progress import progress

    files = expand(paths)
    if not files:
        raise click.UsageError("no media files found in the given paths")
    reports = []
    with progress(len(files), "auditing") as advance:
        for report in run_ordered(audit_file, files, jobs or default_jobs(), max_pixels=max_pixels):
            reports.append(report)
            advance()
    if as_json:
        from mediavet.report.json_report import document, dumps

        click.echo(dumps(document(reports)))
    else:
        from rich.console import Console
        from rich.text import Text

        from mediavet.report.terminal import clean, print_report

        console = Console(highlight=False, soft_wrap=False)
        for report in reports:
            print_report(console, report)
        dirty = sum(1 for r in reports if r.findings)
        errors = sum(1 for r in reports if r.error)
        console.print(Text(f"{len(reports)} files: {len(reports) - dirty - errors} clean, {dirty} not clean, "
                           f"{errors} unreadable", style="bold"))
        for report in reports:
            if report.error:
                click.echo(f"mediavet: {clean(report.path)}: {clean(report.error['message'])}", err=True)
    if any(r.error for r in reports):
        sys.exit(ExitCode.INPUT_ERROR)
    sys.exit(ExitCode.FINDINGS if any(r.findings for r in reports) else ExitCode.OK)
