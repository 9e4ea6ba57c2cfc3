"""Reads of the messaging app: the inbox, a thread, unread counts, campaigns and figures.

The inbox merges two sources: the person's conversation rows (private messages) and all
their campaign receipts, grouped by merchant. Both are read through indexes that lead with
the person's id, so a page costs the same with ten million receipts in the table.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from infoconnect.accounts.models import REGIONS, User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.core.models import PlatformSettings
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.messaging import fanout
from infoconnect.messaging.attachments import load_cards
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.lifecycle import campaigns
from infoconnect.messaging.models import (
    Campaign,
    CampaignActivity,
    Conversation,
    Enrolment,
    FollowerTag,
    MarketingPreference,
    Message,
    Participant,
    Receipt,
)
from infoconnect.shop import coupon_selectors
from infoconnect.shop import selectors as shop_selectors
from infoconnect.shop.models import Coupon, Product
from infoconnect.social.models import Follow, Post
from infoconnect.social.selectors import visible_to
from infoconnect.wallet import selectors as wallet_selectors

INBOX_PAGE = 20
THREAD_LIMIT = 100
CLICK_SALT = "messaging.click"
# A tracking link older than this no longer counts a click or credits the campaign.
CLICK_MAX_AGE = timedelta(days=90)


@dataclass
class InboxEntry:
    other: User
    last_at: datetime
    preview: str
    unread: int = 0
    is_campaign: bool = False


@dataclass
class ThreadItem:
    message: Message
    created_at: datetime
    mine: bool
    campaign: Campaign | None = None
    flags: int = 0
    click_token: str = ""
    # The product card the message carries, when that product is on sale.
    product: Product | None = None
    # The post the message shares, while it exists.
    post: Post | None = None
    # Another app's card for the message's attachment (``attachments.py``), and whether a
    # later message on the page carries the same one (drawn in short there).
    card: Any = None
    # The coupon the campaign's message offers, as the reader sees it (claimed or not).
    coupon: Any = None
    card_repeat: bool = False

    @property
    def is_unsubscribed(self) -> bool:
        return bool(self.flags & Receipt.UNSUBSCRIBED)

    @property
    def is_reported(self) -> bool:
        return bool(self.flags & Receipt.REPORTED)


@dataclass
class Thread:
    other: User
    items: list[ThreadItem] = field(default_factory=list)
    conversation: Conversation | None = None
    # (created_at, message id) of the oldest item shown, when there are older ones.
    earlier: tuple[datetime, int] | None = None


def _as_datetime(value) -> datetime:
    """SQLite hands raw SQL datetimes back naive (or as text), in UTC."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def _person(user_id: int, username: str, display_name: str, kind: str, verified) -> User:
    return User(
        id=user_id,
        username=username,
        display_name=display_name,
        kind=kind,
        is_verified_merchant=bool(verified),
    )


_PERSON_COLUMNS = "u.id, u.username, u.display_name, u.kind, u.is_verified_merchant"


