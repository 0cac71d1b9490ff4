"""The operations a job runs. Each says what a worker does with one file (`work`, a function
that never raises for a bad file), what the driver then does with the result in input order
(`finish`: name and place a copy, insert into the archive), and what of the result the
ledger keeps and how it comes back (`status`, `summary`, `to_json`, `from_ledger`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from pathlib import Path

from mediavet.jobs.ledger import DONE, FAILED, REFUSED


class Operation:
    name = ""
    heavy = False  # whole-image work (models): handed to workers one file at a time
    by_content = False  # also resume a file the ledger knows under another path (same sha256)
    path_field = "path"  # the result's attribute that names its input
    durable = False  # each result committed to the ledger before the driver acts on it (else in batches)

    def settings(self) -> dict:
        """What a result depends on: a changed setting redoes the file."""
        raise NotImplementedError

    def work(self, engine) -> tuple:
        """(function, keyword arguments) a worker calls with one path."""
        raise NotImplementedError

    def lost(self, path, why: str):
        raise NotImplementedError

    def inline(self, path, engine):
        """A function that does this file's work here, in the driver, or None (workers do it)."""
        return None

    def redo(self, path, earlier: dict | None) -> None:
        """This file is done again; `earlier` is what the ledger last recorded for it as done
        (under any settings), or None."""

    def finish(self, result, record):
        """In the driver, in input order: whatever the result still needs here; `record(value)`
        keeps it in the ledger."""
        record(result)
        return result

    def status(self, result) -> str | None:
        """done, failed or refused, for the ledger; None: not recorded (it says nothing about
        the input, so a later run does it again)."""
        raise NotImplementedError

    def summary(self, result) -> str:
        return self.status(result)

    def sha256(self, result) -> str | None:
        return None

    def to_json(self, result) -> dict:
        return result.to_json()

    def from_ledger(self, row, path: str):
        """The result an earlier run recorded, as this run reports it; None: do it again."""
        raise NotImplementedError


def _version() -> str:
    from mediavet import __version__

    return __version__


class Verify(Operation):
    """`mediavet verify`: a FileReport per file."""

    name = "verify"

    def __init__(self, options, now_fixed: bool = True):
        self.options, self.now_fixed = options, now_fixed

    def settings(self) -> dict:
        chosen = {f.name: getattr(self.options, f.name) for f in fields(self.options)}
        if not self.now_fixed:  # "now" is the clock: a resumed run keeps the first run's reports
            del chosen["now"]
        return {"mediavet": _version(), **chosen}

    def work(self, engine) -> tuple:
        from mediavet.verify import verify_file

        return verify_file, {"options": self.options}

    @property
    def heavy(self) -> bool:
        return self.options.forensics

    def lost(self, path, why: str):
        from mediavet.verify import FileReport

        return FileReport(path=str(path), error={"kind": "lost", "message": why})

    def status(self, result) -> str:
        return FAILED if result.error else DONE

    def summary(self, result) -> str:
        from mediavet.report.summary import verdict

        return verdict(result)

    def sha256(self, result) -> str | None:
        return result.sha256

    def from_ledger(self, row, path: str):
        from mediavet.verify import FileReport

        report = FileReport.from_json(row.result)
        report.path = path
        return report


class Audit(Verify):
    """`mediavet audit`: the verify envelope, the audit's findings."""

    name = "audit"

    def __init__(self, max_pixels: int):
        self.max_pixels = max_pixels

    def settings(self) -> dict:
        return {"mediavet": _version(), "max_pixels": self.max_pixels}

    def work(self, engine) -> tuple:
        from mediavet.redact.audit import audit_file

        return audit_file, {"max_pixels": self.max_pixels}

    heavy = False


class Plan(Operation):
    """`mediavet redact --plan-only`: the regions of each file, nothing written."""

    name = "plan"
    heavy = True
    path_field = "input"

    def __init__(self, options):
        self.options = options

    def settings(self) -> dict:
        return {"mediavet": _version(), **redaction_settings(self.options)}

    def work(self, engine) -> tuple:
        from mediavet.redact import plan_file

        return plan_file, {"options": self.options}

    def lost(self, path, why: str):
        from mediavet.redact import ERROR, Outcome

        return Outcome(input=str(path), status=ERROR, message=why)

    def status(self, result) -> str:
        from mediavet.redact import PLANNED

        return DONE if result.status == PLANNED else FAILED

    def from_ledger(self, row, path: str):
        return None  # a plan is always made afresh


