"""Reads of the messaging app: the inbox, a thread, unread counts, campaigns and figures.

The inbox merges two sources: the person's conversation rows (private messages) and their
newest campaign receipts, grouped by merchant. Both are read through indexes that lead with
the person's id, so the first page costs the same with ten million receipts in the table.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core import signing
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import (
    Campaign,
    CampaignActivity,
    Conversation,
    MarketingPreference,
    Message,
    Participant,
    Receipt,
)
from infoconnect.shop import selectors as shop_selectors
from infoconnect.shop.models import Product

INBOX_PAGE = 20
# How many of a person's newest receipts the inbox groups by merchant.
RECEIPT_WINDOW = 200
THREAD_LIMIT = 100
CLICK_SALT = "messaging.click"


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
    *, user: User, before: datetime | None = None, limit: int = INBOX_PAGE
) -> list[InboxEntry]:
    """Conversations newest first, each with its unread count, in one statement.

    Two index ranges led by the person's id: their newest receipts (grouped here by the
    merchant that sent them) and their conversation rows (a page, plus those with the
    merchants just found, so a reply and a campaign share one line).
    """
    page_filter, page_params = "", []
    if before is not None:
        page_filter, page_params = " AND last_message_at < %s", [before]
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH r AS (SELECT message_id, flags, created_at FROM messaging_receipt"
            " WHERE recipient_id = %s ORDER BY message_id DESC LIMIT %s),"
            " rm AS (SELECT r.message_id, r.flags, r.created_at, m.sender_id, m.campaign_id"
            " FROM r JOIN messaging_message m ON m.id = r.message_id)"
            f" SELECT 0, rm.message_id, rm.flags, rm.created_at, c.title, {_PERSON_COLUMNS}"
            " FROM rm JOIN accounts_user u ON u.id = rm.sender_id"
            " LEFT JOIN messaging_campaign c ON c.id = rm.campaign_id"
            " UNION ALL"
            " SELECT 1, 0, p.unread_count, p.last_message_at,"
            " (SELECT CASE WHEN mm.body = '' THEN mm.attachment_url ELSE mm.body END"
            " FROM messaging_message mm WHERE mm.conversation_id = p.conversation_id"
            f" ORDER BY mm.id DESC LIMIT 1), {_PERSON_COLUMNS}"
            " FROM messaging_participant p JOIN accounts_user u ON u.id = p.other_id"
            " WHERE p.user_id = %s AND (p.id IN (SELECT id FROM messaging_participant"
            f" WHERE user_id = %s{page_filter} ORDER BY last_message_at DESC LIMIT %s)"
            " OR p.other_id IN (SELECT sender_id FROM rm))",
            [user.pk, RECEIPT_WINDOW, user.pk, user.pk, *page_params, limit + 1],
        )
        rows = cursor.fetchall()
    entries: dict[int, InboxEntry] = {}
    # Campaign receipts first: the newest message of each merchant names the line.
    for source, _message_id, flags, created_at, text, *person in sorted(
        rows, key=lambda row: (row[0], -row[1])
    ):
        when = _as_datetime(created_at)
        entry = entries.get(person[0])
        if source == 0:
            if entry is None:
                entry = entries[person[0]] = InboxEntry(
                    other=_person(*person), last_at=when, preview=text or "", is_campaign=True
                )
            if not flags & Receipt.READ:
                entry.unread += 1
            continue
        if entry is None:
            entries[person[0]] = InboxEntry(
                other=_person(*person), last_at=when, preview=(text or "")[:80], unread=flags
            )
            continue
        entry.unread += flags
        if when > entry.last_at:
            entry.last_at, entry.preview, entry.is_campaign = when, (text or "")[:80], False
    listed = [e for e in entries.values() if before is None or e.last_at < before]
    listed.sort(key=lambda e: e.last_at, reverse=True)
    return listed[:limit]


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


def read_click_token(token: str) -> tuple[int, int]:
    try:
        recipient_id, message_id = signing.loads(token, salt=CLICK_SALT)
        return int(recipient_id), int(message_id)
    except (signing.BadSignature, ValueError, TypeError):
        raise DomainError(MessagingError.BAD_SIGNATURE) from None


def thread(*, user: User, other_id: int, limit: int = THREAD_LIMIT) -> Thread:
    """Private messages between the two and the campaign messages either sent the other."""
    other = User.objects.filter(pk=other_id).first()
    if other is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    low, high = sorted([user.pk, other_id])
    conversation = Conversation.objects.filter(user_low_id=low, user_high_id=high).first()
    items: list[ThreadItem] = []
    if conversation is not None:
        for message in conversation.messages.order_by("-id")[:limit]:
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
                recipient_id=recipient_id, message_id__in=sent
            ).order_by("-message_id")[:limit]
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
    items = items[-limit:]
    attach_products(items)
    return Thread(other=other, items=items, conversation=conversation)


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


def campaign_reached(*, buyer_id: int, campaign_id: int, merchant_id: int) -> bool:
    """Did the buyer receive this merchant's campaign (so an order may be credited to it)?"""
    sent = Message.objects.filter(
        campaign_id=campaign_id, campaign__merchant_id=merchant_id, is_test=False
    ).values("pk")
    return Receipt.objects.filter(recipient_id=buyer_id, message_id__in=sent).exists()


def campaigns_for(*, merchant: User) -> list[Campaign]:
    return list(Campaign.objects.filter(merchant=merchant).order_by("-id")[:100])


def campaign_for(*, merchant: User, campaign_id: int) -> Campaign:
    """A merchant's own campaign; anybody else's is 'not found'."""
    campaign = Campaign.objects.filter(pk=campaign_id, merchant=merchant).first()
    if campaign is None:
        raise DomainError(MessagingError.CAMPAIGN_NOT_FOUND)
    return campaign


def campaign_stats(campaign: Campaign) -> dict:
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
        **campaign_sales(campaign),
    }


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


def account_exists(account_id: int) -> bool:
    return User.objects.filter(pk=account_id).exists()


def message_sent_by(*, message_id: int, sender_id: int) -> bool:
    return Message.objects.filter(pk=message_id, sender_id=sender_id).exists()


def conversation_entry(*, user: User, other_id: int) -> InboxEntry:
    """One line of the inbox: the conversation with other_id, even if it is empty."""
    other = User.objects.filter(pk=other_id).first()
    if other is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    thread_items = thread(user=user, other_id=other_id, limit=1).items
    participant = Participant.objects.filter(user=user, other_id=other_id).first()
    sent = Message.objects.filter(sender_id=other_id, campaign__isnull=False).values("pk")
    unread_campaigns = sum(
        1
        for flags in Receipt.objects.filter(recipient_id=user.pk, message_id__in=sent).values_list(
            "flags", flat=True
        )
        if not flags & Receipt.READ
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
