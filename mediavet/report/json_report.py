"""The JSON report: one document, or one file object per line (JSON Lines)."""

from __future__ import annotations

import json

from mediavet import __version__


def document(reports, not_media: list | None = None) -> dict:
    """The JSON envelope; `not_media` lists the files under the paths that are no media."""
    from mediavet.inputs import not_media_json

    data = {"mediavet": __version__, "files": [report.to_json() for report in reports]}
    return data | ({"not_media": not_media_json(not_media)} if not_media else {})


def dumps(value, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False, default=str)
