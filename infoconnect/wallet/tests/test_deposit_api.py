"""The merchant's deposit, debt and what it may pay out, over the API and on its wallet page."""

import json
import uuid

import pytest

from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, DepositRequirement, LedgerTransaction
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import fund_merchant
from infoconnect.wallet.tests.test_views import client_for

DEPOSIT = "/api/v1/wallet/merchant/deposit"
SETTLE = "/api/v1/wallet/merchant/debt-settlements"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def post_json(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def in_debt(merchant, buyer, amount: int) -> None:
    fund_merchant(merchant.pk, buyer.pk, amount, order_id=90)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=amount)
    actions.send_payout(payout_id=payout.pk)
    actions.complete_payout(payout_id=payout.pk)
    actions.refund_order_money(
        order_id=90, refund_id=1, buyer_id=buyer.pk, merchant_id=merchant.pk, amount=amount
    )


def topup_balance(merchant, amount: int) -> None:
    payment = actions.start_topup(user_id=merchant.pk, amount=amount, destination="merchant")
    actions.complete_topup(payment_id=payment.pk)


def test_merchant_standing(alice, merchant, make_user, api_client):
    fund_merchant(merchant.pk, alice.pk, 5000, order_id=1, recent=True)
    fund_merchant(merchant.pk, alice.pk, 2000, order_id=2)
    DepositRequirement.objects.create(merchant=merchant, minimum=100_000)
    actions.pay_deposit(merchant_id=merchant.pk, amount=1500)
    body = api_client(merchant).get("/api/v1/wallet/merchant").json()
    assert body == {
        "balance": 5500,
        "available": 500,
        "reserve": 5000,
        "refund_window_days": 7,
        "deposit": 1500,
        "deposit_required": 100_000,
        "deposit_shortfall": 98_500,
        "debt": 0,
        "currency": "CNY",
        "display_available": "¥5.00",
    }
    response = api_client(alice).get("/api/v1/wallet/merchant")
    assert (response.status_code, response.json()["code"]) == (403, "not_a_merchant")


def test_deposit_from_the_balance_once_per_key(alice, merchant, api_client):
    fund_merchant(merchant.pk, alice.pk, 5000, order_id=1)
    client = api_client(merchant)
    first = post_json(client, DEPOSIT, {"amount": 2000}, **{"Idempotency-Key": "d-1"})
    again = post_json(client, DEPOSIT, {"amount": 2000}, **{"Idempotency-Key": "d-1"})
    assert first.status_code == 201
    assert again.json() == first.json()
    assert first.json()["kind"] == "deposit_topup"
    assert first.json()["description"] == f"Security deposit paid in (#{merchant.pk}-1)"
    assert balance_of(user_id=merchant.pk, kind=AccountKind.DEPOSIT) == 2000
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 3000
    reused = post_json(client, DEPOSIT, {"amount": 1}, **{"Idempotency-Key": "d-1"})
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")


def test_deposit_bad_input_and_who_may_not(alice, merchant, api_client):
    fund_merchant(merchant.pk, alice.pk, 500, order_id=1)
    client = api_client(merchant)
    missing = post_json(client, DEPOSIT, {"amount": 100})
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_missing")
    zero = post_json(client, DEPOSIT, {"amount": 0}, **{"Idempotency-Key": "d-0"})
    assert (zero.status_code, zero.json()["code"]) == (422, "invalid_amount")
    too_much = post_json(client, DEPOSIT, {"amount": 501}, **{"Idempotency-Key": "d-2"})
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_funds")
    text = post_json(client, DEPOSIT, {"amount": "100"}, **{"Idempotency-Key": "d-3"})
    assert text.status_code == 422
    person = post_json(api_client(alice), DEPOSIT, {"amount": 1}, **{"Idempotency-Key": "d-4"})
    assert (person.status_code, person.json()["code"]) == (403, "not_a_merchant")
    assert balance_of(user_id=merchant.pk, kind=AccountKind.DEPOSIT) == 0
    assert not LedgerTransaction.objects.filter(kind="deposit_topup").exists()


def test_settle_debt_over_the_api(alice, merchant, api_client):
    in_debt(merchant, alice, 800)
    topup_balance(merchant, 500)
    client = api_client(merchant)
    over = post_json(client, SETTLE, {"amount": 801}, **{"Idempotency-Key": "s-0"})
    assert (over.status_code, over.json()["code"]) == (422, "settlement_exceeds_debt")
    short = post_json(client, SETTLE, {"amount": 600}, **{"Idempotency-Key": "s-1"})
    assert (short.status_code, short.json()["code"]) == (409, "insufficient_funds")
    done = post_json(client, SETTLE, {"amount": 500}, **{"Idempotency-Key": "s-2"})
    assert done.status_code == 201
    assert done.json()["kind"] == "debt_settlement"
    assert client.get("/api/v1/wallet/merchant").json()["debt"] == 300
    person = post_json(api_client(alice), SETTLE, {"amount": 1}, **{"Idempotency-Key": "s-3"})
    assert (person.status_code, person.json()["code"]) == (403, "not_a_merchant")


