"""The order page's pay area, "Pay ¥X" in one step, the sandbox's WeChat Pay and Alipay pages
that send the buyer back to the order, the stepper and the confirm-receipt question."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.shop import actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, wallet_balance
from infoconnect.shop.tests.test_views import client_for, flash, key_of, text
from infoconnect.wallet.models import LedgerTransaction, Payment
from infoconnect.wallet.tasks import deliver_sandbox_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, scarf, address):
    return actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o"
    )


def test_an_empty_wallet_shows_what_the_provider_pays_and_why_the_wallet_cannot(buyer, order):
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert (
        '<p id="order-wallet">Your wallet holds ¥0.00: the other ¥129.00 is paid through the '
        "service you choose.</p>"
    ) in page
    assert '<button type="submit" id="order-pay-button">Pay ¥129.00</button>' in page
    assert re.search(r'id="order-pay-wallet" disabled aria-describedby="order-wallet-short"', page)
    assert '<span class="muted" id="order-wallet-short">Your wallet holds ¥129.00 less' in page
    assert 'value="wechat" checked> WeChat Pay' in page and 'value="alipay"> Alipay' in page
    fund(buyer, 20_000)
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert "Your wallet holds ¥200.00 and pays the whole order." in page
    assert 'id="order-pay-wallet">Pay from wallet</button>' in page
    assert 'name="channel"' not in page


def test_pay_with_a_covering_wallet_pays_at_once(buyer, order):
    fund(buyer, 20_000)
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    response = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page)}, follow=True
    )
    assert flash(response) == ["Paid. The money is held safely until you confirm receipt."]
    assert '<strong id="order-state">Paid</strong>' in text(response)
    assert wallet_balance(buyer) == 7_100


@pytest.mark.parametrize(("channel", "colour"), [("wechat", "WeChat Pay"), ("alipay", "Alipay")])
def test_the_shortfall_goes_through_the_chosen_channel_and_back_to_the_paid_order(
    buyer, order, channel, colour, django_capture_on_commit_callbacks
):
    fund(buyer, 2_900)
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    response = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page), "channel": channel}
    )
    topup = Payment.objects.get(order_id=order.pk)
    assert (topup.amount, topup.channel) == (10_000, channel)
    assert response["Location"] == topup.redirect_url
    sandbox = text(client.get(response["Location"]))
    assert f'data-channel="{channel}"' in sandbox
    assert f'<strong id="sandbox-channel">{colour}</strong>' in sandbox
    assert '<p class="sandbox-amount" id="sandbox-amount">¥100.00</p>' in sandbox
    assert ('data-testid="sandbox-qr"' in sandbox) == (channel == "wechat")
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(response["Location"], {"decision": "confirm"})
    assert back["Location"] == f"/shop/orders/{order.pk}/"
    done = client.get(back["Location"])
    page = text(done)
    assert flash(done) == []
    assert '<strong id="order-state">Paid</strong>' in page
    assert f"Paid ¥129.00, of which ¥100.00 through {colour}." in page
    assert list(LedgerTransaction.objects.order_by("pk").values_list("kind", flat=True)) == [
        "topup",
        "topup",
        "order_payment",
    ]


def test_the_returning_buyer_never_sees_payment_confirmed_beside_waiting_for_payment(
    buyer, order, settings
):
    # The provider's notification waits in the task queue, as it does with a real worker:
    # before, the page said "Payment confirmed" while the top-up was still waiting.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    to_provider = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page), "channel": "alipay"}
    )
    done = client.post(to_provider["Location"], {"decision": "confirm"}, follow=True)
    page = text(done)
    assert flash(done) == []
    assert "confirmed" not in page.lower()
    assert '<strong id="order-state">Awaiting payment</strong>' in page
    assert (
        '<p id="order-pay-status" role="status">Waiting for Alipay to confirm your payment of '
        "¥129.00."
    ) in page
    status_url = f"/shop/orders/{order.pk}/pay/status/"
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    topup = Payment.objects.get()
    deliver_sandbox_notification.call(event="payment.succeeded", object_ref=topup.provider_ref)
    fragment = text(client.get(status_url))
    assert "hx-trigger" not in fragment
    assert '<strong id="order-state" hx-swap-oob="true">Paid</strong>' in fragment
    assert "Paid ¥129.00, of which ¥129.00 through Alipay." in fragment
    assert re.search(
        r'<li class="step done" data-step="paid"><span class="step-label">Paid', fragment
    )


def test_a_payment_that_arrives_after_the_order_expired_is_said_to_be_in_the_wallet(
    buyer, order, django_capture_on_commit_callbacks
):
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    to_provider = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page), "channel": "wechat"}
    )
    actions.expire_order(order_id=order.pk, now=timezone.now() + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(to_provider["Location"], {"decision": "confirm"})
    page = text(client.get(back["Location"]))
    assert '<strong id="order-state">Expired</strong>' in page
    assert (
        "Your payment of ¥129.00 through WeChat Pay arrived after the order could no longer be "
        "paid, so it was not used: it is in your wallet."
    ) in page
    assert wallet_balance(buyer) == 12_900


def test_a_cancelled_payment_offers_to_pay_again(buyer, order, django_capture_on_commit_callbacks):
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    to_provider = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page), "channel": "wechat"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(to_provider["Location"], {"decision": "cancel"})
    page = text(client.get(back["Location"]))
    assert "Your payment through WeChat Pay was cancelled." in page
    assert '<button type="submit" id="order-pay-button">Pay ¥129.00</button>' in page
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"


def test_pay_refusals_write_nothing(make_user, buyer, merchant, order):
    client = client_for(buyer)
    response = client.post(f"/shop/orders/{order.pk}/pay/one-step/", {"channel": "wechat"})
    assert response.status_code == 302
    assert flash(client.get(response["Location"])) == [
        "This request needs an Idempotency-Key header."
    ]
    response = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": "k1", "channel": "paypal"}, follow=True
    )
    assert flash(response) == ["Choose WeChat Pay or Alipay."]
    for person in (make_user("mallory"), merchant):
        response = client_for(person).post(
            f"/shop/orders/{order.pk}/pay/one-step/",
            {"key": "k2", "channel": "wechat"},
            follow=True,
        )
        assert flash(response) == ["That order does not exist."]
        assert client_for(person).get(f"/shop/orders/{order.pk}/pay/status/").status_code == 404
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"


def test_the_sandbox_returns_only_to_this_site(buyer, order):
    client = client_for(buyer)
    page = client.get(f"/shop/orders/{order.pk}/")
    to_provider = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/", {"key": key_of(page), "channel": "wechat"}
    )
    topup = Payment.objects.get()
    response = client.post(
        f"/wallet/sandbox/pay/{topup.provider_ref}/?return=https://evil.example/",
        {"decision": "cancel"},
    )
    assert response["Location"] == f"/wallet/?topup={topup.pk}"
    assert to_provider["Location"].endswith(f"?return=%2Fshop%2Forders%2F{order.pk}%2F")


def test_the_stepper_shows_each_step_with_its_time_and_the_tracking_number(buyer, merchant, order):
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(
        merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF99"
    )
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    steps = re.findall(r'<li class="step( done)?" data-step="(\w+)">(.*?)</li>', page)
    assert [(done, name) for done, name, _ in steps] == [
        (" done", "placed"),
        (" done", "paid"),
        (" done", "shipped"),
        ("", "received"),
        ("", "completed"),
    ]
    shipped = steps[2][2]
    assert "SF Express SF99" in shipped
    when = timezone.localtime(Order.objects.get(pk=order.pk).shipped_at).strftime("%Y-%m-%d %H:%M")
    assert f">{when}</time>" in shipped
    actions.confirm_receipt(buyer=buyer, order_id=order.pk)
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert re.search(r'data-step="received"><span class="step-label">Received</span> <time', page)
    assert "Refunds possible until" in page


def test_the_stepper_of_an_expired_order_stops_where_it_did(buyer, order):
    actions.expire_order(order_id=order.pk, now=timezone.now() + timedelta(days=2))
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    names = re.findall(r'data-step="(\w+)"', page)
    assert names == ["placed", "closed"]
    assert re.search(r'data-step="closed"><span class="step-label">Expired</span>', page)


def test_confirm_receipt_asks_first(buyer, merchant, order):
    fund(buyer, 20_000)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    actions.ship_order(merchant=merchant, order_id=order.pk, carrier="SF", tracking_number="1")
    client = client_for(buyer)
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert (
        f'<form method="get" action="/shop/orders/{order.pk}/#confirm-receipt" class="inline">'
        '<input type="hidden" name="ask" value="confirm"><button type="submit" '
        'id="order-confirm-ask">Confirm receipt</button></form>'
    ) in page
    assert "<dialog" not in page and f'action="/shop/orders/{order.pk}/confirm/"' not in page
    asked = client.get(f"/shop/orders/{order.pk}/?ask=confirm")
    page = text(asked)
    assert '<dialog open id="confirm-receipt"' in page
    assert (
        "This releases ¥129.00 to acme and cannot be undone. Confirm only once the goods "
        "have arrived as described."
    ) in page
    assert Order.objects.get(pk=order.pk).state == "shipped"
    response = client.post(f"/shop/orders/{order.pk}/confirm/", {"key": key_of(asked)}, follow=True)
    assert flash(response) == ["Receipt confirmed. The merchant has been paid."]
    # Nobody else is asked: the merchant's page has no such question.
    assert "<dialog" not in text(client_for(merchant).get(f"/shop/orders/{order.pk}/?ask=confirm"))


def test_checkout_places_the_order_and_pays_it_in_one_step(buyer, scarf, address):
    sku = scarf[1]
    client = client_for(buyer)
    url = f"/shop/checkout/?sku={sku.pk}&quantity=1"
    page = client.get(url)
    assert 'id="checkout-pay-button">Pay ¥129.00 now</button>' in text(page)
    key = key_of(page)
    form = {"key": key, "pay_key": f"{key}-pay", "address": address.pk, "sku": sku.pk}
    response = client.post(url, {**form, "quantity": 1, "pay": "1", "channel": "alipay"})
    order = Order.objects.get()
    topup = Payment.objects.get(order_id=order.pk)
    assert response["Location"] == topup.redirect_url
    assert (topup.channel, topup.amount, order.state) == ("alipay", 12_900, "awaiting_payment")
    # The same form sent again places nothing more and sends the buyer to the same payment.
    again = client.post(url, {**form, "quantity": 1, "pay": "1", "channel": "alipay"})
    assert again["Location"] == topup.redirect_url
    assert (Order.objects.count(), Payment.objects.count()) == (1, 1)


def test_checkout_with_a_covering_wallet_is_paid_when_placed(buyer, scarf, address):
    fund(buyer, 20_000)
    sku = scarf[1]
    client = client_for(buyer)
    url = f"/shop/checkout/?sku={sku.pk}&quantity=1"
    key = key_of(client.get(url))
    response = client.post(
        url,
        {"key": key, "pay_key": f"{key}-pay", "address": address.pk, "sku": sku.pk, "pay": "1"},
        follow=True,
    )
    assert flash(response) == ["Paid. The money is held safely until you confirm receipt."]
    assert '<strong id="order-state">Paid</strong>' in text(response)
    assert wallet_balance(buyer) == 7_100


def test_the_pay_area_and_the_sandbox_speak_simplified_chinese(buyer, order):
    client = client_for(buyer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    page = text(client.get(f"/shop/orders/{order.pk}/"))
    assert "钱包余额 ¥0.00：其余 ¥129.00 通过你选择的方式支付。" in page
    assert 'id="order-pay-button">支付 ¥129.00</button>' in page
    assert "> 微信支付</label>" in page and "> 支付宝</label>" in page
    assert 'data-step="placed"><span class="step-label">已下单</span>' in page
    to_provider = client.post(
        f"/shop/orders/{order.pk}/pay/one-step/",
        {"key": key_of(client.get(f"/shop/orders/{order.pk}/")), "channel": "wechat"},
    )
    sandbox = text(client.get(to_provider["Location"]))
    assert '<strong id="sandbox-channel">微信支付</strong>' in sandbox
    assert 'value="confirm" class="sandbox-pay">付款</button>' in sandbox


def test_the_order_page_offers_only_channels_whose_provider_is_enabled(settings, buyer, order):
    # Before, with only Alipay enabled the page still offered WeChat Pay, which could only be
    # refused with provider_disabled.
    settings.WALLET_PROVIDERS = ["alipay"]
    settings.WALLET_SANDBOX_ENABLED = False
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert 'value="alipay"' in page
    assert 'value="wechat"' not in page


def test_with_the_sandbox_every_channel_is_offered(buyer, order):
    page = text(client_for(buyer).get(f"/shop/orders/{order.pk}/"))
    assert 'value="alipay"' in page
    assert 'value="wechat"' in page
