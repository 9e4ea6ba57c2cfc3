from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.testing import Injected, fail_at_statement
from infoconnect.wallet import actions
from infoconnect.wallet.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    Payment,
    Payout,
    TransactionKind,
)
from infoconnect.wallet.providers.sandbox import SandboxProvider
from infoconnect.wallet.selectors import balance_of, platform_account_balance
from infoconnect.wallet.tests.helpers import (
    assert_ledger_consistent,
    fund,
    fund_merchant,
    money_in_system,
)


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def escrow_of(user_id: int) -> int:
    return balance_of(user_id=user_id, kind=AccountKind.ESCROW)


def test_topup_credits_the_wallet_once(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=5000)
    assert payment.status == Payment.Status.PENDING
    assert payment.redirect_url == f"/wallet/sandbox/pay/{payment.provider_ref}/"
    first = actions.complete_topup(payment_id=payment.pk)
    again = actions.complete_topup(payment_id=payment.pk)
    assert first == again
    assert balance_of(user_id=buyer.pk) == 5000
    assert money_in_system() == 5000
    assert_ledger_consistent()


def test_cancelled_topup_credits_nothing(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=5000)
    actions.cancel_topup(payment_id=payment.pk)
    assert balance_of(user_id=buyer.pk) == 0
    assert LedgerTransaction.objects.count() == 0


def test_a_success_after_a_cancellation_is_credited_once(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=5000)
    actions.cancel_topup(payment_id=payment.pk)
    # The provider reverses its cancellation: the payer's money was taken after all.
    first = actions.complete_topup(payment_id=payment.pk)
    again = actions.complete_topup(payment_id=payment.pk)
    assert first is not None and again.pk == first.pk
    assert balance_of(user_id=buyer.pk) == 5000
    assert LedgerTransaction.objects.count() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert_ledger_consistent()


@pytest.mark.parametrize("amount", [0, -1, 5_000_001, "100", 1.5, True])
def test_topup_rejects_bad_amounts(buyer, amount):
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=buyer.pk, amount=amount)
    assert error.value.code in {"invalid_amount", "amount_too_large"}
    assert Payment.objects.count() == 0


def test_pay_order_moves_wallet_to_escrow(buyer):
    fund(buyer.pk, 3000)
    txn = actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1234)
    assert txn.kind == TransactionKind.ORDER_PAYMENT
    assert txn.description == "Payment for order #12"
    assert balance_of(user_id=buyer.pk) == 1766
    assert escrow_of(buyer.pk) == 1234
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-1234, 1234]
    assert_ledger_consistent()


def test_pay_order_is_idempotent_on_the_order(buyer):
    fund(buyer.pk, 3000)
    first = actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000)
    second = actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000)
    assert first.pk == second.pk
    assert balance_of(user_id=buyer.pk) == 2000
    assert LedgerEntry.objects.filter(transaction=first).count() == 2


def test_pay_order_without_enough_money_changes_nothing(buyer):
    fund(buyer.pk, 999)
    with pytest.raises(DomainError) as error:
        actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000)
    assert error.value.code == "insufficient_funds"
    assert error.value.status == 409
    assert balance_of(user_id=buyer.pk) == 999
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).exists()
    # The order can be paid once the wallet has the money.
    fund(buyer.pk, 1)
    actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000)
    assert balance_of(user_id=buyer.pk) == 0
    assert_ledger_consistent()


def test_pay_order_from_a_wallet_never_funded(buyer):
    with pytest.raises(DomainError) as error:
        actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=1)
    assert error.value.code == "insufficient_funds"


def test_pay_order_from_a_wallet_whose_escrow_is_not_open_yet(buyer):
    # Wallets opened before escrow opened with them: the payment opens escrow and posts.
    fund(buyer.pk, 3000)
    LedgerAccount.objects.filter(owner_id=buyer.pk, kind=AccountKind.ESCROW).delete()
    txn = actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000)
    assert balance_of(user_id=buyer.pk) == 2000
    assert escrow_of(buyer.pk) == 1000
    assert sorted(txn.entries.values_list("amount", flat=True)) == [-1000, 1000]
    assert actions.pay_order(buyer_id=buyer.pk, order_id=12, amount=1000).pk == txn.pk
    assert_ledger_consistent()


