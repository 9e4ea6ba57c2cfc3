"""An order is paid in one wallet payment, so no order may come to more than one payment moves.

The price cap (¥10,000,000) times the per-order limit (up to 10,000) would allow far more; the
shop refuses it where it is set (a SKU's price, a product's limit) and where an order takes
shape (cart, buy now, checkout), instead of taking an order that payment then refuses.
"""

import json
import re
from contextlib import contextmanager

import pytest
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.models import CartLine, Order, Product, Sku
from infoconnect.shop.tests.conftest import ledger_snapshot, make_address, make_product
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import Payment

pytestmark = pytest.mark.django_db

CAP = actions.MAX_PRICE  # ¥10,000,000 a unit
LARGEST = wallet_actions.MAX_AMOUNT  # ¥10,000,000,000: the most one payment moves
PRICE_MESSAGE = (
    "With at most 1001 per order, a price may be at most ¥9,990,009.99: one payment moves at "
    "most ¥10,000,000,000.00."
)
LIMIT_MESSAGE = (
    "With a SKU at ¥10,000,000.00, at most 1000 fit in one order: one payment moves at most "
    "¥10,000,000,000.00."
)
ORDER_MESSAGE = (
    "One order may come to at most ¥10,000,000,000.00, the most one payment moves; order fewer "
    "of these items."
)


@contextmanager
def refused(code: str, status: int):
    with pytest.raises(DomainError) as info:
        yield info
    assert (info.value.code, info.value.status) == (code, status)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_post(client, url, data, key=None, method="post"):
    headers = {"Idempotency-Key": key} if key else {}
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def fund_largest(person) -> None:
    """A wallet holding one largest payment (more than any top-up brings in one go)."""
    payment = Payment.objects.create(
        user_id=person.pk, amount=LARGEST, provider="sandbox", provider_ref=f"big-{person.pk}"
    )
    wallet_actions.complete_topup(payment_id=payment.pk)


@pytest.fixture
def gold(merchant):
    """Two SKUs at the price cap, and a limit that lets one of them fill a payment."""
    product, bar = make_product(
        merchant, title="Gold bar", price=CAP, stock=3000, max_per_order=1000, weight="1kg"
    )
    coin = actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"weight": "2kg"}, price=CAP,
        stock=10,
    )  # fmt: skip
    return product, bar, coin


def test_the_largest_order_is_the_largest_payment():
    assert actions.largest_order_total() == LARGEST == 10**12
    assert CAP * 10_000 > LARGEST  # why the shop has to check at all


# --- setting a price or a limit ------------------------------------------------------------


def test_a_price_and_limit_that_one_payment_covers_are_accepted(merchant, gold):
    product, bar, coin = gold
    assert (bar.price, coin.price, product.max_per_order) == (CAP, CAP, 1000)
    product = actions.update_product(
        merchant=merchant, product_id=product.pk, title="Gold bar", max_per_order=1000
    )
    assert product.max_per_order * CAP == LARGEST
    pin, sku = make_product(merchant, title="Pin", price=100_000_000, max_per_order=10_000)
    assert pin.max_per_order * sku.price == LARGEST  # ¥1,000,000 × 10,000


