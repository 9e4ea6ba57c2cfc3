"""Payment providers, chosen by name; each row of Payment and Payout records its provider."""

import logging
from collections.abc import Iterable

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers.base import CheckoutSession, Notification, PaymentProvider
from infoconnect.wallet.providers.sandbox import SandboxProvider

_PROVIDERS: dict[str, PaymentProvider] = {SandboxProvider.name: SandboxProvider()}
DEFAULT_PROVIDER = SandboxProvider.name


logger = logging.getLogger(__name__)


def get_provider(name: str = DEFAULT_PROVIDER) -> PaymentProvider:
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise DomainError(WalletError.UNKNOWN_PROVIDER) from None


def cancel_payments(payments: Iterable[tuple[int, str, str]]) -> int:
    """Ask the provider of each (payment id, provider name, reference) to call the payment
    off; returns how many it could not.

    Each is tried once and a failure only logged, with what an operator needs to cancel it by
    hand: the top-up stays expired whatever happens here, and a payment left open at the
    provider costs nobody anything, since its success would still be credited.
    """
    failed = 0
    for payment_id, provider_name, reference in payments:
        try:
            get_provider(provider_name).cancel_payment(reference=reference)
        except Exception:
            failed += 1
            logger.exception(
                "Could not cancel expired top-up %s at %s (reference %s); it stays open there",
                payment_id,
                provider_name,
                reference,
            )
    return failed


__all__ = [
    "CheckoutSession",
    "Notification",
    "PaymentProvider",
    "cancel_payments",
    "get_provider",
    "DEFAULT_PROVIDER",
]
