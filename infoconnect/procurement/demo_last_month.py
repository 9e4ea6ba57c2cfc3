"""The demo's order on terms last month: huaxia_buyer's requisition of four USB-C docks (the
framework's fixed ¥179.00 each) from Byte Gadgets for Design, on Net 30, placed on the 27th of
last month, shipped that afternoon and received the next day, so last month's statement has a
line and an amount due, and the payables page a receivable falling due.

It goes through the requisition, shop and terms actions with the clock set back (while they
run, ``timezone.now()`` answers last month's time): the credit taken, the receivable with its
due date and reminders, the ledger's TERMS_SALE and the order's trail are the ones those
actions write; rows stamped by a field's default (inbox messages) keep today's time. Under
¥5,000.00 no approval rule fires, so the submit places the order. Found again by its PO
number, so seeding twice adds nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.procurement.demo_purchasing import submit_for_design
from infoconnect.procurement.models import Company, Requisition, RequisitionOrder
from infoconnect.procurement.statement_reads import last_closed_month, month_bounds
from infoconnect.shop import actions as shop
from infoconnect.shop.models import Order, Sku

PO_NUMBER = "HX-2026-T001"
NOTE = "Docks for the studio's hot desks."
PRODUCT, ATTRIBUTES, QUANTITY = "USB-C dock, 8 in 1", {"colour": "space grey"}, 4
PLACED_DAY = 27  # every month has it, and the order is received on the 28th


@contextmanager
def clock_at(moment: datetime.datetime) -> Iterator[None]:
    """``timezone.now()`` (and what reads it: ``localdate``, ``auto_now``) answers from
    ``moment`` on, advancing with the real clock so the rows keep their order."""
    real_now = timezone.now
    started = real_now()
    with mock.patch.object(timezone, "now", lambda: moment + (real_now() - started)):
        yield


def last_month_at(day: int, hour: int) -> datetime.datetime:
    start, _end = month_bounds(last_closed_month())
    return start + datetime.timedelta(days=day - 1, hours=hour)


def _submit_on_terms(company: Company, buyer: User, merchant: User) -> Requisition:
    sku = Sku.objects.get(product__merchant=merchant, product__title=PRODUCT, attributes=ATTRIBUTES)
    return submit_for_design(
        company,
        buyer,
        [(sku, QUANTITY)],
        po_number=PO_NUMBER,
        note=NOTE,
        payment_method=Requisition.Payment.ON_TERMS,
    )


def seed_last_months_order(*, company: Company, buyer: User, merchant: User) -> Order:
    """The order on terms placed and received last month (the pair needs its terms); a seed
    cut short goes on from the step it reached."""
    requisition = Requisition.objects.filter(company=company, po_number=PO_NUMBER).first()
    # Each step commits at its own time, as the buyer and the merchant would have acted.
    if requisition is None:
        with clock_at(last_month_at(PLACED_DAY, 10)), transaction.atomic():
            requisition = _submit_on_terms(company, buyer, merchant)
    order = Order.objects.get(pk=RequisitionOrder.objects.get(requisition=requisition).order_id)
    if order.state == Order.State.ON_TERMS:
        with clock_at(last_month_at(PLACED_DAY, 15)), transaction.atomic():
            order = shop.ship_order(
                merchant=merchant, order_id=order.pk, carrier="SF Express", tracking_number="SF1027"
            )
    if order.state == Order.State.SHIPPED:
        with clock_at(last_month_at(PLACED_DAY + 1, 11)), transaction.atomic():
            order = shop.confirm_receipt(buyer=buyer, order_id=order.pk)
    return order
