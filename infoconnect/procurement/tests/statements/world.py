"""A company buying on Net 30 from merchant A, with orders, receivables and payments on terms
made directly through the models (the terms part of the code writes them in real life)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from infoconnect.procurement.models import PaymentTerms, Receivable, Statement, TermsPayment
from infoconnect.procurement.statement_reads import month_bounds, previous_month
from infoconnect.procurement.tests.factories import add
from infoconnect.procurement.tests.requisitions.world import World, make_world
from infoconnect.shop.models import Order, OrderLine, Sku


@dataclass
class TermsWorld:
    world: World
    terms: PaymentTerms
    viewer: object
    month: datetime.date  # last month

    def __getattr__(self, name):
        return getattr(self.world, name)


def make_terms_world(make_user) -> TermsWorld:
    world = make_world(make_user, threshold=None)
    terms = PaymentTerms.objects.create(
        merchant=world.merchant_a, company=world.company, net_days=30, credit_limit=100_000_000
    )
    viewer = make_user("viewer", display_name="Viewer")
    add(world.company, world.admin, viewer, "viewer")
    month = previous_month(timezone.localdate())
    return TermsWorld(world, terms, viewer, month)


def at(month: datetime.date, day: int, hour: int = 10) -> datetime.datetime:
    start, _end = month_bounds(month)
    return start + datetime.timedelta(days=day - 1, hours=hour)


_keys = iter(range(1, 10**9))


def order_on_terms(
    w: TermsWorld,
    lines: list[tuple[Sku, int, int]],
    *,
    placed_at: datetime.datetime,
    merchant=None,
    company=None,
    po_number: str = "PO-2026-001",
    department: str = "设计部",
    state: str = Order.State.ON_TERMS,
) -> Order:
    """An order on terms with ``lines`` (sku, quantity, tax rate) and its receivable."""
    merchant = merchant or w.merchant_a
    company = company or w.company
    total = sum(sku.price * quantity for sku, quantity, _rate in lines)
    order = Order.objects.create(
        buyer=w.buyer,
        merchant=merchant,
        state=state,
        total=total,
        shipping_address={"recipient_name": "Wang Fang"},
        checkout_key=f"terms-{next(_keys)}",
        company_id=company.pk,
        company_name=company.legal_name,
        department_name=department,
        po_number=po_number,
        on_terms=True,
        created_at=placed_at,
        expires_at=placed_at + datetime.timedelta(days=1),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            product_id=sku.product_id,
            title=sku.product.title,
            attributes=sku.attributes,
            unit_price=sku.price,
            quantity=quantity,
            tax_rate=rate,
        )
        for sku, quantity, rate in lines
    )
    terms = PaymentTerms.objects.filter(merchant=merchant, company=company).first() or w.terms
    Receivable.objects.create(
        terms=terms,
        order=order,
        company=company,
        merchant=merchant,
        amount=total,
        created_at=placed_at,
    )
    return order


def credit(order: Order, amount: int, *, closed_at: datetime.datetime) -> None:
    """The order refunded (a credit note of ``amount``) at ``closed_at``."""
    Order.objects.filter(pk=order.pk).update(state=Order.State.REFUNDED, closed_at=closed_at)
    Receivable.objects.filter(order=order).update(credited=amount)


def payment(w: TermsWorld, amount: int, *, paid_at: datetime.datetime, merchant=None):
    return TermsPayment.objects.create(
        company=w.company,
        merchant=merchant or w.merchant_a,
        amount=amount,
        paid_by=w.finance,
        created_at=paid_at,
    )


def statements_of(w: TermsWorld) -> list[Statement]:
    return list(Statement.objects.filter(company=w.company).order_by("month"))
