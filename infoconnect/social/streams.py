"""Which streams of the event bus hear of a post or a notification, by the same visibility
rules the timelines read with: the public and tag streams carry public posts only, a home
(``user:<id>``) stream the public, unlisted and followers-only posts of the accounts it follows
and its own (no comments: they live under their posts, as on the home timeline), a list's
stream what its timeline shows (selectors.list_timeline's rule), a direct stream the direct
posts that mention it. Mutes and blocks are the listener's to apply: each
event names the accounts it involves."""

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q

from infoconnect.core import events
from infoconnect.social.models import (
    Follow,
    FollowedTag,
    List,
    ListAccount,
    Mention,
    Post,
    PostTag,
    Visibility,
)

HOME_VISIBILITIES = (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE)
# Home streams named per publish: a post to many followers is told in batches of this many.
FOLLOWER_BATCH = 10_000


def _accounts(post: Post, mentioned: list[int]) -> list[int]:
    accounts = [post.author_id, *mentioned]
    if post.repost_of_id:
        accounts.append(Post.objects.values_list("author_id", flat=True).get(pk=post.repost_of_id))
    return list(dict.fromkeys(accounts))


def _exclusive_owners(author_id: int):
    """Who reads this author on an exclusive list, and so not at home."""
    return ListAccount.objects.filter(account_id=author_id, list__exclusive=True).values(
        "list__owner_id"
    )


def _home_batches(post: Post) -> Iterator[list[str]]:
    batch = [events.user_stream(post.author_id)]
    followers = (
        Follow.objects.filter(target_id=post.author_id)
        .exclude(follower_id__in=_exclusive_owners(post.author_id))
        .values_list("follower_id", flat=True)
        .order_by()
    )
    for follower_id in followers.iterator(chunk_size=FOLLOWER_BATCH):
        batch.append(events.user_stream(follower_id))
        if len(batch) >= FOLLOWER_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _list_ids(post: Post) -> list[int]:
    """The lists whose timeline has ``post``: its author is a member whom the list's owner
    follows, and a reply is one the list's replies policy shows."""
    owners = Follow.objects.filter(target_id=post.author_id).values("follower_id")
    rows = ListAccount.objects.filter(account_id=post.author_id, list__owner_id__in=owners)
    if post.in_reply_to_id is not None:
        replied_to = Post.objects.values_list("author_id", flat=True).get(pk=post.in_reply_to_id)
        member = ListAccount.objects.filter(list_id=OuterRef("list_id"), account_id=replied_to)
        followed = Follow.objects.filter(
            follower_id=OuterRef("list__owner_id"), target_id=replied_to
        )
        rows = rows.alias(has_member=Exists(member), follows=Exists(followed)).filter(
            Q(list__replies_policy=List.RepliesPolicy.LIST, has_member=True)
            | Q(list__replies_policy=List.RepliesPolicy.FOLLOWED, follows=True)
            | Q(list__replies_policy=List.RepliesPolicy.FOLLOWED, list__owner_id=replied_to)
        )
    return list(rows.values_list("list_id", flat=True).order_by())


def _publish(post: Post, *, event: str) -> None:
    mentioned = list(Mention.objects.filter(post_id=post.pk).values_list("user_id", flat=True))
    payload = {"status": post.pk, "accounts": _accounts(post, mentioned)}
    if post.visibility == Visibility.DIRECT:
        streams = [events.direct_stream(user_id) for user_id in [post.author_id, *mentioned]]
        events.publish(streams, "conversation" if event == "update" else event, payload)
        return
    if post.visibility == Visibility.PUBLIC and not post.is_plain_repost:
        tags = list(PostTag.objects.filter(post_id=post.pk).values_list("tag__name", flat=True))
        public = [events.PUBLIC, *(events.hashtag_stream(name) for name in tags)]
        events.publish(public, event, payload)
        if tags and post.in_reply_to_id is None:
            # The homes of those who follow one of its tags (the home timeline's rule) and
            # hear of it no other way; the listeners drop it for whoever blocks its author.
            author_followers = Follow.objects.filter(target_id=post.author_id)
            followers = (
                FollowedTag.objects.filter(tag__name__in=tags)
                .exclude(user_id=post.author_id)
                .exclude(user_id__in=author_followers.values("follower_id"))
                .exclude(user_id__in=_exclusive_owners(post.author_id))
                .values_list("user_id", flat=True)
            )
            homes = [events.user_stream(user_id) for user_id in followers.distinct()]
            if homes:
                events.publish(homes, event, payload)
    if post.visibility in HOME_VISIBILITIES and post.in_reply_to_id is None:
        for batch in _home_batches(post):
            events.publish(batch, event, payload)
    if post.visibility in HOME_VISIBILITIES:
        lists = _list_ids(post)
        if lists:
            events.publish([events.list_stream(pk) for pk in lists], event, payload)


def status_created(post: Post) -> None:
    _publish(post, event="update")


def status_updated(post: Post) -> None:
    _publish(post, event="status.update")


def status_deleted(post: Post) -> None:
    """Call before the row goes: its mentions and tags name the streams."""
    _publish(post, event="delete")


def notified(*, recipient_id: int, actor_id: int, notification_id: int) -> None:
    events.publish(
        [events.user_stream(recipient_id)],
        "notification",
        {"notification": notification_id, "accounts": [actor_id]},
    )
    events.publish([events.web_stream(recipient_id)], "notifications", {})


def notified_once(*, key: str, recipients: list[tuple[int, int]]) -> None:
    """Notifications written by key (an order's): each listener finds its own by the key."""
    for recipient_id, actor_id in recipients:
        events.publish(
            [events.user_stream(recipient_id)],
            "notification",
            {"notification_key": key, "accounts": [actor_id]},
        )
    events.publish([events.web_stream(r) for r, _actor in recipients], "notifications", {})


def relations_changed(*user_ids: int) -> None:
    """A block or mute changed what these accounts' listeners must hide."""
    events.publish([events.control_stream(u) for u in user_ids], "relations", {})
