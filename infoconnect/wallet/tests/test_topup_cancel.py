"""An expired top-up is called off at its provider once the expiry has committed.

The provider's cancellation is told after the fact and cannot undo the expiry; when it fails
it is logged for an operator. A payer who paid before the cancellation reached the provider is
still credited, once.
"""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from infoconnect.wallet import actions, providers
from infoconnect.wallet.models import LedgerTransaction, Payment, ProviderNotification
from infoconnect.wallet.providers.base import PaymentProvider
from infoconnect.wallet.providers.sandbox import PAYMENT_SUCCEEDED, SandboxProvider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db(transaction=True)

LATER = timedelta(minutes=31)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def cancels(monkeypatch):
    """The references the sandbox was asked to cancel, each with the status our row had in
    the database (read on this connection, outside any transaction) at that moment."""
    seen = []
    real = SandboxProvider.cancel_payment

    def record(self, *, reference):
        seen.append(
            (
                reference,
                Payment.objects.get(provider_ref=reference).status,
                connection.in_atomic_block,
            )
        )
        return real(self, reference=reference)

    monkeypatch.setattr(SandboxProvider, "cancel_payment", record)
    return seen


def _stale(user, amount: int, minutes: int = 45) -> Payment:
    payment = actions.start_topup(user_id=user.pk, amount=amount)
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )
    return payment


def test_each_expired_top_up_is_cancelled_after_its_expiry_commits(alice, cancels):
    stale = [_stale(alice, 100 + i) for i in range(3)]
    fresh = _stale(alice, 200, minutes=5)
    paid = _stale(alice, 300)
    actions.complete_topup(payment_id=paid.pk)
    assert actions.expire_stale_topups(batch=2) == 3
    assert cancels == [(p.provider_ref, "expired", False) for p in stale]
    # The sandbox answers as a provider does, and the top-ups stay expired.
    assert set(ProviderNotification.objects.values_list("event", "object_ref")) == {
        ("payment.canceled", p.provider_ref) for p in stale
    }
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {
        **{p.pk: "expired" for p in stale},
        fresh.pk: "pending",
        paid.pk: "succeeded",
    }
    # A second sweep expires nothing and cancels nothing.
    assert actions.expire_stale_topups() == 0
    assert len(cancels) == 3


def test_an_expiry_rolled_back_cancels_nothing(alice, cancels):
    payment = _stale(alice, 100)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert actions.expire_stale_topups() == 1
        raise RuntimeError("the caller's transaction failed after the sweep")
    assert cancels == []
    assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_a_failing_cancel_keeps_the_expiry_and_is_logged(alice, monkeypatch, caplog):
    first, broken, last = (_stale(alice, amount) for amount in (100, 200, 300))
    gone = _stale(alice, 400)
    Payment.objects.filter(pk=gone.pk).update(provider="retired")
    asked = []

    def cancel(self, *, reference):
        asked.append(reference)
        if reference == broken.provider_ref:
            raise ConnectionError("provider unreachable")

    monkeypatch.setattr(SandboxProvider, "cancel_payment", cancel)
    with caplog.at_level(logging.ERROR, logger="infoconnect.wallet.providers"):
        assert actions.expire_stale_topups(batch=10) == 4
    assert asked == [first.provider_ref, broken.provider_ref, last.provider_ref]
    assert set(Payment.objects.values_list("status", flat=True)) == {"expired"}
    assert [record.getMessage() for record in caplog.records] == [
        f"Could not cancel expired top-up {broken.pk} at sandbox (reference "
        f"{broken.provider_ref}); it stays open there",
        f"Could not cancel expired top-up {gone.pk} at retired (reference "
        f"{gone.provider_ref}); it stays open there",
    ]
    assert caplog.records[0].exc_info[0] is ConnectionError
    # Nothing else was touched, and a late success on the one left open is still credited.
    assert LedgerTransaction.objects.count() == 0
    actions.complete_topup(payment_id=broken.pk)
    assert balance_of(user_id=alice.pk) == 200


def test_a_success_after_the_cancel_is_credited_once(alice, cancels):
    payment = _stale(alice, 5000)
    assert actions.expire_stale_topups() == 1
    assert [c[0] for c in cancels] == [payment.provider_ref]
    assert Payment.objects.get(pk=payment.pk).status == "expired"
    # The payer had paid before the cancellation reached the provider: it says so, twice.
    sandbox = providers.get_provider("sandbox")
    for _ in range(2):
        body, headers = sandbox.build_notification(
            event=PAYMENT_SUCCEEDED, object_ref=payment.provider_ref, amount=5000, currency="CNY"
        )
        actions.handle_provider_notification(provider_name="sandbox", body=body, headers=headers)
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"
    assert balance_of(user_id=alice.pk) == 5000
    assert LedgerTransaction.objects.filter(kind="topup").count() == 1
    assert_ledger_consistent()


def test_the_sweep_command_cancels_what_it_expired(alice, cancels):
    payment = _stale(alice, 100)
    out = io.StringIO()
    call_command("wallet_sweep", stdout=out)
    assert out.getvalue().strip() == "expired_topups=1"
    assert [c[0] for c in cancels] == [payment.provider_ref]


def test_every_provider_must_be_able_to_cancel_a_payment():
    class Incomplete(PaymentProvider):
        name = "incomplete"

        def create_payment(self, *, amount, currency):
            raise NotImplementedError

        def create_payout(self, *, amount, currency):
            raise NotImplementedError

        def parse_notification(self, *, body, headers):
            raise NotImplementedError

    with pytest.raises(TypeError, match="cancel_payment"):
        Incomplete()