def test_pay_order_with_escrow_older_than_the_wallet(buyer):
    # Whatever the two accounts' ids, the payment posts both legs.
    LedgerAccount.objects.create(owner_id=buyer.pk, kind=AccountKind.ESCROW, currency="CNY")
    fund(buyer.pk, 500)
    wallet = LedgerAccount.objects.get(owner_id=buyer.pk, kind=AccountKind.WALLET)
    escrow = LedgerAccount.objects.get(owner_id=buyer.pk, kind=AccountKind.ESCROW)
    assert escrow.pk < wallet.pk
    actions.pay_order(buyer_id=buyer.pk, order_id=3, amount=500)
    assert (balance_of(user_id=buyer.pk), escrow_of(buyer.pk)) == (0, 500)
    with pytest.raises(DomainError) as error:
        actions.pay_order(buyer_id=buyer.pk, order_id=4, amount=1)
    assert error.value.code == "insufficient_funds"
    assert LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).count() == 1
    assert_ledger_consistent()


def test_an_order_payment_is_one_statement_on_postgresql(buyer):
    fund(buyer.pk, 3000)
    with CaptureQueriesContext(connection) as queries:
        actions.pay_order(buyer_id=buyer.pk, order_id=7, amount=1000)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    # SQLite: the transaction, its accounts, two balances, the entries.
    assert len(statements) == (1 if connection.vendor == "postgresql" else 5), statements
    assert balance_of(user_id=buyer.pk) == 2000
    assert_ledger_consistent()


@pytest.mark.parametrize("amount", [0, -5, "10"])
def test_pay_order_rejects_bad_amounts(buyer, amount):
    fund(buyer.pk, 100)
    with pytest.raises(DomainError) as error:
        actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=amount)
    assert error.value.code == "invalid_amount"
    assert balance_of(user_id=buyer.pk) == 100


def test_unknown_currency_is_refused(buyer):
    with pytest.raises(DomainError) as error:
        actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=1, currency="XXX")
    assert error.value.code == "unsupported_currency"


def test_wallet_check_constraint_backs_the_conditional_update(buyer):
    fund(buyer.pk, 10)
    wallet = LedgerAccount.objects.get(owner_id=buyer.pk, kind=AccountKind.WALLET)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=wallet.pk).update(balance=-1)


def test_refund_escrow_returns_the_money(buyer):
    fund(buyer.pk, 3000)
    actions.pay_order(buyer_id=buyer.pk, order_id=7, amount=3000)
    txn = actions.refund_escrow(order_id=7, buyer_id=buyer.pk, amount=3000)
    assert actions.refund_escrow(order_id=7, buyer_id=buyer.pk, amount=3000) == txn
    assert balance_of(user_id=buyer.pk) == 3000
    assert escrow_of(buyer.pk) == 0
    assert_ledger_consistent()


def test_refund_escrow_of_an_unpaid_order_is_refused(buyer):
    with pytest.raises(DomainError) as error:
        actions.refund_escrow(order_id=7, buyer_id=buyer.pk, amount=100)
    assert error.value.code == "order_not_paid"
    assert LedgerTransaction.objects.count() == 0


def test_refund_escrow_to_someone_else_is_refused(buyer, make_user):
    other = make_user("other")
    fund(buyer.pk, 100)
    actions.pay_order(buyer_id=buyer.pk, order_id=7, amount=100)
    with pytest.raises(DomainError) as error:
        actions.refund_escrow(order_id=7, buyer_id=other.pk, amount=100)
    assert error.value.code == "wrong_party"
    assert balance_of(user_id=other.pk) == 0
    assert escrow_of(buyer.pk) == 100


def test_escrow_of_one_order_cannot_pay_for_another(buyer, merchant):
    fund(buyer.pk, 300)
    actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=100)
    actions.pay_order(buyer_id=buyer.pk, order_id=2, amount=200)
    actions.refund_escrow(order_id=1, buyer_id=buyer.pk, amount=60)
    with pytest.raises(DomainError) as error:
        actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=50, commission=1)
    assert error.value.code == "escrow_exceeded"
    actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=40, commission=1)
    assert escrow_of(buyer.pk) == 200
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 39
    assert_ledger_consistent()


