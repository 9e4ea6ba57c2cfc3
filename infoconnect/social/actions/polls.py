"""Voting in a poll and closing it when it ends."""

from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import streams
from infoconnect.social.actions.common import _readable_original, is_blocked_between
from infoconnect.social.errors import SocialError
from infoconnect.social.lifecycle import polls as poll_lifecycle
from infoconnect.social.models import Block, Notification, Poll, PollBallot, PollOption

State = Poll.State
NOTIFY_BATCH = 1000


def _readable_poll(user: User, poll_id: int) -> Poll:
    """A poll on a post ``user`` may read; any other is not found, as its post is not."""
    poll = Poll.objects.filter(pk=poll_id).only("pk", "post_id").first()
    if poll is None:
        raise DomainError(SocialError.POLL_NOT_FOUND)
    try:
        post = _readable_original(user, poll.post_id)
    except DomainError:
        raise DomainError(SocialError.POLL_NOT_FOUND) from None
    if post.pk != poll.post_id:
        raise DomainError(SocialError.POLL_NOT_FOUND)
    return Poll.objects.select_related("post").get(pk=poll_id)


def _choices(poll: Poll, choices: Sequence[object]) -> list[int]:
    positions = []
    for choice in choices:
        if isinstance(choice, bool):
            raise DomainError(SocialError.POLL_INVALID_CHOICES)
        try:
            positions.append(int(str(choice).strip()))
        except ValueError:
            raise DomainError(SocialError.POLL_INVALID_CHOICES) from None
    count = PollOption.objects.filter(poll=poll).count()
    if (
        not positions
        or len(set(positions)) != len(positions)
        or (len(positions) > 1 and not poll.multiple)
        or any(not 0 <= position < count for position in positions)
    ):
        raise DomainError(SocialError.POLL_INVALID_CHOICES)
    return sorted(positions)


@transaction.atomic
def vote(*, user: User, poll_id: int, choices: Sequence[object]) -> Poll:
    """Cast ``user``'s one vote: the positions chosen (several only in a multiple-choice
    poll), before the poll ends, never in one's own poll. A second vote is refused, also when
    both arrive at once (the ballot's unique constraint decides)."""
    poll = _readable_poll(user, poll_id)
    if poll.post.author_id == user.pk:
        raise DomainError(SocialError.POLL_OWN)
    if is_blocked_between(user.pk, poll.post.author_id):
        raise DomainError(SocialError.POLL_NOT_FOUND)
    positions = _choices(poll, choices)
    now = timezone.now()
    try:
        with transaction.atomic():
            PollBallot.objects.create(poll=poll, voter=user, choices=positions, created_at=now)
    except IntegrityError:
        raise DomainError(SocialError.POLL_ALREADY_VOTED) from None
    # Conditional on the poll still running: a vote that arrives as it ends is refused, and
    # the ballot goes with the transaction.
    counted = Poll.objects.filter(pk=poll.pk, expires_at__gt=now).update(
        votes_count=F("votes_count") + len(positions), voters_count=F("voters_count") + 1
    )
    if counted != 1:
        raise DomainError(SocialError.POLL_EXPIRED)
    PollOption.objects.filter(poll=poll, position__in=positions).update(
        votes_count=F("votes_count") + 1
    )
    poll.refresh_from_db()
    return poll


def close_due(*, poll_id: int, now: datetime | None = None) -> bool:
    """Close a poll that has ended and tell its author and voters (the ``close`` edge's sweep
    action and the task's body); False when it is not due or closed already. The move comes
    first: of two runs at once, the second finds it closed and tells no one."""
    now = now or timezone.now()
    with transaction.atomic():
        poll = (
            Poll.objects.select_related("post__author")
            .filter(pk=poll_id, state=State.OPEN, expires_at__lte=now)
            .first()
        )
        if poll is None or not poll_lifecycle.move(poll, "close", strict=False, now=now):
            return False
        author = poll.post.author
        voters = list(
            PollBallot.objects.filter(poll=poll).order_by("pk").values_list("voter_id", flat=True)
        )
        blocked = set(
            Block.objects.filter(blocker_id=author.pk, blocked_id__in=voters).values_list(
                "blocked_id", flat=True
            )
        ) | set(
            Block.objects.filter(blocked_id=author.pk, blocker_id__in=voters).values_list(
                "blocker_id", flat=True
            )
        )
        recipients = [author.pk, *(pk for pk in voters if pk not in blocked)]
        key = f"poll:{poll.pk}"
        rows = [
            Notification(
                recipient_id=pk, actor=author, kind=Notification.Kind.POLL, post=poll.post, key=key
            )
            for pk in recipients
        ]
        Notification.objects.bulk_create(rows, batch_size=NOTIFY_BATCH, ignore_conflicts=True)
        created = Notification.objects.filter(key=key, recipient_id__in=recipients)
        for recipient_id, notification_id in created.values_list("recipient_id", "pk"):
            streams.notified(
                recipient_id=recipient_id, actor_id=author.pk, notification_id=notification_id
            )
    return True
