"""Scheduled statuses (Mastodon's ``scheduled_at``): a status checked now and posted by the
task worker when it is due, with the pictures it holds meanwhile.

A scheduled status is checked as a post is when it is scheduled (text, options, the post it
answers, its pictures), and posted through ``create_post`` when due, so whatever changed in
between (the post it answers went, the author blocked someone) is met then: a status that
cannot be posted fails with the refusal's code instead of being posted differently.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import media
from infoconnect.social.actions.common import _clean_text, _readable_original, is_blocked_between
from infoconnect.social.actions.posts import clean_options, create_post
from infoconnect.social.errors import MediaError, SocialError
from infoconnect.social.lifecycle import queue_publishing, scheduled_statuses
from infoconnect.social.models import MediaAttachment, ScheduledStatus

# As on Mastodon: at least five minutes ahead, 300 waiting at once and 25 on one day.
SCHEDULE_LEAD = timedelta(minutes=5)
SCHEDULED_TOTAL_MAX = 300
SCHEDULED_DAILY_MAX = 25

State = ScheduledStatus.State


def clean_scheduled_at(value: datetime, *, now: datetime) -> datetime:
    if timezone.is_naive(value):
        # Mastodon reads a time without an offset as UTC.
        value = timezone.make_aware(value, UTC)
    if value < now + SCHEDULE_LEAD:
        raise DomainError(SocialError.SCHEDULED_TOO_SOON)
    return value


def _check_limits(user: User, at: datetime, *, moving: int | None = None) -> None:
    """Within the limits once ``at`` is taken; run with the author locked, so concurrent
    schedulings count each other."""
    waiting = ScheduledStatus.objects.filter(user_id=user.pk, state=State.SCHEDULED)
    if moving is not None:
        waiting = waiting.exclude(pk=moving)
    day = timezone.localtime(at).replace(hour=0, minute=0, second=0, microsecond=0)
    same_day = waiting.filter(scheduled_at__gte=day, scheduled_at__lt=day + timedelta(days=1))
    if (moving is None and waiting.count() >= SCHEDULED_TOTAL_MAX) or (
        same_day.count() >= SCHEDULED_DAILY_MAX
    ):
        raise DomainError(SocialError.TOO_MANY_SCHEDULED)


def _lock_author(user: User) -> None:
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()


def _hold_media(row: ScheduledStatus, owner: User, ids: list[int]) -> None:
    """The pictures become the scheduled status's (conditional on being the owner's and on no
    post or other scheduled status holding them): nothing else takes them, and the sweep of
    unposted pictures leaves them."""
    if not ids:
        return
    held = MediaAttachment.objects.filter(
        pk__in=ids, owner_id=owner.pk, post__isnull=True, scheduled__isnull=True
    ).update(scheduled=row)
    if held == len(ids):
        return
    if MediaAttachment.objects.filter(pk__in=ids, owner_id=owner.pk).count() < len(ids):
        raise DomainError(MediaError.MEDIA_NOT_FOUND)
    raise DomainError(MediaError.MEDIA_ALREADY_ATTACHED)


@transaction.atomic
def schedule_status(
    *,
    author: User,
    text: str,
    scheduled_at: datetime,
    in_reply_to_id: int | None = None,
    media_ids: Sequence[int] = (),
    visibility: str | None = None,
    spoiler_text: str | None = "",
    sensitive: bool = False,
    language: str | None = "",
    now: datetime | None = None,
) -> ScheduledStatus:
    """A status to be posted at ``scheduled_at``; refused now for what would refuse the post."""
    now = now or timezone.now()
    at = clean_scheduled_at(scheduled_at, now=now)
    ids = media.check_media_ids(media_ids)
    text = _clean_text(text, allow_empty=bool(ids))
    options = clean_options(
        visibility=visibility, spoiler_text=spoiler_text, sensitive=sensitive, language=language
    )
    if in_reply_to_id is not None:
        parent = _readable_original(author, in_reply_to_id)
        if is_blocked_between(author.pk, parent.author_id):
            raise DomainError(SocialError.BLOCKED)
        in_reply_to_id = parent.pk
    _lock_author(author)
    _check_limits(author, at)
    row = ScheduledStatus.objects.create(
        user=author,
        scheduled_at=at,
        text=text,
        in_reply_to_id=in_reply_to_id,
        media_ids=ids,
        **options,
    )
    _hold_media(row, author, ids)
    scheduled_statuses.report(row, "schedule", from_state="", now=now)
    return row


def _own_waiting(user: User, scheduled_id: int) -> ScheduledStatus:
    row = (
        ScheduledStatus.objects.select_for_update()
        .filter(pk=scheduled_id, user_id=user.pk, state=State.SCHEDULED)
        .first()
    )
    if row is None:
        raise DomainError(SocialError.SCHEDULED_STATUS_NOT_FOUND)
    return row


@transaction.atomic
def reschedule(
    *, user: User, scheduled_id: int, scheduled_at: datetime, now: datetime | None = None
) -> ScheduledStatus:
    """Move one's own waiting status to another time (Mastodon's PUT)."""
    now = now or timezone.now()
    at = clean_scheduled_at(scheduled_at, now=now)
    _lock_author(user)
    row = _own_waiting(user, scheduled_id)
    _check_limits(user, at, moving=row.pk)
    ScheduledStatus.objects.filter(pk=row.pk, state=State.SCHEDULED).update(scheduled_at=at)
    row.scheduled_at = at
    queue_publishing(row)
    return row


@transaction.atomic
def cancel_scheduled(*, user: User, scheduled_id: int) -> None:
    """Delete one's own waiting status; its pictures are unposted pictures again."""
    _own_waiting(user, scheduled_id).delete()


def publish_due(*, scheduledstatus_id: int, now: datetime | None = None) -> bool:
    """Post a waiting status once it is due (the ``publish`` edge's sweep action and the task's
    body); False when it is not due, or gone, or published already, or could not be posted,
    which fails it with the refusal's code. The move comes first: of two runs at once, the
    second finds the row moved and posts nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        row = (
            ScheduledStatus.objects.select_related("user")
            .filter(pk=scheduledstatus_id, state=State.SCHEDULED, scheduled_at__lte=now)
            .first()
        )
        if row is None:
            return False
        try:
            with transaction.atomic():
                if not scheduled_statuses.move(row, "publish", strict=False, now=now):
                    return False
                MediaAttachment.objects.filter(scheduled=row).update(scheduled=None)
                post = create_post(
                    author=row.user,
                    text=row.text,
                    in_reply_to_id=row.in_reply_to_id,
                    media_ids=row.media_ids,
                    visibility=row.visibility,
                    spoiler_text=row.spoiler_text,
                    sensitive=row.sensitive,
                    language=row.language,
                )
                ScheduledStatus.objects.filter(pk=row.pk).update(post=post)
        except DomainError as error:
            # The move was undone with the rest: the row waits again, and fails now.
            row.refresh_from_db(fields=["state"])
            if scheduled_statuses.move(row, "fail", strict=False, now=now, failure_code=error.code):
                # Its pictures are unposted pictures again, for another post or the sweep.
                MediaAttachment.objects.filter(scheduled=row).update(scheduled=None)
            return False
    return True