def test_a_price_too_high_for_the_limit_is_refused(merchant, gold):
    product, bar, coin = gold
    Product.objects.filter(pk=product.pk).update(max_per_order=1001)
    before = list(Sku.objects.order_by("pk").values_list("pk", "price", "attributes"))
    with refused("invalid_price", 422) as error:
        actions.add_sku(
            merchant=merchant, product_id=product.pk, attributes={"weight": "3kg"}, price=CAP,
            stock=1,
        )  # fmt: skip
    assert error.value.message == PRICE_MESSAGE
    with refused("invalid_price", 422):
        actions.update_sku(
            merchant=merchant, sku_id=bar.pk, attributes={"weight": "5kg"}, price=CAP
        )
    # Off sale or not: a SKU put back on sale later must still be payable.
    with refused("invalid_price", 422):
        actions.update_sku(
            merchant=merchant, sku_id=coin.pk, attributes={}, price=CAP, is_active=False
        )
    assert list(Sku.objects.order_by("pk").values_list("pk", "price", "attributes")) == before
    # One fen less than a 1001st of the largest payment fits.
    sku = actions.update_sku(merchant=merchant, sku_id=bar.pk, attributes={}, price=LARGEST // 1001)
    assert sku.price * 1001 <= LARGEST


def test_a_limit_too_high_for_the_prices_is_refused(merchant, gold):
    product, _bar, _coin = gold
    with refused("validation_error", 422) as error:
        actions.update_product(
            merchant=merchant, product_id=product.pk, title="Renamed", max_per_order=1001
        )
    assert error.value.message == LIMIT_MESSAGE
    assert error.value.fields == {"max_per_order": [LIMIT_MESSAGE]}
    product.refresh_from_db()
    assert (product.title, product.max_per_order) == ("Gold bar", 1000)
    # An off-sale SKU counts too: putting it back on sale needs no second check to be safe.
    Sku.objects.filter(product=product).update(is_active=False)
    with refused("validation_error", 422):
        actions.update_product(
            merchant=merchant, product_id=product.pk, title="Gold bar", max_per_order=5000
        )
    Sku.objects.filter(product=product).update(price=CAP // 10)
    product = actions.update_product(
        merchant=merchant, product_id=product.pk, title="Gold bar", max_per_order=10_000
    )
    assert product.max_per_order == 10_000


def test_only_the_merchant_sets_prices_and_limits(make_user, buyer, merchant, gold):
    product, bar, _coin = gold
    rival = make_user("rival", kind="merchant", verified=True)
    with refused("sku_not_found", 404):
        actions.update_sku(merchant=rival, sku_id=bar.pk, attributes={}, price=1)
    with refused("product_not_found", 404):
        actions.update_product(merchant=rival, product_id=product.pk, title="Mine", max_per_order=1)
    with refused("not_a_merchant", 403):
        actions.add_sku(merchant=buyer, product_id=product.pk, attributes={}, price=1, stock=1)
    assert Sku.objects.get(pk=bar.pk).price == CAP
    assert Product.objects.get(pk=product.pk).max_per_order == 1000


# --- orders taking shape -----------------------------------------------------------------


def test_a_cart_from_one_shop_fits_in_one_payment(make_user, buyer, merchant, gold):
    _product, bar, coin = gold
    line = actions.add_to_cart(person=buyer, sku_id=bar.pk, quantity=1000)
    # Another shop's items are another order: they do not count against this one.
    other = make_user("other", kind="merchant", verified=True)
    _scarf, scarf_sku = make_product(other, title="Scarf", price=CAP)
    actions.add_to_cart(person=buyer, sku_id=scarf_sku.pk, quantity=1)
    with refused("quantity_limit", 422) as error:
        actions.add_to_cart(person=buyer, sku_id=coin.pk, quantity=1)
    assert error.value.message == ORDER_MESSAGE
    assert CartLine.objects.filter(sku=coin).count() == 0
    actions.set_cart_quantity(person=buyer, line_id=line.pk, quantity=999)
    coin_line = actions.add_to_cart(person=buyer, sku_id=coin.pk, quantity=1)
    with refused("quantity_limit", 422):
        actions.set_cart_quantity(person=buyer, line_id=coin_line.pk, quantity=2)
    with refused("quantity_limit", 422):
        actions.add_to_cart(person=buyer, sku_id=bar.pk, quantity=1)
    assert dict(CartLine.objects.values_list("sku_id", "quantity")) == {
        bar.pk: 999,
        coin.pk: 1,
        scarf_sku.pk: 1,
    }


def test_checkout_refuses_an_order_no_payment_covers(buyer, merchant, gold):
    """Prices can rise after the items went into the cart: checkout checks again."""
    _product, bar, coin = gold
    address = make_address(buyer)
    actions.add_to_cart(person=buyer, sku_id=bar.pk, quantity=999)
    actions.add_to_cart(person=buyer, sku_id=coin.pk, quantity=1)
    # Written past the actions, as a price set before the shop checked this would be.
    Sku.objects.filter(pk=coin.pk).update(price=CAP + 1)
    before = ledger_snapshot()
    with refused("quantity_limit", 422) as error:
        actions.checkout(buyer=buyer, address_id=address.pk, key="k", pay=True)
    assert error.value.message == ORDER_MESSAGE
    assert Order.objects.count() == 0
    assert CartLine.objects.filter(cart__person=buyer).count() == 2
    assert dict(Sku.objects.values_list("pk", "stock")) == {bar.pk: 3000, coin.pk: 10}
    assert ledger_snapshot() == before
    # At exactly the largest payment, the order is placed and paid.
    Sku.objects.filter(pk=coin.pk).update(price=CAP)
    fund_largest(buyer)
    [order] = actions.checkout(buyer=buyer, address_id=address.pk, key="k2", pay=True)
    assert (order.total, order.state) == (LARGEST, "paid")


def test_buy_now_refuses_an_order_no_payment_covers(buyer, merchant, gold):
    _product, bar, _coin = gold
    address = make_address(buyer)
    Sku.objects.filter(pk=bar.pk).update(price=CAP + 1)  # set before the shop checked this
    with refused("quantity_limit", 422):
        actions.buy_now(buyer=buyer, sku_id=bar.pk, quantity=1000, address_id=address.pk, key="b")
    assert Order.objects.count() == 0
    assert Sku.objects.get(pk=bar.pk).stock == 3000
    order = actions.buy_now(
        buyer=buyer, sku_id=bar.pk, quantity=999, address_id=address.pk, key="b2"
    )
    assert order.total == 999 * (CAP + 1)


# --- web pages -----------------------------------------------------------------------------


def test_web_forms_refuse_what_no_payment_covers(buyer, merchant, gold):
    product, bar, _coin = gold
    client = client_for(merchant)
    response = client.post(
        f"/shop/manage/products/{product.pk}/",
        {"title": "Gold bar", "description": "", "max_per_order": 1001},
    )
    assert response.status_code == 422
    assert response.context["form"].errors == {"max_per_order": [LIMIT_MESSAGE]}
    assert LIMIT_MESSAGE in text(response)
    Product.objects.filter(pk=product.pk).update(max_per_order=1001)
    prefix = f"sku-{bar.pk}"
    response = client.post(
        f"/shop/manage/skus/{bar.pk}/",
        {f"{prefix}-attributes": "weight: 1kg", f"{prefix}-price": "10000000", f"{prefix}-is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 422
    assert response.context["skus"][0][1].errors == {"price": [PRICE_MESSAGE]}
    response = client.post(
        f"/shop/manage/products/{product.pk}/skus/",
        {"attributes": "weight: 3kg", "price": "10000000", "stock": 1},
        follow=True,
    )
    assert flash(response) == [PRICE_MESSAGE]
    assert Sku.objects.filter(product=product).count() == 2
    assert Product.objects.get(pk=product.pk).max_per_order == 1001
    assert Sku.objects.get(pk=bar.pk).price == CAP

    Product.objects.filter(pk=product.pk).update(max_per_order=1000)
    actions.add_to_cart(person=buyer, sku_id=bar.pk, quantity=1000)
    response = client_for(buyer).post(
        "/shop/cart/add/",
        {"sku": _coin.pk, "quantity": 1, "next": f"/shop/p/{product.pk}/"},
        follow=True,
    )
    assert flash(response) == [ORDER_MESSAGE]
    assert CartLine.objects.count() == 1


# --- the API -------------------------------------------------------------------------------


def test_api_refuses_what_no_payment_covers(api_client, buyer, merchant, gold):
    product, bar, coin = gold
    client = api_client(merchant)
    response = api_post(
        client,
        f"/api/v1/products/{product.pk}",
        {"title": "Gold bar", "max_per_order": 1001},
        method="patch",
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": LIMIT_MESSAGE,
        "code": "validation_error",
        "fields": {"max_per_order": [LIMIT_MESSAGE]},
    }
    Product.objects.filter(pk=product.pk).update(max_per_order=1001)
    response = api_post(
        client, f"/api/v1/products/{product.pk}/skus", {"attributes": {}, "price": CAP}
    )
    assert (response.status_code, response.json()) == (
        422,
        {"error": PRICE_MESSAGE, "code": "invalid_price"},
    )
    response = api_post(
        client, f"/api/v1/skus/{bar.pk}", {"attributes": {}, "price": CAP}, method="patch"
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_price")
    assert Sku.objects.filter(product=product).count() == 2
    assert Sku.objects.get(pk=bar.pk).price == CAP

    Product.objects.filter(pk=product.pk).update(max_per_order=1000)
    address = make_address(buyer)
    shopper = api_client(buyer)
    added = api_post(shopper, "/api/v1/cart/lines", {"sku_id": bar.pk, "quantity": 1000})
    assert added.status_code == 201
    response = api_post(shopper, "/api/v1/cart/lines", {"sku_id": coin.pk, "quantity": 1})
    assert (response.status_code, response.json()) == (
        422,
        {"error": ORDER_MESSAGE, "code": "quantity_limit"},
    )
    Sku.objects.filter(pk=bar.pk).update(price=CAP + 1)
    response = api_post(shopper, "/api/v1/checkout", {"address_id": address.pk}, key="c1")
    assert (response.status_code, response.json()["code"]) == (422, "quantity_limit")
    response = api_post(
        shopper,
        "/api/v1/checkout",
        {"address_id": address.pk, "sku_id": bar.pk, "quantity": 1000, "pay": True},
        key="c2",
    )
    assert (response.status_code, response.json()["code"]) == (422, "quantity_limit")
    assert Order.objects.count() == 0
    assert Sku.objects.get(pk=bar.pk).stock == 3000