class Redact(Plan):
    """`mediavet redact`: a proven-clean copy per file, named in input order by the driver."""

    name = "redact"
    by_content = True
    durable = True

    def __init__(self, options, outdir: Path, namer):
        self.options, self.outdir, self.namer = options, Path(outdir), namer
        self.unplaced: set[str] = set()  # proven copies that found their name taken: OUTDIR's doing, not the input's
        self.replaces: dict[str, Path] = {}  # input -> its copy from an earlier run that the new copy takes over

    def work(self, engine) -> tuple:
        from mediavet.redact import remote_copy, safe_copy

        if engine.remote:
            return remote_copy, {"options": self.options}
        return safe_copy, {"outdir": self.outdir, "options": self.options}

    def inline(self, path, engine):
        """A clip, when the workers are local: here, one at a time, with a frame counter."""
        if engine.remote:
            return None
        from mediavet.redact.names import extension_for

        if extension_for(Path(path), None) != ".mp4":
            return None

        def copy_clip():
            from mediavet.redact import safe_copy
            from mediavet.report.progress import frame_progress

            with frame_progress(Path(path)) as tick:
                return safe_copy(path, self.outdir, self.options, on_frame=tick)
        return copy_clip

    def finish(self, result, record):
        """The copy gets its name. The ledger learns it first (committed): a run killed between
        the two finds the name missing and makes the copy again under the same name."""
        from dataclasses import replace

        from mediavet.redact import PENDING, WRITTEN, place, receive

        if result.status == PENDING and result.data is not None:
            receive(result, self.outdir)
        earlier = self.replaces.pop(result.input, None)
        if result.status != PENDING:
            if earlier is not None:  # made under settings or a plan that no longer hold: it goes too
                earlier.unlink(missing_ok=True)
                result.message += f"; the copy an earlier run made of it ({earlier.name}) was removed"
            record(result)
            return result
        if earlier is not None and earlier.suffix == result.extension:
            target = earlier  # the same name: the copy made with the old settings or plan goes
        else:
            target = self.namer.name(Path(result.input), result.extension)
        record(replace(result, status=WRITTEN, output=str(target)))
        place(result, target, self.options.overwrite or target == earlier)
        if earlier is not None and target != earlier:
            earlier.unlink(missing_ok=True)
        if result.status != WRITTEN:
            self.unplaced.add(result.input)
        return result

    def status(self, result) -> str | None:
        from mediavet.redact import ERROR, REFUSED as COPY_REFUSED, UNCHANGED, WRITTEN

        if result.input in self.unplaced:
            return None
        return {WRITTEN: DONE, UNCHANGED: DONE, COPY_REFUSED: REFUSED, ERROR: FAILED}.get(result.status, FAILED)

    def redo(self, path, earlier: dict | None) -> None:
        """An earlier run's copy of this input that is still in OUTDIR, unchanged (ours, by its
        sha256), is replaced by the new copy under its name: a rerun with other settings or an
        edited plan leaves one copy per input, never the old one beside the new."""
        copy = self._kept_copy(earlier or {})
        if copy is not None:
            self.replaces[str(path)] = copy
            self.namer.taken.add(copy.name)

    def _kept_copy(self, recorded: dict) -> Path | None:
        """The copy a ledger row names, while it is still in OUTDIR with the bytes the row
        proved (ours, unchanged); else None."""
        from mediavet.jobs.ledger import sha256_of

        if not recorded.get("output"):
            return None
        copy = self.outdir / recorded["output"]
        return copy if sha256_of(copy) == recorded.get("output_sha256") else None

    def summary(self, result) -> str:
        return f"{result.status}: {Path(result.output).name}" if result.output else f"{result.status}: {result.message}"

    def sha256(self, result) -> str | None:
        return result.input_sha256

    def to_json(self, result) -> dict:
        made = {**result.to_json(), "output": Path(result.output).name if result.output else None}
        return made | ({"plan_entry": self._planned(result.input)} if self.options.plan is not None else {})

    def _planned(self, path) -> str | None:
        """A digest of the plan's entry for this file (its regions as the reviewer left them):
        an edited entry redoes its copy, the others stay."""
        import hashlib
        import json

        entry = self.options.plan.get(str(Path(path).resolve()))
        if entry is None:
            return None
        regions = [r.to_json() for r in entry["regions"]] + [r.to_json() for r in entry["decided"]]
        text = json.dumps([entry["sha256"], list(entry["size"]), regions], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def from_ledger(self, row, path: str):
        """A copy an earlier run made counts while it is still in OUTDIR, unchanged; a refusal
        or an error is reported again (--retry-failed tries it again)."""
        from mediavet.redact import UNCHANGED, Outcome

        if self.options.plan is not None and row.result.get("plan_entry") != self._planned(path):
            return None  # the plan says something else for this file now
        kept = {k: v for k, v in row.result.items() if k in {f.name for f in fields(Outcome)}}
        outcome = Outcome(**{**kept, "input": path})
        if row.status != DONE:
            return outcome
        copy = self._kept_copy(row.result)
        if copy is None:
            return None
        self.namer.taken.add(copy.name)
        outcome.status, outcome.output = UNCHANGED, str(copy)
        outcome.message = "copied by an earlier run with the same settings"
        return outcome


def redaction_settings(options) -> dict:
    """The settings a copy depends on (what is found, how it is covered and encoded)."""
    protect = options.protect
    return {"quality": options.quality, "format": options.heif_format, "all_frames": options.all_frames,
            "crf": options.crf, "keep_audio": options.keep_audio, "sensor": options.sensor, "kinds": list(protect.kinds),
            "min_scores": protect.min_scores, "margins": {k: list(v) for k, v in protect.margins.items()},
            "action": protect.action, "shape": protect.shape, "manual": [list(b) for b in protect.manual],
            "turned": protect.turned, "strict": protect.strict, "plan": options.plan is not None,
            "max_pixels": options.max_pixels}


@dataclass
class Added:
    """`index add`'s result for one file."""
    path: str
    status: str  # added, known (the same bytes were already in the index), error
    sha256: str | None = None
    message: str = ""
    quality: int | None = None  # PDQ quality of a newly added picture

    def to_json(self) -> dict:
        return asdict(self)


class IndexAdd(Operation):
    """`mediavet index add`: workers fingerprint, the driver inserts (one writer)."""

    name = "index-add"

    def __init__(self, archive, label: str, source: str | None, store_path: bool, max_pixels: int):
        self.archive, self.label, self.source = archive, label, source
        self.store_path, self.max_pixels = store_path, max_pixels

    def settings(self) -> dict:
        return {"mediavet": _version(), "index": str(Path(self.archive.path).resolve()), "label": self.label,
                "source": self.source, "store_path": self.store_path, "max_pixels": self.max_pixels}

    def work(self, engine) -> tuple:
        from mediavet.archive.store import prints

        known = None if engine.remote else str(self.archive.path)
        return prints, {"max_pixels": self.max_pixels, "known_in": known}

    heavy = True

    def lost(self, path, why: str):
        from mediavet.archive.store import Prints

        return Prints(str(path), error=why)

    def finish(self, result, record) -> Added:
        from mediavet.archive.store import insert

        if result.error:
            added = Added(result.path, "error", message=result.error)
        elif (item := insert(self.archive, result, self.label, self.source, self.store_path)) is None:
            added = Added(result.path, "known", result.sha256)
        else:
            added = Added(result.path, "added", result.sha256, quality=self.archive.quality(item))
        record(added)
        return added

    def status(self, result) -> str:
        return FAILED if result.status == "error" else DONE

    def summary(self, result) -> str:
        return result.status if result.status != "error" else result.message

    def sha256(self, result) -> str | None:
        return result.sha256

    def from_ledger(self, row, path: str):
        kept = {k: v for k, v in row.result.items() if k in {f.name for f in fields(Added)}}
        added = Added(**{**kept, "path": path})
        if added.status == "added":  # it is in the index now, whatever this run finds
            added.status = "known"
        return added


class IndexQuery(Operation):
    """`mediavet index query`: workers read the file and the index, and look it up."""

    name = "index-query"
    heavy = True

    def __init__(self, db: str, max_distance: int | None, max_pixels: int):
        self.db, self.max_distance, self.max_pixels = db, max_distance, max_pixels

    def settings(self) -> dict:
        return {"mediavet": _version(), "index": self.db, "max_distance": self.max_distance,
                "max_pixels": self.max_pixels}

    def work(self, engine) -> tuple:
        from mediavet.archive.store import lookup

        return lookup, {"db": self.db, "max_distance": self.max_distance, "max_pixels": self.max_pixels}

    def lost(self, path, why: str):
        return {"path": str(path), "error": why}

    def status(self, result) -> str:
        return FAILED if "error" in result else DONE

    def to_json(self, result) -> dict:
        return result

    def from_ledger(self, row, path: str):
        return None  # the index changes: a lookup is always made afresh
