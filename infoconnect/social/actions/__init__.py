"""Every write of the microblog. Counters move with F() in the same transaction as the row
they count; a repeated follow, like or repost changes nothing."""

from infoconnect.social.actions.common import is_blocked_between
from infoconnect.social.actions.posts import (
    PLAIN_REPOST,
    clean_options,
    create_post,
    delete_post,
    like,
    mark_notifications_read,
    notify_order,
    repost,
    unlike,
    unrepost,
)
from infoconnect.social.actions.relationships import (
    add_follow,
    block,
    follow,
    mute,
    unblock,
    unfollow,
    unmute,
)

__all__ = [
    "PLAIN_REPOST",
    "add_follow",
    "block",
    "clean_options",
    "create_post",
    "delete_post",
    "follow",
    "is_blocked_between",
    "like",
    "mark_notifications_read",
    "mute",
    "notify_order",
    "repost",
    "unblock",
    "unfollow",
    "unlike",
    "unmute",
    "unrepost",
]
