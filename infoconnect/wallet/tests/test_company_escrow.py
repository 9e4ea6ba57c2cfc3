"""A company's orders: paid from its wallet into its escrow, refunded back to its wallet,
released from its escrow to the merchant."""

import pytest
from django.db import transaction

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, LedgerEntry, LedgerTransaction
from infoconnect.wallet.selectors import balance_of, company_balance
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund_merchant


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def fund_company(firm, amount: int) -> None:
    transfer = actions.open_bank_transfer(
        user=firm.finance, company_id=firm.company.pk, amount=amount
    )
    actions.simulate_bank_transfer(code=transfer.code, amount=amount)


def company_escrow(firm) -> int:
    return balance_of(user_id=firm.company.pk, kind=AccountKind.COMPANY_ESCROW)


def charge(firm, order_id: int, amount: int) -> LedgerTransaction:
    with transaction.atomic():
        return actions.charge_company_order(
            company_id=firm.company.pk, buyer_id=firm.buyer.pk, order_id=order_id, amount=amount
        )


def test_a_company_order_is_paid_from_the_company_wallet_into_its_escrow(firm):
    fund_company(firm, 10_000)
    txn = charge(firm, 7, 3_000)
    assert (txn.kind, txn.reference, txn.user_id) == ("order_payment", "7", firm.buyer.pk)
    assert charge(firm, 7, 3_000) == txn  # a repeat moves nothing
    assert company_balance(company_id=firm.company.pk) == 7_000
    assert company_escrow(firm) == 3_000
    assert balance_of(user_id=firm.buyer.pk) == 0
    assert LedgerEntry.objects.filter(transaction=txn).count() == 2
    assert_ledger_consistent()


def test_a_company_order_beyond_the_wallet_is_refused_and_nothing_moves(firm):
    fund_company(firm, 1_000)
    with pytest.raises(DomainError) as error:
        charge(firm, 7, 1_001)
    assert error.value.code == "insufficient_funds"
    assert company_balance(company_id=firm.company.pk) == 1_000
    assert not LedgerTransaction.objects.filter(kind="order_payment").exists()


@pytest.mark.parametrize("amount", [0, -5, True, "100"])
def test_charging_a_bad_amount_is_refused(firm, amount):
    fund_company(firm, 1_000)
    with pytest.raises(DomainError) as error:
        charge(firm, 7, amount)
    assert error.value.code == "invalid_amount"
    assert not LedgerTransaction.objects.filter(kind="order_payment").exists()


def test_a_cancelled_company_order_is_refunded_to_the_company_wallet(firm):
    fund_company(firm, 10_000)
    charge(firm, 7, 3_000)
    actions.refund_escrow(order_id=7, buyer_id=firm.buyer.pk, amount=3_000)
    assert company_balance(company_id=firm.company.pk) == 10_000
    assert company_escrow(firm) == 0
    # Not the buyer's own wallet: the money was never theirs.
    assert balance_of(user_id=firm.buyer.pk) == 0
    assert balance_of(user_id=firm.buyer.pk, kind=AccountKind.ESCROW) == 0
    assert_ledger_consistent()


def test_a_released_company_order_pays_the_merchant_from_company_escrow(firm, merchant):
    fund_company(firm, 10_000)
    charge(firm, 7, 4_000)
    actions.release_escrow(order_id=7, merchant_id=merchant.pk, amount=4_000, commission=100)
    assert company_escrow(firm) == 0
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 3_900
    assert company_balance(company_id=firm.company.pk) == 6_000
    assert_ledger_consistent()


def test_a_refund_after_completion_goes_back_to_the_company_wallet(firm, merchant):
    fund_company(firm, 10_000)
    charge(firm, 7, 4_000)
    actions.release_escrow(order_id=7, merchant_id=merchant.pk, amount=4_000, commission=400)
    fund_merchant(merchant.pk, firm.admin.pk, 1_000, order_id=8)  # so it can pay back
    actions.refund_completed_order(
        order_id=7, merchant_id=merchant.pk, buyer_id=firm.buyer.pk, amount=4_000
    )
    assert company_balance(company_id=firm.company.pk) == 10_000
    assert balance_of(user_id=firm.buyer.pk) == 0
    # The merchant gives back what it received, the platform its commission.
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 1_000
    assert_ledger_consistent()


def test_a_company_order_is_refunded_only_to_its_buyer(firm):
    fund_company(firm, 1_000)
    charge(firm, 7, 500)
    with pytest.raises(DomainError) as error:
        actions.refund_escrow(order_id=7, buyer_id=firm.finance.pk, amount=500)
    assert error.value.code == "wrong_party"
    assert company_escrow(firm) == 500


def test_company_escrow_never_refunds_more_than_the_order_paid(firm, other_firm):
    fund_company(firm, 1_000)
    fund_company(other_firm, 1_000)
    charge(firm, 7, 300)
    charge(other_firm, 8, 500)
    with pytest.raises(DomainError) as error:
        actions.refund_escrow(order_id=7, buyer_id=firm.buyer.pk, amount=301)
    assert error.value.code == "escrow_exceeded"
    assert (company_escrow(firm), company_escrow(other_firm)) == (300, 500)
