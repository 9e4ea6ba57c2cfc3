import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infoconnect.shop import actions
from infoconnect.shop.models import Order, Product, ProductImage, RefundRequest, Sku
from infoconnect.shop.tests.conftest import (
    fund,
    make_address,
    merchant_balance,
    png_bytes,
    wallet_balance,
)

pytestmark = pytest.mark.django_db


def post(client, url, data=None, key=None, method="post"):
    headers = {"Idempotency-Key": key} if key else {}
    return getattr(client, method)(
        url, data=json.dumps(data or {}), content_type="application/json", headers=headers
    )


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


# --- catalog ---------------------------------------------------------------------------


def test_products_are_public_and_only_on_sale(api_client, merchant, scarf):
    product, sku = scarf
    draft = actions.create_product(merchant=merchant, title="Secret")
    response = api_client().get("/api/v1/products")
    assert response.status_code == 200
    assert [(p["title"], p["min_price"], p["min_price_display"]) for p in response.json()] == [
        ("Silk scarf", 12_900, "¥129.00")
    ]
    assert api_client().get("/api/v1/products?q=silk").json()[0]["id"] == product.pk
    assert api_client().get("/api/v1/products?q=nothing").json() == []
    assert api_client().get("/api/v1/products?merchant=acme").json()[0]["merchant"] == {
        "id": merchant.pk,
        "username": "acme",
    }
    detail = api_client().get(f"/api/v1/products/{product.pk}").json()
    assert detail["skus"][0]["attributes"] == {"colour": "red"}
    assert detail["skus"][0]["price_display"] == "¥129.00"
    skus = api_client().get(f"/api/v1/products/{product.pk}/skus").json()
    assert [s["id"] for s in skus] == [sku.pk]
    error(api_client().get(f"/api/v1/products/{draft.pk}"), 404, "product_not_found")
    assert api_client(merchant).get(f"/api/v1/products/{draft.pk}").json()["status"] == "draft"


def test_products_say_whether_they_can_be_bought(api_client, merchant, scarf):
    product, sku = scarf
    assert api_client().get("/api/v1/products").json()[0]["availability"] == "available"
    Sku.objects.filter(pk=sku.pk).update(stock=0)
    assert api_client().get("/api/v1/products").json()[0]["availability"] == "sold_out"
    detail = api_client().get(f"/api/v1/products/{product.pk}").json()
    assert detail["availability"] == "sold_out"
    Sku.objects.filter(pk=sku.pk).update(is_active=False)
    detail = api_client().get(f"/api/v1/products/{product.pk}").json()
    assert detail["availability"] == "unavailable"
    error(api_client().get("/api/v1/products/999999"), 404, "product_not_found")


def test_merchant_builds_a_product_over_the_api(api_client, merchant):
    client = api_client(merchant)
    response = post(client, "/api/v1/products", {"title": "Tea set", "max_per_order": 2})
    assert response.status_code == 201
    product_id = response.json()["id"]
    error(post(client, f"/api/v1/products/{product_id}/publish"), 409, "no_skus")
    sku = post(
        client,
        f"/api/v1/products/{product_id}/skus",
        {"attributes": {"colour": "blue"}, "price": 8_800, "stock": 3},
    )
    assert sku.status_code == 201
    assert sku.json()["stock"] == 3
    stock = post(client, f"/api/v1/skus/{sku.json()['id']}/stock", {"delta": 2})
    assert stock.json()["stock"] == 5
    error(
        post(client, f"/api/v1/skus/{sku.json()['id']}/stock", {"delta": -6}),
        422,
        "invalid_stock",
    )
    updated = post(
        client,
        f"/api/v1/products/{product_id}",
        {"title": "Tea set for four", "max_per_order": 4},
        method="patch",
    )
    assert updated.json()["title"] == "Tea set for four"
    upload = client.post(
        f"/api/v1/products/{product_id}/images",
        {"file": SimpleUploadedFile("t.png", png_bytes(), content_type="image/png")},
    )
    assert upload.status_code == 201
    assert upload.json()["thumbnail_url"].startswith("/media/products/thumbs/")
    published = post(client, f"/api/v1/products/{product_id}/publish")
    assert published.json()["status"] == "active"
    assert post(client, f"/api/v1/products/{product_id}/archive").json()["status"] == "archived"


