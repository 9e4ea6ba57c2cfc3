"""A payout reaches its provider after the request committed, outside any transaction, once.

The request only moves the money to payout_pending; the send job asks the provider after the
commit. A provider that refuses fails the payout and the money comes back; a payout whose job
was lost (or whose worker died mid-call) is sent by the sweep, and the provider, given the
payout's id as its idempotency key, takes it once.
"""

import json
import logging
import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions, tasks
from infoconnect.wallet.models import (
    AccountKind,
    LedgerAccount,
    LedgerTransaction,
    Payout,
    ProviderNotification,
)
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.providers.sandbox import PAYOUT_PAID, SandboxProvider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import (
    assert_ledger_consistent,
    fund_merchant,
    money_in_system,
)

REAL_CREATE_PAYOUT = SandboxProvider.create_payout


class WorkerKilled(BaseException):
    """The worker process dies: nothing after this line of the job runs."""


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def asked(monkeypatch):
    """Every payout the sandbox is asked for: (our reference, the sandbox's answer)."""
    calls = []

    def record(self, *, amount, currency, reference, payee=None):
        answer = REAL_CREATE_PAYOUT(
            self, amount=amount, currency=currency, reference=reference, payee=payee
        )
        calls.append((reference, answer.reference))
        return answer

    monkeypatch.setattr(SandboxProvider, "create_payout", record)
    return calls


def ledger_kinds(payout: Payout) -> list[str]:
    return sorted(
        LedgerTransaction.objects.filter(
            reference=str(payout.pk), kind__startswith="payout"
        ).values_list("kind", flat=True)
    )


def seen_from_another_connection(*, payout_id: int, merchant_id: int) -> dict:
    """What a second PostgreSQL session sees of the payout, and whether the merchant's ledger
    rows are free: NOWAIT fails at once on a row another transaction holds."""
    seen = {}

    def look() -> None:
        try:
            with transaction.atomic():
                seen["status"] = Payout.objects.get(pk=payout_id).status
                seen["ledger"] = list(
                    LedgerTransaction.objects.filter(
                        reference=str(payout_id), kind__startswith="payout"
                    ).values_list("kind", flat=True)
                )
                seen["lockable"] = sorted(
                    LedgerAccount.objects.select_for_update(nowait=True)
                    .filter(owner_id=merchant_id)
                    .values_list("kind", flat=True)
                )
        except Exception as error:
            seen["error"] = repr(error)
        finally:
            connection.close()

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_asked_after_the_request_committed_with_no_ledger_row_locked(
    buyer, merchant, monkeypatch
):
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    observed = []

    def observe(self, *, amount, currency, reference, payee=None):
        seen = {"in_transaction": connection.in_atomic_block}
        if connection.vendor == "postgresql":
            seen.update(
                seen_from_another_connection(payout_id=int(reference), merchant_id=merchant.pk)
            )
        observed.append(seen)
        return REAL_CREATE_PAYOUT(
            self, amount=amount, currency=currency, reference=reference, payee=payee
        )

    monkeypatch.setattr(SandboxProvider, "create_payout", observe)
    web = Client()
    web.force_login(merchant)
    response = web.post(
        "/wallet/merchant/payouts/", {"amount": "40", "idempotency_key": str(uuid.uuid4())}
    )
    assert response["Location"] == "/wallet/merchant/"
    payout = Payout.objects.get()
    expected = {"in_transaction": False}
    if connection.vendor == "postgresql":
        # Committed (another session sees it requested, its money moved) and nothing locked.
        expected.update(
            status="requested",
            ledger=["payout"],
            # The debt account is opened by the payout's check that nothing is owed.
            lockable=["merchant", "merchant_debt", "payout_pending"],
        )
    assert observed == [expected]
    # The sandbox then reports it paid: the money has left.
    assert payout.status == "paid"
    assert payout.provider_ref.startswith("sbo_")
    assert ledger_kinds(payout) == ["payout", "payout_paid"]
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 6_000
    assert money_in_system() == 6_000
    assert_ledger_consistent()