def test_release_escrow_pays_merchant_less_commission(buyer, merchant):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    txn = actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=10000, commission=200)
    again = actions.release_escrow(
        order_id=5, merchant_id=merchant.pk, amount=10000, commission=200
    )
    assert again == txn
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 9800
    assert platform_account_balance(kind=AccountKind.COMMISSION_REVENUE) == 200
    assert escrow_of(buyer.pk) == 0
    assert txn.entries.count() == 3
    assert_ledger_consistent()


@pytest.mark.parametrize("commission", [-1, 10001, "2"])
def test_release_escrow_rejects_bad_commission(buyer, merchant, commission):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    with pytest.raises(DomainError) as error:
        actions.release_escrow(
            order_id=5, merchant_id=merchant.pk, amount=10000, commission=commission
        )
    assert error.value.code == "invalid_amount"
    assert escrow_of(buyer.pk) == 10000


def test_refund_completed_order_takes_it_from_the_merchant(buyer, merchant):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=10000, commission=200)
    fund_merchant(merchant.pk, buyer.pk, 500, order_id=6)
    txn = actions.refund_completed_order(
        order_id=5, merchant_id=merchant.pk, buyer_id=buyer.pk, amount=10000
    )
    assert txn.description == "Refund for completed order #5"
    assert balance_of(user_id=buyer.pk) == 10000
    # The merchant gives back what it received (¥98.00); the platform its ¥2.00 commission.
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 500
    assert platform_account_balance(kind=AccountKind.COMMISSION_REVENUE) == 0
    assert_ledger_consistent()


def test_refund_completed_order_beyond_the_merchant_balance_leaves_a_debt(buyer, merchant):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=10000, commission=200)
    actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=1, amount=100)
    actions.refund_completed_order(
        order_id=5, merchant_id=merchant.pk, buyer_id=buyer.pk, amount=10000
    )
    assert balance_of(user_id=buyer.pk) == 10000
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 0
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT_DEBT) == -100
    assert_ledger_consistent()


def test_refund_completed_order_before_release_is_refused(buyer, merchant):
    fund(buyer.pk, 100)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=100)
    with pytest.raises(DomainError) as error:
        actions.refund_completed_order(
            order_id=5, merchant_id=merchant.pk, buyer_id=buyer.pk, amount=100
        )
    assert error.value.code == "order_not_released"


def test_refund_completed_order_by_another_merchant_is_refused(buyer, merchant, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    fund(buyer.pk, 100)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=100)
    actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=100, commission=0)
    with pytest.raises(DomainError) as error:
        actions.refund_completed_order(
            order_id=5, merchant_id=rival.pk, buyer_id=buyer.pk, amount=100
        )
    assert error.value.code == "wrong_party"
    with pytest.raises(DomainError) as error:
        actions.refund_completed_order(
            order_id=5, merchant_id=merchant.pk, buyer_id=buyer.pk, amount=101
        )
    assert error.value.code == "refund_exceeds_payment"


def test_campaign_hold_and_settle(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    hold = actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=3, amount=400)
    assert actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=3, amount=400) == hold
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 600
    settle = actions.settle_campaign(merchant_id=merchant.pk, campaign_id=3, charged=250)
    assert actions.settle_campaign(merchant_id=merchant.pk, campaign_id=3, charged=250) == settle
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 750
    assert balance_of(user_id=merchant.pk, kind=AccountKind.CAMPAIGN_HOLD) == 0
    assert platform_account_balance(kind=AccountKind.MESSAGING_REVENUE) == 250
    assert_ledger_consistent()


def test_campaign_hold_needs_the_balance(merchant):
    with pytest.raises(DomainError) as error:
        actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=3, amount=1)
    assert error.value.code == "insufficient_funds"
    assert LedgerTransaction.objects.count() == 0