def inbox(
    *,
    user: User,
    before: datetime | None = None,
    before_id: int | None = None,
    limit: int = INBOX_PAGE,
) -> list[InboxEntry]:
    """Everyone the person has messages from or a conversation with, newest first (then by
    the other account's id, highest first), each with its unread count: one page of lines
    after the cursor (``before``, and ``before_id`` for lines at that very time), in one
    statement.

    Campaign lines: every one of the person's receipts, grouped in the database by the
    merchant that sent them. They are read through the receipts' primary key, which leads
    with the person's id, so the cost is the person's own receipts (as for the unread
    badge), never the table's. Conversation lines: the conversation rows with those
    merchants, so a reply and a campaign share one line, plus one page of the others by
    their index (user, last message).
    """
    older, older_params = "", []
    if before is not None:
        at = connection.ops.adapt_datetimefield_value(before)
        if before_id is None:
            older = " AND {column} < %s"
            older_params = [at]
        else:
            # Lines at the cursor's own time continue with the next account id down.
            older = " AND ({column} < %s OR ({column} = %s AND {other} < %s))"
            older_params = [at, at, before_id]
    limit = int(limit)  # written into the statement, so a prepared plan knows the page size
    last_at = "CASE WHEN p_at IS NULL OR c_at > p_at THEN c_at ELSE p_at END"
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH c AS (SELECT m.sender_id AS other_id, MAX(r.created_at) AS c_at,"
            " MAX(r.message_id) AS c_message_id,"
            " SUM(CASE WHEN (r.flags & %s) = 0 THEN 1 ELSE 0 END) AS c_unread"
            " FROM messaging_receipt r JOIN messaging_message m ON m.id = r.message_id"
            " WHERE r.recipient_id = %s GROUP BY m.sender_id),"
            " lines AS (SELECT c.other_id, c.c_at, c.c_message_id, c.c_unread,"
            " p.last_message_at AS p_at, p.unread_count AS p_unread, p.conversation_id"
            " FROM c LEFT JOIN messaging_participant p"
            " ON p.user_id = %s AND p.other_id = c.other_id"
            " UNION ALL SELECT pp.other_id, NULL, NULL, 0, pp.last_message_at,"
            " pp.unread_count, pp.conversation_id FROM (SELECT p.other_id, p.last_message_at,"
            " p.unread_count, p.conversation_id FROM messaging_participant p"
            f" WHERE p.user_id = %s{older.format(column='p.last_message_at', other='p.other_id')}"
            " AND p.other_id NOT IN (SELECT other_id FROM c)"
            f" ORDER BY p.last_message_at DESC, p.other_id DESC LIMIT {limit}) pp),"
            f" page AS (SELECT lines.*, {last_at} AS last_at FROM lines"
            f" WHERE 1 = 1{older.format(column=last_at, other='other_id')}"
            f" ORDER BY last_at DESC, other_id DESC LIMIT {limit})"
            " SELECT page.last_at, page.c_at, page.p_at,"
            " page.c_unread + COALESCE(page.p_unread, 0), cc.title,"
            " (SELECT CASE WHEN mm.body = '' THEN mm.attachment_url ELSE mm.body END"
            " FROM messaging_message mm WHERE mm.conversation_id = page.conversation_id"
            f" ORDER BY mm.id DESC LIMIT 1), {_PERSON_COLUMNS}"
            " FROM page JOIN accounts_user u ON u.id = page.other_id"
            " LEFT JOIN messaging_message cm ON cm.id = page.c_message_id"
            " LEFT JOIN messaging_campaign cc ON cc.id = cm.campaign_id"
            " ORDER BY page.last_at DESC, page.other_id DESC",
            [
                Receipt.READ,
                user.pk,
                user.pk,
                user.pk,
                *older_params,
                *older_params,
            ],
        )
        rows = cursor.fetchall()
    entries = []
    for last, campaign_at, private_at, unread, title, private_text, *person in rows:
        # The newer of the two names the line: the campaign, or the private message.
        is_campaign = campaign_at is not None and (
            private_at is None or _as_datetime(campaign_at) > _as_datetime(private_at)
        )
        entries.append(
            InboxEntry(
                other=_person(*person),
                last_at=_as_datetime(last),
                preview=(title or "") if is_campaign else (private_text or "")[:80],
                unread=int(unread),
                is_campaign=is_campaign,
            )
        )
    return entries


def unread_total(*, user: User) -> int:
    """The header badge: unread private messages plus unread campaign messages."""
    private = (
        Participant.objects.filter(user=user, unread_count__gt=0).aggregate(n=Sum("unread_count"))[
            "n"
        ]
        or 0
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM messaging_receipt WHERE recipient_id = %s AND (flags & %s) = 0",
            [user.pk, Receipt.READ],
        )
        campaigns = cursor.fetchone()[0]
    return int(private) + int(campaigns)


def click_token(*, recipient_id: int, message_id: int) -> str:
    return signing.dumps([recipient_id, message_id], salt=CLICK_SALT, compress=True)


def read_click_token(token: str, *, max_age: timedelta | None = CLICK_MAX_AGE) -> tuple[int, int]:
    """The (recipient, message) a tracking link was signed for; LINK_EXPIRED once it is older
    than ``max_age`` (None reads an expired one, to say where it led)."""
    try:
        recipient_id, message_id = signing.loads(token, salt=CLICK_SALT, max_age=max_age)
        return int(recipient_id), int(message_id)
    except signing.SignatureExpired:
        raise DomainError(MessagingError.LINK_EXPIRED) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise DomainError(MessagingError.BAD_SIGNATURE) from None