@pytest.mark.django_db(transaction=True)
def test_a_payout_the_provider_refuses_after_commit_fails_and_the_money_comes_back(
    buyer, merchant, api_client, monkeypatch, caplog
):
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    attempts = []

    def refuse(self, *, amount, currency, reference, payee=None):
        attempts.append((reference, connection.in_atomic_block))
        raise ConnectionError("provider unreachable")

    monkeypatch.setattr(SandboxProvider, "create_payout", refuse)
    client = api_client(merchant)
    with caplog.at_level(logging.ERROR, logger="infoconnect.wallet.actions.payouts"):
        response = client.post(
            "/api/v1/wallet/payouts",
            data=json.dumps({"amount": 4_000}),
            content_type="application/json",
            headers={"Idempotency-Key": "p1"},
        )
    # The request answered before the provider was asked.
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    payout = Payout.objects.get()
    assert attempts == [(str(payout.pk), False)]
    assert (payout.status, payout.provider_ref) == ("failed", None)
    assert client.get(f"/api/v1/wallet/payouts/{payout.pk}").json()["status"] == "failed"
    assert [record.getMessage() for record in caplog.records] == [
        f"Payout {payout.pk} was refused by sandbox; its money goes back to the balance"
    ]
    assert caplog.records[0].exc_info[0] is ConnectionError
    assert ledger_kinds(payout) == ["payout", "payout_failed"]
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 10_000
    assert balance_of(user_id=merchant.pk, kind=AccountKind.PAYOUT_PENDING) == 0
    assert money_in_system() == 10_000
    assert_ledger_consistent()
    # Nothing retries a refusal: the sweep leaves a failed payout alone.
    assert (
        sweeps.run(now=timezone.now() + timedelta(hours=1), app_label="wallet")["payout.send"] == 0
    )
    assert len(attempts) == 1


