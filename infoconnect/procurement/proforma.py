"""Proformas (形式发票): what a quote or a requisition will cost, seller by seller, with the
VAT split per line, for a company's internal approval of a prepayment. Never a tax invoice,
and the document says so at the top.

A quote's proforma is of its latest priced revision (the merchant's last quote); a
requisition's has a section per merchant. Who may see the quote or the requisition may see its
proforma: the requisition's readers (``requisition_reads``), any current member of the
quote's company, and the quote's merchant.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.core.money import format_money
from infoconnect.invoicing.vat import split
from infoconnect.procurement import requisition_reads, selectors, statement_pdf, statement_reads
from infoconnect.procurement.errors import ProcurementError, StatementError
from infoconnect.procurement.models import Company, Quote, QuoteRevision

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

MARK = "形式发票 — 非税务发票 / Proforma — not a tax invoice"


@dataclass(frozen=True)
class ProformaLine:
    item: str
    quantity: int
    unit_price: int
    amount: int
    net: int
    tax_rate: int
    tax: int


@dataclass(frozen=True)
class Section:
    seller: str
    lines: list[ProformaLine]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def net(self) -> int:
        return sum(line.net for line in self.lines)

    @property
    def tax(self) -> int:
        return sum(line.tax for line in self.lines)


@dataclass(frozen=True)
class Proforma:
    reference: str
    buyer: Company
    dated: datetime.date
    currency: str
    sections: list[Section]
    valid_until: datetime.date | None = None

    @property
    def total(self) -> int:
        return sum(section.total for section in self.sections)


def _line(item: str, quantity: int, unit_price: int, tax_rate: int) -> ProformaLine:
    amount = unit_price * quantity
    net, tax = split(amount, tax_rate)
    return ProformaLine(item, quantity, unit_price, amount, net, tax_rate, tax)


def quote_proforma(*, user: User, quote_id: object, company_id: object | None = None) -> Proforma:
    """The quote's proforma for a member of its company (``company_id``) or its merchant."""
    quote = (
        Quote.objects.select_related("company", "merchant", "merchant__merchant_profile")
        .filter(pk=quote_id)
        .first()
        if is_id(quote_id)
        else None
    )
    if quote is not None and company_id is not None:
        member = selectors.current_membership(user=user, company_id=company_id)
        visible = member is not None and quote.company_id == member.company_id
    else:
        visible = quote is not None and quote.merchant_id == user.pk
    if not visible:
        raise DomainError(ProcurementError.NOT_A_MEMBER)
    revision = (
        QuoteRevision.objects.filter(quote=quote, kind=QuoteRevision.Kind.QUOTE)
        .order_by("-number")
        .prefetch_related("lines")
        .first()
    )
    lines = list(revision.lines.all()) if revision else []
    if not lines or any(line.unit_price is None for line in lines):
        raise DomainError(StatementError.PROFORMA_UNPRICED)
    return Proforma(
        reference=f"{quote.reference}-R{revision.number}",
        buyer=quote.company,
        dated=timezone.localdate(),
        currency=quote.currency,
        valid_until=revision.valid_until,
        sections=[
            Section(
                statement_reads.seller_name(quote.merchant),
                [_line(x.title, x.quantity, x.unit_price, x.tax_rate) for x in lines],
            )
        ],
    )


def requisition_proforma(*, user: User, company_id: object, requisition_id: object) -> Proforma:
    """The requisition's proforma, a section per merchant, for those who may see it."""
    requisition, _membership = requisition_reads.member_requisition(
        user=user, requisition_id=requisition_id
    )
    if str(requisition.company_id) != str(company_id):
        raise DomainError(ProcurementError.REQUISITION_NOT_FOUND)
    by_seller: dict[int, Section] = {}
    lines = requisition.lines.select_related("merchant__merchant_profile", "sku").order_by("id")
    for line in lines:
        section = by_seller.setdefault(
            line.merchant_id, Section(statement_reads.seller_name(line.merchant), [])
        )
        rate = line.sku.tax_rate if line.sku else 1300
        section.lines.append(_line(line.title, line.quantity, line.unit_price, rate))
    return Proforma(
        reference=requisition.reference,
        buyer=requisition.company,
        dated=timezone.localdate(),
        currency=requisition.currency,
        sections=list(by_seller.values()),
    )


def proforma_pdf(proforma: Proforma) -> bytes:
    money = proforma.currency
    pdf = statement_pdf
    story: list = [
        Paragraph(MARK, pdf.TITLE),
        pdf.pairs(
            [
                (_("Reference"), proforma.reference),
                (_("Buyer"), proforma.buyer.legal_name),
                (pgettext("statement", "Taxpayer id"), proforma.buyer.uscc),
                (pgettext("statement", "Date"), proforma.dated.isoformat()),
                *(
                    [(pgettext("statement", "Valid until"), proforma.valid_until.isoformat())]
                    if proforma.valid_until
                    else []
                ),
            ]
        ),
    ]
    header = [
        _("Item"),
        _("Quantity"),
        _("Unit price"),
        pgettext("statement", "Net"),
        pgettext("statement", "Rate"),
        pgettext("statement", "Tax"),
        pgettext("statement", "Amount"),
    ]
    for section in proforma.sections:
        rows = [
            [
                Paragraph(line.item, pdf.SMALL),
                str(line.quantity),
                format_money(line.unit_price, money),
                format_money(line.net, money),
                f"{line.tax_rate / 100:g}%",
                format_money(line.tax, money),
                format_money(line.amount, money),
            ]
            for line in section.lines
        ]
        rows.append(
            [
                pgettext("statement", "Subtotal"),
                "",
                "",
                format_money(section.net, money),
                "",
                format_money(section.tax, money),
                format_money(section.total, money),
            ]
        )
        story += [
            Spacer(1, 4 * mm),
            Paragraph(_("Seller: %(name)s") % {"name": section.seller}, pdf.TEXT),
            pdf.table([header, *rows], [m * mm for m in (70, 16, 22, 22, 12, 20, 24)], 1),
        ]
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            _("Total: %(total)s") % {"total": format_money(proforma.total, money)},
            pdf.TITLE,
        ),
        Paragraph(MARK, pdf.TEXT),
    ]
    return pdf.render(story, title=proforma.reference)
