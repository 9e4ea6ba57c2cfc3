"""WeChat Pay API v3: Native payments over a mocked HTTP layer, and notifications signed and
encrypted as WeChat Pay sends them (RSA-SHA256 headers, AES-256-GCM resource), with keys
generated here; nothing reaches WeChat Pay."""

import base64
import json
import secrets
import time
import uuid
from datetime import timedelta

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import Payment, Payout, ProviderNotification
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund_merchant

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
    assert payment.qr_code == "weixin://wxpay/bizpayurl?pr=aBcDeF1"
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


OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def wechat_api(wechat, monkeypatch):
    """WeChat Pay's API for POSTs and GETs: each answers the next (status, body) queued, or
    raises it when it is an exception; 2xx answers signed with the platform key."""
    queued, sent = [], []

    def answer(method, url, json=None, headers=None, **kwargs):
        sent.append({"method": method, "url": url, "json": json, "headers": headers})
        reply = queued.pop(0)
        if isinstance(reply, Exception):
            raise reply
        status, body = reply
        return FakeResponse(status, body, sign_headers(wechat, body) if status < 300 else {})

    monkeypatch.setattr(
        "wechatpayv3.core.requests.post", lambda url, **kw: answer("POST", url, **kw)
    )
    monkeypatch.setattr("wechatpayv3.core.requests.get", lambda url, **kw: answer("GET", url, **kw))
    return queued, sent


@pytest.fixture
def paid_merchant(make_user, settings):
    merchant = make_user("acme", kind="merchant", verified=True)
    buyer = make_user("buyer")
    settings.WALLET_PROVIDERS = []  # the buyer pays through the sandbox
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    settings.WALLET_PROVIDERS = ["wechatpay"]
    actions.set_payout_account(
        merchant_id=merchant.pk,
        provider="wechatpay",
        identity=OPENID,
        real_name="王小明",
        changed_by_id=merchant.pk,
    )
    return merchant


def batch_accepted(payout: Payout) -> tuple[int, str]:
    return 200, json.dumps(
        {
            "out_batch_no": f"icpayout{payout.pk}",
            "batch_id": "1030000071100999991182026120300019480001",
            "create_time": "2026-12-03T12:00:00+08:00",
            "batch_status": "ACCEPTED",
        }
    )


def batch_notification(platform_key, payout: Payout, **overrides) -> tuple[str, dict]:
    resource = {
        "out_batch_no": f"icpayout{payout.pk}",
        "batch_id": "1030000071100999991182026120300019480001",
        "batch_status": "FINISHED",
        "total_num": 1,
        "total_amount": payout.amount,
        "success_amount": payout.amount,
        "success_num": 1,
        "fail_amount": 0,
        "fail_num": 0,
        "mchid": MCHID,
        "update_time": "2026-12-03T12:00:30+08:00",
    }
    resource.update(overrides)
    nonce = secrets.token_hex(6)
    ciphertext = AESGCM(APIV3_KEY.encode()).encrypt(
        nonce.encode(), json.dumps(resource).encode(), b"mch_payment"
    )
    body = json.dumps(
        {
            "id": str(uuid.uuid4()),
            "create_time": "2026-12-03T12:00:31+08:00",
            "resource_type": "encrypt-resource",
            "event_type": overrides.pop("event_type", "MCHTRANSFER.BATCH.FINISHED"),
            "summary": "商家转账批次完成",
            "resource": {
                "original_type": "mch_payment",
                "algorithm": "AEAD_AES_256_GCM",
                "ciphertext": base64.b64encode(ciphertext).decode(),
                "associated_data": "mch_payment",
                "nonce": nonce,
            },
        }
    )
    return body, sign_headers(platform_key, body)


