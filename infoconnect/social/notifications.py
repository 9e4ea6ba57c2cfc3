"""Dismissing and clearing notifications, and the reads grouped notifications need: how many
likes and reposts each post has had, and the unread ones."""

from django.db import transaction
from django.db.models import Count

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Notification

# The unread notifications a count looks at, newest first: a count past this is "at least".
UNREAD_SCAN = 1000


@transaction.atomic
def dismiss(*, user: User, notification_id: int) -> None:
    """Remove one of the user's notifications."""
    deleted, _rows = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).delete()
    if not deleted:
        raise DomainError(SocialError.NOTIFICATION_NOT_FOUND)


@transaction.atomic
def clear(*, user: User) -> int:
    """Remove all of the user's notifications; how many there were."""
    deleted, _rows = Notification.objects.filter(recipient_id=user.pk).delete()
    return deleted


def unread(*, user: User, limit: int = UNREAD_SCAN) -> list[Notification]:
    """The newest unread notifications, with the post each one is about."""
    return list(
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .select_related("post")
        .order_by("-id")[:limit]
    )


def group_counts(*, user: User, liked: set[int], reposted: set[int]) -> dict[tuple[str, int], int]:
    """How many notifications the user has of likes of each post in ``liked`` and of reposts
    of each post in ``reposted``: {(kind, post id): count}, in one query each."""
    counts: dict[tuple[str, int], int] = {}
    mine = Notification.objects.filter(recipient_id=user.pk)
    if liked:
        rows = (
            mine.filter(kind=Notification.Kind.LIKE, post_id__in=liked)
            .values("post_id")
            .annotate(n=Count("id"))
        )
        counts.update({(Notification.Kind.LIKE, row["post_id"]): row["n"] for row in rows})
    if reposted:
        # A plain repost's notification is about the post reposted; a quote's, the quote.
        reposts = mine.filter(kind=Notification.Kind.REPOST)
        plain = (
            reposts.filter(post__repost_of_id__in=reposted, post__text="")
            .values("post__repost_of_id")
            .annotate(n=Count("id"))
        )
        quotes = (
            reposts.filter(post_id__in=reposted)
            .exclude(post__text="")
            .values("post_id")
            .annotate(n=Count("id"))
        )
        for post_id, n in [(r["post__repost_of_id"], r["n"]) for r in plain] + [
            (r["post_id"], r["n"]) for r in quotes
        ]:
            key = (Notification.Kind.REPOST, post_id)
            counts[key] = counts.get(key, 0) + n
    return counts