def expired_click_product_id(token: str) -> int | None:
    """The product an expired tracking link's campaign showed, if it is still on sale."""
    recipient_id, message_id = read_click_token(token, max_age=None)
    if not Receipt.objects.filter(recipient_id=recipient_id, message_id=message_id).exists():
        return None
    product_id = (
        Message.objects.filter(pk=message_id).values_list("campaign__product_id", flat=True).first()
    )
    if product_id is None:
        return None
    on_sale = Product.objects.filter(pk=product_id, status=Product.Status.ACTIVE).exists()
    return product_id if on_sale else None


def _older(before: datetime | None, before_id: int | None, *, at: str, pk: str) -> Q:
    """Rows before the cursor in (time, message id) order; everything without a cursor."""
    if before is None:
        return Q()
    if before_id is None:
        return Q(**{f"{at}__lt": before})
    return Q(**{f"{at}__lt": before}) | Q(**{at: before, f"{pk}__lt": before_id})


def thread(
    *,
    user: User,
    other_id: int,
    limit: int = THREAD_LIMIT,
    before: datetime | None = None,
    before_id: int | None = None,
) -> Thread:
    """Private messages between the two and the campaign messages either sent the other:
    the newest ``limit`` of them, or those just before the cursor (``before`` and, for items
    at that very time, ``before_id``), oldest first."""
    other = User.objects.filter(pk=other_id).first()
    if other is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    low, high = sorted([user.pk, other_id])
    conversation = Conversation.objects.filter(user_low_id=low, user_high_id=high).first()
    items: list[ThreadItem] = []
    if conversation is not None:
        private = conversation.messages.filter(
            _older(before, before_id, at="created_at", pk="id")
        ).order_by("-created_at", "-id")
        # One more than a page from each source tells whether older items exist.
        for message in private[: limit + 1]:
            items.append(
                ThreadItem(
                    message=message,
                    created_at=message.created_at,
                    mine=message.sender_id == user.pk,
                )
            )
    # Campaign messages other sent me, and (for a merchant) those I sent other.
    pairs = (
        [(user.pk, other_id)] if user.pk == other_id else [(user.pk, other_id), (other_id, user.pk)]
    )
    for recipient_id, sender_id in pairs:
        sent = Message.objects.filter(sender_id=sender_id, campaign__isnull=False).values("pk")
        receipts = {
            r.message_id: r
            for r in Receipt.objects.filter(
                _older(before, before_id, at="created_at", pk="message_id"),
                recipient_id=recipient_id,
                message_id__in=sent,
            ).order_by("-created_at", "-message_id")[: limit + 1]
        }
        messages = Message.objects.filter(pk__in=list(receipts)).select_related("campaign")
        for message in messages:
            receipt = receipts[message.pk]
            items.append(
                ThreadItem(
                    message=message,
                    created_at=receipt.created_at,
                    mine=sender_id == user.pk and recipient_id != user.pk,
                    campaign=message.campaign,
                    flags=receipt.flags if recipient_id == user.pk else 0,
                    click_token=click_token(recipient_id=recipient_id, message_id=message.pk)
                    if recipient_id == user.pk
                    else "",
                )
            )
    items.sort(key=lambda item: (item.created_at, item.message.pk))
    earlier = None
    if len(items) > limit:
        items = items[-limit:]
        earlier = (items[0].created_at, items[0].message.pk)
    attach_products(items)
    attach_posts(items, viewer=user)
    attach_cards(items, viewer=user)
    attach_coupons(items, viewer=user)
    return Thread(other=other, items=items, conversation=conversation, earlier=earlier)


def message_product_id(message: Message, campaign: Campaign | None = None) -> int | None:
    """The product a message's card shows: its own attachment, or its campaign's product."""
    if message.attachment_type == Message.Attachment.PRODUCT:
        return message.attachment_id
    campaign = campaign or (message.campaign if message.campaign_id else None)
    return campaign.product_id if campaign is not None else None


def attach_products(items: list[ThreadItem]) -> None:
    """Fill each item's product card from one query for the whole page."""
    ids = {message_product_id(item.message, item.campaign) for item in items}
    cards = shop_selectors.product_cards(ids - {None})
    for item in items:
        item.product = cards.get(message_product_id(item.message, item.campaign))


