"""Checks on purpose-built files: the edges each check must get right."""

import io
import json

from PIL import Image

from conftest import run
from generate import ASCII, UNDEFINED, app1_exif, camera_jpeg, exif_block, insert_segments, jpeg_bytes, scene


def report_for(tmp_path, name, data, *args):
    path = tmp_path / name
    path.write_bytes(data)
    result = run("verify", "--json", "--fail-on", "never", "--now", "2026-01-01T00:00:00Z", *args, path)
    return json.loads(result.stdout)["files"][0]


def ids(report):
    return {f["id"] for f in report["findings"]}


def with_thumbnail(thumbnail: Image.Image) -> bytes:
    tiff = exif_block({0x010F: (ASCII, "Canon"), 0x0110: (ASCII, "Canon EOS R6")},
                      thumbnail=jpeg_bytes(thumbnail, quality=70))
    return insert_segments(jpeg_bytes(scene(0)), app1_exif(tiff))


def test_letterboxed_rotated_and_mirrored_thumbnails_still_match(tmp_path):
    picture = scene(0).resize((160, 120))
    letterboxed = Image.new("RGB", (160, 160))
    letterboxed.paste(picture, (0, 20))
    for name, thumb in {"letterbox": letterboxed, "rotated": picture.rotate(90, expand=True),
                        "mirrored": picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
                        "low_quality": picture.resize((40, 30)).resize((160, 120))}.items():
        report = report_for(tmp_path, f"{name}.jpg", with_thumbnail(thumb))
        assert "exif.thumbnail_mismatch" not in ids(report), name


def test_cropped_or_changed_picture_is_caught(tmp_path):
    report = report_for(tmp_path, "other.jpg", with_thumbnail(scene(1).resize((160, 120))))
    finding = next(f for f in report["findings"] if f["id"] == "exif.thumbnail_mismatch")
    assert finding["severity"] == "high" and finding["evidence"]["similarity"] < finding["evidence"]["threshold"]


def test_mpf_images_are_not_trailing_data(tmp_path):
    out = io.BytesIO()
    scene(0).save(out, "MPO", save_all=True, append_images=[scene(1)])
    report = report_for(tmp_path, "stereo.jpg", out.getvalue())
    assert report["metadata"]["mpf_images"] == 2
    assert "file.trailing_data" not in ids(report)
    report = report_for(tmp_path, "stereo_plus.jpg", out.getvalue() + b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    trailing = next(f for f in report["findings"] if f["id"] == "file.trailing_data")
    assert "MP4" in trailing["evidence"]["guess"]


def test_zero_padding_after_the_image_is_harmless(tmp_path):
    report = report_for(tmp_path, "padded.jpg", camera_jpeg() + b"\x00" * 4096)
    assert report["metadata"]["trailer"]["padding"] is True
    assert "file.trailing_data" not in ids(report)


def test_gps_time_without_offset_uses_the_zone_allowance(tmp_path):
    # local 09:30 with no offset; GPS 20:30 UTC the day before = local is UTC+13: allowed
    ok = camera_jpeg(offset=None, gps_stamp=("2025:06:13", (20, 30, 0)))
    assert "exif.gps_time_mismatch" not in ids(report_for(tmp_path, "tonga.jpg", ok))
    # GPS 20:30 UTC two days before: no time zone explains 37 hours
    bad = camera_jpeg(offset=None, gps_stamp=("2025:06:12", (20, 30, 0)))
    finding = next(f for f in report_for(tmp_path, "bad.jpg", bad)["findings"] if f["id"] == "exif.gps_time_mismatch")
    assert finding["evidence"]["allowed_hours"] == [-12.0, 14.0]


def test_firmware_strings_are_not_editors(tmp_path):
    for software in ("Ver.1.02", "HDR+ 1.0.570503588zd", "00WW_3_380_SP02", "Nikon Transfer 1.1 W",
                     "DSLR-A200 v1.00", "Adobe Bridge CS5"):
        report = report_for(tmp_path, "fw.jpg", camera_jpeg(software=software))
        assert "exif.editing_software" not in ids(report), software
    for software in ("Snapseed 2.0", "darktable 4.6.1", "Capture One 23 Windows", "paint.net 5.0"):
        report = report_for(tmp_path, "ed.jpg", camera_jpeg(software=software))
        assert "exif.editing_software" in ids(report), software


def test_maker_note_from_another_vendor(tmp_path):
    note = b"Nikon\x00\x02\x10\x00\x00" + b"\x00" * 32  # a Nikon maker note in a file that says Canon
    tiff = exif_block({0x010F: (ASCII, "Canon"), 0x0110: (ASCII, "Canon EOS R6")},
                      {0x927C: (UNDEFINED, note), 0x9003: (ASCII, "2025:06:14 09:30:12")})
    report = report_for(tmp_path, "vendor.jpg", insert_segments(jpeg_bytes(scene(0)), app1_exif(tiff)))
    finding = next(f for f in report["findings"] if f["id"] == "exif.make_model")
    assert finding["evidence"] == {"make": "Canon", "makernote_vendor": "Nikon"}
