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
