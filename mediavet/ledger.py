"""What a redaction run already did into an output folder, so that running it again does only
what is new: an interrupted batch resumes, and a repeated one writes nothing twice.

The ledger names originals (by sha256) beside their copies, so it never lives in the output
folder (a shared folder holds nothing but copies): it is a small SQLite file in the user data
directory, one per output folder. An entry counts only while its copy is still in the folder
with the same sha256, and only for the same settings.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path


def ledger_path(outdir: Path) -> Path:
    from mediavet.archive import index_path

    folder = index_path().parent / "ledgers"
    return folder / f"{hashlib.sha256(str(Path(outdir).resolve()).encode()).hexdigest()[:24]}.db"


def settings_key(options) -> str:
    """The settings a copy depends on (what is found, how it is covered and encoded)."""
    protect = options.protect
    chosen = {"quality": options.quality, "format": options.heif_format, "all_frames": options.all_frames,
              "crf": options.crf, "keep_audio": options.keep_audio, "sensor": options.sensor, "kinds": list(protect.kinds),
              "min_scores": protect.min_scores, "margins": {k: list(v) for k, v in protect.margins.items()},
              "action": protect.action, "shape": protect.shape, "manual": [list(b) for b in protect.manual],
              "turned": protect.turned, "strict": protect.strict, "plan": options.plan is not None}
    return hashlib.sha256(json.dumps(chosen, sort_keys=True, default=str).encode()).hexdigest()


class Ledger:
    def __init__(self, outdir: Path, key: str, path: Path | None = None):
        self.outdir, self.key = Path(outdir), key
        self.path = path or ledger_path(outdir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30)
        self.db.execute("CREATE TABLE IF NOT EXISTS done (input_sha256 TEXT, settings TEXT, copy TEXT, "
                        "copy_sha256 TEXT, at TEXT, PRIMARY KEY (input_sha256, settings))")
        self.db.commit()

    def copy_of(self, input_sha256: str) -> str | None:
        """The name of this input's copy made with these settings, if it is still there unchanged."""
        row = self.db.execute("SELECT copy, copy_sha256 FROM done WHERE input_sha256 = ? AND settings = ?",
                              (input_sha256, self.key)).fetchone()
        if row is None:
            return None
        copy = self.outdir / row[0]
        try:
            with open(copy, "rb") as handle:
                if hashlib.file_digest(handle, "sha256").hexdigest() == row[1]:
                    return row[0]
        except OSError:
            pass
        return None

    def record(self, input_sha256: str, copy: Path, copy_sha256: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO done VALUES (?, ?, ?, ?, ?)",
                        (input_sha256, self.key, Path(copy).name, copy_sha256,
                         datetime.now(timezone.utc).replace(microsecond=0).isoformat()))
        self.db.commit()

    def close(self) -> None:
        self.db.close()
