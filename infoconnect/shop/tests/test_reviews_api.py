"""The reviews API: a product's reviews for anyone (paged, photos filter), a buyer's review of a
completed line with photos, its change within 30 days, the merchant's one reply; errors with
codes, and nobody reviews or answers what is not theirs."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from infoconnect.shop.actions import reviews
from infoconnect.shop.models import Review, ReviewPhoto
from infoconnect.shop.tests.conftest import png_bytes
from infoconnect.shop.tests.test_reviews import completed_order

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")


@pytest.fixture
def line(buyer, merchant, scarf):
    return completed_order(buyer, merchant, scarf[1]).lines.get()


def test_buyer_posts_a_review_with_photos(api_client, buyer, line, scarf):
    response = api_client(buyer).post(
        f"/api/v1/order_lines/{line.pk}/review",
        {"rating": "5", "text": "Lovely", "photos": [photo(), photo()]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rating"], body["text"], body["product_id"]) == (5, "Lovely", scarf[0].pk)
    assert (body["order_line_id"], body["reviewer"], body["variant"]) == (
        line.pk,
        "a***e",
        "colour: red",
    )
    assert len(body["photos"]) == 2 and body["photos"][0]["thumbnail_url"].endswith(".jpg")
    assert body["reply"] == "" and body["edited_at"] is None


@pytest.mark.parametrize(
    "data, status, code",
    [
        ({"rating": "0"}, 422, "invalid_rating"),
        ({"rating": "five"}, 422, "validation_error"),
        ({"text": "no rating"}, 422, "validation_error"),
        ({"rating": "4", "text": "x" * 2001}, 422, "review_too_long"),
    ],
)
def test_bad_input_is_a_422_with_a_code(api_client, buyer, line, data, status, code):
    response = api_client(buyer).post(f"/api/v1/order_lines/{line.pk}/review", data)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Review.objects.exists()


def test_too_many_or_bad_photos(api_client, buyer, line):
    client = api_client(buyer)
    response = client.post(
        f"/api/v1/order_lines/{line.pk}/review",
        {"rating": "5", "photos": [photo() for _ in range(7)]},
    )
    assert (response.status_code, response.json()["code"]) == (422, "too_many_photos")
    bad = SimpleUploadedFile("x.png", b"nope", content_type="image/png")
    response = client.post(
        f"/api/v1/order_lines/{line.pk}/review", {"rating": "5", "photos": [bad]}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_photo")
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_who_may_not_review(api_client, make_user, merchant, buyer, line):
    path = f"/api/v1/order_lines/{line.pk}/review"
    assert api_client().post(path, {"rating": "5"}).status_code == 401
    for who in (make_user("mallory"), merchant):
        response = api_client(who).post(path, {"rating": "5"})
        assert (response.status_code, response.json()["code"]) == (404, "order_line_not_found")
    assert api_client(buyer).post(path, {"rating": "5"}).status_code == 201
    again = api_client(buyer).post(path, {"rating": "1"})
    assert (again.status_code, again.json()["code"]) == (409, "review_exists")
    assert Review.objects.get().rating == 5


def test_patch_within_30_days(api_client, make_user, buyer, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=2, text="Small")
    client = api_client(buyer)
    path = f"/api/v1/reviews/{review.pk}"
    response = client.patch(path, {"rating": 4}, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["text"]) == (4, "Small")
    assert response.json()["edited_at"] is not None
    unknown = client.patch(path, {"stars": 5}, content_type="application/json")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "validation_error")
    other = api_client(make_user("mallory")).patch(
        path, {"rating": 1}, content_type="application/json"
    )
    assert (other.status_code, other.json()["code"]) == (404, "review_not_found")
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(days=31))
    late = client.patch(path, {"text": "Later"}, content_type="application/json")
    assert (late.status_code, late.json()["code"]) == (409, "review_edit_closed")
    assert Review.objects.get().text == "Small"


def test_merchant_replies_once(api_client, make_user, buyer, merchant, line):
    review = reviews.review_line(buyer=buyer, line_id=line.pk, rating=3)
    path = f"/api/v1/reviews/{review.pk}/reply"
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    response = rival.post(path, {"text": "Hi"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "review_not_found")
    client = api_client(merchant)
    empty = client.post(path, {"text": " "}, content_type="application/json")
    assert (empty.status_code, empty.json()["code"]) == (422, "reply_empty")
    done = client.post(path, {"text": "Thanks"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["reply"] == "Thanks"
    again = client.post(path, {"text": "More"}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "already_replied")


def test_anyone_lists_a_products_reviews_paged(
    api_client, admin_user, make_user, merchant, scarf, buyer, line
):
    product, sku = scarf
    first = reviews.review_line(buyer=buyer, line_id=line.pk, rating=5, photos=[photo()])
    other = make_user("bob")
    second_line = completed_order(other, merchant, sku, key="b").lines.get()
    second = reviews.review_line(buyer=other, line_id=second_line.pk, rating=3)
    path = f"/api/v1/products/{product.pk}/reviews"
    listed = api_client().get(path)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()] == [second.pk, first.pk]
    page = api_client().get(path, {"limit": 1})
    assert [r["id"] for r in page.json()] == [second.pk]
    assert f"max_id={second.pk}" in page["Link"] and 'rel="next"' in page["Link"]
    photos = api_client().get(path, {"with_photos": "true"})
    assert [r["id"] for r in photos.json()] == [first.pk]
    reviews.set_reviews_hidden(operator=admin_user, review_ids=[second.pk], hidden=True)
    assert [r["id"] for r in api_client().get(path).json()] == [first.pk]
    missing = api_client().get("/api/v1/products/999999/reviews")
    assert (missing.status_code, missing.json()["code"]) == (404, "product_not_found")
