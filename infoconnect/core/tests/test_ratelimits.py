"""Rate limits: past a limit the answer is 429 with Retry-After, and nothing is written."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infoconnect.accounts.models import User
from infoconnect.shop.models import ProductImage
from infoconnect.shop.tests.conftest import make_product, png_bytes
from infoconnect.social.models import Post
from infoconnect.wallet.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """Turn the limits on with the given rates: limits(post="2/m")."""

    def set_rates(**rates):
        settings.RATELIMIT_ENABLE = True
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **rates}

    return set_rates


def logged_in(user, **extra) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def assert_api_429(response) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert response.json()["error"].startswith("Too many requests; try again in ")
    assert 1 <= int(response["Retry-After"]) <= 60


def test_flooding_an_api_read_gets_429_with_retry_after(limits, make_user, api_client):
    limits(api_read="3/m")
    client = api_client(make_user("alice"))
    for _ in range(3):
        assert client.get("/api/v1/accounts/verify_credentials").status_code == 200
    assert_api_429(client.get("/api/v1/accounts/verify_credentials"))
    # The limit is per user: another person's token still reads.
    assert api_client(make_user("bob")).get("/api/v1/instance").status_code == 200


def test_api_writes_have_their_own_limit(limits, make_user, api_client):
    limits(api_write="2/m", api_read="100/m")
    client = api_client(make_user("alice"))
    for text in ("one", "two"):
        assert client.post("/api/v1/statuses", {"status": text}).status_code == 200
    assert_api_429(client.post("/api/v1/statuses", {"status": "three"}))
    assert list(Post.objects.values_list("text", flat=True).order_by("pk")) == ["one", "two"]
    # Reads go on while writes wait.
    assert client.get("/api/v1/timelines/home").status_code == 200


def test_anonymous_api_reads_count_per_ip(limits, make_user, api_client):
    limits(api_read="2/m")
    make_user("alice")
    here = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(2):
        assert here.get("/api/v1/instance").status_code == 200
    assert_api_429(here.get("/api/v1/instance"))
    # A made-up token does not open a fresh allowance: it counts against the IP too.
    fake = Client(REMOTE_ADDR="10.0.0.1", headers={"Authorization": "Bearer ic_madeup"})
    assert_api_429(fake.get("/api/v1/instance"))
    assert Client(REMOTE_ADDR="10.0.0.2").get("/api/v1/instance").status_code == 200


def test_a_signed_in_user_is_counted_apart_from_the_ip(limits, make_user, api_client):
    limits(api_read="2/m")
    alice = api_client(make_user("alice"))
    anonymous = Client()
    for _ in range(2):
        assert anonymous.get("/api/v1/instance").status_code == 200
    assert_api_429(anonymous.get("/api/v1/instance"))
    assert alice.get("/api/v1/instance").status_code == 200


def test_posting_is_limited_on_the_web_and_the_api(limits, make_user, api_client):
    limits(post="2/m")
    alice = make_user("alice")
    web = logged_in(alice)
    assert web.post("/posts/new/", {"text": "first"}).status_code == 302
    assert web.post("/posts/new/", {"text": "second"}).status_code == 302
    refused = web.post("/posts/new/", {"text": "third"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert 'data-error-code="rate_limited"' in refused.content.decode()
    assert "Too many requests; try again in " in refused.content.decode()
    # The API counts against the same allowance.
    assert_api_429(api_client(alice).post("/api/v1/statuses", {"status": "fourth"}))
    assert Post.objects.count() == 2


def test_the_web_page_is_translated(limits, make_user):
    limits(post="0/m")
    web = logged_in(make_user("alice"))
    web.cookies["django_language"] = "zh-hans"
    refused = web.post("/posts/new/", {"text": "你好"}, headers={"Accept-Language": "zh-hans"})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode()


def test_htmx_gets_a_fragment(limits, make_user):
    limits(post="0/m")
    refused = logged_in(make_user("alice")).post(
        "/posts/new/", {"text": "hi"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 429
    assert refused.content.decode().startswith('<p class="flash-error" role="alert"')


def test_signups_are_limited_per_ip(limits):
    limits(signup="2/h")
    here = Client(REMOTE_ADDR="10.0.0.7")
    for name in ("first_one", "second_one"):
        form = {"username": name, "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
        assert here.post("/accounts/signup/", form).status_code == 302
        here.post("/accounts/logout/")
    form = {"username": "third_one", "password1": "a-long-pass-42", "password2": "a-long-pass-42"}
    refused = here.post("/accounts/signup/", form)
    assert refused.status_code == 429
    assert not User.objects.filter(username="third_one").exists()
    # The form itself still shows; another address may sign up.
    assert here.get("/accounts/signup/").status_code == 200
    there = Client(REMOTE_ADDR="10.0.0.8")
    assert there.post("/accounts/signup/", form).status_code == 302


def test_topups_are_limited_on_the_web_and_the_api(limits, make_user, api_client):
    limits(topup="2/h")
    alice = make_user("alice")
    web = logged_in(alice)
    for _ in range(2):
        response = web.post("/wallet/topup/", {"amount": "10", "idempotency_key": uuid.uuid4()})
        assert response.status_code != 429
    opened = Payment.objects.count()
    refused = web.post("/wallet/topup/", {"amount": "10", "idempotency_key": uuid.uuid4()})
    assert refused.status_code == 429
    # django-ratelimit's hour is a fixed window: what is left of it is anything up to an hour.
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many requests; try again in " in refused.content.decode()
    response = api_client(alice).post(
        "/api/v1/wallet/topups",
        data=json.dumps({"amount": 1000}),
        content_type="application/json",
        headers={"Idempotency-Key": "k1"},
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert Payment.objects.count() == opened
    # Bob's allowance is his own.
    bob = logged_in(make_user("bob"))
    response = bob.post("/wallet/topup/", {"amount": "10", "idempotency_key": uuid.uuid4()})
    assert response.status_code != 429


def test_uploads_are_limited_on_the_web_and_the_api(limits, make_user, api_client):
    limits(upload="1/h")
    merchant = make_user("acme", kind="merchant", verified=True)
    product, _sku = make_product(merchant)
    web = logged_in(merchant)

    def image():
        return SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")

    assert (
        web.post(f"/shop/manage/products/{product.pk}/images/", {"image": image()}).status_code
        == 302
    )
    assert ProductImage.objects.count() == 1
    refused = web.post(f"/shop/manage/products/{product.pk}/images/", {"image": image()})
    assert refused.status_code == 429
    assert_api_429_upload = api_client(merchant).post(
        f"/api/v1/products/{product.pk}/images", {"file": image()}
    )
    assert assert_api_429_upload.status_code == 429
    assert assert_api_429_upload.json()["code"] == "rate_limited"
    assert ProductImage.objects.count() == 1


def test_a_profile_saved_without_a_new_avatar_is_no_upload(limits, make_user):
    limits(upload="0/h")
    web = logged_in(make_user("alice"))
    form = {"display_name": "Alice", "bio": "", "region": "", "message_policy": "everyone"}
    assert web.post("/accounts/settings/", form).status_code != 429


def test_limits_off_when_disabled(settings, make_user, api_client):
    settings.RATELIMIT_ENABLE = False
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_read": "1/m", "post": "1/m"}
    client = api_client(make_user("alice"))
    for _ in range(5):
        assert client.get("/api/v1/timelines/home").status_code == 200
        assert client.post("/api/v1/statuses", {"status": "again"}).status_code == 200


def test_an_empty_rate_turns_one_limit_off(limits, make_user, api_client):
    limits(api_read="", api_write="")
    client = api_client(make_user("alice"))
    for _ in range(5):
        assert client.get("/api/v1/timelines/home").status_code == 200


def test_provider_webhooks_are_not_limited(limits):
    limits(api_write="0/m")
    response = Client().post(
        "/api/v1/wallet/webhooks/sandbox", data=b"{}", content_type="application/json"
    )
    assert response.status_code != 429


def test_behind_the_proxy_the_client_is_the_address_the_proxy_appended(settings, limits):
    limits(api_read="1/m")
    settings.CLIENT_IP_FROM_PROXY = True
    first = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert first.get("/api/v1/instance").status_code == 200
    # A client that writes its own X-Forwarded-For is still the address the proxy saw.
    spoofed = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9")
    assert_api_429(spoofed.get("/api/v1/instance"))
    other = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.get("/api/v1/instance").status_code == 200
