"""Follows, blocks and mutes."""

from django.db import IntegrityError, transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import streams
from infoconnect.social.actions.common import (
    _bump,
    _notify,
    is_blocked_between,
)
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    Block,
    Follow,
    FollowRequest,
    ListAccount,
    Mute,
    Notification,
)


@transaction.atomic
def follow(*, follower: User, target: User) -> bool:
    """Follow ``target``; returns False if already following (or already asked).

    A locked account is asked instead: the request waits for it to accept (see
    follow_requests)."""
    if follower.pk == target.pk:
        raise DomainError(SocialError.CANNOT_FOLLOW_SELF)
    if is_blocked_between(follower.pk, target.pk):
        raise DomainError(SocialError.BLOCKED)
    locked = User.objects.filter(pk=target.pk, locked=True).exists()
    if locked and not Follow.objects.filter(follower=follower, target=target).exists():
        try:
            with transaction.atomic():
                FollowRequest.objects.create(follower=follower, target=target)
        except IntegrityError:
            return False
        _notify(recipient_id=target.pk, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST)
        return True
    return add_follow(follower=follower, target=target, notify=True)


def add_follow(*, follower: User, target: User, notify: bool) -> bool:
    """The Follow row and its counters (callers hold the transaction and did the checks)."""
    try:
        with transaction.atomic():
            Follow.objects.create(follower=follower, target=target)
    except IntegrityError:
        return False
    _bump(User, target.pk, "followers_count", 1)
    _bump(User, follower.pk, "following_count", 1)
    if notify:
        _notify(recipient_id=target.pk, actor=follower, kind=Notification.Kind.FOLLOW)
    return True


@transaction.atomic
def unfollow(*, follower: User, target: User) -> bool:
    """Stop following (or withdraw the request); the account leaves the follower's lists."""
    withdrawn, _ = FollowRequest.objects.filter(follower=follower, target=target).delete()
    if withdrawn:
        Notification.objects.filter(
            recipient=target, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST
        ).delete()
    deleted, _ = Follow.objects.filter(follower=follower, target=target).delete()
    if deleted:
        _bump(User, target.pk, "followers_count", -1)
        _bump(User, follower.pk, "following_count", -1)
        ListAccount.objects.filter(list__owner=follower, account=target).delete()
    return bool(deleted)


@transaction.atomic
def block(*, blocker: User, target: User) -> bool:
    """Block ``target``: follows both ways end, and it can no longer reach ``blocker``."""
    if blocker.pk == target.pk:
        raise DomainError(SocialError.CANNOT_BLOCK_SELF)
    try:
        with transaction.atomic():
            Block.objects.create(blocker=blocker, blocked=target)
    except IntegrityError:
        return False
    unfollow(follower=blocker, target=target)
    unfollow(follower=target, target=blocker)
    streams.relations_changed(blocker.pk, target.pk)
    return True


@transaction.atomic
def unblock(*, blocker: User, target: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=target).delete()
    if deleted:
        streams.relations_changed(blocker.pk, target.pk)
    return bool(deleted)


@transaction.atomic
def mute(*, muter: User, target: User) -> bool:
    if muter.pk == target.pk:
        raise DomainError(SocialError.CANNOT_MUTE_SELF)
    try:
        with transaction.atomic():
            Mute.objects.create(muter=muter, muted=target)
    except IntegrityError:
        return False
    streams.relations_changed(muter.pk)
    return True


@transaction.atomic
def unmute(*, muter: User, target: User) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=target).delete()
    if deleted:
        streams.relations_changed(muter.pk)
    return bool(deleted)


# Posts ---------------------------------------------------------------------------------
