"""Locked accounts: a follow waits as a FollowRequest until the account accepts or refuses it."""

from django.db import transaction

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social.actions import add_follow
from infoconnect.social.errors import SocialError
from infoconnect.social.models import FollowRequest, Notification


def _take_request(*, account: User, requester_id: int) -> FollowRequest:
    """Remove the pending request of ``requester_id`` to ``account``; a request decided
    already (or never made) is an error, so two clicks decide once."""
    request = (
        FollowRequest.objects.select_related("follower")
        .filter(target_id=account.pk, follower_id=requester_id)
        .first()
    )
    if request is None:
        raise DomainError(SocialError.FOLLOW_REQUEST_NOT_FOUND)
    deleted, _ = FollowRequest.objects.filter(pk=request.pk).delete()
    if not deleted:
        raise DomainError(SocialError.FOLLOW_REQUEST_NOT_FOUND)
    # Its notification has done its work.
    Notification.objects.filter(
        recipient_id=account.pk, actor_id=requester_id, kind=Notification.Kind.FOLLOW_REQUEST
    ).delete()
    return request


@transaction.atomic
def authorize(*, account: User, requester_id: int) -> User:
    """Accept a request: the requester follows ``account`` from now on."""
    request = _take_request(account=account, requester_id=requester_id)
    add_follow(follower=request.follower, target=account, notify=False)
    return request.follower


@transaction.atomic
def reject(*, account: User, requester_id: int) -> User:
    return _take_request(account=account, requester_id=requester_id).follower


@transaction.atomic
def accept_waiting(*, account: User) -> int:
    """An account that is not locked (any more) accepts every request waiting for it, as
    Mastodon does when one unlocks; returns how many it accepted."""
    if User.objects.filter(pk=account.pk, locked=True).exists():
        return 0
    waiting = FollowRequest.objects.filter(target_id=account.pk).order_by("pk")
    requester_ids = list(waiting.values_list("follower_id", flat=True))
    for requester_id in requester_ids:
        authorize(account=account, requester_id=requester_id)
    return len(requester_ids)
