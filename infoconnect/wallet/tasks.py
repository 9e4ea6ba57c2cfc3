"""The wallet's background work: each task fetches by id and calls an action; safe to run twice."""

from infoconnect.core.jobs import task
from infoconnect.wallet import actions


@task()
def send_payout(*, payout_id: int) -> bool:
    """Ask the provider to send a requested payout (queued once the request committed)."""
    return actions.send_payout(payout_id=payout_id)


@task()
def cancel_expired_topup(*, payment_id: int) -> bool:
    """Call an expired top-up off at its provider (queued once the expiry committed)."""
    return actions.cancel_topup_at_provider(payment_id=payment_id)


@task()
def deliver_sandbox_notification(*, event: str, object_ref: str, reference: str = "") -> None:
    """The sandbox provider's notification, signed and handed to our webhook handler."""
    actions.deliver_sandbox_notification(event=event, object_ref=object_ref, reference=reference)


@task()
def expire_stale_topups() -> int:
    """Expire top-ups left pending too long; a repeat finds nothing left to expire."""
    return actions.expire_stale_topups()
