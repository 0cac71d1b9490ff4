"""The archive index: perceptual hashes of pictures seen before, in one SQLite file.

It stores hashes, sha256, a label, source notes, the date added and optionally the original
path, never pixels. Searching loads each algorithm's hashes once into a packed numpy array
and computes all Hamming distances in one vectorised pass.

A file that is not a mediavet index is refused, never recreated or overwritten.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from mediavet.hashing import THRESHOLDS, PerceptualHash

APPLICATION_ID = 0x6D766574  # "mvet": marks a SQLite file as ours
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    source TEXT,
    path TEXT,
    added TEXT NOT NULL
);
CREATE INDEX items_sha256 ON items (sha256);
CREATE TABLE hashes (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    algo TEXT NOT NULL,
    bits INTEGER NOT NULL,
    value BLOB NOT NULL,
    quality INTEGER
);
CREATE INDEX hashes_algo ON hashes (algo, bits);
"""


class IndexUnusable(Exception):
    """The index file cannot be used (foreign, corrupt, newer schema)."""


@dataclass(frozen=True)
class Match:
    label: str
    path: str | None
    sha256: str
    algo: str
    distance: int
    threshold: int
    added: str

    @property
    def score(self) -> float:
        """1.0 for identical hashes, falling to 0.0 at the threshold."""
        return round(max(0.0, 1.0 - self.distance / (self.threshold + 1)), 3)

    def to_json(self) -> dict:
        return {"label": self.label, "path": self.path, "sha256": self.sha256, "algo": self.algo,
                "distance": self.distance, "score": self.score, "added": self.added}


class HashIndex:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self.db = sqlite3.connect(self.path, timeout=30)
            self.db.execute("PRAGMA foreign_keys = ON")
            if existed:
                self._check_ours()
            else:
                self._create()
            self.db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise IndexUnusable(f"{self.path}: not a usable mediavet index ({exc})") from None
        self._arrays: dict[tuple[str, int], tuple] = {}

    def _check_ours(self) -> None:
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise IndexUnusable(f"{self.path}: is a SQLite file but not a mediavet index; refusing to touch it")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise IndexUnusable(f"{self.path}: made by a newer mediavet (schema {version}); upgrade mediavet")

    def _create(self) -> None:
        with self.db:
            self.db.executescript(_SCHEMA)
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def add(self, sha256: str, hashes: list[PerceptualHash], label: str = "", source: str | None = None,
            path: str | None = None, added: str | None = None) -> int:
        added = added or datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        with self.db:
            item = self.db.execute("INSERT INTO items (sha256, label, source, path, added) VALUES (?, ?, ?, ?, ?)",
                                   (sha256, label, source, path, added)).lastrowid
            self.db.executemany(
                "INSERT INTO hashes (item_id, algo, bits, value, quality) VALUES (?, ?, ?, ?, ?)",
                [(item, h.algo, h.bits, h.value.to_bytes(h.bits // 8, "big"), h.quality) for h in hashes])
        self._arrays.clear()
        return item

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]

    def exact(self, sha256: str) -> list[dict]:
        rows = self.db.execute("SELECT label, path, added FROM items WHERE sha256 = ? ORDER BY id", (sha256,))
        return [{"label": label, "path": path, "added": added} for label, path, added in rows]

    def _array(self, algo: str, bits: int):
        """(item ids, packed hashes as an (n, bits/8) uint8 array), loaded once per process."""
        import numpy as np

        key = (algo, bits)
        if key not in self._arrays:
            rows = self.db.execute("SELECT item_id, value FROM hashes WHERE algo = ? AND bits = ? ORDER BY item_id",
                                   key).fetchall()
            ids = np.array([row[0] for row in rows], dtype=np.int64)
            packed = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.uint8).reshape(len(rows), bits // 8)
            self._arrays[key] = (ids, packed)
        return self._arrays[key]

    def query(self, hashes: list[PerceptualHash], max_distance: int | None = None) -> list[Match]:
        """Items whose hash of any given kind is within the threshold, best first, one row per item."""
        import numpy as np

        best: dict[int, tuple[int, str, int]] = {}
        for wanted in hashes:
            ids, packed = self._array(wanted.algo, wanted.bits)
            if not len(ids):
                continue
            threshold = THRESHOLDS[wanted.algo] if max_distance is None else max_distance
            probe = np.frombuffer(wanted.value.to_bytes(wanted.bits // 8, "big"), dtype=np.uint8)
            distances = np.unpackbits(packed ^ probe, axis=1).sum(axis=1)
            for position in np.nonzero(distances <= threshold)[0]:
                item, distance = int(ids[position]), int(distances[position])
                # rank across algorithms by the fraction of the threshold used
                if item not in best or distance / (threshold + 1) < best[item][0] / (best[item][2] + 1):
                    best[item] = (distance, wanted.algo, threshold)
        matches = []
        for item, (distance, algo, threshold) in best.items():
            label, path, sha256, added = self.db.execute(
                "SELECT label, path, sha256, added FROM items WHERE id = ?", (item,)).fetchone()
            matches.append(Match(label, path, sha256, algo, distance, threshold, added))
        return sorted(matches, key=lambda m: (-m.score, m.distance, m.added, m.sha256))
