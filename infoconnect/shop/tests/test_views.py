import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infoconnect.shop import actions
from infoconnect.shop.models import CartLine, Category, Order, Product, Sku
from infoconnect.shop.tests.conftest import (
    fund,
    make_address,
    merchant_balance,
    png_bytes,
    wallet_balance,
)

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def key_of(response) -> str:
    return re.search(r'name="key" value="([^"]+)"', response.content.decode()).group(1)


# --- catalog pages -------------------------------------------------------------------------


def test_browse_search_and_category(merchant, scarf):
    product, _sku = scarf
    scarves = Category.objects.create(name="Scarves", slug="scarves")
    Product.objects.filter(pk=product.pk).update(category=scarves)
    page = text(client_for().get("/shop/"))
    assert "Silk scarf" in page and "¥129.00" in page
    assert "Silk scarf" in text(client_for().get("/shop/?q=silk"))
    assert "No products here yet." in text(client_for().get("/shop/?q=teapot"))
    assert "Silk scarf" in text(client_for().get("/shop/?category=scarves"))
    assert "No products here yet." in text(client_for().get("/shop/?category=mugs"))


def test_merchant_shop_page(merchant, scarf):
    page = text(client_for().get("/shop/acme/"))
    assert "acme shop" in page and "Silk scarf" in page
    assert client_for().get("/shop/nobody/").status_code == 404


def test_product_page_carries_the_campaign(credited_campaigns, buyer, scarf):
    product, sku = scarf
    page = client_for(buyer).get(f"/shop/p/{product.pk}/?campaign=77")
    body = text(page)
    assert "colour: red" in body and "¥129.00" in body and "5 in stock" in body
    assert '<input type="hidden" name="campaign" value="77">' in body
    response = client_for(buyer).post(
        "/shop/cart/add/", {"sku": sku.pk, "quantity": 2, "campaign": 77, "add": "1"}, follow=True
    )
    assert flash(response) == ["Added to your cart."]
    assert CartLine.objects.get().campaign_id == 77
    assert "¥258.00" in text(response)


def test_draft_product_page_only_for_its_merchant(merchant, buyer):
    draft = actions.create_product(merchant=merchant, title="Secret")
    assert client_for(buyer).get(f"/shop/p/{draft.pk}/").status_code == 404
    assert "Not on sale (Draft)." in text(client_for(merchant).get(f"/shop/p/{draft.pk}/"))


def test_add_to_cart_refusals(merchant, buyer, scarf):
    product, sku = scarf
    response = client_for(buyer).post(
        "/shop/cart/add/",
        {"sku": sku.pk, "quantity": 4, "next": f"/shop/p/{product.pk}/"},
        follow=True,
    )
    assert flash(response) == ["You can order at most 3 of this item at a time."]
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2)
    response = client_for(buyer).post(
        "/shop/cart/add/",
        {"sku": sku.pk, "quantity": 2, "next": f"/shop/p/{product.pk}/"},
        follow=True,
    )
    assert flash(response) == [
        "Your cart already holds 2 of this item, and one order may hold at most 3."
    ]
    assert CartLine.objects.get().quantity == 2
    CartLine.objects.all().delete()
    response = client_for(merchant).post(
        "/shop/cart/add/", {"sku": sku.pk, "quantity": 1}, follow=True
    )
    assert flash(response) == ["You cannot buy from your own shop."]
    assert CartLine.objects.count() == 0
    anonymous = client_for().post("/shop/cart/add/", {"sku": sku.pk, "quantity": 1})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_forms_never_send_the_person_to_another_site(merchant, buyer, scarf, order):
    product, sku = scarf
    elsewhere = "https://elsewhere.example/phish"
    bad_quantity = {"sku": sku.pk, "quantity": 0, "next": elsewhere}
    response = client_for(buyer).post("/shop/cart/add/", bad_quantity)
    assert (response.status_code, response["Location"]) == (302, "/shop/")
    refused = {"sku": sku.pk, "quantity": 4, "next": elsewhere}
    response = client_for(buyer).post("/shop/cart/add/", refused)
    assert (response.status_code, response["Location"]) == (302, "/shop/")
    response = client_for(merchant).post(
        f"/shop/orders/{order.pk}/ship/", {"carrier": "", "next": elsewhere}
    )
    assert (response.status_code, response["Location"]) == (302, f"/shop/orders/{order.pk}/")
    response = client_for(buyer).post(
        "/shop/addresses/", {"recipient_name": "Li Lei", "next": elsewhere}
    )
    assert response.status_code == 422
    # A page of this site is where the person goes back to.
    back = {"sku": sku.pk, "quantity": 0, "next": f"/shop/p/{product.pk}/"}
    response = client_for(buyer).post("/shop/cart/add/", back)
    assert response["Location"] == f"/shop/p/{product.pk}/"
    assert CartLine.objects.count() == 0
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"


