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

Payouts are refused: a transfer (商家转账) names the payee's openid under our app, and
InfoConnect records none for a merchant.
"""

import json
import time
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from wechatpayv3 import WeChatPay, WeChatPayType

from infoconnect.core.errors import DomainError
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.providers import keys
from infoconnect.wallet.providers.base import CheckoutSession, Notification, PaymentProvider

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
    supports_payouts = False

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
        return CheckoutSession(reference=reference, redirect_url=code_url)

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

    def create_payout(self, *, amount: int, currency: str, reference: str) -> str:
        raise DomainError(WalletError.PAYOUTS_UNSUPPORTED)

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

    def webhook_response(self, error: DomainError | None) -> HttpResponse | None:
        # The API's own answers suit WeChat Pay (200 with a JSON body is "received", a 4xx
        # with one is "failed, send again"), except for a replay: received before, it must
        # be answered 200, or WeChat Pay sends it again for a day.
        if error is not None and error.error is WalletError.NOTIFICATION_REPLAYED:
            return JsonResponse({"received": True})
        return None
