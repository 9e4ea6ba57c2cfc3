"""Alipay (支付宝) through python-alipay-sdk, with RSA2 keys (public-key mode).

A top-up is a computer-website payment (alipay.trade.page.pay): the payer is sent to the
signed gateway URL, pays there, and Alipay posts its asynchronous notification, form-encoded
and signed with Alipay's key, to ``/api/v1/wallet/webhooks/alipay``. It is verified as Alipay
documents it: ``sign`` and ``sign_type`` left out, the other non-empty parameters sorted and
joined as ``key=value`` with ``&``, RSA-SHA256 against Alipay's public key. It must then be for
our app, for a top-up we opened, and for that top-up's amount. Alipay keeps notifying until the
body of our answer is ``success``, so a notification already applied is answered so too.

A payout is a transfer to the merchant's own Alipay account (alipay.fund.trans.uni.transfer,
TRANS_ACCOUNT_NO_PWD / DIRECT_TRANSFER, payee by ALIPAY_LOGON_ID with its real name, which
Alipay checks). Its ``out_biz_no`` is derived from our payout id, so asking again never pays
twice: Alipay answers a repeated out_biz_no with the first transfer. Alipay answers at once:
SUCCESS is paid (no notification follows), a business refusal is refused (the money goes back
to the balance), and no answer, a system error or a transfer still DEALING is asked again by
the sweep.
"""

import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from alipay import AliPay
from alipay.exceptions import AliPayException, AliPayValidationError
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

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

GATEWAY = "https://openapi.alipay.com/gateway.do"
SANDBOX_GATEWAY = "https://openapi-sandbox.dl.alipaydev.com/gateway.do"
SIGN_TYPE = "RSA2"
SUCCEEDED = {"TRADE_SUCCESS", "TRADE_FINISHED"}
CLOSED = {"TRADE_CLOSED"}
# Alipay retries an unanswered notification for about 25 hours (4m, 10m, 10m, 1h, 2h, 6h,
# 15h); one sent before that is not a retry of anything we could still be owed.
MAX_AGE = timedelta(hours=26)
MAX_SKEW = timedelta(minutes=10)
BEIJING = ZoneInfo("Asia/Shanghai")  # notify_time is Beijing time, with no zone
YUAN = re.compile(r"^(0|[1-9][0-9]{0,9})(\.[0-9]{1,2})?$")
# A trade we ask to close that Alipay never saw (nobody opened the page) or already ended.
CLOSE_DONE = {"ACQ.TRADE_NOT_EXIST", "ACQ.TRADE_STATUS_ERROR"}
TRANSFER_METHOD = "alipay.fund.trans.uni.transfer"
OK = "10000"
# Alipay's answers that say nothing of whether a transfer happened: ask again, same out_biz_no.
UNKNOWN_CODES = {"20000", "20001"}
UNKNOWN_SUB_CODES = {"SYSTEM_ERROR", "ISP.SYSTEM_ERROR", "aop.SYSTEM_ERROR"}


def out_biz_no(reference: str) -> str:
    """Our payout's id as Alipay's merchant order number (letters, digits, _; at most 64)."""
    return f"ic_payout_{reference}"


class AlipayPayoutRefused(Exception):
    """Alipay refused the transfer (its code and sub_code say why); nothing was sent."""


