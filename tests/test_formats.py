"""Every file under the given paths is accounted for: what mediavet reads is verified and
copied, a picture, clip or recording it does not read is an `unsupported` error naming the
format found in its bytes (exit 3), and the rest (notes, archives, sidecars) is listed."""

import json
import wave
import zipfile

import pytest

from conftest import run, verify_json
from generate import jpeg_bytes, scene
from mediavet.exitcodes import ExitCode


@pytest.fixture
def card(tmp_path):
    """A source's memory card: a photo, media mediavet does not read, and other files."""
    folder = tmp_path / "card"
    (folder / "DCIM").mkdir(parents=True)
    (folder / "DCIM" / "photo.jpg").write_bytes(jpeg_bytes(scene(1)))
    (folder / "DCIM" / ".hidden.jpg").write_bytes(jpeg_bytes(scene(2)))  # hidden: still a photo
    (folder / "DCIM" / "edit.psd").write_bytes(b"8BPS\x00\x01" + bytes(200))
    with wave.open(str(folder / "DCIM" / "voice.wav"), "wb") as voice:  # a recording: media, not read
        voice.setnchannels(1), voice.setsampwidth(2), voice.setframerate(8000)
        voice.writeframes(bytes(1600))
    (folder / "notes.txt").write_text("met the source on Tuesday\n")
    (folder / "meta.json").write_text('{"source": "name"}')
    with zipfile.ZipFile(folder / "backup.zip", "w") as archive:
        archive.writestr("a.txt", "b")
    return folder


def test_verify_names_every_file_it_does_not_read(card):
    result, data = verify_json(card, "--fail-on", "never")
    assert result.exit_code == ExitCode.INPUT_ERROR
    errors = {f["path"].rsplit("/", 1)[-1]: f["error"] for f in data["files"] if f["error"]}
    assert errors["edit.psd"] == {"kind": "unsupported", "message": "unsupported format: Photoshop PSD"}
    assert errors["voice.wav"]["message"] == "unsupported format: WAV audio"
    assert {f["path"].rsplit("/", 1)[-1] for f in data["files"] if not f["error"]} == {"photo.jpg", ".hidden.jpg"}
    listed = {item["path"].rsplit("/", 1)[-1]: item["format"] for item in data["not_media"]}
    assert listed == {"notes.txt": "plain text", "meta.json": "JSON text",
                      "backup.zip": "ZIP archive (or a document packed as one)"}
    assert "3 files under the paths are not media and were not verified" in result.stderr
    terminal = run("verify", card, "--fail-on", "never")
    assert "2 unsupported" in terminal.stdout


