"""Red-letter (红字) invoices: what a refund gives back after invoicing is reversed.

A refunded (or, after invoicing, cancelled) order's invoiced lines are reversed on a
red-letter invoice per blue invoice that covered the order: the order's own lines, negative,
each split as its blue counterpart was, with ``original`` naming the blue invoice. It runs in
the transaction that gave the money back, so the two commit together.
"""

from __future__ import annotations

from infoconnect.invoicing.lines import Draft, line_name, write_invoice
from infoconnect.invoicing.models import Invoice, InvoicedOrder
from infoconnect.shop.models import Order, OrderLine


def _label(attributes: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((attributes or {}).items()))


def reverse_order(*, order: Order) -> list[Invoice]:
    """A red-letter invoice for each live blue invoice covering ``order`` and not yet
    reversed for it; none when the order was never invoiced."""
    covered = (
        InvoicedOrder.objects.filter(order_id=order.pk, invoice__original__isnull=True)
        .exclude(invoice__state=Invoice.State.REFUSED)
        .select_related("invoice", "invoice__title")
        .order_by("invoice_id")
    )
    reversed_already = set(
        InvoicedOrder.objects.filter(
            order_id=order.pk, invoice__original__isnull=False
        ).values_list("invoice__original_id", flat=True)
    )
    lines = list(OrderLine.objects.filter(order_id=order.pk).order_by("id"))
    made = []
    for row in covered:
        blue = row.invoice
        if blue.pk in reversed_already:
            continue
        drafts = [
            Draft(
                name=line_name(line.title, line.tax_code),
                tax_code=line.tax_code,
                spec=_label(line.attributes),
                unit=line.unit,
                quantity=-line.quantity,
                amount=-(line.unit_price * line.quantity),
                tax_rate=line.tax_rate,
                order_id=order.pk,
                order_line_id=line.pk,
                sku_id=line.sku_id,
            )
            for line in lines
        ]
        made.append(
            write_invoice(
                merchant_id=blue.merchant_id,
                company_id=blue.company_id,
                title=blue.title,
                kind=blue.kind,
                scope=Invoice.Scope.ORDER,
                drafts=drafts,
                order_amounts={order.pk: -row.amount},
                original=blue,
            )
        )
    return made
