"""Posts, reposts, likes, deletions and notifications."""

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.messaging.actions.statuses import deliver_direct_post
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.selectors import showable_product
from infoconnect.social import media, polls, streams
from infoconnect.social import text as post_text
from infoconnect.social.actions.common import (
    _bump,
    _clean_text,
    _get_post,
    _notify,
    _original,
    _readable_original,
    is_blocked_between,
)
from infoconnect.social.errors import SocialError
from infoconnect.social.languages import normalize_language
from infoconnect.social.models import (
    Like,
    Mention,
    Notification,
    Post,
    PostTag,
    Tag,
    Visibility,
)
from infoconnect.social.selectors import REPOSTABLE_VISIBILITIES


def _attach_tags_and_mentions(post: Post, author: User) -> None:
    parsed = post_text.parse(post.text)
    if parsed.tags:
        Tag.objects.bulk_create([Tag(name=name) for name in parsed.tags], ignore_conflicts=True)
        tag_ids = Tag.objects.filter(name__in=parsed.tags).values_list("pk", flat=True)
        PostTag.objects.bulk_create(
            [PostTag(tag_id=tag_id, post=post) for tag_id in tag_ids], ignore_conflicts=True
        )
    if parsed.mentions:
        mentioned = (
            User.objects.annotate(lower_name=Lower("username"))
            .filter(lower_name__in=parsed.mentions, is_active=True)
            .exclude(pk=author.pk)
        )
        for user in mentioned:
            if is_blocked_between(user.pk, author.pk):
                continue
            Mention.objects.create(post=post, user=user)
            _notify(recipient_id=user.pk, actor=author, kind=Notification.Kind.MENTION, post=post)


def _attach_product(*, author: User, post: Post, product_id: int) -> None:
    product = showable_product(author=author, product_id=product_id)
    if product is None:
        raise DomainError(SocialError.INVALID_PRODUCT)
    shop_actions.attach_product_to_post(author=author, post_id=post.pk, product_id=product.pk)


def clean_options(
    *, visibility: str | None, spoiler_text: str | None, sensitive: bool, language: str | None
) -> dict:
    """A post's visibility, content warning and language as stored; a value that is not
    valid is refused, never replaced."""
    visibility = visibility or Visibility.PUBLIC
    if visibility not in Visibility.values:
        raise DomainError(SocialError.INVALID_VISIBILITY)
    spoiler_text = (spoiler_text or "").strip()
    if len(spoiler_text) > Post._meta.get_field("spoiler_text").max_length:
        raise DomainError(SocialError.SPOILER_TOO_LONG)
    code = normalize_language(language)
    if code is None:
        raise DomainError(SocialError.INVALID_LANGUAGE)
    # A content warning marks the post sensitive, as on Mastodon.
    return {
        "visibility": visibility,
        "spoiler_text": spoiler_text,
        "sensitive": bool(sensitive or spoiler_text),
        "language": code,
    }


@transaction.atomic
def create_post(
    *,
    author: User,
    text: str,
    in_reply_to_id: int | None = None,
    product_id: int | None = None,
    media_ids: Sequence[int] = (),
    uploads: Sequence = (),
    visibility: str | None = Visibility.PUBLIC,
    spoiler_text: str | None = "",
    sensitive: bool = False,
    language: str | None = "",
    poll: polls.PollSpec | None = None,
) -> Post:
    """A new post, or a comment when ``in_reply_to_id`` is given; a merchant's post may
    carry a card of one of its own products on sale. Pictures (uploaded earlier as
    ``media_ids``, or ``uploads`` now) come in the order given; with them the text may be
    empty. A post has pictures or a poll, not both."""
    pictures = media.check_media_ids(media_ids, more=len(uploads))
    if poll is not None and (pictures or uploads):
        raise DomainError(SocialError.POLL_WITH_MEDIA)
    text = _clean_text(text, allow_empty=bool(pictures or uploads))
    options = clean_options(
        visibility=visibility, spoiler_text=spoiler_text, sensitive=sensitive, language=language
    )
    parent = None
    if in_reply_to_id is not None:
        parent = _readable_original(author, in_reply_to_id)
        if is_blocked_between(author.pk, parent.author_id):
            raise DomainError(SocialError.BLOCKED)
    post = Post.objects.create(author=author, text=text, in_reply_to=parent, **options)
    if poll is not None:
        polls.create(post=post, spec=poll)
    new_ids = [media.upload_media(owner=author, upload=upload).pk for upload in uploads]
    media.attach(post=post, owner=author, media_ids=[*media_ids, *new_ids])
    if parent is None:
        _bump(User, author.pk, "posts_count", 1)
    else:
        _bump(Post, parent.pk, "replies_count", 1)
    _attach_tags_and_mentions(post, author)
    if post.visibility == Visibility.DIRECT:
        deliver_direct_post(post=post)
    if product_id is not None:
        _attach_product(author=author, post=post, product_id=product_id)
    if parent is not None and not post.mentions.filter(user_id=parent.author_id).exists():
        _notify(
            recipient_id=parent.author_id, actor=author, kind=Notification.Kind.COMMENT, post=post
        )
    streams.status_created(post)
    return post


