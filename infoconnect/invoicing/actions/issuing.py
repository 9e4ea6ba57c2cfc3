"""Issuing a company's VAT invoices: per order on completion, or merged monthly (集中开票).

Which of the two a merchant uses for a company is the merchant's setting (per order unless it
chose monthly). Either way the invoice is born ``requested`` with its lines in this
transaction; the provider is asked once it commits (actions/sending.py), never inside it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.invoicing.errors import InvoicingError
from infoconnect.invoicing.lines import Draft, line_name, live_blue_order_ids, write_invoice
from infoconnect.invoicing.models import Invoice, InvoiceTitle, InvoicingSetting
from infoconnect.invoicing.selectors import is_customer, mode_for
from infoconnect.procurement.models import Company
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.models import Order, OrderLine

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

logger = logging.getLogger(__name__)

KINDS = (Order.InvoiceKind.NORMAL, Order.InvoiceKind.SPECIAL)


def _label(attributes: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((attributes or {}).items()))


def _order_drafts(lines: list[OrderLine]) -> list[Draft]:
    return [
        Draft(
            name=line_name(line.title, line.tax_code),
            tax_code=line.tax_code,
            spec=_label(line.attributes),
            unit=line.unit,
            quantity=line.quantity,
            amount=line.unit_price * line.quantity,
            tax_rate=line.tax_rate,
            order_id=line.order_id,
            order_line_id=line.pk,
            sku_id=line.sku_id,
        )
        for line in lines
    ]


def issue_for_order(*, order: Order) -> Invoice | None:
    """An order that asked for an invoice was completed: its invoice, if its merchant invoices
    this company per order. Runs inside the completing transaction (the shop's signal)."""
    if order.invoice_kind not in KINDS or order.invoice_title_id is None:
        return None
    if mode_for(merchant_id=order.merchant_id, company_id=order.company_id) != "per_order":
        return None
    title = InvoiceTitle.objects.filter(
        pk=order.invoice_title_id, company_id=order.company_id
    ).first()
    if title is None:
        logger.warning(
            "Order %s asked for an invoice to missing title %s", order.pk, order.invoice_title_id
        )
        return None
    if live_blue_order_ids([order.pk]):
        return None
    lines = list(OrderLine.objects.filter(order_id=order.pk).order_by("id"))
    return write_invoice(
        merchant_id=order.merchant_id,
        company_id=order.company_id,
        title=title,
        kind=order.invoice_kind,
        scope=Invoice.Scope.ORDER,
        drafts=_order_drafts(lines),
        order_amounts={order.pk: sum(line.unit_price * line.quantity for line in lines)},
    )


# --- merged monthly --------------------------------------------------------------------------


def parse_month(value: object) -> date:
    """ "2026-11" (or a date) -> 2026-11-01; a month after the current one is refused."""
    if isinstance(value, date):
        month = value.replace(day=1)
    else:
        try:
            month = datetime.strptime(str(value).strip(), "%Y-%m").date()
        except ValueError:
            raise DomainError(InvoicingError.BAD_MONTH) from None
    if month > timezone.localdate().replace(day=1):
        raise DomainError(InvoicingError.BAD_MONTH)
    return month


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first and the next month's first instant, in the site's time zone."""
    after = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(month, time.min), zone),
        timezone.make_aware(datetime.combine(after, time.min), zone),
    )


def _customer(merchant: User, company_id: object) -> Company:
    """The company, if it buys from the merchant: has ordered, or has its prices or terms."""
    company = Company.objects.filter(pk=parse_id(company_id) or 0).first()
    if company is None:
        raise DomainError(InvoicingError.NOT_A_CUSTOMER)
    if not is_customer(merchant_id=merchant.pk, company_id=company.pk):
        raise DomainError(InvoicingError.NOT_A_CUSTOMER)
    return company


def orders_to_merge(*, merchant_id: int, company_id: int, month: date) -> list[Order]:
    """The month's completed orders that asked for an invoice and have none yet."""
    start, end = month_bounds(month)
    orders = list(
        Order.objects.filter(
            merchant_id=merchant_id,
            company_id=company_id,
            state=Order.State.COMPLETED,
            completed_at__gte=start,
            completed_at__lt=end,
            invoice_kind__in=KINDS,
            invoice_title_id__isnull=False,
        ).order_by("id")
    )
    taken = live_blue_order_ids(order.pk for order in orders)
    return [order for order in orders if order.pk not in taken]


@transaction.atomic
def issue_monthly(*, merchant: User, company_id: int, month: object) -> Invoice:
    """One invoice for every completed order of the company in ``month`` that asked for one
    and has none: its lines grouped by SKU and rate, each line's VAT split from its sum."""
    require_merchant(merchant)
    company = _customer(merchant, company_id)
    first = parse_month(month)
    orders = orders_to_merge(merchant_id=merchant.pk, company_id=company.pk, month=first)
    if not orders:
        if (
            Invoice.objects.filter(
                merchant_id=merchant.pk,
                company_id=company.pk,
                month=first,
                scope="monthly",
                original__isnull=True,
            )
            .exclude(state=Invoice.State.REFUSED)
            .exists()
        ):
            raise DomainError(InvoicingError.MONTH_INVOICED)
        raise DomainError(InvoicingError.NOTHING_TO_INVOICE)
    asked = {(order.invoice_title_id, order.invoice_kind) for order in orders}
    if len(asked) > 1:
        raise DomainError(InvoicingError.MIXED_TITLES)
    ((title_id, kind),) = asked
    title = InvoiceTitle.objects.filter(pk=title_id, company_id=company.pk).first()
    if title is None:
        raise DomainError(InvoicingError.TITLE_NOT_FOUND)
    groups: OrderedDict[tuple, dict] = OrderedDict()
    amounts: dict[int, int] = {}
    lines = OrderLine.objects.filter(order_id__in=[order.pk for order in orders]).order_by(
        "order_id", "id"
    )
    for line in lines:
        amount = line.unit_price * line.quantity
        amounts[line.order_id] = amounts.get(line.order_id, 0) + amount
        key = (line.sku_id or f"line-{line.pk}", line.tax_rate)
        group = groups.setdefault(
            key,
            {"line": line, "quantity": 0, "amount": 0},
        )
        group["quantity"] += line.quantity
        group["amount"] += amount
    drafts = [
        Draft(
            name=line_name(group["line"].title, group["line"].tax_code),
            tax_code=group["line"].tax_code,
            spec=_label(group["line"].attributes),
            unit=group["line"].unit,
            quantity=group["quantity"],
            amount=group["amount"],
            tax_rate=group["line"].tax_rate,
            sku_id=group["line"].sku_id,
        )
        for group in groups.values()
    ]
    try:
        with transaction.atomic():
            return write_invoice(
                merchant_id=merchant.pk,
                company_id=company.pk,
                title=title,
                kind=kind,
                scope=Invoice.Scope.MONTHLY,
                month=first,
                drafts=drafts,
                order_amounts=amounts,
            )
    except IntegrityError:
        # Another request issued this month's merged invoice first.
        raise DomainError(InvoicingError.MONTH_INVOICED) from None


@transaction.atomic
def set_mode(*, merchant: User, company_id: int, mode: str) -> InvoicingSetting:
    """How the merchant invoices the company from now on (orders already invoiced stay so)."""
    require_merchant(merchant)
    company = _customer(merchant, company_id)
    if mode not in InvoicingSetting.Mode.values:
        raise DomainError(
            InvoicingError.BAD_MODE, fields={"mode": [str(InvoicingError.BAD_MODE.message)]}
        )
    setting, _created = InvoicingSetting.objects.update_or_create(
        merchant_id=merchant.pk,
        company_id=company.pk,
        defaults={"mode": mode, "updated_at": timezone.now()},
    )
    return setting
