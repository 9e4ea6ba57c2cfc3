import pytest

from infoconnect.core.pagination import PageParams
from infoconnect.wallet import actions
from infoconnect.wallet.models import AccountKind
from infoconnect.wallet.selectors import balance_of, platform_totals, statement
from infoconnect.wallet.tests.helpers import age_release, fund, fund_merchant


@pytest.fixture
def alice(make_user):
    return make_user("alice")


@pytest.fixture
def merchant(make_user):
    return make_user("acme", kind="merchant", verified=True)


def test_balance_of_an_account_never_used_is_zero(alice):
    assert balance_of(user_id=alice.pk, kind=AccountKind.WALLET) == 0
    assert balance_of(user_id=alice.pk, kind=AccountKind.MERCHANT) == 0


def test_balance_of_each_kind(alice, merchant):
    fund(alice.pk, 500)
    fund_merchant(merchant.pk, alice.pk, 300, order_id=1)
    assert balance_of(user_id=alice.pk, kind=AccountKind.WALLET) == 500
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT) == 300
    assert balance_of(user_id=merchant.pk, kind=AccountKind.WALLET) == 0


def test_statement_is_newest_first_with_running_balance(alice):
    fund(alice.pk, 500)
    actions.pay_order(buyer_id=alice.pk, order_id=3, amount=200)
    actions.refund_escrow(order_id=3, buyer_id=alice.pk, amount=200)
    entries = statement(user_id=alice.pk, kind=AccountKind.WALLET)
    assert [(e.transaction.description, e.amount, e.balance_after) for e in entries] == [
        ("Refund for order #3", 200, 500),
        ("Payment for order #3", -200, 300),
        ("Top-up", 500, 500),
    ]
    older = statement(
        user_id=alice.pk, kind=AccountKind.WALLET, page=PageParams(max_id=entries[0].pk, limit=1)
    )
    assert [e.pk for e in older] == [entries[1].pk]


def test_statement_of_a_merchant_balance_is_separate_from_its_wallet(alice, merchant):
    fund_merchant(merchant.pk, alice.pk, 300, order_id=1)
    assert statement(user_id=merchant.pk, kind=AccountKind.WALLET) == []
    assert [e.amount for e in statement(user_id=merchant.pk, kind=AccountKind.MERCHANT)] == [300]


def test_platform_totals(alice, merchant):
    fund(alice.pk, 10000)
    actions.pay_order(buyer_id=alice.pk, order_id=1, amount=6000)
    age_release(
        actions.release_escrow(order_id=1, merchant_id=merchant.pk, amount=5000, commission=100)
    )  # sold before the refund window: its money may be paid out
    actions.hold_campaign_cost(merchant_id=merchant.pk, campaign_id=1, amount=900)
    actions.settle_campaign(merchant_id=merchant.pk, campaign_id=1, charged=400)
    actions.request_payout(merchant_id=merchant.pk, amount=1000)
    totals = platform_totals()
    assert totals["commission_revenue"] == 100
    assert totals["messaging_revenue"] == 400
    assert totals["escrow"] == 1000
    assert totals["payout_pending"] == 1000
    assert totals["merchant"] == 4900 - 400 - 1000
    assert totals["in_system"] == 10000
