"""Tags a person follows (Mastodon's followed_tags)."""

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams, paginate
from infoconnect.social import text as post_text
from infoconnect.social.errors import SocialError
from infoconnect.social.models import FollowedTag, Tag

# The longest tag post text can make (#tag or #topic#).
TAG_MAX = 50


def clean_tag_name(name: str) -> str:
    """A tag name as posts store it, or tag_invalid."""
    tag = post_text.normalize_tag(name)
    if (
        not post_text.is_valid_tag(tag)
        or len(tag) > TAG_MAX
        or any(ch.isspace() or ch in "#\\?%" for ch in tag)
    ):
        raise DomainError(SocialError.TAG_INVALID)
    return tag


def get_tag(*, name: str) -> Tag:
    tag = Tag.objects.filter(name=clean_tag_name(name)).first()
    if tag is None:
        raise DomainError(SocialError.TAG_NOT_FOUND)
    return tag


def followed_ids(*, user: User | None, tag_ids: set[int]) -> set[int]:
    """Which of these tags the user follows."""
    if user is None or not tag_ids:
        return set()
    return set(
        FollowedTag.objects.filter(user_id=user.pk, tag_id__in=tag_ids).values_list(
            "tag_id", flat=True
        )
    )


def follows(*, user: User, name: str) -> bool:
    """Whether the user follows the tag of this (normalized) name."""
    return FollowedTag.objects.filter(user_id=user.pk, tag__name=name).exists()


def followed_tags(*, user: User, page: PageParams) -> list[FollowedTag]:
    """The tags the user follows, latest first, paged by the follow's id."""
    return paginate(FollowedTag.objects.filter(user_id=user.pk).select_related("tag"), page)


@transaction.atomic
def follow_tag(*, user: User, name: str) -> Tag:
    """Follow a tag, making it if no post has used it yet; following twice changes nothing."""
    tag, _created = Tag.objects.get_or_create(name=clean_tag_name(name))
    FollowedTag.objects.bulk_create(
        [FollowedTag(user=user, tag=tag)], ignore_conflicts=True, unique_fields=["user", "tag"]
    )
    return tag


@transaction.atomic
def unfollow_tag(*, user: User, name: str) -> Tag:
    tag = get_tag(name=name)
    FollowedTag.objects.filter(user_id=user.pk, tag_id=tag.pk).delete()
    return tag
