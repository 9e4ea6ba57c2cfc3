"""Finance pays what the company owes on terms from its wallet; the merchant is paid less
commission, the credit is freed, and every order's accounts reconcile on the ledger."""

import pytest
from django.db.models import Sum

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions.terms_payments import pay_receivables
from infoconnect.procurement.models import Receivable, TermsPayment
from infoconnect.procurement.terms_reads import open_receivables, payables
from infoconnect.procurement.tests.factories import VALID_2, add, make_company
from infoconnect.procurement.tests.requisitions.world import FUNDING
from infoconnect.procurement.tests.terms.world import (
    balance,
    company_wallet,
    deliver,
    grant,
    on_terms,
    outstanding,
)
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order
from infoconnect.wallet.models import (
    PLATFORM,
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    TransactionKind,
)

pytestmark = pytest.mark.django_db


def placed(world, *items, po_number="PO-1") -> Order:
    return Order.objects.get(requisition_id=on_terms(world, *items, po_number=po_number).pk)


def pay(world, user=None, **kwargs) -> TermsPayment:
    return pay_receivables(
        user=user or world.finance,
        company_id=world.company.pk,
        merchant_id=world.merchant_a.pk,
        **kwargs,
    )


def test_finance_pays_a_due_amount_and_the_merchant_gets_it_less_commission(world):
    grant(world, world.merchant_a)
    order = deliver(placed(world, (world.sku_a, 2)), world)
    receivable = Receivable.objects.get(order=order)
    assert [r.pk for r in open_receivables(world.company.pk, world.merchant_a.pk)] == [
        receivable.pk
    ]
    payment = pay(world, receivable_ids=[receivable.pk])
    assert (payment.amount, payment.commission) == (620_000, 12_400)  # 2%
    assert company_wallet(world) == FUNDING - 620_000
    assert balance(AccountKind.MERCHANT, world.merchant_a.pk) == 607_600
    assert balance(AccountKind.COMMISSION_REVENUE, PLATFORM) == 12_400
    assert balance(AccountKind.RECEIVABLE, world.merchant_a.pk) == 0
    assert balance(AccountKind.COMPANY_PAYABLE, world.company.pk) == 0
    receivable.refresh_from_db()
    assert (receivable.state, receivable.paid) == ("settled", 620_000)
    assert outstanding(world, world.merchant_a) == 0
    assert open_receivables(world.company.pk, world.merchant_a.pk) == []
    assert receivable.reminders.filter(state="pending").count() == 0


def test_paying_twice_finds_nothing_left_to_pay(world):
    grant(world, world.merchant_a)
    receivable = Receivable.objects.get(order=placed(world, (world.sku_a, 1)))
    pay(world, receivable_ids=[receivable.pk])
    with pytest.raises(DomainError) as caught:
        pay(world, receivable_ids=[receivable.pk])
    assert caught.value.code == "receivable_not_found"
    assert TermsPayment.objects.count() == 1


def test_an_empty_wallet_pays_nothing_and_writes_nothing(world):
    grant(world, world.merchant_a, limit=10 * FUNDING)
    receivable = Receivable.objects.get(order=placed(world, (world.sku_a, 17)))  # ¥52,700.00
    with pytest.raises(DomainError) as caught:
        pay(world, receivable_ids=[receivable.pk])
    assert caught.value.code == "insufficient_company_funds"
    assert not TermsPayment.objects.exists()
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.TERMS_PAYMENT).exists()
    receivable.refresh_from_db()
    assert (receivable.state, receivable.paid) == ("open", 0)
    assert outstanding(world, world.merchant_a) == 5_270_000
    assert company_wallet(world) == FUNDING


def test_bad_choices_are_refused(world):
    grant(world, world.merchant_a)
    grant(world, world.merchant_b)
    mine = Receivable.objects.get(order=placed(world, (world.sku_a, 1)))
    theirs = Receivable.objects.get(order=placed(world, (world.sku_b, 1), po_number="PO-2"))
    for kwargs, expected in [
        ({}, "nothing_to_pay"),
        ({"receivable_ids": []}, "nothing_to_pay"),
        ({"receivable_ids": ["x"]}, "receivable_not_found"),
        ({"receivable_ids": [theirs.pk]}, "receivable_not_found"),
        ({"receivable_ids": [mine.pk, theirs.pk]}, "receivable_not_found"),
        ({"statement_id": 999}, "receivable_not_found"),
        ({"invoice_id": 999}, "receivable_not_found"),
    ]:
        with pytest.raises(DomainError) as caught:
            pay(world, **kwargs)
        assert caught.value.code == expected, kwargs
    assert not TermsPayment.objects.exists()


