"""The declared top-up and payout lifecycles: what each state allows, and moves they refuse."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.lifecycle import lifecycle_of
from infoconnect.wallet import actions
from infoconnect.wallet.lifecycle import payments, payouts
from infoconnect.wallet.models import LedgerTransaction, Payment, Payout
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund_merchant


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def row(model, pk: int) -> tuple:
    return model.objects.filter(pk=pk).values_list(*[f.attname for f in model._meta.fields])[0]


def test_the_graphs_are_registered_and_say_what_each_state_allows():
    assert lifecycle_of(Payment) is payments
    assert lifecycle_of(Payout) is payouts
    assert {state: payments.verbs_from(state) for state in Payment.Status.values} == {
        "pending": ["succeed", "cancel", "expire"],
        "succeeded": [],
        "canceled": ["succeed"],
        "expired": ["succeed"],
    }
    assert {state: payouts.verbs_from(state) for state in Payout.Status.values} == {
        "requested": ["send", "refuse"],
        "sent": ["complete", "fail"],
        "paid": [],
        "failed": [],
    }
    assert [edge.verb for edge in payments.due_edges()] == ["expire"]
    assert [edge.verb for edge in payouts.due_edges()] == ["send"]


@pytest.mark.parametrize("verb", ["cancel", "expire"])
def test_a_paid_top_up_refuses_to_move_and_nothing_is_written(buyer, verb):
    payment = actions.start_topup(user_id=buyer.pk, amount=500)
    actions.complete_topup(payment_id=payment.pk)
    payment.refresh_from_db()
    before = row(Payment, payment.pk)
    with pytest.raises(DomainError) as error:
        payments.move(payment, verb, completed_at=timezone.now() + timedelta(days=1))
    assert (error.value.code, error.value.status) == ("invalid_state", 409)
    assert error.value.message == "The top-up is not in a state that allows this."
    assert payments.move(payment, verb, strict=False) is False
    assert row(Payment, payment.pk) == before
    assert LedgerTransaction.objects.count() == 1


def test_a_top_up_that_moved_meanwhile_refuses_the_stale_move(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=500)
    stale = Payment.objects.get(pk=payment.pk)
    actions.complete_topup(payment_id=payment.pk)
    before = row(Payment, payment.pk)
    # The stale copy still says pending: the conditional UPDATE finds the row elsewhere.
    assert payments.allows(stale, "cancel")
    with pytest.raises(DomainError) as error:
        payments.move(stale, "cancel", completed_at=timezone.now())
    assert error.value.code == "invalid_state"
    assert row(Payment, payment.pk) == before
    assert stale.status == "pending"


@pytest.mark.parametrize("verb", ["complete", "fail"])
def test_a_payout_never_sent_cannot_be_paid_or_failed_by_a_notification(buyer, merchant, verb):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=400)
    before = row(Payout, payout.pk)
    with pytest.raises(DomainError) as error:
        payouts.move(payout, verb, completed_at=timezone.now())
    assert (error.value.code, error.value.message) == (
        "invalid_state",
        "The payout is not in a state that allows this.",
    )
    # The actions the notifications call move nothing either.
    finish = actions.complete_payout if verb == "complete" else actions.fail_payout
    assert finish(payout_id=payout.pk).status == "requested"
    assert row(Payout, payout.pk) == before
    assert list(
        LedgerTransaction.objects.filter(
            reference=str(payout.pk), kind__startswith="payout"
        ).values_list("kind")
    ) == [("payout",)]
    assert_ledger_consistent()


@pytest.mark.parametrize("verb", ["send", "refuse", "complete", "fail"])
def test_a_paid_payout_refuses_every_move_and_nothing_is_written(buyer, merchant, verb):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=400)
    actions.send_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)
    payout.refresh_from_db()
    before = row(Payout, payout.pk)
    entries = LedgerTransaction.objects.count()
    with pytest.raises(DomainError):
        payouts.move(payout, verb, provider_ref="sbo_other", completed_at=timezone.now())
    assert row(Payout, payout.pk) == before
    assert LedgerTransaction.objects.count() == entries
    # Neither does the send job: it asks the provider only for a payout still requested.
    assert actions.send_payout(payout_id=payout.pk) is False
    assert row(Payout, payout.pk) == before


@pytest.mark.django_db(transaction=True)
def test_payouts_stored_as_pending_were_sent_and_read_as_sent():
    executor = MigrationExecutor(connection)
    executor.migrate([("wallet", "0004_payment_expiry")])
    old = executor.loader.project_state([("wallet", "0004_payment_expiry")]).apps
    for status in ("pending", "paid", "failed"):
        old.get_model("wallet", "Payout").objects.create(
            merchant_id=7,
            amount=100,
            provider="sandbox",
            provider_ref=f"sbo_{status}",
            status=status,
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(Payout.objects.values_list("provider_ref", "status")) == {
        "sbo_pending": "sent",
        "sbo_paid": "paid",
        "sbo_failed": "failed",
    }
    # A payout the provider had already taken waits for its notification, as before.
    sent = Payout.objects.get(provider_ref="sbo_pending")
    assert payouts.verbs_from(sent.status) == ["complete", "fail"]
    assert sent.get_status_display() == "Processing"