def test_cart_page_update_and_remove(make_user, buyer, scarf):
    _product, sku = scarf
    line = actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=1)
    client = client_for(buyer)
    client.post(f"/shop/cart/{line.pk}/quantity/", {"quantity": 3})
    assert '<span id="cart-total">¥387.00</span>' in text(client.get("/shop/cart/"))
    response = client.post(f"/shop/cart/{line.pk}/quantity/", {"quantity": 9}, follow=True)
    assert flash(response) == ["You can order at most 3 of this item at a time."]
    response = client_for(make_user("bob")).post(f"/shop/cart/{line.pk}/remove/", follow=True)
    assert flash(response) == ["That item is not in your cart."]
    client.post(f"/shop/cart/{line.pk}/remove/")
    assert "Your cart is empty." in text(client.get("/shop/cart/"))


# --- checkout --------------------------------------------------------------------------------


ADDRESS = {
    "recipient_name": "Li Lei",
    "mobile": "13812345678",
    "province": "BJ",
    "city": "Beijing",
    "district": "Haidian",
    "street": "5 Zhongguancun Street",
}


def test_address_book(make_user, buyer):
    client = client_for(buyer)
    for mobile in ("555", "1381234567８"):
        bad = client.post("/shop/addresses/", {**ADDRESS, "mobile": mobile})
        assert bad.status_code == 422
        assert "Enter an 11-digit mobile number." in text(bad)
    response = client.post("/shop/addresses/", ADDRESS, follow=True)
    assert flash(response) == ["Address saved."]
    assert "Beijing Beijing Haidian 5 Zhongguancun Street" in text(response)
    address = buyer.addresses.get()
    stranger = client_for(make_user("bob")).post(f"/shop/addresses/{address.pk}/delete/")
    assert stranger.status_code == 404
    client.post(f"/shop/addresses/{address.pk}/delete/")
    assert buyer.addresses.count() == 0


def test_cart_checkout_once_per_key(buyer, scarf, address):
    _product, sku = scarf
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2, campaign_id=8)
    client = client_for(buyer)
    page = client.get("/shop/checkout/")
    assert '<span id="checkout-total">¥258.00</span>' in text(page)
    key = key_of(page)
    response = client.post("/shop/checkout/", {"address": address.pk, "key": key}, follow=True)
    order = Order.objects.get()
    assert response.redirect_chain[-1][0] == f"/shop/orders/{order.pk}/"
    assert flash(response) == ["Order placed. Pay within the time shown to keep it."]
    assert (order.total, order.campaign_id) == (25_800, 8)
    # A double submit of the same form replays the first result.
    again = client.post("/shop/checkout/", {"address": address.pk, "key": key}, follow=True)
    assert again.redirect_chain[-1][0] == f"/shop/orders/{order.pk}/"
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 3


def test_buy_now_checkout(credited_campaigns, buyer, scarf, address):
    _product, sku = scarf
    client = client_for(buyer)
    response = client.post(
        "/shop/cart/add/", {"sku": sku.pk, "quantity": 2, "campaign": 5, "buy_now": "1"}
    )
    assert response["Location"] == f"/shop/checkout/?sku={sku.pk}&quantity=2&campaign=5"
    page = client.get(response["Location"])
    assert '<span id="checkout-total">¥258.00</span>' in text(page)
    client.post(
        response["Location"],
        {"address": address.pk, "key": key_of(page), "sku": sku.pk, "quantity": 2, "campaign": 5},
    )
    order = Order.objects.get()
    assert (order.total, order.campaign_id) == (25_800, 5)
    assert CartLine.objects.count() == 0


def test_checkout_errors_shown(buyer, scarf, address):
    _product, sku = scarf
    client = client_for(buyer)
    response = client.get("/shop/checkout/", follow=True)
    assert response.redirect_chain == [("/shop/cart/", 302)]
    assert flash(response) == ["Your cart is empty."]
    url = f"/shop/checkout/?sku={sku.pk}&quantity=4"
    response = client.post(url, {"address": address.pk, "key": "k1"}, follow=True)
    assert flash(response) == ["You can order at most 3 of Silk scarf at a time."]
    response = client.post(url, {"address": "", "key": "k2"}, follow=True)
    assert flash(response) == ["Choose a delivery address."]
    assert Order.objects.count() == 0


# --- orders ----------------------------------------------------------------------------------


@pytest.fixture
def order(buyer, scarf, address):
    return actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o"
    )


