"""Every write of the messaging app: programme enrolment, preferences, private messages,
campaigns and their fan-out, and what recipients do with a campaign message."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import REGIONS, User
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.core.money import format_money
from infoconnect.messaging import fanout
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import (
    MESSAGE_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Campaign,
    CampaignChunk,
    Conversation,
    Enrolment,
    FollowerTag,
    MarketingPreference,
    Message,
    Participant,
    Receipt,
)
from infoconnect.messaging.selectors import is_id
from infoconnect.social.models import Block, Follow
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet import selectors as wallet_selectors
from infoconnect.wallet.errors import WalletError
from infoconnect.wallet.models import AccountKind

# PostgreSQL writes chunks on several workers at once; SQLite has one writer, so its chunks
# only bound what a crash redoes and are larger to save per-commit work.
DEFAULT_CHUNK_SIZE = {"postgresql": 250_000, "sqlite": 500_000}
# Tasks queued per send; each takes unwritten chunks, so that many workers share the work
# (SQLite has one writer: a second task would only wait).
DEFAULT_FANOUT_TASKS = {"postgresql": 2, "sqlite": 1}
MAX_AUDIENCE_TAGS = 10
MAX_FOLLOWER_TAGS = 20
REGION_CODES = {code for code, _label in REGIONS}
# States whose campaigns use up the day's quota.
QUOTA_STATES = [Campaign.State.SCHEDULED, Campaign.State.SENDING, Campaign.State.SENT]
# States a campaign ends in; its billing is settled when it enters one.
ENDED_STATES = [Campaign.State.SENT, Campaign.State.CANCELLED, Campaign.State.FAILED]


def chunk_size() -> int:
    default = DEFAULT_CHUNK_SIZE.get(connection.vendor, 250_000)
    return int(getattr(settings, "MESSAGING_CHUNK_SIZE", default))


# ---------------------------------------------------------------- programme and preferences


@transaction.atomic
def enrol_merchant(*, merchant: User, note: str = "") -> Enrolment:
    if not merchant.is_merchant or not merchant.is_verified_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    enrolment, created = Enrolment.objects.get_or_create(merchant=merchant, defaults={"note": note})
    if not created:
        Enrolment.objects.filter(pk=enrolment.pk).update(
            status=Enrolment.Status.ENROLLED, note=note, suspended_at=None
        )
        enrolment.refresh_from_db()
    return enrolment


@transaction.atomic
def suspend_merchant(*, merchant_id: int, note: str) -> bool:
    """Suspend an enrolled merchant and stop its scheduled and sending campaigns.

    Returns False when it was not enrolled.
    """
    suspended = Enrolment.objects.filter(
        merchant_id=merchant_id, status=Enrolment.Status.ENROLLED
    ).update(status=Enrolment.Status.SUSPENDED, note=note, suspended_at=timezone.now())
    if suspended:
        now = timezone.now()
        stopping = list(
            Campaign.objects.select_for_update()
            .filter(
                merchant_id=merchant_id,
                state__in=[Campaign.State.SCHEDULED, Campaign.State.SENDING],
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Campaign.objects.filter(
            pk__in=stopping,
            state__in=[Campaign.State.SCHEDULED, Campaign.State.SENDING],
        ).update(
            state=Campaign.State.FAILED,
            failure_code=Campaign.Failure.MERCHANT_SUSPENDED,
            finished_at=now,
            updated_at=now,
        )
        for campaign_id in stopping:
            _settle_billing(campaign_id)
    return bool(suspended)


@transaction.atomic
def set_marketing_preference(
    *,
    follower: User,
    merchant_id: int,
    accepts_marketing: bool,
    source: str = MarketingPreference.Source.SETTINGS,
) -> MarketingPreference:
    if not User.objects.filter(pk=merchant_id, kind=User.Kind.MERCHANT).exists():
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    preference, _created = MarketingPreference.objects.update_or_create(
        follower=follower,
        merchant_id=merchant_id,
        defaults={
            "accepts_marketing": accepts_marketing,
            "source": source,
            "updated_at": timezone.now(),
        },
    )
    return preference


def _clean_tag(tag: str) -> str:
    tag = (tag or "").strip().lower()
    if not tag or len(tag) > TAG_MAX_LENGTH:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("A tag has 1 to 30 characters."))
    return tag


def _require_follower(*, merchant: User, follower_id: int) -> None:
    if not merchant.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    if (
        not is_id(follower_id)
        or not Follow.objects.filter(follower_id=follower_id, target=merchant).exists()
    ):
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)


@transaction.atomic
def tag_follower(*, merchant: User, follower_id: int, tag: str) -> FollowerTag:
    tag = _clean_tag(tag)
    _require_follower(merchant=merchant, follower_id=follower_id)
    row, _created = FollowerTag.objects.get_or_create(
        merchant=merchant, follower_id=follower_id, tag=tag
    )
    return row


@transaction.atomic
def untag_follower(*, merchant: User, follower_id: int, tag: str) -> int:
    if not is_id(follower_id):
        return 0
    deleted, _by_model = FollowerTag.objects.filter(
        merchant=merchant, follower_id=follower_id, tag=_clean_tag(tag)
    ).delete()
    return deleted


@transaction.atomic
def set_follower_tags(*, merchant: User, follower_id: int, tags: list[str]) -> list[str]:
    """Make a follower's tags exactly these; returns them sorted."""
    if not isinstance(tags, list) or len(tags) > MAX_FOLLOWER_TAGS:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("A follower has at most 20 tags."))
    wanted = sorted({_clean_tag(tag) for tag in tags})
    _require_follower(merchant=merchant, follower_id=follower_id)
    FollowerTag.objects.filter(merchant=merchant, follower_id=follower_id).exclude(
        tag__in=wanted
    ).delete()
    FollowerTag.objects.bulk_create(
        [FollowerTag(merchant=merchant, follower_id=follower_id, tag=tag) for tag in wanted],
        ignore_conflicts=True,
    )
    return wanted