def test_settle_checks_the_hold(buyer, merchant, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    with pytest.raises(DomainError) as error:
        actions.settle_campaign(merchant_id=merchant.pk, campaign_id=3, charged=0)
    assert error.value.code == "campaign_not_held"
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=3, amount=400)
    for who, charged, code in [
        (rival.pk, 10, "wrong_party"),
        (merchant.pk, 401, "charge_exceeds_hold"),
        (merchant.pk, -1, "invalid_amount"),
    ]:
        with pytest.raises(DomainError) as error:
            actions.settle_campaign(merchant_id=who, campaign_id=3, charged=charged)
        assert error.value.code == code
    assert balance_of(user_id=merchant.pk, kind=AccountKind.CAMPAIGN_HOLD) == 400
    # A campaign that delivered nothing costs nothing.
    actions.settle_campaign(merchant_id=merchant.pk, campaign_id=3, charged=0)
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 1000


def test_payout_paid_leaves_the_system(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 300
    assert balance_of(user_id=merchant.pk, kind=AccountKind.PAYOUT_PENDING) == 700
    assert money_in_system() == 1000
    actions.send_payout(payout_id=payout.pk)  # its job, once the request committed
    actions.complete_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.PAID
    assert balance_of(user_id=merchant.pk, kind=AccountKind.PAYOUT_PENDING) == 0
    assert money_in_system() == 300
    assert_ledger_consistent()


def test_failed_payout_returns_the_money(buyer, merchant):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=700)
    actions.send_payout(payout_id=payout.pk)  # its job, once the request committed
    actions.fail_payout(payout_id=payout.pk)
    # A late "paid" after the failure changes nothing.
    actions.complete_payout(payout_id=payout.pk)
    payout.refresh_from_db()
    assert payout.status == Payout.Status.FAILED
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 1000
    assert money_in_system() == 1000
    assert_ledger_consistent()


def test_payout_needs_the_balance_and_a_merchant(
    monkeypatch, buyer, merchant, django_capture_on_commit_callbacks
):
    asked = []
    create_payout = SandboxProvider.create_payout

    def record(self, *, amount, currency, reference, payee=None):
        asked.append(amount)
        return create_payout(
            self, amount=amount, currency=currency, reference=reference, payee=payee
        )

    monkeypatch.setattr(SandboxProvider, "create_payout", record)
    with pytest.raises(DomainError) as error:
        actions.request_payout(merchant_id=merchant.pk, amount=1)
    assert error.value.code == "insufficient_funds"
    with pytest.raises(DomainError) as error:
        actions.request_payout(merchant_id=buyer.pk, amount=1)
    assert error.value.code == "not_a_merchant"
    assert Payout.objects.count() == 0
    # A real provider would have sent the money: it is asked only once the balance covers it.
    assert asked == []
    fund_merchant(merchant.pk, buyer.pk, 500, order_id=1)
    # The provider is asked once the request has committed.
    with django_capture_on_commit_callbacks(execute=True):
        payout = actions.request_payout(merchant_id=merchant.pk, amount=300)
        assert asked == []
    assert asked == [300]
    payout.refresh_from_db()
    assert Payout.objects.get().provider_ref == payout.provider_ref
    assert payout.provider_ref.startswith("sbo_")


@pytest.mark.django_db
def test_entries_lead_with_their_account():
    columns = [field.column for field in LedgerEntry._meta.local_fields if not field.primary_key]
    assert columns[0] == "account_id"
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(
            cursor, LedgerEntry._meta.db_table
        )
    assert [column.name for column in description][:2] == ["id", "account_id"]


@pytest.mark.parametrize(
    "where", ["INSERT INTO wallet_ledgertransaction", "UPDATE wallet_ledgeraccount"]
)
@pytest.mark.parametrize("after", [False, True])
def test_a_crash_mid_payment_leaves_nothing_half_written(buyer, monkeypatch, where, after):
    fund(buyer.pk, 1000)
    # Before or after the transaction row, the balance updates or (with them on PostgreSQL,
    # where a payment is one statement) the entries.
    fail_at_statement(where, after=after)(monkeypatch)
    with pytest.raises(Injected):
        actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=600)
    monkeypatch.undo()
    assert balance_of(user_id=buyer.pk) == 1000
    assert escrow_of(buyer.pk) == 0
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).exists()
    # The retry goes through, once.
    actions.pay_order(buyer_id=buyer.pk, order_id=1, amount=600)
    assert balance_of(user_id=buyer.pk) == 400
    assert_ledger_consistent()


