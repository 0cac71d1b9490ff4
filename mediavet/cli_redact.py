"""`mediavet redact` (safe copies) and `mediavet audit` (the gate before anything is shared)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mediavet.cli_jobs import engine_options, ledger_options, open_engine, open_ledger, say_resumed
from mediavet.exitcodes import ExitCode


def _key_values(values, option: str, parse) -> dict:
    found = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or key not in ("face", "text", "code", "manual"):
            raise click.BadParameter(f"{value!r}: expected KIND=VALUE with KIND face, text, code or manual",
                                     param_hint=option)
        try:
            found[key] = parse(rest)
        except ValueError:
            raise click.BadParameter(f"{value!r}: bad value", param_hint=option) from None
    return found


def _margin(text: str) -> tuple[float, float]:
    parts = [float(v) for v in text.split(",")]
    if len(parts) not in (1, 2) or any(v < 0 or v > 2 for v in parts):
        raise ValueError(text)
    return (parts[0], parts[-1]) if len(parts) == 2 else (parts[0], parts[0])


def _box(text: str) -> tuple[int, int, int, int]:
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not X,Y,W,H in whole pixels", param_hint="--region") from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise click.BadParameter(f"{text!r}: width and height must be positive, x and y not negative",
                                 param_hint="--region")
    return x, y, w, h


def detection_options(command):
    """The options that decide what is found and how it is covered: shared by redact and review."""
    for option in reversed([
        click.option("--region", "manual", multiple=True, metavar="X,Y,W,H",
                     help="Cover this box too (upright pixel coordinates; repeatable)."),
        click.option("--action", type=click.Choice(["fill", "pixelate", "blur"]), default="fill", show_default=True,
                     help="How regions are covered (pixelate and blur destroy the detail first)."),
        click.option("--shape", type=click.Choice(["rect", "ellipse"]), default="rect", show_default=True),
        click.option("--min-score", "min_scores", multiple=True, metavar="KIND=SCORE",
                     help="Detector threshold, e.g. face=0.3 (defaults: face 0.2, text 0.4; recall first)."),
        click.option("--margin", "margins", multiple=True, metavar="KIND=X[,Y]",
                     help="Grow boxes by this fraction of their size per side (defaults: face 0.15,0.08 for a 60-px face, "
                     "more for smaller faces and less for larger ones; text 0.15,0.3; code 0.5,0.5)."),
        click.option("--faces/--no-faces", default=True,
                     help="Find and cover faces (CenterFace, YuNet and RetinaFace; places they are unsure of are "
                     "listed for review)."),
        click.option("--strict", is_flag=True,
                     help="Also cover the places the face models are unsure of (listed for review otherwise)."),
        click.option("--turned", is_flag=True,
                     help="Also look for faces lying sideways or upside down (people in bed, a camera held sideways "
                     "without an orientation tag): four times the face detection time."),
        click.option("--text/--no-text", default=True, help="Find and cover readable text (PP-OCR detection)."),
        click.option("--codes/--no-codes", default=True, help="Find and cover QR codes and barcodes (OpenCV)."),
    ]):
        command = option(command)
    return command


def protect_options(manual, action, shape, min_scores, margins, faces, strict, turned, text, codes):
    from mediavet.redact.protect import MARGINS, ProtectOptions

    protect = ProtectOptions(
        kinds=tuple(kind for kind, on in (("face", faces), ("text", text), ("code", codes)) if on),
        min_scores=_key_values(min_scores, "--min-score", float),
        margins={**MARGINS, **_key_values(margins, "--margin", _margin)},
        action=action, shape=shape, manual=tuple(_box(box) for box in manual), turned=turned, strict=strict)
    if faces:
        _warn_missing_models()
    return protect


@click.command(short_help="Make safe copies: people covered, no metadata, neutral names.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--output-dir", "-o", "outdir", type=click.Path(file_okay=False),
              help="Where the safe copies go (created if missing; never an input directory).")
@click.option("--plan-only", "plan_out", type=click.Path(dir_okay=False),
              help="Detect and write the redaction plan (JSON) to this file; write no copies.")
@click.option("--plan", "plan_in", type=click.Path(dir_okay=False, exists=True),
              help="Apply exactly this (reviewed, possibly edited) plan; detect nothing.")
@click.option("--preview", "preview_dir", type=click.Path(file_okay=False),
              help="Also write review images with numbered boxes here (NOT safe to share: they show what is covered).")
@click.option("--quality", type=click.IntRange(1, 100), default=92, show_default=True,
              help="JPEG/WebP quality of the copies (lossless WebP stays lossless).")
@click.option("--format", "heif_format", type=click.Choice(["jpeg", "png", "webp"]), default=None,
              help="What HEIC/HEIF and AVIF (default jpeg) and camera RAW (default png, 16 bits a channel) become. "
                   "JPEG, PNG and WebP keep their format; TIFF and GIF become PNG.")
@click.option("--all-frames", is_flag=True, help="Keep every frame of an animation (default: the first only).")
@click.option("--crf", type=click.IntRange(0, 51), default=20, show_default=True,
              help="Video: libx264 quality (lower is better and larger).")
@click.option("--keep-audio", is_flag=True, help="Video: keep the sound, re-encoded without tags (voices identify).")
@click.option("--unlink-sensor", "sensor", type=click.Choice(["normal", "strong", "off"]), default="normal",
              show_default=True, help="Replace the camera's sensor noise (PRNU), which links a picture or a clip "
                                      "to the phone that took it, and refuse a copy that still carries it; strong for "
                                      "sensitive batches; off keeps the noise (and the link).")
@click.option("--names", type=click.Choice(["neutral", "random"]), default="neutral", show_default=True,
              help="neutral: safe-0001.jpg, ...; random: a random token per file.")
@click.option("--keep-names", is_flag=True, help="Keep each original file name's stem (it may identify the source).")
@click.option("--manifest", type=click.Path(dir_okay=False),
              help="Write the mapping original -> copy (with both sha256) to this JSON file.")
@click.option("--overwrite", is_flag=True, help="Replace existing copies of the same name.")
@detection_options
@click.option("--json", "as_json", is_flag=True, help="Print the outcome of every file as JSON (it names originals).")
@click.option("--verbose", "-v", is_flag=True, help="Print original -> copy for each written file.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding (decompression bombs).")
@engine_options
@ledger_options("Default for redact: .mediavet/OUTDIR.ledger beside OUTDIR (it names the originals, so never inside it).")
def redact(paths, outdir, plan_out, plan_in, preview_dir, manual, action, shape, min_scores, margins, quality,
           heif_format, all_frames, crf, keep_audio, sensor, names, keep_names, manifest, overwrite, faces, strict, turned, text,
           codes, as_json, verbose, max_pixels, jobs, scheduler, ship_bytes, ledger_path, retry_failed):
    """Make safe copies: faces, text and codes covered, pixels only, no metadata, neutral names.

    Every copy is checked by the detectors again and re-read and proven free of metadata
    before it gets its name; a copy that cannot be proven clean is not written (exit 4).
    Originals are only read. Exit 3 when some input could not be read (the rest is copied).
    With --plan-only, nothing but the plan (and previews) is written; review it, then
    apply it with --plan.

    \b
    Running it again into the same OUTDIR does only what is not done yet (the ledger).

    \b
    Examples:
      mediavet redact tips/ -o shared/
      mediavet redact tips/ --plan-only plan.json --preview review/
      mediavet redact tips/ --plan plan.json -o shared/ --strict
      mediavet redact phone-dump/ -o shared/ --scheduler tcp://10.0.0.5:8786
    """
    from dataclasses import replace

    from mediavet import jobs as batch
    from mediavet.inputs import expand
    from mediavet.jobs.ledger import beside
    from mediavet.jobs.operations import Redact
    from mediavet.redact import ERROR, REFUSED, RedactOptions, discard
    from mediavet.redact.names import Namer
    from mediavet.report.progress import progress
    from mediavet.safe_text import clean

    if plan_out and (outdir or plan_in):
        raise click.UsageError("--plan-only writes a plan and no copies: leave out --output-dir and --plan")
    if not plan_out and not outdir:
        raise click.UsageError("give --output-dir (or --plan-only PLAN.json)")
    skipped: list = []  # (path, what it looks like): not media, never copied
    files = expand(paths, skipped)
    if not files:
        from mediavet.inputs import left_out

        raise click.UsageError("no media files found in the given paths"
                               + (f"; {left_out(skipped, 'not copied')}" if skipped else ""))
    protect = protect_options(manual, action, shape, min_scores, margins, faces, strict, turned, text, codes)
    plan = None
    if plan_in:
        plan, planned_with = _load_plan(plan_in, files)
        if planned_with.get("turned") is True:  # the check looks at least as widely as the search did
            protect = replace(protect, turned=True)
    options = RedactOptions(quality=quality, heif_format=heif_format, all_frames=all_frames, overwrite=overwrite,
                            max_pixels=max_pixels, protect=protect, plan=plan, crf=crf, keep_audio=keep_audio,
                            sensor=None if sensor == "off" else sensor)
    _check_outputs(files, paths, outdir, plan_out, preview_dir, manifest, ledger_path)
    engine = open_engine(jobs, scheduler, ship_bytes)
    if plan_out:
        with engine:
            _plan_only(files, plan_out, preview_dir, options, engine)
    outdir = Path(outdir)
    scheme = "keep" if keep_names else names
    outdir.mkdir(parents=True, exist_ok=True)
    from mediavet import signals

    signals.watch(outdir)
    swept = signals.sweep_dead(outdir)
    if swept:
        click.echo(f"mediavet: removed {swept} temporary file{'s' if swept != 1 else ''} an interrupted run left in "
                   f"{clean(outdir)}", err=True)
    operation = Redact(options, outdir, Namer(outdir, scheme, overwrite))
    ledger = open_ledger(ledger_path or beside(outdir), operation)
    from mediavet.report.spool import Spool

    spool = Spool(lambda outcome: outcome.status)  # outcomes wait on disk: a phone dump of any size
    try:
        with engine, progress(len(files), "copying") as advance:
            # --overwrite starts afresh: nothing is taken from the ledger, everything is recorded
            for result in batch.run(batch.Job(operation, files), engine, ledger, retry_failed or overwrite,
                                    fresh=overwrite):
                discard(result.value)  # placed, or its temporary file goes now
                spool.add(result.value)
                advance()
    finally:
        ledger.close()
    if manifest:
        _write_manifest(manifest, spool.items())
    if preview_dir:
        _previews(spool.items(), preview_dir, max_pixels)
    _report(spool, skipped, outdir, as_json, verbose)
    spool.close()
    if REFUSED in spool.briefs:
        sys.exit(ExitCode.NOT_CLEAN)
    sys.exit(ExitCode.INPUT_ERROR if ERROR in spool.briefs else ExitCode.OK)


def _face_models() -> list[str]:
    from mediavet.redact.detectors import yunet

    return ["centerface", "retinaface"] + (["yunet"] if yunet.available() else [])


def _warn_missing_models() -> None:
    from mediavet.redact.detectors import yunet

    if not yunet.available():
        click.echo("mediavet: warning: YuNet (the yuface package, wheels for Python <= 3.11 only) is not installed: "
                   "faces are found by CenterFace and RetinaFace alone, which miss more small and turned faces",
                   err=True)


def _load_plan(plan_in, files) -> tuple[dict, dict]:
    """The plan's entries and settings, after checking it fits these inputs; any problem stops
    the run before anything is written."""
    from mediavet.redact.plan import PlanError, check_inputs, load

    try:
        entries, settings = load(Path(plan_in))
    except PlanError as exc:
        raise click.UsageError(f"--plan: {exc}") from None
    problems = check_inputs(entries, files)
    if problems:
        raise click.UsageError("--plan does not fit the inputs; nothing written:\n  " + "\n  ".join(problems))
    return entries, settings


def _plan_only(files, plan_out, preview_dir, options, engine) -> None:
    from mediavet import __version__
    from mediavet import jobs as batch
    from mediavet.atomic import write_atomic
    from mediavet.jobs.operations import Plan
    from mediavet.redact import PLANNED
    from mediavet.redact.plan import document
    from mediavet.report.json_report import dumps
    from mediavet.report.progress import progress
    from mediavet.safe_text import clean

    outcomes = []
    with progress(len(files), "detecting") as advance:
        for result in batch.run(batch.Job(Plan(options), files), engine):
            outcomes.append(result.value)
            advance()
    protect = options.protect
    settings = {"mediavet": __version__, "kinds": list(protect.kinds), "min_scores": protect.min_scores,
                "margins": {k: list(v) for k, v in protect.margins.items()}, "action": protect.action,
                "shape": protect.shape, "turned": protect.turned, "strict": protect.strict,
                "face_models": _face_models() if "face" in protect.kinds else []}
    entries = [o.plan for o in outcomes if o.status == PLANNED]
    write_atomic(plan_out, (dumps(document(entries, settings)) + "\n").encode("utf-8"))
    if preview_dir:
        numbers = iter(range(1, len(entries) + 1))
        _previews(outcomes, preview_dir, options.max_pixels,
                  [next(numbers) if o.status == PLANNED else 0 for o in outcomes])
    for outcome in outcomes:
        if outcome.status != PLANNED:
            click.echo(f"mediavet: {clean(outcome.input)}: error: {clean(outcome.message)}", err=True)
    regions = sum(len(e["regions"]) for e in entries)
    click.echo(f"plan for {len(entries)} files, {regions} regions, written to {clean(plan_out)}; "
               f"{len(outcomes) - len(entries)} errors")
    _to_look_at(outcomes, "in the plan, marked \"action\": \"review\": set each to fill or keep")
    sys.exit(ExitCode.INPUT_ERROR if len(entries) < len(outcomes) else ExitCode.OK)


def _previews(outcomes, preview_dir, max_pixels, numbers=None) -> None:
    """Review images of every file whose regions are known, named by `numbers` (the plan's
    entry numbers; else the place among the inputs), and an index of which shows which."""
    from mediavet.atomic import write_atomic
    from mediavet.errors import MediaError
    from mediavet.media import probe
    from mediavet.redact.encode import decode
    from mediavet.redact.preview import INDEX, name, write, write_sheets
    from mediavet.report.json_report import dumps

    folder = Path(preview_dir)
    folder.mkdir(parents=True, exist_ok=True)
    index = []
    for place, outcome in enumerate(outcomes, start=1):
        if outcome.found is None:
            continue
        number = numbers[place - 1] if numbers else place
        try:
            media = probe(outcome.input, max_pixels=max_pixels)
            if media.is_video:
                frames = outcome.plan["frames"] if outcome.plan else (outcome.frames or {}).get("total", 1)
                written = write_sheets(media.path, outcome.found, frames, folder, number)
            else:
                write(decode(media).frames[0], outcome.found, folder / name(number))
                written = [name(number)]
        except MediaError:
            continue
        index.append({"number": number, "input": outcome.input, "previews": written,
                      "regions": len(outcome.found)})
    write_atomic(folder / INDEX, (dumps({"mediavet_previews": 1, "note": "NOT SAFE TO SHARE: the previews show "
                                         "what is covered, and this list names the originals",
                                         "files": index}) + "\n").encode("utf-8"))


def _check_outputs(files, paths, outdir, plan_out, preview_dir, manifest, ledger=None) -> None:
    """Every path this run writes, checked before anything is (mediavet/outputs.py)."""
    from mediavet.outputs import OutputError, check_file, check_folder

    checks = [("--output-dir", lambda: check_folder(outdir, files, paths)) if outdir else None,
              ("--preview", lambda: check_folder(preview_dir, files, paths, [outdir])) if preview_dir else None,
              ("--manifest", lambda: check_file(manifest, "manifest", files, paths, [outdir]))
              if manifest else None,
              ("--plan-only", lambda: check_file(plan_out, "plan", files, paths)) if plan_out else None,
              ("--ledger", lambda: check_file(ledger, "ledger", files, paths, [outdir])) if ledger else None]
    for option, check in filter(None, checks):
        try:
            check()
        except OutputError as exc:
            raise click.UsageError(f"{option}: {exc}") from None


def _write_manifest(manifest, outcomes) -> None:
    from mediavet.atomic import atomic_file
    from mediavet.report.json_report import document_chunks

    with atomic_file(manifest) as out:
        for chunk in document_chunks(outcomes):
            out.write(chunk.encode("utf-8"))
        out.write(b"\n")


def _report(spool, skipped, outdir, as_json, verbose) -> None:
    from mediavet.redact import ERROR, REFUSED, UNCHANGED, WRITTEN
    from mediavet.safe_text import clean

    if as_json:
        from mediavet.report.json_report import document_chunks

        for chunk in document_chunks(spool.items(), skipped):
            click.echo(chunk, nl=False)
        click.echo()
    for outcome in spool.items():
        if outcome.status in (WRITTEN, UNCHANGED) and verbose and not as_json:
            click.echo(f"{clean(outcome.input)} -> {clean(outcome.output)}"
                       + (" (from an earlier run)" if outcome.status == UNCHANGED else ""))
        elif outcome.status not in (WRITTEN, UNCHANGED):
            label = "NOT CLEAN" if outcome.status == REFUSED else "error"
            click.echo(f"mediavet: {clean(outcome.input)}: {label}: {clean(outcome.message)}", err=True)
        if outcome.frames and not as_json:  # a clip: how much of it the fail-closed check saw
            click.echo(f"{clean(outcome.input)}: {outcome.frames['checked']} of {outcome.frames['total']} frames "
                       f"checked by the detectors again ({outcome.frames['rounds']} round"
                       f"{'s' if outcome.frames['rounds'] != 1 else ''})", err=True)
    for path, kind in skipped:
        click.echo(f"mediavet: {clean(path)}: not copied: not media ({kind})", err=True)
    counts = {status: spool.briefs.count(status) for status in (WRITTEN, REFUSED, ERROR, UNCHANGED)}
    again = f" ({counts[UNCHANGED]} already there from an earlier run, unchanged)" if counts[UNCHANGED] else ""
    summary = (f"{counts[WRITTEN]} written to {clean(outdir)}{again}, {counts[REFUSED]} refused (not provably clean), "
               f"{counts[ERROR]} errors, {len(skipped)} not media (not copied)")
    click.echo(summary, err=as_json)
    _to_look_at((o for o in spool.items() if o.status == WRITTEN),
                "left visible: look at them with --plan-only and --preview, or cover them with --strict")


def _to_look_at(outcomes, advice: str) -> None:
    """The places the detectors were unsure of, per file, on stderr: a person decides. Faces
    are counted apart from text and codes (a raised hand the text model was unsure of is no
    possible face)."""
    from mediavet.redact import count_regions
    from mediavet.safe_text import clean

    unsure = []
    for outcome in outcomes:
        if outcome.regions.get("review"):
            faces = count_regions(r for r in outcome.found or () if r.kind == "face").get("review", 0)
            unsure.append((outcome, faces, outcome.regions["review"] - faces))
    if not unsure:
        return
    faces, others = sum(f for _, f, _ in unsure), sum(o for _, _, o in unsure)
    what = [f"{faces} possible face{'s' if faces != 1 else ''}"] if faces else []
    what += [f"{others} unsure text or code place{'s' if others != 1 else ''}"] if others else []
    click.echo(f"{' and '.join(what)} to look at ({advice}):", err=True)
    for outcome, face_count, other_count in unsure:
        click.echo(f"  {clean(outcome.input)}: {face_count} face{'s' if face_count != 1 else ''}, "
                   f"{other_count} text or code", err=True)


@click.command(short_help="Report what could still identify a source; write nothing.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (the same envelope as verify).")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding.")
@engine_options
@ledger_options("Off by default for audit.")
def audit(paths, as_json, max_pixels, jobs, scheduler, ship_bytes, ledger_path, retry_failed):
    """Report everything identifying still in each file; write nothing.

    Exit 0 when every file is clean, 1 when any is not, 3 when some could not be read.
    The gate a shared folder or a CI job runs before anything leaves.

    \b
    Example:
      mediavet audit shared/ && echo "nothing identifying left"
    """
    from mediavet import jobs as batch
    from mediavet.inputs import expand
    from mediavet.jobs.operations import Audit
    from mediavet.report.progress import progress

    files = expand(paths, every=True)  # hidden files, sidecars, notes: everything under a shared folder
    if not files:
        raise click.UsageError("no files found in the given paths")
    if ledger_path:
        _check_outputs(files, paths, None, None, None, None, ledger_path)
    operation = Audit(max_pixels)
    ledger = open_ledger(ledger_path, operation)
    from rich.console import Console

    from mediavet.report.spool import Spool
    from mediavet.report.terminal import print_report

    console = Console(highlight=False, soft_wrap=False)
    # what the summary needs, per file: (path, not clean, error); the reports wait on disk for --json
    spool, resumed = Spool(lambda report: (report.path, bool(report.findings), report.error)), 0
    try:
        with open_engine(jobs, scheduler, ship_bytes) as engine, progress(len(files), "auditing") as advance:
            for result in batch.run(batch.Job(operation, files), engine, ledger, retry_failed):
                spool.add(result.value)
                resumed += result.resumed
                if not as_json:
                    print_report(console, result.value)  # as each file finishes
                advance()
    finally:
        if ledger is not None:
            ledger.close()
    say_resumed(resumed, len(files))
    if as_json:
        from mediavet.report.json_report import document_chunks

        for chunk in document_chunks(spool.items()):
            click.echo(chunk, nl=False)
        click.echo()
    else:
        from rich.text import Text

        from mediavet.safe_text import clean

        dirty = sum(1 for _, unclean, _ in spool.briefs if unclean)
        errors = sum(1 for _, _, error in spool.briefs if error)
        console.print(Text(f"{len(spool)} files: {len(spool) - dirty - errors} clean, {dirty} not clean, "
                           f"{errors} unreadable", style="bold"))
        for path, _, error in spool.briefs:
            if error:
                click.echo(f"mediavet: {clean(path)}: {clean(error['message'])}", err=True)
    spool.close()
    if any(error for _, _, error in spool.briefs):
        sys.exit(ExitCode.INPUT_ERROR)
    sys.exit(ExitCode.FINDINGS if any(unclean for _, unclean, _ in spool.briefs) else ExitCode.OK)