# ---------------------------------------------------------------- private messages


def _blocked_either_way(a: int, b: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    ).exists()


def _received_campaign_from(*, recipient_id: int, sender_id: int) -> bool:
    """Has recipient_id received a campaign message from sender_id (so may reply)?"""
    ids = Message.objects.filter(sender_id=sender_id, campaign__isnull=False).values("pk")
    return Receipt.objects.filter(recipient_id=recipient_id, message_id__in=ids).exists()


def _may_message(*, sender: User, recipient: User, conversation: Conversation | None) -> None:
    if _blocked_either_way(sender.pk, recipient.pk):
        raise DomainError(MessagingError.BLOCKED)
    if recipient.message_policy == User.MessagePolicy.EVERYONE:
        return
    if Follow.objects.filter(follower=recipient, target=sender).exists():
        return
    if conversation is not None and conversation.messages.filter(sender=recipient).exists():
        return
    if _received_campaign_from(recipient_id=sender.pk, sender_id=recipient.pk):
        return
    raise DomainError(MessagingError.NOT_ACCEPTING_MESSAGES)


def _clean_product(*, merchant: User, product_id: int | None) -> int:
    """A product a card may show: the merchant's own and on sale."""
    from infoconnect.shop.models import Product

    if (
        isinstance(product_id, bool)
        or not isinstance(product_id, int)
        or not 0 < product_id < 2**63
        or not Product.objects.filter(
            pk=product_id, merchant_id=merchant.pk, status=Product.Status.ACTIVE
        ).exists()
    ):
        raise DomainError(
            MessagingError.INVALID_ATTACHMENT, _("Choose one of your own products on sale.")
        )
    return product_id


def _clean_attachment(
    attachment_type: str, attachment_id: int | None, attachment_url: str, *, sender: User
) -> tuple[str, int | None, str]:
    attachment_type = attachment_type or ""
    attachment_url = (attachment_url or "").strip()
    if attachment_type == "":
        if attachment_id is not None or attachment_url:
            raise DomainError(MessagingError.INVALID_ATTACHMENT)
        return "", None, ""
    if attachment_type == Message.Attachment.LINK:
        return "link", None, _clean_url(attachment_url, MessagingError.INVALID_ATTACHMENT)
    if attachment_type == Message.Attachment.POST:
        from infoconnect.social.models import Post

        if attachment_id is None or not Post.objects.filter(pk=attachment_id).exists():
            raise DomainError(MessagingError.INVALID_ATTACHMENT, _("That post does not exist."))
        return "post", attachment_id, ""
    if attachment_type == Message.Attachment.PRODUCT:
        return "product", _clean_product(merchant=sender, product_id=attachment_id), ""
    raise DomainError(MessagingError.INVALID_ATTACHMENT)


def _clean_url(url: str, error: MessagingError) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise DomainError(
            error, _("Enter a web address starting with http:// or https://.")
        ) from None
    if len(url) > 500 or not urlsplit(url).netloc:
        raise DomainError(error, _("Enter a web address of at most 500 characters."))
    return url


