"""Campaign billing: the estimated cost is held when sending starts, delivered × price is
charged when the campaign ends, the rest goes back to the merchant."""

import uuid
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, MarketingPreference, Message
from infoconnect.messaging.tests.conftest import cancel_during_second_chunk
from infoconnect.social.models import Follow, Mute
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.models import PLATFORM, AccountKind, LedgerEntry, LedgerTransaction
from infoconnect.wallet.tests.helpers import assert_ledger_consistent

pytestmark = pytest.mark.django_db

PRICE = 3  # fen per delivered message in these tests
FUNDS = 1_000


def set_price(fen: int) -> None:
    PlatformSettings.objects.update_or_create(pk=1, defaults={"price_per_message_fen": fen})
    PlatformSettings.objects.exclude(pk=1).delete()


@pytest.fixture(autouse=True)
def price():
    set_price(PRICE)


@pytest.fixture
def shop(make_user, fund_balance):
    """An enrolled merchant with ¥10.00 and ten followers."""
    user = make_user("teashop", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=user)
    fund_balance(user, FUNDS)
    fans = [make_user(f"tea{i:02d}") for i in range(10)]
    Follow.objects.bulk_create([Follow(follower=fan, target=user) for fan in fans])
    user.fans = fans
    return user


@pytest.fixture
def broke(make_user):
    """An enrolled merchant with three followers and nothing in its balance."""
    user = make_user("brokeshop", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=user)
    fans = [make_user(f"poor{i}") for i in range(3)]
    Follow.objects.bulk_create([Follow(follower=fan, target=user) for fan in fans])
    return user


def draft(merchant) -> Campaign:
    return actions.create_campaign(merchant=merchant, title="Tea week", body="New leaves are in.")


def balances(merchant) -> dict[str, int]:
    return {
        "merchant": wallet_selectors.balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT),
        "held": wallet_selectors.balance_of(user_id=merchant.pk, kind=AccountKind.CAMPAIGN_HOLD),
        "revenue": wallet_selectors.platform_account_balance(kind=AccountKind.MESSAGING_REVENUE),
    }


def assert_ledger_balanced() -> None:
    assert LedgerEntry.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert_ledger_consistent()


def campaign_transactions(campaign: Campaign) -> list[tuple[str, int]]:
    return sorted(
        LedgerTransaction.objects.filter(reference=str(campaign.pk))
        .filter(kind__startswith="campaign_")
        .values_list("kind", "amount")
    )


# ---------------------------------------------------------------- holding


def test_send_holds_the_price_of_every_follower_in_the_audience(shop):
    campaign = draft(shop)
    MarketingPreference.objects.create(
        follower=shop.fans[0], merchant=shop, accepts_marketing=False
    )
    estimate = actions.estimate_campaign(merchant=shop, campaign_id=campaign.pk)
    assert (estimate["recipients"], estimate["cost_fen"], estimate["hold_fen"]) == (9, 27, 30)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.state == "sending"
    assert balances(shop) == {"merchant": FUNDS - 30, "held": 30, "revenue": 0}
    assert campaign_transactions(campaign) == [("campaign_hold", 30)]
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 30, "charged": None}
    assert_ledger_balanced()
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    assert balances(shop) == {"merchant": FUNDS - 27, "held": 0, "revenue": 27}


def test_a_segment_holds_only_its_own_followers(shop):
    from infoconnect.messaging.models import FollowerTag

    FollowerTag.objects.bulk_create(
        [FollowerTag(merchant=shop, follower=fan, tag="vip") for fan in shop.fans[:4]]
    )
    campaign = actions.create_campaign(
        merchant=shop, title="VIP tea", body="For you first.", audience={"tags": ["vip"]}
    )
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    assert campaign_transactions(campaign) == [("campaign_hold", 12)]


def test_send_without_enough_balance_is_refused_and_nothing_is_held(broke):
    campaign = draft(broke)
    with pytest.raises(DomainError) as error:
        actions.send_campaign(merchant=broke, campaign_id=campaign.pk)
    assert (error.value.code, error.value.status) == ("insufficient_funds", 409)
    assert error.value.message == (
        "Your merchant balance (¥0.00) is too low: sending holds ¥0.09, a message's price for"
        " each follower in the audience; you pay only for those delivered. Top up and send"
        " again."
    )
    campaign.refresh_from_db()
    assert (campaign.state, campaign.message_id, campaign.started_at) == ("draft", None, None)
    assert campaign_transactions(campaign) == []
    assert not Message.objects.filter(campaign=campaign).exists()
    assert balances(broke) == {"merchant": 0, "held": 0, "revenue": 0}


