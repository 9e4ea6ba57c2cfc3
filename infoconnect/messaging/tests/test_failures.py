"""Why a campaign failed: stored as a stable code, shown in the reader's language on the
campaign page and in the API; the migration that turned the old English texts into codes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, Enrolment

pytestmark = pytest.mark.django_db


def due(campaign: Campaign) -> None:
    """Schedule it, then make it due and try to start it as the worker would."""
    actions.schedule_campaign(
        merchant=campaign.merchant,
        campaign_id=campaign.pk,
        scheduled_at=timezone.now() + timedelta(minutes=5),
    )
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    assert actions.start_scheduled(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()


@pytest.fixture
def unfunded(make_user, followers):
    """An enrolled merchant with nothing in its balance and three followers."""
    from infoconnect.social.models import Follow

    shop = make_user("brokeshop", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=shop)
    Follow.objects.bulk_create([Follow(follower=fan, target=shop) for fan in followers[:3]])
    return shop


def test_failures_are_stored_as_codes(unfunded, merchant, campaign):
    broke = actions.create_campaign(merchant=unfunded, title="Tea week", body="New leaves.")
    due(broke)
    assert (broke.state, broke.failure_code, broke.failure_detail) == (
        "failed",
        "insufficient_funds",
        {"balance": 0, "cost": 3},
    )
    # The enrolment was taken away between scheduling and the due time.
    later = actions.create_campaign(merchant=merchant, title="Later", body="Later.")
    actions.schedule_campaign(
        merchant=merchant, campaign_id=later.pk, scheduled_at=timezone.now() + timedelta(hours=1)
    )
    Enrolment.objects.filter(merchant=merchant).delete()
    Campaign.objects.filter(pk=later.pk).update(scheduled_at=timezone.now())
    assert actions.start_scheduled(campaign_id=later.pk) is False
    later.refresh_from_db()
    assert (later.failure_code, later.failure_detail) == ("not_enrolled", {})
    assert later.failure_reason == (
        "When it was due, your shop was not enrolled in the messaging programme, or it was"
        " suspended."
    )
    # An error with no code of its own is "other", and says which error it was.
    Enrolment.objects.create(merchant=merchant)
    actions.schedule_campaign(
        merchant=merchant,
        campaign_id=campaign.pk,
        scheduled_at=timezone.now() + timedelta(minutes=5),
    )
    User.objects.filter(pk=merchant.pk).update(kind=User.Kind.PERSON)
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_at=timezone.now())
    assert actions.start_scheduled(campaign_id=campaign.pk) is False
    campaign.refresh_from_db()
    assert (campaign.failure_code, campaign.failure_detail) == ("other", {"error": "not_merchant"})
    assert campaign.failure_reason == "The campaign could not be sent."


def test_campaign_page_shows_the_failure_in_english_and_chinese(unfunded):
    campaign = actions.create_campaign(merchant=unfunded, title="Tea week", body="New leaves.")
    due(campaign)
    client = Client()
    client.force_login(unfunded)
    english = client.get(f"/messages/campaigns/{campaign.pk}/").content.decode()
    assert (
        "Failed</strong> · When it was due, your merchant balance (¥0.00) was too low to hold"
        " ¥0.03, a message&#x27;s price for each follower in the audience.</p>"
    ) in english
    chinese = client.get(
        f"/messages/campaigns/{campaign.pk}/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    assert (
        "失败</strong> · 到发送时间时，你的商家余额（¥0.00）不足以冻结 ¥0.03，"
        "即受众中每位粉丝一条消息的价格。</p>"
    ) in chinese


def test_api_gives_the_code_and_the_reason_in_the_request_language(
    api_client, merchant, followers, campaign
):
    actions.schedule_campaign(
        merchant=merchant,
        campaign_id=campaign.pk,
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    other = actions.create_campaign(merchant=merchant, title="Next", body="Next.")
    actions.suspend_merchant(merchant_id=merchant.pk, note="review")
    client = api_client(merchant)
    english = client.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert (english["state"], english["failure_code"], english["failure_reason"]) == (
        "failed",
        "merchant_suspended",
        "Your shop was suspended from the messaging programme.",
    )
    chinese = client.get(
        f"/api/v1/campaigns/{campaign.pk}", headers={"Accept-Language": "zh-hans"}
    ).json()
    assert (chinese["failure_code"], chinese["failure_reason"]) == (
        "merchant_suspended",
        "你的店铺已被暂停参加私信营销计划。",
    )
    # A campaign that has not failed has neither.
    listed = {c["id"]: c for c in client.get("/api/v1/campaigns").json()}
    assert (listed[other.pk]["failure_code"], listed[other.pk]["failure_reason"]) == ("", "")


# ---------------------------------------------------------------- the migration

OLD_TEXTS = {
    "suspended": "The merchant was suspended from the messaging programme.",
    "quota": "You have reached today's campaign quota; schedule it for another day.",
    "enrolled": "Your shop is not enrolled in the messaging programme, or it is suspended.",
    "funds": (
        "Your merchant balance (¥1,234.50) is too low: sending holds ¥2,000.09, a message's"
        " price for each follower in the audience; you pay only for those delivered. Top up"
        " and send again."
    ),
    # The first wording, cut at 200 characters as it was stored.
    "funds_old": (
        "Your merchant balance (¥0.00) is too low for this campaign's estimated cost of ¥0.09."
        " Top up your balance and send again."
    )[:200],
    "funds_zh": "你的商家余额（¥0.50）不足：发送需冻结 ¥3.00，即受众中每位粉丝一条消息的价格；只按实际送达的消息收费。请充值后再发送。",
    "odd": "Something nobody planned for.",
    "none": "",
}


@pytest.mark.django_db(transaction=True)
def test_migration_turns_old_texts_into_codes(make_user):
    before, after = (
        [("messaging", "0002_campaign_product")],
        [("messaging", "0004_remove_campaign_failure_reason")],
    )
    merchant = make_user("oldshop", kind="merchant", verified=True)
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    OldCampaign = executor.loader.project_state(before).apps.get_model("messaging", "Campaign")
    ids = {
        key: OldCampaign.objects.create(
            merchant_id=merchant.pk,
            title=key,
            body=key,
            state="failed" if text else "sent",
            failure_reason=text,
        ).pk
        for key, text in OLD_TEXTS.items()
    }
    try:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        stored = {
            key: Campaign.objects.values_list("failure_code", "failure_detail").get(pk=pk)
            for key, pk in ids.items()
        }
        assert stored == {
            "suspended": ("merchant_suspended", {}),
            "quota": ("campaign_quota_exceeded", {}),
            "enrolled": ("not_enrolled", {}),
            "funds": ("insufficient_funds", {"balance": 123_450, "cost": 200_009}),
            "funds_old": ("insufficient_funds", {"balance": 0, "cost": 9}),
            "funds_zh": ("insufficient_funds", {"balance": 50, "cost": 300}),
            "odd": ("other", {"text": "Something nobody planned for."}),
            "none": ("", {}),
        }
        # Only the columns this migration knows: later ones are not there yet.
        funds = Campaign.objects.only("failure_code", "failure_detail").get(pk=ids["funds"])
        assert funds.failure_reason == (
            "When it was due, your merchant balance (¥1,234.50) was too low to hold ¥2,000.09,"
            " a message's price for each follower in the audience."
        )
        # And back: the texts return (the amounts too), an unknown one as it was.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        OldCampaign = executor.loader.project_state(before).apps.get_model("messaging", "Campaign")
        restored = dict(OldCampaign.objects.values_list("title", "failure_reason"))
        assert restored["suspended"] == OLD_TEXTS["suspended"]
        assert restored["quota"] == OLD_TEXTS["quota"]
        assert restored["funds"] == OLD_TEXTS["funds"]
        assert restored["odd"] == OLD_TEXTS["odd"]
        assert restored["none"] == ""
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