def test_payout_api_refused_while_in_debt(alice, merchant, api_client):
    in_debt(merchant, alice, 800)
    topup_balance(merchant, 5000)
    response = post_json(
        api_client(merchant), "/api/v1/wallet/payouts", {"amount": 100}, **{"Idempotency-Key": "p"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "debt_outstanding")


def test_topup_straight_to_the_deposit_over_the_api(merchant, api_client):
    response = post_json(
        api_client(merchant),
        "/api/v1/wallet/topups",
        {"amount": 10_000, "destination": "deposit"},
        **{"Idempotency-Key": "t-1"},
    )
    assert response.status_code == 201
    assert response.json()["destination"] == "deposit"


# The merchant wallet page ---------------------------------------------------------------------


def test_merchant_page_shows_what_may_be_paid_out_and_why(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 5000, order_id=1, recent=True)
    fund_merchant(merchant.pk, alice.pk, 2000, order_id=2)
    DepositRequirement.objects.create(merchant=merchant, minimum=100_000)
    page = client_for(merchant).get("/wallet/merchant/").content.decode()
    assert '<strong id="merchant-balance">¥70.00</strong>' in page
    assert '<strong id="payout-available">¥20.00</strong>' in page
    assert '<span id="refund-reserve">¥50.00</span>' in page
    assert "Your share of orders completed in the last 7 days stays on the balance" in page
    assert '<span id="deposit-required">¥1,000.00</span>' in page
    assert "Top up your deposit by ¥1,000.00 to reach the required minimum." in page
    assert '<p class="muted" id="payout-max">You can pay out up to ¥20.00.</p>' in page
    assert 'data-max="20.00"' in page
    assert 'id="debt-card"' not in page


def test_merchant_page_deposit_from_balance_and_debt(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 3000, order_id=1)
    client = client_for(merchant)
    response = client.post(
        "/wallet/merchant/deposit/",
        {"deposit-amount": "10", "deposit-idempotency_key": str(uuid.uuid4()), "via": "balance"},
        follow=True,
    )
    page = response.content.decode()
    assert "¥10.00 moved from your balance into your security deposit." in page
    assert '<strong id="deposit-held">¥10.00</strong>' in page
    bad = client.post(
        "/wallet/merchant/deposit/",
        {"deposit-amount": "x", "deposit-idempotency_key": str(uuid.uuid4())},
    )
    assert bad.status_code == 400
    assert balance_of(user_id=merchant.pk, kind=AccountKind.DEPOSIT) == 1000


def test_merchant_page_settles_a_debt(alice, merchant):
    in_debt(merchant, alice, 800)
    topup_balance(merchant, 500)
    client = client_for(merchant)
    page = client.get("/wallet/merchant/").content.decode()
    assert '<strong id="merchant-debt">¥8.00</strong>' in page
    assert "Payouts wait until your debt is settled." in page
    assert 'name="debt-amount" value="5.00"' in page
    response = client.post(
        "/wallet/merchant/debt/",
        {"debt-amount": "5", "debt-idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    page = response.content.decode()
    assert "¥5.00 of your debt settled from your balance." in page
    assert '<strong id="merchant-debt">¥3.00</strong>' in page


def test_merchant_page_deposit_by_payment_goes_to_the_provider(merchant):
    response = client_for(merchant).post(
        "/wallet/merchant/deposit/",
        {"deposit-amount": "100", "deposit-idempotency_key": str(uuid.uuid4()), "via": "provider"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/wallet/sandbox/pay/")


def test_deposit_and_debt_forms_are_not_for_a_person(alice):
    client = client_for(alice)
    for url in ("/wallet/merchant/deposit/", "/wallet/merchant/debt/"):
        assert client.post(url, {"deposit-amount": "1", "debt-amount": "1"}).status_code == 404


# The operator's admin -------------------------------------------------------------------------


def test_operator_sets_the_minimum_deposit(merchant, make_user):
    operator = make_user("op", is_staff=True, is_superuser=True)
    client = client_for(operator)
    response = client.post(
        "/admin/wallet/depositrequirement/add/",
        {"merchant": merchant.pk, "minimum": "200000", "currency": "CNY"},
    )
    assert response.status_code == 302
    requirement = DepositRequirement.objects.get()
    assert (requirement.minimum, requirement.updated_by) == (200_000, operator)
    listing = client.get("/admin/wallet/depositrequirement/").content.decode()
    assert "¥2,000.00" in listing


def test_operator_returns_the_deposit_of_a_merchant_that_stopped(alice, merchant, make_user):
    operator = make_user("op", is_staff=True, is_superuser=True)
    fund_merchant(merchant.pk, alice.pk, 3000, order_id=1)
    actions.pay_deposit(merchant_id=merchant.pk, amount=2000)
    requirement = DepositRequirement.objects.create(merchant=merchant, minimum=2000)
    response = client_for(operator).post(
        "/admin/wallet/depositrequirement/",
        {"action": "return_deposit", "_selected_action": [requirement.pk]},
        follow=True,
    )
    assert "@acme: ¥20.00 returned to the balance." in response.content.decode()
    assert balance_of(user_id=merchant.pk, kind=AccountKind.DEPOSIT) == 0
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 3000


def test_the_deposit_of_a_merchant_still_selling_stays(alice, merchant, make_user):
    operator = make_user("op", is_staff=True, is_superuser=True)
    fund_merchant(merchant.pk, alice.pk, 3000, order_id=1, recent=True)
    actions.pay_deposit(merchant_id=merchant.pk, amount=2000)
    requirement = DepositRequirement.objects.create(merchant=merchant, minimum=2000)
    response = client_for(operator).post(
        "/admin/wallet/depositrequirement/",
        {"action": "return_deposit", "_selected_action": [requirement.pk]},
        follow=True,
    )
    assert "@acme: The deposit is returned only once the merchant has stopped selling" in (
        response.content.decode()
    )
    assert balance_of(user_id=merchant.pk, kind=AccountKind.DEPOSIT) == 2000
