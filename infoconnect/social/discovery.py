"""Who to follow: accounts a person might like to hear from, for the right column and for a
newcomer's empty home timeline."""

from datetime import timedelta

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.social.models import Follow, FollowRequest, Post
from infoconnect.social.selectors import hidden_account_ids

ACTIVE_DAYS = 30


def suggested_accounts(*, viewer: User, limit: int = 5) -> list[User]:
    """Verified merchants and accounts that posted lately, that ``viewer`` neither follows,
    asked to follow, blocks, mutes nor is blocked by: merchants first, then those of the
    viewer's region, then the most followed."""
    since = timezone.now() - timedelta(days=ACTIVE_DAYS)
    recent = Exists(Post.objects.filter(author_id=OuterRef("pk"), created_at__gte=since))
    same_region = (
        Case(
            When(region=viewer.region, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        if viewer.region
        else Value(0, output_field=IntegerField())
    )
    hidden = hidden_account_ids(user_id=viewer.pk) | {viewer.pk}
    return list(
        User.objects.filter(is_active=True, discoverable=True)
        .exclude(pk__in=hidden)
        .exclude(pk__in=Follow.objects.filter(follower_id=viewer.pk).values("target_id"))
        .exclude(pk__in=FollowRequest.objects.filter(follower_id=viewer.pk).values("target_id"))
        .annotate(recent=recent, same_region=same_region)
        .filter(Q(is_verified_merchant=True) | Q(recent=True))
        .order_by("-is_verified_merchant", "-same_region", "-followers_count", "pk")[:limit]
    )