def test_catalog_bad_input_and_who_may_not(api_client, make_user, buyer, scarf):
    product, sku = scarf
    error(post(api_client(buyer), "/api/v1/products", {"title": "Tea"}), 403, "not_a_merchant")
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    error(post(rival, "/api/v1/products", {"title": ""}), 422, "validation_error")
    error(post(rival, "/api/v1/products", {"max_per_order": 1}), 422, "validation_error")
    error(
        post(rival, f"/api/v1/products/{product.pk}/skus", {"price": 5, "stock": 1}),
        404,
        "product_not_found",
    )
    error(post(rival, f"/api/v1/skus/{sku.pk}/stock", {"delta": 5}), 404, "sku_not_found")
    error(post(rival, f"/api/v1/products/{product.pk}/archive"), 404, "product_not_found")
    error(post(api_client(), "/api/v1/products", {"title": "Tea"}), 401, "not_authenticated")
    own = api_client(product.merchant)
    error(
        post(own, f"/api/v1/products/{product.pk}/skus", {"price": 0, "stock": 1}),
        422,
        "invalid_price",
    )
    bad = own.post(
        f"/api/v1/products/{product.pk}/images",
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
    )
    error(bad, 422, "invalid_image")
    assert Product.objects.get(pk=product.pk).status == "active"
    assert Sku.objects.get(pk=sku.pk).stock == 5


def test_update_sku_over_the_api(api_client, make_user, buyer, scarf):
    product, sku = scarf
    own = api_client(product.merchant)
    response = post(
        own,
        f"/api/v1/skus/{sku.pk}",
        {"attributes": {"colour": "navy"}, "price": 9_950, "is_active": False},
        method="patch",
    )
    assert response.status_code == 200
    assert {
        k: response.json()[k] for k in ("attributes", "price", "price_display", "is_active")
    } == {
        "attributes": {"colour": "navy"},
        "price": 9_950,
        "price_display": "¥99.50",
        "is_active": False,
    }
    url = f"/api/v1/skus/{sku.pk}"
    for body, status, code in [
        ({"price": -1}, 422, "invalid_price"),
        ({"price": 10**19}, 422, "invalid_price"),
        ({"price": 100, "attributes": {"colour": ""}}, 422, "invalid_attributes"),
        ({"price": "abc"}, 422, "validation_error"),
    ]:
        error(post(own, url, body, method="patch"), status, code)
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    error(post(rival, url, {"price": 1}, method="patch"), 404, "sku_not_found")
    error(post(api_client(buyer), url, {"price": 1}, method="patch"), 403, "not_a_merchant")
    sku.refresh_from_db()
    assert (sku.attributes, sku.price, sku.is_active) == ({"colour": "navy"}, 9_950, False)


