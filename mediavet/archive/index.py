"""The archive index: fingerprints of pictures seen before, in one SQLite file.

It stores hashes, keypoint signatures, sha256, a label, source notes, the date added and
optionally the original path, never pixels. A lookup loads each hash kind once per process
into a `BinaryIndex` (vectorised radius search) and the keypoint descriptors into one array;
candidates from either layer are confirmed geometrically when both sides have keypoints.

A file that is not a mediavet index is refused, never recreated or overwritten.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from mediavet.archive import keypoints
from mediavet.archive.hashing import PDQ_MIN_QUALITY, THRESHOLDS, Fingerprint, PerceptualHash

APPLICATION_ID = 0x6D766574  # "mvet": marks a SQLite file as ours
SCHEMA_VERSION = 2  # 2: items.at, the second of a video keyframe
MIN_VOTES = 8  # descriptor agreements before an entry is worth a geometric check
FIT_MARGIN = 0.05  # views that frame a match within this much of each other: the tighter one tells where

_SCHEMA = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    sha256 TEXT,
    pixels TEXT,
    label TEXT NOT NULL DEFAULT '',
    source TEXT,
    path TEXT,
    added TEXT NOT NULL,
    at REAL
);
CREATE INDEX items_sha256 ON items (sha256);
CREATE INDEX items_label ON items (label);
CREATE INDEX items_pixels ON items (pixels);
CREATE TABLE hashes (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    algo TEXT NOT NULL,
    bits INTEGER NOT NULL,
    value BLOB NOT NULL,
    quality INTEGER
);
CREATE INDEX hashes_item ON hashes (item_id);
CREATE TABLE keypoints (
    item_id INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    xy BLOB NOT NULL,
    descriptors BLOB NOT NULL
);
"""


class IndexUnusable(Exception):
    """The index file cannot be used (foreign, corrupt, newer schema)."""


def now_text() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Match:
    item: int
    label: str
    path: str | None
    sha256: str | None
    added: str
    algo: str  # the hash kind that matched, or "orb" when only the keypoints did
    distance: int | None  # Hamming distance for hashes; None for keypoint-only matches
    threshold: int | None
    inliers: int | None = None  # keypoints agreeing on one geometric transform, when checked
    at: float | None = None  # the entry's second, when it is a video keyframe
    region: tuple[int, int, int, int] | None = None  # where in the looked-up picture the entry appears (x, y, w, h)
    fit: float | None = None  # how well the view it was found in frames it (1: exactly)

    @property
    def score(self) -> float:
        """1.0 for identical hashes or a strong geometric match, falling towards 0 at the thresholds."""
        hash_score = 0.0 if self.distance is None else max(0.0, 1.0 - self.distance / (self.threshold + 1))
        keypoint_score = 0.0 if not self.inliers else min(1.0, self.inliers / (4 * keypoints.MIN_INLIERS))
        return round(max(hash_score, keypoint_score), 3)

    def merged(self, other: "Match") -> "Match":
        """One answer for an entry that two views of a picture found: the stronger one's
        evidence, and the region of the view that frames the entry clearly better (FIT_MARGIN),
        else the tighter one."""
        strong = self if (self.score, self.inliers or 0) >= (other.score, other.inliers or 0) else other
        if abs((self.fit or 0) - (other.fit or 0)) > FIT_MARGIN:
            framing = self if (self.fit or 0) > (other.fit or 0) else other
        else:
            framing = min((self, other), key=lambda m: m.region[2] * m.region[3] if m.region else float("inf"))
        return replace(strong, region=framing.region, fit=framing.fit)

    def to_json(self) -> dict:
        return {"label": self.label, "path": self.path, "sha256": self.sha256, "algo": self.algo,
                "distance": self.distance, "threshold": self.threshold, "inliers": self.inliers,
                "score": self.score, "added": self.added, "at": self.at,
                "region": list(self.region) if self.region else None}


