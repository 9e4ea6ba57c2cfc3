"""A merchant's security deposit, its debt, and the payouts that wait for both."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.shop.tests.conftest import make_product
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, LedgerTransaction, Payout, TransactionKind
from infoconnect.wallet.selectors import balance_of, merchant_standing, refund_reserve
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund, fund_merchant


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def operator(make_user):
    return make_user("op", is_staff=True)


def of(merchant, kind: str) -> int:
    return balance_of(user_id=merchant.pk, kind=kind)


def in_debt(merchant, buyer, amount: int, *, order_id: int = 90) -> None:
    """A sale past the refund window, paid out, then refunded: the merchant owes ``amount``."""
    fund_merchant(merchant.pk, buyer.pk, amount, order_id=order_id)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=amount)
    actions.send_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)
    actions.refund_order_money(
        order_id=order_id, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=amount
    )


def test_pay_deposit_moves_the_balance_into_the_deposit(merchant, buyer):
    fund_merchant(merchant.pk, buyer.pk, 3000, order_id=1)
    first = actions.pay_deposit(merchant_id=merchant.pk, amount=1000)
    second = actions.pay_deposit(merchant_id=merchant.pk, amount=500)
    assert (first.reference, second.reference) == (f"{merchant.pk}-1", f"{merchant.pk}-2")
    assert first.description == f"Security deposit paid in (#{merchant.pk}-1)"
    assert of(merchant, AccountKind.MERCHANT) == 1500
    assert of(merchant, AccountKind.DEPOSIT) == 1500
    assert_ledger_consistent()


def test_pay_deposit_needs_the_balance(merchant):
    with pytest.raises(DomainError) as error:
        actions.pay_deposit(merchant_id=merchant.pk, amount=1)
    assert error.value.code == "insufficient_funds"
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.DEPOSIT_TOPUP).exists()


@pytest.mark.parametrize("amount", [0, -1, "10"])
def test_pay_deposit_of_a_bad_amount_is_refused(merchant, amount):
    with pytest.raises(DomainError) as error:
        actions.pay_deposit(merchant_id=merchant.pk, amount=amount)
    assert error.value.code == "invalid_amount"


def test_a_person_has_no_deposit(buyer):
    fund(buyer.pk, 1000)
    with pytest.raises(DomainError) as error:
        actions.pay_deposit(merchant_id=buyer.pk, amount=100)
    assert (error.value.code, error.value.status) == ("not_a_merchant", 403)
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=buyer.pk, amount=100, destination=AccountKind.DEPOSIT)
    assert error.value.code == "not_a_merchant"


def test_a_topup_may_go_straight_to_the_deposit(merchant):
    payment = actions.start_topup(user_id=merchant.pk, amount=50_000, destination="deposit")
    actions.complete_topup(payment_id=payment.pk)
    assert of(merchant, AccountKind.DEPOSIT) == 50_000
    assert of(merchant, AccountKind.MERCHANT) == 0
    assert_ledger_consistent()


def test_deposit_is_refused_while_in_debt(merchant, buyer):
    in_debt(merchant, buyer, 800)
    fund_merchant(merchant.pk, buyer.pk, 100, order_id=2)  # settles ¥1.00 of it
    payment = actions.start_topup(user_id=merchant.pk, amount=1000, destination="merchant")
    actions.complete_topup(payment_id=payment.pk)
    with pytest.raises(DomainError) as error:
        actions.pay_deposit(merchant_id=merchant.pk, amount=100)
    assert error.value.code == "debt_outstanding"


def test_settle_debt_from_a_topup(merchant, buyer):
    in_debt(merchant, buyer, 800)
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -800
    payment = actions.start_topup(user_id=merchant.pk, amount=1000, destination="merchant")
    actions.complete_topup(payment_id=payment.pk)
    txn = actions.settle_debt(merchant_id=merchant.pk, amount=800)
    assert txn.description == f"Debt settled (#{merchant.pk}-1)"
    assert of(merchant, AccountKind.MERCHANT_DEBT) == 0
    assert of(merchant, AccountKind.MERCHANT) == 200
    assert_ledger_consistent()


def test_settle_debt_refusals(merchant, buyer, make_user):
    with pytest.raises(DomainError) as error:
        actions.settle_debt(merchant_id=merchant.pk, amount=100)
    assert error.value.code == "no_debt"
    in_debt(merchant, buyer, 800)
    with pytest.raises(DomainError) as error:
        actions.settle_debt(merchant_id=merchant.pk, amount=801)
    assert error.value.code == "settlement_exceeds_debt"
    with pytest.raises(DomainError) as error:
        actions.settle_debt(merchant_id=merchant.pk, amount=500)
    assert error.value.code == "insufficient_funds"
    with pytest.raises(DomainError) as error:
        actions.settle_debt(merchant_id=buyer.pk, amount=500)
    assert error.value.code == "not_a_merchant"
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -800
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.DEBT_SETTLEMENT).exists()


def test_payout_waits_while_a_debt_exists(merchant, buyer):
    in_debt(merchant, buyer, 800)
    payment = actions.start_topup(user_id=merchant.pk, amount=5000, destination="merchant")
    actions.complete_topup(payment_id=payment.pk)
    payouts = Payout.objects.count()
    with pytest.raises(DomainError) as error:
        actions.request_payout(merchant_id=merchant.pk, amount=100)
    assert (error.value.code, error.value.status) == ("debt_outstanding", 422)
    assert str(error.value) == (
        "You owe ¥8.00 for refunds your balance and deposit could not cover: your next sales "
        "settle it, or settle it now from your balance. Payouts wait until then."
    )
    assert Payout.objects.count() == payouts
    assert of(merchant, AccountKind.MERCHANT) == 5000


def test_payout_leaves_the_share_of_orders_inside_the_refund_window(merchant, buyer):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)  # old sale: free
    fund_merchant(merchant.pk, buyer.pk, 5000, order_id=2, recent=True)
    actions.refund_order_money(
        order_id=2, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=2000
    )
    standing = merchant_standing(merchant_id=merchant.pk)
    assert (standing.balance, standing.reserve, standing.available) == (4000, 3000, 1000)
    with pytest.raises(DomainError) as error:
        actions.request_payout(merchant_id=merchant.pk, amount=1001)
    assert error.value.code == "payout_exceeds_available"
    assert str(error.value) == (
        "You can pay out at most ¥10.00 now: ¥30.00 of your balance stays for refunds of "
        "orders completed in the last 7 days."
    )
    actions.request_payout(merchant_id=merchant.pk, amount=1000)
    assert of(merchant, AccountKind.MERCHANT) == 3000
    # Past the window the sale's share is free to leave.
    later = timezone.now() + timedelta(days=8)
    assert refund_reserve(merchant_id=merchant.pk, now=later) == 0


def test_refund_of_a_recent_order_finds_its_reserve(merchant, buyer):
    fund_merchant(merchant.pk, buyer.pk, 5000, order_id=2, recent=True)
    with pytest.raises(DomainError):
        actions.request_payout(merchant_id=merchant.pk, amount=5000)
    actions.refund_order_money(
        order_id=2, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=5000
    )
    assert of(merchant, AccountKind.MERCHANT_DEBT) == 0
    assert balance_of(user_id=buyer.pk) == 5000


def test_release_deposit_is_for_operators(merchant, buyer):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    actions.pay_deposit(merchant_id=merchant.pk, amount=1000)
    with pytest.raises(DomainError) as error:
        actions.release_deposit(operator=merchant, merchant_id=merchant.pk)
    assert (error.value.code, error.value.status) == ("not_operator", 403)
    assert of(merchant, AccountKind.DEPOSIT) == 1000


def test_deposit_stays_while_the_merchant_sells(merchant, buyer, operator):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    actions.pay_deposit(merchant_id=merchant.pk, amount=1000)
    make_product(merchant)
    with pytest.raises(DomainError) as error:
        actions.release_deposit(operator=operator, merchant_id=merchant.pk)
    assert error.value.code == "merchant_still_selling"
    assert of(merchant, AccountKind.DEPOSIT) == 1000


def test_deposit_stays_for_a_sale_inside_the_refund_window(merchant, buyer, operator):
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1, recent=True)
    actions.pay_deposit(merchant_id=merchant.pk, amount=1000)
    with pytest.raises(DomainError) as error:
        actions.release_deposit(operator=operator, merchant_id=merchant.pk)
    assert error.value.code == "merchant_still_selling"


def test_release_deposit_returns_it_to_a_merchant_that_stopped(merchant, buyer, operator):
    with pytest.raises(DomainError) as error:
        actions.release_deposit(operator=operator, merchant_id=merchant.pk)
    assert error.value.code == "no_deposit"
    fund_merchant(merchant.pk, buyer.pk, 1000, order_id=1)
    actions.pay_deposit(merchant_id=merchant.pk, amount=1000)
    txn = actions.release_deposit(operator=operator, merchant_id=merchant.pk)
    assert txn.kind == TransactionKind.DEPOSIT_RELEASE
    assert of(merchant, AccountKind.DEPOSIT) == 0
    assert of(merchant, AccountKind.MERCHANT) == 1000
    assert_ledger_consistent()


def test_release_deposit_settles_a_debt_first(merchant, buyer, operator):
    in_debt(merchant, buyer, 800)
    payment = actions.start_topup(user_id=merchant.pk, amount=1000, destination="deposit")
    actions.complete_topup(payment_id=payment.pk)
    actions.release_deposit(operator=operator, merchant_id=merchant.pk)
    assert of(merchant, AccountKind.MERCHANT_DEBT) == 0
    assert of(merchant, AccountKind.MERCHANT) == 200
    assert_ledger_consistent()