def test_order_pages_and_lifecycle(buyer, merchant, order):
    fund(buyer, 20_000)
    client, shop = client_for(buyer), client_for(merchant)
    listing = text(client.get("/shop/orders/"))
    assert f"Order {order.pk}" in listing and "Awaiting payment" in listing and "¥129.00" in listing
    page = client.get(f"/shop/orders/{order.pk}/")
    assert "Pay from wallet" in text(page)
    response = client.post(f"/shop/orders/{order.pk}/pay/", {"key": key_of(page)}, follow=True)
    assert flash(response) == ["Paid. The money is held safely until you confirm receipt."]
    assert wallet_balance(buyer) == 7_100
    to_ship = text(shop.get("/shop/manage/orders/"))
    assert f"Order {order.pk}" in to_ship and "Li Lei, 13812345678, Shanghai" in to_ship
    response = shop.post(
        f"/shop/orders/{order.pk}/ship/",
        {"carrier": "SF Express", "tracking_number": "SF99", "next": "/shop/manage/orders/"},
        follow=True,
    )
    assert flash(response) == ["Marked as shipped."]
    page = client.get(f"/shop/orders/{order.pk}/?ask=confirm")
    assert '<span id="tracking">SF99</span>' in text(page)
    response = client.post(f"/shop/orders/{order.pk}/confirm/", {"key": key_of(page)}, follow=True)
    assert flash(response) == ["Receipt confirmed. The merchant has been paid."]
    assert merchant_balance(merchant) == 12_642
    history = text(response)
    for label in ("Order placed", "Paid into escrow", "Shipped", "Receipt confirmed"):
        assert label in history
    assert '<strong id="order-state">Completed</strong>' in history


def test_pay_without_money_shows_why(buyer, order):
    client = client_for(buyer)
    response = client.post(f"/shop/orders/{order.pk}/pay/", {"key": "k"}, follow=True)
    assert flash(response) == ["Your wallet balance is too low for this."]
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"
    response = client.post(f"/shop/orders/{order.pk}/pay/", {}, follow=True)
    assert flash(response) == ["This request needs an Idempotency-Key header."]


def test_the_unpaid_order_says_what_the_wallet_holds_and_what_to_top_up(buyer, merchant, order):
    client = client_for(buyer)
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert (
        '<p id="order-wallet">Your wallet holds ¥0.00: the other ¥129.00 is paid through the '
        "service you choose.</p>"
    ) in page
    fund(buyer, 10_000)
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert "Your wallet holds ¥100.00: the other ¥29.00 is paid through" in page
    fund(buyer, 2_900)
    response = client.get(f"/shop/orders/{order.pk}/")
    assert ('<p id="order-wallet">Your wallet holds ¥129.00 and pays the whole order.</p>') in text(
        response
    )
    # The merchant sees the order, never the buyer's wallet.
    assert 'id="order-wallet"' not in text(client_for(merchant).get(f"/shop/orders/{order.pk}/"))
    response = client.post(f"/shop/orders/{order.pk}/pay/", {"key": key_of(response)}, follow=True)
    assert 'id="order-wallet"' not in text(response)


def test_nobody_sees_another_persons_order(make_user, order):
    stranger = client_for(make_user("mallory"))
    assert stranger.get(f"/shop/orders/{order.pk}/").status_code == 404
    response = stranger.post(f"/shop/orders/{order.pk}/cancel/", {"key": "k"}, follow=True)
    assert flash(response) == ["That order does not exist."]
    assert (
        stranger.post(
            f"/shop/orders/{order.pk}/ship/", {"carrier": "SF", "tracking_number": "1"}
        ).status_code
        == 404
    )
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"
    assert client_for().get(f"/shop/orders/{order.pk}/").status_code == 302


def test_cancel_and_refund_pages(make_user, buyer, merchant, order):
    fund(buyer, 20_000)
    client = client_for(buyer)
    client.post(f"/shop/orders/{order.pk}/pay/", {"key": "p"}, follow=True)
    response = client.post(f"/shop/orders/{order.pk}/cancel/", {"key": "c"}, follow=True)
    assert flash(response) == ["Order cancelled."]
    assert wallet_balance(buyer) == 20_000
    assert re.search(r"— Cancelled and refunded \(alice\)</li>", text(response))


def test_the_history_of_an_unpaid_order_cancelled_mentions_no_refund(buyer, order):
    client = client_for(buyer)
    response = client.post(f"/shop/orders/{order.pk}/cancel/", {"key": "c"}, follow=True)
    history = text(response)
    assert re.search(r"— Cancelled \(alice\)</li>", history)
    assert "refunded" not in history
    page = client.get(f"/shop/orders/{order.pk}/", headers={"Accept-Language": "zh-hans"})
    assert re.search(r"— 已取消 \(alice\)</li>", text(page))


