"""What every social write shares: block checks, counters, notifications, post lookups."""

from django.db.models import F, Q

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import streams
from infoconnect.social import text as post_text
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    POST_MAX_LENGTH,
    Block,
    Mute,
    Notification,
    Post,
)
from infoconnect.social.selectors import can_see


def is_blocked_between(a_id: int, b_id: int) -> bool:
    """True when either account blocks the other."""
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def _bump(model, pk: int, field: str, delta: int) -> None:
    if delta >= 0:
        model.objects.filter(pk=pk).update(**{field: F(field) + delta})
    else:
        # Never below zero, even if a counter was already corrected by hand.
        model.objects.filter(pk=pk, **{f"{field}__gte": -delta}).update(**{field: F(field) + delta})


def _notify(*, recipient_id: int, actor: User, kind: str, post: Post | None = None) -> None:
    if recipient_id == actor.pk:
        return
    silenced = Mute.objects.filter(muter_id=recipient_id, muted_id=actor.pk).exists()
    if silenced or is_blocked_between(recipient_id, actor.pk):
        return
    notification = Notification.objects.create(
        recipient_id=recipient_id, actor=actor, kind=kind, post=post
    )
    streams.notified(recipient_id=recipient_id, actor_id=actor.pk, notification_id=notification.pk)


def _get_post(post_id: int) -> Post:
    post = Post.objects.select_related("author").filter(pk=post_id).first()
    if post is None:
        raise DomainError(SocialError.POST_NOT_FOUND)
    return post


def _original(post: Post) -> Post:
    """A plain repost stands for the post it reposts."""
    if post.is_plain_repost:
        return Post.objects.select_related("author").get(pk=post.repost_of_id)
    return post


def _readable_original(user: User, post_id: int) -> Post:
    """The post (or a plain repost's original) ``user`` acts on: one they may not read is
    not there for them, as it is not on any page they see."""
    post = _original(_get_post(post_id))
    if not is_blocked_between(user.pk, post.author_id) and not can_see(post=post, viewer=user):
        raise DomainError(SocialError.POST_NOT_FOUND)
    return post


def _clean_text(text: str, *, allow_empty: bool = False) -> str:
    text = post_text.clean(text)
    if not text and not allow_empty:
        raise DomainError(SocialError.POST_EMPTY)
    if len(text) > POST_MAX_LENGTH:
        raise DomainError(SocialError.POST_TOO_LONG)
    return text


# Follows, blocks, mutes -----------------------------------------------------------------
