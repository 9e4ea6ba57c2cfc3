"""A monthly statement as a CSV that Excel opens with its Chinese intact: UTF-8 with a byte-order
mark, CRLF rows (the csv module's), amounts in yuan as numbers, text cells safe from formulas."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from infoconnect.core import spreadsheets
from infoconnect.core.money import plain_amount
from infoconnect.core.spreadsheets import safe_cell
from infoconnect.procurement import statement_reads
from infoconnect.procurement.models import Statement

TYPE = "text/csv; charset=utf-8"


def filename(statement: Statement) -> str:
    return f"statement-{statement.pk}-{statement.month:%Y-%m}.csv"


def statement_csv(statement: Statement) -> str:
    """The statement as CSV text: header block, totals, lines, payments, credit notes."""

    class Echo:
        def write(self, value: str) -> str:
            return value

    # The csv module's rows end in CRLF; the byte-order mark makes Excel read UTF-8.
    writer = spreadsheets.writer(Echo())
    money = statement.currency

    def rows():
        yield "\ufeff"
        yield writer.writerow([pgettext("statement", "Statement"), statement.reference])
        yield writer.writerow(
            [
                pgettext("statement", "Seller"),
                safe_cell(statement_reads.seller_name(statement.merchant)),
            ]
        )
        yield writer.writerow([_("Buyer"), safe_cell(statement.company.legal_name)])
        yield writer.writerow([_("Month"), statement.month.strftime("%Y-%m")])
        yield writer.writerow(
            [
                pgettext("statement", "Due on"),
                statement.due_on.isoformat() if statement.due_on else "",
            ]
        )
        yield writer.writerow([pgettext("statement", "Currency"), money])
        for label, amount in (
            (pgettext("statement", "Opening balance"), statement.opening_balance),
            (_("Orders"), statement.orders_total),
            (pgettext("statement", "Payments"), -statement.payments_total),
            (pgettext("statement", "Credit notes"), -statement.credits_total),
            (pgettext("statement", "Closing balance"), statement.closing_balance),
        ):
            yield writer.writerow([label, plain_amount(amount)])
        yield "\r\n"
        yield writer.writerow(
            [
                pgettext("statement", "Date"), _("Order"), _("PO number"), _("Requester"), _("Department"),
                pgettext("statement", "SKU"), _("Item"), _("Quantity"), _("Unit price"), pgettext("statement", "Net"), pgettext("statement", "Rate"),
                pgettext("statement", "Tax"), pgettext("statement", "Amount"), pgettext("statement", "Invoice"),
            ]
        )  # fmt: skip
        for line in statement_reads.all_statement_lines(statement):
            yield writer.writerow(
                [
                    timezone.localtime(line.placed_at).strftime("%Y-%m-%d"),
                    line.order_id,
                    safe_cell(line.po_number),
                    safe_cell(line.requester),
                    safe_cell(line.department),
                    line.sku_id or "",
                    safe_cell(line.item),
                    line.quantity,
                    plain_amount(line.unit_price),
                    plain_amount(line.net),
                    line.rate_percent,
                    plain_amount(line.tax),
                    plain_amount(line.amount),
                    line.invoice_label,
                ]
            )
        yield "\r\n"
        yield writer.writerow(
            [
                pgettext("statement", "Payments"),
                pgettext("statement", "Date"),
                _("Reference"),
                pgettext("statement", "Amount"),
            ]
        )
        for payment in statement_reads.statement_payments(statement):
            yield writer.writerow(
                [
                    "",
                    timezone.localtime(payment.created_at).strftime("%Y-%m-%d"),
                    payment.reference,
                    plain_amount(payment.amount),
                ]
            )
        yield writer.writerow(
            [
                pgettext("statement", "Credit notes"),
                pgettext("statement", "Date"),
                _("Reference"),
                pgettext("statement", "Amount"),
            ]
        )
        for credit in statement_reads.statement_credits(statement):
            yield writer.writerow(
                [
                    "",
                    timezone.localtime(credit.closed_at).strftime("%Y-%m-%d"),
                    credit.reference,
                    plain_amount(credit.amount),
                ]
            )

    return "".join(rows())
