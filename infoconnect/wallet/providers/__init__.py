"""Payment providers, chosen by name; each row of Payment and Payout records its provider."""

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers.base import CheckoutSession, Notification, PaymentProvider
from infoconnect.wallet.providers.sandbox import SandboxProvider

_PROVIDERS: dict[str, PaymentProvider] = {SandboxProvider.name: SandboxProvider()}
DEFAULT_PROVIDER = SandboxProvider.name


def get_provider(name: str = DEFAULT_PROVIDER) -> PaymentProvider:
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise DomainError(WalletError.UNKNOWN_PROVIDER) from None


__all__ = ["CheckoutSession", "Notification", "PaymentProvider", "get_provider", "DEFAULT_PROVIDER"]
