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


def _reencode(source, target, scale=2, skip_seconds=2.0):
    """The clip re-encoded smaller, its first seconds cut: how footage is recycled."""
    import av

    with av.open(str(source)) as inp, av.open(str(target), "w", format="mp4") as out:
        video = inp.streams.video[0]
        stream = out.add_stream("mpeg4", rate=video.average_rate)
        stream.width, stream.height = video.codec_context.width // scale, video.codec_context.height // scale
        stream.pix_fmt = "yuv420p"
        for frame in inp.decode(video):
            if frame.time is not None and frame.time < skip_seconds:
                continue
            pixels = frame.reformat(width=stream.width, height=stream.height, format="rgb24").to_ndarray()
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)


def test_footage_seen_before_is_recognised_with_its_second(corpus, tmp_path):
    db = tmp_path / "index.db"
    original = corpus / "video" / "short_hamilton_clip.mp4"
    assert run("index", "add", original, "--db", db, "--label", "hamilton 2017").exit_code == 0
    stats = json.loads(run("index", "stats", "--json", "--db", db).stdout)
    assert stats["items"] >= 3  # one entry per keyframe
    assert "already" in run("index", "add", original, "--db", db).stdout
    copy = tmp_path / "tip.mp4"
    _reencode(original, copy)
    result, document = verify_json(copy, "--index", db)
    match = findings(document["files"][0])["duplicate.match"]
    assert match["evidence"]["label"] == "hamilton 2017"
    assert "at" in match["evidence"] and "entry_at" in match["evidence"]
    assert " s" in match["message"]
    answer = json.loads(run("index", "query", copy, "--json", "--db", db).stdout)["results"][0]
    assert answer["matches"][0]["label"] == "hamilton 2017" and answer["matches"][0]["at"] is not None
    unrelated = tmp_path / "other.mp4"
    unrelated.write_bytes(clip())
    _, other = verify_json(unrelated, "--index", db)
    assert "duplicate.match" not in findings(other["files"][0])


def test_version_1_index_is_upgraded_in_place(tmp_path):
    import sqlite3

    from mediavet.archive.index import APPLICATION_ID, HashIndex

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript("CREATE TABLE items (id INTEGER PRIMARY KEY, sha256 TEXT, pixels TEXT, label TEXT NOT NULL "
                         "DEFAULT '', source TEXT, path TEXT, added TEXT NOT NULL); CREATE TABLE hashes (item_id "
                         "INTEGER, algo TEXT, bits INTEGER, value BLOB, quality INTEGER); CREATE TABLE keypoints "
                         "(item_id INTEGER PRIMARY KEY, width INTEGER, height INTEGER, xy BLOB, descriptors BLOB);")
        db.execute("INSERT INTO items (sha256, label, added) VALUES ('ab', 'old entry', '2025-01-01')")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
    index = HashIndex(path)
    assert index.db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert index.exact("ab")[0]["label"] == "old entry"
    index.close()
