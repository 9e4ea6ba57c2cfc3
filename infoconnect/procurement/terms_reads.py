"""Reads of payment terms: a merchant's companies on terms, a company's terms per merchant,
and what the company owes each merchant (open, due, overdue).

A merchant sees only its own terms and receivables; a company's are read only after the
caller's membership was checked (``require_member`` / ``require_role``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.invoicing.models import Invoice, InvoiceTitle
from infoconnect.procurement.models import PaymentTerms, Receivable, Requisition
from infoconnect.procurement.models.terms import TermsPayment

UNSETTLED = (Receivable.State.OPEN, Receivable.State.DUE)


def open_receivables(company_id: int, merchant_id: int) -> list[Receivable]:
    """What the company still owes the merchant, oldest first (its order preloaded)."""
    return list(
        Receivable.objects.filter(
            company_id=company_id, merchant_id=merchant_id, state__in=UNSETTLED
        )
        .select_related("order", "terms")
        .order_by("pk")
    )


def is_overdue(receivable: Receivable, today: date) -> bool:
    """Past its due date (the grace period only decides when new orders are refused)."""
    return (
        receivable.state == Receivable.State.DUE
        and receivable.due_on is not None
        and receivable.due_on < today
    )


def blocks_orders(receivable: Receivable, terms: PaymentTerms, today: date) -> bool:
    return is_overdue(receivable, today) and ((today - receivable.due_on).days > terms.grace_days)


def merchant_terms(merchant: User) -> list[PaymentTerms]:
    """The companies the merchant grants terms, by name."""
    return list(
        PaymentTerms.objects.filter(merchant_id=merchant.pk)
        .select_related("company")
        .order_by("company__legal_name", "pk")
    )


def company_terms(company_id: int) -> list[PaymentTerms]:
    """The terms each merchant grants the company (withdrawn ones too: they may still be owed)."""
    return list(
        PaymentTerms.objects.filter(company_id=company_id)
        .select_related("merchant")
        .order_by("merchant__display_name", "merchant_id")
    )


@dataclass
class Payable:
    """What the company owes one merchant, as the finance page shows it."""

    terms: PaymentTerms
    rows: list[Receivable] = field(default_factory=list)
    not_delivered: int = 0
    due: int = 0
    overdue: int = 0
    blocked: bool = False

    @property
    def total(self) -> int:
        return self.not_delivered + self.due + self.overdue


def payables(company_id: int, today: date | None = None) -> list[Payable]:
    """Per merchant granting the company terms: its unsettled receivables and their sums."""
    today = today or timezone.localdate()
    found = {terms.merchant_id: Payable(terms) for terms in company_terms(company_id)}
    for receivable in (
        Receivable.objects.filter(company_id=company_id, state__in=UNSETTLED)
        .select_related("order")
        .order_by("due_on", "pk")
    ):
        payable = found.get(receivable.merchant_id)
        if payable is None:
            continue
        receivable.overdue = is_overdue(receivable, today)
        payable.rows.append(receivable)
        if receivable.state == Receivable.State.OPEN:
            payable.not_delivered += receivable.open_amount
        elif receivable.overdue:
            payable.overdue += receivable.open_amount
            payable.blocked |= blocks_orders(receivable, payable.terms, today)
        else:
            payable.due += receivable.open_amount
    return list(found.values())


def recent_payments(company_id: int, limit: int = 20) -> list[TermsPayment]:
    return list(
        TermsPayment.objects.filter(company_id=company_id).select_related("merchant", "paid_by")[
            :limit
        ]
    )


def terms_offer(requisition: Requisition) -> tuple[bool, list[User]]:
    """Whether the requisition may pay on terms: every merchant in it grants the company
    active terms. Returns (it may, the merchants that do not)."""
    merchant_ids = set(
        requisition.lines.exclude(merchant_id__isnull=True).values_list("merchant_id", flat=True)
    )
    granted = set(
        PaymentTerms.objects.filter(
            company_id=requisition.company_id, merchant_id__in=merchant_ids, active=True
        ).values_list("merchant_id", flat=True)
    )
    missing = list(User.objects.filter(pk__in=merchant_ids - granted).order_by("pk"))
    return bool(merchant_ids) and not missing, missing


def grants_terms(*, company_id: int, merchant_id: int) -> bool:
    """Whether the merchant grants the company active terms (a quote's requisition may then
    pay on them)."""
    return PaymentTerms.objects.filter(
        company_id=company_id, merchant_id=merchant_id, active=True
    ).exists()


def invoice_titles(company_id: int) -> list[InvoiceTitle]:
    """The company's invoice titles an order may ask for (archived ones may not)."""
    return list(InvoiceTitle.objects.filter(company_id=company_id, archived_at__isnull=True))


@dataclass(frozen=True)
class AskedInvoice:
    """The VAT invoice a requisition's orders ask for, as its approvers read it."""

    kind: str  # the kind's label
    title: InvoiceTitle | None  # None if the title has since been deleted


def asked_invoice(requisition: Requisition) -> AskedInvoice | None:
    """The invoice kind and the title the requester chose (None: no invoice asked)."""
    if not requisition.invoice_kind:
        return None
    title = InvoiceTitle.objects.filter(
        pk=requisition.invoice_title_id, company_id=requisition.company_id
    ).first()
    return AskedInvoice(kind=str(Invoice.Kind(requisition.invoice_kind).label), title=title)


def pay_url(company_id: int) -> str:
    """The page that pays what is owed on terms from the company wallet (from an invoice or a
    statement)."""
    return reverse("procurement:terms_pay", args=[company_id])
