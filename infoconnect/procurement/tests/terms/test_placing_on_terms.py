"""A requisition on terms: placed without escrow within the credit limit, shipped, due on its
date after delivery, credited when cancelled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.messaging.models import Message
from infoconnect.procurement.actions import requisitions, submission
from infoconnect.procurement.models import Receivable, Requisition, TermsReminder
from infoconnect.procurement.tests.invariants.world import month_budget
from infoconnect.procurement.tests.requisitions.world import draft
from infoconnect.procurement.tests.terms.world import (
    balance,
    company_wallet,
    deliver,
    grant,
    on_terms,
    outstanding,
    plain_and_full_titles,
)
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, OrderEvent, Sku
from infoconnect.wallet.models import AccountKind, LedgerTransaction, TransactionKind

pytestmark = pytest.mark.django_db


def test_on_terms_is_offered_only_when_every_merchant_grants_terms(world):
    grant(world, world.merchant_a)
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 1))
    with pytest.raises(DomainError) as caught:
        requisitions.update_details(
            user=world.buyer, requisition_id=requisition.pk, department_id=world.design.pk,
            ship_to_id=world.ship_to.pk, payment_method="on_terms",
        )  # fmt: skip
    assert caught.value.code == "merchant_grants_no_terms"
    assert caught.value.message == (
        "Not every merchant in this requisition grants the company payment terms: shop_b shop."
    )
    requisition.refresh_from_db()
    assert requisition.payment_method == Requisition.Payment.COMPANY_WALLET
    with pytest.raises(DomainError) as caught:
        requisitions.update_details(
            user=world.buyer, requisition_id=requisition.pk, payment_method="cheque"
        )
    assert caught.value.code == "payment_method_invalid"


def test_the_invoice_kind_and_title_are_checked_and_copied_onto_the_orders(world):
    grant(world, world.merchant_a)
    plain, full = plain_and_full_titles(world)
    requisition = draft(world, (world.sku_a, 1))

    def details(kind, title):
        return requisitions.update_details(
            user=world.buyer, requisition_id=requisition.pk, department_id=world.design.pk,
            ship_to_id=world.ship_to.pk, invoice_kind=kind, invoice_title_id=title,
        )  # fmt: skip

    for kind, title, expected in [
        ("paper", plain.pk, "invoice_kind_invalid"),
        ("normal", None, "invoice_title_required"),
        ("normal", 987654, "invoice_title_not_found"),
        ("special", plain.pk, "special_invoice_not_allowed"),
    ]:
        with pytest.raises(DomainError) as caught:
            details(kind, title)
        assert caught.value.code == expected
    plain.archived_at = timezone.now()
    plain.save(update_fields=["archived_at"])
    with pytest.raises(DomainError) as caught:
        details("normal", plain.pk)
    assert caught.value.code == "invoice_title_not_found"
    details("special", full.pk)
    requisitions.update_details(
        user=world.buyer, requisition_id=requisition.pk, department_id=world.design.pk,
        ship_to_id=world.ship_to.pk, payment_method="on_terms",
    )  # fmt: skip
    from_db = Requisition.objects.get(pk=requisition.pk)
    assert (from_db.invoice_kind, from_db.invoice_title_id) == ("special", full.pk)
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    order = Order.objects.get(requisition_id=requisition.pk)
    assert (order.invoice_kind, order.invoice_title_id) == ("special", full.pk)


def test_placing_on_terms_takes_credit_and_owes_it_on_the_ledger(world):
    Sku.objects.filter(pk=world.sku_a.pk).update(tax_rate=900, unit="台")
    grant(world, world.merchant_a)
    wallet_before = company_wallet(world)
    requisition = on_terms(world, (world.sku_a, 2))
    assert requisition.state == Requisition.State.ORDERED
    order = Order.objects.get(requisition_id=requisition.pk)
    assert (order.state, order.on_terms, order.paid_at, order.total) == (
        "on_terms", True, None, 620_000,
    )  # fmt: skip
    line = order.lines.get()
    assert (line.tax_rate, line.unit) == (900, "台")
    assert list(OrderEvent.objects.filter(order=order).values_list("kind", "to_state")) == [
        ("placed_on_terms", "on_terms")
    ]
    receivable = Receivable.objects.get(order=order)
    assert (receivable.amount, receivable.state, receivable.due_on) == (620_000, "open", None)
    assert outstanding(world, world.merchant_a) == 620_000
    assert company_wallet(world) == wallet_before
    assert balance(AccountKind.RECEIVABLE, world.merchant_a.pk) == 620_000
    assert balance(AccountKind.COMPANY_PAYABLE, world.company.pk) == -620_000
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ORDER_PAYMENT).exists()
    # The stock the requisition held is the order's: nothing taken twice.
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 18


def test_over_the_credit_limit_the_requisition_waits_approved_and_finance_is_told(world):
    grant(world, world.merchant_a, limit=600_000)
    requisition = on_terms(world, (world.sku_a, 2))  # ¥6,200.00 > ¥6,000.00
    assert requisition.state == Requisition.State.APPROVED
    assert requisition.placing_error == "credit_limit_exceeded"
    assert not Order.objects.filter(requisition_id=requisition.pk).exists()
    assert not Receivable.objects.exists()
    assert outstanding(world, world.merchant_a) == 0
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.TERMS_SALE).exists()
    told = Message.objects.filter(
        conversation__participants__user=world.finance, body__contains="credit limit"
    )
    assert told.count() == 1


def test_an_amount_overdue_past_grace_blocks_new_orders_on_terms(world):
    grant(world, world.merchant_a, grace=7)
    first = on_terms(world, (world.sku_a, 1), po_number="PO-1")
    order = Order.objects.get(requisition_id=first.pk)
    deliver(order, world)
    today = timezone.localdate()
    Receivable.objects.filter(order=order).update(due_on=today - timedelta(days=7))
    second = on_terms(world, (world.sku_a, 1), po_number="PO-2")
    assert second.state == Requisition.State.ORDERED  # overdue, still within grace
    Receivable.objects.filter(order=order).update(due_on=today - timedelta(days=8))
    third = on_terms(world, (world.sku_a, 1), po_number="PO-3")
    assert (third.state, third.placing_error) == ("approved", "terms_overdue")
    assert outstanding(world, world.merchant_a) == 620_000


def test_delivery_makes_it_due_net_days_later_without_touching_escrow(world):
    grant(world, world.merchant_a, net_days=30)
    requisition = on_terms(world, (world.sku_a, 1))
    order = Order.objects.get(requisition_id=requisition.pk)
    shop.ship_order(merchant=world.merchant_a, order_id=order.pk, carrier="SF", tracking_number="1")
    assert Receivable.objects.get(order=order).state == "open"
    deliver_done = shop.confirm_receipt(buyer=world.buyer, order_id=order.pk)
    assert deliver_done.state == "completed"
    receivable = Receivable.objects.get(order=order)
    due_on = timezone.localdate() + timedelta(days=30)
    assert (receivable.state, receivable.due_on) == ("due", due_on)
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.ESCROW_RELEASE).exists()
    assert balance(AccountKind.MERCHANT, world.merchant_a.pk) == 0
    reminders = list(TermsReminder.objects.filter(receivable=receivable))
    assert [(r.kind, timezone.localtime(r.send_at).date()) for r in reminders] == [
        ("before", due_on - timedelta(days=3)),
        ("on_due", due_on),
    ]


def test_due_on_delivery_is_due_the_day_it_arrives(world):
    grant(world, world.merchant_a, net_days=0)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    deliver(order, world)
    receivable = Receivable.objects.get(order=order)
    assert receivable.due_on == timezone.localdate()
    assert list(receivable.reminders.values_list("kind", flat=True)) == ["on_due"]


def test_cancelling_an_order_on_terms_credits_it_and_frees_the_credit(world):
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 2)).pk)
    shop.cancel_order(person=world.merchant_a, order_id=order.pk, note="out of toner")
    receivable = Receivable.objects.get(order=order)
    assert (receivable.state, receivable.credited, receivable.paid) == ("settled", 620_000, 0)
    assert outstanding(world, world.merchant_a) == 0
    assert balance(AccountKind.RECEIVABLE, world.merchant_a.pk) == 0
    assert balance(AccountKind.COMPANY_PAYABLE, world.company.pk) == 0
    assert LedgerTransaction.objects.get(kind=TransactionKind.TERMS_CREDIT).amount == 620_000
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


def test_an_order_on_terms_spends_the_budget_and_its_cancel_gives_it_back(world):
    budget = month_budget(world, world.design, 1_000_000)
    grant(world, world.merchant_a)
    order = Order.objects.get(requisition_id=on_terms(world, (world.sku_a, 1)).pk)
    budget.refresh_from_db()
    assert (budget.committed, budget.spent) == (0, 310_000)
    shop.cancel_order(person=world.buyer, order_id=order.pk)
    budget.refresh_from_db()
    assert budget.spent == 0


def test_the_requisition_page_says_why_it_was_not_placed_on_terms(world, client):
    grant(world, world.merchant_a, limit=100_000)
    requisition = on_terms(world, (world.sku_a, 1))
    client.force_login(world.buyer)
    page = client.get(f"/companies/{world.company.pk}/requisitions/{requisition.pk}/").text
    assert (
        "The orders could not be placed on terms: they would exceed a merchant's credit "
        "limit. Pay what is owed, then place the orders again." in page
    )
