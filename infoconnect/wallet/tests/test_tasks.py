import pytest

from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, Payout, ProviderNotification
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tasks import deliver_sandbox_notification
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund_merchant


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def test_notification_task_is_safe_to_run_twice(alice):
    payment = actions.start_topup(user_id=alice.pk, amount=700)
    for _ in range(2):
        deliver_sandbox_notification.call(
            event="payment.succeeded", object_ref=payment.provider_ref
        )
    assert balance_of(user_id=alice.pk) == 700
    assert ProviderNotification.objects.count() == 2
    assert_ledger_consistent()


def test_payout_notification_task_twice(alice, make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    fund_merchant(merchant.pk, alice.pk, 1000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=400)
    for _ in range(2):
        deliver_sandbox_notification.call(event="payout.failed", object_ref=payout.provider_ref)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 1000
    assert_ledger_consistent()


def test_notification_task_for_a_vanished_object_does_nothing(db):
    deliver_sandbox_notification.call(event="payment.succeeded", object_ref="sbp_gone")
    assert ProviderNotification.objects.count() == 0
