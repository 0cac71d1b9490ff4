import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CORPUS = Path(os.environ.get("MEDIAVET_CORPUS", ROOT.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True)
def private_data_home(tmp_path_factory, monkeypatch):
    """The default index of a test lives in its own data directory, never in the user's
    (redaction ledgers lie beside each test's OUTDIR, in its tmp_path)."""
    monkeypatch.delenv("MEDIAVET_INDEX", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data-home")))
NOW = "2026-01-01T00:00:00+00:00"

sys.path.insert(0, str(SAMPLES))  # samples/generate.py builds bad inputs for tests too


@pytest.fixture
def corpus():
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS}")
    return CORPUS


@pytest.fixture
def unusable_databases(tmp_path):
    """Files an index must refuse and leave untouched: another program's SQLite database,
    and bytes that are no database at all."""
    import sqlite3

    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (text)")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\x01not sqlite" * 500)
    return foreign, garbage


def run(*args):
    """Run the CLI in-process; returns click's Result (stdout and stderr kept apart)."""
    from mediavet.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def verify_json(*args):
    result = run("verify", "--json", "--fail-on", "never", "--now", NOW, *args)
    return result, json.loads(result.stdout)
