"""API input is taken as sent: a boolean is not a number, a string is not a number, and a body
that is not a JSON object is refused, each with a 422 and nothing written."""

import json

import pytest

from infoconnect.shop.models import CartLine, Product, Sku
from infoconnect.shop.tests.conftest import make_address, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def buyer(make_user):
    return make_user("alice")


def send(client, url, body, method="post", **headers):
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def refused(response, field: str | None = None) -> dict:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error", body
    if field is not None:
        assert field in body["fields"], body
    return body


def test_a_boolean_price_makes_no_sku(api_client, merchant):
    product, _ = make_product(merchant)
    before = Sku.objects.count()
    response = send(api_client(merchant), f"/api/v1/products/{product.pk}/skus", {"price": True})
    refused(response, "price")
    assert Sku.objects.count() == before


def test_a_string_price_makes_no_sku(api_client, merchant):
    product, _ = make_product(merchant)
    response = send(api_client(merchant), f"/api/v1/products/{product.pk}/skus", {"price": "100"})
    refused(response, "price")


def test_a_boolean_price_changes_no_sku(api_client, merchant):
    _, sku = make_product(merchant, price=12_900)
    response = send(api_client(merchant), f"/api/v1/skus/{sku.pk}", {"price": True}, "patch")
    refused(response, "price")
    sku.refresh_from_db()
    assert sku.price == 12_900


def test_a_boolean_delta_adds_no_stock(api_client, merchant):
    _, sku = make_product(merchant, stock=5)
    response = send(api_client(merchant), f"/api/v1/skus/{sku.pk}/stock", {"delta": True})
    refused(response, "delta")
    sku.refresh_from_db()
    assert sku.stock == 5
    # A number still moves it.
    response = send(api_client(merchant), f"/api/v1/skus/{sku.pk}/stock", {"delta": 2})
    assert response.status_code == 200, response.content
    assert response.json()["stock"] == 7


def test_a_string_quantity_is_refused(api_client, merchant, buyer):
    _, sku = make_product(merchant)
    client = api_client(buyer)
    refused(send(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": "2"}), "quantity")
    refused(send(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": True}), "quantity")
    assert not CartLine.objects.exists()
    response = send(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": 2})
    assert response.status_code == 201, response.content


def test_a_string_quantity_at_checkout_is_refused(api_client, merchant, buyer):
    _, sku = make_product(merchant)
    address = make_address(buyer)
    response = send(
        api_client(buyer),
        "/api/v1/checkout",
        {"address_id": address.pk, "sku_id": sku.pk, "quantity": "1"},
        **{"Idempotency-Key": "strict-checkout"},
    )
    refused(response, "quantity")


@pytest.mark.parametrize("body", ["AAA", ["AAA"], 5, None])
def test_a_body_that_is_not_an_object_creates_no_product(api_client, merchant, body):
    response = send(api_client(merchant), "/api/v1/products", body)
    refused(response)
    assert not Product.objects.exists()


def test_an_object_still_creates_a_product(api_client, merchant):
    response = send(api_client(merchant), "/api/v1/products", {"title": "Tea"})
    assert response.status_code == 201, response.content
    assert Product.objects.get().title == "Tea"


def test_dates_are_still_read_from_iso_strings_but_not_from_numbers(api_client, merchant):
    client = api_client(merchant)
    coupon = {
        "title": "Spring",
        "kind": "amount",
        "amount_off": 500,
        "min_spend": 1000,
        "ends_at": "2099-01-01T00:00:00+08:00",
        "total_count": 10,
    }
    refused(send(client, "/api/v1/coupons", {**coupon, "starts_at": 1_700_000_000}), "starts_at")
    response = send(client, "/api/v1/coupons", {**coupon, "starts_at": "2098-01-01T00:00:00Z"})
    assert response.status_code == 201, response.content


def test_mastodon_statuses_take_forms_and_string_ids_but_not_booleans(api_client, buyer):
    client = api_client(buyer)
    first = client.post("/api/v1/statuses", {"status": "Hello from a form"})
    assert first.status_code == 200, first.content
    reply = client.post(
        "/api/v1/statuses", {"status": "A reply", "in_reply_to_id": first.json()["id"]}
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["in_reply_to_id"] == first.json()["id"]
    by_json = send(client, "/api/v1/statuses", {"status": "JSON", "in_reply_to_id": True})
    assert any(name.startswith("in_reply_to_id") for name in refused(by_json)["fields"])
