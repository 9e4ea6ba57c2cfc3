from django_tasks import task

from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment, Payout
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.providers.sandbox import SandboxProvider


@task()
def deliver_sandbox_notification(*, event: str, object_ref: str) -> None:
    """The sandbox provider's side: sign a notification and hand it to our webhook handler.

    Running twice sends a second notification with a new id, which changes nothing.
    """
    from infoconnect.wallet.actions import handle_provider_notification

    provider = get_provider(SandboxProvider.name)
    row = (
        Payment.objects.filter(provider_ref=object_ref).first()
        if event.startswith("payment.")
        else Payout.objects.filter(provider_ref=object_ref).first()
    )
    if row is None:
        return
    body, headers = provider.build_notification(
        event=event, object_ref=object_ref, amount=row.amount, currency=row.currency
    )
    handle_provider_notification(provider_name=provider.name, body=body, headers=headers)


@task()
def expire_stale_topups() -> int:
    """Expire top-ups left pending too long; a repeat finds nothing left to expire."""
    return actions.expire_stale_topups()
