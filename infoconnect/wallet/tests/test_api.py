import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from infoconnect.core.models import IdempotencyRecord
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind, Payment, Payout, ProviderNotification
from infoconnect.wallet.providers import get_provider
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent, fund, fund_merchant

WEBHOOK = "/api/v1/wallet/webhooks/sandbox"


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def post_json(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


def deliver(client, body: bytes, headers: dict):
    return client.post(WEBHOOK, data=body, content_type="application/json", headers=headers)


# Balance and statement -------------------------------------------------------------------


def test_wallet_balance(alice, api_client):
    fund(alice.pk, 1234)
    response = api_client(alice).get("/api/v1/wallet")
    assert response.status_code == 200
    assert response.json() == {
        "balance": 1234,
        "currency": "CNY",
        "display": "¥12.34",
        "merchant_balance": None,
    }


def test_merchant_sees_its_merchant_balance(alice, merchant, api_client):
    fund_merchant(merchant.pk, alice.pk, 5000, order_id=1)
    body = api_client(merchant).get("/api/v1/wallet").json()
    assert body["merchant_balance"] == {
        "available": 5000,
        "payout_pending": 0,
        "campaign_hold": 0,
        "display": "¥50.00",
    }


def test_wallet_needs_a_login(api_client):
    response = api_client().get("/api/v1/wallet")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_statement_pages_with_a_cursor(alice, api_client):
    for amount in (100, 200, 300):
        fund(alice.pk, amount)
    actions.pay_order(buyer_id=alice.pk, order_id=12, amount=250)
    client = api_client(alice)
    response = client.get("/api/v1/wallet/statement?limit=2")
    first = response.json()
    assert [(e["description"], e["amount"], e["balance_after"]) for e in first] == [
        ("Payment for order #12", -250, 350),
        ("Top-up", 300, 600),
    ]
    assert first[0]["display_amount"] == "-¥2.50"
    assert 'rel="next"' in response["Link"]
    second = client.get(f"/api/v1/wallet/statement?limit=2&max_id={first[-1]['id']}").json()
    assert [e["amount"] for e in second] == [200, 100]


def test_statement_shows_only_your_own_entries(alice, make_user, api_client):
    bob = make_user("bob")
    fund(alice.pk, 100)
    assert api_client(bob).get("/api/v1/wallet/statement").json() == []


def test_merchant_statement_is_for_merchants(alice, api_client):
    response = api_client(alice).get("/api/v1/wallet/statement?account=merchant")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_merchant"
    response = api_client(alice).get("/api/v1/wallet/statement?account=bank")
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert list(response.json()["fields"]) == ["account"]


# Top-ups ---------------------------------------------------------------------------------


def test_topup_returns_the_redirect_and_replays(alice, api_client):
    client = api_client(alice)
    response = post_json(
        client, "/api/v1/wallet/topups", {"amount": 5000}, **{"Idempotency-Key": "k1"}
    )
    assert response.status_code == 201
    body = response.json()
    payment = Payment.objects.get()
    assert body["redirect_url"] == f"http://testserver/wallet/sandbox/pay/{payment.provider_ref}/"
    assert body["status"] == "pending"
    again = post_json(
        client, "/api/v1/wallet/topups", {"amount": 5000}, **{"Idempotency-Key": "k1"}
    )
    assert again.status_code == 201
    assert again.json() == body
    assert Payment.objects.count() == 1


def test_topup_key_reused_with_other_parameters(alice, api_client):
    client = api_client(alice)
    post_json(client, "/api/v1/wallet/topups", {"amount": 5000}, **{"Idempotency-Key": "k1"})
    response = post_json(
        client, "/api/v1/wallet/topups", {"amount": 6000}, **{"Idempotency-Key": "k1"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_topup_needs_an_idempotency_key(alice, api_client):
    response = post_json(api_client(alice), "/api/v1/wallet/topups", {"amount": 5000})
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"amount": 0}, "invalid_amount"),
        ({"amount": -100}, "invalid_amount"),
        ({"amount": 5_000_001}, "amount_too_large"),
        ({"amount": 100, "currency": "XYZ"}, "unsupported_currency"),
        # A currency we can print but the shop does not sell in: the wallet could not spend it.
        ({"amount": 100, "currency": "USD"}, "unsupported_currency"),
        ({"amount": "100"}, "validation_error"),
        ({}, "validation_error"),
    ],
)
def test_topup_bad_input(alice, api_client, payload, code):
    response = post_json(
        api_client(alice), "/api/v1/wallet/topups", payload, **{"Idempotency-Key": "k"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert Payment.objects.count() == 0


def test_topup_of_someone_else_is_not_found(alice, make_user, api_client):
    bob = make_user("bob")
    payment = actions.start_topup(user_id=alice.pk, amount=100)
    assert api_client(alice).get(f"/api/v1/wallet/topups/{payment.pk}").json()["amount"] == 100
    response = api_client(bob).get(f"/api/v1/wallet/topups/{payment.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"


# Webhook ---------------------------------------------------------------------------------


def signed(payment: Payment, event="payment.succeeded", **kwargs):
    return get_provider("sandbox").build_notification(
        event=event,
        object_ref=payment.provider_ref,
        amount=payment.amount,
        currency=payment.currency,
        **kwargs,
    )


def test_webhook_credits_the_wallet(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    response = deliver(api_client(), *signed(payment))
    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert balance_of(user_id=alice.pk) == 5000
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert_ledger_consistent()


def test_webhook_duplicate_notification_changes_nothing(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    client = api_client()
    assert deliver(client, *signed(payment)).status_code == 200
    # The provider sends the same event again under a new notification id.
    assert deliver(client, *signed(payment)).status_code == 200
    assert balance_of(user_id=alice.pk) == 5000
    assert ProviderNotification.objects.count() == 2


def test_webhook_refuses_a_replay(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body, headers = signed(payment)
    client = api_client()
    assert deliver(client, body, headers).status_code == 200
    response = deliver(client, body, headers)
    assert response.status_code == 409
    assert response.json()["code"] == "notification_replayed"
    assert balance_of(user_id=alice.pk) == 5000


def test_webhook_refuses_a_wrong_signature(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body, headers = signed(payment)
    tampered = body.replace(b'"amount":5000', b'"amount":9000')
    response = deliver(api_client(), tampered, headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    headers["X-Sandbox-Signature"] = "0" * 64
    assert deliver(api_client(), body, headers).json()["code"] == "invalid_signature"
    del headers["X-Sandbox-Signature"]
    assert deliver(api_client(), body, headers).json()["code"] == "invalid_signature"
    assert balance_of(user_id=alice.pk) == 0
    assert ProviderNotification.objects.count() == 0


def test_webhook_with_another_secret_is_refused(alice, api_client, settings):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    settings.WALLET_SANDBOX_SECRET = "attacker"
    body, headers = signed(payment)
    settings.WALLET_SANDBOX_SECRET = "sandbox-development-secret"
    assert deliver(api_client(), body, headers).json()["code"] == "invalid_signature"


def test_webhook_refuses_an_old_timestamp(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    response = deliver(api_client(), *signed(payment, timestamp=int(time.time()) - 301))
    assert response.status_code == 400
    assert response.json()["code"] == "notification_expired"
    assert (
        deliver(api_client(), *signed(payment, timestamp=int(time.time()) - 290)).status_code == 200
    )
    assert balance_of(user_id=alice.pk) == 5000


def test_webhook_for_an_unknown_payment_or_provider(alice, api_client):
    body, headers = get_provider("sandbox").build_notification(
        event="payment.succeeded", object_ref="sbp_nope", amount=1, currency="CNY"
    )
    response = deliver(api_client(), body, headers)
    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"
    assert ProviderNotification.objects.count() == 0
    response = api_client().post(
        "/api/v1/wallet/webhooks/paypal",
        data=body,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_provider"


def test_webhook_amount_must_match_the_payment(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    body, headers = get_provider("sandbox").build_notification(
        event="payment.succeeded", object_ref=payment.provider_ref, amount=9000, currency="CNY"
    )
    response = deliver(api_client(), body, headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_notification"
    assert balance_of(user_id=alice.pk) == 0


def test_webhook_garbage_body(api_client):
    provider = get_provider("sandbox")
    body = b"not json"
    stamp = int(time.time())
    headers = {
        "X-Sandbox-Timestamp": str(stamp),
        "X-Sandbox-Signature": provider.sign(timestamp=stamp, body=body),
    }
    response = deliver(api_client(), body, headers)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_notification"


def test_cancelled_payment_notification(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    assert deliver(api_client(), *signed(payment, event="payment.canceled")).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert balance_of(user_id=alice.pk) == 0


def _expire(payment: Payment) -> None:
    assert actions.expire_stale_topups(now=timezone.now() + timedelta(minutes=31)) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED


def test_late_success_for_an_expired_topup_credits_it_once(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    _expire(payment)
    client = api_client(alice)
    assert client.get(f"/api/v1/wallet/topups/{payment.pk}").json()["status"] == "expired"
    body, headers = signed(payment)
    assert deliver(api_client(), body, headers).status_code == 200
    assert balance_of(user_id=alice.pk) == 5000
    assert client.get(f"/api/v1/wallet/topups/{payment.pk}").json()["status"] == "succeeded"
    # The provider repeats the event under a new id: nothing more moves.
    assert deliver(api_client(), *signed(payment)).status_code == 200
    # The very same notification again is a replay.
    replay = deliver(api_client(), body, headers)
    assert replay.status_code == 409 and replay.json()["code"] == "notification_replayed"
    assert balance_of(user_id=alice.pk) == 5000
    assert client.get("/api/v1/wallet").json()["display"] == "¥50.00"
    assert ProviderNotification.objects.count() == 2
    assert_ledger_consistent()


def test_cancel_notification_for_an_expired_topup_changes_nothing(alice, api_client):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    _expire(payment)
    assert deliver(api_client(), *signed(payment, event="payment.canceled")).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.EXPIRED
    assert balance_of(user_id=alice.pk) == 0


def test_notifications_for_a_topup_the_payer_cancelled(
    alice, api_client, django_capture_on_commit_callbacks
):
    payment = actions.start_topup(user_id=alice.pk, amount=5000)
    web = Client()
    web.force_login(alice)
    # The payer presses Cancel on the provider's page; the provider notifies us.
    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/wallet/sandbox/pay/{payment.provider_ref}/", {"decision": "cancel"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    # A second cancellation is recorded and moves nothing; a cancelled top-up never expires.
    assert deliver(api_client(), *signed(payment, event="payment.canceled")).status_code == 200
    assert actions.expire_stale_topups(now=timezone.now() + timedelta(minutes=31)) == 0
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert balance_of(user_id=alice.pk) == 0
    # If the provider then reports success after all, the money was taken: it is credited,
    # once, however often the success is told.
    assert deliver(api_client(), *signed(payment)).status_code == 200
    assert deliver(api_client(), *signed(payment)).status_code == 200
    assert balance_of(user_id=alice.pk) == 5000
    assert ProviderNotification.objects.filter(object_ref=payment.provider_ref).count() == 4
    assert api_client(alice).get(f"/api/v1/wallet/topups/{payment.pk}").json()["status"] == (
        "succeeded"
    )


# Payouts ---------------------------------------------------------------------------------


def test_payout_is_confirmed_asynchronously(
    alice, merchant, api_client, django_capture_on_commit_callbacks
):
    fund_merchant(merchant.pk, alice.pk, 10000, order_id=1)
    client = api_client(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client, "/api/v1/wallet/payouts", {"amount": 4000}, **{"Idempotency-Key": "p1"}
        )
    assert response.status_code == 201
    body = response.json()
    assert body["amount"] == 4000
    payout = Payout.objects.get()
    assert payout.status == Payout.Status.PAID
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 6000
    assert balance_of(user_id=merchant.pk, kind=AccountKind.PAYOUT_PENDING) == 0
    # Replayed: the first answer, and no second payout.
    again = post_json(
        client, "/api/v1/wallet/payouts", {"amount": 4000}, **{"Idempotency-Key": "p1"}
    )
    assert again.json() == body
    assert Payout.objects.count() == 1
    listed = client.get("/api/v1/wallet/payouts").json()
    assert [(p["id"], p["status"]) for p in listed] == [(payout.pk, "paid")]
    assert client.get(f"/api/v1/wallet/payouts/{payout.pk}").json()["status"] == "paid"
    assert_ledger_consistent()


def test_failed_payout_returns_the_money(
    alice, merchant, api_client, django_capture_on_commit_callbacks
):
    fund_merchant(merchant.pk, alice.pk, 10000, order_id=1)
    with django_capture_on_commit_callbacks(execute=True):
        # The sandbox fails every payout whose fen part is 13.
        post_json(
            api_client(merchant),
            "/api/v1/wallet/payouts",
            {"amount": 513},
            **{"Idempotency-Key": "p1"},
        )
    assert Payout.objects.get().status == Payout.Status.FAILED
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 10000
    assert_ledger_consistent()


def test_payout_more_than_the_balance(alice, merchant, api_client):
    fund_merchant(merchant.pk, alice.pk, 100, order_id=1)
    response = post_json(
        api_client(merchant), "/api/v1/wallet/payouts", {"amount": 101}, **{"Idempotency-Key": "p1"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": "The merchant balance is too low for this.",
        "code": "insufficient_funds",
    }
    assert Payout.objects.count() == 0
    assert IdempotencyRecord.objects.get().status_code == 409


def test_payout_in_another_currency_is_refused(alice, merchant, api_client):
    fund_merchant(merchant.pk, alice.pk, 10_000, order_id=1)
    response = post_json(
        api_client(merchant),
        "/api/v1/wallet/payouts",
        {"amount": 100, "currency": "EUR"},
        **{"Idempotency-Key": "p1"},
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": "That currency is not supported.",
        "code": "unsupported_currency",
    }
    assert Payout.objects.count() == 0
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 10_000
    assert_ledger_consistent()


def test_payout_by_a_person_is_refused(alice, api_client):
    fund(alice.pk, 100)
    response = post_json(
        api_client(alice), "/api/v1/wallet/payouts", {"amount": 50}, **{"Idempotency-Key": "p1"}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_merchant"
    assert api_client(alice).get("/api/v1/wallet/payouts").status_code == 403


def test_payout_of_another_merchant_is_not_found(alice, merchant, make_user, api_client):
    rival = make_user("rival", kind="merchant", verified=True)
    fund_merchant(merchant.pk, alice.pk, 100, order_id=1)
    payout = actions.request_payout(merchant_id=merchant.pk, amount=50)
    response = api_client(rival).get(f"/api/v1/wallet/payouts/{payout.pk}")
    assert response.status_code == 404
    assert api_client(rival).get("/api/v1/wallet/payouts").json() == []


def test_openapi_documents_the_wallet(api_client):
    paths = api_client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/wallet", "/api/v1/wallet/statement", "/api/v1/wallet/topups"} <= set(paths)
