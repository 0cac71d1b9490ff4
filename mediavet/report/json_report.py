"""The JSON report: one document, or one file object per line (JSON Lines)."""

from __future__ import annotations

import json

from mediavet import __version__


def dumps(value, indent: int | None = 2) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False, default=str)


def document_chunks(reports, not_media: list | None = None):
    """The JSON envelope {"mediavet", "files", ["not_media"]} as `dumps` would write it, in
    text pieces made one report at a time: a batch of any size is written without holding
    its reports. `not_media` (the files under the paths that are no media) is written when
    given, even empty."""
    yield "{\n" + f'  "mediavet": {dumps(__version__)},\n  "files": ['
    first = True
    for report in reports:
        yield ("\n" if first else ",\n") + _indented(dumps(report.to_json()), 4)
        first = False
    yield "]" if first else "\n  ]"
    if not_media is not None:
        from mediavet.inputs import not_media_json

        yield ',\n  "not_media": ' + _indented(dumps(not_media_json(not_media)), 2).lstrip()
    yield "\n}"


def _indented(text: str, spaces: int) -> str:
    return "\n".join(" " * spaces + line for line in text.split("\n"))