def test_send_over_the_api_without_enough_balance_is_a_409(broke, fund_balance, api_client):
    campaign = draft(broke)
    fund_balance(broke, 5)
    client = api_client(broke)
    response = client.post(
        f"/api/v1/campaigns/{campaign.pk}/send",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "insufficient_funds",
        "error": "Your merchant balance (¥0.05) is too low: sending holds ¥0.09, a message's"
        " price for each follower in the audience; you pay only for those delivered. Top up"
        " and send again.",
    }
    campaign.refresh_from_db()
    assert campaign.state == "draft"
    assert campaign_transactions(campaign) == []
    assert balances(broke)["merchant"] == 5
    # Topped up, a new request sends.
    fund_balance(broke, 4)
    again = client.post(
        f"/api/v1/campaigns/{campaign.pk}/send",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert (again.status_code, again.json()["state"]) == (200, "sending")
    assert balances(broke) == {"merchant": 0, "held": 9, "revenue": 0}


def test_send_page_shows_the_insufficient_balance_error(broke, client):
    campaign = draft(broke)
    client.force_login(broke)
    estimate = client.get(f"/messages/campaigns/{campaign.pk}/estimate/").content.decode()
    assert "Sending holds ¥0.09 from your merchant balance until the campaign ends." in estimate
    page = client.get(f"/messages/campaigns/{campaign.pk}/")
    assert (
        '<span data-testid="merchant-balance" class="money">¥0.00</span> · <a href="/wallet/merchant/">'
        "Top up balance</a>"
    ) in page.content.decode()
    response = client.post(
        f"/messages/campaigns/{campaign.pk}/send/",
        {"idempotency_key": str(uuid.uuid4())},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "Your merchant balance (¥0.00) is too low: sending holds ¥0.09, a message&#x27;s price"
        " for each follower in the audience; you pay only for those delivered. Top up and send"
        " again."
    ) in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.state == "draft"
    assert campaign_transactions(campaign) == []


def test_scheduled_campaign_without_balance_fails_when_due(broke):
    campaign = draft(broke)
    actions.schedule_campaign(
        merchant=broke,
        campaign_id=campaign.pk,
        scheduled_at=timezone.now() + timedelta(minutes=5),
    )
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    assert actions.start_scheduled(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()
    assert campaign.state == "failed"
    assert (campaign.failure_code, campaign.failure_detail) == (
        "insufficient_funds",
        {"balance": 0, "cost": 9},
    )
    assert campaign.failure_reason == (
        "When it was due, your merchant balance (¥0.00) was too low to hold ¥0.09, a message's"
        " price for each follower in the audience."
    )
    assert campaign_transactions(campaign) == []


# ---------------------------------------------------------------- settling


def test_sent_campaign_charges_delivered_and_releases_the_rest(shop):
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    # Two followers turn marketing off after the hold: they get nothing and cost nothing.
    for fan in shop.fans[:2]:
        MarketingPreference.objects.create(follower=fan, merchant=shop, accepts_marketing=False)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 8)
    assert balances(shop) == {"merchant": FUNDS - 24, "held": 0, "revenue": 24}
    assert campaign_transactions(campaign) == [("campaign_hold", 30), ("campaign_settle", 30)]
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 30, "charged": 24}
    assert_ledger_balanced()


def test_charge_never_exceeds_the_hold(shop, make_user):
    # Between two followers' ids, so inside the range the send writes.
    late = make_user("late")
    Follow.objects.filter(follower=shop.fans[9]).delete()
    Follow.objects.create(follower=make_user("last"), target=shop)
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    # Follows after the hold: receives it, but only the held cost is charged.
    Follow.objects.create(follower=late, target=shop)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.delivered == 11
    assert balances(shop) == {"merchant": FUNDS - 30, "held": 0, "revenue": 30}
    assert_ledger_balanced()


def test_cancel_mid_send_charges_only_what_was_delivered(shop, settings):
    settings.MESSAGING_CHUNK_SIZE = 3
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    assert actions.deliver_next_chunk(campaign_id=campaign.pk) is True
    actions.cancel_campaign(merchant=shop, campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.chunks_total, campaign.delivered) == ("cancelled", 4, 3)
    assert actions.deliver_next_chunk(campaign_id=campaign.pk) is False
    assert balances(shop) == {"merchant": FUNDS - 9, "held": 0, "revenue": 9}
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 30, "charged": 9}
    assert_ledger_balanced()


