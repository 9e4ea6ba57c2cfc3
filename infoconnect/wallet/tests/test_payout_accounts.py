"""A merchant's payout accounts: checked, kept with every change, set from the merchant
balance page or the API by a verified merchant only, and copied onto the payouts it pays."""

import uuid

import pytest
from django.test import Client

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.actions.payout_accounts import clean_identity, clean_real_name
from infoconnect.wallet.models import Payout, PayoutAccount, PayoutAccountChange
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import fund_merchant

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
PAGE = "/wallet/merchant/"
API = "/api/v1/wallet/payout-accounts"


@pytest.fixture(autouse=True)
def providers(settings):
    # Enabled, so the page offers their forms; nothing here reaches them.
    settings.WALLET_PROVIDERS = ["alipay", "wechatpay"]


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def applicant(make_user):
    return make_user("hopeful", kind="merchant", verified=False)


def funded(merchant, buyer, settings) -> None:
    """A balance to pay out, paid in through the sandbox (the real providers have no keys here)."""
    enabled = settings.WALLET_PROVIDERS
    settings.WALLET_PROVIDERS = []
    fund_merchant(merchant.pk, buyer.pk, 10_000, order_id=1)
    settings.WALLET_PROVIDERS = enabled


def set_account(merchant, provider="alipay", identity="pay@acme.example.com", name="张三"):
    return actions.set_payout_account(
        merchant_id=merchant.pk,
        provider=provider,
        identity=identity,
        real_name=name,
        changed_by_id=merchant.pk,
    )


@pytest.mark.parametrize(
    ("provider", "given", "kept"),
    [
        ("alipay", " Pay@Acme.Example.com ", "pay@acme.example.com"),
        ("alipay", "13812345678", "13812345678"),
        ("wechatpay", OPENID, OPENID),
    ],
)
def test_accounts_are_kept_as_the_provider_names_them(provider, given, kept):
    assert clean_identity(provider, given) == kept


@pytest.mark.parametrize(
    ("provider", "given"),
    [
        ("alipay", "not an account"),
        ("alipay", "1381234567"),
        ("alipay", "23812345678"),
        ("alipay", ""),
        ("wechatpay", "short"),
        ("wechatpay", "oUpF8uMuAJO M2pxb1Q9zNjWeS6o"),
        ("bank", "6222020000000000"),
    ],
)
def test_accounts_the_provider_could_not_pay_are_refused(provider, given):
    with pytest.raises(ValueError):
        clean_identity(provider, given)


@pytest.mark.parametrize(
    ("given", "kept"),
    [("张三", "张三"), ("  买买提·艾力  ", "买买提·艾力"), ("Li  Wei", "Li Wei")],
)
def test_real_names_are_tidied(given, kept):
    assert clean_real_name(given) == kept


@pytest.mark.parametrize("given", ["", "张", "张3", "<b>张三</b>", "x" * 51, "Zhang, San"])
def test_what_is_not_a_real_name_is_refused(given):
    with pytest.raises(ValueError):
        clean_real_name(given)


def test_each_setting_is_kept_and_audited(merchant, make_user):
    first = set_account(merchant)
    assert (first.identity, first.real_name) == ("pay@acme.example.com", "张三")
    second = set_account(merchant, identity="13812345678", name="张三丰")
    assert second.pk == first.pk
    assert PayoutAccount.objects.get().identity == "13812345678"
    assert second.updated_at >= first.updated_at
    assert list(
        PayoutAccountChange.objects.order_by("pk").values_list("identity", "real_name")
    ) == [("pay@acme.example.com", "张三"), ("13812345678", "张三丰")]
    assert set(PayoutAccountChange.objects.values_list("changed_by_id", flat=True)) == {merchant.pk}


def test_a_bad_account_writes_nothing(merchant):
    with pytest.raises(DomainError) as refused:
        set_account(merchant, identity="nobody", name="7")
    assert refused.value.code == "invalid_payout_account"
    assert refused.value.status == 422
    assert sorted(refused.value.fields) == ["identity", "real_name"]
    with pytest.raises(DomainError) as refused:
        set_account(merchant, provider="sandbox")
    assert list(refused.value.fields) == ["provider"]
    assert PayoutAccount.objects.count() == PayoutAccountChange.objects.count() == 0


def test_only_a_verified_merchant_sets_one(applicant, make_user):
    with pytest.raises(DomainError) as refused:
        set_account(applicant)
    assert refused.value.code == "merchant_not_verified"
    with pytest.raises(DomainError) as refused:
        set_account(make_user("alice"))
    assert refused.value.code == "not_a_merchant"
    assert PayoutAccount.objects.count() == PayoutAccountChange.objects.count() == 0


def test_a_payout_keeps_the_account_it_was_requested_to(merchant, make_user, settings):
    funded(merchant, make_user("buyer"), settings)
    set_account(merchant)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=500, provider="alipay")
    set_account(merchant, identity="13812345678")
    payout.refresh_from_db()
    assert (payout.payee_identity, payout.payee_name) == ("pay@acme.example.com", "张三")


