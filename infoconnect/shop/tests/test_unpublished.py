"""An unpublished (draft) product exists for its merchant only: every path that takes its SKU
answers as for a SKU that does not exist, and none shows its title or price."""

import json

import pytest
from django.test import Client

from infoconnect.shop import actions
from infoconnect.shop.models import CartLine, Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(merchant):
    product = actions.create_product(
        merchant=merchant, title="Secret spring line", description="Not yet.", max_per_order=3
    )
    sku = actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"colour": "jade"}, price=77_700,
        stock=5,
    )  # fmt: skip
    return product, sku


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_checkout_preview_of_a_draft_is_not_found(buyer, draft):
    _product, sku = draft
    response = logged_in(buyer).get(f"/shop/checkout/?sku={sku.pk}")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Secret spring line" not in page and "777.00" not in page


def test_the_checkout_preview_of_an_archived_product_is_not_found(buyer, merchant, scarf):
    product, sku = scarf
    actions.archive_product(merchant=merchant, product_id=product.pk)
    assert logged_in(buyer).get(f"/shop/checkout/?sku={sku.pk}").status_code == 404


def test_buying_a_draft_now_is_not_found_and_places_nothing(buyer, draft, address):
    _product, sku = draft
    client = logged_in(buyer)
    response = client.post(
        f"/shop/checkout/?sku={sku.pk}", {"sku": sku.pk, "address": address.pk, "key": "k-1"}
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_adding_a_draft_to_the_cart_answers_as_for_a_missing_sku(buyer, draft, api_client):
    _product, sku = draft
    response = api_client(buyer).post(
        "/api/v1/cart/lines",
        data=json.dumps({"sku_id": sku.pk, "quantity": 1}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["code"] == "sku_not_found"
    missing = api_client(buyer).post(
        "/api/v1/cart/lines",
        data=json.dumps({"sku_id": sku.pk + 1000, "quantity": 1}),
        content_type="application/json",
    )
    assert missing.json()["code"] == "sku_not_found"
    page = logged_in(buyer).post("/shop/cart/add/", {"sku": sku.pk, "quantity": 1}, follow=True)
    assert "Secret spring line" not in page.content.decode()
    assert not CartLine.objects.exists()


def test_the_merchant_still_previews_their_own_draft(merchant, draft):
    product, sku = draft
    assert logged_in(merchant).get(f"/shop/p/{product.pk}/").status_code == 200
    response = logged_in(merchant).get(f"/shop/checkout/?sku={sku.pk}")
    assert response.status_code != 404


def test_anonymous_and_others_do_not_see_the_draft_product_page(buyer, draft, api_client):
    product, _sku = draft
    assert Client().get(f"/shop/p/{product.pk}/").status_code == 404
    assert logged_in(buyer).get(f"/shop/p/{product.pk}/").status_code == 404
    assert api_client(buyer).get(f"/api/v1/products/{product.pk}").status_code == 404
    assert api_client().get(f"/api/v1/products/{product.pk}/reviews").status_code == 404
