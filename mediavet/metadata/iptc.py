"""IPTC-IIM: the record-2 datasets of an IPTC block, by name."""

from __future__ import annotations

DATASETS = {
    5: "ObjectName", 15: "Category", 25: "Keywords", 40: "SpecialInstructions",
    55: "DateCreated", 60: "TimeCreated", 62: "DigitalCreationDate", 63: "DigitalCreationTime",
    65: "OriginatingProgram", 70: "ProgramVersion", 80: "By-line", 85: "By-lineTitle",
    90: "City", 92: "Sub-location", 95: "Province-State", 100: "Country-PrimaryLocationCode",
    101: "Country-PrimaryLocationName", 103: "OriginalTransmissionReference", 105: "Headline",
    110: "Credit", 115: "Source", 116: "CopyrightNotice", 118: "Contact", 120: "Caption-Abstract",
    122: "Writer-Editor",
}
MAX_VALUE_CHARS = 300


def read_iptc(block: bytes | None) -> dict[str, str]:
    """Dataset name -> value (repeated datasets joined with '; '). Stops at the first malformed record."""
    fields: dict[str, list[str]] = {}
    pos = 0
    data = block or b""
    while pos + 5 <= len(data) and data[pos] == 0x1C:
        record, dataset = data[pos + 1], data[pos + 2]
        size = int.from_bytes(data[pos + 3:pos + 5], "big")
        pos += 5
        if size & 0x8000:  # extended length: the next (size & 0x7FFF) bytes hold it
            width = size & 0x7FFF
            if width > 4:
                break
            size = int.from_bytes(data[pos:pos + width], "big")
            pos += width
        value = data[pos:pos + size]
        pos += size
        if record == 2 and dataset != 0:
            name = DATASETS.get(dataset, f"2:{dataset}")
            text = value.decode("utf-8", "replace")
            text = "".join(ch for ch in text if ch.isprintable()).strip()
            if text:
                fields.setdefault(name, []).append(text)
    return {name: "; ".join(values)[:MAX_VALUE_CHARS] for name, values in fields.items()}
