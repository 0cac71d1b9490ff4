"""What a batch already did, so that running it again does only what is left: an interrupted
run (a crash, a kill, a reboot) resumes, and a repeated one does nothing twice.

One SQLite file (WAL, so a reader never blocks the run) with a row per input: its path, size,
modification time and sha256, the operation and a fingerprint of the settings the result
depends on, the status (done, failed, refused), a one-line summary, and the result itself
(JSON) so a resumed run reports every file as the first run would have. A row counts only
for the same operation and settings, and while the file is unchanged (same size and time,
or else the same sha256). Only the driver writes it, a transaction per batch of results.

A ledger names originals, so it never lives in a folder that is shared: `redact` keeps its
own in a hidden `.mediavet/` folder beside OUTDIR (see `beside`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat as kinds
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DONE, FAILED, REFUSED = "done", "failed", "refused"
APPLICATION_ID = 0x4D564C47  # "MVLG", in the SQLite header: this file is a mediavet ledger
FLUSH_ROWS, FLUSH_SECONDS = 64, 2.0
RACY_NS = 2_000_000_000


def beside(outdir) -> Path:
    """The default ledger of a redaction into `outdir`: `.mediavet/<name>.ledger` in its parent
    folder, never inside it."""
    outdir = Path(outdir).resolve()
    return outdir.parent / ".mediavet" / f"{outdir.name}.ledger"


def settings_key(settings: dict) -> str:
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Row:
    path: str
    sha256: str | None
    status: str
    summary: str
    result: dict


class LedgerError(Exception):
    pass


class Ledger:
    def __init__(self, path, operation: str, settings: dict):
        self.path, self.operation, self.key = Path(path), operation, settings_key(settings)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() and self.path.stat().st_size and not is_ledger(self.path):
            raise LedgerError(f"{self.path} exists and is not a mediavet ledger; it is left alone")
        try:
            self.db = sqlite3.connect(self.path, timeout=30)
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS files (operation TEXT, settings TEXT, path TEXT, size INTEGER, "
                            "mtime_ns INTEGER, sha256 TEXT, status TEXT, summary TEXT, result TEXT, at TEXT, seen_ns INTEGER, "
                            "PRIMARY KEY (operation, settings, path))")
            self.db.execute("CREATE INDEX IF NOT EXISTS by_sha256 ON files (operation, settings, sha256)")
            self.db.execute("CREATE INDEX IF NOT EXISTS by_path ON files (operation, path)")  # latest(), any settings
            self.db.commit()
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not a mediavet ledger ({exc})") from None
        self.pending: list[tuple] = []
        self.flushed = time.monotonic()

    def lookup(self, path) -> Row | None:
        """This input's row, if the file is unchanged since: same size and time, or failing
        that, the same bytes (a copied or touched file)."""
        key, stat = _key(path), _stat(path)
        if stat is None:
            return None
        found = self.db.execute("SELECT size, mtime_ns, sha256, status, summary, result, seen_ns FROM files "
                                "WHERE operation = ? AND settings = ? AND path = ?",
                                (self.operation, self.key, key)).fetchone()
        if found is None:
            return None
        size, mtime_ns, sha256, status, summary, result, seen_ns = found
        # a time within RACY of when the row was written proves nothing: file times are coarse
        # (a file rewritten in the same tick keeps its time), so then the bytes decide
        if (size, mtime_ns) != stat or seen_ns - mtime_ns < RACY_NS:
            if sha256 is None or size != stat[0] or sha256_of(path) != sha256:
                return None
            self.db.execute("UPDATE files SET mtime_ns = ?, seen_ns = ? WHERE operation = ? AND settings = ? AND "
                            "path = ?", (stat[1], time.time_ns(), self.operation, self.key, key))
        return Row(key, sha256, status, summary, json.loads(result))

    def latest(self, path) -> dict | None:
        """The result last recorded as done for this input, whatever the settings then (a copy
        made with other settings, or another plan, that a new copy replaces)."""
        found = self.db.execute("SELECT result FROM files WHERE operation = ? AND path = ? AND status = ? "
                                "ORDER BY seen_ns DESC LIMIT 1", (self.operation, _key(path), DONE)).fetchone()
        return None if found is None else json.loads(found[0])

    def by_sha256(self, sha256: str) -> Row | None:
        """A row of the same bytes under another path (a renamed input)."""
        found = self.db.execute("SELECT path, status, summary, result FROM files WHERE operation = ? AND settings = ? "
                                "AND sha256 = ? AND status = ? LIMIT 1",
                                (self.operation, self.key, sha256, DONE)).fetchone()
        return None if found is None else Row(found[0], sha256, found[1], found[2], json.loads(found[3]))

    def record(self, path, status: str, sha256: str | None, summary: str, result: dict, now: bool = False) -> None:
        """Keep this result; `now`: committed before this returns (else with the next batch)."""
        stat = _stat(path) or (None, None)
        if sha256 is None and stat[0] is not None:  # a file that failed before it was read: its bytes still tell a change
            sha256 = sha256_of(path)
        self.pending.append((self.operation, self.key, _key(path), stat[0], stat[1], sha256, status, summary[:300],
                             json.dumps(result, default=str),  # key order kept: reports come back as written
                             datetime.now(timezone.utc).replace(microsecond=0).isoformat(), time.time_ns()))
        if now or len(self.pending) >= FLUSH_ROWS or time.monotonic() - self.flushed > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.pending)
            self.pending = []
        self.flushed = time.monotonic()

    def close(self) -> None:
        self.flush()
        self.db.close()


def is_ledger(path) -> bool:
    try:
        db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
        try:
            return db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return False


def sha256_of(path) -> str | None:
    """The file's sha256; None when it is missing, unreadable or not a regular file (a FIFO
    would block)."""
    if _stat(path) is None:
        return None
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def _key(path) -> str:
    return str(Path(path).resolve())


def _stat(path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns) if kinds.S_ISREG(stat.st_mode) else None  # a FIFO is never read
