"""Product images, review photos and refund evidence through core.images: stored clean under
generated names, and a body over the request cap refused before it is read."""

import re

import pytest
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.views.static import serve

from infoconnect.core.tests.images import (
    TRAILER,
    assert_clean,
    gif_bytes,
    photo_with_gps,
    png_with_text,
    upload,
)
from infoconnect.shop import actions
from infoconnect.shop.models import ProductImage

GENERATED = r"[0-9a-f]{24}\.(jpg|png|webp)"
MB = 1024 * 1024


def read_stored(field) -> bytes:
    with field.open("rb") as stored:
        return stored.read()


def test_a_product_image_loses_its_exif_gps_and_camera_tags(merchant, scarf):
    product, _sku = scarf
    image = actions.add_product_image(
        merchant=merchant, product_id=product.pk, upload=upload(photo_with_gps() + TRAILER)
    )
    assert re.fullmatch(rf"products/\d{{4}}/\d\d/{GENERATED}", image.image.name)
    assert image.image.name.endswith(".jpg")
    assert_clean(read_stored(image.image))
    assert_clean(read_stored(image.thumbnail))


def test_product_images_over_the_api_are_clean_and_served_as_images(
    settings, rf, api_client, merchant, scarf
):
    product, _sku = scarf
    client = api_client(merchant)
    for data, name, fmt in (
        (photo_with_gps(), "IMG_0001.JPG", "image/jpeg"),
        (png_with_text(), "drawing.png", "image/png"),
        (gif_bytes(), "promo.pdf", "image/png"),
    ):
        response = client.post(
            f"/api/v1/products/{product.pk}/images", {"file": upload(data, name)}
        )
        assert response.status_code == 201, response.content
        stored = ProductImage.objects.get(pk=response.json()["id"])
        assert re.search(GENERATED + "$", stored.image.name)
        assert name.split(".")[0] not in stored.image.name
        assert_clean(read_stored(stored.image))
        served = serve(rf.get(stored.image.url), stored.image.name, settings.MEDIA_ROOT)
        assert served["Content-Type"] == fmt


def test_the_web_form_stores_a_product_image_clean(merchant, scarf):
    product, _sku = scarf
    web = Client()
    web.force_login(merchant)
    response = web.post(
        f"/shop/manage/products/{product.pk}/images/",
        {"image": upload(photo_with_gps(), "x.pdf", "application/pdf")},
    )
    assert response.status_code == 302
    assert_clean(read_stored(ProductImage.objects.get(product=product).image))


@pytest.fixture
def body_never_parsed(monkeypatch):
    def parse(self):
        raise AssertionError("the body was read")

    monkeypatch.setattr(MultiPartParser, "parse", parse)


def test_a_40_mb_product_image_is_refused_before_its_body_is_read(
    settings, api_client, merchant, scarf, body_never_parsed
):
    product, _sku = scarf
    huge = upload(photo_with_gps() + b"\0" * (40 * MB), "huge.jpg")
    response = api_client(merchant).post(f"/api/v1/products/{product.pk}/images", {"file": huge})
    assert response.status_code == 413
    assert response.json() == {
        "error": "An upload may be at most 10 MB.",
        "code": "image_too_large",
    }
    assert response["Connection"] == "close"
    assert not ProductImage.objects.exists()
    assert not (settings.MEDIA_ROOT / "products").exists()


def test_the_web_form_refuses_a_40_mb_body_with_a_page(
    settings, merchant, scarf, body_never_parsed
):
    product, _sku = scarf
    web = Client()
    web.force_login(merchant)
    response = web.post(
        f"/shop/manage/products/{product.pk}/images/",
        {"image": upload(b"\0" * (40 * MB), "huge.jpg")},
        headers={"Accept-Language": "zh-hans"},
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert 'data-error-code="image_too_large"' in page
    assert "上传的文件最大为 10 MB。" in page
    assert not ProductImage.objects.exists()


def test_a_product_image_over_its_own_limit_but_under_the_cap_is_refused(
    settings, api_client, merchant, scarf
):
    settings.MAX_UPLOAD_BYTES = 20 * MB
    product, _sku = scarf
    big = upload(photo_with_gps() + b"\0" * (11 * MB), "big.jpg")
    response = api_client(merchant).post(f"/api/v1/products/{product.pk}/images", {"file": big})
    assert (response.status_code, response.json()["code"]) == (413, "image_too_large")
    assert response.json()["error"] == "The image must be at most 10 MB."
    assert not ProductImage.objects.exists()


def test_a_small_request_passes_the_cap(api_client, merchant, scarf):
    product, _sku = scarf
    response = api_client(merchant).post(
        f"/api/v1/products/{product.pk}/images", {"file": upload(photo_with_gps())}
    )
    assert response.status_code == 201


def test_who_may_not_add_an_image_is_still_told_so(api_client, make_user, buyer, scarf):
    product, _sku = scarf
    rival = make_user("rival", kind="merchant", verified=True)
    response = api_client(rival).post(
        f"/api/v1/products/{product.pk}/images", {"file": upload(photo_with_gps())}
    )
    assert response.status_code == 404
    assert not ProductImage.objects.exists()
