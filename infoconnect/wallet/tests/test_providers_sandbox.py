"""Which providers are enabled: the sandbox refused with DEBUG off unless enabled on purpose
(and then said so on its pages), the provider each channel goes to, and the start-up check
that refuses development or missing keys."""

import json
import uuid

import pytest
from django.core import checks
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.checks import check_payment_providers
from infoconnect.wallet.models import BankTransfer, Payment, ProviderNotification
from infoconnect.wallet.providers import choose_provider, get_provider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.test_providers_alipay import new_key, write_private, write_public

BANNER = "Sandbox payments are enabled: money confirmed here is not real"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sandbox_off(settings):
    settings.WALLET_SANDBOX_ENABLED = False


# The sandbox refused ----------------------------------------------------------------------


def test_no_sandbox_payment_is_opened_when_it_is_off(alice, sandbox_off):
    for provider in ("sandbox", ""):
        with pytest.raises(DomainError) as refused:
            actions.start_topup(user_id=alice.pk, amount=5000, provider=provider)
        assert refused.value.code == "provider_disabled"
        assert refused.value.status == 403
    assert Payment.objects.count() == 0


def test_the_api_refuses_a_topup_with_no_provider(alice, api_client, sandbox_off):
    response = api_client(alice).post(
        "/api/v1/wallet/topups",
        data=json.dumps({"amount": 5000}),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 403
    assert response.json()["code"] == "provider_disabled"
    assert Payment.objects.count() == 0


def test_the_topup_page_offers_no_topup_when_the_sandbox_is_off(alice, settings):
    client = client_for(alice)
    assert 'action="/wallet/topup/"' in client.get("/wallet/").content.decode()
    settings.WALLET_SANDBOX_ENABLED = False
    page = client.get("/wallet/").content.decode()
    assert 'action="/wallet/topup/"' not in page
    assert 'id="topups-unavailable"' in page
    response = client.post(
        "/wallet/topup/", {"amount": "50", "idempotency_key": str(uuid.uuid4())}, follow=True
    )
    assert "No payment provider takes this kind of payment" in response.content.decode()
    assert Payment.objects.count() == 0


def test_the_merchant_page_offers_no_topup_when_the_sandbox_is_off(make_user, sandbox_off):
    merchant = make_user("acme", kind="merchant", verified=True)
    page = client_for(merchant).get("/wallet/merchant/").content.decode()
    assert 'data-testid="merchant-topup"' not in page
    assert 'value="provider"' not in page


def test_a_sandbox_payment_opened_before_cannot_be_confirmed_once_off(alice, settings):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    settings.WALLET_SANDBOX_ENABLED = False
    client = client_for(alice)
    page = f"/wallet/sandbox/pay/{payment.provider_ref}/"
    assert client.get(page).status_code == 404
    assert client.post(page, {"decision": "confirm"}).status_code == 404
    assert balance_of(user_id=alice.pk) == 0


def test_the_sandbox_webhook_is_refused_once_off(alice, settings, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body, headers = get_provider("sandbox").build_notification(
        event="payment.succeeded",
        object_ref=payment.provider_ref,
        amount=payment.amount,
        currency=payment.currency,
    )
    settings.WALLET_SANDBOX_ENABLED = False
    response = api_client().post(
        "/api/v1/wallet/webhooks/sandbox",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 403
    assert response.json()["code"] == "provider_disabled"
    assert balance_of(user_id=alice.pk) == 0
    assert ProviderNotification.objects.count() == 0


def test_the_sandbox_bank_page_is_gone_once_off(make_user, settings):
    from infoconnect.wallet.tests.conftest import make_firm

    operator = make_user("op", is_staff=True, is_superuser=True)
    firm = make_firm(make_user, operator)
    transfer = actions.open_bank_transfer(
        user=firm.finance, company_id=firm.company.pk, amount=10_000
    )
    client = client_for(firm.finance)
    page = f"/wallet/sandbox/transfer/{transfer.code}/"
    assert BANNER in client.get(page).content.decode()
    settings.WALLET_SANDBOX_ENABLED = False
    assert client.get(page).status_code == 404
    assert client.post(page, {"amount": "100.00"}).status_code == 404
    transfer.refresh_from_db()
    assert transfer.status == BankTransfer.Status.AWAITING


def test_the_sandbox_page_says_so_when_enabled_with_debug_off(alice, settings):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    client = client_for(alice)
    page = f"/wallet/sandbox/pay/{payment.provider_ref}/"
    assert BANNER in client.get(page).content.decode()
    # The demo, under DEBUG, is a sandbox throughout: no banner there.
    settings.DEBUG = True
    assert BANNER not in client.get(page).content.decode()


# Choosing the provider --------------------------------------------------------------------


def test_each_channel_goes_to_its_provider_when_enabled(settings):
    settings.WALLET_PROVIDERS = ["alipay", "wechatpay"]
    assert choose_provider(channel="wechat") == "wechatpay"
    assert choose_provider(channel="alipay") == "alipay"
    assert choose_provider() == "alipay"  # a real provider before the sandbox
    assert choose_provider("sandbox") == "sandbox"
    settings.WALLET_PROVIDERS = ["alipay"]
    assert choose_provider(channel="wechat") == "sandbox"
    settings.WALLET_SANDBOX_ENABLED = False
    with pytest.raises(DomainError) as refused:
        choose_provider(channel="wechat")
    assert refused.value.code == "provider_disabled"
    with pytest.raises(DomainError) as refused:
        choose_provider("wechatpay")
    assert refused.value.code == "provider_disabled"
    with pytest.raises(DomainError) as refused:
        choose_provider("paypal")
    assert refused.value.code == "unknown_provider"


def test_the_sandbox_alone_serves_both_channels(settings):
    settings.WALLET_PROVIDERS = []
    assert choose_provider(channel="wechat") == "sandbox"
    assert choose_provider(channel="alipay") == "sandbox"
    assert choose_provider() == "sandbox"


# The start-up check -----------------------------------------------------------------------


def errors() -> list[checks.CheckMessage]:
    return [m for m in check_payment_providers() if m.level >= checks.ERROR]


def test_the_development_sandbox_secret_with_debug_off_is_an_error(settings):
    settings.WALLET_SANDBOX_SECRET = "sandbox-development-secret"
    assert [m.id for m in errors()] == ["wallet.E002"]
    settings.WALLET_SANDBOX_SECRET = ""
    assert [m.id for m in errors()] == ["wallet.E002"]
    settings.WALLET_SANDBOX_ENABLED = False
    assert errors() == []
    settings.WALLET_SANDBOX_ENABLED = True
    settings.DEBUG = True
    assert errors() == []


def test_the_check_runs_at_every_start_not_only_with_deploy(settings):
    settings.WALLET_SANDBOX_SECRET = "sandbox-development-secret"
    found = checks.run_checks(include_deployment_checks=False)
    assert "wallet.E002" in [m.id for m in found]


def test_a_non_default_sandbox_secret_passes(settings):
    assert errors() == []


def test_an_enabled_alipay_without_its_keys_is_an_error(settings, tmp_path):
    settings.WALLET_PROVIDERS = ["alipay"]
    settings.ALIPAY_APP_ID = ""
    settings.WALLET_SITE_URL = "http://shop.example.com"
    messages = " ".join(m.msg for m in errors())
    assert "ALIPAY_APP_ID is not set" in messages
    assert "ALIPAY_PRIVATE_KEY_FILE is not set" in messages
    assert "https://" in messages
    settings.ALIPAY_APP_ID = "2021000123456789"
    settings.ALIPAY_PRIVATE_KEY_FILE = str(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("not a key")
    settings.ALIPAY_PUBLIC_KEY_FILE = str(tmp_path / "junk.pem")
    messages = " ".join(m.msg for m in errors())
    assert "cannot be read" in messages
    assert "is not a PEM public key" in messages
    key = new_key()
    settings.ALIPAY_PRIVATE_KEY_FILE = write_private(tmp_path / "app.pem", key)
    settings.ALIPAY_PUBLIC_KEY_FILE = write_public(tmp_path / "alipay.pem", new_key())
    settings.WALLET_SITE_URL = "https://shop.example.com"
    assert errors() == []


def test_an_enabled_wechat_pay_without_its_keys_is_an_error(settings, tmp_path):
    settings.WALLET_PROVIDERS = ["wechatpay"]
    assert [m.id for m in errors()] == ["wallet.E003"]
    assert "WECHATPAY_MCHID is not set" in errors()[0].msg


def test_a_wrong_length_apiv3_key_is_an_error(settings, tmp_path):
    from infoconnect.wallet.tests.test_providers_wechatpay import wechat

    wechat.__wrapped__(settings, tmp_path)
    assert errors() == []
    (tmp_path / "apiv3.key").write_text("short")
    assert "32-character APIv3 key" in errors()[0].msg


def test_an_unknown_provider_name_is_an_error(settings):
    settings.WALLET_PROVIDERS = ["paypal"]
    assert [m.id for m in errors()] == ["wallet.E001"]


def test_no_provider_at_all_is_a_warning(settings):
    settings.WALLET_SANDBOX_ENABLED = False
    settings.WALLET_PROVIDERS = []
    assert errors() == []
    assert [m.id for m in check_payment_providers()] == ["wallet.W001"]
