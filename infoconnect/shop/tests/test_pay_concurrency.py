"""On PostgreSQL: the provider's confirmation and the buyer's own "Pay from wallet" racing on
one order pay it once, without a deadlock (both lock the order before the wallet)."""

import pytest
from django.db import connection

from infoconnect.shop import actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, wallet_balance
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import LedgerTransaction
from infoconnect.wallet.tests.helpers import assert_ledger_consistent
from infoconnect.wallet.tests.test_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


@pytest.mark.parametrize("attempt", range(3))
def test_the_provider_and_the_wallet_racing_pay_the_order_once(buyer, scarf, address, attempt):
    order = actions.buy_now(
        buyer=buyer, sku_id=scarf[1].pk, quantity=1, address_id=address.pk, key="o"
    )
    fund(buyer, 9_000)
    topup = actions.pay_in_one_step(buyer=buyer, order_id=order.pk, channel="wechat").topup
    assert topup.amount == 3_900
    # Meanwhile the buyer's wallet got the rest another way, so both can pay.
    fund(buyer, 3_900)

    def work(index: int) -> None:
        if index == 0:
            wallet_actions.complete_topup(payment_id=topup.pk)
        else:
            actions.pay_order(buyer=buyer, order_id=order.pk)

    results = run_together(2, work)
    # Whichever comes second finds the order paid; nothing else goes wrong (a deadlock would).
    assert sorted(results) in (["invalid_state", "ok"], ["ok", "ok"])
    assert Order.objects.get(pk=order.pk).state == "paid"
    assert LedgerTransaction.objects.filter(kind="order_payment").count() == 1
    assert wallet_balance(buyer) == 9_000 + 3_900 + 3_900 - 12_900
    assert_ledger_consistent()