class HashIndex:
    def __init__(self, path: str | Path, create: bool = True):
        self.path = Path(path)
        existed = self.path.exists() and self.path.stat().st_size > 0
        if not existed and not create:
            raise IndexUnusable(f"{self.path}: no index here (add pictures to it first)")
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
        self._hash_layers: dict[tuple[str, int], tuple] = {}
        self._keypoint_layer = None

    def _check_ours(self) -> None:
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise IndexUnusable(f"{self.path}: is a SQLite file but not a mediavet index; refusing to touch it")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise IndexUnusable(f"{self.path}: made by a newer mediavet (schema {version}); upgrade mediavet")
        if version == 1:  # an upgrade in place: one new column, nothing else touched
            with self.db:
                self.db.execute("ALTER TABLE items ADD COLUMN at REAL")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.db.execute("SELECT id, sha256, pixels, label, source, path, added, at FROM items LIMIT 1").fetchall()

    def _create(self) -> None:
        """Create the schema under an exclusive lock: when two processes create the same new
        index at once, one creates it and the other, once the lock is free, finds it made."""
        self.db.isolation_level = None  # our own transaction (executescript would commit early)
        self.db.execute("BEGIN EXCLUSIVE")
        try:
            made = self.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            if not made:
                if self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise IndexUnusable(f"{self.path}: is a SQLite file but not a mediavet index; refusing to touch it")
                for statement in (part for part in _SCHEMA.split(";") if part.strip()):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        finally:
            self.db.isolation_level = ""
        if made:
            self._check_ours()

    def close(self) -> None:
        self.db.close()

    def _changed(self) -> None:
        self._hash_layers.clear()
        self._keypoint_layer = None

    # -- writing ---------------------------------------------------------------------------

    def add(self, sha256: str | None, fingerprint: Fingerprint, label: str = "", source: str | None = None,
            path: str | None = None, added: str | None = None, pixels: str | None = None,
            at: float | None = None) -> int:
        """One archive entry; `pixels` is a digest of the decoded pixels (see archive.pixel_digest),
        `at` the second of a video's keyframe."""
        with self.db:
            item = self.db.execute(
                "INSERT INTO items (sha256, pixels, label, source, path, added, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (sha256, pixels, label, source, path, added or now_text(), at)).lastrowid
            self._insert_hashes(item, fingerprint.hashes)
            if fingerprint.signatures and len(fingerprint.signatures[0]):
                signature = fingerprint.signatures[0]
                self.db.execute("INSERT INTO keypoints (item_id, width, height, xy, descriptors) VALUES (?, ?, ?, ?, ?)",
                                (item, *signature.size, *signature.to_blobs()))
        self._changed()
        return item

    def add_hash_list(self, entries, source: str | None = None, added: str | None = None) -> int:
        """Entries (PerceptualHash, label) shared by someone else: one item per hash, no sha256.
        All in one transaction, so a million lines take seconds."""
        added = added or now_text()
        count = 0
        with self.db:
            next_id = (self.db.execute("SELECT MAX(id) FROM items").fetchone()[0] or 0) + 1
            batch_items, batch_hashes = [], []
            for value, label in entries:
                item = next_id + count
                batch_items.append((item, label, source, added))
                batch_hashes.append((item, value.algo, value.bits, _blob(value), value.quality))
                count += 1
                if len(batch_items) >= 50_000:
                    self._flush(batch_items, batch_hashes)
            self._flush(batch_items, batch_hashes)
        self._changed()
        return count

    def _flush(self, items: list, hashes: list) -> None:
        self.db.executemany("INSERT INTO items (id, label, source, added) VALUES (?, ?, ?, ?)", items)
        self.db.executemany("INSERT INTO hashes (item_id, algo, bits, value, quality) VALUES (?, ?, ?, ?, ?)", hashes)
        items.clear()
        hashes.clear()

    def _insert_hashes(self, item: int, hashes) -> None:
        self.db.executemany("INSERT INTO hashes (item_id, algo, bits, value, quality) VALUES (?, ?, ?, ?, ?)",
                            [(item, h.algo, h.bits, _blob(h), h.quality) for h in hashes])

    def remove(self, sha256: str | None = None, label: str | None = None) -> int:
        """Delete the entries with this sha256 or this label; returns how many went."""
        column, value = ("sha256", sha256) if sha256 is not None else ("label", label)
        with self.db:
            removed = self.db.execute(f"DELETE FROM items WHERE {column} = ?", (value,)).rowcount
        self._changed()
        return removed

    # -- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM items").fetchone()[0]

    def stats(self) -> dict:
        hashes = {f"{algo}:{bits}": n for algo, bits, n in self.db.execute(
            "SELECT algo, bits, COUNT(*) FROM hashes GROUP BY algo, bits ORDER BY algo, bits")}
        first, last = self.db.execute("SELECT MIN(added), MAX(added) FROM items").fetchone()
        sources = {source or "": n for source, n in self.db.execute(
            "SELECT source, COUNT(*) FROM items GROUP BY source ORDER BY COUNT(*) DESC, source LIMIT 20")}
        return {"path": str(self.path), "items": self.count(), "hashes": hashes,
                "with_keypoints": self.db.execute("SELECT COUNT(*) FROM keypoints").fetchone()[0],
                "low_quality": self.db.execute(
                    "SELECT COUNT(*) FROM hashes WHERE algo = 'pdq' AND quality < 50").fetchone()[0],
                "first_added": first, "last_added": last, "sources": sources,
                "bytes": self.path.stat().st_size}

    def quality(self, item: int) -> int | None:
        row = self.db.execute("SELECT quality FROM hashes WHERE item_id = ? AND algo = 'pdq'", (item,)).fetchone()
        return row[0] if row else None

    def exact(self, sha256: str, pixels: str | None = None) -> list[dict]:
        """Entries with the same bytes, or (when `pixels` is given) the same decoded pixels; a
        video's keyframes count once."""
        rows = self.db.execute(
            "SELECT label, path, added, sha256 = ?, sha256 FROM items WHERE sha256 = ? OR (pixels IS NOT NULL "
            "AND pixels = ?) GROUP BY label, path, added, sha256 ORDER BY MIN(id)", (sha256, sha256, pixels))
        return [{"label": label, "path": path, "added": added, "same": "bytes" if same_bytes else "pixels",
                 "sha256": digest} for label, path, added, same_bytes, digest in rows]

    def export(self):
        """(PerceptualHash, label) for every stored hash, oldest first. Keypoints are not a
        shareable list and stay home."""
        for algo, bits, value, label in self.db.execute(
                "SELECT h.algo, h.bits, h.value, i.label FROM hashes h JOIN items i ON i.id = h.item_id "
                "ORDER BY h.item_id, h.algo"):
            yield PerceptualHash(algo, bits, int.from_bytes(value, "big")), label

    def _hash_layer(self, algo: str, bits: int):
        """(item ids, BinaryIndex) for one hash kind, read in chunks so a million rows stay small."""
        import numpy as np

        from mediavet.archive.hamming import BinaryIndex

        if (algo, bits) not in self._hash_layers:
            trusted = "algo = ? AND bits = ? AND (quality IS NULL OR quality >= ?)"  # near-flat pictures are not
            key = (algo, bits, PDQ_MIN_QUALITY)
            total = self.db.execute(f"SELECT COUNT(*) FROM hashes WHERE {trusted}", key).fetchone()[0]
            width = bits // 8
            ids = np.empty(total, dtype=np.int64)
            packed = np.empty((total, width), dtype=np.uint8)
            cursor = self.db.execute(f"SELECT item_id, value FROM hashes WHERE {trusted}", key)
            row = 0
            while chunk := cursor.fetchmany(65_536):
                ids[row:row + len(chunk)] = [item for item, _ in chunk]
                packed[row:row + len(chunk)] = np.frombuffer(b"".join(v for _, v in chunk),
                                                             dtype=np.uint8).reshape(-1, width)
                row += len(chunk)
            self._hash_layers[algo, bits] = (ids[:row], BinaryIndex(packed[:row]))
        return self._hash_layers[algo, bits]

    def _keypoints_layer(self):
        """(owner item per descriptor, all descriptors, signature per item)."""
        import numpy as np

        if self._keypoint_layer is None:
            signatures = {item: keypoints.Signature.from_blobs(xy, desc, width, height)
                          for item, width, height, xy, desc in self.db.execute(
                              "SELECT item_id, width, height, xy, descriptors FROM keypoints ORDER BY item_id")}
            owners = np.concatenate([np.full(len(s), item) for item, s in signatures.items()] or [np.zeros(0)])
            descriptors = np.vstack([s.descriptors for s in signatures.values()] or [np.zeros((0, 32), np.uint8)])
            self._keypoint_layer = (owners.astype(np.int64), descriptors, signatures)
        return self._keypoint_layer

    def signature(self, item: int):
        return self._keypoints_layer()[2].get(item)

    def query(self, fingerprint: Fingerprint, max_distance: int | None = None) -> list[Match]:
        """Entries that look like the picture, best first, one per entry.

        An entry matches when one of its hashes is within the threshold of one of the
        fingerprint's hashes of the same kind, or when its keypoints agree geometrically
        with the picture's. When both sides have keypoints, hash matches are checked too:
        the inlier count becomes evidence, and a hash match the geometry flatly contradicts
        is dropped.
        """
        hits = self._hash_hits(fingerprint.hashes, max_distance)
        confirmed = self._keypoint_hits(fingerprint.signatures)
        for item in list(hits):
            if item in confirmed:
                continue
            stored = self.signature(item)
            if stored is None or not fingerprint.signatures:
                continue
            best = max((keypoints.agreement(stored, query) + (number,)
                        for number, query in enumerate(fingerprint.signatures)), key=lambda found: found[0])
            if best[0] >= keypoints.MIN_INLIERS:
                confirmed[item] = best
            elif _contradicts(stored, fingerprint.signatures[0], best[0]):
                del hits[item]
        matches = []
        for item in set(hits) | set(confirmed):
            label, path, sha256, added, at = self.db.execute(
                "SELECT label, path, sha256, added, at FROM items WHERE id = ?", (item,)).fetchone()
            distance, algo, threshold = hits.get(item, (None, "orb", None))
            count, transform, number = confirmed.get(item, (None, None, 0))
            region, fit = _seen_at(self.signature(item), fingerprint, transform, number) if transform is not None \
                else (fingerprint.region, 1.0)
            if fit is not None and fingerprint.divided:  # a row of tiles, the whole screenshot: where the
                fit /= 2  # match lies only when no single picture frames it
            matches.append(Match(item, label, path, sha256, added, algo, distance, threshold, count, at, region, fit))
        return sorted(matches, key=lambda m: (-m.score, -(m.inliers or 0), m.distance or 0, m.added, m.item))

    def _hash_hits(self, hashes, max_distance) -> dict[int, tuple[int, str, int]]:
        import numpy as np

        best: dict[int, tuple[int, str, int]] = {}
        for wanted in hashes:
            if not wanted.trusted:
                continue
            ids, layer = self._hash_layer(wanted.algo, wanted.bits)
            if not len(ids):
                continue
            threshold = THRESHOLDS[wanted.algo] if max_distance is None else max_distance
            rows, distances = layer.search(np.frombuffer(_blob(wanted), dtype=np.uint8), threshold)
            for row, distance in zip(rows.tolist(), distances.tolist()):
                item = int(ids[row])
                # rank across hash kinds by the fraction of the threshold used
                if item not in best or distance / (threshold + 1) < best[item][0] / (best[item][2] + 1):
                    best[item] = (distance, wanted.algo, threshold)
        return best

    def _keypoint_hits(self, signatures) -> dict[int, tuple]:
        """Entries whose stored keypoints agree geometrically with one of the query signatures:
        (inliers, transform, which signature) per entry."""
        owners, descriptors, stored = self._keypoints_layer()
        confirmed: dict[int, tuple] = {}
        if not len(descriptors) or not signatures:
            return confirmed
        import cv2
        import numpy as np

        matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
        for number, query in enumerate(signatures):
            if len(query) < 3:
                continue
            pairs_by_item: dict[int, list[tuple[int, int]]] = {}
            starts = {}
            for m in matcher.match(query.descriptors, descriptors):
                if m.distance > keypoints.MAX_DESCRIPTOR_DISTANCE:
                    continue
                item = int(owners[m.trainIdx])
                if item not in starts:
                    starts[item] = int(np.searchsorted(owners, item))
                pairs_by_item.setdefault(item, []).append((m.trainIdx - starts[item], m.queryIdx))
            for item, pairs in pairs_by_item.items():
                if len(pairs) < MIN_VOTES:
                    continue
                count, transform = keypoints.agreement(stored[item], query, pairs)
                # promising yet short (look-alike entries took some of its pairs), or many votes that a
                # similarity hardly explains (a steep angle): pair it alone, a perspective allowed when tilted
                tilted = len(pairs) >= keypoints.PERSPECTIVE_VOTES
                if count < keypoints.MIN_INLIERS and (count >= keypoints.PERSPECTIVE_FROM or tilted):
                    count, transform = keypoints.agreement(stored[item], query, tilted=tilted)
                if count >= keypoints.MIN_INLIERS and count > confirmed.get(item, (0,))[0]:
                    confirmed[item] = (count, transform, number)
        return confirmed


def _seen_at(stored, fingerprint: Fingerprint, transform, number: int) -> tuple:
    """(box, fit): the box, in the looked-up picture's pixels, where the stored picture lands
    under the keypoints' transform, cut to the view it was found in (a collage's tile shows a
    crop of it; the second signature is of the mirror image), and how well the view frames it
    (intersection over union of the uncut box and the view: the view to report is the one that
    frames it best, the tile rather than the whole collage or a patch inside the picture)."""
    if fingerprint.region is None or stored is None:
        return fingerprint.region, None
    corners = keypoints.corners_in(transform, stored.size)
    if corners is None:
        return fingerprint.region, None
    query = fingerprint.signatures[number]
    x, y, w, h = fingerprint.region
    fx, fy = w / query.size[0], h / query.size[1]
    xs, ys = corners[:, 0], corners[:, 1]
    if number == 1:  # mirrored: x runs the other way
        xs = query.size[0] - xs
    seen = (x + xs.min() * fx, y + ys.min() * fy, (xs.max() - xs.min()) * fx, (ys.max() - ys.min()) * fy)
    left, top = max(seen[0], x), max(seen[1], y)
    right, bottom = min(seen[0] + seen[2], x + w), min(seen[1] + seen[3], y + h)
    if right <= left or bottom <= top:
        return fingerprint.region, 0.0
    fit = (right - left) * (bottom - top) / (seen[2] * seen[3] + w * h - (right - left) * (bottom - top))
    return (round(left), round(top), max(1, round(right - left)), max(1, round(bottom - top))), round(fit, 3)


def _contradicts(stored, query, inliers: int) -> bool:
    """Both pictures are rich in keypoints, yet almost none agree: not the same picture,
    whatever a global hash says (flat layouts such as two different documents)."""
    rich = keypoints.STORED // 2
    return len(stored) >= rich and len(query) >= rich and inliers < keypoints.MIN_INLIERS // 2


def _blob(value: PerceptualHash) -> bytes:
    return value.value.to_bytes(value.bits // 8, "big")
