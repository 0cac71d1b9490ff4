"""The options every batch command shares: where the work runs (--jobs, --scheduler,
--ship-bytes) and what an earlier run already did (--ledger, --retry-failed)."""

from __future__ import annotations

import sys

import click

from mediavet.exitcodes import ExitCode
from mediavet.safe_text import clean


def engine_options(command):
    for option in reversed([
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
                     help="Local worker processes (default: one per core); with --scheduler local, Dask workers."),
        click.option("--scheduler", metavar="ADDRESS", envvar="DASK_SCHEDULER_ADDRESS",
                     help="Run on this Dask cluster (tcp://host:8786; default $DASK_SCHEDULER_ADDRESS), or 'local' "
                          "for a LocalCluster on this machine. Needs pip install 'mediavet[dask]'."),
        click.option("--ship-bytes", is_flag=True,
                     help="With --scheduler: send each input's bytes to the worker (workers without the shared "
                          "folder the inputs are in)."),
    ]):
        command = option(command)
    return command


def ledger_options(default_help: str):
    def decorate(command):
        for option in reversed([
            click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False), metavar="FILE",
                         help="Record each file's result in this SQLite file; run again, only what is not done is "
                              f"done. {default_help}"),
            click.option("--retry-failed", is_flag=True,
                         help="With a ledger: also try again the files an earlier run could not do."),
        ]):
            command = option(command)
        return command
    return decorate


def open_engine(jobs, scheduler, ship_bytes):
    from mediavet.jobs.engine import from_options

    try:
        return from_options(jobs, scheduler, ship_bytes)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except (RuntimeError, OSError) as exc:
        click.echo(f"mediavet: {clean(exc)}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)


def open_ledger(path, operation):
    """The ledger at `path` for this operation (its settings fingerprint included), or None."""
    if path is None:
        return None
    from mediavet.jobs.ledger import Ledger, LedgerError

    try:
        return Ledger(path, operation.name, operation.settings())
    except (LedgerError, OSError) as exc:
        click.echo(f"mediavet: --ledger: {clean(exc)}", err=True)
        sys.exit(ExitCode.INPUT_ERROR)


def say_resumed(resumed: int, total: int) -> None:
    if resumed:
        click.echo(f"mediavet: {resumed} of {total} files done by an earlier run (reported from the ledger)", err=True)
