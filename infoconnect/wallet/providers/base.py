"""What a payment provider offers InfoConnect: collect a top-up, send a payout, notify us."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from django.http import HttpResponse

from infoconnect.core.errors import DomainError


@dataclass(frozen=True)
class CheckoutSession:
    """A payment the provider has opened; the payer finishes it at ``redirect_url``."""

    reference: str
    redirect_url: str


@dataclass(frozen=True)
class Notification:
    """A verified notification: ``event`` happened to the payment or payout ``object_ref``."""

    id: str
    # payment.succeeded, payment.canceled, payout.paid, payout.failed, transfer.received
    # (a bank transfer arrived; object_ref is the remittance code the payer quoted)
    event: str
    object_ref: str
    amount: int
    currency: str
    # Our own reference for the object, when the provider echoes it (a payout's id).
    reference: str = ""
    # Who sent a bank transfer, as the bank reports it.
    payer_name: str = ""


class PaymentProvider(ABC):
    name: str
    # Whether create_payout can send money; a provider that cannot is refused before any
    # money moves (providers.payout_provider).
    supports_payouts = True

    def configuration_problems(self) -> list[str]:
        """What is wrong with this provider's settings (missing, unreadable or development
        keys); the start-up check turns each into an error when DEBUG is off."""
        return []

    def webhook_response(self, error: DomainError | None) -> HttpResponse | None:
        """The answer the provider's platform expects to a notification: ``error`` is None
        when it was applied, else why it was refused. None keeps the API's own answer (a JSON
        body, the error's status)."""
        return None

    @abstractmethod
    def create_payment(
        self, *, amount: int, currency: str, channel: str = "", return_url: str = ""
    ) -> CheckoutSession:
        """Open a payment; the payer is sent to the returned page to confirm it.

        ``channel`` is how the payer chose to pay ("wechat", "alipay", or "" for the provider's
        own choice); once done, the provider sends the payer back to ``return_url`` (a path on
        this site), or to the wallet without one.
        """

    @abstractmethod
    def cancel_payment(self, *, reference: str) -> None:
        """Call off a payment we stopped waiting for, so the payer can no longer pay it.

        Safe to call twice. A payer who paid before the cancellation reached the provider is
        still reported with payment.succeeded, and that success is credited. Raises when the
        provider cannot be reached or refuses; the caller decides what that means.
        """

    @abstractmethod
    def create_payout(self, *, amount: int, currency: str, reference: str) -> str:
        """Ask for money to be sent out; returns the provider's reference.

        ``reference`` is our id for the payout and the request's idempotency key: asked again
        with it, the provider sends nothing more and returns the same reference. Raises when
        the provider refuses the payout. The outcome arrives later as a payout.paid or
        payout.failed notification, which carries ``reference`` back.
        """

    @abstractmethod
    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Verify a notification's signature and age and read it; raises DomainError."""
