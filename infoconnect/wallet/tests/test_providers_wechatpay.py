"""WeChat Pay API v3: Native payments over a mocked HTTP layer, and notifications signed and
encrypted as WeChat Pay sends them (RSA-SHA256 headers, AES-256-GCM resource), with keys
generated here; nothing reaches WeChat Pay."""

import base64
import json
import secrets
import time
import uuid

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment, ProviderNotification
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

MCHID = "1900000109"
APPID = "wxd678efh567hg6787"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000001092025010100000001"
APIV3_KEY = "a12d3924fd499edac8a5efc0123456ab"
WEBHOOK = "/api/v1/wallet/webhooks/wechatpay"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def wechat(settings, tmp_path):
    """Our merchant key, and WeChat Pay's platform key pair: settings hold our private key,
    the platform's public key and our APIv3 key; the test signs with the platform's."""
    merchant_key, platform_key = new_key(), new_key()
    (tmp_path / "apiclient_key.pem").write_bytes(
        merchant_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (tmp_path / "pub_key.pem").write_bytes(
        platform_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (tmp_path / "apiv3.key").write_text(APIV3_KEY + "\n")
    settings.WECHATPAY_MCHID = MCHID
    settings.WECHATPAY_APPID = APPID
    settings.WECHATPAY_CERT_SERIAL_NO = "444F4864EA9B34415A6E4F2DC4E8E4AB9D9A5A0B"
    settings.WECHATPAY_PRIVATE_KEY_FILE = str(tmp_path / "apiclient_key.pem")
    settings.WECHATPAY_PUBLIC_KEY_FILE = str(tmp_path / "pub_key.pem")
    settings.WECHATPAY_PUBLIC_KEY_ID = PUBLIC_KEY_ID
    settings.WECHATPAY_APIV3_KEY_FILE = str(tmp_path / "apiv3.key")
    settings.WALLET_SITE_URL = "https://shop.example.com"
    settings.WALLET_PROVIDERS = ["wechatpay"]
    return platform_key


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def sign_headers(platform_key, body: str, *, timestamp=None, serial=PUBLIC_KEY_ID) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    message = f"{stamp}\n{nonce}\n{body}\n".encode()
    signature = platform_key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return {
        "Wechatpay-Timestamp": stamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": base64.b64encode(signature).decode(),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


class FakeResponse:
    def __init__(self, status_code: int, text: str, headers: dict):
        self.status_code = status_code
        self.text = text
        self.content = text.encode()
        self.headers = {"Content-Type": "application/json; charset=utf-8", **headers}


@pytest.fixture
def wechat_http(wechat, monkeypatch):
    """WeChat Pay's API, answering each POST with the next (status, body) queued, signed."""
    queued, sent = [], []

    def post(url, json=None, headers=None, **kwargs):
        sent.append({"url": url, "json": json, "headers": headers})
        status, body = queued.pop(0)
        return FakeResponse(status, body, sign_headers(wechat, body) if status < 300 else {})

    monkeypatch.setattr("wechatpayv3.core.requests.post", post)
    return queued, sent


def transaction(payment: Payment, **overrides) -> dict:
    resource = {
        "mchid": MCHID,
        "appid": APPID,
        "out_trade_no": payment.provider_ref,
        "transaction_id": "4200000001202612020000000001",
        "trade_type": "NATIVE",
        "trade_state": "SUCCESS",
        "trade_state_desc": "支付成功",
        "bank_type": "OTHERS",
        "success_time": "2026-12-02T18:00:00+08:00",
        "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        "amount": {
            "total": payment.amount,
            "payer_total": payment.amount,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }
    resource.update(overrides)
    return resource


def notification(
    platform_key, resource: dict, *, key=APIV3_KEY, notification_id=None, **header_args
) -> tuple[str, dict]:
    nonce = secrets.token_hex(6)  # 12 characters, as WeChat Pay's nonces
    ciphertext = AESGCM(key.encode()).encrypt(
        nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), b"transaction"
    )
    body = json.dumps(
        {
            "id": notification_id or str(uuid.uuid4()),
            "create_time": "2026-12-02T18:00:01+08:00",
            "resource_type": "encrypt-resource",
            "event_type": "TRANSACTION.SUCCESS",
            "summary": "支付成功",
            "resource": {
                "original_type": "transaction",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "transaction",
                "nonce": nonce,
            },
        },
        ensure_ascii=False,
    )
    return body, sign_headers(platform_key, body, **header_args)


def deliver(body: str, headers: dict):
    return Client().post(
        WEBHOOK, data=body.encode(), content_type="application/json", headers=headers
    )


def start(wechat_http, user, amount=5000) -> Payment:
    queued, _ = wechat_http
    queued.append((200, json.dumps({"code_url": "weixin://wxpay/bizpayurl?pr=aBcDeF1"})))
    return actions.start_topup(user_id=user.pk, amount=amount, channel="wechat")


def test_a_topup_opens_a_native_payment(wechat_http, alice):
    payment = start(wechat_http, alice)
    _, sent = wechat_http
    assert payment.provider == "wechatpay"
    assert payment.redirect_url == "weixin://wxpay/bizpayurl?pr=aBcDeF1"
    request = sent[0]
    assert request["url"] == "https://api.mch.weixin.qq.com/v3/pay/transactions/native"
    assert request["json"]["out_trade_no"] == payment.provider_ref
    assert request["json"]["amount"] == {"total": 5000, "currency": "CNY"}
    assert request["json"]["mchid"] == MCHID
    assert request["json"]["notify_url"] == (
        "https://shop.example.com/api/v1/wallet/webhooks/wechatpay"
    )
    assert request["headers"]["Authorization"].startswith("WECHATPAY2-SHA256-RSA2048 ")


def test_a_refused_order_writes_nothing(wechat_http, alice):
    queued, _ = wechat_http
    queued.append((400, json.dumps({"code": "PARAM_ERROR", "message": "参数错误"})))
    with pytest.raises(DomainError) as refused:
        actions.start_topup(user_id=alice.pk, amount=5000, channel="wechat")
    assert refused.value.code == "provider_unavailable"
    assert Payment.objects.count() == 0


def test_a_verified_notification_credits_the_topup_once(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment))
    response = deliver(body, headers)
    assert response.status_code == 200
    assert balance_of(user_id=alice.pk) == 5000
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    # WeChat Pay sends it again when our answer was lost: 200, nothing more credited.
    again = deliver(body, headers)
    assert again.status_code == 200
    assert again.json() == {"received": True}
    assert balance_of(user_id=alice.pk) == 5000
    assert ProviderNotification.objects.filter(provider="wechatpay").count() == 1
    assert_ledger_consistent()


def assert_refused(response, status: int, code: str, user) -> None:
    assert response.status_code == status
    assert response.json()["code"] == code
    assert balance_of(user_id=user.pk) == 0
    assert ProviderNotification.objects.count() == 0
    assert Payment.objects.filter(status=Payment.Status.SUCCEEDED).count() == 0


def test_a_tampered_notification_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment))
    tampered = body.replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESS ")
    assert_refused(deliver(tampered, headers), 400, "invalid_signature", alice)