# Top-up expiry ----------------------------------------------------------------------------


def _opened_ago(payment: Payment, minutes: float) -> None:
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_sweep_expires_only_top_ups_left_pending_too_long(buyer):
    stale = actions.start_topup(user_id=buyer.pk, amount=100)
    fresh = actions.start_topup(user_id=buyer.pk, amount=200)
    paid = actions.start_topup(user_id=buyer.pk, amount=300)
    cancelled = actions.start_topup(user_id=buyer.pk, amount=400)
    actions.complete_topup(payment_id=paid.pk)
    actions.cancel_topup(payment_id=cancelled.pk)
    for payment in (stale, paid, cancelled):
        _opened_ago(payment, 31)
    _opened_ago(fresh, 29)
    now = timezone.now()
    assert actions.TOPUP_EXPIRES_AFTER == timedelta(minutes=30)
    assert actions.expire_stale_topups(now=now) == 1
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {
        stale.pk: "expired",
        fresh.pk: "pending",
        paid.pk: "succeeded",
        cancelled.pk: "canceled",
    }
    assert Payment.objects.get(pk=stale.pk).completed_at == now
    assert balance_of(user_id=buyer.pk) == 300
    assert_ledger_consistent()


def test_sweep_twice_expires_once(buyer):
    payments = [actions.start_topup(user_id=buyer.pk, amount=100 + i) for i in range(5)]
    for payment in payments:
        _opened_ago(payment, 45)
    first = timezone.now()
    # Small chunks: every chunk is its own conditional UPDATE.
    assert actions.expire_stale_topups(now=first, batch=2) == 5
    assert actions.expire_stale_topups(now=first + timedelta(minutes=5), batch=2) == 0
    assert set(Payment.objects.values_list("status", "completed_at")) == {("expired", first)}


def test_a_top_up_paid_after_it_expired_is_credited_once(buyer, merchant):
    to_wallet = actions.start_topup(user_id=buyer.pk, amount=5000)
    to_merchant = actions.start_topup(
        user_id=merchant.pk, amount=7000, destination=AccountKind.MERCHANT
    )
    actions.expire_stale_topups(now=timezone.now() + timedelta(minutes=31))
    assert set(Payment.objects.values_list("status", flat=True)) == {"expired"}
    # The provider took the money before we gave up waiting: it must still arrive.
    first = actions.complete_topup(payment_id=to_wallet.pk)
    assert first is not None and first.amount == 5000
    assert actions.complete_topup(payment_id=to_wallet.pk) == first
    actions.complete_topup(payment_id=to_merchant.pk)
    assert balance_of(user_id=buyer.pk) == 5000
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 7000
    assert LedgerTransaction.objects.filter(kind=TransactionKind.TOPUP).count() == 2
    assert set(Payment.objects.values_list("status", flat=True)) == {"succeeded"}
    # A later sweep leaves a paid top-up alone.
    assert actions.expire_stale_topups(now=timezone.now() + timedelta(days=1)) == 0
    assert money_in_system() == 12_000
    assert_ledger_consistent()


def test_cancelling_an_expired_top_up_keeps_it_expired(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=5000)
    actions.expire_stale_topups(now=timezone.now() + timedelta(minutes=31))
    assert actions.cancel_topup(payment_id=payment.pk).status == Payment.Status.EXPIRED


def test_a_cancelled_top_up_is_neither_expired_nor_credited(buyer):
    payment = actions.start_topup(user_id=buyer.pk, amount=5000)
    actions.cancel_topup(payment_id=payment.pk)
    assert actions.expire_stale_topups(now=timezone.now() + timedelta(minutes=31)) == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert balance_of(user_id=buyer.pk) == 0
    assert LedgerTransaction.objects.count() == 0
