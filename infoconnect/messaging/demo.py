"""The messaging demo data: both merchants in the programme, a private conversation, a
tagged follower and one campaign that Green Tea House has sent to its followers.

Everything goes through the messaging actions. The campaign's fan-out runs here, in the
seed, the way the tests run it (the task called in-process), so its receipts exist without
a worker. Rows are found again by natural keys (the enrolment, message text in the pair's
conversation, the campaign's title and merchant), so seeding twice adds nothing.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

from infoconnect.messaging import actions
from infoconnect.messaging.models import Campaign, Conversation, Enrolment, Message
from infoconnect.messaging.tasks import deliver_campaign
from infoconnect.shop import demo as shop_demo

if TYPE_CHECKING:
    from infoconnect.core.management.demo import DemoContext

ENROLLED = ["greentea_shop", "bytegadgets"]

# sender, recipient, text: in this order, between one pair of accounts
CONVERSATION = [
    ("lihua", "greentea_shop", "Hello! Is the first-flush Longjing still in stock?"),
    (
        "greentea_shop",
        "lihua",
        "Yes, hand-fried this week. The 50 g tin ships the same day you order.",
    ),
    ("lihua", "greentea_shop", "Great, I'll take two tins for the weekend tasting."),
]

# merchant, follower, tag
TAGS = [("greentea_shop", "lihua", "regular")]

CAMPAIGN_MERCHANT = "greentea_shop"
CAMPAIGN_TITLE = "First-flush Longjing tasting"
CAMPAIGN_BODY = (
    "Our first-flush West Lake Longjing is in, hand-fried this week. Followers get the "
    "50 g tin first: order this week and we ship the same day."
)
CAMPAIGN_PRODUCT = "West Lake Longjing, first flush"


def seed_enrolments(context: DemoContext) -> None:
    for username in ENROLLED:
        merchant = context.users[username]
        # Only a merchant never enrolled: one the operator suspended stays suspended.
        if not Enrolment.objects.filter(merchant=merchant).exists():
            actions.enrol_merchant(merchant=merchant, note="Demo merchant.")
            context.log(f"enrolled {username} in messaging")


def seed_conversation(context: DemoContext) -> None:
    for sender_name, recipient_name, text in CONVERSATION:
        sender, recipient = context.users[sender_name], context.users[recipient_name]
        low, high = sorted([sender.pk, recipient.pk])
        conversation = Conversation.objects.filter(user_low_id=low, user_high_id=high).first()
        if (
            conversation is not None
            and Message.objects.filter(conversation=conversation, sender=sender, body=text).exists()
        ):
            continue
        actions.send_message(sender=sender, recipient_id=recipient.pk, body=text)


def seed_tags(context: DemoContext) -> None:
    for merchant_name, follower_name, tag in TAGS:
        actions.tag_follower(
            merchant=context.users[merchant_name],
            follower_id=context.users[follower_name].pk,
            tag=tag,
        )


def seed_campaign(context: DemoContext) -> Campaign:
    merchant = context.users[CAMPAIGN_MERCHANT]
    campaign = Campaign.objects.filter(merchant=merchant, title=CAMPAIGN_TITLE).first()
    if campaign is None:
        extra = {}
        # A product attachment, where campaigns carry one.
        if "product_id" in inspect.signature(actions.create_campaign).parameters:
            extra["product_id"] = shop_demo.product(merchant, CAMPAIGN_PRODUCT).pk
        campaign = actions.create_campaign(
            merchant=merchant, title=CAMPAIGN_TITLE, body=CAMPAIGN_BODY, **extra
        )
        context.log(f"created campaign {CAMPAIGN_TITLE}")
    if campaign.state == Campaign.State.DRAFT:
        actions.estimate_campaign(merchant=merchant, campaign_id=campaign.pk)
        actions.send_campaign(merchant=merchant, campaign_id=campaign.pk)
    if Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SENDING).exists():
        # The worker's job, done here so the receipts exist at once.
        deliver_campaign.call(campaign.pk)
    return campaign


def seed(context: DemoContext) -> None:
    seed_enrolments(context)
    seed_conversation(context)
    seed_tags(context)
    seed_campaign(context)
