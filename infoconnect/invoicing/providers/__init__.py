"""Invoice providers, chosen by name (``settings.INVOICING_PROVIDER``, the sandbox unless
set); each invoice records the provider it was asked of."""

from django.conf import settings

from infoconnect.core.errors import DomainError
from infoconnect.invoicing.errors import InvoicingError
from infoconnect.invoicing.providers.base import (
    InvoiceProvider,
    IssueAnswer,
    IssueLine,
    IssueRequest,
)
from infoconnect.invoicing.providers.sandbox import SandboxInvoiceProvider

_PROVIDERS: dict[str, InvoiceProvider] = {SandboxInvoiceProvider.name: SandboxInvoiceProvider()}


def default_provider_name() -> str:
    return getattr(settings, "INVOICING_PROVIDER", SandboxInvoiceProvider.name)


def get_provider(name: str | None = None) -> InvoiceProvider:
    try:
        return _PROVIDERS[name or default_provider_name()]
    except KeyError:
        raise DomainError(InvoicingError.UNKNOWN_PROVIDER) from None


__all__ = [
    "InvoiceProvider",
    "IssueAnswer",
    "IssueLine",
    "IssueRequest",
    "default_provider_name",
    "get_provider",
]