def test_delete_product_image_over_the_api(
    api_client, make_user, buyer, scarf, django_capture_on_commit_callbacks
):
    import os

    product, _sku = scarf
    own = api_client(product.merchant)
    ids = [
        own.post(
            f"/api/v1/products/{product.pk}/images",
            {"file": SimpleUploadedFile("t.png", png_bytes(), content_type="image/png")},
        ).json()["id"]
        for _ in range(2)
    ]
    image = ProductImage.objects.get(pk=ids[0])
    files = [image.image.path, image.thumbnail.path]
    url = f"/api/v1/products/{product.pk}/images/{image.pk}"
    rival_user = make_user("rival", kind="merchant", verified=True)
    rival = api_client(rival_user)
    rival_product = actions.create_product(merchant=rival_user, title="Teapot")
    with django_capture_on_commit_callbacks(execute=True):
        error(rival.delete(url), 404, "product_not_found")
        error(api_client(buyer).delete(url), 403, "not_a_merchant")
        error(api_client().delete(url), 401, "not_authenticated")
        # Your own product, but the image is not one of its images.
        error(
            rival.delete(f"/api/v1/products/{rival_product.pk}/images/{image.pk}"),
            404,
            "image_not_found",
        )
        error(own.delete(f"/api/v1/products/{product.pk}/images/999999"), 404, "image_not_found")
    assert all(os.path.exists(path) for path in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = own.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    assert not any(os.path.exists(path) for path in files)
    detail = api_client().get(f"/api/v1/products/{product.pk}").json()
    assert [i["id"] for i in detail["images"]] == [ids[1]]
    error(own.delete(url), 404, "image_not_found")


# --- cart, addresses, checkout ------------------------------------------------------------


def test_cart_over_the_api(credited_campaigns, api_client, buyer, scarf):
    _product, sku = scarf
    client = api_client(buyer)
    error(api_client().get("/api/v1/cart"), 401, "not_authenticated")
    added = post(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": 2, "campaign_id": 9})
    assert added.status_code == 201
    cart = added.json()
    assert (cart["total"], cart["total_display"]) == (25_800, "¥258.00")
    line = cart["lines"][0]
    assert (line["title"], line["quantity"], line["campaign_id"]) == ("Silk scarf", 2, 9)
    error(
        post(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": 2}), 422, "quantity_limit"
    )
    error(
        post(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "quantity": 0}),
        422,
        "invalid_quantity",
    )
    error(post(client, "/api/v1/cart/lines", {"sku_id": "x"}), 422, "validation_error")
    patched = post(client, f"/api/v1/cart/lines/{line['id']}", {"quantity": 1}, method="patch")
    assert patched.json()["total"] == 12_900
    assert client.delete(f"/api/v1/cart/lines/{line['id']}").json()["lines"] == []
    error(client.delete(f"/api/v1/cart/lines/{line['id']}"), 404, "cart_line_not_found")


def test_addresses_over_the_api(api_client, make_user, buyer):
    client = api_client(buyer)
    fields = {
        "recipient_name": "Li Lei",
        "province": "GD",
        "city": "Shenzhen",
        "district": "Nanshan",
        "street": "1 Keyuan Road",
        "mobile": "13912345678",
    }
    created = post(client, "/api/v1/addresses", fields)
    assert created.status_code == 201
    body = error(
        post(client, "/api/v1/addresses", {**fields, "mobile": "23912345678"}),
        422,
        "validation_error",
    )
    assert body["fields"]["mobile"] == ["Enter an 11-digit mobile number."]
    assert [a["city"] for a in client.get("/api/v1/addresses").json()] == ["Shenzhen"]
    assert api_client(make_user("bob")).get("/api/v1/addresses").json() == []
    error(
        api_client(make_user("eve")).delete(f"/api/v1/addresses/{created.json()['id']}"),
        404,
        "address_not_found",
    )
    assert client.delete(f"/api/v1/addresses/{created.json()['id']}").status_code == 204


def test_checkout_needs_a_key_and_replays_it(api_client, buyer, scarf, address):
    _product, sku = scarf
    client = api_client(buyer)
    actions.add_to_cart(person=buyer, sku_id=sku.pk, quantity=2, campaign_id=12)
    error(
        post(client, "/api/v1/checkout", {"address_id": address.pk}), 400, "idempotency_key_missing"
    )
    first = post(client, "/api/v1/checkout", {"address_id": address.pk}, key="c-1")
    assert first.status_code == 201
    order = first.json()["orders"][0]
    assert (order["total"], order["state"], order["campaign_id"]) == (
        25_800,
        "awaiting_payment",
        12,
    )
    assert order["shipping_address"]["city"] == "Shanghai"
    replay = post(client, "/api/v1/checkout", {"address_id": address.pk}, key="c-1")
    assert (replay.status_code, replay.json()) == (201, first.json())
    error(
        post(client, "/api/v1/checkout", {"address_id": address.pk + 1}, key="c-1"),
        409,
        "idempotency_key_reused",
    )
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 3
    error(
        post(client, "/api/v1/checkout", {"address_id": address.pk}, key="c-2"), 409, "cart_empty"
    )


def test_buy_now_over_the_api(credited_campaigns, api_client, buyer, scarf, address):
    _product, sku = scarf
    client = api_client(buyer)
    body = {"address_id": address.pk, "sku_id": sku.pk, "quantity": 3, "campaign_id": 4}
    response = post(client, "/api/v1/checkout", body, key="b-1")
    assert response.status_code == 201
    assert response.json()["orders"][0]["campaign_id"] == 4
    error(post(client, "/api/v1/checkout", {**body, "quantity": 3}, key="b-2"), 409, "out_of_stock")
    error(
        post(client, "/api/v1/checkout", {**body, "quantity": 4}, key="b-3"), 422, "quantity_limit"
    )
    error(
        post(client, "/api/v1/checkout", {**body, "sku_id": 999999}, key="b-4"),
        404,
        "sku_not_found",
    )
    assert Sku.objects.get(pk=sku.pk).stock == 2


def test_buy_now_and_pay_over_the_api(api_client, buyer, scarf, address):
    _product, sku = scarf
    client = api_client(buyer)
    body = {"address_id": address.pk, "sku_id": sku.pk, "quantity": 1, "pay": True}
    error(post(client, "/api/v1/checkout", body, key="p-1"), 409, "insufficient_funds")
    assert (Order.objects.count(), Sku.objects.get(pk=sku.pk).stock) == (0, 5)
    fund(buyer, 20_000)
    response = post(client, "/api/v1/checkout", body, key="p-2")
    assert response.status_code == 201
    assert response.json()["orders"][0]["state"] == "paid"
    assert wallet_balance(buyer) == 20_000 - 12_900


# --- the order lifecycle --------------------------------------------------------------------


@pytest.fixture
def order(buyer, scarf, address):
    return actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o", campaign_id=3
    )


def test_order_lifecycle_over_the_api(api_client, make_user, buyer, merchant, order):
    fund(buyer, 20_000)
    client, shop = api_client(buyer), api_client(merchant)
    error(post(client, f"/api/v1/orders/{order.pk}/pay"), 400, "idempotency_key_missing")
    paid = post(client, f"/api/v1/orders/{order.pk}/pay", key="p-1")
    assert (paid.status_code, paid.json()["state"]) == (200, "paid")
    replay = post(client, f"/api/v1/orders/{order.pk}/pay", key="p-1")
    assert replay.json() == paid.json()
    error(post(client, f"/api/v1/orders/{order.pk}/pay", key="p-2"), 409, "invalid_state")
    assert wallet_balance(buyer) == 20_000 - 12_900
    error(
        post(client, f"/api/v1/orders/{order.pk}/ship", {"carrier": "SF", "tracking_number": "1"}),
        404,
        "order_not_found",
    )
    error(
        post(shop, f"/api/v1/orders/{order.pk}/ship", {"carrier": " ", "tracking_number": "1"}),
        422,
        "validation_error",
    )
    shipped = post(
        shop,
        f"/api/v1/orders/{order.pk}/ship",
        {"carrier": "SF Express", "tracking_number": "SF42"},
    )
    assert (shipped.json()["state"], shipped.json()["tracking_number"]) == ("shipped", "SF42")
    error(post(shop, f"/api/v1/orders/{order.pk}/confirm"), 404, "order_not_found")
    confirmed = post(client, f"/api/v1/orders/{order.pk}/confirm", key="c-1")
    assert (confirmed.json()["state"], confirmed.json()["commission"]) == ("completed", 258)
    assert [e["kind"] for e in confirmed.json()["events"]] == [
        "placed",
        "paid",
        "shipped",
        "completed",
    ]
    assert merchant_balance(merchant) == 12_642
    assert post(client, f"/api/v1/orders/{order.pk}/confirm", key="c-1").json() == confirmed.json()
    error(post(client, f"/api/v1/orders/{order.pk}/confirm"), 409, "invalid_state")
    assert merchant_balance(merchant) == 12_642


def test_pay_without_money(api_client, buyer, order):
    client = api_client(buyer)
    body = error(
        post(client, f"/api/v1/orders/{order.pk}/pay", key="p-1"), 409, "insufficient_funds"
    )
    assert body["error"] == "Your wallet balance is too low for this."
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"


def test_nobody_sees_another_persons_orders(api_client, make_user, buyer, merchant, order):
    stranger = api_client(make_user("mallory"))
    rival = api_client(make_user("rival", kind="merchant", verified=True))
    for client in (stranger, rival):
        error(client.get(f"/api/v1/orders/{order.pk}"), 404, "order_not_found")
        error(post(client, f"/api/v1/orders/{order.pk}/pay", key="x"), 404, "order_not_found")
        error(post(client, f"/api/v1/orders/{order.pk}/cancel"), 404, "order_not_found")
        assert client.get("/api/v1/orders").json() == []
        assert client.get("/api/v1/orders?role=merchant").json() == []
    assert [o["id"] for o in api_client(buyer).get("/api/v1/orders").json()] == [order.pk]
    assert api_client(buyer).get("/api/v1/orders?role=merchant").json() == []
    mine = api_client(merchant).get("/api/v1/orders?role=merchant&state=awaiting_payment").json()
    assert [o["id"] for o in mine] == [order.pk]
    assert (
        api_client(merchant).get(f"/api/v1/orders/{order.pk}").json()["buyer"]["username"]
        == "alice"
    )
    error(api_client().get("/api/v1/orders"), 401, "not_authenticated")


def test_orders_filter_by_state_and_refuse_what_is_not_one(api_client, buyer, merchant, order):
    fund(buyer, 20_000)
    paid = actions.buy_now(
        buyer=buyer, sku_id=order.lines.get().sku_id, quantity=1,
        address_id=buyer.addresses.get().pk, key="paid", pay=True,
    )  # fmt: skip
    client = api_client(buyer)
    assert [o["id"] for o in client.get("/api/v1/orders").json()] == [paid.pk, order.pk]
    assert [o["id"] for o in client.get("/api/v1/orders?state=paid").json()] == [paid.pk]
    shop = api_client(merchant)
    listed = shop.get("/api/v1/orders?role=merchant&state=awaiting_payment").json()
    assert [o["id"] for o in listed] == [order.pk]
    for query, field in (
        ("role=seller", "role"),
        ("state=lost", "state"),
        ("role=merchant&state=Paid", "state"),
    ):
        body = error(client.get(f"/api/v1/orders?{query}"), 422, "validation_error")
        assert list(body["fields"]) == [field]
    error(client.get("/api/v1/refund_requests?role=seller"), 422, "validation_error")


def test_cancel_over_the_api(api_client, buyer, order, scarf):
    fund(buyer, 20_000)
    client = api_client(buyer)
    post(client, f"/api/v1/orders/{order.pk}/pay", key="p")
    cancelled = post(client, f"/api/v1/orders/{order.pk}/cancel", {"note": "Wrong size"}, key="x-1")
    assert cancelled.json()["state"] == "cancelled"
    assert wallet_balance(buyer) == 20_000
    assert Sku.objects.get(pk=scarf[1].pk).stock == 5
    error(post(client, f"/api/v1/orders/{order.pk}/cancel"), 409, "invalid_state")


def test_refund_requests_over_the_api(api_client, make_user, buyer, merchant, order, scarf):
    # A second completed sale so the merchant's balance can cover the refund.
    carol = make_user("carol")
    other = actions.buy_now(
        buyer=carol, sku_id=scarf[1].pk, quantity=1, address_id=make_address(carol).pk, key="c"
    )
    for person, sale in ((buyer, order), (carol, other)):
        fund(person, 20_000)
        actions.pay_order(buyer=person, order_id=sale.pk)
        actions.ship_order(merchant=merchant, order_id=sale.pk, carrier="SF", tracking_number="1")
        actions.confirm_receipt(buyer=person, order_id=sale.pk)
    client, shop = api_client(buyer), api_client(merchant)
    error(
        post(client, f"/api/v1/orders/{order.pk}/refund_requests", {"reason": ""}),
        422,
        "validation_error",
    )
    error(
        post(shop, f"/api/v1/orders/{order.pk}/refund_requests", {"reason": "x"}),
        404,
        "order_not_found",
    )
    created = post(client, f"/api/v1/orders/{order.pk}/refund_requests", {"reason": "Torn"})
    assert created.status_code == 201
    refund_id = created.json()["id"]
    assert [r["id"] for r in shop.get("/api/v1/refund_requests?role=merchant").json()] == [
        refund_id
    ]
    assert [r["state"] for r in client.get("/api/v1/refund_requests").json()] == ["requested"]
    stranger = api_client(make_user("mallory", kind="merchant", verified=True))
    error(post(stranger, f"/api/v1/refund_requests/{refund_id}/accept"), 404, "refund_not_found")
    error(
        post(client, f"/api/v1/refund_requests/{refund_id}/accept", key="b-1"),
        404,
        "order_not_found",
    )
    error(
        post(shop, f"/api/v1/refund_requests/{refund_id}/decline", {"note": ""}),
        422,
        "validation_error",
    )
    declined = post(shop, f"/api/v1/refund_requests/{refund_id}/decline", {"note": "As pictured"})
    assert declined.json()["state"] == "declined"
    disputed = post(client, f"/api/v1/refund_requests/{refund_id}/dispute")
    assert disputed.json()["state"] == "disputed"
    error(
        post(shop, f"/api/v1/refund_requests/{refund_id}/accept", key="a-0"), 409, "invalid_state"
    )
    assert RefundRequest.objects.get().state == "disputed"
    # The accept path, on the second sale.
    second = post(
        api_client(carol), f"/api/v1/orders/{other.pk}/refund_requests", {"reason": "Late"}
    )
    accepted = post(shop, f"/api/v1/refund_requests/{second.json()['id']}/accept", key="a-1")
    assert accepted.json()["state"] == "accepted"
    assert wallet_balance(carol) == 20_000
    assert Order.objects.get(pk=other.pk).state == "refunded"


def test_stock_beyond_what_a_sku_holds_is_refused(api_client, merchant, scarf):
    product, sku = scarf
    shop = api_client(merchant)
    body = {"price": 100, "stock": 10**20}
    error(post(shop, f"/api/v1/products/{product.pk}/skus", body), 422, "invalid_stock")
    error(post(shop, f"/api/v1/skus/{sku.pk}/stock", {"delta": 2**62}), 422, "invalid_stock")
    error(post(shop, f"/api/v1/skus/{sku.pk}/stock", {"delta": 10**20}), 422, "invalid_stock")
    assert list(Sku.objects.values_list("stock", flat=True)) == [5]


def test_ids_beyond_a_64_bit_column_are_not_found(api_client, buyer, scarf, address):
    _product, sku = scarf
    client = api_client(buyer)
    huge = 2**64
    body = {"address_id": address.pk, "sku_id": huge}
    error(post(client, "/api/v1/checkout", body, key="h-1"), 404, "sku_not_found")
    body = {"address_id": huge, "sku_id": sku.pk}
    error(post(client, "/api/v1/checkout", body, key="h-2"), 404, "address_not_found")
    error(post(client, f"/api/v1/orders/{huge}/pay", key="h-3"), 404, "order_not_found")
    # A campaign id no campaign can have credits nobody; the purchase itself goes through.
    body = {"address_id": address.pk, "sku_id": sku.pk, "campaign_id": huge}
    response = post(client, "/api/v1/checkout", body, key="h-4")
    assert response.status_code == 201, response.content
    assert response.json()["orders"][0]["campaign_id"] is None
    response = post(client, "/api/v1/cart/lines", {"sku_id": sku.pk, "campaign_id": huge})
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["campaign_id"] is None
    assert Order.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4


def test_malformed_input_is_a_4xx(api_client, buyer):
    client = api_client(buyer)
    response = client.post("/api/v1/cart/lines", data="{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    error(post(client, "/api/v1/checkout", {"address_id": "x"}, key="k"), 422, "validation_error")
    error(client.get("/api/v1/orders/abc"), 422, "validation_error")


def test_openapi_lists_the_shop(api_client):
    paths = api_client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/checkout", "/api/v1/orders/{order_id}/pay", "/api/v1/cart/lines"):
        assert path in paths