@pytest.mark.django_db
def test_a_payout_left_requested_is_sent_by_the_sweep_exactly_once(buyer, merchant, asked):
    fund_merchant(merchant.pk, buyer.pk, 1_000, order_id=1)
    # Requested inside this test's transaction, which never commits: its send job never runs,
    # as when the worker dies between the commit and the call.
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    requested_at = payout.created_at
    assert asked == []
    assert sweeps.run(now=requested_at + timedelta(minutes=1), app_label="wallet") == {
        "payment.expire": 0,
        "payout.send": 0,
        "banktransfer.expire": 0,
    }
    assert asked == []
    assert sweeps.run(now=requested_at + timedelta(minutes=3), app_label="wallet") == {
        "payment.expire": 0,
        "payout.send": 1,
        "banktransfer.expire": 0,
    }
    payout.refresh_from_db()
    assert asked == [(str(payout.pk), payout.provider_ref)]
    assert payout.status == "sent"
    # Later sweeps, and the lost job turning up after all, ask nothing more.
    assert sweeps.run(now=requested_at + timedelta(minutes=10), app_label="wallet") == {
        "payment.expire": 0,
        "payout.send": 0,
        "banktransfer.expire": 0,
    }
    assert tasks.send_payout.call(payout_id=payout.pk) is False
    assert len(asked) == 1
    assert balance_of(user_id=merchant.pk, kind=AccountKind.PAYOUT_PENDING) == 700
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_worker_killed_after_the_provider_took_the_payout_sends_it_once(
    buyer, merchant, monkeypatch
):
    fund_merchant(merchant.pk, buyer.pk, 1_000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    calls = []

    def take_then_die(self, *, amount, currency, reference, payee=None):
        answer = REAL_CREATE_PAYOUT(
            self, amount=amount, currency=currency, reference=reference, payee=payee
        )
        calls.append((reference, answer.reference))
        if len(calls) == 1:
            raise WorkerKilled  # the provider took it; we never heard its answer
        return answer

    monkeypatch.setattr(SandboxProvider, "create_payout", take_then_die)
    attempted = timezone.now()
    with pytest.raises(WorkerKilled):
        actions.send_payout(payout_id=payout.pk, now=attempted)
    payout.refresh_from_db()
    assert (payout.status, payout.provider_ref, payout.attempted_at) == (
        "requested",
        None,
        attempted,
    )
    # The job retried while the dead worker's claim holds asks nothing.
    assert tasks.send_payout.call(payout_id=payout.pk) is False
    assert sweeps.run(now=attempted + timedelta(minutes=1), app_label="wallet")["payout.send"] == 0
    assert len(calls) == 1
    # Once the claim lapsed the sweep asks again, with the same idempotency reference: the
    # provider answers with the payout it already took, and nothing is sent twice.
    assert sweeps.run(now=attempted + timedelta(minutes=3), app_label="wallet")["payout.send"] == 1
    payout.refresh_from_db()
    assert calls == [(str(payout.pk), payout.provider_ref)] * 2
    assert payout.status == "sent"
    assert sweeps.run(now=attempted + timedelta(hours=1), app_label="wallet")["payout.send"] == 0
    assert len(calls) == 2
    assert ledger_kinds(payout) == ["payout"]
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_notification_that_overtakes_the_send_job_records_the_payout_sent(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 1_000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    sandbox = get_provider("sandbox")
    # The provider took the payout and says it is paid before the send job recorded its answer;
    # the notification names the payout by the reference we gave.
    body, headers = sandbox.build_notification(
        event=PAYOUT_PAID,
        object_ref="sbo_taken",
        amount=700,
        currency="CNY",
        reference=str(payout.pk),
    )
    actions.handle_provider_notification(provider_name="sandbox", body=body, headers=headers)
    stale = Payout.objects.get(pk=payout.pk)
    assert (stale.status, stale.provider_ref) == ("paid", "sbo_taken")
    assert ledger_kinds(payout) == ["payout", "payout_paid"]
    # The send job's answer arrives late and finds the payout moved on.
    assert actions.record_sent(payout, provider_ref="sbo_taken") is False
    assert Payout.objects.get(pk=payout.pk).status == "paid"
    assert money_in_system() == 300
    assert_ledger_consistent()


@pytest.mark.django_db
def test_a_notification_for_no_payout_of_ours_is_refused_and_not_recorded(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 1_000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    sandbox = get_provider("sandbox")
    for reference, amount, code in [
        ("", 700, "payout_not_found"),
        (str(payout.pk + 1), 700, "payout_not_found"),
        ("x", 700, "payout_not_found"),
        (str(payout.pk), 701, "invalid_notification"),
    ]:
        body, headers = sandbox.build_notification(
            event=PAYOUT_PAID,
            object_ref="sbo_x",
            amount=amount,
            currency="CNY",
            reference=reference,
        )
        with pytest.raises(DomainError) as error:
            actions.handle_provider_notification(
                provider_name="sandbox", body=body, headers=headers
            )
        assert error.value.code == code
    assert ProviderNotification.objects.count() == 0
    payout.refresh_from_db()
    assert (payout.status, payout.provider_ref) == ("requested", None)


@pytest.mark.django_db
def test_the_sandbox_takes_a_payout_once_per_reference():
    sandbox = SandboxProvider()
    first = sandbox.create_payout(amount=500, currency="CNY", reference="41")
    assert first.reference.startswith("sbo_")
    assert first.paid is False
    assert sandbox.create_payout(amount=500, currency="CNY", reference="41") == first
    assert sandbox.create_payout(amount=500, currency="CNY", reference="42") != first


@pytest.mark.django_db
def test_the_merchant_page_says_where_each_payout_is(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    actions.request_payout(merchant_id=merchant.pk, amount=100)
    sent = actions.request_payout(merchant_id=merchant.pk, amount=200)
    actions.send_payout(payout_id=sent.pk)
    client = Client()
    client.force_login(merchant)
    page = client.get("/wallet/merchant/").content.decode()
    assert "<td>¥1.00</td><td>—</td><td>Requested</td>" in page
    assert "<td>¥2.00</td><td>—</td><td>Processing</td>" in page
    page = client.get("/wallet/merchant/", headers={"Accept-Language": "zh-hans"})
    assert "<td>¥1.00</td><td>—</td><td>已申请</td>" in page.content.decode()
    assert "<td>¥2.00</td><td>—</td><td>处理中</td>" in page.content.decode()
