"""Redaction plans: what will be covered, written before anything is, reviewable and editable.

    {"mediavet_plan": 2, "created": ..., "settings": {...}, "reviewed": {"at", "by"} (once reviewed),
     "files": [{"path", "sha256", "size": [w, h], ["frames", "fps"],
                "regions": [{"id", "kind", "box": [x, y, w, h], "score", "detector", "action", "shape",
                             ["frames", "track", "scores", "reason", "by"]}, ...],
                "detected": [{"kind", "box", ["frames"]}, ...]}, ...]}

Boxes are upright pixel coordinates with the margins already added: applying a plan covers
exactly its regions. A person may delete regions, resize them, add `manual` ones, or set
`action` to `keep`; the review page marks each such region `"by": "reviewer"`.

`detected` records what the detectors found when the plan was made, and is not edited. It
is what makes deleting a region mean the same as keeping it: the fail-closed re-check still
runs when a plan is applied, and refuses the copy for a face or text it finds that is neither
in `regions` (covered or kept) nor in `detected` (decided by the person who deleted it). A
region left as `review` is not covered unless --strict. Version 1 plans (no `detected`) are
still read; for them a deleted region is undecided.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from mediavet.redact.regions import Region, inside_problem

VERSION = 2
READABLE = (1, 2)


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def document(entries: list[dict], settings: dict, reviewed: dict | None = None) -> dict:
    data = {"mediavet_plan": VERSION, "created": now(), "settings": settings}
    if reviewed:
        data["reviewed"] = reviewed
    return data | {"files": entries}


def entry(path, sha256: str, size: tuple[int, int], regions: list[Region], frames: int | None = None,
          fps: float | None = None) -> dict:
    """One file's plan; for a clip also its frame count and rate (regions then carry frames)."""
    data = {"path": str(path), "sha256": sha256, "size": list(size)}
    if frames is not None:
        data.update(frames=frames, fps=round(fps, 3) if fps else None)
    data["regions"] = [{"id": number, **region.to_json()} for number, region in enumerate(regions, start=1)]
    data["detected"] = [_record(region) for region in regions if region.kind != "manual" and region.by is None]
    return data


def _record(region: Region) -> dict:
    record = {"kind": region.kind, "box": list(region.box)}
    return record | ({"frames": list(region.frames)} if region.frames else {})


class PlanError(Exception):
    """The plan cannot be applied; the message lists every problem found."""


def load(path: Path) -> tuple[dict[str, dict], dict]:
    """The plan's entries by resolved input path, every region parsed and checked against
    the size the plan states, and the settings it was made with. Raises PlanError naming
    every problem at once."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PlanError(f"{path}: not a readable plan ({exc})") from None
    if not isinstance(data, dict) or data.get("mediavet_plan") not in READABLE or not isinstance(data.get("files"), list):
        raise PlanError(f"{path}: not a mediavet plan of version {' or '.join(map(str, READABLE))}")
    problems, entries = [], {}
    for number, item in enumerate(data["files"], start=1):
        where = f"file {number} ({str(item.get('path'))[:200] if isinstance(item, dict) else '?'})"
        try:
            if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
                raise ValueError("each file needs a \"path\" (text)")
            for key in ("regions", "detected"):
                if not isinstance(item.get(key, []), list):
                    raise ValueError(f"\"{key}\" must be a list")
            size = tuple(item["size"])
            regions = [Region.from_json(region) for region in item.get("regions", [])]
            decided = [Region.from_json(_as_kept(record)) for record in item.get("detected", [])]
            if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
                raise ValueError(f"size must be [width, height], found {item['size']!r}")
            if not isinstance(item["sha256"], str):
                raise ValueError("sha256 missing")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        for region_number, region in enumerate(regions + decided, start=1):
            problem = inside_problem(region.box, size)
            if problem is None and region.frames and isinstance(item.get("frames"), int) \
                    and region.frames[1] >= item["frames"]:
                problem = f"frames {list(region.frames)} go past the clip's {item['frames']} frames"
            if problem:
                which = f"region {region_number}" if region_number <= len(regions) else \
                    f"detected {region_number - len(regions)}"
                problems.append(f"{where}, {which}: {problem}")
        entries[str(Path(item["path"]).resolve())] = {"sha256": item["sha256"], "size": size, "regions": regions,
                                                       "decided": decided}
    if problems:
        raise PlanError("; ".join(problems))
    settings = data.get("settings")
    return entries, settings if isinstance(settings, dict) else {}


def _as_kept(record) -> dict:
    """A `detected` record as a kept region: the re-check's proof that someone decided on it."""
    if not isinstance(record, dict):
        raise ValueError(f"a detected record must be an object with kind and box, found {str(record)[:40]!r}")
    return {"kind": record.get("kind"), "box": record.get("box"), "frames": record.get("frames"), "action": "keep"}


def check_inputs(entries: dict[str, dict], files) -> list[str]:
    """Problems matching the inputs to the plan: missing entries, changed files."""
    import hashlib

    from mediavet.errors import MediaError
    from mediavet.formats import require_regular

    problems = []
    for path in files:
        planned = entries.get(str(Path(path).resolve()))
        if planned is None:
            problems.append(f"{path}: not in the plan")
            continue
        try:
            require_regular(Path(path))
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except MediaError as exc:
            problems.append(f"{path}: {exc.message}")
            continue
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
            continue
        if digest != planned["sha256"]:
            problems.append(f"{path}: sha256 {digest[:12]}… differs from the plan's {planned['sha256'][:12]}… "
                            "(the file changed since the plan was made)")
    return problems
