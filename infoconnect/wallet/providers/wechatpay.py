"""WeChat Pay API v3 (微信支付) through wechatpayv3, verified with the platform public key.

A top-up is a Native payment: WeChat Pay answers a ``code_url`` the payer opens (or scans)
in WeChat. Its notification is a JSON body posted to ``/api/v1/wallet/webhooks/wechatpay``
with the Wechatpay-Timestamp, -Nonce, -Signature and -Serial headers: the signature is
RSA-SHA256 over ``"{timestamp}\\n{nonce}\\n{body}\\n"`` with the platform key named by the
serial, and the payment itself is ``resource``, AES-256-GCM encrypted with our APIv3 key. It
must then be recent, for our merchant number and app, a successful trade, and for the
top-up's amount in fen. WeChat Pay keeps notifying until answered 200 or 204, so a
notification already applied is answered so too.

The platform public key (微信支付公钥, with its ``PUB_KEY_ID_…`` id) is used rather than
platform certificates: the SDK would otherwise download certificates on start, and a
notification naming an unknown serial would make it call WeChat Pay from inside our webhook.

The payer of a top-up scans the code_url: a browser cannot open ``weixin://``, so the payer
is sent to our own page that draws it as a QR code (``wallet:scan``), and waits there.

A payout is a transfer batch of one (商家转账, ``/v3/transfer/batches``) to the merchant's
openid under our app, with its real name (RSA-OAEP encrypted with the platform key, as
WeChat Pay checks it, and sent only from ¥0.30, below which it may not be). The batch number
is derived from our payout id, so asking again never pays twice: a batch WeChat Pay already
has is found by that number and taken as it is. The outcome arrives as a signed
MCHTRANSFER.BATCH.FINISHED (or .CLOSED) notification on the same webhook.
"""

import json
import time
import uuid
from collections.abc import Mapping
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from wechatpayv3 import WeChatPay, WeChatPayType

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers import keys
from infoconnect.wallet.providers.base import (
    CheckoutSession,
    Notification,
    Payee,
    PaymentProvider,
    PayoutOutcomeUnknown,
    PayoutTaken,
)

SIGNATURE_HEADER = "Wechatpay-Signature"
TIMESTAMP_HEADER = "Wechatpay-Timestamp"
NONCE_HEADER = "Wechatpay-Nonce"
SERIAL_HEADER = "Wechatpay-Serial"
SIGNATURE_TYPE_HEADER = "Wechatpay-Signature-Type"
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
# WeChat Pay's guidance: refuse a notification whose timestamp is more than 5 minutes off.
MAX_AGE_SECONDS = 300
APIV3_KEY_LENGTH = 32
# Closing an order WeChat Pay has already closed, or never saw, leaves it closed.
CLOSE_DONE = {"ORDER_CLOSED", "ORDER_NOT_EXIST"}
# The real name may not be sent for a transfer under ¥0.30 (and must be from ¥2,000).
NAME_FROM = 30
TRANSFER_EVENTS = {"MCHTRANSFER.BATCH.FINISHED", "MCHTRANSFER.BATCH.CLOSED"}
RETURN_PARAM = "return"  # the scan page's query parameter: where to send the payer back


def batch_no(reference: str) -> str:
    """Our payout's id as the merchant batch number (letters and digits only, 5 to 32)."""
    return f"icpayout{reference}"


def reference_of(batch: str) -> str:
    """Our payout's id from a batch number we made, else ""."""
    prefix = batch_no("")
    return batch[len(prefix) :] if batch.startswith(prefix) else ""


class WeChatPayoutRefused(Exception):
    """WeChat Pay refused the transfer batch (its code says why); nothing was sent."""


def _answer(message) -> dict:
    try:
        answer = json.loads(message)
    except (ValueError, TypeError):
        return {}
    return answer if isinstance(answer, dict) else {}


def notify_url(name: str) -> str:
    configured = getattr(settings, "WECHATPAY_NOTIFY_URL", "")
    if configured:
        return configured
    return f"{settings.WALLET_SITE_URL.rstrip('/')}/api/v1/wallet/webhooks/{name}"


def apiv3_key() -> str:
    key = keys.read_file("WECHATPAY_APIV3_KEY_FILE", settings.WECHATPAY_APIV3_KEY_FILE)
    if len(key.encode()) != APIV3_KEY_LENGTH:
        raise keys.KeyProblem(
            f"WECHATPAY_APIV3_KEY_FILE must hold the 32-character APIv3 key, not {len(key)}"
        )
    return key


