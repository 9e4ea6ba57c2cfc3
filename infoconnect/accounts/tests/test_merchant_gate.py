"""Only a verified merchant holds merchant privileges: an applicant still under review is
refused every money, follower-tag, selling and shop-page path, on the web and in the API,
with ``merchant_not_verified`` (or the page saying the application is under review), and
nothing is written. A verified merchant passes the same gate."""

import uuid

import pytest
from django.test import Client

from infoconnect.accounts.models import User
from infoconnect.messaging.models import Campaign, FollowerTag
from infoconnect.procurement.models import PriceList
from infoconnect.shop.models import Coupon, Product, ShippingPolicy
from infoconnect.social.models import Follow
from infoconnect.wallet.models import LedgerTransaction, Payment, Payout

pytestmark = pytest.mark.django_db

UNDER_REVIEW = "Your merchant application is under review"

WRITTEN = (Payment, Payout, LedgerTransaction, FollowerTag, Campaign, Product, Coupon,
           ShippingPolicy, PriceList)  # fmt: skip


def _written() -> dict:
    return {model.__name__: model.objects.count() for model in WRITTEN}


@pytest.fixture
def follower(make_user):
    return make_user("fan")


def _applicant(make_user, follower, *, verified: bool) -> User:
    user = make_user("acme", kind="merchant", verified=verified)
    Follow.objects.create(follower=follower, target=user)
    return user


COUPON = {
    "title": "Spring",
    "kind": "amount",
    "amount_off": 500,
    "min_spend": 0,
    "starts_at": "2030-01-01T00:00:00+08:00",
    "ends_at": "2030-02-01T00:00:00+08:00",
    "total_count": 10,
}

API_PATHS = [
    ("post", "/api/v1/wallet/topups", {"amount": 1000, "destination": "merchant"}),
    ("post", "/api/v1/wallet/topups", {"amount": 1000, "destination": "deposit"}),
    ("post", "/api/v1/wallet/payouts", {"amount": 100}),
    ("get", "/api/v1/wallet/payouts", None),
    ("get", "/api/v1/wallet/statement?account=merchant", None),
    ("get", "/api/v1/wallet/merchant", None),
    ("post", "/api/v1/wallet/merchant/deposit", {"amount": 100}),
    ("post", "/api/v1/wallet/merchant/debt-settlements", {"amount": 100}),
    ("get", "/api/v1/follower_tags", None),
    ("get", "/api/v1/follower_tags/{fan}", None),
    ("put", "/api/v1/follower_tags/{fan}", {"tags": ["vip"]}),
    ("get", "/api/v1/campaigns", None),
    ("post", "/api/v1/products", {"title": "Teapot"}),
    ("post", "/api/v1/coupons", COUPON),
    ("get", "/api/v1/coupons", None),
    ("get", "/api/v1/price_lists", None),
    ("post", "/api/v1/price_lists", {"company": "91310000MA1FL8TQ3X", "name": "Big buyer"}),
    ("get", "/api/v1/quotes", None),
]


def _api(client: Client, method: str, path: str, body, fan: User):
    path = path.format(fan=fan.pk)
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if body is None:
        return getattr(client, method)(path, headers=headers)
    return getattr(client, method)(
        path, data=body, content_type="application/json", headers=headers
    )


@pytest.mark.parametrize(("method", "path", "body"), API_PATHS)
def test_an_applicant_is_refused_every_merchant_api_path(
    make_user, follower, api_client, method, path, body
):
    applicant = _applicant(make_user, follower, verified=False)
    client = api_client(applicant)
    before = _written()
    response = _api(client, method, path, body, follower)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "merchant_not_verified"
    assert response.json()["error"].startswith(UNDER_REVIEW)
    assert _written() == before


@pytest.mark.parametrize(("method", "path", "body"), API_PATHS)
def test_a_verified_merchant_passes_the_same_api_gate(
    make_user, follower, api_client, method, path, body
):
    merchant = _applicant(make_user, follower, verified=True)
    response = _api(api_client(merchant), method, path, body, follower)
    assert response.status_code != 403 or response.json()["code"] != "merchant_not_verified"
    assert response.status_code < 500


