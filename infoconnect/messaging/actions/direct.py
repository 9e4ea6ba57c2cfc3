"""Private messages between two accounts, and reading a conversation."""

from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import is_notice_account
from infoconnect.core.errors import DomainError
from infoconnect.core.models import PlatformSettings
from infoconnect.messaging import streams
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
from infoconnect.social.selectors import visible_to


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
        # Only a post the sender may read can be shared.
        readable = Post.objects.filter(visible_to(sender), pk=attachment_id)
        if attachment_id is None or not readable.exists():
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
    return deliver(sender=sender, recipient=recipient, body=body, attachment=attachment)


def deliver(
    *,
    sender: User,
    recipient: User,
    body: str,
    attachment: tuple[str, int | None, str] = ("", None, ""),
    post_id: int | None = None,
) -> Message:
    """One private message from sender to recipient, both checked already: the recipient's
    rule (``may_message``) and the hourly limit on new conversations apply here."""
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
        post_id=post_id,
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    Participant.objects.filter(conversation=conversation, user=sender).update(last_message_at=now)
    Participant.objects.filter(conversation=conversation, user=recipient).update(
        last_message_at=now, unread_count=F("unread_count") + 1
    )
    streams.inbox_changed(recipient.pk)
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
    found = _conversation_ids(pairs)
    for pair, recipient_id in pairs.items():
        if pair not in found:
            recipient = User.objects.get(pk=recipient_id)
            found[pair] = start_conversation(
                sender=sender, recipient=recipient, now=now, limited=False
            ).pk
    conversation_of = {recipient_id: found[pair] for pair, recipient_id in pairs.items()}
    messages = [
        Message(
            sender=sender,
            conversation_id=conversation_of[recipient_id],
            body=body[:MESSAGE_MAX_LENGTH],
            attachment_type=attachment_type,
            attachment_id=attachment_id,
            created_at=now,
        )
        for recipient_id in recipients
    ]
    _write_notices(messages, sender_id=sender.pk, conversation_ids=sorted(found.values()), now=now)
    streams.inbox_changed(*recipients)
    return messages


# send_notices' statements, written by hand: a notice goes with every requisition move and
# decision, and the ORM's building of these five statements cost thousands of Python calls
# per notice, far more than the database spent on them. Each notice's conversation has two
# participants, its sender and its recipient: one UPDATE moves both (only the recipient's
# unread count grows). On PostgreSQL the messages' INSERT and both UPDATEs are one statement.
_MESSAGE_COLUMNS = (
    "sender_id, conversation_id, campaign_id, is_test, body, attachment_type, attachment_id,"
    " attachment_url, created_at"
)
_CONVERSATION_SQL = "UPDATE messaging_conversation SET last_message_at = %s WHERE id IN ({ids})"
_PARTICIPANT_SQL = (
    "UPDATE messaging_participant SET last_message_at = %s,"
    " unread_count = unread_count + CASE WHEN user_id = %s THEN 0 ELSE 1 END"
    " WHERE conversation_id IN ({ids})"
)


def _conversation_ids(pairs: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """(low, high) → the conversation's id, for the pairs that have one."""
    where = " OR ".join(["(user_low_id = %s AND user_high_id = %s)"] * len(pairs))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, user_low_id, user_high_id FROM messaging_conversation WHERE {where}",
            [value for pair in pairs for value in pair],
        )
        return {(low, high): pk for pk, low, high in cursor.fetchall()}


def _write_notices(
    messages: list[Message], *, sender_id: int, conversation_ids: list[int], now: datetime
) -> None:
    at = connection.ops.adapt_datetimefield_value(now)
    params = []
    for m in messages:
        params += [m.sender_id, m.conversation_id, None, False, m.body, m.attachment_type,
                   m.attachment_id, m.attachment_url, at]  # fmt: skip
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(messages))
    insert = f"INSERT INTO messaging_message ({_MESSAGE_COLUMNS}) VALUES {rows} RETURNING id"
    ids = ", ".join(["%s"] * len(conversation_ids))
    conversation_sql = _CONVERSATION_SQL.format(ids=ids)
    participant_sql = _PARTICIPANT_SQL.format(ids=ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH m AS ({insert}), c AS ({conversation_sql}), p AS ({participant_sql})"
                " SELECT id FROM m",
                [*params, at, *conversation_ids, at, sender_id, *conversation_ids],
            )
            new_ids = [pk for (pk,) in cursor.fetchall()]
        else:
            cursor.execute(insert, params)
            new_ids = [pk for (pk,) in cursor.fetchall()]
            cursor.execute(conversation_sql, [at, *conversation_ids])
            cursor.execute(participant_sql, [at, sender_id, *conversation_ids])
    # One statement's ids come from the sequence in the rows' order.
    for message, pk in zip(messages, sorted(new_ids), strict=True):
        message.pk = pk
        message._state.adding = False
        message._state.db = connection.alias


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