@transaction.atomic
def send_message(
    *,
    sender: User,
    recipient_id: int,
    body: str,
    attachment_type: str = "",
    attachment_id: int | None = None,
    attachment_url: str = "",
) -> Message:
    body = (body or "").strip()
    attachment = _clean_attachment(attachment_type, attachment_id, attachment_url, sender=sender)
    if len(body) > MESSAGE_MAX_LENGTH or (not body and not attachment[0]):
        raise DomainError(MessagingError.INVALID_MESSAGE)
    if recipient_id == sender.pk:
        raise DomainError(MessagingError.CANNOT_MESSAGE_SELF)
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    low, high = sorted([sender.pk, recipient.pk])
    conversation = Conversation.objects.filter(user_low_id=low, user_high_id=high).first()
    _may_message(sender=sender, recipient=recipient, conversation=conversation)
    now = timezone.now()
    if conversation is None:
        conversation = _start_conversation(sender=sender, recipient=recipient, now=now)
    message = Message.objects.create(
        sender=sender,
        conversation=conversation,
        body=body,
        attachment_type=attachment[0],
        attachment_id=attachment[1],
        attachment_url=attachment[2],
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(conversation=conversation, user=sender).update(last_message_at=now)
    Participant.objects.filter(conversation=conversation, user=recipient).update(
        last_message_at=now, unread_count=F("unread_count") + 1
    )
    return message


def _start_conversation(*, sender: User, recipient: User, now: datetime) -> Conversation:
    limit = PlatformSettings.current().new_conversations_per_hour
    # Locking the sender's row makes the hourly count exact under concurrent requests.
    User.objects.select_for_update().filter(pk=sender.pk).first()
    started = Conversation.objects.filter(
        started_by=sender, created_at__gte=now - timedelta(hours=1)
    ).count()
    if started >= limit:
        raise DomainError(MessagingError.CONVERSATION_RATE_LIMITED)
    low, high = sorted([sender.pk, recipient.pk])
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                user_low_id=low, user_high_id=high, started_by=sender, created_at=now
            )
            Participant.objects.bulk_create(
                [
                    Participant(user=sender, other=recipient, conversation=conversation),
                    Participant(user=recipient, other=sender, conversation=conversation),
                ]
            )
    except IntegrityError:
        # The other side started it at the same moment: use theirs.
        conversation = Conversation.objects.get(user_low_id=low, user_high_id=high)
    return conversation


@transaction.atomic
def mark_conversation_read(*, user: User, other_id: int) -> int:
    """Mark everything from other_id to user read; returns how many campaign messages."""
    Participant.objects.filter(user=user, other_id=other_id, unread_count__gt=0).update(
        unread_count=0
    )
    campaign_ids = Message.objects.filter(sender_id=other_id, campaign__isnull=False).values("pk")
    unread = [
        message_id
        for message_id, flags in Receipt.objects.filter(
            recipient_id=user.pk, message_id__in=campaign_ids
        ).values_list("message_id", "flags")
        if not flags & Receipt.READ
    ]
    return sum(
        _flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.READ)
        for message_id in sorted(unread)
    )


# ---------------------------------------------------------------- recipients and campaigns

_COUNTER_FOR_BIT = {
    Receipt.READ: "read",
    Receipt.CLICKED: "clicked",
    Receipt.UNSUBSCRIBED: "unsubscribed",
    Receipt.REPORTED: "reported",
}


def _flag(*, recipient_id: int, message_id: int, bit: int) -> bool:
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
    field = _COUNTER_FOR_BIT[bit]
    Campaign.objects.filter(pk=message["campaign_id"]).update(**{field: F(field) + 1})
    if bit in (Receipt.READ, Receipt.CLICKED):
        _bump_activity(
            message["campaign_id"],
            reads=int(bit == Receipt.READ),
            clicks=int(bit == Receipt.CLICKED),
        )
    return True


def _bump_activity(campaign_id: int, *, reads: int, clicks: int) -> None:
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO messaging_campaignactivity (campaign_id, hour, reads, clicks)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (campaign_id, hour) DO UPDATE"
            " SET reads = messaging_campaignactivity.reads + excluded.reads,"
            " clicks = messaging_campaignactivity.clicks + excluded.clicks",
            [campaign_id, hour, reads, clicks],
        )


def _receipt_message(*, recipient_id: int, message_id: int) -> Message:
    if not Receipt.objects.filter(recipient_id=recipient_id, message_id=message_id).exists():
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    return Message.objects.select_related("campaign").get(pk=message_id)


def campaign_product_url(campaign: Campaign) -> str:
    """The product page of the campaign's card, carrying the campaign for attribution."""
    return f"{reverse('shop:product', args=[campaign.product_id])}?campaign={campaign.pk}"


