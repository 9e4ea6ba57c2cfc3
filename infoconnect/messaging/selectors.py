"""Reads of the messaging app: the inbox, a thread, unread counts, campaigns and figures.

The inbox merges two sources: the person's conversation rows (private messages) and their
newest campaign receipts, grouped by merchant. Both are read through indexes that lead with
the person's id, so the first page costs the same with ten million receipts in the table.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing
from django.db import connection
from django.db.models import Max, Sum

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


def _recent_receipts(user_id: int) -> list[tuple[int, int, datetime, int, int | None]]:
    """(message_id, flags, created_at, sender_id, campaign_id), newest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.message_id, r.flags, r.created_at, m.sender_id, m.campaign_id"
            " FROM (SELECT message_id, flags, created_at FROM messaging_receipt"
            " WHERE recipient_id = %s ORDER BY message_id DESC LIMIT %s) r"
            " JOIN messaging_message m ON m.id = r.message_id ORDER BY r.message_id DESC",
            [user_id, RECEIPT_WINDOW],
        )
        rows = cursor.fetchall()
    if connection.vendor == "sqlite":
        from django.db.models.fields import DateTimeField

        converter = DateTimeField()
        rows = [
            (a, b, converter.to_python(c) if isinstance(c, str) else c, d, e)
            for a, b, c, d, e in rows
        ]
    return rows


def inbox(
    *, user: User, before: datetime | None = None, limit: int = INBOX_PAGE
) -> list[InboxEntry]:
    """Conversations newest first, each with its unread count."""
    receipts = _recent_receipts(user.pk)
    groups: dict[int, dict] = {}
    for _message_id, flags, created_at, sender_id, campaign_id in receipts:
        group = groups.setdefault(
            sender_id, {"last_at": created_at, "campaign_id": campaign_id, "unread": 0}
        )
        if not flags & Receipt.READ:
            group["unread"] += 1
    participants = Participant.objects.filter(user=user).order_by("-last_message_at")
    if before is not None:
        participants = participants.filter(last_message_at__lt=before)
    rows = {p.other_id: p for p in participants[: limit + 1]}
    missing = [other for other in groups if other not in rows]
    if missing:
        rows.update(
            {p.other_id: p for p in Participant.objects.filter(user=user, other_id__in=missing)}
        )
    others = User.objects.in_bulk(set(rows) | set(groups))
    titles = dict(
        Campaign.objects.filter(pk__in=[g["campaign_id"] for g in groups.values()]).values_list(
            "pk", "title"
        )
    )
    last_bodies = _last_private_messages([p.conversation_id for p in rows.values()])
    entries = []
    for other_id in set(rows) | set(groups):
        if other_id not in others:
            continue
        participant, group = rows.get(other_id), groups.get(other_id)
        entry = InboxEntry(other=others[other_id], last_at=datetime.min, preview="")
        if participant is not None:
            entry.last_at = participant.last_message_at
            entry.unread = participant.unread_count
            entry.preview = last_bodies.get(participant.conversation_id, "")
        if group is not None:
            entry.unread += group["unread"]
            if participant is None or group["last_at"] > participant.last_message_at:
                entry.last_at = group["last_at"]
                entry.preview = titles.get(group["campaign_id"], "")
                entry.is_campaign = True
        if before is None or entry.last_at < before:
            entries.append(entry)
    entries.sort(key=lambda e: e.last_at, reverse=True)
    return entries[:limit]


def _last_private_messages(conversation_ids: list[int]) -> dict[int, str]:
    if not conversation_ids:
        return {}
    latest = (
        Message.objects.filter(conversation_id__in=conversation_ids)
        .values("conversation_id")
        .annotate(last_id=Max("id"))
        .values_list("last_id", flat=True)
    )
    return {
        m.conversation_id: (m.body or m.attachment_url)[:80]
        for m in Message.objects.filter(pk__in=list(latest)).only(
            "conversation_id", "body", "attachment_url"
        )
    }


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
    return Thread(other=other, items=items[-limit:], conversation=conversation)


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
    }


def campaign_activity(campaign: Campaign) -> list[CampaignActivity]:
    return list(campaign.activity.order_by("hour"))


def marketing_preferences(*, user: User) -> list[MarketingPreference]:
    return list(
        MarketingPreference.objects.filter(follower=user)
        .select_related("merchant")
        .order_by("merchant__username")
    )
