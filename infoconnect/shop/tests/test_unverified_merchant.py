"""Only a verified merchant sells: when an operator withdraws a verification, the shop's
products leave the listings and nobody can buy them; orders already made go on."""

import re

import pytest
from django.test import Client

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.models import CartLine, Order, OrderLine, Sku
from infoconnect.shop.tests.conftest import fund, ledger_snapshot

pytestmark = pytest.mark.django_db


def _withdraw(merchant) -> None:
    User.objects.filter(pk=merchant.pk).update(is_verified_merchant=False)


def _code(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_a_shop_whose_verification_is_withdrawn_sells_nothing(buyer, merchant, scarf, address):
    product, sku = scarf
    earlier = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="before"
    )
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    fund(buyer, 50_000)
    _withdraw(merchant)
    before = ledger_snapshot()

    assert _code(lambda: actions.add_to_cart(person=buyer, sku_id=sku.pk)) == "not_on_sale"
    buy = actions.buy_now
    assert (
        _code(lambda: buy(buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k"))
        == "not_on_sale"
    )
    assert (
        _code(lambda: actions.checkout(buyer=buyer, address_id=address.pk, key="c", pay=True))
        == "not_on_sale"
    )
    # Nothing was written: no new order or line, the stock and the ledger as they were.
    assert list(Order.objects.values_list("pk", flat=True)) == [earlier.pk]
    assert OrderLine.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4
    assert ledger_snapshot() == before
    assert CartLine.objects.count() == 1

    # The order made before still goes on: the buyer can pay it.
    actions.pay_order(buyer=buyer, order_id=earlier.pk)
    assert Order.objects.get(pk=earlier.pk).state == "paid"


def test_its_products_leave_the_shelves_and_say_not_available(buyer, merchant, scarf):
    product, _sku = scarf
    client = Client()
    client.force_login(buyer)
    assert product.title in client.get("/shop/").content.decode()
    _withdraw(merchant)
    assert product.title not in client.get("/shop/").content.decode()
    assert product.title not in client.get("/shop/", {"q": "silk"}).content.decode()
    assert client.get("/api/v1/products").json() == []
    page = re.sub(r"\s+", " ", client.get(f"/shop/p/{product.pk}/").content.decode())
    assert "Not available right now." in page
    assert "Add to cart" not in page and "Buy now" not in page
    detail = client.get(f"/api/v1/products/{product.pk}").json()
    assert detail["availability"] == "unavailable"


def test_a_verified_merchant_is_back_on_sale(buyer, merchant, scarf, address):
    product, sku = scarf
    _withdraw(merchant)
    User.objects.filter(pk=merchant.pk).update(is_verified_merchant=True)
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="again"
    )
    assert order.total == sku.price