def test_who_may_not_pay(world, make_user):
    grant(world, world.merchant_a)
    receivable = Receivable.objects.get(order=placed(world, (world.sku_a, 1)))
    outsider = make_user("outsider")
    other = make_company(outsider, name="Other Co", code=VALID_2)
    add(other, outsider, make_user("other_finance"), "finance")
    for user, expected in [
        (world.buyer, "role_required"),
        (world.approver, "role_required"),
        (outsider, "not_a_member"),
        (world.merchant_a, "not_a_member"),
    ]:
        with pytest.raises(DomainError) as caught:
            pay(world, user=user, receivable_ids=[receivable.pk])
        assert caught.value.code == expected, user
    assert not TermsPayment.objects.exists()


def test_a_refund_after_payment_returns_the_money_to_the_company_wallet(world):
    grant(world, world.merchant_a)
    order = deliver(placed(world, (world.sku_a, 1)), world)
    pay(world, receivable_ids=[Receivable.objects.get(order=order).pk])
    shop.request_refund(buyer=world.buyer, order_id=order.pk, reason="Broken on arrival")
    shop.answer_refund(merchant=world.merchant_a, order_id=order.pk, accept=True)
    assert Order.objects.get(pk=order.pk).state == "refunded"
    assert company_wallet(world) == FUNDING
    assert balance(AccountKind.MERCHANT, world.merchant_a.pk) == 0
    assert balance(AccountKind.COMMISSION_REVENUE, PLATFORM) == 0


def test_a_refund_before_payment_is_a_credit_note(world):
    grant(world, world.merchant_a)
    order = deliver(placed(world, (world.sku_a, 1)), world)
    shop.request_refund(buyer=world.buyer, order_id=order.pk, reason="Broken on arrival")
    shop.answer_refund(merchant=world.merchant_a, order_id=order.pk, accept=True)
    receivable = Receivable.objects.get(order=order)
    assert (receivable.state, receivable.credited) == ("settled", 310_000)
    assert outstanding(world, world.merchant_a) == 0
    assert company_wallet(world) == FUNDING
    assert payables(world.company.pk)[0].total == 0


def _order_sums(order: Order) -> dict[str, int]:
    """Every entry made for the order (its sale, credit, and its share of payments), summed
    by whose account it is: the company's, the merchant's, the platform's."""
    receivable = Receivable.objects.get(order=order)
    payment_refs = [str(pk) for pk in receivable.payments.values_list("payment_id", flat=True)]
    entries = LedgerEntry.objects.filter(
        transaction__in=LedgerTransaction.objects.filter(
            kind__in=[TransactionKind.TERMS_SALE, TransactionKind.TERMS_CREDIT],
            reference=str(order.pk),
        )
        .union(
            LedgerTransaction.objects.filter(
                kind=TransactionKind.TERMS_PAYMENT, reference__in=payment_refs
            )
        )
        .values("pk")
    )
    sums = {"company": 0, "merchant": 0, "platform": 0}
    for entry in entries.select_related("account"):
        kind = entry.account.kind
        if kind in (AccountKind.COMPANY_WALLET, AccountKind.COMPANY_PAYABLE):
            sums["company"] += entry.amount
        elif entry.account.owner_id == PLATFORM:
            sums["platform"] += entry.amount
        else:
            sums["merchant"] += entry.amount
    return sums


def test_each_orders_company_merchant_and_platform_views_reconcile(world):
    grant(world, world.merchant_a, limit=5_000_000)
    paid = deliver(placed(world, (world.sku_a, 2), po_number="PO-1"), world)
    unpaid = deliver(placed(world, (world.sku_a, 1), po_number="PO-2"), world)
    cancelled = placed(world, (world.sku_a, 3), po_number="PO-3")
    shop.cancel_order(person=world.buyer, order_id=cancelled.pk)
    pay(world, receivable_ids=[Receivable.objects.get(order=paid).pk])
    assert _order_sums(paid) == {"company": -620_000, "merchant": 607_600, "platform": 12_400}
    assert _order_sums(unpaid) == {"company": -310_000, "merchant": 310_000, "platform": 0}
    assert _order_sums(cancelled) == {"company": 0, "merchant": 0, "platform": 0}
    # Every transaction balances, and the pair's outstanding is what the ledger says is owed.
    for txn in LedgerTransaction.objects.filter(kind__startswith="terms_"):
        assert txn.entries.aggregate(total=Sum("amount"))["total"] == 0
    owed = -LedgerAccount.objects.get(
        kind=AccountKind.COMPANY_PAYABLE, owner_id=world.company.pk
    ).balance
    assert owed == outstanding(world, world.merchant_a) == 310_000
    assert balance(AccountKind.RECEIVABLE, world.merchant_a.pk) == 310_000
