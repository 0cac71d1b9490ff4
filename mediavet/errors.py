"""The one error a file that mediavet cannot read raises, with a stable one-line message.

Below every other module: media, metadata, redaction and the archive all raise it.
"""

from __future__ import annotations

import re


class MediaError(Exception):
    """A file that cannot be verified: `kind` is a stable word, the message one line."""

    def __init__(self, kind: str, message: str):
        message = stable(message)
        super().__init__(message)
        self.kind = kind
        self.message = message


_OBJECT_REPR = re.compile(r" ?<[\w.]+ object at 0x[0-9a-fA-F]+>")
_TEMPORARY = re.compile(r"[^\s'\"]*\.mediavet-\d+-[^\s'\"]*")


def stable(message: str) -> str:
    """A message that is the same from run to run: no object addresses, no temporary names
    (the input's own path is kept)."""
    return _TEMPORARY.sub("(a temporary file)", _OBJECT_REPR.sub("", str(message)))


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
