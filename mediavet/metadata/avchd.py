"""What AVCHD camcorders and cameras (Sony, Panasonic, Canon, JVC) write inside the H.264
stream itself: the Modified DV Pack Metadata (MDPM), carried in SEI "user data unregistered"
messages under UUID 17ee8c60-f84d-11d9-8cd6-0800200c9a66 followed by "MDPM".

The payload is a count and then 5-byte records (a tag and 4 bytes), in the order of IEC
61834-4's DV packs: 0x18/0x19 the recording date and time in BCD with a time-zone byte,
0xb1-0xb8 the GPS reference, latitude and longitude (16-bit rationals), 0xe0 the maker code,
0xe4-0xe6 a Sony model name. No container tag holds these, so FFmpeg does not show them;
ExifTool does. A clip re-encoded by the redaction carries none of it; the audit looks anyway.
"""

from __future__ import annotations

import struct

UUID = bytes.fromhex("17ee8c60f84d11d98cd60800200c9a66")
MAKERS = {0x0103: "Panasonic", 0x0108: "Sony", 0x1011: "Canon", 0x1104: "JVC"}


def nal_units(packet: bytes, annex_b: bool):
    """The NAL units of one H.264 access unit: Annex B (start codes, as in MPEG-TS) or
    length-prefixed (4 bytes, as in MP4, whose avcC extradata says so)."""
    if annex_b:
        for part in packet.split(b"\x00\x00\x01")[1:]:
            yield part.rstrip(b"\x00")  # a NAL unit never ends in zero bytes: those start the next code
        return
    at = 0
    while at + 4 <= len(packet):
        size = struct.unpack(">I", packet[at:at + 4])[0]
        if size == 0 or at + 4 + size > len(packet):
            return
        yield packet[at + 4:at + 4 + size]
        at += 4 + size


def _rbsp(nal: bytes) -> bytes:
    """The payload with H.264's emulation-prevention bytes (00 00 03) removed."""
    return nal.replace(b"\x00\x00\x03", b"\x00\x00")


def user_data(packet: bytes, annex_b: bool = True):
    """(uuid, data) of every SEI user-data-unregistered message in the packet."""
    for nal in nal_units(packet, annex_b):
        if not nal or nal[0] & 0x1F != 6:
            continue
        body, at = _rbsp(nal[1:]), 0
        while at < len(body) and body[at] != 0x80:  # 0x80: the RBSP trailing bits
            kind = size = 0
            while at < len(body) and body[at] == 0xFF:
                kind, at = kind + 255, at + 1
            if at >= len(body):
                return
            kind, at = kind + body[at], at + 1
            while at < len(body) and body[at] == 0xFF:
                size, at = size + 255, at + 1
            if at >= len(body):
                return
            size, at = size + body[at], at + 1
            if kind == 5 and size >= 16:
                yield body[at:at + 16], body[at + 16:at + size]
            at += size


def _bcd(byte: int) -> int:
    return (byte >> 4) * 10 + (byte & 0x0F)


def mdpm(packet: bytes, annex_b: bool = True) -> dict | None:
    """The camera's statements in one packet's MDPM: make, model, recorded time (ISO 8601 with
    its offset) and position, each only when present; None when the packet has no MDPM."""
    for uuid, data in user_data(packet, annex_b):
        if uuid != UUID or not data.startswith(b"MDPM") or len(data) < 5:
            continue
        records = {}
        for index in range(data[4]):
            record = data[5 + 5 * index:10 + 5 * index]
            if len(record) < 5:
                break
            records[record[0]] = record[1:]
        return _decoded(records)
    return None


def _decoded(records: dict[int, bytes]) -> dict:
    found = {"tags": sorted(f"0x{tag:02x}" for tag in records)}
    if 0xE0 in records:
        code = struct.unpack(">H", records[0xE0][:2])[0]
        found["make"] = MAKERS.get(code, f"maker code 0x{code:04x}")
    model = b"".join(records.get(tag, b"") for tag in (0xE4, 0xE5, 0xE6)).split(b"\x00")[0]
    if model.strip():
        found["model"] = model.decode("latin-1").strip()
    if 0x18 in records and 0x19 in records:
        zone, year_high, year_low, month = records[0x18]
        day, hour, minute, second = records[0x19]
        sign = "-" if zone & 0x20 else "+"
        offset = f"{sign}{(zone >> 1) & 0x0F:02d}:{'30' if zone & 0x01 else '00'}"
        found["time"] = (f"{_bcd(year_high):02d}{_bcd(year_low):02d}-{_bcd(month):02d}-{_bcd(day):02d}T"
                         f"{_bcd(hour):02d}:{_bcd(minute):02d}:{_bcd(second):02d}{offset}")
    position = _position(records)
    if position:
        found["location"] = position
    return found


def _position(records: dict[int, bytes]) -> dict | None:
    def degrees(first: int):
        parts = [records.get(first + step) for step in range(3)]
        if any(part is None for part in parts):
            return None
        value = 0.0
        for part, unit in zip(parts, (1, 60, 3600)):
            numerator, denominator = struct.unpack(">HH", part)
            if denominator == 0:
                return None
            value += numerator / denominator / unit
        return value

    latitude, longitude = degrees(0xB2), degrees(0xB6)
    if latitude is None or longitude is None:
        return None
    if records.get(0xB1, b"N")[:1] == b"S":
        latitude = -latitude
    if records.get(0xB5, b"E")[:1] == b"W":
        longitude = -longitude
    return {"lat": round(latitude, 6), "lon": round(longitude, 6)}
