"""Quantization tables: libjpeg's standard tables name their quality; other tables get an estimate."""

import io

import pytest
from PIL import Image

from generate import scene
from mediavet.jpeg_quality import LUMINANCE, estimate, scaled


@pytest.mark.parametrize("quality", [10, 35, 50, 75, 92, 100])
def test_standard_tables_name_the_quality(quality):
    out = io.BytesIO()
    scene(0).save(out, "JPEG", quality=quality)
    assert estimate(Image.open(io.BytesIO(out.getvalue())).quantization) == {"quality": quality,
                                                                             "standard_tables": True}


def test_own_tables_get_an_estimate_not_a_match():
    camera_like = [max(1, value - 1 + (index % 3)) for index, value in enumerate(scaled(LUMINANCE, 90))]
    out = io.BytesIO()
    scene(0).save(out, "JPEG", qtables=[camera_like, camera_like])
    found = estimate(Image.open(io.BytesIO(out.getvalue())).quantization)
    assert found["standard_tables"] is False and 85 <= found["quality"] <= 95


def test_quality_is_a_fact_in_the_report(corpus):
    from conftest import verify_json

    _, document = verify_json(corpus / "exif_jpeg" / "Apple_iPhone_5.jpg")
    assert document["files"][0]["facts"]["jpeg_quality"] == {"quality": 95, "standard_tables": False}
    _, png = verify_json(corpus / "png_webp" / "sd_automatic1111.png")
    assert png["files"][0]["facts"]["jpeg_quality"] is None


def test_resaved_fires_on_standard_tables_from_an_own_table_maker_only(tmp_path):
    from conftest import verify_json
    from generate import app1_exif, camera_exif, camera_jpeg, insert_segments, jpeg_bytes

    canon_resaved = tmp_path / "canon.jpg"
    canon_resaved.write_bytes(insert_segments(jpeg_bytes(scene(0), quality=85), app1_exif(camera_exif(
        make="Canon", model="Canon EOS R5", software="1.0", thumbnail_variant=None))))
    phone = tmp_path / "phone.jpg"
    phone.write_bytes(insert_segments(jpeg_bytes(scene(0), quality=95), app1_exif(camera_exif(
        make="Google", model="Pixel 8", software="HDR+", thumbnail_variant=None))))
    canon_original = tmp_path / "canon-own.jpg"
    canon_original.write_bytes(camera_jpeg(make="Canon", model="Canon EOS R5", software="1.0"))
    _, document = verify_json(canon_resaved, phone, canon_original)
    fired = [any(f["id"] == "jpeg.resaved" for f in r["findings"]) for r in document["files"]]
    assert fired == [True, False, False]
    evidence = [f for f in document["files"][0]["findings"] if f["id"] == "jpeg.resaved"][0]["evidence"]
    assert evidence == {"make": "Canon", "quality": 85, "standard_tables": True}
