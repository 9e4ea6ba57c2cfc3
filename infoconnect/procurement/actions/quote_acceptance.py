"""Accepting a quote: a requisition at the quoted prices, locked, submitted to the company's
approvals in the same transaction.

Only the quote's catalogue lines can be bought (a free-text item has no SKU to order); a quote
of free-text items only is refused with a word to ask for a new quote naming products.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import submission
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.actions.quotes import move_quote, post, who
from infoconnect.procurement.actions.requisitions import (
    clean_invoice,
    clean_note,
    clean_payment_method,
    clean_po_number,
    ship_to_choices,
)
from infoconnect.procurement.errors import ProcurementError, QuoteError
from infoconnect.procurement.lifecycle import quotes, requisitions
from infoconnect.procurement.models import (
    Company,
    Quote,
    QuoteLine,
    QuoteRevision,
    Requisition,
    RequisitionLine,
)
from infoconnect.procurement.quote_reads import company_quote, latest_revision
from infoconnect.procurement.selectors import company_department
from infoconnect.shop.models import Sku


def _lines(requisition: Requisition, revision: QuoteRevision, quote: Quote) -> None:
    """The offer's catalogue lines at the quoted prices, locked (the retail price beside)."""
    offered = [line for line in revision.lines.order_by("position") if line.sku_id]
    skus = {
        sku.pk: sku
        for sku in Sku.objects.select_related("product").filter(
            pk__in=[line.sku_id for line in offered]
        )
    }
    reason = _("Quote %(ref)s, revision %(number)d") % {
        "ref": quote.reference,
        "number": revision.number,
    }
    rows = []
    for line in offered:
        sku = skus.get(line.sku_id)
        if sku is None:
            raise DomainError(ProcurementError.PRODUCT_UNAVAILABLE)
        rows.append(_line(requisition, line, sku, reason))
    RequisitionLine.objects.bulk_create(rows)


def _line(requisition: Requisition, line: QuoteLine, sku: Sku, reason: str) -> RequisitionLine:
    return RequisitionLine(
        requisition=requisition, sku=sku, product=sku.product,
        merchant_id=sku.product.merchant_id, category_id=sku.product.category_id,
        title=sku.product.title, attributes=sku.attributes, unit_price=line.unit_price,
        quantity=line.quantity, list_price=sku.price, price_reason=reason[:200], locked=True,
    )  # fmt: skip


@transaction.atomic
def accept_quote(
    *,
    user: User,
    quote_id: object,
    department_id: object,
    ship_to_id: object,
    po_number: object = "",
    note: object = "",
    payment_method: object = Requisition.Payment.COMPANY_WALLET,
    invoice_kind: object = "",
    invoice_title_id: object = None,
    company_id: object = None,
    now: datetime | None = None,
) -> Requisition:
    """The buyer accepts the merchant's latest quote while it is valid: its requisition is
    made and submitted (the requisition's own checks apply: department, ship-to, PO, how it
    pays — on terms only if the merchant grants the company terms — and the VAT invoice its
    orders ask for, of a title of the company's)."""
    now = now or timezone.now()
    quote, membership = company_quote(
        user=user, quote_id=quote_id, company_id=company_id, lock=True
    )
    if not quotes.allows(quote, "accept"):
        raise DomainError(QuoteError.QUOTE_INVALID_STATE)
    if quote.valid_until is None or quote.valid_until < timezone.localdate(now):
        raise DomainError(QuoteError.EXPIRED)
    if quote.company.status != Company.Status.VERIFIED:
        raise DomainError(ProcurementError.COMPANY_NOT_VERIFIED)
    offer = latest_revision(quote)
    if not any(line.sku_id for line in offer.lines.all()):
        raise DomainError(QuoteError.NO_SKU_LINES)
    department = company_department(company_id=quote.company_id, department_id=department_id)
    ship_to = next(
        (a for a in ship_to_choices(department) if str(a.pk) == str(ship_to_id or "")), None
    )
    if ship_to_id not in (None, "") and ship_to is None:
        raise DomainError(ProcurementError.ADDRESS_NOT_FOUND)
    po_number = clean_po_number(po_number)
    note = clean_note(note)

    # The member may have one draft (their "for company X" cart) at a time, and submitting
    # takes a draft. Their cart, if they have one, is lent to the company's account while
    # the quote's requisition is born a draft and submitted, then given back: the
    # one-draft index holds at every statement, on either database, and the cart keeps its
    # id, lines and history. The cart is locked throughout; a failure rolls the loan back.
    cart = (
        Requisition.objects.select_for_update()
        .filter(company_id=quote.company_id, requester_id=user.pk, state=Requisition.State.DRAFT)
        .first()
    )
    if cart is not None:
        lender = company_account(quote.company)
        Requisition.objects.filter(pk=cart.pk).update(requester=lender)
    requisition = requisitions.create(
        now=now, company_id=quote.company_id, requester_id=user.pk, membership=membership,
        department=department, ship_to=ship_to, po_number=po_number, note=note, quote=quote,
        currency=quote.currency,
    )  # fmt: skip
    _lines(requisition, offer, quote)
    # Checked once the lines are in: terms are offered by the merchants the lines are from.
    requisition.payment_method = clean_payment_method(requisition, payment_method)
    requisition.invoice_kind, requisition.invoice_title_id = clean_invoice(
        requisition, invoice_kind, invoice_title_id
    )
    requisition.save(update_fields=["payment_method", "invoice_kind", "invoice_title_id"])
    submission.submit_requisition(user=user, requisition_id=requisition.pk, now=now)
    if cart is not None:
        Requisition.objects.filter(pk=cart.pk).update(requester_id=user.pk)
    move_quote(quote, "accept", now=now, new_revision=False, accepted_at=now, closed_at=now)
    body = _("%(who)s accepted the quote: requisition %(ref)s goes to the company's approval.")
    post(quote, offer, from_buyer=True,
         body=body % {"who": who(user), "ref": requisition.reference})  # fmt: skip
    requisition.refresh_from_db()
    return requisition