def attach_posts(items: list[ThreadItem], *, viewer: User) -> None:
    """Fill each item's shared post from one query for the whole page: only a post the
    viewer may read (its visibility, blocks) shows."""
    ids = {
        item.message.attachment_id
        for item in items
        if item.message.attachment_type == Message.Attachment.POST
    }
    if not ids:
        return
    posts = Post.objects.filter(visible_to(viewer)).select_related("author").in_bulk(ids)
    for item in items:
        if item.message.attachment_type == Message.Attachment.POST:
            item.post = posts.get(item.message.attachment_id)


def attach_cards(items: list[ThreadItem], *, viewer: User) -> None:
    """Fill each item's card from one loader call per attachment type for the whole page;
    the newest message about a thing draws its card in full, earlier ones in short."""
    keys = [(item.message.attachment_type, item.message.attachment_id) for item in items]
    cards = load_cards(viewer, keys)
    if not cards:
        return
    seen: set[tuple[str, int]] = set()
    for item, key in reversed(list(zip(items, keys, strict=True))):
        item.card = cards.get(key)
        item.card_repeat = key in seen
        seen.add(key)


def attach_coupons(items: list[ThreadItem], *, viewer: User) -> None:
    """Fill each campaign message's coupon card (for its recipient) from one read for the page."""
    ids = {item.campaign.coupon_id for item in items if item.campaign and item.click_token}
    cards = coupon_selectors.coupon_cards(coupon_ids=ids, person=viewer)
    for item in items:
        if item.campaign and item.click_token:
            item.coupon = cards.get(item.campaign.coupon_id)


def campaign_coupon_to_claim(*, user: User, message_id: int) -> tuple[int, int]:
    """(coupon id, campaign id) of a campaign message the user received, when it carries a
    coupon; MESSAGE_NOT_FOUND for anyone else, a test copy, or a message without one."""
    if (
        not is_id(message_id)
        or not Receipt.objects.filter(recipient_id=user.pk, message_id=message_id).exists()
    ):
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    message = (
        Message.objects.filter(pk=message_id, campaign__isnull=False, is_test=False)
        .select_related("campaign")
        .first()
    )
    if message is None or message.campaign.coupon_id is None:
        raise DomainError(MessagingError.MESSAGE_NOT_FOUND)
    return message.campaign.coupon_id, message.campaign_id


def campaign_offered_coupon(*, person: User, campaign_id: object, coupon_id: int) -> bool:
    """Did ``person`` receive a message of this campaign, and does it carry this coupon?"""
    if not is_id(campaign_id):
        return False
    campaign = Campaign.objects.filter(pk=campaign_id, coupon_id=coupon_id).first()
    return campaign is not None and campaign_reached(
        buyer_id=person.pk, campaign_id=campaign.pk, merchant_id=campaign.merchant_id
    )


def campaign_reached(*, buyer_id: int, campaign_id: int, merchant_id: int) -> bool:
    """Did the buyer receive this merchant's campaign (so an order may be credited to it)?"""
    sent = Message.objects.filter(
        campaign_id=campaign_id, campaign__merchant_id=merchant_id, is_test=False
    ).values("pk")
    return Receipt.objects.filter(recipient_id=buyer_id, message_id__in=sent).exists()


def follower_tags(*, merchant: User, follower_id: int) -> list[str]:
    """The tags the merchant put on one account, sorted."""
    if not account_exists(follower_id):
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    return sorted(
        FollowerTag.objects.filter(merchant=merchant, follower_id=follower_id).values_list(
            "tag", flat=True
        )
    )


def tag_counts(*, merchant: User) -> list[dict]:
    """Each tag the merchant uses, with how many accounts carry it."""
    return list(
        FollowerTag.objects.filter(merchant=merchant)
        .values("tag")
        .annotate(followers=Count("follower_id"))
        .order_by("tag")
    )


def audience_estimate(
    *,
    merchant_id: int,
    audience: dict,
    price_per_message_fen: int | None = None,
    currency: str = "CNY",
    exclude_message_id: int | None = None,
) -> dict:
    """Recipients and cost if a campaign to ``audience`` (as ``clean_audience`` gives it) were
    sent now, at ``price_per_message_fen`` or, by default, today's price; the campaign's own
    message, once it has one, does not count towards the frequency cap."""
    rules = PlatformSettings.current()
    now = timezone.now()
    price = rules.price_per_message_fen if price_per_message_fen is None else price_per_message_fen
    counts = fanout.estimate(
        audience=fanout.Audience.of(merchant_id, audience, now),
        cap=fanout.active_cap(
            merchant_id=merchant_id,
            limit=rules.marketing_cap_messages,
            days=rules.marketing_cap_days,
            now=now,
            exclude_id=exclude_message_id,
        ),
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
        # What sending holds from the merchant balance (see billing.hold_billing).
        "hold_fen": counts.targeted * price,
        "currency": currency,
    }