# --- the merchant balance page ------------------------------------------------------------


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_asks_where_payouts_go(merchant):
    page = web(merchant).get(PAGE).content.decode()
    assert "Where payouts go" in page
    assert '<label for="id_alipay-identity">Alipay account</label>' in page
    assert '<label for="id_wechatpay-identity">WeChat openid</label>' in page
    assert page.count("Not set yet: payouts cannot go through it until it is.") == 2


def test_the_page_shows_each_field_s_error_under_it(merchant):
    response = web(merchant).post(
        "/wallet/merchant/payout-accounts/alipay/",
        {"alipay-identity": "nobody", "alipay-real_name": "张3"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        '<ul class="errorlist" id="id_alipay-identity_error"><li>Enter the e-mail address or '
        "mobile number you log in to Alipay with.</li></ul>"
    ) in page
    assert (
        "Enter the real name the account is registered to, as on the ID card: 2 to 50 letters, "
        "no digits."
    ) in page
    assert 'value="nobody"' in page
    assert PayoutAccount.objects.count() == 0


def test_the_page_keeps_an_account_and_says_so(merchant):
    client = web(merchant)
    response = client.post(
        "/wallet/merchant/payout-accounts/wechatpay/",
        {"wechatpay-identity": OPENID, "wechatpay-real_name": "王小明"},
        follow=True,
    )
    page = response.content.decode()
    assert f"Payouts through WeChat Pay now go to {OPENID}." in page
    account = PayoutAccount.objects.get()
    when = account.updated_at.astimezone().strftime("%Y-%m-%d")
    assert f"Payouts go to {OPENID} (王小明), set {when}" in page
    zh = client.get(PAGE, headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "收款账户" in zh


def test_an_applicant_or_a_person_may_not_set_one(applicant, make_user):
    data = {"alipay-identity": "pay@acme.example.com", "alipay-real_name": "张三"}
    assert web(applicant).post("/wallet/merchant/payout-accounts/alipay/", data).status_code == (
        403
    )
    person = web(make_user("alice"))
    assert person.post("/wallet/merchant/payout-accounts/alipay/", data).status_code == 404
    assert PayoutAccount.objects.count() == 0


def test_a_provider_not_enabled_has_no_form(merchant, settings):
    settings.WALLET_PROVIDERS = ["alipay"]
    client = web(merchant)
    assert "id_wechatpay-identity" not in client.get(PAGE).content.decode()
    data = {"wechatpay-identity": OPENID, "wechatpay-real_name": "王小明"}
    assert client.post("/wallet/merchant/payout-accounts/wechatpay/", data).status_code == 404


# --- the API ------------------------------------------------------------------------------


def test_the_api_sets_and_lists_accounts(api_client, merchant):
    client = api_client(merchant)
    response = client.put(
        f"{API}/alipay",
        {"identity": "13812345678", "real_name": "张三"},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("provider", "identity", "real_name")} == {
        "provider": "alipay",
        "identity": "13812345678",
        "real_name": "张三",
    }
    listed = client.get(API).json()
    assert [(a["provider"], a["identity"]) for a in listed] == [("alipay", "13812345678")]


@pytest.mark.parametrize(
    ("provider", "payload", "fields"),
    [
        ("alipay", {"identity": "nobody", "real_name": "张三"}, ["identity"]),
        ("wechatpay", {"identity": OPENID, "real_name": "1"}, ["real_name"]),
        ("paypal", {"identity": "a@b.example.com", "real_name": "张三"}, ["provider"]),
    ],
)
def test_the_api_names_what_is_wrong(api_client, merchant, provider, payload, fields):
    response = api_client(merchant).put(
        f"{API}/{provider}", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_payout_account"
    assert sorted(response.json()["fields"]) == fields
    assert PayoutAccount.objects.count() == 0


def test_the_api_takes_no_coerced_input(api_client, merchant):
    response = api_client(merchant).put(
        f"{API}/alipay",
        {"identity": 13812345678, "real_name": "张三"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert PayoutAccount.objects.count() == 0


def test_the_api_refuses_an_applicant_and_a_person(api_client, applicant, make_user):
    payload = {"identity": "13812345678", "real_name": "张三"}
    response = api_client(applicant).put(f"{API}/alipay", payload, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "merchant_not_verified")
    assert api_client(applicant).get(API).status_code == 403
    person = api_client(make_user("alice"))
    response = person.put(f"{API}/alipay", payload, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "not_a_merchant")
    assert PayoutAccount.objects.count() == 0


def test_a_payout_through_a_provider_without_an_account_is_a_clear_422(
    api_client, merchant, make_user, settings
):
    funded(merchant, make_user("buyer"), settings)
    response = api_client(merchant).post(
        "/api/v1/wallet/payouts",
        {"amount": 500, "provider": "wechatpay"},
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "payout_account_missing"
    assert Payout.objects.count() == 0
    assert balance_of(user_id=merchant.pk, kind="merchant") == 10_000


def test_an_api_payout_names_its_account(api_client, merchant, make_user, settings):
    funded(merchant, make_user("buyer"), settings)
    set_account(merchant)
    response = api_client(merchant).post(
        "/api/v1/wallet/payouts",
        {"amount": 500, "provider": "alipay"},
        content_type="application/json",
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["provider"], body["payee"], body["status"]) == (
        "alipay",
        "pay@acme.example.com",
        "requested",
    )