def test_cancel_while_scheduled_moves_no_money(shop):
    campaign = draft(shop)
    actions.schedule_campaign(
        merchant=shop, campaign_id=campaign.pk, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    actions.cancel_campaign(merchant=shop, campaign_id=campaign.pk)
    assert campaign_transactions(campaign) == []
    assert balances(shop) == {"merchant": FUNDS, "held": 0, "revenue": 0}


def test_suspension_settles_a_sending_campaign(shop, settings):
    settings.MESSAGING_CHUNK_SIZE = 3
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    assert actions.suspend_merchant(merchant_id=shop.pk, note="review") is True
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("failed", 3)
    assert campaign.failure_code == "merchant_suspended"
    assert balances(shop) == {"merchant": FUNDS - 9, "held": 0, "revenue": 9}
    assert_ledger_balanced()


def test_settling_twice_changes_nothing(shop, settings):
    settings.MESSAGING_CHUNK_SIZE = 3
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    actions.deliver_next_chunk(campaign_id=campaign.pk)
    actions.cancel_campaign(merchant=shop, campaign_id=campaign.pk)
    before = (balances(shop), LedgerEntry.objects.count(), LedgerTransaction.objects.count())
    actions.settle_billing(campaign.pk)
    actions.suspend_merchant(merchant_id=shop.pk, note="review")
    with pytest.raises(DomainError):
        actions.cancel_campaign(merchant=shop, campaign_id=campaign.pk)
    after = (balances(shop), LedgerEntry.objects.count(), LedgerTransaction.objects.count())
    assert after == before
    assert_ledger_balanced()


def test_settle_leaves_a_sending_campaign_alone(shop):
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    actions.settle_billing(campaign.pk)
    assert campaign_transactions(campaign) == [("campaign_hold", 30)]


# ---------------------------------------------------------------- free sends


def test_free_campaign_sends_without_a_balance(broke):
    set_price(0)
    campaign = draft(broke)
    actions.send_campaign(merchant=broke, campaign_id=campaign.pk)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 3)
    assert campaign_transactions(campaign) == []
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 0, "charged": None}


def test_campaign_with_no_recipients_sends_without_a_balance(make_user):
    lonely = make_user("lonely", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=lonely)
    campaign = draft(lonely)
    sent = actions.send_campaign(merchant=lonely, campaign_id=campaign.pk)
    assert (sent.state, sent.delivered) == ("sent", 0)
    assert campaign_transactions(campaign) == []


def test_all_recipients_skipped_releases_the_whole_hold(shop):
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    Mute.objects.bulk_create([Mute(muter=fan, muted=shop) for fan in shop.fans])
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 0)
    assert balances(shop) == {"merchant": FUNDS, "held": 0, "revenue": 0}
    assert campaign_transactions(campaign) == [("campaign_hold", 30), ("campaign_settle", 30)]
    assert wallet_selectors.campaign_cost(campaign_id=campaign.pk) == {"held": 30, "charged": 0}
    assert_ledger_balanced()


def test_test_send_to_myself_is_free(broke):
    campaign = draft(broke)
    actions.send_test(merchant=broke, campaign_id=campaign.pk)
    assert Message.objects.filter(campaign=campaign, is_test=True).count() == 1
    assert LedgerTransaction.objects.filter(user_id=broke.pk).count() == 0


# ---------------------------------------------------------------- what the merchant sees


def test_campaign_page_shows_cost_held_and_charged(shop, client):
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    client.force_login(shop)
    sending = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert '<td data-testid="cost-held">¥0.30</td>' in sending
    assert '<td data-testid="cost-charged">when the campaign ends</td>' in sending
    MarketingPreference.objects.create(
        follower=shop.fans[0], merchant=shop, accepts_marketing=False
    )
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    sent = client.get(f"/messages/campaigns/{campaign.pk}/progress/").content.decode()
    assert '<td data-testid="cost-held">¥0.30</td>' in sent
    assert '<td data-testid="cost-charged">¥0.27</td>' in sent


def test_messaging_revenue_is_the_platforms(shop):
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    revenue = LedgerEntry.objects.get(
        transaction__kind="campaign_settle", account__kind=AccountKind.MESSAGING_REVENUE
    )
    assert (revenue.account.owner_id, revenue.amount) == (PLATFORM, 30)


# ---------------------------------------------------------------- concurrent workers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_workers_finishing_chunks_together_settle_once(shop, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    import threading

    from django.db import connections

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 1
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)

    def worker():
        try:
            actions.deliver_campaign_chunks(campaign_id=campaign.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("sent", 10)
    assert campaign_transactions(campaign) == [("campaign_hold", 30), ("campaign_settle", 30)]
    assert balances(shop) == {"merchant": FUNDS - 30, "held": 0, "revenue": 30}
    assert_ledger_balanced()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancel_committed_while_a_chunk_is_written_charges_only_committed_chunks(
    shop, settings, monkeypatch
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs a second PostgreSQL connection writing concurrently")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.MESSAGING_CHUNK_SIZE = 3
    campaign = draft(shop)
    actions.send_campaign(merchant=shop, campaign_id=campaign.pk)
    # The merchant's cancel (and its settlement) commits while the second chunk is open.
    cancel_during_second_chunk(monkeypatch, merchant=shop, campaign=campaign)
    actions.deliver_campaign_chunks(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert (campaign.state, campaign.delivered) == ("cancelled", 3)
    assert balances(shop) == {"merchant": FUNDS - 9, "held": 0, "revenue": 9}
    assert_ledger_balanced()
