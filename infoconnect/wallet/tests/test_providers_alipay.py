"""Alipay: page-pay URLs, and asynchronous notifications signed as Alipay signs them (RSA2
with keys generated here; nothing reaches Alipay)."""

import base64
import io
import json
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment, Payout, ProviderNotification
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.providers.alipay import BEIJING, fen
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund_merchant

APP_ID = "2021000123456789"
WEBHOOK = "/api/v1/wallet/webhooks/alipay"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_private(path, key) -> str:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(path)


def write_public(path, key, *, bare: bool = False) -> str:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if bare:  # as the Alipay console shows it: the base64 body only
        pem = b"".join(pem.splitlines()[1:-1])
    path.write_bytes(pem)
    return str(path)


@pytest.fixture
def alipay_keys(settings, tmp_path):
    """Our app's key pair, and Alipay's: settings hold our private key and Alipay's public
    key; the test keeps Alipay's private key to sign as Alipay does."""
    app_key, platform_key = new_key(), new_key()
    settings.ALIPAY_APP_ID = APP_ID
    settings.ALIPAY_PRIVATE_KEY_FILE = write_private(tmp_path / "app_private.pem", app_key)
    settings.ALIPAY_PUBLIC_KEY_FILE = write_public(
        tmp_path / "alipay_public.txt", platform_key, bare=True
    )
    settings.WALLET_SITE_URL = "https://shop.example.com"
    settings.WALLET_PROVIDERS = ["alipay"]
    return app_key, platform_key


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def rsa2_sign(key, params: dict) -> str:
    """Alipay's documented signing: every non-empty parameter but sign and sign_type, sorted
    by name, joined as key=value with &, RSA-SHA256, base64."""
    content = "&".join(
        f"{k}={v}" for k, v in sorted(params.items()) if k not in ("sign", "sign_type") and v != ""
    )
    signature = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode()


def notify_time(delta: timedelta = timedelta()) -> str:
    return (timezone.now() + delta).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def notification(platform_key, payment: Payment, *, sign_with=None, **overrides) -> bytes:
    params = {
        "gmt_create": notify_time(timedelta(minutes=-1)),
        "charset": "utf-8",
        "seller_email": "",
        "subject": "InfoConnect top-up",
        "buyer_id": "2088102177846880",
        "invoice_amount": "50.00",
        "notify_id": f"2026120200222170000{payment.pk:016d}",
        "fund_bill_list": '[{"amount":"50.00","fundChannel":"ALIPAYACCOUNT"}]',
        "notify_type": "trade_status_sync",
        "trade_status": "TRADE_SUCCESS",
        "receipt_amount": "50.00",
        "app_id": APP_ID,
        "buyer_pay_amount": "50.00",
        "sign_type": "RSA2",
        "seller_id": "2088102177649450",
        "gmt_payment": notify_time(),
        "notify_time": notify_time(),
        "version": "1.0",
        "out_trade_no": payment.provider_ref,
        "total_amount": "50.00",
        "trade_no": "2026120222001446880500000001",
        "auth_app_id": APP_ID,
        "point_amount": "0.00",
    }
    params.update(overrides)
    params["sign"] = rsa2_sign(sign_with or platform_key, params)
    return urlencode(params).encode()


def deliver(body: bytes):
    return Client().post(WEBHOOK, data=body, content_type="application/x-www-form-urlencoded")


def test_a_topup_opens_a_signed_page_payment(alipay_keys, alice):
    app_key, _ = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    assert payment.provider == "alipay"
    url = urlsplit(payment.redirect_url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://openapi.alipay.com/gateway.do"
    params = dict(parse_qsl(url.query))
    assert params["method"] == "alipay.trade.page.pay"
    assert params["notify_url"] == "https://shop.example.com/api/v1/wallet/webhooks/alipay"
    biz = json.loads(params["biz_content"])
    assert biz["out_trade_no"] == payment.provider_ref
    assert biz["total_amount"] == "50.00"
    # Signed with our app key, as the gateway checks it.
    content = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign")
    app_key.public_key().verify(
        base64.b64decode(params["sign"]), content.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_a_verified_notification_credits_the_topup_once(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment)
    response = deliver(body)
    assert response.status_code == 200
    assert response.content == b"success"
    assert balance_of(user_id=alice.pk) == 5000
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    # Alipay sends it again when our answer was lost: answered success, credited nothing more.
    again = deliver(body)
    assert again.status_code == 200
    assert again.content == b"success"
    # TRADE_FINISHED follows TRADE_SUCCESS once the trade can no longer be refunded.
    finished = notification(
        platform_key, payment, trade_status="TRADE_FINISHED", notify_id="finished-1"
    )
    assert deliver(finished).content == b"success"
    assert balance_of(user_id=alice.pk) == 5000
    assert ProviderNotification.objects.filter(provider="alipay").count() == 2
    assert_ledger_consistent()


def test_a_closed_trade_cancels_the_topup(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    assert deliver(notification(platform_key, payment, trade_status="TRADE_CLOSED")).status_code
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert balance_of(user_id=alice.pk) == 0


def assert_refused(response, status: int, code: str, user) -> None:
    assert response.status_code == status
    assert response.content != b"success"
    assert response.json()["code"] == code
    assert balance_of(user_id=user.pk) == 0
    assert ProviderNotification.objects.count() == 0
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 0


def test_a_tampered_notification_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, total_amount="5.00").replace(
        b"total_amount=5.00", b"total_amount=50.00"
    )
    assert_refused(deliver(body), 400, "invalid_signature", alice)


def test_a_notification_signed_by_another_key_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, sign_with=new_key())
    assert_refused(deliver(body), 400, "invalid_signature", alice)


def test_a_notification_without_rsa2_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, sign_type="RSA")
    assert_refused(deliver(body), 400, "invalid_signature", alice)
    unsigned = urlencode({"out_trade_no": payment.provider_ref, "total_amount": "50.00"})
    assert_refused(deliver(unsigned.encode()), 400, "invalid_signature", alice)


