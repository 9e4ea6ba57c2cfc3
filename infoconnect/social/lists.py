"""Writes of lists (a reader's own selections of accounts they follow) and of bookmarks and
pins."""

from django.db import IntegrityError, transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    ACCOUNTS_PER_LIST,
    LIST_TITLE_MAX_LENGTH,
    LISTS_PER_ACCOUNT,
    PINS_PER_ACCOUNT,
    Bookmark,
    Follow,
    List,
    ListAccount,
    Pin,
    Post,
    Visibility,
)

# Lists -----------------------------------------------------------------------------------


def _clean_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not 1 <= len(title) <= LIST_TITLE_MAX_LENGTH:
        raise DomainError(SocialError.LIST_TITLE_INVALID)
    return title


def _clean_policy(policy: str | None) -> str:
    if policy not in List.RepliesPolicy.values:
        raise DomainError(SocialError.LIST_REPLIES_POLICY_INVALID)
    return policy


def own_list(*, owner: User, list_id: int, lock: bool = False) -> List:
    """One of the owner's lists; someone else's is as missing as one that never was."""
    queryset = List.objects.filter(pk=list_id, owner_id=owner.pk)
    found = (queryset.select_for_update() if lock else queryset).first()
    if found is None:
        raise DomainError(SocialError.LIST_NOT_FOUND)
    return found


@transaction.atomic
def create_list(
    *,
    owner: User,
    title: str,
    replies_policy: str = List.RepliesPolicy.LIST,
    exclusive: bool = False,
) -> List:
    title = _clean_title(title)
    replies_policy = _clean_policy(replies_policy)
    # Locking the owner makes concurrent creations take turns, so the cap holds.
    User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True).get()
    if List.objects.filter(owner_id=owner.pk).count() >= LISTS_PER_ACCOUNT:
        raise DomainError(SocialError.LIST_LIMIT_REACHED)
    return List.objects.create(
        owner=owner, title=title, replies_policy=replies_policy, exclusive=exclusive
    )


@transaction.atomic
def update_list(
    *,
    owner: User,
    list_id: int,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:
    """Change what is given; what is left out stays as it was."""
    found = own_list(owner=owner, list_id=list_id, lock=True)
    changes: dict = {}
    if title is not None:
        changes["title"] = _clean_title(title)
    if replies_policy is not None:
        changes["replies_policy"] = _clean_policy(replies_policy)
    if exclusive is not None:
        changes["exclusive"] = exclusive
    if changes:
        List.objects.filter(pk=found.pk).update(**changes)
        for name, value in changes.items():
            setattr(found, name, value)
    return found


@transaction.atomic
def delete_list(*, owner: User, list_id: int) -> None:
    found = own_list(owner=owner, list_id=list_id, lock=True)
    List.objects.filter(pk=found.pk).delete()


@transaction.atomic
def add_accounts(*, owner: User, list_id: int, account_ids: list[int]) -> int:
    """Add accounts the owner follows; one that is not followed refuses the whole request.
    Returns how many were new to the list."""
    found = own_list(owner=owner, list_id=list_id, lock=True)
    wanted = set(account_ids)
    followed = set(
        Follow.objects.filter(follower_id=owner.pk, target_id__in=wanted).values_list(
            "target_id", flat=True
        )
    )
    if not wanted or followed != wanted:
        raise DomainError(SocialError.LIST_NEEDS_FOLLOW)
    present = set(ListAccount.objects.filter(list_id=found.pk).values_list("account_id", flat=True))
    new = sorted(wanted - present)
    if len(present) + len(new) > ACCOUNTS_PER_LIST:
        raise DomainError(SocialError.LIST_FULL)
    ListAccount.objects.bulk_create(
        [ListAccount(list_id=found.pk, account_id=account_id) for account_id in new],
        ignore_conflicts=True,
    )
    return len(new)


@transaction.atomic
def remove_accounts(*, owner: User, list_id: int, account_ids: list[int]) -> int:
    found = own_list(owner=owner, list_id=list_id, lock=True)
    deleted, _ = ListAccount.objects.filter(list_id=found.pk, account_id__in=account_ids).delete()
    return deleted


# Bookmarks and pins ----------------------------------------------------------------------


def _original_id(post: Post) -> int:
    """A plain repost is bookmarked as the post it shares, as Mastodon does."""
    return post.repost_of_id if post.is_plain_repost else post.pk


@transaction.atomic
def bookmark(*, user: User, post: Post) -> bool:
    """Keep a post the user may see (the caller read it as them); False if kept already."""
    try:
        with transaction.atomic():
            Bookmark.objects.create(user=user, post_id=_original_id(post))
    except IntegrityError:
        return False
    return True


@transaction.atomic
def unbookmark(*, user: User, post: Post) -> bool:
    deleted, _ = Bookmark.objects.filter(user=user, post_id=_original_id(post)).delete()
    return bool(deleted)


@transaction.atomic
def pin(*, user: User, post: Post) -> bool:
    """Pin one of the user's own public or unlisted posts (at most PINS_PER_ACCOUNT);
    False if pinned already."""
    if post.author_id != user.pk or post.is_plain_repost:
        raise DomainError(SocialError.PIN_NOT_YOURS)
    if post.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise DomainError(SocialError.PIN_NOT_PUBLIC)
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
    if Pin.objects.filter(user_id=user.pk, post_id=post.pk).exists():
        return False
    if Pin.objects.filter(user_id=user.pk).count() >= PINS_PER_ACCOUNT:
        raise DomainError(SocialError.PIN_LIMIT_REACHED)
    Pin.objects.create(user=user, post=post)
    return True


@transaction.atomic
def unpin(*, user: User, post: Post) -> bool:
    deleted, _ = Pin.objects.filter(user=user, post_id=post.pk).delete()
    return bool(deleted)
