"""Reads of invoice titles and invoices, and who may see them.

A company's titles and invoices are its members': finance members and company-wide admins
manage titles; finance, admins and viewers read invoices. Another company's member gets
"not a member" (a 404). A merchant reads only the invoices it issued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.invoicing.errors import InvoicingError
from infoconnect.invoicing.models import (
    Invoice,
    InvoicedOrder,
    InvoiceLine,
    InvoiceTitle,
    InvoicingSetting,
)
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Company, Membership, PaymentTerms, PriceList, Role
from infoconnect.procurement.selectors import holds_role, require_member
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.models import Order

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

TITLE_ROLES = (Role.ADMIN, Role.FINANCE)
INVOICE_ROLES = (Role.ADMIN, Role.FINANCE, Role.VIEWER)


def require_any_role(*, user: User, company_id: object, roles: tuple[str, ...]) -> Membership:
    """The user's current membership if it holds one of ``roles`` over the whole company."""
    membership = require_member(user=user, company_id=company_id)
    if not any(holds_role(membership, role) for role in roles):
        raise DomainError(ProcurementError.ROLE_REQUIRED)
    return membership


def may_manage_titles(membership: Membership) -> bool:
    return any(holds_role(membership, role) for role in TITLE_ROLES)


def may_read_invoices(membership: Membership) -> bool:
    return any(holds_role(membership, role) for role in INVOICE_ROLES)


def is_finance(membership: Membership) -> bool:
    return holds_role(membership, Role.FINANCE)


# --- titles ------------------------------------------------------------------------------


def usable_titles(company_id: int) -> QuerySet[InvoiceTitle]:
    """The titles an order may ask an invoice for: verified, not archived."""
    return InvoiceTitle.objects.filter(
        company_id=company_id, verified_at__isnull=False, archived_at__isnull=True
    ).order_by("name", "pk")


def titles_of(*, company_id: int, include_archived: bool = False) -> list[InvoiceTitle]:
    titles = InvoiceTitle.objects.filter(company_id=company_id)
    if not include_archived:
        titles = titles.filter(archived_at__isnull=True)
    return list(titles.order_by("archived_at", "name", "pk"))


def title_of(*, company_id: int, title_id: object) -> InvoiceTitle:
    title = InvoiceTitle.objects.filter(company_id=company_id, pk=_id(title_id)).first()
    if title is None:
        raise DomainError(InvoicingError.TITLE_NOT_FOUND)
    return title


# --- invoices ----------------------------------------------------------------------------


def _with_lines(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.select_related("original").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")),
        Prefetch("orders", queryset=InvoicedOrder.objects.order_by("order_id")),
    )


def company_invoices(*, company_id: int, limit: int = 100) -> list[Invoice]:
    return list(
        Invoice.objects.filter(company_id=company_id)
        .select_related("original")
        .order_by("-id")[:limit]
    )


def company_invoice(*, company_id: int, invoice_id: object) -> Invoice:
    invoice = _with_lines(Invoice.objects.filter(company_id=company_id, pk=_id(invoice_id))).first()
    if invoice is None:
        raise DomainError(InvoicingError.INVOICE_NOT_FOUND)
    return invoice


def merchant_invoices(*, merchant: User, limit: int = 100) -> list[Invoice]:
    require_merchant(merchant)
    return list(
        Invoice.objects.filter(merchant_id=merchant.pk)
        .select_related("company", "original")
        .order_by("-id")[:limit]
    )


def merchant_invoice(*, merchant: User, invoice_id: object) -> Invoice:
    require_merchant(merchant)
    invoice = _with_lines(
        Invoice.objects.filter(merchant_id=merchant.pk, pk=_id(invoice_id))
    ).first()
    if invoice is None:
        raise DomainError(InvoicingError.INVOICE_NOT_FOUND)
    return invoice


def invoice_numbers_for_orders(order_ids: list[int]) -> dict[int, str]:
    """Order id -> the number of its latest issued blue (not red-letter) invoice."""
    rows = (
        InvoicedOrder.objects.filter(
            order_id__in=list(order_ids),
            invoice__state=Invoice.State.ISSUED,
            invoice__original__isnull=True,
        )
        .order_by("order_id", "invoice_id")
        .values_list("order_id", "invoice__number")
    )
    # Ascending by invoice id: the last one written per order is its latest.
    return dict(rows)


def mode_for(*, merchant_id: int, company_id: int) -> str:
    setting = InvoicingSetting.objects.filter(
        merchant_id=merchant_id, company_id=company_id
    ).first()
    return setting.mode if setting else InvoicingSetting.Mode.PER_ORDER


def _id(value: object) -> int:
    return parse_id(value) or 0


def _customer_sources(merchant_id: int) -> list[QuerySet]:
    """A company buys from the merchant once it has ordered, or has the merchant's terms or a
    price list of its (merged invoicing may be chosen before the first order)."""
    pair = {"merchant_id": merchant_id, "company_id__isnull": False}
    return [
        model.objects.filter(**pair).order_by().values_list("company_id", flat=True)
        for model in (Order, PaymentTerms, PriceList)
    ]


def is_customer(*, merchant_id: int, company_id: int) -> bool:
    return any(
        source.filter(company_id=company_id).exists() for source in _customer_sources(merchant_id)
    )


def customers_of(*, merchant: User) -> list[dict]:
    """The companies that buy from the merchant, with how it invoices each."""
    require_merchant(merchant)
    first, *others = _customer_sources(merchant.pk)
    modes = dict(
        InvoicingSetting.objects.filter(merchant_id=merchant.pk).values_list("company_id", "mode")
    )
    return [
        {"company": company, "mode": modes.get(company.pk, InvoicingSetting.Mode.PER_ORDER)}
        for company in Company.objects.filter(pk__in=first.union(*others)).order_by("legal_name")
    ]