def test_a_payout_is_a_transfer_batch_to_the_merchants_openid(wechat, wechat_api, paid_merchant):
    queued, sent = wechat_api
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=2500)
    assert (payout.provider, payout.payee_identity) == ("wechatpay", OPENID)
    queued.append(batch_accepted(payout))
    assert actions.send_payout(payout_id=payout.pk) is True
    request = sent[0]
    assert request["url"] == "https://api.mch.weixin.qq.com/v3/transfer/batches"
    body = request["json"]
    detail = body["transfer_detail_list"][0]
    assert {key: body[key] for key in ("out_batch_no", "total_amount", "total_num", "appid")} == {
        "out_batch_no": f"icpayout{payout.pk}",
        "total_amount": 2500,
        "total_num": 1,
        "appid": APPID,
    }
    assert body["notify_url"] == "https://shop.example.com/api/v1/wallet/webhooks/wechatpay"
    assert (detail["out_detail_no"], detail["transfer_amount"], detail["openid"]) == (
        f"icpayout{payout.pk}d1",
        2500,
        OPENID,
    )
    # The real name travels encrypted with the platform key, which names itself in the header.
    name = wechat.decrypt(
        base64.b64decode(detail["user_name"]),
        padding.OAEP(mgf=padding.MGF1(hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
    )
    assert name.decode() == "王小明"
    assert request["headers"]["Wechatpay-Serial"] == PUBLIC_KEY_ID
    payout.refresh_from_db()
    assert (payout.status, payout.provider_ref) == (
        "sent",
        "1030000071100999991182026120300019480001",
    )
    # WeChat Pay's notification that the batch finished with its one transfer paid.
    body, headers = batch_notification(wechat, payout)
    response = deliver(body, headers)
    assert response.status_code == 200
    payout.refresh_from_db()
    assert payout.status == "paid"
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 7_500
    assert balance_of(user_id=paid_merchant.pk, kind="payout_pending") == 0
    assert deliver(body, headers).json() == {"received": True}  # a replay changes nothing
    assert_ledger_consistent()


@pytest.mark.parametrize(
    "overrides",
    [
        {"success_num": 0, "success_amount": 0, "fail_num": 1, "fail_amount": 2500},
        {"batch_status": "CLOSED", "success_num": 0, "event_type": "MCHTRANSFER.BATCH.CLOSED"},
    ],
    ids=["transfer-failed", "batch-closed"],
)
def test_a_transfer_that_fails_returns_the_money(wechat, wechat_api, paid_merchant, overrides):
    queued, _ = wechat_api
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=2500)
    queued.append(batch_accepted(payout))
    actions.send_payout(payout_id=payout.pk)
    body, headers = batch_notification(wechat, payout, **overrides)
    assert deliver(body, headers).status_code == 200
    payout.refresh_from_db()
    assert payout.status == "failed"
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 10_000
    assert_ledger_consistent()


@pytest.mark.parametrize(
    "overrides",
    [{"mchid": "1900000999"}, {"total_amount": 2499}, {"out_batch_no": "someoneelse1"}],
    ids=["other-merchant", "other-amount", "not-ours"],
)
def test_a_transfer_notification_not_for_this_payout_is_refused(
    wechat, wechat_api, paid_merchant, overrides
):
    queued, _ = wechat_api
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=2500)
    queued.append(batch_accepted(payout))
    actions.send_payout(payout_id=payout.pk)
    body, headers = batch_notification(wechat, payout, **overrides)
    response = deliver(body, headers)
    assert (response.status_code, response.json()["code"]) == (400, "invalid_notification")
    payout.refresh_from_db()
    assert payout.status == "sent"
    assert ProviderNotification.objects.count() == 0


def test_a_refused_batch_returns_the_money(wechat_api, paid_merchant):
    queued, sent = wechat_api
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=2500)
    queued.append((403, json.dumps({"code": "NOT_ENOUGH", "message": "商户运营账户资金不足"})))
    # Before taking a refusal as final, the batch number is looked up: WeChat Pay has none.
    queued.append((404, json.dumps({"code": "NOT_FOUND", "message": "记录不存在"})))
    assert actions.send_payout(payout_id=payout.pk) is True
    assert sent[1]["method"] == "GET"
    assert sent[1]["url"].startswith(
        f"https://api.mch.weixin.qq.com/v3/transfer/batches/out-batch-no/icpayout{payout.pk}"
    )
    payout.refresh_from_db()
    assert payout.status == "failed"
    assert balance_of(user_id=paid_merchant.pk, kind="merchant") == 10_000
    assert_ledger_consistent()


