"""Video verification on corpus clips and generated ones: container facts, findings, bad input."""

import json
import shutil

import pytest

from conftest import run, verify_json
from generate import DJI_SRT, clip
from mediavet.exitcodes import ExitCode


def findings(report):
    return {f["id"]: f for f in report["findings"]}


def test_phone_clip_facts_rotation_and_location(corpus):
    _, document = verify_json(corpus / "video" / "iPhone6_with-gps.mov")
    report = document["files"][0]
    assert report["format"] == "quicktime"
    assert (report["width"], report["height"]) == (320, 568)  # stored 568x320, rotated for display
    assert report["facts"]["camera"] == "Apple iPhone 6"
    assert report["facts"]["capture_time"] == "2019-07-24T11:25:40+03:00"
    assert report["facts"]["capture_time_source"] == "QuickTime CreationDate"
    assert report["facts"]["gps"]["lat"] == pytest.approx(32.0929) and report["facts"]["gps"]["lon"] == pytest.approx(34.862)
    assert "video.location" in findings(report)
    assert report["metadata"]["video"]["rotation"] == -90


def test_gopro_telemetry_is_named(corpus):
    _, document = verify_json(corpus / "video" / "GoPro_Max_heromode.mp4")
    report = document["files"][0]
    gpmf = [f for f in report["findings"] if f["id"] == "video.telemetry" and f["evidence"]["kind"] == "GoPro GPMF"]
    assert gpmf and gpmf[0]["severity"] == "warn"
    assert {"GPS track", "accelerometer", "gyroscope"} <= set(gpmf[0]["evidence"]["reveals"])
    assert report["facts"]["camera"] == "GoPro Max"


def test_reencoded_and_edited_clips(corpus):
    _, document = verify_json(corpus / "video" / "isom-avc1.mp4", corpus / "video" / "xmp480qt.mov",
                              corpus / "video" / "sample_mpeg4.mp4")
    ffmpeg, after_effects, plain = (findings(r) for r in document["files"])
    assert "FFmpeg" in ffmpeg["video.editing_software"]["message"]
    assert "0,0" in ffmpeg["video.location"]["message"]
    assert "Adobe After Effects" in after_effects["video.editing_software"]["message"]
    assert "video.editing_software" not in plain


def test_claims_apply_to_video(corpus):
    path = corpus / "video" / "with-gps.mp4"
    _, far = verify_json(path, "--claimed-location", "48.8584,2.2945", "--claimed-time", "2017-02-22T09:00:00Z")
    report = findings(far["files"][0])
    assert report["claim.location_mismatch"]["severity"] == "high"  # London, not Paris
    assert "claim.time_mismatch" not in report  # 08:20 UTC is within a day of 09:00
    _, near = verify_json(path, "--claimed-location", "51.42,-0.08", "--claimed-time", "2019-01-01T00:00:00Z")
    assert set(findings(near["files"][0])) >= {"claim.time_mismatch"}
    assert "claim.location_mismatch" not in findings(near["files"][0])


def test_companion_files_beside_a_clip_or_photo(corpus, tmp_path):
    (tmp_path / "DJI_0001.MP4").write_bytes(clip())
    (tmp_path / "DJI_0001.SRT").write_text(DJI_SRT)
    _, document = verify_json(tmp_path / "DJI_0001.MP4")
    companion = findings(document["files"][0])["file.companion"]
    assert companion["severity"] == "warn" and companion["evidence"]["first_position"] == [48.8584, 2.2945]
    for name in ("IMG_4120.JPG", "IMG_4120.AAE"):
        shutil.copy(corpus / "phash" / name, tmp_path / name)
    _, photo = verify_json(tmp_path / "IMG_4120.JPG")
    assert "Apple edit" in findings(photo["files"][0])["file.companion"]["message"]


def test_bad_video_input_is_one_clear_error_each(tmp_path, corpus):
    data = (corpus / "video" / "with-gps.mp4").read_bytes()
    (tmp_path / "truncated.mp4").write_bytes(data[:2000])
    (tmp_path / "empty.mp4").write_bytes(b"")
    (tmp_path / "random.mov").write_bytes(b"\x00\x00\x00\x14ftypqt  " + bytes(range(256)) * 20)
    _audio_only(tmp_path / "voice.m4a")
    (tmp_path / "good.mp4").write_bytes(clip())
    result = run("verify", "--json", "--fail-on", "never", tmp_path)
    assert result.exit_code == ExitCode.INPUT_ERROR
    reports = {r["path"].rsplit("/", 1)[1]: r for r in json.loads(result.stdout)["files"]}
    assert reports["good.mp4"]["error"] is None
    for name in ("truncated.mp4", "empty.mp4", "random.mov", "voice.m4a"):
        assert reports[name]["error"]["kind"] in ("empty", "corrupt", "truncated", "unsupported"), reports[name]
        assert "\n" not in reports[name]["error"]["message"]
    assert "audio-only" in reports["voice.m4a"]["error"]["message"]


def _audio_only(path):
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000)
        samples = (np.sin(np.arange(16000) / 10) * 10000).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_audit_reports_what_a_clip_carries(corpus):
    result = run("audit", "--json", corpus / "video" / "GoPro_Max_heromode.mp4")
    assert result.exit_code == ExitCode.FINDINGS
    ids = {f["id"] for f in json.loads(result.stdout)["files"][0]["findings"]}
    assert {"audit.gps", "audit.telemetry", "audit.dates"} <= ids
