"""Hash lists newsrooms share instead of pictures: TSV, one `algo<TAB>hex<TAB>label` per line.

Blank lines and lines starting with `#` are comments. A malformed line is reported with
its line number and skipped; the caller decides what that does to the exit code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mediavet.archive.hashing import THRESHOLDS, PerceptualHash

HEADER = "# mediavet hash list: algo<TAB>hash<TAB>label"
HEX = re.compile(r"[0-9a-fA-F]+")  # int(..., 16) would also take a sign, spaces and underscores
MAX_LABEL, MAX_BITS, MAX_LINE = 200, 1024, 2000


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def parse_line(text: str) -> tuple[PerceptualHash, str]:
    if len(text) > MAX_LINE:
        raise ValueError(f"line of {len(text)} characters (at most {MAX_LINE})")
    fields = text.rstrip("\r\n").split("\t")
    if len(fields) < 2 or len(fields) > 3:
        raise ValueError(f"expected algo<TAB>hash<TAB>label, found {len(fields)} field(s)")
    algo, digits = fields[0].strip().lower(), fields[1].strip()
    label = fields[2].strip() if len(fields) == 3 else ""
    if algo not in THRESHOLDS:
        raise ValueError(f"unknown hash algorithm {algo[:20]!r} (known: {', '.join(sorted(THRESHOLDS))})")
    if len(label) > MAX_LABEL:
        raise ValueError(f"label of {len(label)} characters (at most {MAX_LABEL})")
    bits = len(digits) * 4
    if not HEX.fullmatch(digits):
        raise ValueError("hash is not hexadecimal digits")
    if bits > MAX_BITS:
        raise ValueError(f"{algo} hash of {bits} bits (at most {MAX_BITS})")
    if bits == 0 or bits % 64:
        raise ValueError(f"{algo} hash must be whole 64-bit words of hex digits, found {len(digits)} digits")
    if algo == "pdq" and bits != 256:
        raise ValueError(f"pdq hashes have 64 hex digits, found {len(digits)}")
    try:
        value = int(digits, 16)
    except ValueError:
        raise ValueError("hash is not hexadecimal") from None
    return PerceptualHash(algo, bits, value), label


def read(lines):
    """Yield (line number, PerceptualHash, label) or (line number, BadLine, None)."""
    for number, text in enumerate(lines, start=1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            value, label = parse_line(text)
        except ValueError as exc:
            yield number, BadLine(number, str(exc)), None
            continue
        yield number, value, label


def format_line(value: PerceptualHash, label: str) -> str:
    clean = " ".join(label.replace("\t", " ").split())
    return f"{value.algo}\t{value.value:0{value.bits // 4}x}\t{clean}"
