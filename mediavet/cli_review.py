"""`mediavet review`: the local web page where an editor checks the verdicts and decides the
redaction before anything is shared (mediavet/review/)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from mediavet.cli_redact import detection_options, protect_options


@click.command(short_help="Review tips and decide the redaction on a local web page.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output-dir", "-o", "outdir", type=click.Path(file_okay=False), default="safe-copies",
              show_default=True, help="Where the safe copies go (never an input folder).")
@click.option("--plan", "plan_in", type=click.Path(dir_okay=False, exists=True),
              help="Start from this plan (its regions, as reviewed so far) instead of detecting again.")
@click.option("--save-plan", "plan_out", type=click.Path(dir_okay=False), default="review-plan.json",
              show_default=True, help="Where the reviewed plan is written when copies are made (it names the "
                                      "originals: not inside OUTDIR).")
@click.option("--index", "index_db", type=click.Path(dir_okay=False), default=None,
              help="Archive index to match the tips against (as verify --index).")
@click.option("--forensics", is_flag=True, help="Also look at the pixels: JPEG ghosts and copy-move (as verify).")
@click.option("--no-browser", is_flag=True, help="Print the address instead of opening the browser.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding.")
@detection_options
def review(paths, outdir, plan_in, plan_out, index_db, forensics, no_browser, max_pixels, manual, action, shape, min_scores,
           margins, faces, strict, turned, text, codes):
    """Open a local page to review tips: verdicts worst first, regions to cover or keep.

    The page runs on 127.0.0.1 only and is opened with a one-time address. Detection and
    verification run in the background; every decision lands in the plan, and "Make safe
    copies" writes them to OUTDIR through the usual fail-closed pipeline. Stop with Ctrl-C.

    \b
    Example:
      mediavet review tips/ -o shared/ --index archive.db
    """
    from mediavet.cli import _check_index
    from mediavet.cli_redact import _check_outputs, _load_plan
    from mediavet.inputs import expand
    from mediavet.redact import RedactOptions
    from mediavet.review.server import serve
    from mediavet.review.session import Review
    from mediavet.verify import VerifyOptions

    from mediavet.inputs import left_out

    not_media: list = []
    files = expand(paths, not_media)
    line = left_out(not_media, "not reviewed")
    if not files:
        raise click.UsageError("no media files found in the given paths" + (f"; {line}" if line else ""))
    if line:  # nothing under the paths goes unmentioned
        click.echo(f"mediavet: {line}", err=True)
    protect = protect_options(manual, action, shape, min_scores, margins, faces, strict, turned, text, codes)
    _check_outputs(files, paths, outdir, None, None, None)
    from mediavet.outputs import OutputError, check_file

    try:
        check_file(plan_out, "plan", files, paths, [outdir])
    except OutputError as exc:
        raise click.UsageError(f"--save-plan: {exc}") from None
    plan = _load_plan(plan_in, files)[0] if plan_in else None
    session = Review(files, Path(outdir), Path(plan_out), RedactOptions(max_pixels=max_pixels, protect=protect),
                     VerifyOptions(now=datetime.now(timezone.utc), max_pixels=max_pixels,
                                   index=_check_index(index_db), in_batch=False, forensics=forensics), plan)
    serve(session, not no_browser, lambda line: click.echo(line, err=True))
