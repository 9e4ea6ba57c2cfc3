"""Merchants top up their balance (to pay for campaigns) through the payment provider."""

import json
import uuid

import pytest
from django.test import Client
from playwright.sync_api import expect

from infoconnect.core.errors import DomainError
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, LedgerTransaction, Payment
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


@pytest.fixture
def alice(make_user):
    return make_user("alice")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_completed_merchant_topup_credits_the_merchant_balance(merchant):
    payment = actions.start_topup(
        user_id=merchant.pk, amount=2500, destination=AccountKind.MERCHANT
    )
    assert payment.destination == "merchant"
    actions.complete_topup(payment_id=payment.pk)
    actions.complete_topup(payment_id=payment.pk)  # a duplicate notification changes nothing
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 2500
    assert balance_of(user_id=merchant.pk, kind=AccountKind.WALLET) == 0
    assert LedgerTransaction.objects.filter(kind="topup").count() == 1
    assert_ledger_consistent()


def test_a_person_has_no_merchant_balance_to_top_up(alice):
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=alice.pk, amount=100, destination=AccountKind.MERCHANT)
    assert (error.value.code, error.value.status) == ("not_a_merchant", 403)
    assert Payment.objects.count() == 0


def test_topups_go_only_to_a_wallet_or_a_merchant_balance(merchant):
    with pytest.raises(DomainError) as error:
        actions.start_topup(user_id=merchant.pk, amount=100, destination=AccountKind.ESCROW)
    assert (error.value.code, error.value.status) == ("invalid_destination", 422)
    assert Payment.objects.count() == 0


def test_merchant_page_tops_up_through_the_sandbox(merchant, django_capture_on_commit_callbacks):
    client = client_for(merchant)
    page = client.get("/wallet/merchant/").content.decode()
    assert "<h2>Top up balance</h2>" in page
    assert 'action="/wallet/merchant/topup/"' in page
    key = str(uuid.uuid4())
    form = {"topup-amount": "12.34", "topup-idempotency_key": key}
    response = client.post("/wallet/merchant/topup/", form)
    payment = Payment.objects.get()
    assert (payment.amount, payment.destination) == (1234, "merchant")
    assert response["Location"] == f"/wallet/sandbox/pay/{payment.provider_ref}/"
    again = client.post("/wallet/merchant/topup/", form)
    assert again["Location"] == response["Location"]
    assert Payment.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(response["Location"], {"decision": "confirm"})
    assert done["Location"] == f"/wallet/merchant/?topup={payment.pk}"
    page = client.get(done["Location"]).content.decode()
    assert '<strong id="merchant-balance">¥12.34</strong>' in page
    assert "Top-up of ¥12.34: Paid." in page
    assert balance_of(user_id=merchant.pk, kind=AccountKind.WALLET) == 0
    assert_ledger_consistent()


