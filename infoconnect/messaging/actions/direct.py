"""Private messages between two accounts, and reading a conversation."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import is_notice_account
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging.actions.receipts import flag
from infoconnect.messaging.actions.rules import clean_product, clean_url
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import (
    MESSAGE_MAX_LENGTH,
    Conversation,
    Message,
    Participant,
    Receipt,
)
from infoconnect.social.models import Block, Follow, Post


def blocked_either_way(a: int, b: int) -> bool:
    return Block.objects.filter(
        Q(blocker_id=a, blocked_id=b) | Q(blocker_id=b, blocked_id=a)
    ).exists()


def received_campaign_from(*, recipient_id: int, sender_id: int) -> bool:
    """Has recipient_id received a campaign message from sender_id (so may reply)?"""
    ids = Message.objects.filter(sender_id=sender_id, campaign__isnull=False).values("pk")
    return Receipt.objects.filter(recipient_id=recipient_id, message_id__in=ids).exists()


def may_message(*, sender: User, recipient: User, conversation: Conversation | None) -> None:
    if is_notice_account(user_id=recipient.pk):
        raise DomainError(MessagingError.NOTICES_ONLY)
    if blocked_either_way(sender.pk, recipient.pk):
        raise DomainError(MessagingError.BLOCKED)
    if recipient.message_policy == User.MessagePolicy.EVERYONE:
        return
    if Follow.objects.filter(follower=recipient, target=sender).exists():
        return
    if conversation is not None and conversation.messages.filter(sender=recipient).exists():
        return
    if received_campaign_from(recipient_id=sender.pk, sender_id=recipient.pk):
        return
    raise DomainError(MessagingError.NOT_ACCEPTING_MESSAGES)


def clean_attachment(
    attachment_type: str, attachment_id: int | None, attachment_url: str, *, sender: User
) -> tuple[str, int | None, str]:
    attachment_type = attachment_type or ""
    attachment_url = (attachment_url or "").strip()
    if attachment_type == "":
        if attachment_id is not None or attachment_url:
            raise DomainError(MessagingError.INVALID_ATTACHMENT)
        return "", None, ""
    if attachment_type == Message.Attachment.LINK:
        return "link", None, clean_url(attachment_url, MessagingError.INVALID_ATTACHMENT)
    if attachment_type == Message.Attachment.POST:
        if attachment_id is None or not Post.objects.filter(pk=attachment_id).exists():
            raise DomainError(MessagingError.INVALID_ATTACHMENT, _("That post does not exist."))
        return "post", attachment_id, ""
    if attachment_type == Message.Attachment.PRODUCT:
        return "product", clean_product(merchant=sender, product_id=attachment_id), ""
    raise DomainError(MessagingError.INVALID_ATTACHMENT)


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
    attachment = clean_attachment(attachment_type, attachment_id, attachment_url, sender=sender)
    if len(body) > MESSAGE_MAX_LENGTH or (not body and not attachment[0]):
        raise DomainError(MessagingError.INVALID_MESSAGE)
    if recipient_id == sender.pk:
        raise DomainError(MessagingError.CANNOT_MESSAGE_SELF)
    recipient = User.objects.filter(pk=recipient_id, is_active=True).first()
    if recipient is None:
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    low, high = sorted([sender.pk, recipient.pk])
    conversation = Conversation.objects.filter(user_low_id=low, user_high_id=high).first()
    may_message(sender=sender, recipient=recipient, conversation=conversation)
    now = timezone.now()
    if conversation is None:
        conversation = start_conversation(sender=sender, recipient=recipient, now=now)
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


@transaction.atomic(savepoint=False)  # inside the caller's transaction: no savepoint of its own
def send_notices(
    *,
    sender: User,
    recipient_ids: list[int],
    body: str,
    attachment_type: str = "",
    attachment_id: int | None = None,
) -> list[Message]:
    """A platform notice from an account the platform speaks for (a company's account to its
    members), to each of ``recipient_ids`` in a handful of statements however many they are:
    no message policy or new-conversation limit applies, each recipient is a member told of
    their own company's business."""
    now = timezone.now()
    recipients = sorted(set(recipient_ids) - {sender.pk})
    if not recipients:
        return []
    pairs = {tuple(sorted([sender.pk, pk])): pk for pk in recipients}
    pair_filter = Q()
    for low, high in pairs:
        pair_filter |= Q(user_low_id=low, user_high_id=high)
    found = {(c.user_low_id, c.user_high_id): c for c in Conversation.objects.filter(pair_filter)}
    for pair, recipient_id in pairs.items():
        if pair not in found:
            recipient = User.objects.get(pk=recipient_id)
            found[pair] = start_conversation(
                sender=sender, recipient=recipient, now=now, limited=False
            )
    conversations = {recipient_id: found[pair] for pair, recipient_id in pairs.items()}
    messages = Message.objects.bulk_create(
        [
            Message(
                sender=sender,
                conversation=conversations[recipient_id],
                body=body[:MESSAGE_MAX_LENGTH],
                attachment_type=attachment_type,
                attachment_id=attachment_id,
                created_at=now,
            )
            for recipient_id in recipients
        ]
    )
    conversation_ids = [c.pk for c in conversations.values()]
    Conversation.objects.filter(pk__in=conversation_ids).update(last_message_at=now)
    Participant.objects.filter(conversation_id__in=conversation_ids, user_id=sender.pk).update(
        last_message_at=now
    )
    Participant.objects.filter(conversation_id__in=conversation_ids, user_id__in=recipients).update(
        last_message_at=now, unread_count=F("unread_count") + 1
    )
    return messages


def start_conversation(
    *, sender: User, recipient: User, now: datetime, limited: bool = True
) -> Conversation:
    if limited:
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
        flag(recipient_id=user.pk, message_id=message_id, bit=Receipt.READ)
        for message_id in sorted(unread)
    )
