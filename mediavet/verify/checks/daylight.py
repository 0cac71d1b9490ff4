"""Light and clock: can the exposure a photo was taken with and the sun at its time and place
both be true?

The exposure value the camera chose, EV100 = log2(N²/t) − log2(ISO/100), measures how bright
the scene was. Published exposure tables (the "sunny 16" rule and the ANSI/Kodak tables
behind it) put full sun at EV 15, hazy sun at 14, overcast daylight at 12–13 and open shade at
12; lit streets at night are EV 5–8, floodlit stadiums and neon signs 9–10. Natural light of
EV 12 or more needs the sun up or barely set: once it is 6° below the horizon (the end of
civil twilight) the sky gives less than EV 4. So a photo exposed for daylight (EV100 ≥ 12,
flash not fired) whose time and place put the sun below −6° cannot be what it says — unless
a bright artificial source fills the frame (a screen, a lamp, welding), which is why the
finding is a warning with its evidence, never a verdict. The reverse, a dark exposure while
the sun is up, is an ordinary indoor photo and is never flagged.

The sun's elevation comes from `astral` (refraction-corrected). The time must be absolute:
the GPS time, or DateTimeOriginal with its OffsetTimeOriginal; a local time of unknown zone
is not enough (the finding then says why nothing was checked). With `--claimed-time` or
`--claimed-location` the same test runs on what the source said (`claim.daylight_mismatch`).
"""

from __future__ import annotations

import math
from datetime import timezone

from mediavet.formats import PHOTO_FORMATS
from mediavet.metadata.exif import gps_datetime
from mediavet.verify.facts import capture_time
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

DAYLIGHT_EV = 12.0  # EV100 at or above this without flash: a daylight exposure
NIGHT_SUN = -6.0  # degrees: the end of civil twilight


def exposure(exif) -> dict | None:
    """EV100 and the fields it came from, or None when one is missing."""
    def number(key):
        value = exif.get(key)
        if isinstance(value, list):
            value = value[0] if value else None
        return float(value) if isinstance(value, (int, float)) and value > 0 else None

    seconds, aperture = number("EXIF ExposureTime"), number("EXIF FNumber")
    iso = number("EXIF ISOSpeedRatings") or number("EXIF PhotographicSensitivity")
    if not (seconds and aperture and iso):
        return None
    ev = math.log2(aperture ** 2 / seconds) - math.log2(iso / 100)
    return {"ev100": round(ev, 2), "exposure_time": seconds, "f_number": aperture, "iso": iso,
            "flash_fired": _flash_fired(exif.get("EXIF Flash"))}


def _flash_fired(value) -> bool | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, int):
        return bool(value & 1)
    if isinstance(value, str):
        text = value.lower()
        return "fired" in text and "not fire" not in text and "no flash" not in text
    return None


def sun(lat: float, lon: float, when) -> tuple[float, float]:
    """The sun's (elevation, azimuth) in degrees, refraction-corrected, at a UTC time."""
    from astral import Observer
    from astral.sun import azimuth, elevation

    observer = Observer(latitude=lat, longitude=lon)
    return elevation(observer, when, with_refraction=True), azimuth(observer, when)


def contradicts(light: dict, elevation: float) -> bool:
    """A daylight exposure without flash while the sun is below civil twilight."""
    return light["ev100"] >= DAYLIGHT_EV and light["flash_fired"] is not True and elevation < NIGHT_SUN


def absolute_time(media):
    exif = media.metadata.exif
    gps_time = gps_datetime(exif) if exif.state == "ok" else None
    if gps_time is not None:
        return gps_time, "GPS time"
    stamp = capture_time(media.metadata)
    if stamp is not None and stamp.aware:
        return stamp.value.astimezone(timezone.utc), stamp.source
    return None, None


@check("exif.daylight_mismatch", PHOTO_FORMATS)
def daylight_mismatch(media, options):
    light = exposure(media.metadata.exif) if media.metadata.exif.state == "ok" else None
    if light is None:
        return []
    gps = media.metadata.gps
    when, when_source = absolute_time(media)
    claimed_place, claimed_time = options.claimed_location, options.claimed_time
    place = (gps["lat"], gps["lon"]) if gps else claimed_place
    place_source = "GPS" if gps else "claimed location" if claimed_place else None
    if when is None and claimed_time is not None and claimed_time.tzinfo is not None:
        when, when_source = claimed_time.astimezone(timezone.utc), "claimed time"
    finding_id = "exif.daylight_mismatch" if place_source == "GPS" and "claimed" not in (when_source or "") \
        else "claim.daylight_mismatch"
    if place is None:
        return []
    if when is None:
        return [Finding(finding_id, Severity.INFO, "light and clock not compared: the capture time has no time "
                        "zone (no OffsetTimeOriginal, no GPS time)", {**light, "position": list(place)})]
    elevation, azimuth = sun(place[0], place[1], when)
    evidence = {**light, "sun_elevation": round(elevation, 2), "sun_azimuth": round(azimuth, 2),
                "position": [round(place[0], 6), round(place[1], 6)], "position_source": place_source,
                "time_utc": when.isoformat(), "time_source": when_source,
                "thresholds": {"daylight_ev100": DAYLIGHT_EV, "night_sun_elevation": NIGHT_SUN}}
    if contradicts(light, elevation):
        return [Finding(finding_id, Severity.WARN,
                        f"exposed for daylight (EV {light['ev100']:.1f}: 1/{round(1 / light['exposure_time'])} s, "
                        f"f/{light['f_number']:g}, ISO {light['iso']:g}, no flash) while the sun was "
                        f"{-elevation:.1f}° below the horizon at the stated time and place", evidence)]
    return []
