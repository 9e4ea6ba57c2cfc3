"""True concurrency on PostgreSQL: the database write, not a read before it, guards money."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions.companies import verify_company
from infoconnect.procurement.models import Role
from infoconnect.procurement.tests.factories import add, make_company
from infoconnect.wallet import actions, selectors
from infoconnect.wallet.models import (
    AccountKind,
    HeldTransfer,
    LedgerAccount,
    LedgerTransaction,
    Payment,
    Payout,
    ProviderNotification,
    TransactionKind,
)
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.selectors import balance_of, company_balance
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund, fund_merchant

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def run_together(count: int, work) -> list[str]:
    """Run work(i) in `count` threads released at once; return "ok" or each error code."""
    barrier = threading.Barrier(count)
    results: list[str] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            work(index)
            outcome = "ok"
        except DomainError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_payments_from_one_wallet_never_overdraw(make_user):
    buyer = make_user("buyer")
    fund(buyer.pk, 1000)  # affords 4 orders of ¥2.50

    results = run_together(
        12, lambda i: actions.pay_order(buyer_id=buyer.pk, order_id=i + 1, amount=250)
    )

    assert results.count("ok") == 4
    assert results.count("insufficient_funds") == 8
    assert balance_of(user_id=buyer.pk) == 0
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 1000
    assert LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).count() == 4
    assert_ledger_consistent()


def test_concurrent_duplicates_of_one_payment_move_money_once(make_user):
    buyer = make_user("buyer")
    fund(buyer.pk, 1000)

    results = run_together(
        8, lambda i: actions.pay_order(buyer_id=buyer.pk, order_id=7, amount=300)
    )

    assert results == ["ok"] * 8
    assert balance_of(user_id=buyer.pk) == 700
    assert LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).count() == 1
    assert_ledger_consistent()


@pytest.mark.parametrize("escrow_first", [False, True])
def test_concurrent_payments_and_refunds_of_one_buyer_never_deadlock(make_user, escrow_first):
    """Payments (wallet to escrow, one statement) and refunds (escrow to wallet) lock the
    same two accounts: in ascending id order both ways, whichever of the two is older."""
    buyer = make_user("buyer")
    if escrow_first:
        LedgerAccount.objects.create(owner_id=buyer.pk, kind=AccountKind.ESCROW, currency="CNY")
    fund(buyer.pk, 4000)
    for order_id in range(1, 9):
        actions.pay_order(buyer_id=buyer.pk, order_id=order_id, amount=100)

    def work(index: int) -> None:
        if index % 2:
            actions.refund_escrow(order_id=index // 2 + 1, buyer_id=buyer.pk, amount=100)
        else:
            actions.pay_order(buyer_id=buyer.pk, order_id=100 + index, amount=100)

    results = run_together(16, work)

    assert results == ["ok"] * 16
    assert balance_of(user_id=buyer.pk) == 4000 - 800
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 800
    assert_ledger_consistent()


def test_concurrent_refund_and_release_of_one_order_take_its_escrow_once(make_user):
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    fund(buyer.pk, 2000)
    actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=1000)
    actions.pay_order(buyer_id=buyer.pk, order_id=2, amount=1000)

    def work(index: int) -> None:
        if index % 2:
            actions.refund_escrow(order_id=1, buyer_id=buyer.pk, amount=1000)
        else:
            actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=1000, commission=20)

    results = run_together(6, work)

    # Whichever came first won; the other kind is refused, and order 2's money stays put.
    assert sorted(set(results)) == ["escrow_exceeded", "ok"]
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 1000
    assert_ledger_consistent()


def test_concurrent_campaign_holds_and_payouts_share_one_balance(make_user):
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)

    def work(index: int) -> None:
        if index % 2:
            actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=index, amount=200)
        else:
            actions.request_payout(merchant_id=merchant.pk, amount=200)

    results = run_together(10, work)

    assert results.count("ok") == 5
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 0
    assert_ledger_consistent()


def test_sweeps_racing_late_successes_credit_every_paid_top_up_once(make_user):
    buyer = make_user("buyer")
    payments = [actions.start_topup(user_id=buyer.pk, amount=100) for _ in range(6)]
    later = timezone.now() + timedelta(minutes=31)

    # Three sweepers and each top-up's success notification (sent twice) all at once.
    def work(i: int) -> None:
        if i < 3:
            actions.expire_stale_topups(now=later, batch=2)
        else:
            actions.complete_topup(payment_id=payments[(i - 3) % 6].pk)

    results = run_together(15, work)

    assert results == ["ok"] * 15
    assert set(Payment.objects.values_list("status", flat=True)) == {"succeeded"}
    assert balance_of(user_id=buyer.pk) == 600
    assert LedgerTransaction.objects.filter(kind=TransactionKind.TOPUP).count() == 6
    assert_ledger_consistent()


def test_a_bank_transfer_notified_concurrently_credits_the_company_once(make_user):
    boss = make_user("boss")
    operator = make_user("op", is_staff=True)
    company = verify_company(operator=operator, company_id=make_company(boss).pk)
    finance = make_user("fin")
    add(company, boss, finance, Role.FINANCE)
    transfer = actions.open_bank_transfer(user=finance, company_id=company.pk, amount=80_000)
    provider = get_provider("sandbox")
    # The same notification delivered 6 times at once, and 6 distinct arrivals under the code.
    body, headers = provider.build_notification(
        event="transfer.received", object_ref=transfer.code, amount=80_000, currency="CNY"
    )

    replayed = run_together(
        6,
        lambda i: actions.handle_provider_notification(
            provider_name="sandbox", body=body, headers=headers
        ),
    )
    assert sorted(replayed) == ["notification_replayed"] * 5 + ["ok"]
    assert company_balance(company_id=company.pk) == 80_000

    arrivals = run_together(
        6, lambda i: actions.simulate_bank_transfer(code=transfer.code, amount=80_000)
    )
    assert arrivals == ["ok"] * 6
    assert company_balance(company_id=company.pk) == 80_000
    assert HeldTransfer.objects.filter(why="not_awaiting").count() == 6
    assert ProviderNotification.objects.count() == 7
    assert LedgerTransaction.objects.filter(kind=TransactionKind.COMPANY_TOPUP).count() == 1
    assert_ledger_consistent()


def test_fresh_transfers_arriving_together_each_credit_once(make_user):
    boss = make_user("boss")
    operator = make_user("op", is_staff=True)
    company = verify_company(operator=operator, company_id=make_company(boss).pk)
    add(company, boss, make_user("fin"), Role.FINANCE)
    transfers = [
        actions.open_bank_transfer(user=boss, company_id=company.pk, amount=1_000 + i)
        for i in range(8)
    ]
    # The company wallet opens on the first credit: eight first credits race to open it.
    results = run_together(
        8,
        lambda i: actions.simulate_bank_transfer(
            code=transfers[i].code, amount=transfers[i].amount
        ),
    )
    assert results == ["ok"] * 8
    assert company_balance(company_id=company.pk) == sum(t.amount for t in transfers)
    assert_ledger_consistent()


@pytest.mark.parametrize("released", [False, True])
def test_concurrent_refunds_of_one_order_never_exceed_what_it_paid(make_user, released):
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    fund(buyer.pk, 1000)
    actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=1000)
    if released:
        actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=1000, commission=20)

    results = run_together(
        8,
        lambda i: actions.refund_order_money(
            order_id=1, refund_id=i + 1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=400
        ),
    )

    assert sorted(results) == ["ok", "ok"] + ["refund_exceeds_payment"] * 6
    assert balance_of(user_id=buyer.pk) == 800
    assert actions.refunded_amount(order_id=1) == 800
    if released:
        # ¥7.84 of the merchant's ¥9.80 and ¥0.16 of the ¥0.20 commission went back.
        assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 980 - 784
    assert_ledger_consistent()


def test_concurrent_refunds_payouts_and_sales_of_one_merchant_never_deadlock(make_user):
    """Refunds (payment, then accounts by id), payouts (the merchant's accounts) and sales that
    settle its debt lock the same rows; every one finishes and the debt ends exact."""
    buyer = make_user("buyer")
    merchant = make_user("acme", kind="merchant", verified=True)
    for order_id in range(1, 5):
        fund_merchant(merchant.pk, buyer.pk, 1000, order_id=order_id)  # balance 4000
    fund(buyer.pk, 4000)
    for order_id in range(11, 15):
        actions.pay_order(buyer_id=buyer.pk, order_id=order_id, amount=1000)

    def work(index: int) -> None:
        kind, n = index % 3, index // 3
        if kind == 0:
            actions.refund_order_money(
                order_id=n + 1, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=1000
            )
        elif kind == 1:
            actions.request_payout(merchant_id=merchant.pk, amount=1000)
        else:
            actions.release_escrow(
                order_id=n + 11, merchant_id=merchant.pk, amount=1000, commission=0
            )

    results = run_together(12, work)

    assert set(results) <= {
        "ok",
        "insufficient_funds",
        "debt_outstanding",
        "payout_exceeds_available",
    }
    assert results.count("ok") >= 8  # every refund and every release
    assert balance_of(user_id=buyer.pk) == 4000
    standing = selectors.merchant_standing(merchant_id=merchant.pk)
    paid_out = sum(
        Payout.objects.exclude(status=Payout.Status.FAILED).values_list("amount", flat=True)
    )
    # 4000 old + 4000 new sales - 4000 refunded - payouts, with any shortfall owed.
    assert standing.balance - standing.debt + paid_out == 4000
    assert_ledger_consistent()
