"""The JSON report: one document, or one file object per line (JSON Lines)."""

from __future__ import annotations

import json

from mediavet import __version__


def document(reports) -> dict:
    return {"mediavet": __version__, "files": [report.to_json() for report in reports]}


def dumps(value, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False, default=str)
