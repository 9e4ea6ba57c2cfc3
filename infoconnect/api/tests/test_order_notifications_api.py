"""/api/v1/notifications with InfoConnect's own order types beside Mastodon's: typed
``infoconnect.*`` with an ``order`` (and a ``refund``) object, selected or left out by
``types[]`` / ``exclude_types[]``, each party seeing only its own."""

import re
from datetime import UTC, timedelta

import pytest

from infoconnect.api.tests.conftest import ACCOUNT_FIELDS, BASE, ISO_RE, links
from infoconnect.shop import actions as shop_actions
from infoconnect.shop import notifications
from infoconnect.shop.tests.order_steps import open_shop, shipped_order
from infoconnect.social import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(make_user):
    return open_shop(make_user)


def test_a_shipped_order_is_an_infoconnect_type_with_its_order(shop, api_client):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)

    response = api_client(buyer).get("/api/v1/notifications")

    assert response.status_code == 200
    (notice,) = response.json()
    assert set(notice) == {"id", "type", "group_key", "created_at", "account", "order"}
    assert notice["type"] == "infoconnect.order_shipped"
    assert notice["account"]["username"] == "acme"
    assert set(notice["account"]) == ACCOUNT_FIELDS
    assert notice["order"] == {
        "id": str(order.pk),
        "state": "shipped",
        "total": 12_900,
        "currency": "CNY",
        "carrier": "SF Express",
        "tracking_number": "SF1234567",
        "url": f"{BASE}/shop/orders/{order.pk}/",
        "auto_confirm_at": None,
    }
    # The order shows as it is now.
    shop_actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    again = api_client(buyer).get("/api/v1/notifications").json()
    assert again[0]["order"]["state"] == "completed"

    (paid,) = api_client(merchant).get("/api/v1/notifications").json()
    assert (paid["type"], paid["account"]["username"]) == ("infoconnect.order_paid", "alice")
    assert paid["order"]["id"] == str(order.pk)


def test_the_reminder_carries_when_the_order_confirms_itself(shop, api_client):
    _merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    notifications.remind_auto_confirm(
        order_id=order.pk, now=order.shipped_at + timedelta(days=9, minutes=1)
    )
    notice = api_client(buyer).get("/api/v1/notifications").json()[0]
    assert notice["type"] == "infoconnect.order_auto_confirm"
    confirms = (order.shipped_at + timedelta(days=10)).astimezone(UTC)
    assert re.match(ISO_RE, notice["order"]["auto_confirm_at"])
    assert notice["order"]["auto_confirm_at"] == (
        confirms.strftime("%Y-%m-%dT%H:%M:%S.") + f"{confirms.microsecond // 1000:03d}Z"
    )


def test_refund_notifications_carry_the_refund(make_user, shop, api_client):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    shop_actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    refund = shop_actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    shop_actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="Worn")
    shop_actions.dispute_refund(buyer=buyer, order_id=order.pk)
    operator = make_user("op", is_staff=True)
    shop_actions.decide_refund(operator=operator, refund_id=refund.pk, decision="reject")

    buyer_notices = api_client(buyer).get("/api/v1/notifications").json()
    assert [(n["type"], n["account"]["username"]) for n in buyer_notices] == [
        ("infoconnect.refund_decided", "op"),
        ("infoconnect.refund_answered", "acme"),
        ("infoconnect.order_shipped", "acme"),
    ]
    assert buyer_notices[0]["refund"] == {
        "id": str(refund.pk),
        "amount": 12_900,
        "currency": "CNY",
        "answer": None,
        "decision": "reject",
    }
    assert buyer_notices[1]["refund"]["answer"] == "decline"
    assert "refund" not in buyer_notices[2]
    merchant_types = [n["type"] for n in api_client(merchant).get("/api/v1/notifications").json()]
    assert merchant_types == [
        "infoconnect.refund_decided",
        "infoconnect.refund_disputed",
        "infoconnect.refund_requested",
        "infoconnect.order_paid",
    ]


def test_types_and_exclude_types_select_order_types_beside_mastodons(
    make_user, shop, api_client, make_post
):
    _merchant, buyer, _sku, _address = shop
    first = shipped_order(shop, key="a")
    second = shipped_order(shop, key="b")
    bob = make_user("bob")
    actions.follow(follower=bob, target=buyer)
    post = make_post(buyer, "my new scarf")
    actions.like(user=bob, post_id=post.pk)
    client = api_client(buyer)

    def types(**params) -> list[str]:
        response = client.get("/api/v1/notifications", params)
        assert response.status_code == 200
        return [n["type"] for n in response.json()]

    assert types() == [
        "favourite",
        "follow",
        "infoconnect.order_shipped",
        "infoconnect.order_shipped",
    ]
    # A Mastodon client asking for the types it knows never sees ours.
    assert types(**{"types[]": ["follow", "favourite", "mention"]}) == ["favourite", "follow"]
    assert types(**{"exclude_types[]": ["infoconnect.order_shipped"]}) == ["favourite", "follow"]
    shipped_only = client.get("/api/v1/notifications", {"types[]": "infoconnect.order_shipped"})
    assert [n["order"]["id"] for n in shipped_only.json()] == [str(second.pk), str(first.pk)]
    # Paging keeps the filter.
    page = client.get("/api/v1/notifications", {"types[]": "infoconnect.order_shipped", "limit": 1})
    assert [n["order"]["id"] for n in page.json()] == [str(second.pk)]
    rest = client.get(links(page)["next"])
    assert [n["order"]["id"] for n in rest.json()] == [str(first.pk)]


def test_nobody_reads_another_persons_order_notifications(make_user, shop, api_client):
    merchant, buyer, _sku, _address = shop
    shipped_order(shop)
    stranger = make_user("mallory")
    assert api_client(stranger).get("/api/v1/notifications").json() == []
    assert [n["type"] for n in api_client(merchant).get("/api/v1/notifications").json()] == [
        "infoconnect.order_paid"
    ]
    assert [n["type"] for n in api_client(buyer).get("/api/v1/notifications").json()] == [
        "infoconnect.order_shipped"
    ]


def test_the_schema_documents_the_order_types(api_client):
    schema = api_client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    notice = components["NotificationOut"]["properties"]
    assert "infoconnect.order_shipped" in notice["type"]["description"]
    order = components["NotificationOrderOut"]["properties"]
    assert set(order) == {
        "id",
        "state",
        "total",
        "currency",
        "carrier",
        "tracking_number",
        "url",
        "auto_confirm_at",
    }
    assert set(components["NotificationRefundOut"]["properties"]) == {
        "id",
        "amount",
        "currency",
        "answer",
        "decision",
    }


@pytest.mark.django_db(transaction=True)
def test_mastodon_py_reads_order_notifications_beside_its_own(live_server, make_user):
    from infoconnect.api.tests.test_mastodon_py import _client

    shop = open_shop(make_user)
    buyer = shop[1]
    order = shipped_order(shop)
    actions.follow(follower=make_user("bob"), target=buyer)
    app = _client(live_server, buyer)

    everything = app.notifications()
    assert [n.type for n in everything] == ["follow", "infoconnect.order_shipped"]
    assert everything[1].order.tracking_number == "SF1234567"
    assert [n.type for n in app.notifications(types=["follow", "mention"])] == ["follow"]
    shipped = app.notifications(exclude_types=["follow"])
    assert [n.order.id for n in shipped] == [str(order.pk)]
