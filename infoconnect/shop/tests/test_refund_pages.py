"""The refund pages, the refund API and the operator's dispute page: what each side sees and
may do, errors with their codes, and money moved once per key."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from infoconnect.shop import actions
from infoconnect.shop.actions import refunds
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.tests.conftest import make_address, merchant_balance, wallet_balance
from infoconnect.shop.tests.test_refunds import PRICE, bought, photo
from infoconnect.shop.tests.test_views import client_for, flash, text

pytestmark = pytest.mark.django_db


def post(client, url, data=None, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        url, data=json.dumps(data or {}), content_type="application/json", headers=headers
    )


def error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


# --- pages ---------------------------------------------------------------------------------


def test_the_buyer_asks_back_one_item_with_a_photo_and_the_merchant_refunds_it(
    buyer, merchant, scarf
):
    order = bought(buyer, merchant, scarf, quantity=2, to="shipped")
    line = order.lines.get()
    client, shop = client_for(buyer), client_for(merchant)
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert 'name="kind" value="return"' in page
    assert f'name="line-{line.pk}" min="0" max="2"' in page
    url = f"/shop/orders/{order.pk}/refund/"
    response = client.post(url, {"reason": "Torn", "amount": "12.3.4"}, follow=True)
    assert flash(response) == ["Amount (¥): Enter an amount like 12.34."]
    response = client.post(url, {"reason": "Torn", f"line-{line.pk}": "3"}, follow=True)
    assert flash(response) == [
        "Choose items of this order, each at most as many as were bought and not refunded."
    ]
    response = client.post(
        url,
        {"reason": "Torn", "kind": "refund", f"line-{line.pk}": "1", "photos": [photo()]},
        follow=True,
    )
    assert flash(response) == ["Refund requested. The merchant will answer."]
    page = text(response)
    assert "<strong>Refund only</strong> · asks back ¥129.00" in page
    assert 'Silk scarf <span class="muted">colour: red</span> × 1' in page
    assert page.count('alt="Evidence photo"') == 1
    listing = text(shop.get("/shop/manage/refunds/"))
    assert "Accept and refund ¥129.00" in listing
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/answer/",
        {"answer": "accept", "key": "a1", "next": "/shop/manage/refunds/"},
        follow=True,
    )
    assert flash(response) == ["Refund accepted; the buyer has been paid back."]
    assert "No refund requests waiting." in text(response)
    # The same key again moves nothing more.
    shop.post(f"/shop/orders/{order.pk}/refund/answer/", {"answer": "accept", "key": "a1"})
    assert wallet_balance(buyer) == PRICE
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert "Refunded so far: ¥129.00; ¥129.00 may still be refunded." in page
    assert '<strong id="order-state">Shipped</strong>' in page
    assert f'name="line-{line.pk}" min="0" max="1"' in page


def test_a_return_walked_through_the_pages(buyer, merchant, scarf, make_user):
    order = bought(buyer, merchant, scarf, to="completed")
    make_address(merchant, recipient_name="Acme returns", street="1 Dock Road")
    client, shop = client_for(buyer), client_for(merchant)
    client.post(f"/shop/orders/{order.pk}/refund/", {"reason": "Wrong colour", "kind": "return"})
    page = text(shop.get(f"/shop/orders/{order.pk}/"))
    assert "Accept the return" in page and "Acme returns" in page
    address_id = merchant.addresses.get().pk
    stranger = client_for(make_user("mallory", kind="merchant", verified=True))
    assert (
        stranger.post(
            f"/shop/orders/{order.pk}/refund/return/", {"address_id": address_id}
        ).status_code
        == 404
    )
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/return/", {"address_id": address_id}, follow=True
    )
    assert flash(response) == ["Return accepted. The buyer will send the goods to your address."]
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert "Send the goods back to: Acme returns" in page
    response = client.post(
        f"/shop/orders/{order.pk}/refund/return/shipped/",
        {"carrier": "SF", "tracking_number": ""},
        follow=True,
    )
    assert flash(response) == ["Tracking number: This field is required."]
    response = client.post(
        f"/shop/orders/{order.pk}/refund/return/shipped/",
        {"carrier": "SF", "tracking_number": "SF123"},
        follow=True,
    )
    assert flash(response) == [
        "Return sent. You are refunded once the merchant receives the goods."
    ]
    page = text(shop.get("/shop/manage/refunds/"))
    assert '<span class="return-tracking">SF123</span>' in page
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/return/received/", {"key": "r1"}, follow=True
    )
    assert flash(response) == ["Goods received; the buyer has been paid back."]
    assert wallet_balance(buyer) == PRICE
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert '<strong id="refund-state">Refunded</strong>' in page
    assert '<strong id="order-state">Refunded</strong>' in page


def test_the_buyer_withdraws_and_adds_photos_on_the_page(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="shipped")
    client = client_for(buyer)
    client.post(f"/shop/orders/{order.pk}/refund/", {"reason": "Late"}, follow=True)
    response = client.post(
        f"/shop/orders/{order.pk}/refund/photos/",
        {"photos": [SimpleUploadedFile("a.txt", b"hello")]},
        follow=True,
    )
    assert flash(response) == ["Upload a JPEG, PNG, GIF or WebP image."]
    response = client.post(
        f"/shop/orders/{order.pk}/refund/photos/", {"photos": [photo()]}, follow=True
    )
    assert flash(response) == ["Photos added."]
    assert client_for(merchant).post(f"/shop/orders/{order.pk}/refund/withdraw/").status_code == 404
    response = client.post(f"/shop/orders/{order.pk}/refund/withdraw/", follow=True)
    assert flash(response) == ["Refund request withdrawn."]
    page = text(response)
    assert '<strong id="refund-state">Withdrawn</strong>' in page
    assert 'id="refund-request"' in page  # may ask again


def test_the_merchant_declines_after_inspection_with_a_photo(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="shipped")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Too small", kind="return")
    refunds.accept_return(
        merchant=merchant, order_id=order.pk, address_id=make_address(merchant).pk
    )
    refunds.ship_return(buyer=buyer, order_id=order.pk, carrier="SF", tracking_number="9")
    shop = client_for(merchant)
    response = shop.post(
        f"/shop/orders/{order.pk}/refund/answer/",
        {"answer": "decline", "note": "Washed", "photos": [photo()]},
        follow=True,
    )
    assert flash(response) == ["Refund declined."]
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert "Merchant's answer: Washed" in page
    assert 'data-side="merchant"' in page
    assert "Ask the platform to decide" in page


# --- API -----------------------------------------------------------------------------------


def test_a_partial_return_over_the_api(api_client, make_user, buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=2, to="completed")
    line = order.lines.get()
    client, shop = api_client(buyer), api_client(merchant)
    url = f"/api/v1/orders/{order.pk}/refund_requests"
    error(post(client, url, {"reason": "x", "amount": 0}), 422, "invalid_refund_amount")
    error(post(client, url, {"reason": "x", "kind": "swap"}), 422, "validation_error")
    error(
        post(client, url, {"reason": "x", "lines": [{"line": line.pk, "quantity": 5}]}),
        422,
        "invalid_refund_lines",
    )
    created = post(
        client,
        url,
        {"reason": "Torn", "kind": "return", "lines": [{"line": line.pk, "quantity": 1}]},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["amount"], body["amount_display"]) == ("return", PRICE, "¥129.00")
    assert body["lines"] == [{"line": line.pk, "quantity": 1}]
    refund_id = body["id"]
    evidence_url = f"/api/v1/refund_requests/{refund_id}/evidence"
    bad = client.post(evidence_url, {"file": SimpleUploadedFile("a.png", b"nope")})
    error(bad, 422, "invalid_image")
    uploaded = client.post(evidence_url, {"file": photo()})
    assert uploaded.status_code == 201
    assert [e["side"] for e in uploaded.json()["evidence"]] == ["buyer"]
    error(
        post(shop, f"/api/v1/refund_requests/{refund_id}/accept_return", {"address_id": 10**6}),
        404,
        "address_not_found",
    )
    address = {
        "recipient_name": "Acme",
        "province": "SH",
        "city": "Shanghai",
        "district": "Minhang",
        "street": "5 Depot Lane",
        "mobile": "13900001111",
    }
    accepted = post(
        shop, f"/api/v1/refund_requests/{refund_id}/accept_return", {"address": address}
    )
    assert accepted.json()["state"] == "awaiting_return"
    assert accepted.json()["return_address"]["street"] == "5 Depot Lane"
    shipped_url = f"/api/v1/refund_requests/{refund_id}/return_shipped"
    error(
        post(shop, shipped_url, {"carrier": "SF", "tracking_number": "1"}), 404, "order_not_found"
    )
    shipped = post(client, shipped_url, {"carrier": "SF", "tracking_number": "SF9"})
    assert shipped.json()["return_tracking"] == "SF9"
    receive_url = f"/api/v1/refund_requests/{refund_id}/receive"
    error(post(shop, receive_url), 400, "idempotency_key_missing")
    error(post(client, receive_url, key="b-1"), 404, "order_not_found")
    received = post(shop, receive_url, key="r-1")
    assert received.json()["state"] == "accepted"
    assert post(shop, receive_url, key="r-1").json() == received.json()
    assert wallet_balance(buyer) == PRICE
    assert Order.objects.get(pk=order.pk).state == "completed"
    # An answer names the open request: the granted one is done.
    error(
        post(shop, f"/api/v1/refund_requests/{refund_id}/accept", key="a-1"), 409, "invalid_state"
    )
    detail = client.get(f"/api/v1/orders/{order.pk}").json()
    assert detail["refund_request"]["id"] == refund_id


def test_withdraw_and_decide_over_the_api(api_client, make_user, buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, to="completed")
    client, shop = api_client(buyer), api_client(merchant)
    first = post(client, f"/api/v1/orders/{order.pk}/refund_requests", {"reason": "Late"}).json()
    error(post(shop, f"/api/v1/refund_requests/{first['id']}/withdraw"), 404, "order_not_found")
    assert post(client, f"/api/v1/refund_requests/{first['id']}/withdraw").json()["state"] == (
        "withdrawn"
    )
    second = post(client, f"/api/v1/orders/{order.pk}/refund_requests", {"reason": "Torn"}).json()
    error(
        post(shop, f"/api/v1/refund_requests/{first['id']}/decline", {"note": "No"}),
        409,
        "invalid_state",
    )
    post(shop, f"/api/v1/refund_requests/{second['id']}/decline", {"note": "As pictured"})
    post(client, f"/api/v1/refund_requests/{second['id']}/dispute")
    decide = f"/api/v1/refund_requests/{second['id']}/decide"
    error(post(client, decide, {"decision": "refund"}, key="d-0"), 403, "forbidden")
    operator = api_client(make_user("operator", is_staff=True))
    error(post(operator, decide, {"decision": "refund"}), 400, "idempotency_key_missing")
    error(post(operator, decide, {"decision": "maybe"}, key="d-1"), 422, "validation_error")
    decided = post(operator, decide, {"decision": "refund", "note": "Photos show it"}, key="d-2")
    assert (decided.json()["state"], decided.json()["decision"]) == ("decided", "refund")
    assert (
        post(operator, decide, {"decision": "refund", "note": "Photos show it"}, key="d-2").json()
        == decided.json()
    )
    error(post(operator, decide, {"decision": "reject"}, key="d-2"), 409, "idempotency_key_reused")
    assert wallet_balance(buyer) == PRICE
    states = [r["state"] for r in client.get("/api/v1/refund_requests").json()]
    assert states == ["decided", "withdrawn"]


# --- the operator's dispute page -----------------------------------------------------------


def disputed(buyer, merchant, scarf, **asked):
    order = bought(buyer, merchant, scarf, to="completed")
    actions.request_refund(
        buyer=buyer, order_id=order.pk, reason="Torn at the seam", photos=[photo()], **asked
    )
    actions.answer_refund(
        merchant=merchant, order_id=order.pk, accept=False, note="Sold whole", photos=[photo()]
    )
    refund = actions.dispute_refund(buyer=buyer, order_id=order.pk, note="See the photo")
    return order, refund


def test_the_dispute_page_shows_both_sides(make_user, buyer, merchant, scarf):
    order, refund = disputed(buyer, merchant, scarf)
    operator = client_for(make_user("operator", is_staff=True, is_superuser=True))
    page = text(operator.get(f"/admin/shop/refundrequest/{refund.pk}/change/"))
    for shown in (
        # Each side by name and username (these two have no display name).
        '<div class="readonly">@alice</div>',
        '<div class="readonly">@acme</div>',
        "Silk scarf colour: red × 1 = ¥129.00",
        "SF 1",
        "Torn at the seam",
        "Sold whole",
        "Refund escalated to the platform (alice): See the photo",
        "¥129.00",
    ):
        assert shown in page, shown
    assert page.count('width="120"') == 2
    assert 'name="_decide_refund"' in page


def test_a_failed_decision_logs_no_change_and_tells_the_operator(
    monkeypatch, make_user, buyer, merchant, scarf
):
    order, refund = disputed(buyer, merchant, scarf)
    operator = client_for(make_user("operator", is_staff=True, is_superuser=True))
    url = f"/admin/shop/refundrequest/{refund.pk}/change/"
    # The order was closed meanwhile: the decision is refused.
    Order.objects.filter(pk=order.pk).update(state="refunded")
    response = operator.post(
        url, {"operator_note": "Refund it", "_decide_refund": "1"}, follow=True
    )
    shown = text(response)
    assert f"Refund request {refund.pk}: The order is not in a state that allows this." in shown
    assert LogEntry.objects.count() == 0
    assert RefundRequest.objects.get().operator_note == ""
    Order.objects.filter(pk=order.pk).update(state="completed")
    response = operator.post(
        url, {"operator_note": "Refund it", "_decide_refund": "1"}, follow=True
    )
    assert "1 dispute decided." in text(response)
    entry = LogEntry.objects.get()
    assert entry.get_change_message() == "Decided: Refund the buyer"
    assert wallet_balance(buyer) == PRICE
    assert merchant_balance(merchant) == 0
