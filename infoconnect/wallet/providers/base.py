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
    # What the payer scans instead, when the provider pays by QR code (WeChat Pay Native).
    qr_code: str = ""


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


@dataclass(frozen=True)
class Payee:
    """Where a payout goes at a provider that pays a named account: the account there and the
    real name the provider checks against it."""

    identity: str
    name: str


@dataclass(frozen=True)
class PayoutTaken:
    """The provider took a payout under ``reference``; ``paid`` when it said at once that the
    money arrived (no notification follows then)."""

    reference: str
    paid: bool = False


class PayoutOutcomeUnknown(Exception):
    """The provider's answer to a payout is not known (it could not be reached, it timed out,
    or it is still working on it): the payout may have been taken, so it is neither sent nor
    refused, and the sweep asks again with the same reference, which the provider answers
    without sending twice."""


class PaymentProvider(ABC):
    name: str
    # Whether create_payout can send money; a provider that cannot is refused before any
    # money moves (providers.payout_provider).
    supports_payouts = True
    # Whether a payout needs the merchant's own account at the provider (a PayoutAccount).
    payout_needs_payee = False

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
    def create_payout(
        self, *, amount: int, currency: str, reference: str, payee: Payee | None = None
    ) -> PayoutTaken:
        """Ask for money to be sent out (to ``payee`` when the provider needs one).

        ``reference`` is our id for the payout and the request's idempotency key: asked again
        with it, the provider sends nothing more and answers the same. Raises
        PayoutOutcomeUnknown when it cannot tell whether the provider took it, anything else
        when the provider refused it. Unless taken as already ``paid``, the outcome arrives
        later as a payout.paid or payout.failed notification, which carries ``reference`` back.
        """

    @abstractmethod
    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        """Verify a notification's signature and age and read it; raises DomainError."""
