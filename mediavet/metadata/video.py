"""Video container and stream metadata, read with PyAV (FFmpeg's demuxers), plus what the
data tracks carry (GoPro GPMF, CAMM, Apple timed metadata, subtitle text with positions).

Everything lands in one plain dict (`Metadata.video`): container tags, creation times by
source, the stated location, make/model/software, encoder and handler names, rotation,
frame rate, duration, and each stream with its kind.
"""

from __future__ import annotations

import re
import struct

from mediavet.errors import MediaError

MAX_TELEMETRY_PACKETS = 3  # telemetry is summarised from its first packets
ISO6709 = re.compile(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?")
COORDINATES = re.compile(r"(?:latitude|lat)\D{0,4}(-?\d{1,3}\.\d+).{0,40}?(?:longitude|lon|lng)\D{0,4}(-?\d{1,3}\.\d+)"
                         r"|GPS\s*\(\s*(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\s*(?:,\s*-?[\d.]+\s*(M?))?",
                         re.IGNORECASE | re.DOTALL)

# GPMF four-character keys worth naming (GoPro's telemetry format)
GPMF_KEYS = {b"GPS5": "GPS track", b"GPS9": "GPS track", b"GPSU": "GPS time", b"GPSF": "GPS fix",
             b"ACCL": "accelerometer", b"GYRO": "gyroscope", b"MAGN": "magnetometer", b"CORI": "camera orientation",
             b"GRAV": "gravity vector", b"FACE": "detected faces", b"DVNM": "device name", b"CASN": "camera serial",
             b"MUID": "media unique id", b"ISOE": "ISO", b"SHUT": "shutter", b"WBAL": "white balance"}


def parse_iso6709(text: str | None) -> dict | None:
    """'+52.4597+013.3220+051.178/' -> {lat, lon, alt}; None when absent or malformed."""
    match = ISO6709.match((text or "").strip())
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return {"lat": lat, "lon": lon, "alt": float(match.group(3)) if match.group(3) else None}


def positions(text: str) -> list[tuple[float, float]]:
    """Latitude/longitude pairs written as text (DJI SRT lines, subtitle telemetry)."""
    found = []
    for match in COORDINATES.finditer(text):
        if match.group(1):
            lat, lon = float(match.group(1)), float(match.group(2))
        else:  # DJI: GPS(lon, lat, alt) on most models; GPS(lat, lon, altM) on the Matrice 300
            first, second = float(match.group(3)), float(match.group(4))
            lat_first = match.group(5) and abs(first) <= 90
            lat, lon = (first, second) if lat_first or abs(second) > 90 else (second, first)
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            found.append((lat, lon))
    return found


def gpmf_keys(payload: bytes, values: dict | None = None) -> list[str]:
    """The four-character keys in a GPMF payload (nested KLV: key, type, size, repeat);
    text values (type 'c') are put in `values` when a dict is given (DVNM: the device name)."""
    keys, stack = [], [(0, len(payload))]
    while stack:
        pos, end = stack.pop()
        while pos + 8 <= end:
            key, kind, size, repeat = struct.unpack(">4sBBH", payload[pos:pos + 8])
            length = size * repeat
            if not key.isalnum() and key not in (b"GPS5", b"GPS9"):
                break
            keys.append(key.decode("latin-1"))
            if values is not None and kind == ord("c") and key not in values:
                values[key.decode("latin-1")] = payload[pos + 8:pos + 8 + length].split(b"\0")[0].decode("latin-1")
            if kind == 0:  # nested
                stack.append((pos + 8, min(end, pos + 8 + length)))
            pos += 8 + ((length + 3) & ~3)
    return keys


def read_video(path) -> dict:
    """Metadata of a video file; raises MediaError when FFmpeg cannot open it."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise MediaError("corrupt", f"cannot read the video container: {' '.join(str(exc).split())[:200]}") from None
    with container:
        tags = {str(k): str(v) for k, v in container.metadata.items()}
        streams = [_stream(s) for s in container.streams]
        video = next((s for s in container.streams if s.type == "video"), None)
        if video is None:
            raise MediaError("unsupported", "no video stream (an audio-only or data-only file)")
        main = streams[video.index]
        rotation, first_frame_ok = _rotation(container, video)
        telemetry = _telemetry(container, streams)
        camera = _stream_metadata(container, video)
        duration = container.duration / 1_000_000 if container.duration else None
    times = _times(tags, streams)
    if camera.get("time"):
        times = {"AVCHD MDPM recording time": camera["time"], **times}  # the camera's own clock, with its zone
    width, height = (main["width"], main["height"]) if main else (0, 0)
    if rotation in (90, -90, 270, -270):
        width, height = height, width
    return {
        "container": container.format.name,
        "tags": tags,
        "duration": duration,
        "streams": streams,
        "rotation": rotation,
        "size": [width, height],
        "fps": main["fps"] if main else None,
        "location": parse_iso6709(tags.get("com.apple.quicktime.location.ISO6709") or tags.get("location"))
        or camera.get("location"),
        "make": tags.get("com.apple.quicktime.make") or tags.get("make") or _handler_vendor(streams)
        or camera.get("make"),
        "model": tags.get("com.apple.quicktime.model") or tags.get("model")
        or next((t["device"] for t in telemetry if t.get("device")), None) or camera.get("model"),
        "software": tags.get("com.apple.quicktime.software") or tags.get("software") or tags.get("firmware"),
        "encoder": tags.get("encoder"),
        "times": times,
        "telemetry": telemetry,
        "mdpm": camera or None,
        "decodable": first_frame_ok,
    }


MAX_MDPM_PACKETS = 12  # camcorders repeat their MDPM with every key frame; the first ones suffice


def _stream_metadata(container, video) -> dict:
    """What an H.264 stream says of the camera in its own SEI messages (AVCHD's MDPM), or {}."""
    from mediavet.metadata.avchd import mdpm

    context = video.codec_context
    if context is None or context.name != "h264":
        return {}
    extradata = bytes(context.extradata or b"")
    annex_b = not extradata.startswith(b"\x01")  # avcC extradata: length-prefixed NAL units
    found = {}
    try:
        for number, packet in enumerate(container.demux(video)):
            if number >= MAX_MDPM_PACKETS:
                break
            found = mdpm(bytes(packet), annex_b) or {}
            if found:
                break
    except Exception:  # damaged packets: the container's own tags still stand
        found = {}
    finally:
        _rewind(container)
    return found


def _handler_vendor(streams: list[dict]) -> str | None:
    """Cameras that name themselves only in their handler names (GoPro)."""
    return "GoPro" if any((s["handler"] or "").startswith("GoPro") for s in streams) else None


def _stream(stream) -> dict:
    context = stream.codec_context
    entry = {"index": stream.index, "kind": stream.type, "codec": context.name if context else None,
             "handler": (stream.metadata.get("handler_name") or "").strip("\x00\x0b\x1f#' ").strip() or None,
             "tags": {str(k): str(v) for k, v in stream.metadata.items()},
             "width": None, "height": None, "fps": None}
    if stream.type == "video" and context is not None:
        entry["width"], entry["height"] = context.width, context.height
        rate = stream.average_rate or stream.guessed_rate
        entry["fps"] = round(float(rate), 3) if rate else None
    return entry


def _rotation(container, video) -> tuple[int, bool]:
    """Degrees from the display matrix of the first frame (FFmpeg's sign: -90 = turn clockwise)."""
    if video is None:
        return 0, False
    try:
        frame = next(container.decode(video=0))
        return int(round(getattr(frame, "rotation", 0) or 0)), True
    except (StopIteration, Exception):  # a clip whose frames do not decode still has metadata
        return 0, False
    finally:
        _rewind(container)


def _rewind(container) -> None:
    try:
        container.seek(0)
    except Exception:  # unseekable or damaged: later reads start where they are
        pass


def _times(tags: dict, streams: list[dict]) -> dict[str, str]:
    times = {}
    for key, source in (("com.apple.quicktime.creationdate", "QuickTime CreationDate"),
                        ("creation_time", "container creation_time"), ("date", "container date")):
        if tags.get(key):
            times[source] = tags[key]
    for stream in streams:
        if stream["tags"].get("creation_time"):
            times[f"stream {stream['index']} ({stream['kind']}) creation_time"] = stream["tags"]["creation_time"]
    return times


def _telemetry(container, streams: list[dict]) -> list[dict]:
    """Data and subtitle tracks, and what their first packets reveal."""
    found = []
    for stream, info in zip(container.streams, streams):
        if info["kind"] not in ("data", "subtitle"):
            continue
        handler = info["handler"] or ""
        kind = ("GoPro GPMF" if "GoPro MET" in handler else "GoPro timecode" if "GoPro TCD" in handler
                else "CAMM" if (info["codec"] or "").startswith("camm") or "CAMM" in handler.upper()
                else "Apple timed metadata" if "Core Media Metadata" in handler
                else "subtitles" if info["kind"] == "subtitle" else "data")
        reveals, sample_positions, strings = set(), [], {}
        try:
            for number, packet in enumerate(container.demux(stream)):
                if number >= MAX_TELEMETRY_PACKETS:
                    break
                payload = bytes(packet)
                if kind == "GoPro GPMF":
                    reveals |= {GPMF_KEYS[k.encode()] for k in gpmf_keys(payload, strings) if k.encode() in GPMF_KEYS}
                text = payload.decode("utf-8", "ignore")
                sample_positions += positions(text)
                if "ISO6709" in text or "location" in text.lower():
                    reveals.add("location")
        except Exception:  # a damaged track: say what it is, without its content
            reveals.add("unreadable content")
        if sample_positions:
            reveals.add("GPS positions")
        found.append({"stream": info["index"], "kind": kind, "handler": info["handler"],
                      "reveals": sorted(reveals), "positions": [list(p) for p in sample_positions[:3]],
                      "device": strings.get("DVNM")})
        _rewind(container)
    return found
