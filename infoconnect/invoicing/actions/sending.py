"""Asking the invoice provider for a requested invoice, and recording its answer.

Runs after the request committed (its task, or the sweep for one whose task was lost),
outside any transaction: nothing is locked while the provider is on the line. One caller at a
time holds the claim, which lapses after ``SEND_RETRY_AFTER`` so a worker that died is
replaced by a later sweep; the provider answers a repeated reference with the same invoice. A
red-letter invoice waits until its blue invoice is issued, and is refused if that one was.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from infoconnect.invoicing.lifecycle import SEND_RETRY_AFTER, invoices
from infoconnect.invoicing.models import Invoice
from infoconnect.invoicing.providers import IssueLine, IssueRequest, get_provider

logger = logging.getLogger(__name__)
State = Invoice.State


def reference(invoice: Invoice) -> str:
    return f"invoice-{invoice.pk}"


def issue_request(invoice: Invoice) -> IssueRequest:
    return IssueRequest(
        reference=reference(invoice),
        kind=invoice.kind,
        buyer=invoice.buyer,
        seller=invoice.seller,
        lines=tuple(
            IssueLine(
                name=line.name,
                tax_code=line.tax_code,
                spec=line.spec,
                unit=line.unit,
                quantity=line.quantity,
                amount=line.amount,
                net=line.net,
                tax=line.tax,
                tax_rate=line.tax_rate,
            )
            for line in invoice.lines.order_by("position")
        ),
        total=invoice.total,
        net=invoice.net,
        tax=invoice.tax,
        requested_on=timezone.localdate(invoice.created_at),
        original_number=invoice.original.number if invoice.original_id else "",
        special_allowed=bool(invoice.buyer.get("special_allowed")),
    )


def _claim(invoice_id: int, now: datetime) -> bool:
    lapsed = now - SEND_RETRY_AFTER
    return bool(
        Invoice.objects.filter(pk=invoice_id, state__in=invoices.sources("issue"))
        .filter(Q(attempted_at__isnull=True) | Q(attempted_at__lte=lapsed))
        .update(attempted_at=now)
    )


def send_invoice(*, invoice_id: int, now: datetime | None = None) -> bool:
    """Ask the provider for the invoice; True if its answer moved it (issued or refused)."""
    now = now or timezone.now()
    invoice = Invoice.objects.select_related("original").filter(pk=invoice_id).first()
    if invoice is None or not invoices.allows(invoice, "issue"):
        return False
    if invoice.original_id is not None:
        if invoice.original.state == State.REFUSED:
            return invoices.move(
                invoice,
                "refuse",
                strict=False,
                refusal_reason="对应的蓝字发票未开具",
            )
        if invoice.original.state != State.ISSUED:
            return False  # the sweep asks again once the blue invoice is issued
    if not _claim(invoice_id, now):
        return False
    try:
        answer = get_provider(invoice.provider).issue(issue_request(invoice))
    except Exception:
        logger.exception(
            "Invoice %s: provider %s unreachable; the sweep retries", invoice.pk, invoice.provider
        )
        return False
    if answer.issued:
        return invoices.move(
            invoice,
            "issue",
            strict=False,
            now=now,
            number=answer.number,
            provider_reference=reference(invoice),
            issued_at=now,
        )
    return invoices.move(
        invoice, "refuse", strict=False, refusal_reason=answer.refusal_reason[:300]
    )


def send_requested(*, now: datetime | None = None) -> int:
    """Every invoice still requested: asked for again (the sweep's backstop, by hand)."""
    ids = Invoice.objects.filter(state=State.REQUESTED).order_by("pk").values_list("pk", flat=True)
    return sum(bool(send_invoice(invoice_id=pk, now=now)) for pk in list(ids))
