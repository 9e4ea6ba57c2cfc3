"""Payment providers, chosen by name; each row of Payment and Payout records its provider.

Which are enabled is a setting: ``WALLET_PROVIDERS`` names the real ones, and the sandbox is
enabled only by ``WALLET_SANDBOX_ENABLED`` (on by default under DEBUG, off otherwise), since
money it "confirms" is not real. A provider that is not enabled is refused everywhere: no
payment is opened with it, and its notifications are not read.
"""

import logging
from collections.abc import Iterable

from django.conf import settings

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers.alipay import AlipayProvider
from infoconnect.wallet.providers.base import CheckoutSession, Notification, PaymentProvider
from infoconnect.wallet.providers.sandbox import SandboxProvider
from infoconnect.wallet.providers.wechatpay import WeChatPayProvider

_PROVIDERS: dict[str, PaymentProvider] = {
    provider.name: provider
    for provider in (SandboxProvider(), AlipayProvider(), WeChatPayProvider())
}
# "The provider settings choose": by the payer's channel (choose_provider).
DEFAULT_PROVIDER = ""
# The provider each payment channel goes to when enabled; the sandbox stands in for both.
CHANNEL_PROVIDERS = {"wechat": WeChatPayProvider.name, "alipay": AlipayProvider.name}
# Company bank transfers (对公转账) arrive only through the sandbox bank so far.
BANK_TRANSFER_PROVIDER = SandboxProvider.name


logger = logging.getLogger(__name__)


def sandbox_enabled() -> bool:
    return bool(settings.WALLET_SANDBOX_ENABLED)


def sandbox_banner() -> bool:
    """Whether sandbox pages say that they are one: enabled on purpose with DEBUG off."""
    return sandbox_enabled() and not settings.DEBUG


def known_providers() -> list[str]:
    return list(_PROVIDERS)


def enabled_providers() -> list[str]:
    """The enabled providers' names, real ones first, in the order the setting lists them."""
    names = [
        name
        for name in settings.WALLET_PROVIDERS
        if name in _PROVIDERS and name != SandboxProvider.name
    ]
    if sandbox_enabled():
        names.append(SandboxProvider.name)
    return list(dict.fromkeys(names))


def get_provider(name: str = DEFAULT_PROVIDER) -> PaymentProvider:
    if not name:
        name = choose_provider()
    try:
        provider = _PROVIDERS[name]
    except KeyError:
        raise DomainError(WalletError.UNKNOWN_PROVIDER) from None
    if name not in enabled_providers():
        raise DomainError(WalletError.PROVIDER_DISABLED)
    return provider


def choose_provider(name: str = DEFAULT_PROVIDER, channel: str = "") -> str:
    """The provider a payment goes to: ``name`` when given (and enabled); else for a chosen
    channel its own provider, or the sandbox standing in for it; else the first enabled, a
    real one before the sandbox. Refused when none is."""
    if name:
        return get_provider(name).name
    enabled = enabled_providers()
    if not channel and enabled:
        return enabled[0]
    for candidate in (CHANNEL_PROVIDERS.get(channel), SandboxProvider.name):
        if candidate in enabled:
            return candidate
    raise DomainError(WalletError.NO_PROVIDER)


def payout_provider(name: str = DEFAULT_PROVIDER) -> str:
    """The provider a payout is sent through; refused, before any money moves, when it (or,
    with none named, every enabled one) cannot send payouts."""
    if name:
        if not get_provider(name).supports_payouts:
            raise DomainError(WalletError.PAYOUTS_UNSUPPORTED)
        return name
    for candidate in enabled_providers():
        if _PROVIDERS[candidate].supports_payouts:
            return candidate
    raise DomainError(WalletError.PAYOUTS_UNSUPPORTED)


def topups_available() -> bool:
    """Whether any enabled provider takes a top-up (so the pages offer one)."""
    return bool(enabled_providers())


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
    "BANK_TRANSFER_PROVIDER",
    "CheckoutSession",
    "Notification",
    "PaymentProvider",
    "cancel_payments",
    "choose_provider",
    "enabled_providers",
    "get_provider",
    "payout_provider",
    "sandbox_banner",
    "sandbox_enabled",
    "topups_available",
    "DEFAULT_PROVIDER",
]
