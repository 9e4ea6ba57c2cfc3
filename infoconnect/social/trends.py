"""What is popular this week: tags by posts, public posts by likes and reposts, and each
tag's uses per day."""

from datetime import UTC, date, datetime, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.social import selectors
from infoconnect.social.models import Block, Mute, Post, PostTag, Tag, Visibility

TREND_DAYS = 7


def _today() -> date:
    return timezone.now().astimezone(UTC).date()


def tag_history(*, tag_ids: set[int], days: int = TREND_DAYS) -> dict[int, list[dict]]:
    """Per tag, newest day first: {day (a date in UTC), uses (posts), accounts (authors)}."""
    today = _today()
    since = datetime.combine(today - timedelta(days=days - 1), datetime.min.time(), UTC)
    rows = (
        PostTag.objects.filter(
            tag_id__in=tag_ids, post__created_at__gte=since, post__author__is_active=True
        )
        .annotate(day=TruncDate("post__created_at", tzinfo=UTC))
        .values("tag_id", "day")
        .annotate(uses=Count("post_id"), accounts=Count("post__author_id", distinct=True))
    )
    found = {(row["tag_id"], row["day"]): row for row in rows}
    history = {}
    for tag_id in tag_ids:
        history[tag_id] = []
        for back in range(days):
            day = today - timedelta(days=back)
            row = found.get((tag_id, day), {})
            history[tag_id].append(
                {"day": day, "uses": row.get("uses", 0), "accounts": row.get("accounts", 0)}
            )
    return history


def trending_tags(*, offset: int = 0, limit: int = 10) -> list[Tag]:
    """The tags on most posts this week, most used first."""
    ranked = selectors.trending_tags(days=TREND_DAYS, limit=offset + limit)[offset:]
    names = [name for name, _uses in ranked]
    by_name = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [by_name[name] for name in names if name in by_name]


def trending_posts(*, viewer: User | None, offset: int = 0, limit: int = 20) -> list[Post]:
    """Public posts (not comments, not plain reposts) of the last week with the most likes
    and reposts, without what the viewer blocks or mutes or who blocks them."""
    since = timezone.now() - timedelta(days=TREND_DAYS)
    queryset = Post.objects.filter(
        created_at__gte=since,
        visibility=Visibility.PUBLIC,
        in_reply_to__isnull=True,
        author__is_active=True,
    ).exclude(repost_of__isnull=False, text="")
    queryset = queryset.annotate(score=F("likes_count") + F("reposts_count")).filter(score__gt=0)
    if viewer is not None:
        hidden = (
            Q(author_id__in=Block.objects.filter(blocker_id=viewer.pk).values("blocked_id"))
            | Q(author_id__in=Block.objects.filter(blocked_id=viewer.pk).values("blocker_id"))
            | Q(author_id__in=Mute.objects.filter(muter_id=viewer.pk).values("muted_id"))
        )
        queryset = queryset.exclude(hidden)
    return list(
        queryset.select_related(*selectors.POST_RELATED).order_by("-score", "-id")[
            offset : offset + limit
        ]
    )
