import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, Payment, Payout, ProviderNotification
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tasks import deliver_sandbox_notification, expire_stale_topups
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
    # Sent, as its send job sends it once the request has committed.
    actions.send_payout(payout_id=payout.pk)
    payout.refresh_from_db()
    for _ in range(2):
        deliver_sandbox_notification.call(event="payout.failed", object_ref=payout.provider_ref)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 1000
    assert_ledger_consistent()


def test_notification_task_for_a_vanished_object_does_nothing(db):
    deliver_sandbox_notification.call(event="payment.succeeded", object_ref="sbp_gone")
    assert ProviderNotification.objects.count() == 0


def _abandoned(user, amount: int) -> Payment:
    payment = actions.start_topup(user_id=user.pk, amount=amount)
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - actions.TOPUP_EXPIRES_AFTER - timedelta(seconds=1)
    )
    return payment


def test_expiry_task_is_safe_to_run_twice(alice):
    payment = _abandoned(alice, 700)
    recent = actions.start_topup(user_id=alice.pk, amount=800)
    assert expire_stale_topups.call() == 1
    assert expire_stale_topups.call() == 0
    # Queued the way a worker or scheduler would run it.
    assert expire_stale_topups.enqueue().return_value == 0
    assert dict(Payment.objects.values_list("pk", "status")) == {
        payment.pk: "expired",
        recent.pk: "pending",
    }


def test_wallet_sweep_command_prints_what_it_expired(alice):
    _abandoned(alice, 700)
    _abandoned(alice, 900)
    for expected in ("expired_topups=2", "expired_topups=0"):
        out = io.StringIO()
        call_command("wallet_sweep", stdout=out)
        assert out.getvalue() == expected + "\n"
    assert set(Payment.objects.values_list("status", flat=True)) == {"expired"}


def test_the_periodic_runner_sweeps_top_ups(alice):
    assert dict(settings.PERIODIC_COMMANDS)["sweep"] == 60
    _abandoned(alice, 700)
    call_command("periodic", "--once", stdout=io.StringIO())
    assert Payment.objects.get().status == Payment.Status.EXPIRED
