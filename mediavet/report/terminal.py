"""The terminal report: one block per file with its verdict, findings and key facts.

Everything that came out of a file is untrusted: it is printed as plain Text with
control characters removed, never as rich markup.
"""

from __future__ import annotations

from rich.console import Console

from mediavet.safe_text import clean  # noqa: F401 (used here and by the commands)
from rich.table import Table
from rich.text import Text

from mediavet.verify.finding import Severity

STYLES = {Severity.INFO: "cyan", Severity.WARN: "yellow", Severity.HIGH: "bold red"}


def verdict(report) -> Text:
    if report.error:
        return Text(f"ERROR ({report.error['kind']})", style="bold magenta")
    worst = report.worst
    if worst is None:
        return Text("no findings", style="green")
    count = len(report.findings)
    return Text(f"{str(worst).upper()}: {count} finding{'s' if count != 1 else ''}", style=STYLES[worst])


def print_report(console: Console, report, verbose: bool = False) -> None:
    header = Text.assemble(Text(clean(report.path), style="bold"), "  ", verdict(report))
    console.print(header)
    if report.error:
        console.print(Text(f"  {clean(report.error['message'])}", style="magenta"))
        return
    if report.findings:
        table = Table(show_header=True, header_style="dim", box=None, padding=(0, 1))
        table.add_column("severity")
        table.add_column("finding")
        table.add_column("what it means", overflow="fold")
        for finding in report.findings:
            message = clean(finding.message)
            if verbose:  # the evidence, as the JSON carries it
                import json

                message += "\n" + clean(json.dumps(finding.evidence, ensure_ascii=False, default=str))[:600]
            table.add_row(Text(str(finding.severity), style=STYLES[finding.severity]), Text(finding.id),
                          Text(message))
        console.print(table)
    facts = report.facts
    gps = facts.get("gps")
    rows = [
        ("camera", facts.get("camera")),
        ("captured", f"{facts['capture_time']} ({facts['capture_time_source']})" if facts.get("capture_time") else None),
        ("gps", f"{gps['lat']:.6f}, {gps['lon']:.6f}" + (f", {gps['alt']:.0f} m" if gps.get("alt") is not None else "")
         if gps else None),
        ("software", facts.get("software")),
        ("quality", (f"{'' if facts['jpeg_quality']['standard_tables'] else '≈'}{facts['jpeg_quality']['quality']} "
                     f"({'standard libjpeg tables' if facts['jpeg_quality']['standard_tables'] else 'own tables'})")
         if facts.get("jpeg_quality") else None),
        ("size", f"{report.width}x{report.height} {report.format}"),
        ("sha256", report.sha256),
    ]
    for label, value in rows:
        if value:
            console.print(Text.assemble(Text(f"  {label:<9}", style="dim"), Text(clean(value))))
    console.print()


def print_summary(console: Console, reports, fail_on) -> None:
    """`reports`: a summary.Brief per file."""
    unsupported = sum(1 for r in reports if r.error and r.error["kind"] == "unsupported")
    errors = sum(1 for r in reports if r.error) - unsupported
    counts = {s: sum(1 for r in reports if r.worst == s) for s in Severity}
    parts = [f"{len(reports)} file{'s' if len(reports) != 1 else ''}"]
    parts += [f"{counts[s]} {s}" for s in (Severity.HIGH, Severity.WARN, Severity.INFO) if counts[s]]
    if unsupported:
        parts.append(f"{unsupported} unsupported")
    if errors:
        parts.append(f"{errors} unreadable")
    parts.append(f"fail-on: {fail_on}")
    console.print(Text(", ".join(parts), style="bold"))
    print_first(console, reports)


WARN_SHOWN = 5  # in the summary, every HIGH file and at most this many WARN ones


def print_first(console: Console, reports) -> None:
    """The files that matter first, worst first: every HIGH, then a few WARN, each with its
    top finding."""
    from mediavet.report.summary import rank

    high = [(n, r) for n, r in rank(reports) if r.worst == Severity.HIGH and not r.error]
    warn = [(n, r) for n, r in rank(reports) if r.worst == Severity.WARN and not r.error]
    if not high and not warn:
        return
    console.print(Text("look at these first:", style="bold"))
    for number, report in high + warn[:WARN_SHOWN]:
        console.print(Text.assemble(Text(f"  {str(report.worst).upper():<5} ", style=STYLES[report.worst]),
                                    Text(clean(report.path)), Text(f"  {clean(report.top[0])}"[:160],
                                                                   style="dim")))
    if len(warn) > WARN_SHOWN:
        console.print(Text(f"  and {len(warn) - WARN_SHOWN} more with warnings", style="dim"))
