"""Pay in one step: the wallet pays when it covers the total, else the provider collects
exactly the shortfall and its success pays the order, once, in the same transaction."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.shop import actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, wallet_balance
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import LedgerTransaction, Payment
from infoconnect.wallet.providers.sandbox import PAYMENT_SUCCEEDED, SandboxProvider
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, scarf, address):
    return actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o"
    )


def ledger_kinds() -> list[tuple[str, str, int]]:
    return list(LedgerTransaction.objects.order_by("pk").values_list("kind", "reference", "amount"))


def notify(payment: Payment, *, notification_id: str | None = None):
    """The sandbox's signed payment.succeeded for the top-up, through the webhook handler."""
    provider = SandboxProvider()
    body, headers = provider.build_notification(
        event=PAYMENT_SUCCEEDED,
        object_ref=payment.provider_ref,
        amount=payment.amount,
        currency=payment.currency,
        notification_id=notification_id,
    )
    return wallet_actions.handle_provider_notification(
        provider_name="sandbox", body=body, headers=headers
    )


def test_a_wallet_that_covers_the_total_pays_at_once(buyer, order):
    fund(buyer, 20_000)
    done = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat")
    assert done.topup is None and done.order.state == "paid"
    assert wallet_balance(buyer) == 7_100
    assert not Payment.objects.filter(order_id=order.pk).exists()


def test_the_shortfall_is_topped_up_and_its_success_pays_the_order(buyer, order):
    fund(buyer, 2_900)
    done = actions.pay_in_one_step(
        buyer=buyer, order_id=order.pk, channel="alipay", return_url=f"/shop/orders/{order.pk}/"
    )
    topup = done.topup
    assert (topup.amount, topup.order_id, topup.channel, topup.status) == (
        10_000,
        order.pk,
        "alipay",
        "pending",
    )
    assert topup.redirect_url == (
        f"/wallet/sandbox/pay/{topup.provider_ref}/?return=%2Fshop%2Forders%2F{order.pk}%2F"
    )
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"
    before = len(ledger_kinds())
    notify(topup)
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert ledger_kinds()[before:] == [
        ("topup", str(topup.pk), 10_000),
        ("order_payment", str(order.pk), 12_900),
    ]
    assert wallet_balance(buyer) == 0
    assert_ledger_consistent()


def test_a_replayed_or_repeated_notification_pays_once(buyer, order):
    topup = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    assert topup.amount == 12_900
    notify(topup, notification_id="evt_1")
    with pytest.raises(DomainError) as replayed:
        notify(topup, notification_id="evt_1")
    assert replayed.value.code == "notification_replayed"
    # The provider telling it again under a new id changes nothing either.
    notify(topup, notification_id="evt_2")
    wallet_actions.complete_topup(payment_id=topup.pk)
    assert [kind for kind, _ref, _amount in ledger_kinds()] == ["topup", "order_payment"]
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert wallet_balance(buyer) == 0
    assert_ledger_consistent()


def test_a_top_up_that_arrives_after_the_order_expired_stays_in_the_wallet(buyer, order):
    topup = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    later = timezone.now() + timedelta(days=2)
    assert actions.expire_order(order_id=order.pk, now=later)
    notify(topup)
    assert Order.objects.get(pk=order.pk).state == "expired"
    assert [kind for kind, _ref, _amount in ledger_kinds()] == ["topup"]
    assert wallet_balance(buyer) == 12_900
    assert Payment.objects.get(pk=topup.pk).status == "succeeded"
    assert_ledger_consistent()


def test_a_top_up_for_an_order_already_paid_stays_in_the_wallet(buyer, order):
    topup = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    fund(buyer, 12_900)
    actions.pay_order(buyer=buyer, order_id=order.pk)
    notify(topup)
    assert wallet_balance(buyer) == 12_900
    assert LedgerTransaction.objects.filter(kind="order_payment").count() == 1
    assert_ledger_consistent()


def test_asking_again_sends_the_payer_back_to_the_waiting_top_up(buyer, order):
    first = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    again = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    other = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="alipay").topup
    assert again.pk == first.pk and other.pk != first.pk
    assert Payment.objects.filter(order_id=order.pk).count() == 2


@pytest.mark.parametrize(
    ("channel", "code"), [("", "invalid_channel"), ("paypal", "invalid_channel")]
)
def test_a_top_up_needs_a_channel_the_buyer_can_pay_with(buyer, order, channel, code):
    with pytest.raises(DomainError) as refused:
        actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel=channel)
    assert refused.value.code == code
    assert not Payment.objects.exists()


def test_who_may_not_pay_and_what_may_not_be_paid(make_user, buyer, merchant, order):
    stranger = make_user("mallory")
    for person in (stranger, merchant):
        with pytest.raises(DomainError) as refused:
            actions.pay_in_one_step(buyer=person, order_id=order.pk, channel="wechat")
        assert refused.value.code == "order_not_found"
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError) as refused:
        actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat")
    assert refused.value.code == "order_expired"
    actions.cancel_order(person=buyer, order_id=order.pk)
    with pytest.raises(DomainError) as refused:
        actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat")
    assert refused.value.code == "invalid_state"
    assert not Payment.objects.exists() and not LedgerTransaction.objects.exists()
