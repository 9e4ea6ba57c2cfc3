"""What a recipient does with a campaign message: read it, click it, unsubscribe, report it.

Each is one flag bit on the recipient's receipt, set once; the first time, the campaign's
counter (and its hourly chart) moves with it.
"""

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging.actions.preferences import set_marketing_preference
from infoconnect.messaging.actions.programme import suspend_merchant
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import Campaign, MarketingPreference, Message, Receipt

COUNTER_FOR_BIT = {
    Receipt.READ: "read",
    Receipt.CLICKED: "clicked",
    Receipt.UNSUBSCRIBED: "unsubscribed",
    Receipt.REPORTED: "reported",
}


def flag(*, recipient_id: int, message_id: int, bit: int) -> bool:
    """Set one flag bit once; the first time, bump the campaign's counter (and its chart)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE messaging_receipt SET flags = flags | %s"
            " WHERE recipient_id = %s AND message_id = %s AND (flags & %s) = 0",
            [bit, recipient_id, message_id, bit],
        )
        changed = cursor.rowcount == 1
    if not changed:
        return False
    message = Message.objects.filter(pk=message_id).values("campaign_id", "is_test").first()
    if message is None or message["is_test"] or message["campaign_id"] is None:
        return True
    field = COUNTER_FOR_BIT[bit]
    Campaign.objects.filter(pk=message["campaign_id"]).update(**{field: F(field) + 1})
    if bit in (Receipt.READ, Receipt.CLICKED):
        bump_activity(
            message["campaign_id"],
            reads=int(bit == Receipt.READ),
            clicks=int(bit == Receipt.CLICKED),
        )
    return True


def bump_activity(campaign_id: int, *, reads: int, clicks: int) -> None:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO messaging_campaignactivity (campaign_id, hour, reads, clicks)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (campaign_id, hour) DO UPDATE"
            " SET reads = messaging_campaignactivity.reads + excluded.reads,"
            " clicks = messaging_campaignactivity.clicks + excluded.clicks",
            [campaign_id, hour, reads, clicks],
        )


def receipt_message(*, recipient_id: int, message_id: int) -> Message:
    """The message the recipient holds a receipt for; anyone else's is 'not found'."""
    if not Receipt.objects.filter(recipient_id=recipient_id, message_id=message_id).exists():
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    return Message.objects.select_related("campaign").get(pk=message_id)


def campaign_product_url(campaign: Campaign) -> str:
    """The product page of the campaign's card, carrying the campaign for attribution."""
    return f"{reverse('shop:product', args=[campaign.product_id])}?campaign={campaign.pk}"


@transaction.atomic
def record_click(*, recipient_id: int, message_id: int, target: str = "link") -> str:
    """Record a click on a campaign message's link (or its product card) and return where to go."""
    message = receipt_message(recipient_id=recipient_id, message_id=message_id)
    campaign = message.campaign
    if campaign is not None and target == "product" and campaign.product_id:
        destination = campaign_product_url(campaign)
    elif campaign is not None and campaign.link_url:
        destination = campaign.link_url
    else:
        raise DomainError(MessagingError.NO_LINK)
    flag(recipient_id=recipient_id, message_id=message_id, bit=Receipt.READ)
    flag(recipient_id=recipient_id, message_id=message_id, bit=Receipt.CLICKED)
    return destination


@transaction.atomic
def unsubscribe(*, user: User, message_id: int) -> MarketingPreference:
    """One click on a campaign message: no more marketing from its merchant."""
    message = receipt_message(recipient_id=user.pk, message_id=message_id)
    flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.UNSUBSCRIBED)
    return set_marketing_preference(
        follower=user,
        merchant_id=message.sender_id,
        accepts_marketing=False,
        source=MarketingPreference.Source.UNSUBSCRIBE,
    )


@transaction.atomic
def report_spam(*, user: User, message_id: int) -> bool:
    """Report a campaign message; a merchant past the report threshold is suspended."""
    message = receipt_message(recipient_id=user.pk, message_id=message_id)
    if not flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.REPORTED):
        return False
    if message.campaign_id is None or message.is_test:
        return True
    rules = PlatformSettings.current()
    figures = Campaign.objects.filter(pk=message.campaign_id).values("reported", "delivered")[0]
    if (
        figures["reported"] >= rules.spam_report_min_reports
        and figures["reported"] * 1000
        >= rules.spam_report_threshold_permille * figures["delivered"]
    ):
        suspend_merchant(
            merchant_id=message.sender_id,
            note=f"Spam reports on campaign {message.campaign_id} passed the threshold.",
        )
    return True
