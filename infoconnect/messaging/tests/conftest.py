import threading

import pytest
from django.db import connections

from infoconnect.messaging import actions
from infoconnect.messaging.actions import delivery
from infoconnect.social.models import Follow
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import AccountKind

# What the `merchant` fixture starts with: enough for any campaign in these tests (1 fen each).
MERCHANT_FUNDS = 10_000


@pytest.fixture
def fund_balance():
    """`fund_balance(merchant, fen)`: a confirmed top-up into the merchant's balance, through
    the wallet's own top-up actions, so campaigns can hold their cost."""

    def fund(merchant, amount: int) -> None:
        payment = wallet_actions.start_topup(
            user_id=merchant.pk, amount=amount, destination=AccountKind.MERCHANT
        )
        wallet_actions.complete_topup(payment_id=payment.pk)

    return fund


@pytest.fixture
def merchant(make_user, fund_balance):
    """An enrolled, verified merchant with ¥100.00 in its balance to pay for campaigns."""
    user = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=user)
    fund_balance(user, MERCHANT_FUNDS)
    return user


@pytest.fixture
def followers(make_user, merchant):
    """Ten people following the merchant, in id order."""
    people = [make_user(f"fan{i:02d}", region="SH" if i % 2 else "BJ") for i in range(10)]
    Follow.objects.bulk_create([Follow(follower=p, target=merchant) for p in people])
    return people


@pytest.fixture
def campaign(merchant):
    return actions.create_campaign(
        merchant=merchant,
        title="Spring sale",
        body="Everything 20% off this week.",
        link_url="https://shop.example.com/spring",
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what the block queued on commit, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def cancel_during_second_chunk(monkeypatch, *, merchant, campaign) -> None:
    """Make the merchant's cancel commit from another connection while the worker's second
    chunk is still open (PostgreSQL only: SQLite has one writer)."""
    real = delivery.record_chunk
    calls = {"n": 0}

    def cancel_from_another_connection():
        try:
            actions.cancel_campaign(merchant=merchant, campaign_id=campaign.pk)
        finally:
            connections.close_all()

    def record(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            other = threading.Thread(target=cancel_from_another_connection)
            other.start()
            other.join()
        return real(**kwargs)

    monkeypatch.setattr(delivery, "record_chunk", record)