def test_sandbox_page_goes_back_where_the_topup_was_started(
    merchant, alice, django_capture_on_commit_callbacks
):
    to_balance = actions.start_topup(
        user_id=merchant.pk, amount=900, destination=AccountKind.MERCHANT
    )
    own_wallet = actions.start_topup(user_id=merchant.pk, amount=700)
    alices = actions.start_topup(user_id=alice.pk, amount=500)
    client = client_for(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/wallet/sandbox/pay/{to_balance.provider_ref}/", {"decision": "confirm"}, follow=True
        )
    assert done.redirect_chain == [(f"/wallet/merchant/?topup={to_balance.pk}", 302)]
    assert [str(m) for m in done.context["messages"]] == []
    page = client.get(f"/wallet/sandbox/pay/{to_balance.provider_ref}/").content.decode()
    assert (
        f'<a id="sandbox-back" href="/wallet/merchant/?topup={to_balance.pk}">'
        "Back to your merchant balance</a>"
    ) in page
    page = client.get(
        f"/wallet/sandbox/pay/{to_balance.provider_ref}/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert f'href="/wallet/merchant/?topup={to_balance.pk}">返回商家余额</a>' in page
    # A merchant's top-up of its own wallet goes back to the wallet, as a person's does.
    actions.cancel_topup(payment_id=own_wallet.pk)
    page = client.get(f"/wallet/sandbox/pay/{own_wallet.provider_ref}/").content.decode()
    assert (
        f'<a id="sandbox-back" href="/wallet/?topup={own_wallet.pk}">Back to your wallet</a>'
    ) in page
    actions.cancel_topup(payment_id=alices.pk)
    page = client_for(alice).get(f"/wallet/sandbox/pay/{alices.provider_ref}/").content.decode()
    assert f'<a id="sandbox-back" href="/wallet/?topup={alices.pk}">Back to your wallet</a>' in page
    # Nobody reaches another's payment page, or its way back.
    assert client.get(f"/wallet/sandbox/pay/{alices.provider_ref}/").status_code == 404
    assert (
        client_for(alice).get(f"/wallet/sandbox/pay/{to_balance.provider_ref}/").status_code == 404
    )


@pytest.mark.parametrize("amount", ["", "abc", "0", "-1"])
def test_merchant_topup_form_rejects_bad_amounts(merchant, amount):
    response = client_for(merchant).post(
        "/wallet/merchant/topup/",
        {"topup-amount": amount, "topup-idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert '<ul class="errorlist"' in response.content.decode()
    assert Payment.objects.count() == 0


def test_merchant_topup_over_the_limit_says_why(merchant):
    response = client_for(merchant).post(
        "/wallet/merchant/topup/",
        {"topup-amount": "50000.01", "topup-idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    assert "A top-up may be at most ¥50,000.00." in response.content.decode()
    assert Payment.objects.count() == 0


def test_a_person_cannot_use_the_merchant_topup(alice):
    response = client_for(alice).post(
        "/wallet/merchant/topup/",
        {"topup-amount": "5", "topup-idempotency_key": str(uuid.uuid4())},
    )
    assert response.status_code == 404
    assert Payment.objects.count() == 0


def post_topup(client, payload, key="k1"):
    return client.post(
        "/api/v1/wallet/topups",
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_api_tops_up_the_merchant_balance(merchant, api_client):
    client = api_client(merchant)
    response = post_topup(client, {"amount": 800, "destination": "merchant"})
    assert response.status_code == 201
    assert (response.json()["destination"], response.json()["amount"]) == ("merchant", 800)
    # The same key for the wallet is another request.
    reused = post_topup(client, {"amount": 800})
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")
    payment = Payment.objects.get()
    actions.complete_topup(payment_id=payment.pk)
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 800


@pytest.mark.parametrize(
    "who,destination,status,code",
    [
        ("alice", "merchant", 403, "not_a_merchant"),
        ("acme", "escrow", 422, "invalid_destination"),
    ],
)
def test_api_merchant_topup_refusals(make_user, api_client, who, destination, status, code):
    user = make_user(who, kind="merchant" if who == "acme" else "person", verified=True)
    response = post_topup(api_client(user), {"amount": 800, "destination": destination})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Payment.objects.count() == 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_merchant_tops_up_its_balance_in_the_browser(page, login, make_user):
    make_user("acme", kind="merchant", verified=True)
    login("acme")
    page.goto("/wallet/merchant/")
    page.get_by_label("Top-up (¥)").fill("15.00")
    page.get_by_role("button", name="Top up balance").click()
    expect(page.locator("#sandbox-amount")).to_have_text("¥15.00")
    page.get_by_role("button", name="Confirm payment").click()
    expect(page.locator("#topup-status")).to_have_text("Top-up of ¥15.00: Paid.")
    expect(page.locator("#merchant-balance")).to_have_text("¥15.00")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_back_from_a_finished_merchant_topup_goes_to_the_balance(page, login, make_user):
    make_user("acme", kind="merchant", verified=True)
    login("acme")
    page.goto("/wallet/merchant/")
    page.get_by_label("Top-up (¥)").fill("6.00")
    page.get_by_role("button", name="Top up balance").click()
    sandbox = page.url
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#topup-status")).to_have_text("Top-up of ¥6.00: Canceled.")
    # The payer comes back to the provider's page later and follows its link back.
    page.goto(sandbox)
    page.get_by_role("link", name="Back to your merchant balance").click()
    expect(page.locator("#merchant-balance")).to_have_text("¥0.00")
    expect(page.locator("#topup-status")).to_have_text("Top-up of ¥6.00: Canceled.")


def test_a_deposit_topup_goes_back_to_the_merchant_wallet(
    merchant, django_capture_on_commit_callbacks
):
    to_deposit = actions.start_topup(
        user_id=merchant.pk, amount=900, destination=AccountKind.DEPOSIT
    )
    client = client_for(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/wallet/sandbox/pay/{to_deposit.provider_ref}/", {"decision": "confirm"}, follow=True
        )
    assert done.redirect_chain == [(f"/wallet/merchant/?topup={to_deposit.pk}", 302)]
    page = client.get(f"/wallet/sandbox/pay/{to_deposit.provider_ref}/").content.decode()
    assert (
        f'<a id="sandbox-back" href="/wallet/merchant/?topup={to_deposit.pk}">'
        "Back to your merchant balance</a>"
    ) in page