# A plain repost has the defaults: it is shown as the post it reposts.
PLAIN_REPOST = {
    "visibility": Visibility.PUBLIC,
    "spoiler_text": "",
    "sensitive": False,
    "language": "",
}


@transaction.atomic
def repost(
    *,
    user: User,
    post_id: int,
    text: str = "",
    media_ids: Sequence[int] = (),
    visibility: str | None = Visibility.PUBLIC,
    spoiler_text: str | None = "",
    sensitive: bool = False,
    language: str | None = "",
) -> Post:
    """Repost a post (a repost of a repost reposts the original); a comment is optional, and
    a repost with a comment may carry pictures and the options of ``clean_options``.

    A plain repost is made once: repeating it returns the existing one."""
    text = _clean_text(text, allow_empty=True)
    fields = clean_options(
        visibility=visibility, spoiler_text=spoiler_text, sensitive=sensitive, language=language
    )
    if not text and (media_ids or fields != PLAIN_REPOST):
        # What a plain repost cannot carry is refused rather than dropped.
        raise DomainError(SocialError.POST_EMPTY)
    original = _readable_original(user, post_id)
    if is_blocked_between(user.pk, original.author_id):
        raise DomainError(SocialError.BLOCKED)
    # Reposting shows the post to the reposter's followers: only open posts may be, as on
    # Mastodon (the author's own followers-only posts included).
    if original.visibility not in REPOSTABLE_VISIBILITIES:
        raise DomainError(SocialError.CANNOT_REPOST)
    if not text:
        existing = Post.objects.filter(author=user, repost_of=original, text="").first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                shared = Post.objects.create(author=user, repost_of=original)
        except IntegrityError:
            return Post.objects.get(author=user, repost_of=original, text="")
    else:
        shared = Post.objects.create(author=user, repost_of=original, text=text, **fields)
        media.attach(post=shared, owner=user, media_ids=media_ids)
        _attach_tags_and_mentions(shared, user)
    streams.status_created(shared)
    _bump(User, user.pk, "posts_count", 1)
    _bump(Post, original.pk, "reposts_count", 1)
    _notify(recipient_id=original.author_id, actor=user, kind=Notification.Kind.REPOST, post=shared)
    return shared


@transaction.atomic
def unrepost(*, user: User, post_id: int) -> Post:
    """Undo the plain repost of a post; returns the original post."""
    original = _original(_get_post(post_id))
    deleted, _ = Post.objects.filter(author=user, repost_of=original, text="").delete()
    if deleted:
        _bump(User, user.pk, "posts_count", -1)
        _bump(Post, original.pk, "reposts_count", -1)
    original.refresh_from_db(fields=["reposts_count"])
    return original


@transaction.atomic
def like(*, user: User, post_id: int) -> Post:
    post = _readable_original(user, post_id)
    if is_blocked_between(user.pk, post.author_id):
        raise DomainError(SocialError.BLOCKED)
    try:
        with transaction.atomic():
            Like.objects.create(user=user, post=post)
    except IntegrityError:
        return post
    _bump(Post, post.pk, "likes_count", 1)
    _notify(recipient_id=post.author_id, actor=user, kind=Notification.Kind.LIKE, post=post)
    post.refresh_from_db(fields=["likes_count"])
    return post


@transaction.atomic
def unlike(*, user: User, post_id: int) -> Post:
    post = _original(_get_post(post_id))
    deleted, _ = Like.objects.filter(user=user, post=post).delete()
    if deleted:
        _bump(Post, post.pk, "likes_count", -1)
    post.refresh_from_db(fields=["likes_count"])
    return post


@transaction.atomic
def delete_post(*, user: User, post_id: int) -> Post:
    """Delete one's own post; its comments and reposts go with it and every counter follows."""
    post = _get_post(post_id)
    if post.author_id != user.pk:
        raise DomainError(SocialError.NOT_YOUR_POST)
    if post.in_reply_to_id:
        _bump(Post, post.in_reply_to_id, "replies_count", -1)
    else:
        _bump(User, user.pk, "posts_count", -1)
    if post.repost_of_id:
        _bump(Post, post.repost_of_id, "reposts_count", -1)
    # Reposts of this post are deleted with it (CASCADE): their authors' counts drop too.
    reposters = (
        Post.objects.filter(repost_of=post).values("author_id").annotate(n=Count("pk")).order_by()
    )
    for row in reposters:
        _bump(User, row["author_id"], "posts_count", -row["n"])
    media.remove_files_with(post)
    streams.status_deleted(post)
    Post.objects.filter(pk=post.pk).delete()
    return post


# Notifications -------------------------------------------------------------------------


def mark_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# Orders --------------------------------------------------------------------------------


@transaction.atomic(savepoint=False)
def notify_order(
    *, order_id: int, kind: str, key: str, recipients: list[tuple[int, int]], data: dict
) -> None:
    """Tell each (recipient id, actor id) what happened to an order: one INSERT, which writes
    nothing for a recipient who already has ``key`` (a replayed move, a retried task). Checkout
    runs it, hence no savepoint; mutes and blocks do not silence what an order's parties
    must hear."""
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                actor_id=actor_id,
                kind=kind,
                order_id=order_id,
                key=key,
                data=data,
            )
            for recipient_id, actor_id in recipients
        ],
        ignore_conflicts=True,
    )
    streams.notified_once(key=key, recipients=recipients)