def test_a_batch_asked_again_after_no_answer_is_sent_once(wechat, wechat_api, paid_merchant):
    queued, sent = wechat_api
    payout = actions.request_payout(merchant_id=paid_merchant.pk, amount=20)
    now = timezone.now()
    queued.append(requests.ConnectionError("reset by peer"))
    assert actions.send_payout(payout_id=payout.pk, now=now) is False
    payout.refresh_from_db()
    assert (payout.status, balance_of(user_id=paid_merchant.pk, kind="payout_pending")) == (
        "requested",
        20,
    )
    # It had reached WeChat Pay: asked again, the number is taken; its record gives the batch.
    queued.append((400, json.dumps({"code": "INVALID_REQUEST", "message": "批次单号重复"})))
    found = {"transfer_batch": json.loads(batch_accepted(payout)[1]), "transfer_detail_list": []}
    queued.append((200, json.dumps(found)))
    assert actions.send_payout(payout_id=payout.pk, now=now + timedelta(minutes=3)) is True
    # Under ¥0.30 the real name may not be sent.
    assert "user_name" not in sent[0]["json"]["transfer_detail_list"][0]
    assert [call["json"]["out_batch_no"] for call in sent if call["method"] == "POST"] == [
        f"icpayout{payout.pk}"
    ] * 2
    payout.refresh_from_db()
    assert (payout.status, payout.provider_ref) == (
        "sent",
        "1030000071100999991182026120300019480001",
    )


def test_payouts_through_wechat_pay_need_the_merchants_openid(wechat, make_user, settings):
    merchant = make_user("shop", kind="merchant", verified=True)
    with pytest.raises(DomainError) as refused:
        actions.request_payout(merchant_id=merchant.pk, amount=100, provider="wechatpay")
    assert (refused.value.code, refused.value.status) == ("payout_account_missing", 422)
    with pytest.raises(DomainError) as refused:
        get_provider("wechatpay").create_payout(amount=100, currency="CNY", reference="1")
    assert refused.value.code == "payout_account_missing"


def test_a_wechat_topup_sends_the_payer_to_our_scan_page(wechat_http, alice):
    payment = start(wechat_http, alice)
    assert payment.redirect_url == f"/wallet/scan/{payment.provider_ref}/"
    assert payment.qr_code == "weixin://wxpay/bizpayurl?pr=aBcDeF1"


def test_a_wechat_topup_from_the_wallet_page_shows_the_code_to_scan(wechat_http, alice, make_user):
    queued, _ = wechat_http
    queued.append((200, json.dumps({"code_url": "weixin://wxpay/bizpayurl?pr=aBcDeF1"})))
    client = Client()
    client.force_login(alice)
    response = client.post("/wallet/topup/", {"amount": "12.34", "idempotency_key": uuid.uuid4()})
    payment = Payment.objects.get()
    assert response["Location"] == f"/wallet/scan/{payment.provider_ref}/"
    page = client.get(response["Location"]).content.decode()
    assert '<strong id="scan-amount">¥12.34</strong>' in page
    assert '<img id="scan-qr" src="data:image/svg+xml;charset=utf-8,' in page
    assert "Status: Waiting for payment" in page
    assert 'hx-trigger="every 2s"' in page
    zh = client.get(response["Location"], headers={"Accept-Language": "zh-hans"})
    assert "用微信扫码支付" in zh.content.decode()
    # Nobody else's, and not a top-up paid some other way.
    other = Client()
    other.force_login(make_user("mallory"))
    assert other.get(response["Location"]).status_code == 404
    sandbox = actions.start_topup(user_id=alice.pk, amount=100, provider="sandbox")
    assert client.get(f"/wallet/scan/{sandbox.provider_ref}/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_scan_page_turns_paid_when_wechat_pay_notifies(
    wechat, wechat_http, page, login, make_user
):
    make_user("alice")
    queued, _ = wechat_http
    queued.append((200, json.dumps({"code_url": "weixin://wxpay/bizpayurl?pr=aBcDeF1"})))
    login("alice")
    page.click("#nav-wallet")
    page.get_by_label("Amount (¥)").fill("20.00")
    page.get_by_role("button", name="Top up").click()
    page.wait_for_url("**/wallet/scan/**")
    assert page.locator("#scan-amount").inner_text() == "¥20.00"
    assert page.locator("#scan-hint").inner_text().startswith("Open WeChat, tap + then Scan")
    qr = page.locator("#scan-qr")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;charset=utf-8,")
    assert qr.evaluate("image => image.complete && image.naturalWidth") > 100  # it drew
    assert page.locator("#scan-status").inner_text() == "Status: Waiting for payment"
    # The payer scans and pays in WeChat; WeChat Pay notifies us. The page sees it by itself.
    payment = Payment.objects.get()
    body, headers = notification(wechat, transaction(payment))
    assert deliver(body, headers).status_code == 200
    expect(page.locator("#scan-status")).to_have_text("Status: Paid")
    assert page.locator("#scan-qr").count() == 0
    page.locator("#scan-back").click()
    page.wait_for_url("**/wallet/?topup=*")
    assert page.locator("#wallet-balance").inner_text() == "¥20.00"
