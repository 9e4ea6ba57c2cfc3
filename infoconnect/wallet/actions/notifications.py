"""A provider's signed notifications: verified, recorded once, and applied to their top-up,
payout or (``transfer.received``) a company's bank transfer.

The sandbox provider's own side lives here too: it signs a notification as the sandbox sends
them and hands it to the same handler the webhook calls.
"""

from collections.abc import Mapping

from django.db import IntegrityError, transaction

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.wallet.actions.company_wallet import normalize_code, receive_bank_transfer
from infoconnect.wallet.actions.payouts import complete_payout, fail_payout, record_sent
from infoconnect.wallet.actions.topups import cancel_topup, complete_topup
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import Payment, Payout, ProviderNotification
from infoconnect.wallet.providers import Notification, get_provider
from infoconnect.wallet.providers.sandbox import TRANSFER_RECEIVED, SandboxProvider


@transaction.atomic
def handle_provider_notification(
    *, provider_name: str, body: bytes, headers: Mapping[str, str]
) -> ProviderNotification:
    """Verify a provider's notification and apply it; a replayed notification id is refused."""
    provider = get_provider(provider_name)
    notification = provider.parse_notification(body=body, headers=headers)
    try:
        with transaction.atomic():
            record = ProviderNotification.objects.create(
                provider=provider_name,
                notification_id=notification.id,
                event=notification.event,
                object_ref=notification.object_ref,
            )
    except IntegrityError:
        raise DomainError(WalletError.NOTIFICATION_REPLAYED) from None
    kind, _, outcome = notification.event.partition(".")
    if kind == "transfer":
        receive_bank_transfer(provider_name=provider_name, notification=notification)
    elif kind == "payment":
        payment = Payment.objects.filter(
            provider=provider_name, provider_ref=notification.object_ref
        ).first()
        if payment is None:
            raise DomainError(WalletError.PAYMENT_NOT_FOUND)
        _check_matches(payment, notification)
        if outcome == "succeeded":
            complete_topup(payment_id=payment.pk)
        else:
            cancel_topup(payment_id=payment.pk)
    else:
        payout = _notified_payout(provider_name, notification)
        if outcome == "paid":
            complete_payout(payout_id=payout.pk)
        else:
            fail_payout(payout_id=payout.pk)
    return record


def _notified_payout(provider_name: str, notification: Notification) -> Payout:
    found = Payout.objects.filter(
        provider=provider_name, provider_ref=notification.object_ref
    ).first()
    # The provider's word can overtake the send job's record of its answer: then the payout
    # it names by our reference was sent under the reference it reports.
    payout = found or _requested_payout(provider_name, notification.reference)
    if payout is None:
        raise DomainError(WalletError.PAYOUT_NOT_FOUND)
    _check_matches(payout, notification)
    if found is None:
        record_sent(payout, provider_ref=notification.object_ref)
    return payout


def _requested_payout(provider_name: str, reference: str) -> Payout | None:
    payout_id = parse_id(reference)
    if payout_id is None:
        return None
    return Payout.objects.filter(
        pk=payout_id, provider=provider_name, provider_ref__isnull=True
    ).first()


def _check_matches(row: Payment | Payout, notification: Notification) -> None:
    if row.amount != notification.amount or row.currency != notification.currency:
        raise DomainError(WalletError.INVALID_NOTIFICATION)


def deliver_sandbox_notification(
    *, event: str, object_ref: str, reference: str = ""
) -> ProviderNotification | None:
    """The sandbox provider's side: sign a notification and hand it to our webhook handler.

    Its amount is the top-up's or payout's own (the sandbox keeps no books). Nothing is sent
    for an object that no longer exists. Running twice sends a second notification with a new
    id, which changes nothing.
    """
    provider = get_provider(SandboxProvider.name)
    if event.startswith("payment."):
        row = Payment.objects.filter(provider_ref=object_ref).first()
    else:
        row = Payout.objects.filter(provider_ref=object_ref).first() or _requested_payout(
            provider.name, reference
        )
    if row is None:
        return None
    body, headers = provider.build_notification(
        event=event,
        object_ref=object_ref,
        amount=row.amount,
        currency=row.currency,
        reference=reference,
    )
    return handle_provider_notification(provider_name=provider.name, body=body, headers=headers)


def simulate_bank_transfer(
    *,
    code: str,
    amount: int,
    currency: str = "CNY",
    payer_name: str = "",
    notification_id: str | None = None,
) -> ProviderNotification:
    """The sandbox bank's side: money arrives under ``code``; sign the ``transfer.received``
    notification a real provider would send and hand it to our webhook handler. The amount is
    what the payer sent, so a wrong one can be tried; each call is a new arrival."""
    provider = get_provider(SandboxProvider.name)
    body, headers = provider.build_notification(
        event=TRANSFER_RECEIVED,
        object_ref=normalize_code(code)[:64],
        amount=amount,
        currency=currency,
        payer_name=payer_name,
        notification_id=notification_id,
    )
    return handle_provider_notification(provider_name=provider.name, body=body, headers=headers)