@transaction.atomic
def record_click(*, recipient_id: int, message_id: int, target: str = "link") -> str:
    """Record a click on a campaign message's link (or its product card) and return where to go."""
    message = _receipt_message(recipient_id=recipient_id, message_id=message_id)
    campaign = message.campaign
    if campaign is not None and target == "product" and campaign.product_id:
        destination = campaign_product_url(campaign)
    elif campaign is not None and campaign.link_url:
        destination = campaign.link_url
    else:
        raise DomainError(MessagingError.NO_LINK)
    _flag(recipient_id=recipient_id, message_id=message_id, bit=Receipt.READ)
    _flag(recipient_id=recipient_id, message_id=message_id, bit=Receipt.CLICKED)
    return destination


@transaction.atomic
def unsubscribe(*, user: User, message_id: int) -> MarketingPreference:
    """One click on a campaign message: no more marketing from its merchant."""
    message = _receipt_message(recipient_id=user.pk, message_id=message_id)
    _flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.UNSUBSCRIBED)
    return set_marketing_preference(
        follower=user,
        merchant_id=message.sender_id,
        accepts_marketing=False,
        source=MarketingPreference.Source.UNSUBSCRIBE,
    )


@transaction.atomic
def report_spam(*, user: User, message_id: int) -> bool:
    """Report a campaign message; a merchant past the report threshold is suspended."""
    message = _receipt_message(recipient_id=user.pk, message_id=message_id)
    if not _flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.REPORTED):
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


# ---------------------------------------------------------------- composing campaigns


def _require_enrolled(merchant: User, *, lock: bool = False) -> None:
    if not merchant.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    enrolments = Enrolment.objects.filter(merchant=merchant)
    if lock:
        enrolments = enrolments.select_for_update()
    enrolment = enrolments.first()
    if enrolment is None or enrolment.status != Enrolment.Status.ENROLLED:
        raise DomainError(MessagingError.NOT_ENROLLED)


AUDIENCE_KEYS = {"tags", "regions", "followed_within_days", "bought_from_me"}


def clean_audience(raw: dict | None) -> dict:
    raw = raw or {}
    if not isinstance(raw, dict) or set(raw) - AUDIENCE_KEYS:
        raise DomainError(MessagingError.INVALID_AUDIENCE)
    audience: dict = {}
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or len(tags) > MAX_AUDIENCE_TAGS:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("Choose at most 10 tags."))
    if tags:
        audience["tags"] = sorted({_clean_tag(str(tag)) for tag in tags})
    regions = raw.get("regions") or []
    if not isinstance(regions, list) or any(region not in REGION_CODES for region in regions):
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("Choose regions from the list."))
    if regions:
        audience["regions"] = sorted(set(regions))
    days = raw.get("followed_within_days")
    if days not in (None, ""):
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise DomainError(
                MessagingError.INVALID_AUDIENCE, _("Followed within: 1 to 3,650 days.")
            )
        audience["followed_within_days"] = days
    bought = raw.get("bought_from_me")
    if bought not in (None, False):
        if bought is not True:
            raise DomainError(MessagingError.INVALID_AUDIENCE, _("Has bought from me: yes or no."))
        audience["bought_from_me"] = True
    return audience


def _clean_content(title: str, body: str, link_url: str) -> dict:
    title = (title or "").strip()
    body = (body or "").strip()
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise DomainError(
            MessagingError.INVALID_CAMPAIGN, _("Give the campaign a title of 1 to 100 characters.")
        )
    if not body or len(body) > MESSAGE_MAX_LENGTH:
        raise DomainError(MessagingError.INVALID_MESSAGE)
    link_url = (link_url or "").strip()
    if link_url:
        link_url = _clean_url(link_url, MessagingError.INVALID_CAMPAIGN)
    return {"title": title, "body": body, "link_url": link_url}


@transaction.atomic
def create_campaign(
    *,
    merchant: User,
    title: str,
    body: str,
    link_url: str = "",
    audience: dict | None = None,
    image=None,
    product_id: int | None = None,
) -> Campaign:
    _require_enrolled(merchant)
    fields = _clean_content(title, body, link_url)
    if product_id is not None:
        fields["product_id"] = _clean_product(merchant=merchant, product_id=product_id)
    campaign = Campaign.objects.create(
        merchant=merchant,
        audience=clean_audience(audience),
        price_per_message_fen=PlatformSettings.current().price_per_message_fen,
        **fields,
    )
    if image:
        image = _clean_image(image)
        campaign.image.save(image.name, image, save=False)
        campaign.save(update_fields=["image"])
    return campaign


def _clean_image(upload):
    """Check an upload exactly as the compose form's image field does (Pillow opens and
    verifies it), so the API accepts what the web form accepts."""
    from infoconnect.messaging.forms import CampaignForm

    try:
        return CampaignForm.base_fields["image"].clean(upload)
    except ValidationError as error:
        raise DomainError(MessagingError.INVALID_IMAGE, error.messages[0]) from None


