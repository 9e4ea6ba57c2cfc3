"""Refunds racing on PostgreSQL: partial refunds never give back more than was paid, however
requests, grants and the buyer's confirmation interleave."""

import pytest
from django.db import connection

from infoconnect.shop import actions
from infoconnect.shop.models import Order, RefundRequest
from infoconnect.shop.tests.conftest import make_product, merchant_balance, wallet_balance
from infoconnect.shop.tests.test_refunds import PRICE, bought
from infoconnect.wallet.models import AccountKind
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import assert_ledger_consistent
from infoconnect.wallet.tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_concurrent_grants_of_one_partial_request_refund_it_once(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=3, to="completed")
    actions.request_refund(buyer=buyer, order_id=order.pk, reason="Two torn", amount=2 * PRICE)

    def work(index: int) -> None:
        actions.answer_refund(merchant=merchant, order_id=order.pk, accept=True)

    results = run_together(4, work)
    assert sorted(results) == ["invalid_state", "invalid_state", "invalid_state", "ok"]
    order.refresh_from_db()
    assert (order.state, order.refunded_amount) == ("completed", 2 * PRICE)
    assert wallet_balance(buyer) == 2 * PRICE
    assert_ledger_consistent()


def test_concurrent_requests_open_one(buyer, merchant, scarf):
    order = bought(buyer, merchant, scarf, quantity=3, to="shipped")

    def work(index: int) -> None:
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="Late", amount=PRICE * 3)

    assert sorted(run_together(4, work)) == [
        "ok",
        "refund_exists",
        "refund_exists",
        "refund_exists",
    ]
    assert RefundRequest.objects.count() == 1


def test_partial_refunds_racing_the_confirmation_never_exceed_what_was_paid(buyer, merchant):
    """Each round, a partial refund's grant and the buyer's confirmation race; whichever wins,
    the buyer gets back exactly the refund, escrow ends empty and the merchant keeps its
    share of the rest less commission."""
    mugs = make_product(merchant, title="Mug", price=PRICE, stock=20)
    rounds = 4
    for round_ in range(rounds):
        order = bought(buyer, merchant, mugs, quantity=2, to="shipped", key=f"r{round_}")
        actions.request_refund(buyer=buyer, order_id=order.pk, reason="One torn", amount=PRICE)
        before = wallet_balance(buyer)

        def work(index: int, order_id=order.pk) -> None:
            if index == 0:
                actions.answer_refund(merchant=merchant, order_id=order_id, accept=True)
            else:
                actions.confirm_receipt(buyer=buyer, order_id=order_id)

        assert run_together(2, work) == ["ok", "ok"]
        order = Order.objects.get(pk=order.pk)
        assert (order.state, order.refunded_amount) == ("completed", PRICE)
        assert wallet_balance(buyer) == before + PRICE
    assert balance_of(user_id=buyer.pk, kind=AccountKind.ESCROW) == 0
    # Released first or refunded first, the merchant nets the same: 2% off the half kept.
    assert merchant_balance(merchant) == rounds * (PRICE - 258)
    assert_ledger_consistent()
