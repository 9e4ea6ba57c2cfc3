"""A follower's marketing choice about a merchant, and the tags a merchant puts on followers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infoconnect.accounts.gates import require_verified_merchant
from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.ids import is_id
from infoconnect.messaging.actions.rules import MAX_BULK_TAGGED, MAX_FOLLOWER_TAGS, clean_tag
from infoconnect.messaging.errors import MessagingError
from infoconnect.messaging.models import FollowerTag, MarketingPreference
from infoconnect.social.models import Follow


@transaction.atomic
def set_marketing_preference(
    *,
    follower: User,
    merchant_id: int,
    accepts_marketing: bool,
    source: str = MarketingPreference.Source.SETTINGS,
) -> MarketingPreference:
    if not User.objects.filter(pk=merchant_id, kind=User.Kind.MERCHANT).exists():
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)
    preference, _created = MarketingPreference.objects.update_or_create(
        follower=follower,
        merchant_id=merchant_id,
        defaults={
            "accepts_marketing": accepts_marketing,
            "source": source,
            "updated_at": timezone.now(),
        },
    )
    return preference


def require_follower(*, merchant: User, follower_id: int) -> None:
    if not merchant.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    require_verified_merchant(merchant)
    if (
        not is_id(follower_id)
        or not Follow.objects.filter(follower_id=follower_id, target=merchant).exists()
    ):
        raise DomainError(MessagingError.RECIPIENT_NOT_FOUND)


@transaction.atomic
def tag_follower(*, merchant: User, follower_id: int, tag: str) -> FollowerTag:
    tag = clean_tag(tag)
    require_follower(merchant=merchant, follower_id=follower_id)
    row, _created = FollowerTag.objects.get_or_create(
        merchant=merchant, follower_id=follower_id, tag=tag
    )
    return row


@transaction.atomic
def tag_followers(*, merchant: User, follower_ids: list[int], tag: str) -> int:
    """Put one of the merchant's own tags on each of these followers at once: every id must be
    one of its followers, or nobody is tagged. Returns how many followers were chosen."""
    if not merchant.is_merchant:
        raise DomainError(MessagingError.NOT_MERCHANT)
    require_verified_merchant(merchant)
    tag = clean_tag(tag)
    wanted = set(follower_ids)
    if not 1 <= len(wanted) <= MAX_BULK_TAGGED or not all(is_id(pk) for pk in wanted):
        raise DomainError(
            MessagingError.INVALID_AUDIENCE, _("Choose 1 to 100 of your followers to tag.")
        )
    if not FollowerTag.objects.filter(merchant=merchant, tag=tag).exists():
        raise DomainError(MessagingError.UNKNOWN_TAG)
    following = Follow.objects.filter(target=merchant, follower_id__in=wanted)
    if following.count() != len(wanted):
        raise DomainError(MessagingError.NOT_A_FOLLOWER)
    # One statement, in id order; those who carry the tag already keep their row.
    FollowerTag.objects.bulk_create(
        [FollowerTag(merchant=merchant, follower_id=pk, tag=tag) for pk in sorted(wanted)],
        ignore_conflicts=True,
    )
    return len(wanted)


@transaction.atomic
def untag_follower(*, merchant: User, follower_id: int, tag: str) -> int:
    require_verified_merchant(merchant)
    if not is_id(follower_id):
        return 0
    deleted, _by_model = FollowerTag.objects.filter(
        merchant=merchant, follower_id=follower_id, tag=clean_tag(tag)
    ).delete()
    return deleted


@transaction.atomic
def set_follower_tags(*, merchant: User, follower_id: int, tags: list[str]) -> list[str]:
    """Make a follower's tags exactly these; returns them sorted."""
    if not isinstance(tags, list) or len(tags) > MAX_FOLLOWER_TAGS:
        raise DomainError(MessagingError.INVALID_AUDIENCE, _("A follower has at most 20 tags."))
    wanted = sorted({clean_tag(tag) for tag in tags})
    require_follower(merchant=merchant, follower_id=follower_id)
    FollowerTag.objects.filter(merchant=merchant, follower_id=follower_id).exclude(
        tag__in=wanted
    ).delete()
    FollowerTag.objects.bulk_create(
        [FollowerTag(merchant=merchant, follower_id=follower_id, tag=tag) for tag in wanted],
        ignore_conflicts=True,
    )
    return wanted