def yuan(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def fen(value: str) -> int:
    """A yuan amount as Alipay writes it ("12.30") in fen, exactly (no float on the way)."""
    match = YUAN.match(value or "")
    if match is None:
        raise DomainError(WalletError.INVALID_NOTIFICATION)
    cents = (match.group(2) or ".")[1:].ljust(2, "0")
    return int(match.group(1)) * 100 + int(cents)


def notify_url(name: str) -> str:
    configured = getattr(settings, "ALIPAY_NOTIFY_URL", "")
    if configured:
        return configured
    return f"{settings.WALLET_SITE_URL.rstrip('/')}/api/v1/wallet/webhooks/{name}"


def site_url(path: str) -> str:
    return f"{settings.WALLET_SITE_URL.rstrip('/')}{path}"


class AlipayProvider(PaymentProvider):
    name = "alipay"
    payout_needs_payee = True

    def _client(self) -> AliPay:
        try:
            return AliPay(
                appid=keys.require("ALIPAY_APP_ID", settings.ALIPAY_APP_ID),
                app_notify_url=notify_url(self.name),
                app_private_key_string=keys.private_key_pem(
                    "ALIPAY_PRIVATE_KEY_FILE", settings.ALIPAY_PRIVATE_KEY_FILE
                ),
                alipay_public_key_string=keys.public_key_pem(
                    "ALIPAY_PUBLIC_KEY_FILE", settings.ALIPAY_PUBLIC_KEY_FILE
                ),
                sign_type=SIGN_TYPE,
                debug=settings.ALIPAY_SANDBOX_GATEWAY,
            )
        except keys.KeyProblem:
            raise DomainError(WalletError.PROVIDER_DISABLED) from None

    def configuration_problems(self) -> list[str]:
        problems = []
        for check in (
            lambda: keys.require("ALIPAY_APP_ID", settings.ALIPAY_APP_ID),
            lambda: keys.private_key_pem(
                "ALIPAY_PRIVATE_KEY_FILE", settings.ALIPAY_PRIVATE_KEY_FILE
            ),
            lambda: keys.public_key_pem("ALIPAY_PUBLIC_KEY_FILE", settings.ALIPAY_PUBLIC_KEY_FILE),
        ):
            try:
                check()
            except keys.KeyProblem as problem:
                problems.append(str(problem))
        if not notify_url(self.name).startswith("https://"):
            problems.append("ALIPAY_NOTIFY_URL or WALLET_SITE_URL must give an https:// address")
        return problems

    def create_payment(
        self, *, amount: int, currency: str, channel: str = "", return_url: str = ""
    ) -> CheckoutSession:
        if currency != "CNY":
            raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
        client = self._client()
        # out_trade_no: up to 64 letters, digits and underscores, unique per app.
        reference = f"ali_{uuid.uuid4().hex}"
        query = client.api_alipay_trade_page_pay(
            subject=gettext("InfoConnect top-up"),
            out_trade_no=reference,
            total_amount=yuan(amount),
            return_url=site_url(return_url or reverse("wallet:home")),
            notify_url=notify_url(self.name),
        )
        gateway = SANDBOX_GATEWAY if settings.ALIPAY_SANDBOX_GATEWAY else GATEWAY
        return CheckoutSession(reference=reference, redirect_url=f"{gateway}?{query}")

    def cancel_payment(self, *, reference: str) -> None:
        try:
            answer = self._client().api_alipay_trade_close(out_trade_no=reference)
        except AliPayException as refused:
            if any(code in str(refused) for code in CLOSE_DONE):
                return
            raise
        if answer.get("code") != "10000" and answer.get("sub_code") not in CLOSE_DONE:
            raise DomainError(WalletError.PROVIDER_UNAVAILABLE)

    def create_payout(
        self, *, amount: int, currency: str, reference: str, payee: Payee | None = None
    ) -> PayoutTaken:
        if currency != "CNY":
            raise DomainError(WalletError.UNSUPPORTED_CURRENCY)
        if payee is None:
            raise DomainError(WalletError.PAYOUT_ACCOUNT_MISSING)
        client = self._client()
        biz_content = {
            "out_biz_no": out_biz_no(reference),
            "trans_amount": yuan(amount),
            "product_code": "TRANS_ACCOUNT_NO_PWD",
            "biz_scene": "DIRECT_TRANSFER",
            "order_title": gettext("InfoConnect payout"),
            "payee_info": {
                "identity": payee.identity,
                "identity_type": "ALIPAY_LOGON_ID",
                "name": payee.name,
            },
        }
        try:
            answer = client.server_api(TRANSFER_METHOD, biz_content=biz_content)
        except AliPayValidationError as unverified:  # an answer not signed by Alipay
            raise PayoutOutcomeUnknown("Alipay's answer failed verification") from unverified
        except AliPayException as refused:  # unsigned: an error_response, before any transfer
            if any(f"code:{code}," in str(refused) for code in UNKNOWN_CODES):
                raise PayoutOutcomeUnknown(str(refused)) from refused
            raise AlipayPayoutRefused(str(refused)) from refused
        except (OSError, ValueError) as unreachable:  # no answer, or not JSON
            raise PayoutOutcomeUnknown(str(unreachable)) from unreachable
        code, sub_code = str(answer.get("code", "")), str(answer.get("sub_code", ""))
        if code != OK:
            if code in UNKNOWN_CODES or sub_code in UNKNOWN_SUB_CODES:
                raise PayoutOutcomeUnknown(f"{code} {sub_code}")
            raise AlipayPayoutRefused(f"{code} {sub_code}: {answer.get('sub_msg', '')}")
        status = answer.get("status", "")
        order_id = str(answer.get("order_id", ""))
        if status == "SUCCESS" and order_id:
            return PayoutTaken(reference=order_id, paid=True)
        if status == "FAIL":
            raise AlipayPayoutRefused(f"transfer {order_id} failed: {answer.get('fail_reason')}")
        raise PayoutOutcomeUnknown(f"transfer {order_id} is {status or 'without a status'}")

    def parse_notification(self, *, body: bytes, headers: Mapping[str, str]) -> Notification:
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
        except (UnicodeDecodeError, ValueError):
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        data = dict(pairs)
        if len(data) != len(pairs):  # a parameter given twice could be signed one way, read another
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        signature = data.pop("sign", "")
        if not signature or data.get("sign_type") != SIGN_TYPE:
            raise DomainError(WalletError.INVALID_SIGNATURE)
        signed = {key: value for key, value in data.items() if value != ""}
        try:
            verified = self._client().verify(signed, signature)
        except (AliPayException, ValueError, TypeError):
            verified = False
        if not verified:
            raise DomainError(WalletError.INVALID_SIGNATURE)
        if data.get("app_id") != settings.ALIPAY_APP_ID:
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        self._check_age(data.get("notify_time", ""))
        status = data.get("trade_status", "")
        if status in SUCCEEDED:
            event = "payment.succeeded"
        elif status in CLOSED:
            event = "payment.canceled"
        else:
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        notification_id = data.get("notify_id", "")
        reference = data.get("out_trade_no", "")
        if not notification_id or len(notification_id) > 64 or not reference:
            raise DomainError(WalletError.INVALID_NOTIFICATION)
        return Notification(
            # TRADE_SUCCESS and later TRADE_FINISHED for one trade carry their own notify_id.
            id=notification_id,
            event=event,
            object_ref=reference,
            amount=fen(data.get("total_amount", "")),
            currency="CNY",
        )

    def _check_age(self, notify_time: str) -> None:
        try:
            sent = datetime.strptime(notify_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        except ValueError:
            raise DomainError(WalletError.INVALID_NOTIFICATION) from None
        now = timezone.now()
        if sent < now - MAX_AGE or sent > now + MAX_SKEW:
            raise DomainError(WalletError.NOTIFICATION_EXPIRED)

    def webhook_response(self, error: DomainError | None) -> HttpResponse | None:
        if error is None or error.error is WalletError.NOTIFICATION_REPLAYED:
            return HttpResponse("success", content_type="text/plain")
        return None
