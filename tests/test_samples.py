"""The project's own samples: each check has a sample that triggers it, clean samples trigger
nothing, and every sample's report matches its golden file."""

import json

import pytest

from conftest import NOW, ROOT, SAMPLES, run, verify_json
from mediavet.verify.registry import all_checks

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".jpg", ".png", ".mp4"))
CLAIM_CHECKS = {"claim.time_mismatch", "claim.location_mismatch"}  # need --claimed-*; see test_claims.py
# need a signed C2PA manifest (certificates); judged on the corpus's c2pa/ fixtures in test_provenance.py
SIGNED_CHECKS = {"provenance.c2pa", "provenance.c2pa_invalid", "provenance.c2pa_untrusted",
                 "forensics.copy_move", "jpeg.double_compressed"}  # these need --forensics: tests/test_copy_move.py, tests/test_forensics.py


def ids(report):
    return {finding["id"] for finding in report["findings"]}


def test_samples_exist():
    assert len(SAMPLE_FILES) >= 17


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_report_matches_golden(sample, monkeypatch):
    monkeypatch.chdir(ROOT)
    _, document = verify_json(f"samples/{sample.name}")
    golden = json.loads((SAMPLES / f"{sample.stem}.expected.json").read_text())
    assert document["files"][0] == golden


@pytest.mark.parametrize("check_id", sorted(set(all_checks()) - CLAIM_CHECKS - SIGNED_CHECKS))
def test_every_check_has_a_sample_that_triggers_it(check_id):
    stem = check_id.replace(".", "_")
    matches = [p for p in SAMPLE_FILES if p.stem == stem]
    assert matches, f"no sample named {stem}.*"
    _, document = verify_json(matches[0])
    report = document["files"][0]
    assert check_id in ids(report)
    other_checks = ids(report) - {check_id, "metadata.none"}
    assert not other_checks, f"{matches[0].name} also triggers {other_checks}"
    for finding in report["findings"]:
        assert finding["evidence"], f"{finding['id']} has no evidence"


@pytest.mark.parametrize("sample", [p for p in SAMPLE_FILES if p.name.startswith("clean_")], ids=lambda p: p.name)
def test_clean_samples_trigger_nothing(sample):
    _, document = verify_json(sample)
    assert document["files"][0]["findings"] == []
    assert document["files"][0]["error"] is None


def test_directory_run_exit_code_reflects_high_findings(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("verify", "samples", "--now", NOW)
    assert result.exit_code == 1  # samples include high findings and --fail-on defaults to high
    assert "samples/exif_thumbnail_mismatch.jpg" in result.stdout
    assert "generate.py" not in result.stdout and "expected.json" not in result.stdout
    assert run("verify", "samples", "--now", NOW, "--fail-on", "never").exit_code == 0
    assert run("verify", "samples/clean_camera.jpg", "--now", NOW, "--fail-on", "info").exit_code == 0
    assert run("verify", "samples/metadata_none.jpg", "--now", NOW, "--fail-on", "info").exit_code == 1
    assert run("verify", "samples/metadata_none.jpg", "--now", NOW, "--fail-on", "warn").exit_code == 0


def test_future_date_depends_on_now():
    sample = SAMPLES / "exif_datetime_future.jpg"  # captured 2031-03-01 12:00+03:00, no GPS
    _, early = verify_json(sample)
    assert "exif.datetime_future" in ids(early["files"][0])
    late = json.loads(run("verify", "--json", "--now", "2031-03-02T03:00:00Z", sample).stdout)
    assert "exif.datetime_future" not in ids(late["files"][0])
    # the offset is recorded, so the comparison is exact: 12:00+03:00 is 09:00 UTC
    before = json.loads(run("verify", "--json", "--now", "2031-03-01T08:59:00Z", sample).stdout)
    assert "exif.datetime_future" in ids(before["files"][0])
    after = json.loads(run("verify", "--json", "--now", "2031-03-01T09:01:00Z", sample).stdout)
    assert "exif.datetime_future" not in ids(after["files"][0])