def test_redact_leaves_nothing_unmentioned(card, tmp_path):
    result = run("redact", card, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "edit.psd: error: unsupported format: Photoshop PSD" in result.stderr
    assert "notes.txt: not copied: not media (plain text)" in result.stderr
    assert "2 written" in result.stderr + result.stdout and "3 not media (not copied)" in result.stderr + result.stdout


def test_messages_are_the_same_from_run_to_run(tmp_path):
    (tmp_path / "noise.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    first = verify_json(tmp_path / "noise.jpg")[1]["files"][0]["error"]
    second = verify_json(tmp_path / "noise.jpg")[1]["files"][0]["error"]
    assert first == second and " at 0x" not in first["message"]


PILLOW_FORMATS = {  # what a camera, scanner or editor writes: Pillow's name, options, extension
    "bmp": ("BMP", {}, ".bmp"), "netpbm": ("PPM", {}, ".ppm"), "jpeg2000": ("JPEG2000", {}, ".jp2"),
    "jxl": ("JXL", {"exif": True}, ".jxl"), "bigtiff": ("TIFF", {"big_tiff": True, "exif": True}, ".tif"),
    "avif": ("AVIF", {"exif": True}, ".avif"),
}


@pytest.mark.parametrize("name", sorted(PILLOW_FORMATS))
def test_more_picture_formats_are_verified_copied_and_audited(tmp_path, name):
    import shutil
    import subprocess

    from generate import camera_exif
    from PIL import Image

    if name == "jxl":
        import pillow_jxl  # noqa: F401
    pil_name, options, extension = PILLOW_FORMATS[name]
    source = tmp_path / f"tip{extension}"
    if options.pop("exif", False):
        options["exif"] = b"Exif\x00\x00" + camera_exif(thumbnail_variant=None)
    scene(3).save(source, pil_name, **options)
    result, data = verify_json(source, "--fail-on", "never")
    report = data["files"][0]
    assert result.exit_code == ExitCode.OK and report["error"] is None, report["error"]
    assert report["format"] == ("tiff" if name == "bigtiff" else name) and [report["width"], report["height"]] == [320, 240]
    if "exif" in options:
        assert report["facts"]["camera"] == "NIKON CORPORATION NIKON D5300" and report["facts"]["gps"]
        audited = run("audit", "--json", source)
        assert {"audit.gps", "audit.device"} <= {f["id"] for f in json.loads(audited.stdout)["files"][0]["findings"]}
    copied = run("redact", source, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    copy = tmp_path / "shared" / ("safe-0001.jpg" if name == "avif" else "safe-0001.png")
    assert Image.open(copy).size == (320, 240)
    assert run("audit", copy).exit_code == ExitCode.OK
    if shutil.which("exiftool"):  # the oracle finds nothing of the camera in the copy
        shown = subprocess.run(["exiftool", "-a", "-u", "-G1", str(copy)], capture_output=True, text=True).stdout
        assert "NIKON" not in shown and "GPS" not in shown


def test_an_avif_is_turned_as_its_container_says_and_never_taken_for_a_video(tmp_path):
    """Phones rotate AVIF stills with the container's irot box (Pillow carries it as the EXIF
    orientation); AVIF brands without 'avif' as the major brand are still pictures."""
    from PIL import Image

    from generate import camera_exif

    upright = tmp_path / "turned.avif"
    exif = Image.Exif()
    exif.load(b"Exif\x00\x00" + camera_exif(thumbnail_variant=None))
    exif[0x0112] = 6  # shown turned a quarter clockwise: Pillow writes it as irot
    scene(3).save(upright, "AVIF", exif=exif.tobytes())
    assert b"irot" in upright.read_bytes()
    _, data = verify_json(upright, "--fail-on", "never")
    assert [data["files"][0]["width"], data["files"][0]["height"]] == [240, 320]
    copied = run("redact", upright, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    assert Image.open(tmp_path / "shared" / "safe-0001.jpg").size == (240, 320)
    brands = upright.read_bytes()
    tile = tmp_path / "tile.avif"  # as some tile servers write it: mif1 first, avif among the compatible brands
    at = brands.index(b"ftyp") + 4
    tile.write_bytes(brands[:at] + b"mif1" + brands[at + 4:])
    _, data = verify_json(tile, "--fail-on", "never")
    assert data["files"][0]["format"] == "avif" and data["files"][0]["error"] is None


def test_metadata_in_jpeg_xl_and_jpeg_2000_boxes_is_audited(tmp_path):
    from PIL import Image

    import pillow_jxl  # noqa: F401

    jxl = tmp_path / "a.jxl"
    scene(1).save(jxl, "JXL", exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00\x00\x00")
    jp2 = tmp_path / "b.jp2"
    scene(1).save(jp2, "JPEG2000")
    data = jp2.read_bytes()
    xml = b"<note>Li Wei, dormitory 3</note>"
    (tmp_path / "c.jp2").write_bytes(data + len(b"xxxxxxxx" + xml).to_bytes(4, "big") + b"xml " + xml)
    assert Image.open(tmp_path / "c.jp2").size == (320, 240)
    result = run("audit", "--json", jxl, jp2, tmp_path / "c.jp2")
    found = {f["path"].rsplit("/", 1)[-1]: " ".join(g["message"] for g in f["findings"])
             for f in json.loads(result.stdout)["files"]}
    assert "box Exif" in found["a.jxl"]
    assert "OpenJPEG" in found["b.jp2"]  # the codestream's comment names the software
    assert "box xml" in found["c.jp2"]


CAMERA_VIDEO = {  # container: (ffmpeg format and codec options, extension, whether it keeps a title)
    "mpegts": (["-c:v", "libx264", "-f", "mpegts"], ".mts", False),
    "m2ts": (["-c:v", "libx264", "-f", "mpegts", "-mpegts_m2ts_mode", "1"], ".m2ts", False),
    "asf": (["-c:v", "wmv2", "-f", "asf"], ".wmv", True),
    "flv": (["-c:v", "flv", "-f", "flv"], ".flv", True),
    "dv": (["-s", "720x576", "-r", "25", "-pix_fmt", "yuv420p", "-c:v", "dvvideo", "-f", "dv"], ".dv", False),
}


@pytest.mark.parametrize("name", sorted(CAMERA_VIDEO))
def test_camera_video_containers_are_verified_copied_and_audited(tmp_path, name):
    import shutil
    import subprocess

    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg writes the test clips")
    options, extension, keeps_title = CAMERA_VIDEO[name]
    source = tmp_path / f"clip{extension}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1",
                    "-metadata", "title=Li Wei, dormitory 3", *options, str(source)], check=True)
    result, data = verify_json(source, "--fail-on", "never")
    report = data["files"][0]
    assert result.exit_code == ExitCode.OK and report["error"] is None, report["error"]
    assert report["format"] == ("mpegts" if name == "m2ts" else name)
    audited = json.loads(run("audit", "--json", source).stdout)["files"][0]
    if keeps_title:
        assert "Li Wei" in json.dumps(audited["findings"])
    copied = run("redact", source, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    copy = tmp_path / "shared" / "safe-0001.mp4"
    assert run("audit", copy).exit_code == ExitCode.OK
    if shutil.which("exiftool"):
        shown = subprocess.run(["exiftool", "-a", "-u", str(copy)], capture_output=True, text=True).stdout
        assert "Li Wei" not in shown


@pytest.mark.parametrize("extension", [".mts", ".m2ts"])
def test_avchd_camera_statements_inside_the_h264_stream_are_read_and_never_travel(tmp_path, extension):
    """Sony and Panasonic camcorders write make, model, recording time and GPS only in the
    H.264 stream's MDPM (no container tag): verify reports them, audit flags them, the safe
    copy carries none (ExifTool, which decodes MDPM, is the oracle)."""
    import shutil
    import subprocess

    from generate import avchd_clip

    source = tmp_path / f"00001{extension}"
    source.write_bytes(avchd_clip(m2ts=extension == ".m2ts"))
    if shutil.which("exiftool"):  # the generated MDPM is what ExifTool reads in camera files
        shown = subprocess.run(["exiftool", "-ee", "-a", str(source)], capture_output=True, text=True).stdout
        assert "HDR-CX405" in shown and "2025:06:14 23:40:00+08:00" in shown
    result, data = verify_json(source, "--fail-on", "never")
    report = data["files"][0]
    assert report["error"] is None, report["error"]
    assert report["facts"]["camera"] == "Sony HDR-CX405"
    assert report["facts"]["capture_time"] == "2025-06-14T23:40:00+08:00"
    assert report["facts"]["capture_time_source"] == "AVCHD MDPM recording time"
    gps = report["facts"]["gps"]
    assert (gps["lat"], gps["lon"], gps["source"]) == (40.1292, 124.3947, "H.264 stream MDPM (AVCHD)")
    assert "video.location" in {f["id"] for f in report["findings"]}
    audited = json.loads(run("audit", "--json", source).stdout)["files"][0]
    assert {"audit.gps", "audit.device", "audit.dates"} <= {f["id"] for f in audited["findings"]}
    copied = run("redact", source, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    copy = tmp_path / "shared" / "safe-0001.mp4"
    assert run("audit", copy).exit_code == ExitCode.OK
    if shutil.which("exiftool"):
        shown = subprocess.run(["exiftool", "-ee", "-a", "-G1", str(copy)], capture_output=True, text=True).stdout
        assert "HDR-CX405" not in shown and "Sony" not in shown and "GPS" not in shown and "2025:06:14" not in shown


def test_a_damaged_jpeg_that_decodes_is_verified_and_copied(corpus, tmp_path):
    """Junk between two segments (a card write error): decoders skip it, so verify says where
    the damage is and redact makes a fresh copy; the strict walk still applies to the copy."""
    import struct

    data = (corpus / "exif_jpeg" / "Canon_40D.jpg").read_bytes()
    pos = 2
    while data[pos + 1] != 0xDB:  # to the quantization tables
        pos += 2 + struct.unpack(">H", data[pos + 2:pos + 4])[0]
    damaged = tmp_path / "damaged.jpg"
    damaged.write_bytes(data[:pos] + b"\x00\x13\x37junk" + data[pos:])
    result, report = verify_json(damaged, "--fail-on", "never")
    (entry,) = report["files"]
    assert entry["error"] is None and result.exit_code == ExitCode.OK
    (finding,) = [f for f in entry["findings"] if f["id"] == "file.damaged"]
    assert finding["severity"] == "warn" and f"no marker at byte {pos}" in finding["message"]
    copied = run("redact", damaged, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    assert run("audit", tmp_path / "shared").exit_code == ExitCode.OK
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(data[: len(data) // 2])  # damage that costs the picture is still refused
    assert verify_json(truncated)[1]["files"][0]["error"]["kind"] == "truncated"


@pytest.mark.parametrize("damage", ["no trailer", "cut comment", "unknown block"])
def test_a_damaged_gif_whose_picture_is_whole_is_verified_and_copied(corpus, tmp_path, damage):
    """Damage after the picture (a lost trailer, a comment cut short, a stray byte where a
    block should start): decoders show the whole picture, so verify says where the damage is
    and redact makes a fresh copy; damage inside the picture's data is still refused."""
    data = (corpus / "exif_stubs" / "GIF.gif").read_bytes()
    assert data.endswith(b"\x00;")  # the last image's data, then the trailer
    body = data[:-1]
    damaged = tmp_path / "damaged.gif"
    damaged.write_bytes({"no trailer": body, "cut comment": body + b"\x21\xfe\x40cut",
                         "unknown block": body + b"\x99\x00;"}[damage])
    result, report = verify_json(damaged, "--fail-on", "never")
    (entry,) = report["files"]
    assert entry["error"] is None and result.exit_code == ExitCode.OK, entry["error"]
    (finding,) = [f for f in entry["findings"] if f["id"] == "file.damaged"]
    assert "malformed GIF after its 1 image" in finding["message"]
    copied = run("redact", damaged, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    assert run("audit", tmp_path / "shared").exit_code == ExitCode.OK
    truncated = tmp_path / "truncated.gif"
    truncated.write_bytes(data[:-20])
    error = verify_json(truncated)[1]["files"][0]["error"]
    assert error["kind"] == "truncated" and "inside the image" in error["message"]


def test_a_dng_is_verified_and_copied_from_its_sensor_data(tmp_path):
    import shutil
    import subprocess

    import numpy as np
    from generate import dng
    from PIL import Image

    source = tmp_path / "DSC_0042.dng"
    source.write_bytes(dng())
    result, data = verify_json(source, "--fail-on", "never")
    report = data["files"][0]
    assert report["error"] is None and report["format"] == "raw" and [report["width"], report["height"]] == [320, 240]
    assert report["facts"]["camera"] == "NIKON CORPORATION NIKON D5300" and report["facts"]["gps"]["lat"] == 48.8584
    audited = {f["id"] for f in json.loads(run("audit", "--json", source).stdout)["files"][0]["findings"]}
    assert {"audit.gps", "audit.serial", "audit.device"} <= audited
    copied = run("redact", source, "-o", tmp_path / "shared", "--no-faces", "--no-text", "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    copy = Image.open(tmp_path / "shared" / "safe-0001.png")
    assert copy.size == (320, 240)
    seen = np.asarray(copy.convert("L"), dtype=float)
    drawn = np.asarray(scene(5).convert("L"), dtype=float)
    # the demosaiced sensor data (0.82 measured: the colour matrix and white balance change the tones)
    assert np.corrcoef(seen.ravel(), drawn.ravel())[0, 1] > 0.75
    assert run("audit", tmp_path / "shared").exit_code == ExitCode.OK
    if shutil.which("exiftool"):
        shown = subprocess.run(["exiftool", "-a", "-u", str(tmp_path / "shared" / "safe-0001.png")],
                               capture_output=True, text=True).stdout
        assert "NIKON" not in shown and "GPS" not in shown and "3004417" not in shown


def test_a_raw_copy_keeps_16_bits_outside_what_is_covered_and_is_jpeg_when_asked(tmp_path):
    import cv2
    import numpy as np
    from generate import dng
    from PIL import Image

    source = tmp_path / "DSC_0042.dng"
    source.write_bytes(dng())
    copied = run("redact", source, "-o", tmp_path / "deep", "--region", "40,30,100,80", "--no-faces", "--no-text",
                 "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    deep = cv2.imread(str(tmp_path / "deep" / "safe-0001.png"), cv2.IMREAD_UNCHANGED)
    assert deep.dtype == np.uint16 and deep.shape == (240, 320, 3)
    outside = deep[150:, 180:]
    assert (outside % 257 != 0).mean() > 0.5  # the sensor's depth, not 8-bit values scaled up
    covered = deep[30:110, 40:140]
    assert (covered % 257 == 0).all()  # a covered area holds nothing but the covered 8-bit picture
    assert float(covered.std()) < 257 * 2  # and that is the cover, not the scene
    assert run("audit", tmp_path / "deep").exit_code == ExitCode.OK
    copied = run("redact", source, "-o", tmp_path / "jpeg", "--format", "jpeg", "--no-faces", "--no-text",
                 "--no-codes")
    assert copied.exit_code == ExitCode.OK, copied.output
    assert Image.open(tmp_path / "jpeg" / "safe-0001.jpg").size == (320, 240)


@pytest.mark.parametrize("kind", ["CR3", "RAF", "ORF", "RW2", "MRW"])
def test_raw_metadata_kept_outside_a_plain_tiff_is_read(tmp_path, kind):
    """Canon CR3 keeps its EXIF in CMT boxes, Fujifilm RAF in an embedded JPEG, Olympus ORF
    and Panasonic RW2 in TIFFs under their own magic numbers, Minolta MRW in a TTW block: make, model, serial and GPS
    are read from all of them (here from their metadata alone; ExifTool reads the same)."""
    import shutil
    import subprocess

    from generate import cr3_stub, dng, mrw_stub, raf_stub

    from mediavet.media import probe

    def little_endian_tiff():
        import io

        from generate import camera_exif

        out = io.BytesIO()
        scene(3).save(out, "TIFF", exif=b"Exif\x00\x00" + camera_exif(thumbnail_variant=None))
        assert out.getvalue()[:4] == b"II*\x00"
        return out.getvalue()

    data = {"CR3": cr3_stub, "RAF": lambda: raf_stub(make="FUJIFILM", model="X-T4"),
            "ORF": lambda: b"MMOR" + dng()[4:], "RW2": lambda: b"IIU\x00" + little_endian_tiff()[4:],
            "MRW": mrw_stub}[kind]()
    path = tmp_path / f"IMG_0001.{kind}"
    path.write_bytes(data)
    media = probe(path)
    assert media.format == "raw"
    exif, gps = media.metadata.exif, media.metadata.gps
    expected = {"CR3": ("Canon", "Canon EOS R5", 40.1292), "RAF": ("FUJIFILM", "X-T4", 48.8584),
                "ORF": ("NIKON CORPORATION", "NIKON D5300", 48.8584), "RW2": ("NIKON CORPORATION", "NIKON D5300", 48.8584),
                "MRW": ("NIKON CORPORATION", "NIKON D5300", 48.8584)}
    make, model, lat = expected[kind]
    assert (exif.text("Image Make"), exif.text("Image Model"), gps["lat"]) == (make, model, lat)
    if kind == "CR3":
        assert exif.text("EXIF BodySerialNumber") == "042021000123" and exif.text("EXIF DateTimeOriginal")
    if shutil.which("exiftool") and kind in ("CR3", "RAF", "MRW"):
        shown = subprocess.run(["exiftool", "-a", str(path)], capture_output=True, text=True).stdout
        assert model in shown and "GPS Latitude" in shown


@pytest.mark.parametrize("width, height, raw_width, raw_height, size, reason", [
    (1, 1, 1, 1, 40_000_000, "develop 1x1"),  # a Phase One IIQ read as one pixel (the peers' test file)
    (160, 120, 7424, 4924, 40_000_000, "not the picture"),  # a preview taken for the picture
    (7360, 4912, 7424, 4924, 12_000, "sensor data is missing"),  # a metadata stub
])
def test_a_raw_that_does_not_describe_its_picture_is_refused(width, height, raw_width, raw_height, size, reason):
    from mediavet.raw import plausible

    with pytest.raises(ValueError, match=reason):
        plausible(width, height, raw_width, raw_height, size)
    plausible(7360, 4912, 7424, 4924, 40_000_000)  # a real 36 MP NEF's reading passes


def test_a_raw_whose_metadata_is_not_read_says_so_instead_of_claiming_none(tmp_path):
    """Canon CRW (CIFF) metadata is not read: the finding must not say the camera stripped it."""
    from datetime import datetime, timezone

    from mediavet.media import probe
    from mediavet.verify import VerifyOptions
    from mediavet.verify.checks.metadata import no_metadata

    path = tmp_path / "CRW_0001.CRW"
    path.write_bytes(b"II\x1a\x00\x00\x00HEAPCCDR" + bytes(200))
    (finding,) = no_metadata(probe(path), VerifyOptions(now=datetime.now(timezone.utc)))
    assert "not read" in finding.message and "Canon CRW" in finding.message and "stripping" not in finding.message


def test_a_raw_without_its_sensor_data_is_refused_with_the_reason(tmp_path):
    from generate import dng

    stub = tmp_path / "stub.dng"
    stub.write_bytes(dng()[:4000])  # the tags, not the pixels
    error = verify_json(stub)[1]["files"][0]["error"]
    assert error["kind"] == "corrupt" and "sensor data is missing" in error["message"]
    result = run("redact", stub, "-o", tmp_path / "shared")
    assert result.exit_code == ExitCode.INPUT_ERROR and not list((tmp_path / "shared").iterdir())
    cr2 = tmp_path / "IMG_0001.CR2"
    cr2.write_bytes(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(200))
    message = verify_json(cr2)[1]["files"][0]["error"]["message"]
    assert message.startswith("camera RAW: ")


def test_a_heif_coded_in_a_way_libheif_cannot_decode_is_unsupported(corpus, tmp_path):
    """The same HEIC with its images declared as VVC (H.266): an image file, never a video
    error, and the message says which coding it holds."""
    data = (corpus / "heic" / "cheers_1440x960.heic").read_bytes()
    (tmp_path / "vvc.heic").write_bytes(data.replace(b"hvc1", b"vvc1"))
    error = verify_json(tmp_path / "vvc.heic")[1]["files"][0]["error"]
    assert error == {"kind": "unsupported",
                     "message": "unsupported format: HEIF with vvc1 images, which this build's libheif cannot decode"}
    result = run("redact", tmp_path / "vvc.heic", "-o", tmp_path / "shared")
    assert result.exit_code == ExitCode.INPUT_ERROR and "vvc1" in result.stderr


def test_short_notes_that_start_like_a_signature_are_notes(tmp_path):
    """'G' is an MPEG-TS sync byte, 'BM' a bitmap's, 'P1' a Netpbm magic: a short note that
    starts so is still a note, listed as not media, not an unsupported picture or clip."""
    folder = tmp_path / "card"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(jpeg_bytes(scene(1)))
    for name, text in {"gate": "Gate 3 at 10pm, ask for Wei", "bm": "BM said the dorm is locked at 11",
                       "p1": "P1 priority: the night shift photos", "flv": "FLV is the old video format"}.items():
        (folder / name).write_text(text)
    result, data = verify_json(folder, "--fail-on", "never")
    assert result.exit_code == ExitCode.OK and [f["error"] for f in data["files"]] == [None]
    assert {item["path"].rsplit("/", 1)[-1]: item["format"] for item in data["not_media"]} == {
        "gate": "plain text", "bm": "plain text", "p1": "plain text", "flv": "plain text"}