def test_a_notification_signed_by_another_key_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(new_key(), transaction(payment))
    assert_refused(deliver(body, headers), 400, "invalid_signature", alice)


def test_a_notification_naming_another_platform_key_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment), serial="5157F09EFDC096DE15EBE")
    assert_refused(deliver(body, headers), 400, "invalid_signature", alice)
    del headers["Wechatpay-Signature"]
    assert_refused(deliver(body, headers), 400, "invalid_signature", alice)


def test_a_stale_notification_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment), timestamp=int(time.time()) - 301)
    assert_refused(deliver(body, headers), 400, "notification_expired", alice)


def test_a_notification_encrypted_with_another_apiv3_key_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment), key="b" * 32)
    assert_refused(deliver(body, headers), 400, "invalid_notification", alice)


@pytest.mark.parametrize(
    "overrides",
    [
        {"appid": "wx0000000000000000"},
        {"mchid": "1900000999"},
        {"trade_state": "NOTPAY"},
        {"amount": {"total": 4999, "currency": "CNY"}},
        {"amount": {"total": "5000", "currency": "CNY"}},
        {"amount": {"total": 5000.0, "currency": "CNY"}},
    ],
    ids=["other-app", "other-merchant", "not-paid", "other-amount", "text-amount", "float"],
)
def test_a_notification_not_for_this_payment_is_refused(wechat, wechat_http, alice, overrides):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment, **overrides))
    assert_refused(deliver(body, headers), 400, "invalid_notification", alice)


def test_a_notification_for_an_unknown_order_is_refused(wechat, wechat_http, alice):
    payment = start(wechat_http, alice)
    body, headers = notification(wechat, transaction(payment, out_trade_no="wx" + "0" * 30))
    assert_refused(deliver(body, headers), 404, "payment_not_found", alice)


def test_an_expired_topup_is_closed_at_wechat_pay(wechat_http, alice):
    payment = start(wechat_http, alice)
    queued, sent = wechat_http
    queued.append((204, ""))
    get_provider("wechatpay").cancel_payment(reference=payment.provider_ref)
    assert sent[-1]["url"] == (
        "https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/"
        f"{payment.provider_ref}/close"
    )
    assert sent[-1]["json"] == {"mchid": MCHID}
    queued.append((500, json.dumps({"code": "SYSTEM_ERROR", "message": "系统错误"})))
    with pytest.raises(DomainError):
        get_provider("wechatpay").cancel_payment(reference=payment.provider_ref)


def test_payouts_through_wechat_pay_are_refused(wechat):
    with pytest.raises(DomainError) as refused:
        get_provider("wechatpay").create_payout(amount=100, currency="CNY", reference="1")
    assert refused.value.code == "payouts_unsupported"
