"""POST /api/v1/orders/{id}/pay_in_one_step and GET of the payment it opened."""

import pytest

from infoconnect.shop import actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, wallet_balance
from infoconnect.shop.tests.test_api import error, post
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import LedgerTransaction, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, scarf, address):
    return actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o"
    )


def url(order) -> str:
    return f"/api/v1/orders/{order.pk}/pay_in_one_step"


def test_a_covering_wallet_pays_and_answers_with_the_paid_order(api_client, buyer, order):
    fund(buyer, 20_000)
    response = post(api_client(buyer), url(order), {}, key="k1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["outcome"], body["order"]["state"], body["payment"]) == ("paid", "paid", None)
    assert wallet_balance(buyer) == 7_100


def test_a_shortfall_answers_with_the_provider_page_then_the_payment_pays_the_order(
    api_client, buyer, order
):
    fund(buyer, 9_000)
    client = api_client(buyer)
    response = post(client, url(order), {"channel": "alipay"}, key="k1")
    assert response.status_code == 200, response.content
    body = response.json()
    payment = Payment.objects.get(order_id=order.pk)
    assert body["outcome"] == "redirect"
    assert body["redirect_url"] == f"http://testserver{payment.redirect_url}"
    assert {k: body["payment"][k] for k in ("id", "status", "amount", "amount_display")} == {
        "id": payment.pk,
        "status": "pending",
        "amount": 3_900,
        "amount_display": "¥39.00",
    }
    assert (body["payment"]["channel"], body["order"]["state"]) == ("alipay", "awaiting_payment")
    # The same key replays the first answer and opens nothing more.
    assert post(client, url(order), {"channel": "alipay"}, key="k1").json() == body
    assert Payment.objects.count() == 2  # the fund() top-up and this one
    wallet_actions.complete_topup(payment_id=payment.pk)
    status = client.get(f"/api/v1/orders/{order.pk}/payments/{payment.pk}")
    assert status.status_code == 200
    assert (status.json()["status"], status.json()["order_state"]) == ("succeeded", "paid")
    assert LedgerTransaction.objects.filter(kind="order_payment").count() == 1


def test_bad_input_is_refused_and_writes_nothing(api_client, buyer, order):
    client = api_client(buyer)
    error(post(client, url(order), {"channel": "wechat"}), 400, "idempotency_key_missing")
    error(post(client, url(order), {"channel": "paypal"}, key="k1"), 422, "validation_error")
    error(post(client, url(order), {"chanel": "wechat"}, key="k2"), 422, "validation_error")
    error(post(client, url(order), {}, key="k3"), 422, "invalid_channel")
    error(post(client, url(order), {"channel": "wechat"}, key="k3"), 409, "idempotency_key_reused")
    assert not Payment.objects.exists()
    assert Order.objects.get(pk=order.pk).state == "awaiting_payment"


def test_who_may_not_pay_or_see_the_payment(api_client, make_user, buyer, merchant, order):
    response = post(api_client(buyer), url(order), {"channel": "wechat"}, key="k1")
    payment_id = response.json()["payment"]["id"]
    for person in (make_user("mallory"), merchant):
        client = api_client(person)
        error(post(client, url(order), {"channel": "wechat"}, key="k1"), 404, "order_not_found")
        response = client.get(f"/api/v1/orders/{order.pk}/payments/{payment_id}")
        assert response.status_code == 404
    assert api_client().post(url(order)).status_code == 401
    other = actions.buy_now(
        buyer=buyer, sku_id=order.lines.get().sku_id, quantity=1,
        address_id=order.buyer.addresses.get().pk, key="o2",
    )  # fmt: skip
    response = api_client(buyer).get(f"/api/v1/orders/{other.pk}/payments/{payment_id}")
    error(response, 404, "payment_not_found")
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("order_id", ["-84", "0"])
def test_a_number_that_is_no_order_id_is_a_404_not_a_500(api_client, buyer, order, order_id):
    response = post(api_client(buyer), f"/api/v1/orders/{order_id}/pay_in_one_step", {}, key="k")
    error(response, 404, "order_not_found")
    assert Payment.objects.count() == 0