@transaction.atomic
def set_campaign_image(*, merchant: User, campaign_id: int, image) -> Campaign:
    """Attach (or replace) a draft campaign's image; the old file goes once this commits."""
    campaign = _own_campaign(merchant, campaign_id)
    if campaign.state != Campaign.State.DRAFT:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    image = _clean_image(image)
    previous = campaign.image.name
    storage = campaign.image.storage
    name = storage.save(campaign.image.field.generate_filename(campaign, image.name), image)
    # The state is checked again in the UPDATE: a send that started meanwhile keeps its image.
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        image=name, updated_at=timezone.now()
    )
    if not updated:
        storage.delete(name)
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def remove_campaign_image(*, merchant: User, campaign_id: int) -> Campaign:
    """Take a draft campaign's image off; removing none is not an error."""
    campaign = _own_campaign(merchant, campaign_id)
    previous = campaign.image.name
    storage = campaign.image.storage
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        image="", updated_at=timezone.now()
    )
    if not updated:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    campaign.refresh_from_db()
    return campaign


def _own_campaign(merchant: User, campaign_id: int) -> Campaign:
    campaign = Campaign.objects.filter(pk=campaign_id, merchant=merchant).first()
    if campaign is None:
        raise DomainError(MessagingError.CAMPAIGN_NOT_FOUND)
    return campaign


@transaction.atomic
def update_campaign(
    *,
    merchant: User,
    campaign_id: int,
    title: str | None = None,
    body: str | None = None,
    link_url: str | None = None,
    audience: dict | None = None,
    product_id: int | None = None,
) -> Campaign:
    """None leaves a field as it is; product_id=0 takes the product card off."""
    campaign = _own_campaign(merchant, campaign_id)
    fields = _clean_content(
        campaign.title if title is None else title,
        campaign.body if body is None else body,
        campaign.link_url if link_url is None else link_url,
    )
    if audience is not None:
        fields["audience"] = clean_audience(audience)
    if product_id == 0:
        fields["product_id"] = None
    elif product_id is not None:
        fields["product_id"] = _clean_product(merchant=merchant, product_id=product_id)
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        updated_at=timezone.now(), estimated_recipients=None, **fields
    )
    if not updated:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def estimate_campaign(*, merchant: User, campaign_id: int) -> dict:
    """Recipients and cost if the campaign were sent now; remembered on the draft."""
    campaign = _own_campaign(merchant, campaign_id)
    rules = PlatformSettings.current()
    counts = _audience_counts(campaign=campaign, now=timezone.now(), rules=rules)
    price = (
        campaign.price_per_message_fen
        if campaign.state != Campaign.State.DRAFT
        else rules.price_per_message_fen
    )
    Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        estimated_recipients=counts.delivered, price_per_message_fen=price
    )
    return {
        "targeted": counts.targeted,
        "recipients": counts.delivered,
        "skipped": {
            "muted": counts.muted,
            "unsubscribed": counts.unsubscribed,
            "blocked": counts.blocked,
            "capped": counts.capped,
            "inactive": counts.inactive,
        },
        "price_per_message_fen": price,
        "cost_fen": counts.delivered * price,
        # What sending holds from the merchant balance (see _hold_billing).
        "hold_fen": counts.targeted * price,
        "currency": campaign.currency,
    }


def _audience_counts(
    *, campaign: Campaign, now: datetime, rules: PlatformSettings
) -> fanout.ChunkCounts:
    """The campaign's audience as a send at ``now`` would find it."""
    return fanout.estimate(
        audience=fanout.Audience.of(campaign.merchant_id, campaign.audience, now),
        cap=fanout.active_cap(
            merchant_id=campaign.merchant_id,
            limit=rules.marketing_cap_messages,
            days=rules.marketing_cap_days,
            now=now,
            exclude_id=campaign.message_id,
        ),
    )


@transaction.atomic
def send_test(*, merchant: User, campaign_id: int) -> Message:
    """Put a copy of the campaign in the merchant's own inbox; it counts for nothing."""
    _require_enrolled(merchant)
    campaign = _own_campaign(merchant, campaign_id)
    message = Message.objects.create(
        sender=merchant,
        campaign=campaign,
        is_test=True,
        body=campaign.body,
        attachment_type=Message.Attachment.LINK if campaign.link_url else "",
        attachment_url=campaign.link_url,
    )
    Receipt.objects.create(recipient_id=merchant.pk, message_id=message.pk)
    return message


def _local_day(moment: datetime):
    return timezone.localdate(moment)


