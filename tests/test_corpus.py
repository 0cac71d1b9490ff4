"""Real files from ../shared/corpus (skipped when absent)."""

import json
import shutil
import subprocess

import pytest

from conftest import CORPUS
from mediavet.verify import VerifyOptions, verify_file

ALL_FILES = sorted(p for p in CORPUS.rglob("*") if p.is_file()) if CORPUS.is_dir() else []

# Camera files in exif_jpeg/ that really carry evidence of editing, and what that evidence is.
EXIF_JPEG_EXCEPTIONS = {
    "Canon_40D.jpg": {"exif.editing_software"},  # Software=GIMP 2.4.5
    "Canon_40D_photoshop_import.jpg": {"exif.editing_software"},  # GIMP 2.4.5
    "Canon_DIGITAL_IXUS_400.jpg": {"exif.editing_software"},  # GIMP 2.4.5
    "Canon_EOS_7D_Lightroom.jpg": {"exif.editing_software"},  # Adobe Photoshop Lightroom
    "Canon_EOS_D60_Photoshop7.jpg": {"exif.editing_software"},  # Adobe Photoshop 7.0
    # jpeg.resaved below: every downscaled copy whose maker writes its own tables now has libjpeg's
    "Canon_EOS_REBEL_T3i.jpg": {"exif.dimension_mismatch", "jpeg.resaved"},  # EXIF 5184x3456, file 1152x768
    "Canon_PowerShot_S40.jpg": {"exif.dimension_mismatch", "jpeg.resaved"},  # EXIF 2272x1704, file 480x360
    "FujiFilm_FinePix40i.jpg": {"exif.dimension_mismatch", "jpeg.resaved"},  # EXIF larger than the 600x450 file
    "Fujifilm_FinePix6900ZOOM.jpg": {"exif.editing_software"},  # GIMP
    "Fujifilm_FinePix_E500.jpg": {"exif.editing_software"},  # GIMP
    "Google_Nexus_4.jpg": {"exif.datetime_order", "exif.gps_time_mismatch"},  # Digitized 2002, GPS +27 h
    "Kodak_CX7530.jpg": {"exif.editing_software"},  # GIMP
    "Konica_Minolta_DiMAGE_Z3.jpg": {"exif.editing_software"},  # GIMP
    "Nikon_COOLPIX_P1.jpg": {"exif.editing_software"},  # GIMP
    "Nikon_D5000_Bridge.jpg": {"exif.dimension_mismatch", "jpeg.resaved"},  # EXIF 4288x2848, file 858x570
    "Nikon_D70.jpg": {"exif.editing_software"},  # GIMP
    "Nokia_Lumia_800.jpg": {"exif.editing_software"},  # XMP CreatorTool=Adobe Photoshop Lightroom
    "Olympus_C8080WZ.jpg": {"exif.editing_software"},  # GIMP
    "PaintTool_sample.jpg": {"exif.editing_software"},  # GIMP
    "Panasonic_DMC-FZ30.jpg": {"exif.editing_software"},  # GIMP
    "Pentax_K10D.jpg": {"exif.editing_software"},  # GIMP
    "Photoshop_CS6.jpg": {"exif.editing_software"},  # Adobe Photoshop CS6
    "Polaroid_ION230.jpg": {"exif.datetime_order"},  # DateTimeOriginal 2026 but ModifyDate 2008
    "Ricoh_Caplio_RR330.jpg": {"exif.editing_software"},  # GIMP
    "Samsung_Digimax_i50_MP3.jpg": {"exif.editing_software"},  # GIMP
    "Samsung_Galaxy_S_GT-I9000.jpg": {"exif.gps_invalid"},  # GPS 0,0
    "Sony_DSC-HX5V_gps.jpg": {"exif.dimension_mismatch"},  # EXIF 3648x2736, file 730x547
    "exiforg_kodak-dc240.jpg": {"exif.dimension_mismatch"},  # EXIF 1280x960, file 640x480 (web copy)
    "exiforg_nikon-e950.jpg": {"exif.dimension_mismatch"},  # EXIF 1600x1200, file 800x600
    # EXIF 1280x960, file 640x480: resized by Olympus CAMEDIA Master (an editor, which also explains
    # the re-save), whose copy differs locally from the camera thumbnail it kept (a warning naming it)
    "exiforg_olympus-c960.jpg": {"exif.dimension_mismatch", "exif.editing_software", "exif.thumbnail_mismatch"},
    "exiforg_ricoh-rdc5300.jpg": {"exif.dimension_mismatch"},  # EXIF 1792x1200, file 896x600
    "exiforg_sony-d700.jpg": {"exif.dimension_mismatch"},  # EXIF 1344x1024, file 672x512
    "gps_DSCN0010.jpg": {"exif.gps_time_mismatch", "jpeg.resaved"},  # GPS clock a day after the camera clock
    # (-22 h); the five DSCN files are 640x480 copies in libjpeg tables from a Nikon that writes its own
    "gps_DSCN0021.jpg": {"exif.gps_time_mismatch", "jpeg.resaved"},
    "gps_DSCN0025.jpg": {"exif.gps_time_mismatch", "jpeg.resaved"},
    "gps_DSCN0027.jpg": {"exif.gps_time_mismatch", "jpeg.resaved"},
    "gps_DSCN0042.jpg": {"exif.gps_time_mismatch", "jpeg.resaved"},
    "invalid_image01137.jpg": {"exif.editing_software"},  # XMP from Photoshop (exif:NativeDigest, photoshop:*)
    "invalid_image02206.jpg": {"exif.editing_software"},  # XMP CreatorTool=Adobe Fireworks CS4
    "long_description.jpg": {"exif.editing_software"},  # GIMP
    "orientation_landscape_1.jpg": {"exif.editing_software"},  # XMP CreatorTool=Adobe Photoshop CS5
    "xmp_BlueSquare.jpg": {"exif.editing_software"},  # Adobe Photoshop CS2
    "xmp_no_exif.jpg": {"exif.editing_software"},  # Adobe Photoshop CC
}


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_corpus_file_is_reported_without_a_crash(path):
    report = verify_file(path, VerifyOptions())
    assert not any(f.id == "mediavet.check_error" for f in report.findings), report.findings
    if report.error:
        assert report.error["kind"] in ("unsupported", "unreadable", "corrupt", "truncated")
        assert path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif", ".tif")
    json.dumps(report.to_json(), allow_nan=False)


