"""Redaction plans: what will be covered, written before anything is, reviewable and editable.

    {"mediavet_plan": 1, "created": ..., "settings": {...},
     "files": [{"path", "sha256", "size": [w, h], "regions": [{"id", "kind", "box": [x, y, w, h],
                "score", "detector", "action", "shape"}, ...]}, ...]}

Boxes are upright pixel coordinates with the margins already added: applying a plan covers
exactly its boxes. A person may delete regions, add `manual` ones, or set `action` to
`keep` (left visible on purpose; the fail-closed check then does not object to it).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from mediavet.redact.regions import Region, inside_problem

VERSION = 1


def document(entries: list[dict], settings: dict) -> dict:
    return {"mediavet_plan": VERSION, "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            "settings": settings, "files": entries}


def entry(path, sha256: str, size: tuple[int, int], regions: list[Region], frames: int | None = None,
          fps: float | None = None) -> dict:
    """One file's plan; for a clip also its frame count and rate (regions then carry frames)."""
    data = {"path": str(path), "sha256": sha256, "size": list(size)}
    if frames is not None:
        data.update(frames=frames, fps=round(fps, 3) if fps else None)
    data["regions"] = [{"id": number, **region.to_json()} for number, region in enumerate(regions, start=1)]
    return data


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
    if not isinstance(data, dict) or data.get("mediavet_plan") != VERSION or not isinstance(data.get("files"), list):
        raise PlanError(f"{path}: not a mediavet plan of version {VERSION}")
    problems, entries = [], {}
    for number, item in enumerate(data["files"], start=1):
        where = f"file {number} ({str(item.get('path'))[:200] if isinstance(item, dict) else '?'})"
        try:
            if not isinstance(item, dict) or not isinstance(item.get("path"), str) or not item["path"]:
                raise ValueError("each file needs a \"path\" (text)")
            if not isinstance(item.get("regions", []), list):
                raise ValueError("\"regions\" must be a list")
            size = tuple(item["size"])
            regions = [Region.from_json(region) for region in item.get("regions", [])]
            if len(size) != 2 or not all(isinstance(v, int) and v > 0 for v in size):
                raise ValueError(f"size must be [width, height], found {item['size']!r}")
            if not isinstance(item["sha256"], str):
                raise ValueError("sha256 missing")
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {exc}")
            continue
        for region_number, region in enumerate(regions, start=1):
            problem = inside_problem(region.box, size)
            if problem is None and region.frames and isinstance(item.get("frames"), int) \
                    and region.frames[1] >= item["frames"]:
                problem = f"frames {list(region.frames)} go past the clip's {item['frames']} frames"
            if problem:
                problems.append(f"{where}, region {region_number}: {problem}")
        entries[str(Path(item["path"]).resolve())] = {"sha256": item["sha256"], "size": size, "regions": regions}
    if problems:
        raise PlanError("; ".join(problems))
    settings = data.get("settings")
    return entries, settings if isinstance(settings, dict) else {}


def check_inputs(entries: dict[str, dict], files) -> list[str]:
    """Problems matching the inputs to the plan: missing entries, changed files."""
    import hashlib

    from mediavet.media import MediaError, require_regular

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
