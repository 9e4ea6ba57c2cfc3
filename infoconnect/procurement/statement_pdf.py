"""A monthly statement (对账单) and a proforma (形式发票) as PDFs, with ReportLab.

In ReportLab's built-in CID font (core/pdf_fonts.py): Chinese with no font file on the machine.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from infoconnect.core.money import format_money
from infoconnect.core.pdf_fonts import chinese_font
from infoconnect.procurement import statement_reads
from infoconnect.procurement.models import Statement

FONT = chinese_font()
# Rows per table: ReportLab lays a table out whole, so a big month goes in slices.
ROWS_PER_TABLE = 400

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=15, leading=19, spaceAfter=4)
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=7, leading=9)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 7),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
NUMBERS = TableStyle([("ALIGN", (0, 0), (-1, -1), "RIGHT")])


def table(rows: list[list], widths: list[float] | None = None, numeric_from: int = 99) -> Table:
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (numeric_from, 1), (-1, -1), "RIGHT")]))
    return table


def pairs(rows: Iterable[tuple[str, str]]) -> Table:
    table = Table([[label, value] for label, value in rows], hAlign="LEFT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), FONT, 9)]))
    return table


def render(story: list, *, pagesize=A4, title: str = "") -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    document.build(story)
    return buffer.getvalue()


def statement_pdf(statement: Statement) -> bytes:
    """The statement: parties, totals block, every line, payments and credit notes."""
    money = statement.currency
    story: list = [
        Paragraph(_("Statement %(ref)s · 对账单") % {"ref": statement.reference}, TITLE),
        pairs(
            [
                (pgettext("statement", "Seller"), statement_reads.seller_name(statement.merchant)),
                (_("Buyer"), statement.company.legal_name),
                (_("Month"), statement.month.strftime("%Y-%m")),
                (_("State"), str(statement.get_state_display())),
                (
                    pgettext("statement", "Due on"),
                    statement.due_on.isoformat() if statement.due_on else "—",
                ),
            ]
        ),
        Spacer(1, 4 * mm),
        pairs(
            [
                (
                    pgettext("statement", "Opening balance"),
                    format_money(statement.opening_balance, money),
                ),
                (_("Orders"), format_money(statement.orders_total, money)),
                (pgettext("statement", "Payments"), format_money(-statement.payments_total, money)),
                (
                    pgettext("statement", "Credit notes"),
                    format_money(-statement.credits_total, money),
                ),
                (
                    pgettext("statement", "Closing balance"),
                    format_money(statement.closing_balance, money),
                ),
            ]
        ),
        Spacer(1, 4 * mm),
    ]
    header = [
        pgettext("statement", "Date"), _("Order"), _("PO number"), _("Requester"), _("Department"), pgettext("statement", "SKU"),
        _("Item"), _("Quantity"), _("Unit price"), pgettext("statement", "Net"), pgettext("statement", "Rate"), pgettext("statement", "Tax"), pgettext("statement", "Amount"),
        pgettext("statement", "Invoice"),
    ]  # fmt: skip
    widths = [m * mm for m in (17, 13, 20, 20, 20, 11, 52, 12, 19, 19, 10, 17, 19, 24)]
    rows: list[list] = []
    drawn = False
    for line in statement_reads.all_statement_lines(statement):
        rows.append(
            [
                timezone.localtime(line.placed_at).strftime("%Y-%m-%d"),
                f"#{line.order_id}",
                line.po_number,
                Paragraph(line.requester, SMALL),
                Paragraph(line.department, SMALL),
                str(line.sku_id or ""),
                Paragraph(line.item, SMALL),
                str(line.quantity),
                format_money(line.unit_price, money),
                format_money(line.net, money),
                line.rate_percent,
                format_money(line.tax, money),
                format_money(line.amount, money),
                line.invoice_label,
            ]
        )
        if len(rows) == ROWS_PER_TABLE:
            story.append(table([header, *rows], widths, numeric_from=7))
            rows, drawn = [], True
    if rows or not drawn:
        story.append(table([header, *rows], widths, numeric_from=7))
    payments = statement_reads.statement_payments(statement)
    story += [Spacer(1, 4 * mm), Paragraph(pgettext("statement", "Payments"), TEXT)]
    story.append(
        table(
            [
                [
                    pgettext("statement", "Date"),
                    _("Reference"),
                    pgettext("statement", "Paid by"),
                    pgettext("statement", "Amount"),
                ]
            ]
            + [
                [
                    timezone.localtime(p.created_at).strftime("%Y-%m-%d"),
                    p.reference,
                    p.paid_by.name,
                    format_money(p.amount, money),
                ]
                for p in payments
            ],
            numeric_from=3,
        )
    )
    credits = statement_reads.statement_credits(statement)
    story += [Spacer(1, 4 * mm), Paragraph(pgettext("statement", "Credit notes"), TEXT)]
    story.append(
        table(
            [
                [
                    pgettext("statement", "Date"),
                    _("Reference"),
                    _("Order"),
                    pgettext("statement", "Amount"),
                ]
            ]
            + [
                [
                    timezone.localtime(c.closed_at).strftime("%Y-%m-%d"),
                    c.reference,
                    f"#{c.order_id}",
                    format_money(c.amount, money),
                ]
                for c in credits
            ],
            numeric_from=3,
        )
    )
    return render(story, pagesize=landscape(A4), title=statement.reference)