def campaign_preview(campaign: Campaign) -> ThreadItem:
    """The campaign's message as a follower will find it in the inbox: its text, link, image,
    product card (while on sale) and coupon, for a reader who has not claimed it yet."""
    message = Message(
        sender_id=campaign.merchant_id,
        campaign=campaign,
        body=campaign.body,
        attachment_type=Message.Attachment.LINK if campaign.link_url else "",
        attachment_url=campaign.link_url,
    )
    item = ThreadItem(message=message, created_at=timezone.now(), mine=False, campaign=campaign)
    attach_products([item])
    if campaign.coupon_id:
        cards = coupon_selectors.coupon_cards(coupon_ids=[campaign.coupon_id], person=None)
        item.coupon = cards.get(campaign.coupon_id)
    return item


def progress_total(campaign: Campaign) -> int | None:
    """How many followers a sending campaign is expected to reach: its last estimate, or what
    it delivered when more followers arrived meanwhile; None when it was never estimated."""
    if campaign.estimated_recipients is None:
        return None
    return max(campaign.estimated_recipients, campaign.delivered)


def running_campaign_count(*, merchant_id: int) -> int:
    """The merchant's campaigns under way: scheduled, sending or paused (those it can still
    cancel)."""
    return Campaign.objects.filter(
        merchant_id=merchant_id, state__in=campaigns.sources("cancel")
    ).count()


def programme_status(*, merchant: User) -> str:
    """The merchant's place in the messaging programme: "enrolled", "suspended" or
    "not_enrolled"."""
    status = Enrolment.objects.filter(merchant=merchant).values_list("status", flat=True).first()
    return status or "not_enrolled"


def campaigns_for(*, merchant: User) -> list[Campaign]:
    return list(Campaign.objects.filter(merchant=merchant).order_by("-id")[:100])


def campaign_for(*, merchant: User, campaign_id: int) -> Campaign:
    """A merchant's own campaign; anybody else's is 'not found'."""
    campaign = Campaign.objects.filter(pk=campaign_id, merchant=merchant).first()
    if campaign is None:
        raise DomainError(MessagingError.CAMPAIGN_NOT_FOUND)
    return campaign


def scheduled_start(*, campaign_id: int) -> datetime | None:
    """When a campaign still scheduled for later is due; None once it is due or not scheduled."""
    due_at = (
        Campaign.objects.filter(pk=campaign_id, state__in=campaigns.sources("start"))
        .values_list("scheduled_at", flat=True)
        .first()
    )
    return due_at if due_at is not None and due_at > timezone.now() else None


