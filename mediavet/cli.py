"""The mediavet command line: thin click commands that parse, call the library and format.

Start-up stays light: nothing heavy (Pillow, numpy, OpenCV, onnxruntime, PyAV) is imported
until a command runs.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone

import click

from mediavet import __version__
from mediavet.cli_jobs import engine_options, ledger_options, open_engine, open_ledger, say_resumed
from mediavet.exitcodes import ExitCode
from mediavet.safe_text import clean

SEVERITY_CHOICES = ["info", "warn", "high", "never"]


def parse_when(value: str, param_hint: str) -> datetime:
    """ISO 8601; a time without an offset is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date/time (e.g. 2024-05-01T14:30:00+02:00)",
                                 param_hint=param_hint) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_duration(value: str, param_hint: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", value)
    if not match:
        raise click.BadParameter(f"{value!r} is not a duration such as 90m, 24h or 2d", param_hint=param_hint)
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "hours"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def parse_location(value: str, param_hint: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not LAT,LON in decimal degrees", param_hint=param_hint) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise click.BadParameter(f"{value!r} is out of range (lat -90..90, lon -180..180)", param_hint=param_hint)
    return lat, lon


class Stoppable(click.Group):
    """Every command runs under mediavet.signals: SIGINT, SIGTERM and SIGHUP end it with this
    run's temporary files removed and one line on stderr. So does an error of the system
    (a full disk, a read-only folder) that no file's own error handling caught: exit 3."""

    def invoke(self, ctx):
        from mediavet import signals

        signals.install()
        try:
            return super().invoke(ctx)
        except signals.Stopped as stop:
            removed = signals.sweep()
            click.echo(f"mediavet: stopped by {stop.name}; {removed} temporary file{'s' if removed != 1 else ''} "
                       "removed, nothing half-written kept", err=True)
            sys.exit(stop.code)
        except OSError as exc:
            signals.sweep()
            where = f"{clean(exc.filename)}: " if exc.filename else ""
            click.echo(f"mediavet: {where}{clean(exc.strerror or exc)}; nothing half-written kept", err=True)
            sys.exit(ExitCode.INPUT_ERROR)


@click.group(cls=Stoppable, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mediavet")
def main():
    """Verify photos sent by sources, and make safe copies of them.

    Exit codes: 0 clean; 1 a finding at or above --fail-on; 2 usage error;
    3 some input unreadable or unsupported (the rest was processed);
    4 a redaction could not be proven clean.
    """


@main.command(short_help="Check that photos and clips are what they claim to be.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (see docs/report-schema.md).")
@click.option("--jsonl", is_flag=True, help="Stream one JSON object per file, one per line.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), metavar="REPORT.html",
              help="Also write a self-contained HTML report (pictures inline, no scripts, no external requests).")
@click.option("--fail-on", type=click.Choice(SEVERITY_CHOICES), default="high", show_default=True,
              help="Exit 1 when a finding is at or above this severity; 'never' to report only.")
@click.option("--now", "now_text", metavar="ISO8601", help="The current time for date checks (default: now).")
@click.option("--claimed-time", metavar="ISO8601", help="When the source says the picture was taken.")
@click.option("--time-tolerance", default="24h", show_default=True, metavar="DURATION",
              help="How far the capture time may be from --claimed-time (s, m, h or d).")
@click.option("--claimed-location", metavar="LAT,LON", help="Where the source says the picture was taken.")
@click.option("--distance-tolerance-km", type=click.FloatRange(min=0), default=25.0, show_default=True,
              help="How far the GPS position may be from --claimed-location.")
@click.option("--max-pixels", type=click.IntRange(min=1), default=200_000_000, show_default=True,
              help="Refuse images larger than this before decoding (decompression bombs).")
@click.option("--forensics", is_flag=True, help="Also look at the pixels: copy-move detection (slower).")
@click.option("--trust-anchors", type=click.Path(exists=True, dir_okay=False), metavar="PEM",
              help="C2PA trust anchors (certificates in PEM); none by default, so signers are reported untrusted.")
@click.option("--index", "index_db", metavar="DB", is_flag=False, flag_value="", default=None,
              help="Look each photo up in this archive index (duplicate.exact, duplicate.match); with no "
              "value, the default index ($MEDIAVET_INDEX, else the user data directory, as `index add` uses); "
              "also turns on --in-batch.")
@click.option("--in-batch/--no-in-batch", default=None,
              help="Report files of this run that show the same picture (duplicate.in_batch).")
@engine_options
@ledger_options("Off by default for verify; without --now the clock is not a setting, so a resumed run keeps "
                "the first run's reports.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary (the files to look at first) and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Also print each finding's evidence.")
def verify(paths, as_json, jsonl, html_path, fail_on, now_text, claimed_time, time_tolerance, claimed_location,
           distance_tolerance_km, max_pixels, forensics, trust_anchors, index_db, in_batch, jobs, scheduler, ship_bytes,
           ledger_path, retry_failed, quiet, verbose):
    """Check that each photo is what it claims to be: metadata consistency, edits, generators.

    PATHS are files or directories (searched recursively). Every finding carries its evidence.

    \b
    Examples:
      mediavet verify tips/ --html report.html
      mediavet verify tip.jpg --claimed-time 2026-11-30T14:00+08:00 --claimed-location 40.13,124.39
      mediavet verify tips/ --index archive.db --json > report.json
    """
    from mediavet import jobs as batch
    from mediavet.inputs import expand
    from mediavet.jobs.operations import Verify
    from mediavet.verify import VerifyOptions

    if as_json and jsonl:
        raise click.UsageError("choose one of --json and --jsonl")
    options = VerifyOptions(
        now=parse_when(now_text, "--now") if now_text else datetime.now(timezone.utc),
        claimed_time=parse_when(claimed_time, "--claimed-time") if claimed_time else None,
        time_tolerance=parse_duration(time_tolerance, "--time-tolerance"),
        claimed_location=parse_location(claimed_location, "--claimed-location") if claimed_location else None,
        distance_tolerance_km=distance_tolerance_km,
        max_pixels=max_pixels,
        index=_check_index(index_db),
        trust_anchors=str(trust_anchors) if trust_anchors else None,
        forensics=forensics,
        in_batch=(index_db is not None) if in_batch is None else in_batch,
    )
    not_media: list = []
    files = expand(paths, not_media)
    if not files:
        raise click.UsageError("no media files found in the given paths" + _listed(not_media, "not verified"))
    from mediavet.outputs import OutputError, check_file

    for option, target, kind in (("--html", html_path, "report"), ("--ledger", ledger_path, "ledger")):
        try:
            if target:
                check_file(target, kind, files, paths)
        except OutputError as exc:
            raise click.UsageError(f"{option}: {exc}") from None
    operation = Verify(options, now_fixed=now_text is not None)
    ledger = open_ledger(ledger_path, operation)
    settings = {"index": index_db, "forensics": forensics, "claimed_time": claimed_time,
                "claimed_location": claimed_location, "in_batch": options.in_batch,
                "trust_anchors": trust_anchors} | ({"now": now_text} if now_text else {})
    output = _VerifyOutput(as_json, jsonl, html_path, max_pixels, settings, quiet, verbose)
    resumed = 0
    from mediavet.report.progress import progress
    from mediavet.report.spool import Spool
    from mediavet.report.summary import Brief

    spool = Spool(Brief.of)  # every report waits on disk, not in memory: a batch of any size
    try:
        with open_engine(jobs, scheduler, ship_bytes) as engine, progress(len(files), "verifying") as advance:
            for result in batch.run(batch.Job(operation, files), engine, ledger, retry_failed):
                spool.add(result.value)
                resumed += result.resumed
                if not options.in_batch:  # batch findings are known only at the end
                    output.file(result.value)
                advance()
    finally:
        if ledger is not None:
            ledger.close()
    say_resumed(resumed, len(files))
    if options.in_batch:
        from mediavet.verify.duplicates import batch_findings
        from mediavet.verify.finding import ordered

        found, amended = batch_findings(spool.items), Spool(Brief.of)
        for number, report in enumerate(spool.items()):
            report.views = None  # done with: not kept twice
            report.findings = ordered(report.findings + found.get(number, []))
            amended.add(report)
            output.file(report)
        spool.close()
        spool = amended
    output.finish(spool, not_media, fail_on)
    spool.close()
    sys.exit(exit_code(spool.briefs, fail_on))


class _VerifyOutput:
    """Where verify's reports go, one file at a time as they finish: JSON Lines, the terminal,
    the HTML report's sections; the summary, the JSON document and the HTML head at the end."""

    def __init__(self, as_json, jsonl, html_path, max_pixels, settings, quiet, verbose):
        from rich.console import Console

        self.as_json, self.jsonl, self.quiet, self.verbose = as_json, jsonl, quiet, verbose
        self.console = Console(highlight=False, soft_wrap=False)
        self.html_path = html_path
        if html_path:
            from mediavet.report.html_report import HtmlReport

            self.html = HtmlReport(max_pixels, settings)

    def file(self, report) -> None:
        if self.jsonl:
            from mediavet.report.json_report import dumps

            click.echo(dumps(report.to_json(), indent=None))
        elif not (self.as_json or self.quiet):
            from mediavet.report.terminal import print_report

            print_report(self.console, report, self.verbose)
        if self.html_path:
            self.html.add(report)

    def finish(self, spool, not_media, fail_on) -> None:
        if self.html_path:
            self.html.finish(self.html_path, spool.briefs)
            click.echo(f"HTML report written to {clean(self.html_path)}", err=True)
        from mediavet.inputs import left_out

        line = left_out(list(not_media), "not verified")
        if line:  # nothing under the paths goes unmentioned
            click.echo(f"mediavet: {line}", err=True)
        if self.jsonl:
            return
        if self.as_json:
            from mediavet.report.json_report import document_chunks

            for chunk in document_chunks(spool.items(), list(not_media) or None):
                click.echo(chunk, nl=False)
            click.echo()
            return
        from mediavet.report.terminal import print_summary

        print_summary(self.console, spool.briefs, fail_on)
        for brief in spool.briefs:  # errors also go to stderr, one line each, for scripts
            if brief.error:
                click.echo(f"mediavet: {clean(brief.path)}: {clean(brief.error['message'])}", err=True)


def _listed(not_media, what: str) -> str:
    from mediavet.inputs import left_out

    line = left_out(not_media, what)
    return f"; {line}" if line else ""


def _check_index(db: str | None) -> str | None:
    """Open the archive once up front so a missing or foreign file fails the run clearly."""
    if db is None:
        return None
    from mediavet.archive.store import index_path, open_index
    from mediavet.archive.index import IndexUnusable

    db = str(index_path(db or None))  # "--index" alone: the default index
    try:
        open_index(db).close()
    except IndexUnusable as exc:
        click.echo(f"mediavet: {clean(exc)}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)
    return db


def exit_code(reports, fail_on: str) -> int:
    if any(report.error for report in reports):
        return ExitCode.INPUT_ERROR
    if fail_on != "never":
        from mediavet.verify.finding import Severity

        threshold = Severity.parse(fail_on)
        if any(report.worst is not None and report.worst >= threshold for report in reports):
            return ExitCode.FINDINGS
    return ExitCode.OK


def _register_subgroups():
    from mediavet.cli_index import index
    from mediavet.cli_redact import audit, redact
    from mediavet.cli_review import review

    for command in (index, redact, audit, review):
        main.add_command(command)


_register_subgroups()

if __name__ == "__main__":
    main()
