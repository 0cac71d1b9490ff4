"""Time and place: EXIF dates against each other, against now, and against the GPS clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from mediavet.verify.facts import MAX_ZONE_HOURS, all_stamps, as_utc, exif_stamps
from mediavet.verify.finding import Finding, Severity
from mediavet.verify.registry import check

ORDER_TOLERANCE = timedelta(seconds=2)  # ModifyDate may not precede capture by more than this
DIGITIZED_TOLERANCE = timedelta(seconds=60)  # Original and Digitized are one instant in a camera
GPS_TOLERANCE = timedelta(minutes=30)  # a GPS fix can be older than the shot


@check("exif.datetime_order")
def datetime_order(media, options):
    stamps = exif_stamps(media.metadata)
    original, digitized, modified = (stamps.get(k) for k in ("DateTimeOriginal", "DateTimeDigitized", "ModifyDate"))
    findings = []
    if original and modified and _naive(original) - _naive(modified) > ORDER_TOLERANCE:
        findings.append(Finding(
            "exif.datetime_order", Severity.WARN,
            f"ModifyDate {modified.raw} is earlier than DateTimeOriginal {original.raw}",
            {"DateTimeOriginal": original.iso(), "ModifyDate": modified.iso(),
             "tolerance_seconds": ORDER_TOLERANCE.total_seconds()},
        ))
    if original and digitized and abs(_naive(original) - _naive(digitized)) > DIGITIZED_TOLERANCE:
        findings.append(Finding(
            "exif.datetime_order", Severity.WARN,
            f"DateTimeOriginal {original.raw} and DateTimeDigitized {digitized.raw} disagree",
            {"DateTimeOriginal": original.iso(), "DateTimeDigitized": digitized.iso(),
             "difference_seconds": abs(_naive(original) - _naive(digitized)).total_seconds(),
             "tolerance_seconds": DIGITIZED_TOLERANCE.total_seconds()},
        ))
    return findings


def _naive(stamp):
    """Local clock reading: the camera wrote all three from the same clock."""
    return stamp.value.replace(tzinfo=None)


@check("exif.datetime_future")
def datetime_future(media, options):
    now = as_utc(options.now)
    findings = []
    for stamp in all_stamps(media.metadata):
        if stamp.aware:
            ahead, allowance = as_utc(stamp.value) - now, timedelta(0)
        else:  # a local time with no offset may be up to UTC+14 ahead of UTC
            ahead, allowance = stamp.value - now.replace(tzinfo=None), timedelta(hours=MAX_ZONE_HOURS)
        if ahead > allowance:
            findings.append(Finding(
                "exif.datetime_future", Severity.HIGH,
                f"{stamp.source} {stamp.raw} is later than now ({now:%Y-%m-%d %H:%M} UTC)",
                {"field": stamp.source, "value": stamp.iso(), "now": now.isoformat(),
                 "allowance_hours": allowance.total_seconds() / 3600},
            ))
    return findings


@check("exif.gps_time_mismatch")
def gps_time_mismatch(media, options):
    gps = media.metadata.gps
    original = exif_stamps(media.metadata).get("DateTimeOriginal")
    if not gps or not gps.get("utc") or original is None:
        return []
    gps_utc = datetime.fromisoformat(gps["utc"])
    if original.aware:
        difference = as_utc(original.value) - gps_utc
        low = high = timedelta(0)
        rule = "exact: OffsetTimeOriginal is recorded"
    else:
        difference = original.value - gps_utc.replace(tzinfo=None)
        low, high = timedelta(hours=-12), timedelta(hours=MAX_ZONE_HOURS)
        rule = "no offset recorded: local time may be UTC-12 to UTC+14"
    if low - GPS_TOLERANCE <= difference <= high + GPS_TOLERANCE:
        return []
    return [Finding(
        "exif.gps_time_mismatch", Severity.WARN,
        f"GPS time {gps['utc']} and DateTimeOriginal {original.raw} are {difference.total_seconds() / 3600:+.1f} h apart",
        {"gps_utc": gps["utc"], "DateTimeOriginal": original.iso(),
         "difference_hours": round(difference.total_seconds() / 3600, 3),
         "allowed_hours": [low.total_seconds() / 3600, high.total_seconds() / 3600],
         "tolerance_minutes": GPS_TOLERANCE.total_seconds() / 60, "rule": rule},
    )]


@check("exif.gps_invalid")
def gps_invalid(media, options):
    gps = media.metadata.gps
    if not gps:
        return []
    lat, lon = gps["lat"], gps["lon"]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        reason = "coordinates out of range"
    elif lat == 0 and lon == 0:
        reason = "coordinates are exactly 0,0 (no fix recorded as a position)"
    else:
        return []
    return [Finding("exif.gps_invalid", Severity.WARN, f"GPS {reason}: {lat}, {lon}",
                    {"lat": lat, "lon": lon, "valid_range": {"lat": [-90, 90], "lon": [-180, 180]}})]