def test_a_notification_for_another_app_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, app_id="2021000999999999")
    assert_refused(deliver(body), 400, "invalid_notification", alice)


def test_a_notification_for_another_amount_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, total_amount="49.99")
    assert_refused(deliver(body), 400, "invalid_notification", alice)


def test_a_stale_notification_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, notify_time=notify_time(timedelta(days=-2)))
    assert_refused(deliver(body), 400, "notification_expired", alice)


def test_a_notification_for_an_unknown_trade_is_refused(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body = notification(platform_key, payment, out_trade_no="ali_someone_elses")
    assert_refused(deliver(body), 404, "payment_not_found", alice)


def test_a_sandbox_payment_cannot_be_paid_by_an_alipay_notification(alipay_keys, alice):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000, provider="sandbox")
    assert_refused(deliver(notification(platform_key, payment)), 404, "payment_not_found", alice)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("0.01", 1), ("12.3", 1230), ("19.99", 1999), ("50000.00", 5_000_000), ("7", 700)],
)
def test_yuan_strings_are_read_as_exact_fen(text, amount):
    assert fen(text) == amount


@pytest.mark.parametrize("text", ["", "1e3", "-1.00", "1.001", "0x10", " 1.00", "01.00", "1,00"])
def test_malformed_amounts_are_refused(text):
    with pytest.raises(DomainError) as refused:
        fen(text)
    assert refused.value.code == "invalid_notification"


def test_an_expired_topup_is_closed_at_alipay(alipay_keys, alice, monkeypatch):
    _, platform_key = alipay_keys
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    asked = []

    def answer(url, timeout):
        asked.append(dict(parse_qsl(urlsplit(url).query)))
        content = json.dumps(
            {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST"},
            separators=(",", ":"),
        )
        signature = platform_key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
        sign = base64.b64encode(signature).decode()
        # Alipay signs the response object exactly as it appears in the answer.
        raw = f'{{"alipay_trade_close_response":{content},"sign":"{sign}"}}'
        return io.BytesIO(raw.encode())

    monkeypatch.setattr("alipay.urlopen", answer)
    # Never opened by the payer, the trade does not exist at Alipay: closing it is done.
    get_provider("alipay").cancel_payment(reference=payment.provider_ref)
    assert asked[0]["method"] == "alipay.trade.close"
    assert json.loads(asked[0]["biz_content"]) == {"out_trade_no": payment.provider_ref}


def signed_answer(platform_key, method: str, content: dict) -> bytes:
    """A gateway answer as Alipay sends it: the response object signed exactly as written."""
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    signature = platform_key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    sign = base64.b64encode(signature).decode()
    return f'{{"{method.replace(".", "_")}_response":{text},"sign":"{sign}"}}'.encode()


@pytest.fixture
def gateway(alipay_keys, monkeypatch):
    """Alipay's gateway: each call answers the next queued answer (bytes, or an exception)."""
    _, platform_key = alipay_keys
    queued, asked = [], []

    def answer(url, timeout):
        asked.append(dict(parse_qsl(urlsplit(url).query)))
        reply = queued.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return io.BytesIO(reply)

    monkeypatch.setattr("alipay.urlopen", answer)
    return platform_key, queued, asked


@pytest.fixture
def paid_merchant(make_user):
    merchant = make_user("acme", kind="merchant", verified=True)
    buyer = make_user("buyer")
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    return merchant


def set_alipay_account(merchant, identity="Finance@Acme.example.com", name="张三") -> None:
    actions.set_payout_account(
        merchant_id=merchant.pk,
        provider="alipay",
        identity=identity,
        real_name=name,
        changed_by_id=merchant.pk,
    )


def transfer_answer(platform_key, payout: Payout, **overrides) -> bytes:
    content = {
        "code": "10000",
        "msg": "Success",
        "out_biz_no": f"ic_payout_{payout.pk}",
        "order_id": "20261203110070000006380000250621",
        "pay_fund_order_id": "20261203110070001506380000251556",
        "status": "SUCCESS",
        "trans_date": "2026-12-03 12:00:00",
    }
    content.update(overrides)
    return signed_answer(platform_key, "alipay.fund.trans.uni.transfer", content)


def test_a_payout_is_transferred_to_the_merchants_alipay_account(gateway, paid_merchant):
    platform_key, queued, asked = gateway
    set_alipay_account(paid_merchant)
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=1234)
    assert (payout.provider, payout.payee_identity, payout.payee_name) == (
        "alipay",
        "finance@acme.example.com",
        "张三",
    )
    queued.append(transfer_answer(platform_key, payout))
    assert actions.send_payout(payout_id=payout.pk) is True
    assert asked[0]["method"] == "alipay.fund.trans.uni.transfer"
    assert json.loads(asked[0]["biz_content"]) == {
        "out_biz_no": f"ic_payout_{payout.pk}",
        "trans_amount": "12.34",
        "product_code": "TRANS_ACCOUNT_NO_PWD",
        "biz_scene": "DIRECT_TRANSFER",
        "order_title": "InfoConnect payout",
        "payee_info": {
            "identity": "finance@acme.example.com",
            "identity_type": "ALIPAY_LOGON_ID",
            "name": "张三",
        },
    }
    payout.refresh_from_db()
    # Alipay's SUCCESS is final: paid at once, the money out of the system.
    assert (payout.status, payout.provider_ref) == ("paid", "20261203110070000006380000250621")
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 10_000 - 1234
    assert balance_of(user_id=paid_merchant.pk, kind="payout_pending") == 0
    assert_ledger_consistent()