WEB_PATHS = [
    ("get", "/wallet/merchant/", None),
    ("post", "/wallet/merchant/topup/", {"topup-amount": "10.00"}),
    ("post", "/wallet/merchant/payouts/", {"amount": "1.00"}),
    ("post", "/wallet/merchant/deposit/", {"deposit-amount": "1.00", "via": "provider"}),
    ("post", "/wallet/merchant/deposit/", {"deposit-amount": "1.00"}),
    ("post", "/wallet/merchant/debt/", {"debt-amount": "1.00"}),
    ("get", "/wallet/merchant/statement.csv", None),
    ("get", "/messages/campaigns/", None),
    ("get", "/messages/campaigns/new/", None),
    ("get", "/messages/campaigns/followers/", None),
    ("post", "/messages/campaigns/followers/", {"follower": "{fan}", "tag": "vip"}),
    ("get", "/shop/manage/products/", None),
    ("get", "/shop/manage/products/new/", None),
    ("post", "/shop/manage/products/new/", {"title": "Teapot", "max_per_order": "10"}),
    ("post", "/shop/manage/shipping/", {"fee": "5.00", "free_over": ""}),
    ("get", "/shop/manage/coupons/", None),
    ("get", "/companies/price-lists/", None),
    ("post", "/companies/price-lists/", {"company": "91310000MA1FL8TQ3X", "name": "Big"}),
    ("get", "/companies/quotes/", None),
]


def _web(client: Client, method: str, path: str, data, fan: User):
    if data is None:
        return client.get(path)
    data = {key: value.format(fan=fan.pk) for key, value in data.items()}
    return client.post(path, {**data, "idempotency_key": str(uuid.uuid4())})


@pytest.mark.parametrize(("method", "path", "data"), WEB_PATHS)
def test_an_applicant_sees_the_under_review_page_on_every_merchant_page(
    make_user, follower, method, path, data
):
    applicant = _applicant(make_user, follower, verified=False)
    client = Client()
    client.force_login(applicant)
    before = _written()
    response = _web(client, method, path, data, follower)
    assert response.status_code == 403
    assert UNDER_REVIEW in response.content.decode()
    assert _written() == before


@pytest.mark.parametrize(("method", "path", "data"), WEB_PATHS)
def test_a_verified_merchant_passes_the_same_page_gate(make_user, follower, method, path, data):
    merchant = _applicant(make_user, follower, verified=True)
    client = Client()
    client.force_login(merchant)
    response = _web(client, method, path, data, follower)
    assert response.status_code < 500
    body = b"".join(response) if response.streaming else response.content
    assert UNDER_REVIEW not in body.decode()


def test_a_verified_merchant_still_tops_up_tags_and_sells(make_user, follower, api_client):
    merchant = _applicant(make_user, follower, verified=True)
    client = api_client(merchant)
    topup = _api(client, "post", API_PATHS[0][1], API_PATHS[0][2], follower)
    assert topup.status_code == 201
    assert Payment.objects.get().destination == "merchant"
    tags = _api(client, "put", "/api/v1/follower_tags/{fan}", {"tags": ["vip"]}, follower)
    assert tags.status_code == 200 and tags.json()["tags"] == ["vip"]
    product = _api(client, "post", "/api/v1/products", {"title": "Teapot"}, follower)
    assert product.status_code == 201
    assert Product.objects.get().merchant_id == merchant.pk


def test_an_applicants_shop_page_does_not_exist_for_others(make_user, follower):
    _applicant(make_user, follower, verified=False)
    client = Client()
    client.force_login(follower)
    assert client.get("/shop/acme/").status_code == 404
    assert Client().get("/shop/acme/").status_code == 404
    assert Client().get("/api/v1/products?merchant=acme").json() == []


def test_a_verified_merchants_shop_page_is_public(make_user, follower):
    _applicant(make_user, follower, verified=True)
    assert Client().get("/shop/acme/").status_code == 200


def test_a_buyer_cannot_ask_an_applicant_for_a_quote():
    from infoconnect.procurement.actions.quotes import _merchant

    applicant = User.objects.create_user(username="acme", kind="merchant")
    with pytest.raises(Exception) as error:
        _merchant(applicant.pk)
    assert error.value.code == "quote_merchant_not_found" or error.value.status == 404
