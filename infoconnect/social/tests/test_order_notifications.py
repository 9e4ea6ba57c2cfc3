"""The notifications page and the header badge with what happened to orders, as the buyer
and the merchant each see it, in English and in Simplified Chinese."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from infoconnect.shop import actions as shop_actions
from infoconnect.shop import notifications
from infoconnect.shop.tests.order_steps import open_shop, shipped_order
from infoconnect.social.models import Notification
from infoconnect.social.tests.test_i18n import chinese_client, texts

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sentences(response) -> list[str]:
    """The notifications, the visible text of each, newest first."""
    items = response.content.decode().split('class="notification card')[1:]
    return [
        " ".join(texts(SimpleNamespace(content=item.split("</li>")[0].partition(">")[2].encode())))
        for item in items
    ]


@pytest.fixture
def shop(make_user):
    return open_shop(make_user, merchant="Acme", buyer="Alice")


def page_text(client) -> str:
    return " ".join(texts(client.get(reverse("social:notifications"))))


def test_the_buyer_reads_the_shipment_with_its_order_amount_and_tracking(shop):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    response = client_for(buyer).get(reverse("social:notifications"))
    body = response.content.decode()
    text = " ".join(texts(response))

    assert "📦 Acme @acme Verified shipped your order" in text
    assert f"Order {order.pk} · ¥129.00 · SF Express, tracking number SF1234567" in text
    assert f'href="/shop/orders/{order.pk}/"' in body
    assert 'data-testid="notifications-badge">1<' in body
    # The merchant's page has the paid order, never the buyer's shipment.
    merchant_text = page_text(client_for(merchant))
    assert "💰 Alice @alice paid an order" in merchant_text
    assert f"Order {order.pk} · ¥129.00" in merchant_text
    assert "shipped your order" not in merchant_text
    assert "paid an order" not in text


def test_the_order_link_opens_the_order_for_each_party_and_nobody_else(make_user, shop):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    url = reverse("shop:order", args=[order.pk])
    assert client_for(buyer).get(url).status_code == 200
    assert client_for(merchant).get(url).status_code == 200
    assert client_for(make_user("mallory")).get(url).status_code == 404


def test_the_reminder_and_refund_answers_read_as_sentences(make_user, shop):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    notifications.remind_auto_confirm(
        order_id=order.pk, now=order.shipped_at + timedelta(days=9, minutes=1)
    )
    confirms = (order.shipped_at + timedelta(days=10)).astimezone()
    text = page_text(client_for(buyer))
    assert "⏰ Your order confirms itself tomorrow" in text
    assert (
        f"Order {order.pk} · ¥129.00 · It confirms itself on {confirms:%Y-%m-%d %H:%M} and the "
        "merchant is paid: confirm receipt, or ask for a refund if something is wrong."
    ) in text

    shop_actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    refund = shop_actions.request_refund(buyer=buyer, order_id=order.pk, reason="Torn")
    shop_actions.answer_refund(merchant=merchant, order_id=order.pk, accept=False, note="Worn")
    shop_actions.dispute_refund(buyer=buyer, order_id=order.pk)
    operator = make_user("op", is_staff=True, display_name="Operator")
    shop_actions.decide_refund(operator=operator, refund_id=refund.pk, decision="refund")

    decided, answered = sentences(client_for(buyer).get(reverse("social:notifications")))[:2]
    assert decided.startswith("New ⚖️ The platform decided a refund")
    assert decided.endswith(
        f"Order {order.pk} · ¥129.00 · Decided for the buyer: ¥129.00 is refunded."
    )
    assert answered.startswith("New ↩️ Acme @acme Verified answered your refund request")
    assert answered.endswith(
        f"Order {order.pk} · ¥129.00 · Declined: you may ask the platform to decide."
    )
    merchant_text = page_text(client_for(merchant))
    assert "↩️ Alice @alice asked for a refund" in merchant_text
    assert "The buyer asks ¥129.00 back." in merchant_text
    assert "⚖️ Alice @alice took a refund to the platform" in merchant_text
    assert "The buyer asks the platform to decide about ¥129.00." in merchant_text
    assert "Decided for the buyer: ¥129.00 is refunded." in merchant_text


def test_order_notifications_read_in_simplified_chinese(make_user, shop):
    merchant, buyer, _sku, _address = shop
    order = shipped_order(shop)
    notifications.remind_auto_confirm(
        order_id=order.pk, now=order.shipped_at + timedelta(days=9, minutes=1)
    )
    text = " ".join(texts(chinese_client(buyer).get(reverse("social:notifications"))))
    assert "发出了你的订单" in text
    assert f"订单 {order.pk} · ¥129.00 · SF Express，快递单号 SF1234567" in text
    assert "你的订单将于明天自动确认收货" in text
    assert "自动确认收货并付款给商家：请确认收货，如有问题请申请退款。" in text
    assert "shipped your order" not in text and "Order " not in text

    merchant_text = " ".join(texts(chinese_client(merchant).get(reverse("social:notifications"))))
    assert "Alice @alice 支付了订单" in merchant_text


def test_the_badge_counts_order_notifications_and_its_fragment_follows_them(shop):
    merchant, buyer, _sku, _address = shop
    client = client_for(buyer)
    page = client.get(reverse("social:home")).content.decode()
    assert "notifications-badge" not in page
    # The header fetches the fragment again when the live stream tells it (or polls while the
    # stream is down), so a shipment shows without a reload.
    assert (
        f'hx-get="{reverse("social:notifications_badge")}"'
        ' hx-trigger="ic-notifications from:body, ic-poll from:body"'
    ) in page
    assert client.get(reverse("social:notifications_badge")).content.decode().strip() == ""

    shipped_order(shop)
    fragment = client.get(reverse("social:notifications_badge")).content.decode()
    assert fragment.strip() == '<span class="badge" data-testid="notifications-badge">1</span>'
    merchant_fragment = client_for(merchant).get(reverse("social:notifications_badge"))
    assert 'data-testid="notifications-badge">1<' in merchant_fragment.content.decode()


def test_marking_read_clears_order_notifications_of_that_person_only(shop):
    merchant, buyer, _sku, _address = shop
    shipped_order(shop)
    client = client_for(buyer)
    assert client.post(reverse("social:notifications_read")).status_code == 302
    body = client.get(reverse("social:notifications")).content.decode()
    assert 'class="notification card unread"' not in body
    assert "notifications-badge" not in body
    assert Notification.objects.get(recipient=merchant).read_at is None


def test_the_badge_needs_log_in(client):
    response = client.get(reverse("social:notifications_badge"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
