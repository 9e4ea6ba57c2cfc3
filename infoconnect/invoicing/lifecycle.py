"""The invoice's lifecycle: requested, then issued or refused by the invoice provider.

An invoice is born ``requested`` with its lines, in the transaction that asked for it (an
order's completion, a merchant's merged invoice, a refund's red-letter). Its send job runs
once that commits and asks the provider outside any transaction; the provider's number makes
it ``issued``, its refusal ``refused`` with the reason. A send job that was lost (the worker
died between the commit and the call) is made by the sweep once the claim has lapsed.
"""

from __future__ import annotations

from datetime import timedelta

from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.core.lifecycle import Edge, Lifecycle, Move, register
from infoconnect.invoicing.errors import InvoicingError
from infoconnect.invoicing.models import Invoice

State = Invoice.State

# An invoice still requested this long after its last attempt is sent again by the sweep.
SEND_RETRY_AFTER = timedelta(minutes=2)
SEND_INVOICE_TASK = "infoconnect.invoicing.tasks.send_invoice"


class InvoiceLifecycle(Lifecycle):
    model = Invoice
    invalid_state = InvoicingError.INVALID_STATE
    edges = (
        Edge("request", sources=(), target=State.REQUESTED),
        Edge(
            "issue",
            sources=(State.REQUESTED,),
            target=State.ISSUED,
            due="created_at",
            delay=SEND_RETRY_AFTER,
            sweep="infoconnect.invoicing.actions.sending.send_invoice",
        ),
        Edge("refuse", sources=(State.REQUESTED,), target=State.REFUSED),
    )

    def created(self, invoice: Invoice) -> None:
        """The request edge made the row: its send job asks the provider once this commits."""
        enqueue_on_commit(SEND_INVOICE_TASK, invoice_id=invoice.pk)

    def moved(self, invoice: Invoice, move: Move) -> None:
        # A red-letter invoice waits for its blue one: sent as soon as that is issued.
        if move.edge.verb == "issue" and invoice.original_id is None:
            waiting = Invoice.objects.filter(original_id=invoice.pk, state=State.REQUESTED)
            for red_id in waiting.values_list("pk", flat=True):
                enqueue_on_commit(SEND_INVOICE_TASK, invoice_id=red_id)


invoices = register(InvoiceLifecycle())