def test_camera_originals_fire_only_with_evidence(corpus):
    unexpected = {}
    for path in sorted((corpus / "exif_jpeg").glob("*.jpg")):
        report = verify_file(path, VerifyOptions())
        assert report.error is None, path.name
        fired = {f.id for f in report.findings if f.severity >= 2}
        if fired != EXIF_JPEG_EXCEPTIONS.get(path.name, set()):
            unexpected[path.name] = fired
    assert not unexpected


def test_stubs_show_borrowed_metadata(corpus):
    """exif_stubs/ are 8x8 images carrying a real camera's metadata and a dummy thumbnail."""
    for name in ("Apple_iPhone7.jpg", "Canon_1DmkIII.jpg", "Nikon_D2Hs.jpg", "Pentax_K10D.jpg", "GoPro_HERO6.jpg"):
        fired = {f.id for f in verify_file(corpus / "exif_stubs" / name).findings}
        assert {"exif.dimension_mismatch", "exif.thumbnail_mismatch"} <= fired, name


@pytest.mark.parametrize("name", ["sd_automatic1111.jpg", "sd_automatic1111.png", "sd_comfyui_img2img.png",
                                  "sd_comfyui_unclip_2pass.png", "sd_fooocus.png", "sd_invokeai_dream.png",
                                  "sd_invokeai_sdmeta.png", "sd_novelai.png"])
def test_generator_metadata_is_found(corpus, name):
    finding = [f for f in verify_file(corpus / "png_webp" / name).findings if f.id == "provenance.ai_generated"]
    assert finding and finding[0].evidence["found"]


def test_specific_corpus_facts(corpus):
    jpeg_as_png = verify_file(corpus / "png_webp" / "this-is-a-jpeg.png")
    assert "file.type_mismatch" in {f.id for f in jpeg_as_png.findings}
    heic = verify_file(corpus / "heic" / "iphone_15_pro.heic")
    assert heic.format == "heif" and heic.facts["camera"] == "Apple iPhone 15 Pro" and heic.facts["gps"]
    stub = verify_file(corpus / "exif_stubs" / "XMP.jpg")  # UTF-16 XMP packet
    assert stub.metadata["xmp"]["state"] == "ok" and stub.metadata["xmp"]["fields"]["dc:creator"] == "Phil Harvey"
    iptc = verify_file(corpus / "exif_stubs" / "IPTC.jpg")
    assert iptc.metadata["iptc"]
    photomechanic = verify_file(corpus / "exif_stubs" / "PhotoMechanic.jpg")
    assert photomechanic.metadata["trailer"]["size"] > 0
    c2pa = verify_file(corpus / "c2pa" / "C.jpg")
    assert c2pa.metadata["c2pa"] is True
    assert verify_file(corpus / "c2pa" / "IMG_0003.jpg").metadata["c2pa"] is False
    lumia = verify_file(corpus / "exif_jpeg" / "Nokia_Lumia_800.jpg")
    assert lumia.facts["capture_time"]


@pytest.mark.skipif(shutil.which("exiftool") is None, reason="exiftool not installed")
def test_metadata_agrees_with_exiftool(corpus):
    """ExifTool as an independent oracle for make, model, capture time and GPS."""
    files = sorted((corpus / "exif_jpeg").glob("*.jpg"))
    proc = subprocess.run(["exiftool", "-json", "-n", "-Make", "-Model", "-DateTimeOriginal", "-GPSLatitude",
                           "-GPSLongitude", "-Orientation", *map(str, files)], capture_output=True, text=True)
    oracle = {item["SourceFile"]: item for item in json.loads(proc.stdout)}
    compared = 0
    for path in files:
        truth, ours = oracle[str(path)], verify_file(path)
        if "Make" in truth:
            assert ours.facts["make"] == str(truth["Make"]).strip(), path.name
        if "Model" in truth:
            assert ours.facts["model"] == str(truth["Model"]).strip(), path.name
        if isinstance(truth.get("GPSLatitude"), (int, float)) and ours.facts["gps"]:
            assert abs(ours.facts["gps"]["lat"] - truth["GPSLatitude"]) < 1e-5, path.name
            assert abs(ours.facts["gps"]["lon"] - truth["GPSLongitude"]) < 1e-5, path.name
            compared += 1
        if truth.get("DateTimeOriginal") and ours.facts["capture_time_source"] == "EXIF DateTimeOriginal":
            assert ours.facts["capture_time"][:19].replace("T", " ") == truth["DateTimeOriginal"].replace(":", "-", 2)[:19]
    assert compared >= 8