def sending_campaign_ids() -> list[int]:
    """Campaigns being sent: a lost worker's may have stalled."""
    return list(
        Campaign.objects.filter(state__in=campaigns.sources("finish"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def campaign_stats(campaign: Campaign) -> dict:
    sales = campaign_sales(campaign)
    return {
        "id": campaign.pk,
        "state": campaign.state,
        "chunks_total": campaign.chunks_total,
        "chunks_done": campaign.chunks_done,
        "progress_percent": campaign.progress_percent,
        "targeted": campaign.targeted,
        "skipped": {
            "muted": campaign.skipped_muted,
            "unsubscribed": campaign.skipped_unsubscribed,
            "blocked": campaign.skipped_blocked,
            "capped": campaign.skipped_capped,
            "inactive": campaign.skipped_inactive,
        },
        "delivered": campaign.delivered,
        "read": campaign.read,
        "clicked": campaign.clicked,
        "unsubscribed": campaign.unsubscribed,
        "reported": campaign.reported,
        "price_per_message_fen": campaign.price_per_message_fen,
        "billable_deliveries": campaign.delivered,
        "billable_fen": campaign.billable_fen,
        "currency": campaign.currency,
        **sales,
        **campaign_rates(campaign, sales, campaign_billing(campaign)),
        "coupon": campaign_coupon(campaign),
    }


def _ratio(part: int, whole: int, places: int = 4) -> float | None:
    return round(part / whole, places) if whole else None


def campaign_rates(campaign: Campaign, sales: dict, billing: dict) -> dict:
    """The rates merchants compare campaigns by, each None until its denominator is known:
    read and click-through rates and conversion (orders) per delivered message, revenue per
    delivered message (fen, rounded down), and return on spend (revenue ÷ what the campaign
    was charged; while it sends, ÷ what its deliveries cost so far)."""
    delivered = campaign.delivered
    spend = billing["charged"] if billing["charged"] is not None else campaign.billable_fen
    return {
        "read_rate": _ratio(campaign.read, delivered),
        "click_through_rate": _ratio(campaign.clicked, delivered),
        "conversion_rate": _ratio(sales["orders"], delivered),
        "revenue_per_delivered_fen": sales["revenue_fen"] // delivered if delivered else None,
        "return_on_spend": _ratio(sales["revenue_fen"], spend, places=2),
    }


def campaign_coupon(campaign: Campaign) -> dict | None:
    """The campaign's coupon and what it did (claims from its messages, those redeemed, their
    orders' revenue); None without one."""
    if campaign.coupon_id is None:
        return None
    figures = coupon_selectors.campaign_coupon_figures(campaign_id=campaign.pk)
    coupon = Coupon.objects.filter(pk=campaign.coupon_id).first()
    return {
        "id": campaign.coupon_id,
        "title": coupon.title if coupon else "",
        "claimed": figures["claimed"],
        "redeemed": figures["redeemed"],
        "revenue_fen": figures["revenue"],
    }


def describe_audience(audience: dict) -> list[str]:
    """The campaign's segment as the merchant reads it: one phrase per condition, regions
    by name, in the active language."""
    if not audience:
        return [gettext("All followers who accept marketing")]
    names = dict(REGIONS)
    parts = []
    if audience.get("tags"):
        parts.append(gettext("Tagged %(tags)s") % {"tags": ", ".join(audience["tags"])})
    if audience.get("regions"):
        regions = ", ".join(str(names.get(code, code)) for code in audience["regions"])
        parts.append(gettext("In %(regions)s") % {"regions": regions})
    if audience.get("followed_within_days"):
        parts.append(
            ngettext(
                "Followed within the last %(days)d day",
                "Followed within the last %(days)d days",
                audience["followed_within_days"],
            )
            % {"days": audience["followed_within_days"]}
        )
    if audience.get("bought_from_me"):
        parts.append(gettext("Has bought from me"))
    return parts


def campaign_billing(campaign: Campaign) -> dict[str, int | None]:
    """What sending held from the merchant balance and what was charged (None while it may
    still change). A campaign that ended without holding anything, because it never started
    or cost nothing, was charged nothing."""
    billing = wallet_selectors.campaign_cost(campaign_id=campaign.pk)
    if billing["charged"] is None and not billing["held"] and campaign.has_ended:
        billing["charged"] = 0
    return billing


def campaign_sales(campaign: Campaign) -> dict:
    """Orders credited to the campaign: paid, shipped or completed; refunded ones apart."""
    sales = shop_selectors.campaign_sales(campaign_id=campaign.pk)
    return {
        "orders": sales["orders"],
        "revenue_fen": sales["revenue"],
        "refunded_orders": sales["refunded_orders"],
        "refunded_fen": sales["refunded"],
    }


def campaign_activity(campaign: Campaign) -> list[CampaignActivity]:
    return list(campaign.activity.order_by("hour"))


def marketing_preferences(*, user: User) -> list[MarketingPreference]:
    return list(
        MarketingPreference.objects.filter(follower=user)
        .select_related("merchant")
        .order_by("merchant__username")
    )


def active_account(username: str) -> User | None:
    """The active account with this username (any letter case), for starting a conversation."""
    if not username:
        return None
    return User.objects.filter(username__iexact=username, is_active=True).first()


def marketing_choices(*, user: User) -> list[dict]:
    """Each merchant the person follows, by username, and whether it may send them marketing."""
    followed = User.objects.filter(
        kind=User.Kind.MERCHANT,
        pk__in=Follow.objects.filter(follower=user).values("target_id"),
    ).order_by("username")
    off = set(
        MarketingPreference.objects.filter(follower=user, accepts_marketing=False).values_list(
            "merchant_id", flat=True
        )
    )
    return [{"merchant": m, "accepts": m.pk not in off} for m in followed]


FOLLOWERS_PAGE = 50


def follower_page(*, merchant: User, page: str | int | None) -> tuple[list[dict], Page]:
    """One page of the merchant's followers, newest first, each with the tags it put on them."""
    follows = (
        Follow.objects.filter(target=merchant)
        .select_related("follower")
        .order_by("-created_at", "-id")
    )
    found = Paginator(follows, FOLLOWERS_PAGE).get_page(page)
    tags: dict[int, list[str]] = {}
    for follower_id, tag in FollowerTag.objects.filter(
        merchant=merchant, follower_id__in=[f.follower_id for f in found]
    ).values_list("follower_id", "tag"):
        tags.setdefault(follower_id, []).append(tag)
    rows = [
        {"follower": f.follower, "since": f.created_at, "tags": sorted(tags.get(f.follower_id, []))}
        for f in found
    ]
    return rows, found


def account_exists(account_id: int) -> bool:
    return User.objects.filter(pk=account_id).exists()


def message_sent_by(*, message_id: int, sender_id: int) -> bool:
    if not (is_id(message_id) and is_id(sender_id)):
        return False
    return Message.objects.filter(pk=message_id, sender_id=sender_id).exists()


def conversation_entry(*, user: User, other_id: int) -> InboxEntry:
    """One line of the inbox: the conversation with other_id, even if it is empty."""
    other = User.objects.filter(pk=other_id).first()
    if other is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    thread_items = thread(user=user, other_id=other_id, limit=1).items
    participant = Participant.objects.filter(user=user, other_id=other_id).first()
    sent = Message.objects.filter(sender_id=other_id, campaign__isnull=False).values("pk")
    unread_campaigns = (
        Receipt.objects.filter(recipient_id=user.pk, message_id__in=sent)
        .annotate(read_bit=F("flags").bitand(Receipt.READ))
        .filter(read_bit=0)
        .count()
    )
    last = thread_items[-1] if thread_items else None
    return InboxEntry(
        other=other,
        last_at=last.created_at
        if last
        else (participant.last_message_at if participant else timezone.now()),
        preview=(
            last.campaign.title if last and last.campaign else (last.message.body if last else "")
        )[:80],
        unread=(participant.unread_count if participant else 0) + unread_campaigns,
        is_campaign=bool(last and last.campaign),
    )


# ---------------------------------------------------------------- Mastodon's conversations


@dataclass
class DirectConversation:
    """One of a person's private conversations as a Mastodon client lists it: the person's
    side of it (``participant``, whose id is the conversation's id) and its last message."""

    participant: Participant
    last: Message
    # The direct status the last message delivered, while it exists.
    post: Post | None = None

    @property
    def unread(self) -> bool:
        return self.participant.unread_count > 0


def _direct_conversations(*, user: User):
    last_id = (
        Message.objects.filter(conversation_id=OuterRef("conversation_id"))
        .order_by("-id")
        .values("id")[:1]
    )
    return (
        Participant.objects.filter(user=user)
        .filter(Q(removed_at__isnull=True) | Q(last_message_at__gt=F("removed_at")))
        .annotate(last_id=Subquery(last_id))
        .filter(last_id__isnull=False)
        .select_related("other")
    )


def _with_last_messages(participants: list[Participant]) -> list[DirectConversation]:
    messages = Message.objects.select_related("sender").in_bulk([p.last_id for p in participants])
    posts = Post.objects.select_related("author", "repost_of", "repost_of__author").in_bulk(
        [m.post_id for m in messages.values() if m.post_id]
    )
    return [
        DirectConversation(
            participant=p,
            last=messages[p.last_id],
            post=posts.get(messages[p.last_id].post_id),
        )
        for p in participants
    ]


def direct_conversations(*, user: User, page: PageParams) -> list[DirectConversation]:
    """A page of the person's private conversations, paged as Mastodon pages them: by the
    id of each one's last message, newest first. Campaign messages are not conversations."""
    return _with_last_messages(paginate(_direct_conversations(user=user), page, field="last_id"))


def direct_conversation(*, user: User, conversation_id: object) -> DirectConversation:
    """One of the person's own conversations by its Mastodon id (404 for anyone else's)."""
    if not is_id(conversation_id):
        raise DomainError(MessagingError.CONVERSATION_NOT_FOUND)
    found = list(_direct_conversations(user=user).filter(pk=conversation_id))
    if not found:
        raise DomainError(MessagingError.CONVERSATION_NOT_FOUND)
    return _with_last_messages(found)[0]
