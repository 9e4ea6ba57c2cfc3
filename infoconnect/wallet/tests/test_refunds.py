"""Refunds that always reach whoever paid: from escrow, then the merchant's balance, its
deposit, and the rest as a debt its next sale settles."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, LedgerEntry, LedgerTransaction, TransactionKind
from infoconnect.wallet.selectors import balance_of, platform_account_balance
from infoconnect.wallet.tests.helpers import (
    age_release,
    assert_ledger_consistent,
    fund,
    money_in_system,
)
from infoconnect.wallet.tests.test_company_escrow import charge, fund_company


@pytest.fixture
def buyer(make_user):
    return make_user("buyer")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def sold(buyer, merchant, *, order_id: int, amount: int, commission: int) -> None:
    """A paid order whose escrow was released to the merchant."""
    fund(buyer.pk, amount)
    actions.pay_order(buyer_id=buyer.pk, order_id=order_id, amount=amount)
    actions.release_escrow(
        order_id=order_id, merchant_id=merchant.pk, amount=amount, commission=commission
    )


def paid_out_everything(merchant) -> None:
    """Once its sales are past the refund window, the merchant pays out its whole balance."""
    for release in LedgerTransaction.objects.filter(
        kind=TransactionKind.ESCROW_RELEASE, user_id=merchant.pk
    ):
        age_release(release)
    balance = balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=balance)
    actions.send_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)


def of(merchant, kind: str) -> int:
    return balance_of(user_id=merchant.pk, kind=kind)


def refund(buyer, merchant, *, order_id: int, refund_id: int, amount: int):
    return actions.refund_order_money(
        order_id=order_id,
        refund_id=refund_id,
        buyer_id=buyer.pk,
        merchant_id=merchant.pk,
        amount=amount,
    )


def test_partial_refund_before_release_comes_from_escrow(buyer, merchant):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    txn = refund(buyer, merchant, order_id=5, refund_id=1, amount=3000)
    assert refund(buyer, merchant, order_id=5, refund_id=1, amount=3000) == txn
    assert (txn.kind, txn.reference, txn.description) == (
        TransactionKind.PARTIAL_REFUND,
        "5-1",
        "Partial refund 5-1",
    )
    assert balance_of(user_id=buyer.pk) == 3000
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 7000
    # The release of the rest pays the merchant what was not refunded, less commission on it.
    actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=7000, commission=140)
    assert of(merchant, AccountKind.MERCHANT) == 6860
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 0
    assert actions.refunded_amount(order_id=5) == 3000
    assert_ledger_consistent()


def test_release_cannot_take_what_a_partial_refund_returned(buyer, merchant):
    fund(buyer.pk, 10000)
    actions.pay_order(buyer_id=buyer.pk, order_id=5, amount=10000)
    refund(buyer, merchant, order_id=5, refund_id=1, amount=3000)
    with pytest.raises(DomainError) as error:
        actions.release_escrow(order_id=5, merchant_id=merchant.pk, amount=10000, commission=0)
    assert error.value.code == "escrow_exceeded"
    assert of(merchant, AccountKind.MERCHANT) == 0


def test_refund_after_release_takes_balance_then_deposit_then_debt(buyer, merchant):
    sold(buyer, merchant, order_id=5, amount=10000, commission=200)  # merchant gets 9800
    paid_out_everything(merchant)
    sold(buyer, merchant, order_id=6, amount=1000, commission=0)  # balance 1000
    actions.pay_deposit(merchant_id=merchant.pk, amount=500)  # balance 500, deposit 500
    before = money_in_system()

    txn = refund(buyer, merchant, order_id=5, refund_id=1, amount=10000)

    assert balance_of(user_id=buyer.pk) == 10000
    assert platform_account_balance(kind=AccountKind.COMMISSION_REVENUE) == 0
    assert of(merchant, AccountKind.MERCHANT) == 0
    assert of(merchant, AccountKind.DEPOSIT) == 0
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -(9800 - 1000)
    assert txn.entries.count() == 5
    assert money_in_system() == before
    assert_ledger_consistent()


def test_partial_refunds_after_release_give_back_commission_in_proportion(buyer, merchant):
    sold(buyer, merchant, order_id=5, amount=10000, commission=500)
    refund(buyer, merchant, order_id=5, refund_id=1, amount=2000)
    assert platform_account_balance(kind=AccountKind.COMMISSION_REVENUE) == 400
    assert of(merchant, AccountKind.MERCHANT) == 9500 - 1900
    refund(buyer, merchant, order_id=5, refund_id=2, amount=8000)
    assert platform_account_balance(kind=AccountKind.COMMISSION_REVENUE) == 0
    assert of(merchant, AccountKind.MERCHANT) == 0
    assert balance_of(user_id=buyer.pk) == 10000
    assert_ledger_consistent()


def test_refunds_together_never_exceed_the_payment(buyer, merchant):
    sold(buyer, merchant, order_id=5, amount=1000, commission=0)
    refund(buyer, merchant, order_id=5, refund_id=1, amount=600)
    with pytest.raises(DomainError) as error:
        refund(buyer, merchant, order_id=5, refund_id=2, amount=401)
    assert (error.value.code, error.value.status) == ("refund_exceeds_payment", 422)
    assert str(error.value) == "A refund cannot be more than was paid for the order."
    assert not LedgerTransaction.objects.filter(reference="5-2").exists()
    assert balance_of(user_id=buyer.pk) == 600
    refund(buyer, merchant, order_id=5, refund_id=2, amount=400)
    assert balance_of(user_id=buyer.pk) == 1000


@pytest.mark.parametrize("amount", [0, -5, "100", True])
def test_refund_of_a_bad_amount_is_refused(buyer, merchant, amount):
    sold(buyer, merchant, order_id=5, amount=1000, commission=0)
    with pytest.raises(DomainError) as error:
        refund(buyer, merchant, order_id=5, refund_id=1, amount=amount)
    assert error.value.code == "invalid_amount"
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.PARTIAL_REFUND).exists()


def test_refund_of_an_unpaid_order_is_refused(buyer, merchant):
    with pytest.raises(DomainError) as error:
        refund(buyer, merchant, order_id=5, refund_id=1, amount=100)
    assert error.value.code == "order_not_paid"
    assert LedgerTransaction.objects.count() == 0


def test_refund_to_another_buyer_or_from_another_merchant_is_refused(buyer, merchant, make_user):
    rival = make_user("rival", kind="merchant", verified=True)
    sold(buyer, merchant, order_id=5, amount=1000, commission=0)
    with pytest.raises(DomainError) as error:
        refund(rival, merchant, order_id=5, refund_id=1, amount=100)
    assert error.value.code == "wrong_party"
    with pytest.raises(DomainError) as error:
        refund(buyer, rival, order_id=5, refund_id=1, amount=100)
    assert error.value.code == "wrong_party"
    assert of(merchant, AccountKind.MERCHANT) == 1000
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.PARTIAL_REFUND).exists()


def test_company_order_is_refunded_to_the_company_wallet(firm, merchant):
    fund_company(firm, 5000)
    charge(firm, 7, 4000)
    actions.release_escrow(order_id=7, merchant_id=merchant.pk, amount=4000, commission=0)
    paid_out_everything(merchant)
    refund(firm.buyer, merchant, order_id=7, refund_id=1, amount=1500)
    assert balance_of(user_id=firm.company.pk, kind=AccountKind.COMPANY_WALLET) == 2500
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -1500
    assert_ledger_consistent()


def test_completed_order_refunded_after_full_payout_leaves_a_debt_the_next_sale_settles(
    buyer, merchant
):
    """Today the refund fails with "The merchant balance is too low for this" and the buyer
    is never refunded."""
    sold(buyer, merchant, order_id=5, amount=10000, commission=200)
    paid_out_everything(merchant)

    actions.refund_completed_order(
        order_id=5, merchant_id=merchant.pk, buyer_id=buyer.pk, amount=10000
    )

    assert balance_of(user_id=buyer.pk) == 10000
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -9800
    sold(buyer, merchant, order_id=6, amount=12000, commission=240)  # the merchant gets 11760
    assert of(merchant, AccountKind.MERCHANT_DEBT) == 0
    assert of(merchant, AccountKind.MERCHANT) == 11760 - 9800
    release = LedgerTransaction.objects.get(kind=TransactionKind.ESCROW_RELEASE, reference="6")
    kinds = list(release.entries.order_by("id").values_list("account__kind", "amount"))
    assert kinds[-2:] == [(AccountKind.MERCHANT_DEBT, 9800), (AccountKind.MERCHANT, 1960)]
    assert_ledger_consistent()


def test_a_sale_smaller_than_the_debt_goes_wholly_to_it(buyer, merchant):
    sold(buyer, merchant, order_id=5, amount=10000, commission=0)
    paid_out_everything(merchant)
    refund(buyer, merchant, order_id=5, refund_id=1, amount=10000)
    sold(buyer, merchant, order_id=6, amount=3000, commission=0)
    assert of(merchant, AccountKind.MERCHANT_DEBT) == -7000
    assert of(merchant, AccountKind.MERCHANT) == 0
    entries = LedgerEntry.objects.filter(
        transaction__reference="6", transaction__kind="escrow_release"
    )
    assert sorted(entries.values_list("amount", flat=True)) == [-3000, 3000]
    assert_ledger_consistent()
