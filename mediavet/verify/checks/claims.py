"""What the source says against what the file says: --claimed-time and --claimed-location."""

from __future__ import annotations

import math
from datetime import timedelta

from mediavet.formats import PHOTO_FORMATS, VIDEO_FORMATS
from mediavet.verify.facts import MAX_ZONE_HOURS, as_utc, capture_time
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@check("claim.time_mismatch", PHOTO_FORMATS + VIDEO_FORMATS)
def time_mismatch(media, options):
    claimed = options.claimed_time
    if claimed is None:
        return []
    stamp = capture_time(media.metadata)
    tolerance = options.time_tolerance
    if stamp is None:
        return [Finding("claim.time_mismatch", Severity.WARN,
                        "no capture time in the file to confirm the claimed time",
                        {"claimed": claimed.isoformat(), "capture_time": None})]
    allowance = timedelta(0)
    if stamp.aware and claimed.tzinfo is not None:
        difference = as_utc(stamp.value) - as_utc(claimed)
    else:  # one side is a local time of unknown zone: allow any zone on Earth
        difference = stamp.value.replace(tzinfo=None) - (as_utc(claimed).replace(tzinfo=None) if claimed.tzinfo else claimed)
        allowance = timedelta(hours=MAX_ZONE_HOURS) if (stamp.aware != (claimed.tzinfo is not None)) else timedelta(0)
    if abs(difference) <= tolerance + allowance:
        return []
    return [Finding(
        "claim.time_mismatch", Severity.HIGH,
        f"captured {stamp.raw} ({stamp.source}), {abs(difference).total_seconds() / 3600:.1f} h from the claimed "
        f"{claimed.isoformat()}",
        {"claimed": claimed.isoformat(), "capture_time": stamp.iso(), "source": stamp.source,
         "difference_hours": round(difference.total_seconds() / 3600, 3),
         "tolerance_hours": tolerance.total_seconds() / 3600, "zone_allowance_hours": allowance.total_seconds() / 3600},
    )]


@check("claim.location_mismatch", PHOTO_FORMATS + VIDEO_FORMATS)
def location_mismatch(media, options):
    claimed = options.claimed_location
    if claimed is None:
        return []
    gps = media.metadata.gps
    if not gps:
        return [Finding("claim.location_mismatch", Severity.WARN,
                        "no GPS position in the file to confirm the claimed location",
                        {"claimed": list(claimed), "gps": None})]
    distance = great_circle_km((gps["lat"], gps["lon"]), claimed)
    if distance <= options.distance_tolerance_km:
        return []
    return [Finding(
        "claim.location_mismatch", Severity.HIGH,
        f"GPS position {gps['lat']:.5f}, {gps['lon']:.5f} is {distance:.1f} km from the claimed location",
        {"claimed": list(claimed), "gps": [gps["lat"], gps["lon"]], "distance_km": round(distance, 3),
         "tolerance_km": options.distance_tolerance_km},
    )]