def _check_quota(*, merchant_id: int, day, exclude_id: int) -> None:
    limit = PlatformSettings.current().campaigns_per_day
    used = (
        Campaign.objects.filter(merchant_id=merchant_id, send_day=day)
        .filter(
            Q(state__in=QUOTA_STATES) | Q(state=Campaign.State.CANCELLED, started_at__isnull=False)
        )
        .exclude(pk=exclude_id)
        .count()
    )
    if used >= limit:
        raise DomainError(MessagingError.CAMPAIGN_QUOTA_EXCEEDED)


@transaction.atomic
def schedule_campaign(*, merchant: User, campaign_id: int, scheduled_at: datetime) -> Campaign:
    from infoconnect.messaging.tasks import start_scheduled_campaign

    now = timezone.now()
    if timezone.is_naive(scheduled_at):
        scheduled_at = timezone.make_aware(scheduled_at)
    if scheduled_at <= now:
        raise DomainError(MessagingError.SCHEDULE_IN_PAST)
    campaign = _own_campaign(merchant, campaign_id)
    # The enrolment row lock serialises one merchant's quota checks.
    _require_enrolled(merchant, lock=True)
    day = _local_day(scheduled_at)
    _check_quota(merchant_id=merchant.pk, day=day, exclude_id=campaign.pk)
    updated = Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.DRAFT).update(
        state=Campaign.State.SCHEDULED,
        scheduled_at=scheduled_at,
        send_day=day,
        updated_at=now,
        price_per_message_fen=PlatformSettings.current().price_per_message_fen,
    )
    if not updated:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    transaction.on_commit(
        lambda: enqueue_start(start_scheduled_campaign, campaign.pk, scheduled_at)
    )
    campaign.refresh_from_db()
    return campaign


def enqueue_start(task, campaign_id: int, when: datetime) -> None:
    if task.get_backend().supports_defer:
        task.using(run_after=when).enqueue(campaign_id)
    # A backend that cannot defer relies on `manage.py resume_campaigns` to start it when due.


