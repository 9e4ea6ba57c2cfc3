"""Payment providers, chosen by name; each row of Payment and Payout records its provider.

Which are enabled is a setting: ``WALLET_PROVIDERS`` names the real ones, and the sandbox is
enabled only by ``WALLET_SANDBOX_ENABLED`` (on by default under DEBUG, off otherwise), since
money it "confirms" is not real. A provider that is not enabled is refused everywhere: no
payment is opened with it, and its notifications are not read.
"""

import logging
from collections.abc import Collection, Iterable

from django.conf import settings

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers.alipay import AlipayProvider
from infoconnect.wallet.providers.base import (
    CheckoutSession,
    Notification,
    Payee,
    PaymentProvider,
    PayoutOutcomeUnknown,
    PayoutTaken,
)
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


def channel_available(channel: str) -> bool:
    """Whether a payment through ``channel`` has a provider to go to (choose_provider's rule)."""
    enabled = enabled_providers()
    return CHANNEL_PROVIDERS.get(channel) in enabled or SandboxProvider.name in enabled


def payout_provider(name: str = DEFAULT_PROVIDER, *, payees: Collection[str] = ()) -> str:
    """The provider a payout is sent through; refused, before any money moves, when it (or,
    with none named, every enabled one) cannot send payouts. ``payees`` names the providers at
    which the merchant has a payout account: one that pays a named account is refused
    without it (payout_account_missing)."""
    if name:
        provider = get_provider(name)
        if not provider.supports_payouts:
            raise DomainError(WalletError.PAYOUTS_UNSUPPORTED)
        if provider.payout_needs_payee and name not in payees:
            raise DomainError(WalletError.PAYOUT_ACCOUNT_MISSING)
        return name
    missing = False
    for candidate in enabled_providers():
        provider = _PROVIDERS[candidate]
        if not provider.supports_payouts:
            continue
        if provider.payout_needs_payee and candidate not in payees:
            missing = True
            continue
        return candidate
    raise DomainError(
        WalletError.PAYOUT_ACCOUNT_MISSING if missing else WalletError.PAYOUTS_UNSUPPORTED
    )


def payout_account_providers() -> list[str]:
    """The enabled providers that pay a merchant's own account there (its page asks for it)."""
    return [name for name in enabled_providers() if _PROVIDERS[name].payout_needs_payee]


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
    "Payee",
    "PaymentProvider",
    "PayoutOutcomeUnknown",
    "PayoutTaken",
    "payout_account_providers",
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
