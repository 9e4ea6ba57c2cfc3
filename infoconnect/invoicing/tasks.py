"""Invoicing's background work: each task fetches by id and calls an action; safe to run twice."""

from infoconnect.core.jobs import task
from infoconnect.invoicing.actions import sending


@task()
def send_invoice(*, invoice_id: int) -> bool:
    """Ask the provider for a requested invoice (queued once the request committed)."""
    return sending.send_invoice(invoice_id=invoice_id)