@transaction.atomic
def send_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Start sending a draft now; calling it again on a sending or sent campaign is a no-op."""
    campaign = _own_campaign(merchant, campaign_id)
    if campaign.state in (Campaign.State.SENDING, Campaign.State.SENT):
        return campaign
    _begin_sending(campaign=campaign, from_state=Campaign.State.DRAFT)
    campaign.refresh_from_db()
    return campaign


@transaction.atomic
def start_scheduled(*, campaign_id: int) -> bool:
    """Start a scheduled campaign once it is due; False when it is not (yet) to be started."""
    campaign = Campaign.objects.select_related("merchant").filter(pk=campaign_id).first()
    if campaign is None or campaign.state != Campaign.State.SCHEDULED:
        return False
    if campaign.scheduled_at and campaign.scheduled_at > timezone.now():
        return False
    try:
        with transaction.atomic():
            _begin_sending(campaign=campaign, from_state=Campaign.State.SCHEDULED)
    except DomainError as error:
        Campaign.objects.filter(pk=campaign.pk, state=Campaign.State.SCHEDULED).update(
            state=Campaign.State.FAILED,
            failure_code=_FAILURE_FOR_ERROR.get(error.error, Campaign.Failure.OTHER),
            failure_detail=_failure_detail(error),
            finished_at=timezone.now(),
        )
        return False
    return True


# What a scheduled campaign that could not start stores: a code, shown in the reader's
# language, not the error text in whatever language the worker ran.
_FAILURE_FOR_ERROR = {
    MessagingError.NOT_ENROLLED: Campaign.Failure.NOT_ENROLLED,
    MessagingError.CAMPAIGN_QUOTA_EXCEEDED: Campaign.Failure.QUOTA_EXCEEDED,
    WalletError.MERCHANT_INSUFFICIENT_FUNDS: Campaign.Failure.INSUFFICIENT_FUNDS,
}


def _failure_detail(error: DomainError) -> dict:
    if isinstance(error, HoldRefused):
        return {"balance": error.balance, "cost": error.cost}
    if error.error not in _FAILURE_FOR_ERROR:
        # Kept for operators: which error an "other" failure was.
        return {"error": error.code}
    return {}


def _begin_sending(*, campaign: Campaign, from_state: str) -> None:
    from infoconnect.messaging.tasks import deliver_campaign

    merchant = campaign.merchant
    _require_enrolled(merchant, lock=True)
    now = timezone.now()
    day = _local_day(now)
    _check_quota(merchant_id=merchant.pk, day=day, exclude_id=campaign.pk)
    rules = PlatformSettings.current()
    started = Campaign.objects.filter(pk=campaign.pk, state=from_state).update(
        state=Campaign.State.SENDING,
        started_at=now,
        send_day=day,
        updated_at=now,
        price_per_message_fen=rules.price_per_message_fen,
    )
    if not started:
        raise DomainError(MessagingError.CAMPAIGN_NOT_DRAFT)
    followers_count = User.objects.values_list("followers_count", flat=True).get(pk=merchant.pk)
    _hold_billing(campaign=campaign, now=now, rules=rules, followers_count=followers_count)
    message = Message.objects.create(
        sender=merchant,
        campaign=campaign,
        body=campaign.body,
        attachment_type=Message.Attachment.LINK if campaign.link_url else "",
        attachment_url=campaign.link_url,
        created_at=now,
    )
    ranges = fanout.follower_ranges(
        merchant_id=merchant.pk,
        chunk_size=chunk_size(),
        followers_hint=followers_count,
    )
    CampaignChunk.objects.bulk_create(
        [
            CampaignChunk(campaign=campaign, follower_low=low, follower_high=high)
            for low, high in ranges
        ]
    )
    Campaign.objects.filter(pk=campaign.pk).update(message=message, chunks_total=len(ranges))
    if not ranges:
        _finish_if_complete(campaign.pk)
        return
    default_tasks = DEFAULT_FANOUT_TASKS.get(connection.vendor, 1)
    tasks = min(len(ranges), int(getattr(settings, "MESSAGING_FANOUT_TASKS", default_tasks)))
    for _worker in range(tasks):
        transaction.on_commit(lambda: deliver_campaign.enqueue(campaign.pk))


@transaction.atomic
def cancel_campaign(*, merchant: User, campaign_id: int) -> Campaign:
    """Stop a scheduled or sending campaign; chunks not yet written are never written."""
    campaign = _own_campaign(merchant, campaign_id)
    cancelled = Campaign.objects.filter(
        pk=campaign.pk, state__in=[Campaign.State.SCHEDULED, Campaign.State.SENDING]
    ).update(state=Campaign.State.CANCELLED, finished_at=timezone.now(), updated_at=timezone.now())
    if not cancelled:
        raise DomainError(MessagingError.CAMPAIGN_NOT_CANCELLABLE)
    _settle_billing(campaign.pk)
    campaign.refresh_from_db()
    return campaign


# ---------------------------------------------------------------- the fan-out


class _Stopped(Exception):
    """The campaign left `sending` while a chunk was being written: roll the chunk back."""


def deliver_next_chunk(*, campaign_id: int) -> bool:
    """Write one unwritten chunk of a sending campaign; False when there is none left."""
    try:
        with transaction.atomic():
            return _deliver_one(campaign_id)
    except _Stopped:
        return False


def _deliver_one(campaign_id: int) -> bool:
    campaign = (
        Campaign.objects.filter(pk=campaign_id)
        .values("state", "merchant_id", "audience", "message_id", "started_at")
        .first()
    )
    if campaign is None or campaign["state"] != Campaign.State.SENDING:
        return False
    pending = CampaignChunk.objects.filter(campaign_id=campaign_id, done=False).order_by(
        "follower_low"
    )
    if connection.features.has_select_for_update_skip_locked:
        # Several workers share a campaign: each takes a chunk nobody else holds.
        pending = pending.select_for_update(skip_locked=True)
    chunk = pending.first()
    if chunk is None:
        _finish_if_complete(campaign_id)
        return False
    now = timezone.now()
    rules = PlatformSettings.current()
    counts = fanout.write_chunk(
        audience=fanout.Audience.of(
            campaign["merchant_id"], campaign["audience"], campaign["started_at"] or now
        ),
        message_id=campaign["message_id"],
        low=chunk.follower_low,
        high=chunk.follower_high,
        cap=fanout.active_cap(
            merchant_id=campaign["merchant_id"],
            limit=rules.marketing_cap_messages,
            days=rules.marketing_cap_days,
            now=now,
            exclude_id=campaign["message_id"],
        ),
        now=now,
    )
    _record_chunk(chunk=chunk, counts=counts, now=now)
    return True


def _record_chunk(*, chunk: CampaignChunk, counts: fanout.ChunkCounts, now: datetime) -> None:
    claimed = CampaignChunk.objects.filter(pk=chunk.pk, done=False).update(
        done=True, delivered=counts.delivered, finished_at=now
    )
    last = Q(chunks_done=F("chunks_total") - 1)
    progressed = Campaign.objects.filter(pk=chunk.campaign_id, state=Campaign.State.SENDING).update(
        chunks_done=F("chunks_done") + 1,
        targeted=F("targeted") + counts.targeted,
        delivered=F("delivered") + counts.delivered,
        skipped_blocked=F("skipped_blocked") + counts.blocked,
        skipped_muted=F("skipped_muted") + counts.muted,
        skipped_unsubscribed=F("skipped_unsubscribed") + counts.unsubscribed,
        skipped_capped=F("skipped_capped") + counts.capped,
        skipped_inactive=F("skipped_inactive") + counts.inactive,
        state=Case(When(last, then=Value(Campaign.State.SENT)), default=F("state")),
        finished_at=Case(When(last, then=Value(now)), default=F("finished_at")),
        updated_at=now,
    )
    if not claimed or not progressed:
        raise _Stopped()
    if Campaign.objects.filter(pk=chunk.campaign_id, state=Campaign.State.SENT).exists():
        _settle_billing(chunk.campaign_id)


def _finish_if_complete(campaign_id: int) -> None:
    now = timezone.now()
    finished = Campaign.objects.filter(
        pk=campaign_id, state=Campaign.State.SENDING, chunks_done=F("chunks_total")
    ).update(state=Campaign.State.SENT, finished_at=now, updated_at=now)
    if finished:
        _settle_billing(campaign_id)


# ---------------------------------------------------------------- billing


def audience_size(*, campaign: Campaign, now: datetime, followers_count: int) -> int:
    """Every follower in the campaign's audience, before skips: the most it can deliver now.

    Skips are not counted out: that takes a pass over the skip sets (about a second at a
    million followers), and what skipped followers do not receive is released at the end.
    """
    if not campaign.audience and followers_count > 0:
        # Everyone: the merchant's follower count, kept with each follow and unfollow.
        return followers_count
    candidates, params = fanout._candidates(
        fanout.Audience.of(campaign.merchant_id, campaign.audience, now), None, None
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {candidates}", params)
        return int(cursor.fetchone()[0])


def _hold_billing(
    *, campaign: Campaign, now: datetime, rules: PlatformSettings, followers_count: int
) -> None:
    """Hold the most the campaign can cost (its audience × the price) from the merchant's
    balance as it starts sending.

    Followers who arrive while it sends may still receive it, but the charge never exceeds
    this hold (see _settle_billing).
    """
    amount = (
        audience_size(campaign=campaign, now=now, followers_count=followers_count)
        * rules.price_per_message_fen
    )
    if amount == 0:
        # Free (no price or nobody to reach): the ledger records no zero transactions.
        return
    try:
        wallet_actions.hold_campaign_cost(
            merchant_id=campaign.merchant_id,
            campaign_id=campaign.pk,
            amount=amount,
            currency=campaign.currency,
        )
    except DomainError as error:
        if error.error is not WalletError.MERCHANT_INSUFFICIENT_FUNDS:
            raise
        balance = wallet_selectors.balance_of(
            user_id=campaign.merchant_id, kind=AccountKind.MERCHANT, currency=campaign.currency
        )
        raise HoldRefused(balance=balance, cost=amount, currency=campaign.currency) from None


class HoldRefused(DomainError):
    """The merchant balance cannot hold what sending a campaign holds; it carries both
    amounts, so a scheduled campaign that fails for it can say them later in any language."""

    def __init__(self, *, balance: int, cost: int, currency: str) -> None:
        super().__init__(
            WalletError.MERCHANT_INSUFFICIENT_FUNDS,
            _(
                "Your merchant balance (%(balance)s) is too low: sending holds %(cost)s, a"
                " message's price for each follower in the audience; you pay only for those"
                " delivered. Top up and send again."
            )
            % {"balance": format_money(balance, currency), "cost": format_money(cost, currency)},
        )
        self.balance = balance
        self.cost = cost


def _settle_billing(campaign_id: int) -> None:
    """Charge an ended campaign delivered × price (never more than its hold) and release
    the rest to the merchant; call it in the transaction that ended the campaign. Running
    it again changes nothing."""
    campaign = (
        Campaign.objects.filter(pk=campaign_id, state__in=ENDED_STATES)
        .values("merchant_id", "delivered", "price_per_message_fen", "currency")
        .first()
    )
    if campaign is None:
        return
    held = wallet_selectors.campaign_cost(campaign_id=campaign_id)["held"]
    if not held:
        # Never started, or free: nothing was held.
        return
    wallet_actions.settle_campaign(
        merchant_id=campaign["merchant_id"],
        campaign_id=campaign_id,
        charged=min(campaign["delivered"] * campaign["price_per_message_fen"], held),
        currency=campaign["currency"],
    )


def deliver_campaign_chunks(*, campaign_id: int) -> int:
    """Write every remaining chunk, each in its own transaction; returns how many."""
    written = 0
    while deliver_next_chunk(campaign_id=campaign_id):
        written += 1
    return written
