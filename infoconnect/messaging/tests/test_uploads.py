"""Campaign images through core.images: clean, under a generated name, served as images."""

import re

from django.test import Client
from django.views.static import serve

from infoconnect.core.tests.images import TRAILER, assert_clean, gif_bytes, photo_with_gps, upload
from infoconnect.messaging.models import Campaign

MB = 1024 * 1024


def _stored(campaign) -> bytes:
    campaign.refresh_from_db()
    with campaign.image.open("rb") as stored:
        return stored.read()


def test_a_campaign_image_loses_its_exif_gps_over_the_api(api_client, merchant, campaign):
    response = api_client(merchant).post(
        f"/api/v1/campaigns/{campaign.pk}/image",
        {"file": upload(photo_with_gps() + TRAILER, "IMG_0001.JPG")},
    )
    assert response.status_code == 200, response.content
    assert re.fullmatch(r"/media/campaigns/[0-9a-f]{24}\.jpg", response.json()["image_url"])
    assert_clean(_stored(campaign))


def test_a_campaign_image_loses_its_exif_gps_from_the_web_form(merchant):
    web = Client()
    web.force_login(merchant)
    response = web.post(
        "/messages/campaigns/new/",
        {"title": "Spring sale", "body": "20% off", "image": upload(photo_with_gps())},
    )
    assert response.status_code == 302
    assert_clean(_stored(Campaign.objects.get()))


def test_a_gif_named_promo_pdf_is_stored_and_served_as_png(
    settings, rf, api_client, merchant, campaign
):
    response = api_client(merchant).post(
        f"/api/v1/campaigns/{campaign.pk}/image",
        {"file": upload(gif_bytes(), "promo.pdf", "application/pdf")},
    )
    assert response.status_code == 200, response.content
    url = response.json()["image_url"]
    assert url.endswith(".png") and "promo" not in url
    # Served as the media view (and a proxy) serves it: by the stored name's extension.
    served = serve(rf.get(url), url.removeprefix("/media/"), document_root=settings.MEDIA_ROOT)
    assert served["Content-Type"] == "image/png"
    assert_clean(b"".join(served.streaming_content))


def test_a_campaign_image_over_its_limit_is_refused_and_nothing_stored(
    settings, api_client, merchant, campaign
):
    big = upload(photo_with_gps() + b"\0" * (6 * MB), "big.jpg")
    response = api_client(merchant).post(f"/api/v1/campaigns/{campaign.pk}/image", {"file": big})
    assert response.status_code == 413
    assert response.json() == {
        "error": "The image must be at most 5 MB.",
        "code": "image_too_large",
    }
    campaign.refresh_from_db()
    assert campaign.image.name == ""
    assert not (settings.MEDIA_ROOT / "campaigns").exists()
