"""How much the site is used, as the instance description and NodeInfo report it: kept for
a few minutes, since counting every account and post is not a read to make per request."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.accounts.selectors import people
from infoconnect.social.models import Post

USAGE_SECONDS = 300


@dataclass(frozen=True)
class Usage:
    users_total: int
    active_month: int
    active_halfyear: int
    local_posts: int


def _active_since(days: int) -> int:
    since = timezone.now() - timedelta(days=days)
    posted = Post.objects.filter(created_at__gte=since).values("author_id")
    return (
        people(User.objects.filter(is_active=True))
        .filter(Q(last_login__gte=since) | Q(pk__in=posted))
        .count()
    )


def usage() -> Usage:
    """Active people (who logged in or posted in the last 30 and 180 days) and posts."""

    def count() -> Usage:
        return Usage(
            users_total=people(User.objects.filter(is_active=True)).count(),
            active_month=_active_since(30),
            active_halfyear=_active_since(180),
            local_posts=Post.objects.filter(author__is_active=True).count(),
        )

    return cache.get_or_set("social:usage", count, USAGE_SECONDS)
