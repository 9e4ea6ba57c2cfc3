"""seed_demo's messaging data: enrolled merchants, a private conversation, a tagged
follower and a sent campaign with its receipts; a second seed adds nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command

from infoconnect.accounts.models import User
from infoconnect.messaging import demo
from infoconnect.messaging.models import (
    Campaign,
    Conversation,
    Enrolment,
    FollowerTag,
    Participant,
    Receipt,
)
from infoconnect.shop import demo as shop_demo


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture
def seeded(db):
    call_command("seed_demo")
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    return first


def test_seed_twice_adds_nothing(seeded):
    assert seeded["messaging.Enrolment"] == 2
    assert seeded["messaging.Campaign"] == 1
    assert seeded["messaging.Receipt"] == 3
    # A person's conversation with a merchant, the demo company's approval request, its
    # quote with Byte Gadgets, and what the company's account told its buyer of it.
    assert seeded["messaging.Conversation"] == 4
    assert seeded["messaging.FollowerTag"] == 1


def test_both_merchants_are_enrolled(seeded):
    assert sorted(Enrolment.objects.values_list("merchant__username", "status")) == [
        ("bytegadgets", "enrolled"),
        ("greentea_shop", "enrolled"),
    ]


def test_campaign_was_sent_to_every_follower(seeded):
    greentea = User.objects.get(username="greentea_shop")
    campaign = Campaign.objects.get(merchant=greentea, title=demo.CAMPAIGN_TITLE)
    assert (campaign.state, campaign.targeted, campaign.delivered, campaign.skipped) == (
        "sent",
        3,
        3,
        0,
    )
    assert (campaign.chunks_done, campaign.chunks_total, campaign.progress_percent) == (1, 1, 100)
    recipients = User.objects.filter(
        pk__in=Receipt.objects.filter(message_id=campaign.message_id).values("recipient_id")
    )
    assert sorted(recipients.values_list("username", flat=True)) == ["demo", "lihua", "wangfang"]
    assert campaign.message.body == demo.CAMPAIGN_BODY
    if hasattr(campaign, "product_id"):
        # Campaigns that carry a product carry the Longjing.
        assert campaign.product_id == shop_demo.product(greentea, demo.CAMPAIGN_PRODUCT).pk


def test_private_conversation_and_tag(seeded):
    lihua = User.objects.get(username="lihua")
    greentea = User.objects.get(username="greentea_shop")
    conversation = Conversation.objects.get(
        user_low__in=[lihua, greentea], user_high__in=[lihua, greentea]
    )
    assert {conversation.user_low_id, conversation.user_high_id} == {lihua.pk, greentea.pk}
    assert [(m.sender.username, m.body) for m in conversation.messages.order_by("pk")] == [
        (sender, text) for sender, _recipient, text in demo.CONVERSATION
    ]
    unread = dict(
        Participant.objects.filter(conversation=conversation).values_list(
            "user__username", "unread_count"
        )
    )
    assert unread == {"greentea_shop": 2, "lihua": 1}
    assert list(
        FollowerTag.objects.values_list("merchant__username", "follower__username", "tag")
    ) == [("greentea_shop", "lihua", "regular")]
