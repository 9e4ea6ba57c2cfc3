"""A sandbox provider that behaves like a real one.

The payer confirms or cancels on the sandbox's own page; the sandbox then notifies us
asynchronously, signing ``f"{timestamp}.{body}"`` with HMAC-SHA256 in the
``X-Sandbox-Signature`` header. Payouts are confirmed the same way; as with a real
provider's test numbers, a payout whose fen part is 13 (e.g. ¥5.13) fails. A payout asked
for twice with the same reference is the same payout, as a real provider's idempotency key
makes it.

A company's bank transfer (对公转账) "arrives" when the sandbox bank page sends it: the
sandbox signs a ``transfer.received`` notification naming the remittance code, the amount
sent and the payer, as a bank-transfer provider reports money received on its account.

The notifications are delivered by a task named by its dotted path: a provider imports
neither the wallet's tasks nor its actions.
"""

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from infoconnect.core.errors import DomainError
from infoconnect.core.jobs import enqueue_on_commit
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers.base import (
    CheckoutSession,
    Notification,
    Payee,
    PaymentProvider,
    PayoutTaken,
)

TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
SIGNATURE_HEADER = "X-Sandbox-Signature"
MAX_AGE_SECONDS = 300
FAILING_PAYOUT_FEN = 13

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_CANCELED = "payment.canceled"
PAYOUT_PAID = "payout.paid"
PAYOUT_FAILED = "payout.failed"
TRANSFER_RECEIVED = "transfer.received"
EVENTS = {PAYMENT_SUCCEEDED, PAYMENT_CANCELED, PAYOUT_PAID, PAYOUT_FAILED, TRANSFER_RECEIVED}
DELIVER_TASK = "infoconnect.wallet.tasks.deliver_sandbox_notification"
RETURN_PARAM = "return"  # the sandbox page's query parameter: where to send the payer back
QR_SIZE = 21  # modules per side, as a version-1 QR code


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def _secret(self) -> bytes:
        return settings.WALLET_SANDBOX_SECRET.encode()

    def sign(self, *, timestamp: int | str, body: bytes) -> str:
        message = f"{timestamp}.".encode() + body
        return hmac.new(self._secret(), message, hashlib.sha256).hexdigest()

    def create_payment(
        self, *, amount: int, currency: str, channel: str = "", return_url: str = ""
    ) -> CheckoutSession:
        # The channel is the payment's own (the page reads it from the row); the return page
        # travels in the link, as a real provider's return_url parameter does.
        reference = f"sbp_{uuid.uuid4().hex}"
        url = reverse("wallet:sandbox_pay", args=[reference])
        if return_url:
            url = f"{url}?{urlencode({RETURN_PARAM: return_url})}"
        return CheckoutSession(reference=reference, redirect_url=url)

    def create_payout(
        self, *, amount: int, currency: str, reference: str, payee: Payee | None = None
    ) -> PayoutTaken:
        # Derived from our reference: the same payout asked for again has the same reference.
        digest = hmac.new(self._secret(), f"payout:{reference}".encode(), hashlib.sha256)
        provider_ref = f"sbo_{digest.hexdigest()[:32]}"
        event = PAYOUT_FAILED if amount % 100 == FAILING_PAYOUT_FEN else PAYOUT_PAID
        self._notify_later(event=event, object_ref=provider_ref, reference=reference)
        return PayoutTaken(reference=provider_ref)

    def confirm_payment(self, *, reference: str) -> None:
        """The payer pressed "Confirm payment" on the sandbox page."""
        self._notify_later(event=PAYMENT_SUCCEEDED, object_ref=reference)

    def cancel_payment(self, *, reference: str) -> None:
        """The payment is called off: by the payer on the sandbox page, or by us once the
        top-up expired. Like a real provider, the sandbox then notifies payment.canceled."""
        self._notify_later(event=PAYMENT_CANCELED, object_ref=reference)

    def _notify_later(self, *, event: str, object_ref: str, reference: str = "") -> None:
        extra = {"reference": reference} if reference else {}
        enqueue_on_commit(DELIVER_TASK, event=event, object_ref=object_ref, **extra)

    def build_notification(
        self,
        *,
        event: str,
        object_ref: str,
        amount: int,
        currency: str,
        timestamp: int | None = None,
        notification_id: str | None = None,
        reference: str = "",
        payer_name: str = "",
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of a signed notification, as the sandbox sends them."""
        data = {
            "id": notification_id or f"evt_{uuid.uuid4().hex}",
            "type": event,
            "object": object_ref,
            "amount": amount,
            "currency": currency,
        }
        if reference:
            data["reference"] = reference
        if payer_name:
            data["payer_name"] = payer_name
        body = json.dumps(data, separators=(",", ":")).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = {
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: self.sign(timestamp=stamp, body=body),
        }
        return body, headers

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        stamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
        signature = (headers.get(SIGNATURE_HEADER) or "").strip()
        if not stamp.isdigit() or not signature:
            raise DomainError(WalletError.INVALID_SIGNATURE)
        expected = self.sign(timestamp=stamp, body=body)
        if not hmac.compare_digest(expected, signature):
            raise DomainError(WalletError.INVALID_SIGNATURE)
        if abs(time.time() - int(stamp)) > MAX_AGE_SECONDS:
            raise DomainError(WalletError.NOTIFICATION_EXPIRED)
        try:
            data = json.loads(body)
            notification = Notification(
                id=str(data["id"]),
                event=str(data["type"]),
                object_ref=str(data["object"]),
                amount=int(data["amount"]),
                currency=str(data["currency"]),
                reference=str(data.get("reference", "")),
                payer_name=str(data.get("payer_name", ""))[:200],
            )
        except (ValueError, KeyError, TypeError):
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        if notification.event not in EVENTS or not notification.id or len(notification.id) > 64:
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        return notification


def qr_modules(reference: str) -> list[tuple[int, int]]:
    """The dark (x, y) modules of the QR-looking block on the WeChat Pay-like page: three
    finder squares in the corners, and the rest drawn from the reference, so each payment's
    block looks its own. Nothing reads it: the payer presses Pay."""
    bits = "".join(f"{byte:08b}" for byte in hashlib.sha256(reference.encode()).digest() * 2)
    finders = [(0, 0), (QR_SIZE - 7, 0), (0, QR_SIZE - 7)]
    dark = []
    for y in range(QR_SIZE):
        for x in range(QR_SIZE):
            finder = next(
                ((x - fx, y - fy) for fx, fy in finders if fx <= x < fx + 8 and fy <= y < fy + 8),
                None,
            )
            if finder is not None:
                dx, dy = finder
                ring = max(abs(dx - 3), abs(dy - 3))
                on = dx < 7 and dy < 7 and ring != 2
            else:
                on = bits[(y * QR_SIZE + x) % len(bits)] == "1"
            if on:
                dark.append((x, y))
    return dark