def test_refund_flow_pages(make_user, buyer, merchant, order, scarf):
    carol = make_user("carol")
    other = actions.buy_now(
        buyer=carol, sku_id=scarf[1].pk, quantity=1, address_id=make_address(carol).pk, key="c"
    )
    for person, sale in ((buyer, order), (carol, other)):
        fund(person, 20_000)
        actions.pay_order(buyer=person, order_id=sale.pk)
        actions.ship_order(merchant=merchant, order_id=sale.pk, carrier="SF", tracking_number="1")
        actions.confirm_receipt(buyer=person, order_id=sale.pk)
    client, shop = client_for(buyer), client_for(merchant)
    response = client.post(f"/shop/orders/{order.pk}/refund/", {"reason": ""}, follow=True)
    assert flash(response) == ["Reason: This field is required."]
    response = client.post(f"/shop/orders/{order.pk}/refund/", {"reason": "Torn"}, follow=True)
    assert flash(response) == ["Refund requested. The merchant will answer."]
    page = text(shop.get("/shop/manage/refunds/"))
    assert "Reason: Torn" in page
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/answer/",
        {"answer": "decline", "note": "", "key": "d1"},
        follow=True,
    )
    assert flash(response) == ["Tell the buyer why you decline the refund."]
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/answer/",
        {"answer": "decline", "note": "As pictured", "key": "d2"},
        follow=True,
    )
    assert flash(response) == ["Refund declined."]
    response = client.post(f"/shop/orders/{order.pk}/refund/dispute/", follow=True)
    assert flash(response) == ["Sent to the platform to decide."]
    assert '<strong id="refund-state">Disputed</strong>' in text(response)
    actions.request_refund(buyer=carol, order_id=other.pk, reason="Late")
    response = shop.post(
        f"/shop/orders/{other.pk}/refund/answer/",
        {"answer": "accept", "key": "a1", "next": "/shop/manage/refunds/"},
        follow=True,
    )
    assert flash(response) == ["Refund accepted; the buyer has been paid back."]
    assert wallet_balance(carol) == 20_000
    assert client_for(carol).post(f"/shop/orders/{order.pk}/refund/dispute/").status_code == 404


# --- merchant pages ----------------------------------------------------------------------------


def test_merchant_builds_a_product_in_the_browser_forms(merchant):
    client = client_for(merchant)
    response = client.post(
        "/shop/manage/products/new/",
        {"title": "Tea set", "description": "Porcelain", "max_per_order": 2},
        follow=True,
    )
    product = Product.objects.get()
    assert response.redirect_chain[-1][0] == f"/shop/manage/products/{product.pk}/"
    response = client.post(f"/shop/manage/products/{product.pk}/publish/", follow=True)
    assert flash(response) == ["Add at least one SKU before publishing."]
    response = client.post(
        f"/shop/manage/products/{product.pk}/skus/",
        {"attributes": "colour: blue\nsize: L", "price": "88.50", "stock": 4},
        follow=True,
    )
    assert flash(response) == ["SKU added."]
    sku = product.skus.get()
    assert (sku.attributes, sku.price, sku.stock) == ({"colour": "blue", "size": "L"}, 8_850, 4)
    response = client.post(
        f"/shop/manage/products/{product.pk}/skus/",
        {"attributes": "blue", "price": "1.00", "stock": 1},
        follow=True,
    )
    assert flash(response) == ["Variant: Write each variant on its own line as name: value."]
    response = client.post(
        f"/shop/manage/products/{product.pk}/skus/",
        {"attributes": "", "price": "abc", "stock": 1},
        follow=True,
    )
    assert flash(response) == ["Price (¥): Enter an amount like 12.34."]
    response = client.post(f"/shop/manage/skus/{sku.pk}/stock/", {"delta": 6}, follow=True)
    assert flash(response) == ["Stock updated."]
    assert Sku.objects.get(pk=sku.pk).stock == 10
    response = client.post(f"/shop/manage/skus/{sku.pk}/stock/", {"delta": 10**20}, follow=True)
    assert flash(response) == [
        "Add units (negative removes): Ensure this value is less than or equal to 10000000."
    ]
    assert Sku.objects.get(pk=sku.pk).stock == 10
    upload = SimpleUploadedFile("tea.png", png_bytes(), content_type="image/png")
    response = client.post(
        f"/shop/manage/products/{product.pk}/images/", {"image": upload}, follow=True
    )
    assert flash(response) == ["Image added."]
    bad = SimpleUploadedFile("tea.png", b"GIF89a nope", content_type="image/png")
    response = client.post(
        f"/shop/manage/products/{product.pk}/images/", {"image": bad}, follow=True
    )
    assert flash(response) == ["Upload a JPEG, PNG, GIF or WebP image."]
    response = client.post(f"/shop/manage/products/{product.pk}/publish/", follow=True)
    assert '<strong id="product-status">On sale</strong>' in text(response)
    listing = text(client.get("/shop/manage/products/"))
    assert "Tea set" in listing and "¥88.50" in listing
    response = client.post(
        f"/shop/manage/products/{product.pk}/",
        {"title": "", "max_per_order": 2},
    )
    assert response.status_code == 422
    assert Product.objects.get().title == "Tea set"