class WeChatPayProvider(PaymentProvider):
    name = "wechatpay"
    payout_needs_payee = True

    def _config(self) -> dict:
        return {
            "mchid": keys.require("WECHATPAY_MCHID", settings.WECHATPAY_MCHID),
            "appid": keys.require("WECHATPAY_APPID", settings.WECHATPAY_APPID),
            "cert_serial_no": keys.require(
                "WECHATPAY_CERT_SERIAL_NO", settings.WECHATPAY_CERT_SERIAL_NO
            ),
            "private_key": keys.private_key_pem(
                "WECHATPAY_PRIVATE_KEY_FILE", settings.WECHATPAY_PRIVATE_KEY_FILE
            ),
            "apiv3_key": apiv3_key(),
            "public_key": keys.public_key_pem(
                "WECHATPAY_PUBLIC_KEY_FILE", settings.WECHATPAY_PUBLIC_KEY_FILE
            ),
            "public_key_id": keys.require(
                "WECHATPAY_PUBLIC_KEY_ID", settings.WECHATPAY_PUBLIC_KEY_ID
            ),
        }

    def _client(self) -> WeChatPay:
        try:
            config = self._config()
        except keys.KeyProblem:
            raise DomainError(WalletError.PROVIDER_DISABLED) from None
        return WeChatPay(
            wechatpay_type=WeChatPayType.NATIVE,
            notify_url=notify_url(self.name),
            timeout=(10, 30),
            **config,
        )

    def configuration_problems(self) -> list[str]:
        try:
            self._config()
        except keys.KeyProblem as problem:
            return [str(problem)]
        if not notify_url(self.name).startswith("https://"):
            return ["WECHATPAY_NOTIFY_URL or WALLET_SITE_URL must give an https:// address"]
        return []

    def create_payment(
        self, *, amount: int, currency: str, channel: str = "", return_url: str = ""
    ) -> CheckoutSession:
        if currency != "CNY":
            raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
        # out_trade_no: 6 to 32 letters, digits, _ - | *.
        reference = f"wx{uuid.uuid4().hex}"[:32]
        code, message = self._client().pay(
            description=gettext("InfoConnect top-up"),
            out_trade_no=reference,
            amount={"total": amount, "currency": "CNY"},
            pay_type=WeChatPayType.NATIVE,
            notify_url=notify_url(self.name),
        )
        try:
            code_url = json.loads(message)["code_url"] if code == 200 else ""
        except (ValueError, KeyError, TypeError):
            code_url = ""
        if not code_url:
            raise DomainError(WalletError.PROVIDER_UNAVAILABLE)
        # The code_url opens only in WeChat: the payer scans it from our own page.
        page = reverse("wallet:scan", args=[reference])
        if return_url:
            page = f"{page}?{urlencode({RETURN_PARAM: return_url})}"
        return CheckoutSession(reference=reference, redirect_url=page, qr_code=code_url)

    def cancel_payment(self, *, reference: str) -> None:
        code, message = self._client().close(out_trade_no=reference)
        if code in (200, 204):
            return
        try:
            answer = json.loads(message).get("code")
        except (ValueError, AttributeError, TypeError):
            answer = None
        if answer not in CLOSE_DONE:
            raise DomainError(WalletError.PROVIDER_UNAVAILABLE)

    def create_payout(
        self, *, amount: int, currency: str, reference: str, payee: Payee | None = None
    ) -> PayoutTaken:
        if currency != "CNY":
            raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
        if payee is None:
            raise DomainError(WalletError.PAYOUT_ACCOUNT_MISSING)
        client = self._client()
        batch = batch_no(reference)
        detail = {
            "out_detail_no": f"{batch}d1",
            "transfer_amount": amount,
            "transfer_remark": gettext("InfoConnect payout"),
            "openid": payee.identity,
        }
        if amount >= NAME_FROM:
            detail["user_name"] = payee.name  # the SDK encrypts it with the platform key
        try:
            code, message = client.transfer_batch(
                out_batch_no=batch,
                batch_name=gettext("InfoConnect payout"),
                batch_remark=gettext("InfoConnect payout %(id)s") % {"id": reference},
                total_amount=amount,
                total_num=1,
                transfer_detail_list=[detail],
                transfer_scene_id=settings.WECHATPAY_TRANSFER_SCENE_ID or None,
                notify_url=notify_url(self.name),
            )
        except Exception as unreachable:  # no answer, or one whose signature failed
            raise PayoutOutcomeUnknown(str(unreachable)) from unreachable
        answer = _answer(message)
        if code == 200 and answer.get("batch_id"):
            return PayoutTaken(reference=str(answer["batch_id"]))
        if code == 429 or code >= 500:
            raise PayoutOutcomeUnknown(f"{code} {answer.get('code', '')}")
        # Refused, or a repeat of a batch WeChat Pay already has: which, its own record says.
        return self._existing_batch(client, batch, refusal=f"{code} {answer.get('code', '')}")

    def _existing_batch(self, client: WeChatPay, batch: str, *, refusal: str) -> PayoutTaken:
        try:
            code, message = client.transfer_query_out_batch_no(out_batch_no=batch)
        except Exception as unreachable:
            raise PayoutOutcomeUnknown(str(unreachable)) from unreachable
        found = _answer(message).get("transfer_batch") or {}
        if code == 200 and found.get("batch_id"):
            return PayoutTaken(reference=str(found["batch_id"]))
        if code == 404:
            raise WeChatPayoutRefused(refusal)
        raise PayoutOutcomeUnknown(f"{refusal}; batch query answered {code}")

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        stamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
        signed = {
            SIGNATURE_HEADER: (headers.get(SIGNATURE_HEADER) or "").strip(),
            TIMESTAMP_HEADER: stamp,
            NONCE_HEADER: (headers.get(NONCE_HEADER) or "").strip(),
            SERIAL_HEADER: (headers.get(SERIAL_HEADER) or "").strip(),
            SIGNATURE_TYPE_HEADER: (headers.get(SIGNATURE_TYPE_HEADER) or SIGNATURE_TYPE).strip(),
        }
        if (
            not stamp.isdigit()
            or not signed[SIGNATURE_HEADER]
            or not signed[NONCE_HEADER]
            or signed[SIGNATURE_TYPE_HEADER] != SIGNATURE_TYPE
            # Only our configured platform key: any other serial would send the SDK to fetch
            # certificates from WeChat Pay.
            or signed[SERIAL_HEADER] != settings.WECHATPAY_PUBLIC_KEY_ID
        ):
            raise DomainError(WalletError.INVALID_SIGNATURE)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        client = self._client()
        try:
            verified = client._core._verify_signature(signed, text)
        except Exception:
            verified = False
        if not verified:
            raise DomainError(WalletError.INVALID_SIGNATURE)
        if abs(time.time() - int(stamp)) > MAX_AGE_SECONDS:
            raise DomainError(WalletError.NOTIFICATION_EXPIRED)
        try:
            data = client.callback(signed, text)
        except Exception:
            data = None
        if not data:  # not an encrypted resource, or not encrypted with our APIv3 key
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        return self._read(data)

    def _read(self, data: dict) -> Notification:
        if data.get("event_type") in TRANSFER_EVENTS:
            return self._read_transfer(data)
        try:
            resource = data["resource"]
            amount = resource["amount"]
            notification = Notification(
                id=str(data["id"]),
                event="payment.succeeded",
                object_ref=str(resource["out_trade_no"]),
                amount=amount["total"],
                currency=str(amount.get("currency", "CNY")),
            )
            trade_state = resource["trade_state"]
            for_us = (
                resource["mchid"] == settings.WECHATPAY_MCHID
                and resource["appid"] == settings.WECHATPAY_APPID
            )
        except (KeyError, TypeError, AttributeError):
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        if (
            data.get("event_type") != "TRANSACTION.SUCCESS"
            or trade_state != "SUCCESS"
            or not for_us
            or type(notification.amount) is not int
            or not notification.id
            or len(notification.id) > 64
        ):
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        return notification

    def _read_transfer(self, data: dict) -> Notification:
        """A transfer batch of ours finished (its one transfer succeeded or failed) or closed."""
        try:
            resource = data["resource"]
            batch = str(resource["out_batch_no"])
            status = resource["batch_status"]
            succeeded = resource.get("success_num", 0)
            for_us = resource["mchid"] == settings.WECHATPAY_MCHID
            notification = Notification(
                id=str(data["id"]),
                event="payout.paid" if status == "FINISHED" and succeeded == 1 else "payout.failed",
                object_ref=str(resource["batch_id"]),
                amount=resource["total_amount"],
                currency="CNY",
                reference=reference_of(batch),
            )
        except (KeyError, TypeError, AttributeError):
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        if (
            not for_us
            or not notification.reference
            or status not in ("FINISHED", "CLOSED")
            or resource.get("total_num") != 1
            or type(notification.amount) is not int
            or not notification.id
            or len(notification.id) > 64
            or len(notification.object_ref) > 64
        ):
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        return notification

    def webhook_response(self, error: DomainError | None) -> HttpResponse | None:
        # The API's own answers suit WeChat Pay (200 with a JSON body is "received", a 4xx
        # with one is "failed, send again"), except for a replay: received before, it must
        # be answered 200, or WeChat Pay sends it again for a day.
        if error is not None and error.error is WalletError.NOTIFICATION_REPLAYED:
            return JsonResponse({"received": True})
        return None
