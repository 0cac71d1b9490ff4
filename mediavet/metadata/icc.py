"""ICC profiles: the description and the device fields a profile can carry."""

from __future__ import annotations

import struct


def read_icc(profile: bytes | None) -> dict[str, str] | None:
    if not profile or len(profile) < 132:
        return None
    info: dict[str, str] = {}
    for key, start in (("device_manufacturer", 48), ("device_model", 52), ("creator", 80)):
        raw = profile[start:start + 4]
        text = raw.decode("latin-1").strip("\x00 ")
        if text and text.isprintable():
            info[key] = text
    count = struct.unpack(">I", profile[128:132])[0]
    for i in range(min(count, 256, (len(profile) - 132) // 12)):
        sig, offset, size = struct.unpack(">4sII", profile[132 + 12 * i:144 + 12 * i])
        name = {b"desc": "description", b"dmnd": "manufacturer_description", b"dmdd": "model_description",
                b"cprt": "copyright"}.get(sig)
        if name:
            text = _text(profile[offset:offset + size])
            if text:
                info[name] = text
    return info


def _text(tag: bytes) -> str | None:
    kind = tag[:4]
    try:
        if kind == b"desc":
            length = struct.unpack(">I", tag[8:12])[0]
            text = tag[12:12 + length].decode("latin-1")
        elif kind == b"mluc":
            records = struct.unpack(">I", tag[8:12])[0]
            if not records:
                return None
            size, offset = struct.unpack(">II", tag[20:28])
            text = tag[offset:offset + size].decode("utf-16-be", "replace")
        elif kind == b"text":
            text = tag[8:].decode("latin-1")
        else:
            return None
    except (struct.error, UnicodeDecodeError):
        return None
    text = "".join(ch for ch in text if ch.isprintable()).strip()
    return text[:200] or None
