"""--claimed-time and --claimed-location against what the file records."""

import json

from conftest import SAMPLES, run

CAMERA = SAMPLES / "clean_camera.jpg"  # 2025-06-14 09:30:12+03:00 at 48.8584, 2.2945 (Paris)
STRIPPED = SAMPLES / "metadata_none.jpg"


def findings(*args):
    result = run("verify", "--json", "--fail-on", "never", "--now", "2026-01-01T00:00:00Z", *args)
    return {f["id"]: f for f in json.loads(result.stdout)["files"][0]["findings"]}


def test_claims_consistent_with_the_file():
    found = findings("--claimed-time", "2025-06-14T08:00:00+02:00", "--claimed-location", "48.86,2.35", CAMERA)
    assert "claim.time_mismatch" not in found and "claim.location_mismatch" not in found


def test_time_claim_contradicted():
    found = findings("--claimed-time", "2025-06-20T09:00:00+03:00", CAMERA)
    finding = found["claim.time_mismatch"]
    assert finding["severity"] == "high"
    assert abs(finding["evidence"]["difference_hours"]) > 24
    assert finding["evidence"]["tolerance_hours"] == 24


def test_time_tolerance_is_honoured():
    found = findings("--claimed-time", "2025-06-15T09:30:00+03:00", "--time-tolerance", "2d", CAMERA)
    assert "claim.time_mismatch" not in found
    found = findings("--claimed-time", "2025-06-14T12:30:00+03:00", "--time-tolerance", "90m", CAMERA)
    assert found["claim.time_mismatch"]["evidence"]["tolerance_hours"] == 1.5


def test_location_claim_contradicted_with_distance_in_evidence():
    found = findings("--claimed-location", "51.5074,-0.1278", CAMERA)  # London
    evidence = found["claim.location_mismatch"]["evidence"]
    assert 330 < evidence["distance_km"] < 350  # Paris-London great circle
    assert evidence["tolerance_km"] == 25
    assert "claim.location_mismatch" not in findings("--claimed-location", "51.5074,-0.1278",
                                                     "--distance-tolerance-km", "400", CAMERA)


def test_claims_without_evidence_are_warnings():
    found = findings("--claimed-time", "2025-06-14T09:00:00Z", "--claimed-location", "48.86,2.35", STRIPPED)
    assert found["claim.time_mismatch"]["severity"] == "warn"
    assert found["claim.location_mismatch"]["severity"] == "warn"


def test_bad_claim_values_are_usage_errors():
    assert run("verify", "--claimed-location", "91,0", CAMERA).exit_code == 2
    assert run("verify", "--claimed-time", "yesterday", CAMERA).exit_code == 2
    assert run("verify", "--time-tolerance", "soon", CAMERA).exit_code == 2
