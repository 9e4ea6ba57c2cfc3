"""Shipping fees: a merchant's fee per order, waived from a threshold, added to each of its
orders at checkout and buy-now, shown on the cart, checkout and order pages and in the API."""

import json
import re

import pytest
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.actions.shipping import set_shipping_policy
from infoconnect.shop.models import Order, ShippingPolicy
from infoconnect.shop.tests.conftest import fund, make_address, make_product, wallet_balance

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', response.content.decode())
    assert found, element_id
    return found[1]


def test_checkout_adds_each_merchants_fee_unless_the_order_ships_free(
    make_user, buyer, merchant, scarf, address
):
    _product, sku = scarf  # ¥129.00
    other = make_user("bolt", kind="merchant", verified=True)
    _p, cheap = make_product(other, title="Pen", price=500)
    set_shipping_policy(merchant=merchant, fee=1_000, free_over=20_000)
    set_shipping_policy(merchant=other, fee=800, free_over=None)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    actions.add_to_cart(person=buyer, sku_id=cheap.pk, quantity=2)
    fund(buyer, 100_000)
    orders = actions.checkout(buyer=buyer, address_id=address.pk, key="k1", pay=True)
    rows = {
        o.merchant_id: (o.shipping_fee, o.discount, o.total)
        for o in Order.objects.filter(pk__in=[o.pk for o in orders])
    }
    assert rows == {merchant.pk: (1_000, 0, 13_900), other.pk: (800, 0, 1_800)}
    # The wallet paid what the orders say, shipping included.
    assert wallet_balance(buyer) == 100_000 - 13_900 - 1_800
    # From ¥200 the merchant's order ships free.
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    (order,) = actions.checkout(buyer=buyer, address_id=address.pk, key="k2")
    assert (order.shipping_fee, order.total) == (0, 25_800)


def test_buy_now_adds_the_fee_and_a_merchant_without_a_policy_ships_free(
    buyer, merchant, scarf, address
):
    _product, sku = scarf
    free = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="a")
    assert (free.shipping_fee, free.total) == (0, 12_900)
    set_shipping_policy(merchant=merchant, fee=600, free_over=None)
    order = actions.buy_now(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="b")
    assert (order.shipping_fee, order.total) == (600, 13_500)
    assert Order.objects.get(pk=order.pk).total == 13_500


def test_shipping_policy_refuses_bad_amounts_and_non_merchants(buyer, merchant):
    with pytest.raises(DomainError) as info:
        set_shipping_policy(merchant=merchant, fee=-1, free_over=None)
    assert (info.value.code, info.value.status) == ("invalid_shipping_fee", 422)
    with pytest.raises(DomainError) as info:
        set_shipping_policy(merchant=merchant, fee=100, free_over=1_000_001)
    assert info.value.code == "invalid_shipping_fee"
    with pytest.raises(DomainError) as info:
        set_shipping_policy(merchant=buyer, fee=100, free_over=None)
    assert (info.value.code, info.value.status) == ("not_a_merchant", 403)
    assert not ShippingPolicy.objects.exists()


def test_merchant_sets_shipping_on_the_products_page(buyer, merchant):
    client = client_for(merchant)
    page = client.get("/shop/manage/products/").content.decode()
    assert 'id="shipping-settings"' in page
    response = client.post("/shop/manage/shipping/", {"fee": "8.50", "free_over": "99"})
    assert response.status_code == 302
    policy = ShippingPolicy.objects.get(merchant=merchant)
    assert (policy.fee, policy.free_over) == (850, 9_900)
    assert 'value="8.50"' in client.get("/shop/manage/products/").content.decode()
    # Bad input changes nothing; a buyer may not set one.
    client.post("/shop/manage/shipping/", {"fee": "-3", "free_over": ""})
    assert ShippingPolicy.objects.get(merchant=merchant).fee == 850
    assert client_for(buyer).post("/shop/manage/shipping/", {"fee": "1"}).status_code == 403
    assert ShippingPolicy.objects.count() == 1


def test_cart_checkout_and_order_pages_show_subtotal_shipping_and_total(
    buyer, merchant, scarf, address
):
    _product, sku = scarf
    set_shipping_policy(merchant=merchant, fee=1_000, free_over=None)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    client = client_for(buyer)
    cart = client.get("/shop/cart/")
    assert [text_of(cart, f"cart-{k}") for k in ("subtotal", "shipping", "total")] == [
        "¥129.00",
        "¥10.00",
        "¥139.00",
    ]
    checkout = client.get("/shop/checkout/")
    assert text_of(checkout, "checkout-total") == "¥139.00"
    (order,) = actions.checkout(buyer=buyer, address_id=address.pk, key="k")
    page = client.get(f"/shop/orders/{order.pk}/")
    assert [text_of(page, f"order-{k}") for k in ("subtotal", "shipping", "total")] == [
        "¥129.00",
        "¥10.00",
        "¥139.00",
    ]


def test_api_shows_subtotal_shipping_discount_and_total(api_client, buyer, merchant, scarf):
    _product, sku = scarf
    set_shipping_policy(merchant=merchant, fee=1_000, free_over=None)
    client = api_client(buyer)
    cart = client.post(
        "/api/v1/cart/lines",
        data=json.dumps({"sku_id": sku.pk, "quantity": 1}),
        content_type="application/json",
    ).json()
    assert {k: cart[k] for k in ("subtotal", "shipping_fee", "discount", "total")} == {
        "subtotal": 12_900,
        "shipping_fee": 1_000,
        "discount": 0,
        "total": 13_900,
    }
    address = make_address(buyer)
    placed = client.post(
        "/api/v1/checkout",
        data=json.dumps({"address_id": address.pk}),
        content_type="application/json",
        headers={"Idempotency-Key": "api-1"},
    ).json()
    order = placed["orders"][0]
    assert {k: order[k] for k in ("subtotal", "shipping_fee", "discount", "total")} == {
        "subtotal": 12_900,
        "shipping_fee": 1_000,
        "discount": 0,
        "total": 13_900,
    }
    assert order["total_display"] == "¥139.00"


def test_a_company_order_pays_the_shipping_fee_from_the_company_wallet(make_user, buyer, merchant):
    from infoconnect.shop.tests.companies import fund_company, place, purchase, verified_company
    from infoconnect.wallet.selectors import company_balance

    _p, sku = make_product(merchant, price=5_000, stock=10)
    set_shipping_policy(merchant=merchant, fee=700, free_over=None)
    company = verified_company(make_user, buyer)
    fund_company(company, buyer, 100_000)
    (order,) = place(buyer, [(sku, 2)], pay=True, company=purchase(company))
    row = Order.objects.get(pk=order.pk)
    assert (row.shipping_fee, row.discount, row.total, row.company_id) == (
        700,
        0,
        10_700,
        company.pk,
    )
    assert company_balance(company_id=company.pk) == 100_000 - 10_700