def test_merchant_pages_are_for_verified_merchants(make_user, buyer, merchant, scarf):
    product, sku = scarf
    pending = make_user("pending", kind="merchant", verified=False)
    told = {
        buyer: "Only verified merchants may sell products.",
        pending: "Your merchant application is under review",
    }
    for who, message in told.items():
        client = client_for(who)
        for url in (
            "/shop/manage/products/",
            "/shop/manage/products/new/",
            "/shop/manage/orders/",
            "/shop/manage/refunds/",
        ):
            response = client.get(url)
            assert response.status_code == 403
            assert message in text(response)
    rival = client_for(make_user("rival", kind="merchant", verified=True))
    assert rival.get(f"/shop/manage/products/{product.pk}/").status_code == 404
    assert rival.post(f"/shop/manage/products/{product.pk}/archive/").status_code == 404
    assert rival.post(f"/shop/manage/skus/{sku.pk}/stock/", {"delta": 5}).status_code == 404
    assert Product.objects.get(pk=product.pk).status == "active"
    assert Sku.objects.get(pk=sku.pk).stock == 5


def test_merchant_edits_a_sku_on_the_product_page(merchant, scarf):
    product, sku = scarf
    client = client_for(merchant)
    page = text(client.get(f"/shop/manage/products/{product.pk}/"))
    prefix = f"sku-{sku.pk}"
    assert f'<textarea name="{prefix}-attributes" cols="40" rows="3" maxlength="1000" ' in page
    assert f'id="id_{prefix}-attributes"> colour: red</textarea>' in page
    assert f'name="{prefix}-price" value="129.00"' in page
    assert f'name="{prefix}-is_active" id="id_{prefix}-is_active" checked' in page
    assert f'<form method="post" action="/shop/manage/skus/{sku.pk}/">' in page
    response = client.post(
        f"/shop/manage/skus/{sku.pk}/",
        {
            f"{prefix}-attributes": "colour: navy\nsize: L",
            f"{prefix}-price": "99.50",
            f"{prefix}-is_active": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/shop/manage/products/{product.pk}/", 302)]
    assert flash(response) == ["SKU saved."]
    sku.refresh_from_db()
    assert (sku.attributes, sku.price, sku.is_active) == (
        {"colour": "navy", "size": "L"},
        9_950,
        True,
    )
    page = text(response)
    assert '<td data-testid="sku-price">¥99.50</td>' in page
    assert "<td>colour: navy, size: L</td>" in page
    public = text(client_for().get(f"/shop/p/{product.pk}/"))
    assert "¥99.50" in public and "¥129.00" not in public
    # An unticked box takes the SKU off sale; the public page no longer offers it.
    client.post(
        f"/shop/manage/skus/{sku.pk}/",
        {f"{prefix}-attributes": "colour: navy\nsize: L", f"{prefix}-price": "99.50"},
    )
    sku.refresh_from_db()
    assert sku.is_active is False
    assert "<td>Off sale</td>" in text(client.get(f"/shop/manage/products/{product.pk}/"))
    assert "¥99.50" not in text(client_for().get(f"/shop/p/{product.pk}/"))


@pytest.mark.parametrize(
    "attributes, price, field, message",
    [
        ("colour: red", "-5", "price", "Enter an amount like 12.34."),
        ("colour: red", "12.345", "price", "Enter an amount like 12.34."),
        ("colour: red", "abc", "price", "Enter an amount like 12.34."),
        ("colour: red", "", "price", "This field is required."),
        ("colour: red", "0", "price", "Enter a price above zero."),
        ("colour: red", "10000000.01", "price", "Enter a price of at most ¥10,000,000."),
        ("red", "1.00", "attributes", "Write each variant on its own line as name: value."),
        ("colour=red", "1.00", "attributes", "Write each variant on its own line as name: value."),
        (": red", "1.00", "attributes", "Write each variant on its own line as name: value."),
        ("colour:", "1.00", "attributes", "Write each variant on its own line as name: value."),
        (
            "colour: red\ncolour: blue",
            "1.00",
            "attributes",
            "colour is given twice; write each name once.",
        ),
        (
            "colour: " + "r" * 61,
            "1.00",
            "attributes",
            "Attributes are names with short text values, like colour: red.",
        ),
    ],
)
def test_sku_edit_shows_what_is_wrong_and_changes_nothing(
    merchant, scarf, attributes, price, field, message
):
    product, sku = scarf
    prefix = f"sku-{sku.pk}"
    response = client_for(merchant).post(
        f"/shop/manage/skus/{sku.pk}/",
        {f"{prefix}-attributes": attributes, f"{prefix}-price": price},
    )
    assert response.status_code == 422
    page = text(response)
    # The page comes back with the SKU's form open, its input kept, the error beside the field.
    assert f'<tbody id="sku-{sku.pk}">' in page and "<details open>" in page
    assert f'name="{prefix}-price" value="{price}"' in page or price == ""
    errors = response.context["skus"][0][1].errors
    assert errors == {field: [message]}
    assert f'<ul class="errorlist" id="id_{prefix}-{field}_error"><li>{message}</li></ul>' in page
    sku.refresh_from_db()
    assert (sku.attributes, sku.price, sku.is_active) == ({"colour": "red"}, 12_900, True)


def test_sku_edit_only_by_its_merchant(make_user, buyer, merchant, scarf):
    _product, sku = scarf
    prefix = f"sku-{sku.pk}"
    data = {f"{prefix}-attributes": "", f"{prefix}-price": "1.00", f"{prefix}-is_active": "on"}
    rival = make_user("rival", kind="merchant", verified=True)
    assert client_for(rival).post(f"/shop/manage/skus/{sku.pk}/", data).status_code == 404
    response = client_for(buyer).post(f"/shop/manage/skus/{sku.pk}/", data)
    assert response.status_code == 403
    assert "Only verified merchants may sell products." in text(response)
    response = client_for().post(f"/shop/manage/skus/{sku.pk}/", data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client_for(merchant).get(f"/shop/manage/skus/{sku.pk}/").status_code == 405
    assert client_for(merchant).post("/shop/manage/skus/999999/", data).status_code == 404
    sku.refresh_from_db()
    assert (sku.attributes, sku.price) == ({"colour": "red"}, 12_900)


def test_merchant_deletes_an_image_on_the_product_page(
    make_user, buyer, merchant, scarf, django_capture_on_commit_callbacks
):
    import os

    product, _sku = scarf
    images = [
        actions.add_product_image(
            merchant=merchant,
            product_id=product.pk,
            upload=SimpleUploadedFile("p.png", png_bytes(), content_type="image/png"),
        )
        for _ in range(2)
    ]
    gone, kept = images
    url = f"/shop/manage/products/{product.pk}/images/{gone.pk}/delete/"
    page = text(client_for(merchant).get(f"/shop/manage/products/{product.pk}/"))
    assert f'<form method="post" action="{url}">' in page
    rival = make_user("rival", kind="merchant", verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(rival).post(url).status_code == 404
        assert client_for(buyer).post(url).status_code == 403
        assert client_for(merchant).get(url).status_code == 405
    assert os.path.exists(gone.image.path)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(merchant).post(url, follow=True)
    assert flash(response) == ["Image deleted."]
    assert list(product.images.values_list("pk", flat=True)) == [kept.pk]
    assert not os.path.exists(gone.image.path) and not os.path.exists(gone.thumbnail.path)
    assert os.path.exists(kept.image.path) and os.path.exists(kept.thumbnail.path)
    assert f'id="image-{gone.pk}"' not in text(response)
    assert f'id="image-{kept.pk}"' in text(response)
    # A second click on the same button finds nothing to delete.
    assert client_for(merchant).post(url).status_code == 404


def test_header_links(buyer, merchant, scarf):
    actions.add_to_cart(person=buyer, sku_id=scarf[1].pk, quantity=2)
    page = text(client_for(buyer).get("/shop/"))
    assert re.search(
        r'href="/shop/" id="nav-shop"[^>]*><svg[\s\S]*?</svg><span class="nav-label">Shop</span>'
        r' <span class="badge">2</span></a>',
        page,
    )
    assert re.search(
        r'href="/shop/orders/" id="nav-orders"><svg[\s\S]*?</svg><span class="nav-label">Orders</span></a>',
        page,
    )
    assert 'id="nav-sell"' not in page
    assert 'id="nav-sell"' in text(client_for(merchant).get("/shop/"))


def test_product_card_include(buyer, scarf):
    from django.template import Context, Template

    from infoconnect.shop.selectors import card_product

    product, _sku = scarf
    html = Template('{% include "shop/_product_card.html" with campaign_id=7 %}').render(
        Context({"product": card_product(product_id=product.pk)})
    )
    html = re.sub(r"\s+", " ", html)
    assert "Silk scarf" in html and "¥129.00" in html
    assert f'href="/shop/p/{product.pk}/?campaign=7">Buy</a>' in html


def test_a_merchant_sees_its_own_card_with_edit_not_buy(buyer, merchant, scarf):
    from django.template import Context, Template

    from infoconnect.shop.selectors import card_product

    product, _sku = scarf
    template = Template('{% include "shop/_product_card.html" %}')
    for viewer, expected, absent in [
        (merchant, f'href="/shop/manage/products/{product.pk}/">Edit your product</a>', ">Buy<"),
        (buyer, ">Buy</a>", "Edit your product"),
    ]:
        html = template.render(
            Context({"product": card_product(product_id=product.pk), "user": viewer})
        )
        assert expected in html and absent not in html


# --- what a shopper can buy --------------------------------------------------------------------


def _card(page: str, product_id: int) -> str:
    """The HTML of the product card for ``product_id`` on a page, up to its closing tag."""
    start = page.index(f'data-testid="product-card" data-product-id="{product_id}">')
    depth, position = 1, start
    while depth:
        opening, closing = page.find("<div", position), page.find("</div>", position)
        if opening != -1 and opening < closing:
            depth, position = depth + 1, opening + 4
        else:
            depth, position = depth - 1, closing + 6
    return page[start:position]


def test_a_product_sold_out_in_every_sku_is_listed_as_sold_out(make_user, merchant, buyer, scarf):
    from infoconnect.social import actions as social_actions

    product, sku = scarf
    actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=-5)
    page = text(client_for(buyer).get(f"/shop/p/{product.pk}/"))
    assert '<p class="flash-error" id="product-availability">Sold out</p>' in page
    assert f'<input type="radio" name="sku" value="{sku.pk}" disabled>' in page
    assert "Add to cart" not in page and "Buy now" not in page and 'name="quantity"' not in page
    assert "Nothing to choose from yet." not in page
    # Still found in the shop and by search, with its price, but offered as sold out.
    for url in ("/shop/", "/shop/?q=silk", "/shop/acme/"):
        card = _card(text(client_for(buyer).get(url)), product.pk)
        assert "¥129.00" in card
        assert '<p class="muted" data-testid="product-unavailable">Sold out</p>' in card
        assert 'data-testid="product-buy"' not in card
    # The card a post carries says the same in the timeline.
    social_actions.follow(follower=buyer, target=merchant)
    social_actions.create_post(author=merchant, text="Back soon", product_id=product.pk)
    card = _card(text(client_for(buyer).get("/")), product.pk)
    assert "Sold out" in card and 'data-testid="product-buy"' not in card
    # Restocked: buyable again everywhere.
    actions.adjust_stock(merchant=merchant, sku_id=sku.pk, delta=2)
    page = text(client_for(buyer).get(f"/shop/p/{product.pk}/"))
    assert 'id="product-availability"' not in page and "Buy now" in page
    card = _card(text(client_for(buyer).get("/shop/")), product.pk)
    assert f'href="/shop/p/{product.pk}/">Buy</a>' in card


def test_a_product_with_no_sku_on_sale_is_not_offered(api_client, merchant, buyer, scarf):
    from infoconnect.shop.selectors import product_cards

    product, sku = scarf
    other, _other_sku = make_product_on_sale(merchant)
    actions.update_sku(
        merchant=merchant, sku_id=sku.pk, attributes=sku.attributes, price=sku.price,
        is_active=False,
    )  # fmt: skip
    page = text(client_for(buyer).get(f"/shop/p/{product.pk}/"))
    assert '<p class="flash-error" id="product-availability">Not available right now.</p>' in page
    assert "Nothing to choose from yet." not in page
    assert 'action="/shop/cart/add/"' not in page and "Buy now" not in page
    # Browse, search, the merchant's shop and the API list leave it out.
    for url in ("/shop/", "/shop/?q=silk", "/shop/acme/"):
        page = text(client_for(buyer).get(url))
        assert f'data-product-id="{product.pk}"' not in page
        assert f'data-product-id="{other.pk}"' in page or url == "/shop/?q=silk"
    assert [p["id"] for p in api_client().get("/api/v1/products").json()] == [other.pk]
    assert api_client().get("/api/v1/products?q=silk").json() == []
    # A card already sent (a post, a campaign message) says it is not available.
    from django.template import Context, Template

    html = Template('{% include "shop/_product_card.html" %}').render(
        Context({"product": product_cards([product.pk])[product.pk]})
    )
    html = re.sub(r"\s+", " ", html)
    assert '<p class="muted" data-testid="product-unavailable">Not available</p>' in html
    assert "¥129.00" not in html and 'data-testid="product-buy"' not in html
    # The merchant still has it, and putting the SKU back on sale offers it again.
    assert f"/shop/manage/products/{product.pk}/" in text(
        client_for(merchant).get("/shop/manage/products/")
    )
    actions.update_sku(merchant=merchant, sku_id=sku.pk, attributes=sku.attributes, price=sku.price)
    assert f'data-product-id="{product.pk}"' in text(client_for(buyer).get("/shop/"))


def test_availability_without_the_card_annotations(merchant, scarf):
    product, sku = scarf
    assert Product.objects.get(pk=product.pk).availability == "available"
    Sku.objects.filter(pk=sku.pk).update(stock=0)
    assert Product.objects.get(pk=product.pk).availability == "sold_out"
    Sku.objects.filter(pk=sku.pk).update(is_active=False, stock=3)
    assert Product.objects.get(pk=product.pk).availability == "unavailable"
    Sku.objects.filter(pk=sku.pk).update(is_active=True)
    Product.objects.filter(pk=product.pk).update(status=Product.Status.ARCHIVED)
    assert Product.objects.get(pk=product.pk).availability == "unavailable"


def make_product_on_sale(merchant):
    from infoconnect.shop.tests.conftest import make_product

    return make_product(merchant, title="Tea set", price=8_800, stock=2)


def test_the_product_page_chooses_the_first_sku_in_stock(merchant, buyer, scarf):
    product, red = scarf
    blue = actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"colour": "blue"}, price=13_900,
        stock=2,
    )  # fmt: skip
    green = actions.add_sku(
        merchant=merchant, product_id=product.pk, attributes={"colour": "green"}, price=14_900,
        stock=1,
    )  # fmt: skip
    actions.adjust_stock(merchant=merchant, sku_id=red.pk, delta=-5)
    page = text(client_for(buyer).get(f"/shop/p/{product.pk}/"))
    radios = re.findall(r'<input type="radio" name="sku" value="(\d+)"([^>]*)>', page)
    assert radios == [(str(red.pk), " disabled"), (str(blue.pk), " checked"), (str(green.pk), "")]
    assert (
        'colour: red — <span class="sku-price">¥129.00</span> <span class="muted">Sold out' in page
    )
    # Back in stock, the first SKU is the one chosen again.
    actions.adjust_stock(merchant=merchant, sku_id=red.pk, delta=1)
    page = text(client_for(buyer).get(f"/shop/p/{product.pk}/"))
    radios = re.findall(r'<input type="radio" name="sku" value="(\d+)"([^>]*)>', page)
    assert radios == [(str(red.pk), " checked"), (str(blue.pk), ""), (str(green.pk), "")]


# --- variants in the web editor ------------------------------------------------------------


def test_variant_values_may_hold_commas_and_colons(merchant, scarf):
    product, _sku = scarf
    client = client_for(merchant)
    response = client.post(
        f"/shop/manage/products/{product.pk}/skus/",
        {
            "attributes": "material: silk, cotton\r\nsize: 10:12\r\n\r\n颜色：红色",
            "price": "59.00",
            "stock": 2,
        },
        follow=True,
    )
    assert flash(response) == ["SKU added."]
    sku = product.skus.order_by("-pk").first()
    assert sku.attributes == {"material": "silk, cotton", "size": "10:12", "颜色": "红色"}
    # The edit form shows it a line each, and saving the price alone keeps it exactly.
    prefix = f"sku-{sku.pk}"
    form = response.context["skus"][1][1]
    assert form["attributes"].value() == "material: silk, cotton\nsize: 10:12\n颜色: 红色"
    response = client.post(
        f"/shop/manage/skus/{sku.pk}/",
        {
            f"{prefix}-attributes": form["attributes"].value(),
            f"{prefix}-price": "49.00",
            f"{prefix}-is_active": "on",
        },
        follow=True,
    )
    assert flash(response) == ["SKU saved."]
    sku.refresh_from_db()
    assert (sku.attributes, sku.price) == (
        {"material": "silk, cotton", "size": "10:12", "颜色": "红色"},
        4_900,
    )
    assert "<td>material: silk, cotton, size: 10:12, 颜色: 红色</td>" in text(response)


def test_a_variant_the_box_cannot_hold_is_kept_as_it_is(api_client, merchant, scarf):
    """The API takes any name; one with a colon in it would read back as another variant."""
    product, sku = scarf
    actions.update_sku(
        merchant=merchant, sku_id=sku.pk, attributes={"ratio: w/h": "16:9"}, price=sku.price
    )
    client = client_for(merchant)
    page = text(client.get(f"/shop/manage/products/{product.pk}/"))
    prefix = f"sku-{sku.pk}"
    assert (
        f'<textarea name="{prefix}-attributes" cols="40" rows="3" maxlength="1000" disabled '
        f'aria-describedby="id_{prefix}-attributes_helptext" id="id_{prefix}-attributes"> '
        "ratio: w/h: 16:9</textarea>"
    ) in page
    assert (
        f'<div class="muted" id="id_{prefix}-attributes_helptext">This variant has a colon in a '
        "name, or a line break, which this box cannot keep: change it through the API.</div>"
    ) in page
    response = client.post(
        f"/shop/manage/skus/{sku.pk}/",
        {
            f"{prefix}-attributes": "ratio: w/h: 4:3",  # a disabled box sends nothing; ignored
            f"{prefix}-price": "99.00",
            f"{prefix}-is_active": "on",
        },
        follow=True,
    )
    assert flash(response) == ["SKU saved."]
    sku.refresh_from_db()
    assert (sku.attributes, sku.price) == ({"ratio: w/h": "16:9"}, 9_900)
