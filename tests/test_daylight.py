"""Light and clock: a daylight exposure when the sun is well below the horizon is flagged;
noon, twilight, a dark exposure and a flash are not; a time without zone is said to be so."""

from datetime import datetime, timezone

import pytest

from conftest import verify_json
from generate import camera_exif, insert_segments, jpeg_bytes, scene, app1_exif

DANDONG = (40.1292, 124.3947)  # UTC+8
SUNNY = {"time": (1, 1000), "f": 8, "iso": 100, "flash": 0}  # EV100 16


def photo(tmp_path, name, *, gps_time, exposure=SUNNY, offset="+08:00", gps=DANDONG, original="2025:06:14 23:40:00"):
    exif = camera_exif(gps=gps, gps_stamp=gps_time, exposure=exposure, offset=offset, original=original,
                       thumbnail_variant=None)
    path = tmp_path / name
    path.write_bytes(insert_segments(jpeg_bytes(scene(2)), app1_exif(exif)))
    return path


def found(path, *args):
    report = verify_json(path, "--fail-on", "never", *args)[1]["files"][0]
    return [f for f in report["findings"] if f["id"].endswith("daylight_mismatch")]


def test_a_sunny_exposure_at_night_is_flagged_with_its_evidence(tmp_path):
    (finding,) = found(photo(tmp_path, "night.jpg", gps_time=("2025:06:14", (15, 40, 0))))  # 23:40 local
    assert finding["id"] == "exif.daylight_mismatch" and finding["severity"] == "warn"
    evidence = finding["evidence"]
    assert evidence["ev100"] == 15.97 and evidence["sun_elevation"] < -20 and evidence["time_source"] == "GPS time"
    assert evidence["thresholds"] == {"daylight_ev100": 12.0, "night_sun_elevation": -6.0}


@pytest.mark.parametrize("name, gps_time, exposure", [
    ("noon", ("2025:06:14", (4, 0, 0)), SUNNY),
    ("twilight", ("2025:06:14", (11, 25, 0)), SUNNY),  # 19:25 local, minutes after sunset
    ("indoors at night", ("2025:06:14", (15, 40, 0)), {"time": (1, 30), "f": 2, "iso": 1600}),  # EV100 3
    ("flash at night", ("2025:06:14", (15, 40, 0)), {**SUNNY, "flash": 1}),
])
def test_what_can_be_true_is_quiet(tmp_path, name, gps_time, exposure):
    assert found(photo(tmp_path, "a.jpg", gps_time=gps_time, exposure=exposure)) == []


def test_a_time_without_zone_is_not_compared_and_says_why(tmp_path):
    path = photo(tmp_path, "local.jpg", gps_time=None, offset=None)
    (finding,) = found(path)
    assert finding["severity"] == "info" and "no time zone" in finding["message"]


def test_the_claim_is_checked_when_the_file_has_no_position(tmp_path):
    path = photo(tmp_path, "claimed.jpg", gps_time=None, gps=None, offset=None)
    assert found(path) == []
    (finding,) = found(path, "--claimed-location", "40.1292,124.3947", "--claimed-time", "2025-06-14T23:40:00+08:00")
    assert finding["id"] == "claim.daylight_mismatch" and finding["evidence"]["position_source"] == "claimed location"


def test_sun_positions_match_known_values():
    from mediavet.verify.checks.daylight import sun

    tropic_noon, _ = sun(23.44, 0.0, datetime(2025, 6, 21, 12, 2, tzinfo=timezone.utc))  # the June solstice
    assert tropic_noon > 89
    london_noon, _ = sun(51.4779, 0.0, datetime(2025, 12, 21, 11, 58, tzinfo=timezone.utc))
    assert abs(london_noon - (90 - 51.4779 - 23.44)) < 0.3  # 15.1° plus a little refraction
    midnight, _ = sun(51.4779, 0.0, datetime(2025, 12, 21, 0, 0, tzinfo=timezone.utc))
    assert midnight < -55


def test_no_corpus_photo_with_position_and_exposure_is_flagged(corpus):
    paths = sorted(p for folder in ("exif_jpeg", "exif_stubs", "heic") for p in (corpus / folder).iterdir()
                   if p.suffix.lower() in (".jpg", ".jpeg", ".heic", ".heif", ".tif", ".dng"))
    result, data = verify_json(*paths, "--fail-on", "never")
    checked = [f for f in data["files"] if f["facts"].get("gps")]
    assert len(checked) >= 5
    flagged = [(f["path"], g["message"]) for f in data["files"] for g in f["findings"]
               if g["id"] == "exif.daylight_mismatch" and g["severity"] != "info"]
    assert flagged == []