def test_a_transfer_alipay_refuses_returns_the_money(gateway, paid_merchant):
    platform_key, queued, _ = gateway
    set_alipay_account(paid_merchant, name="李四")
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=1000)
    queued.append(
        transfer_answer(
            platform_key,
            payout,
            code="40004",
            msg="Business Failed",
            sub_code="PAYEE_USER_INFO_ERROR",
            sub_msg="收款用户姓名或其它信息不一致",
        )
    )
    assert actions.send_payout(payout_id=payout.pk) is True
    payout.refresh_from_db()
    assert payout.status == "failed"
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 10_000
    assert_ledger_consistent()


@pytest.mark.parametrize(
    "reply",
    [
        OSError("connection reset"),
        "system-error",
        "dealing",
        "unsigned",
    ],
)
def test_a_transfer_with_no_clear_answer_is_asked_again_and_paid_once(
    gateway, paid_merchant, reply
):
    platform_key, queued, asked = gateway
    set_alipay_account(paid_merchant)
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=1000)
    first = {
        "system-error": lambda: transfer_answer(
            platform_key, payout, code="40004", sub_code="SYSTEM_ERROR", status=""
        ),
        "dealing": lambda: transfer_answer(platform_key, payout, status="DEALING"),
        # An answer whose signature does not verify (not Alipay's, or altered on the way).
        "unsigned": lambda: transfer_answer(new_key(), payout),
    }
    queued.append(first[reply]() if isinstance(reply, str) else reply)
    now = timezone.now()
    assert actions.send_payout(payout_id=payout.pk, now=now) is False
    payout.refresh_from_db()
    # Maybe taken: neither sent nor refused, the money still on its way out.
    assert (payout.status, payout.provider_ref) == ("requested", None)
    assert balance_of(user_id=paid_merchant.pk, kind="payout_pending") == 1000
    # The sweep asks again once the claim lapsed, with the same out_biz_no.
    queued.append(transfer_answer(platform_key, payout))
    assert actions.send_payout(payout_id=payout.pk, now=now + timedelta(minutes=3)) is True
    assert [json.loads(a["biz_content"])["out_biz_no"] for a in asked] == [
        f"ic_payout_{payout.pk}"
    ] * 2
    payout.refresh_from_db()
    assert payout.status == "paid"
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 9_000
    assert_ledger_consistent()


def test_payouts_through_alipay_need_the_merchants_account_first(
    alipay_keys, paid_merchant, settings
):
    with pytest.raises(DomainError) as refused:
        actions.request_payout(merchant_id=paid_merchant.pk, amount=1000, provider="alipay")
    assert refused.value.code == "payout_account_missing"
    assert refused.value.status == 422
    # Alipay alone, with no provider named: the same.
    settings.WALLET_SANDBOX_ENABLED = False
    with pytest.raises(DomainError) as refused:
        actions.request_payout(merchant_id=paid_merchant.pk, amount=1000)
    assert refused.value.code == "payout_account_missing"
    assert Payout.objects.count() == 0
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 10_000


def test_with_the_sandbox_too_a_merchant_without_an_alipay_account_is_paid_by_the_sandbox(
    alipay_keys, paid_merchant, settings
):
    settings.WALLET_SANDBOX_ENABLED = True
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=1000)
    assert (payout.provider, payout.payee_identity) == ("sandbox", "")
    set_alipay_account(paid_merchant)
    assert actions.request_payout(merchant_id=paid_merchant.pk, amount=1000).provider == "alipay"
