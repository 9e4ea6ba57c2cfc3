"""Every write of the microblog. Counters move with F() in the same transaction as the row
they count; a repeated follow, like or repost changes nothing."""

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.selectors import showable_product
from infoconnect.social import text as post_text
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    POST_MAX_LENGTH,
    Block,
    Follow,
    Like,
    Mention,
    Mute,
    Notification,
    Post,
    PostTag,
    Tag,
)


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
    Notification.objects.create(recipient_id=recipient_id, actor=actor, kind=kind, post=post)


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


def _clean_text(text: str, *, allow_empty: bool = False) -> str:
    text = (text or "").strip()
    if not text and not allow_empty:
        raise DomainError(SocialError.POST_EMPTY)
    if len(text) > POST_MAX_LENGTH:
        raise DomainError(SocialError.POST_TOO_LONG)
    return text


# Follows, blocks, mutes -----------------------------------------------------------------


@transaction.atomic
def follow(*, follower: User, target: User) -> bool:
    """Follow ``target``; returns False if already following."""
    if follower.pk == target.pk:
        raise DomainError(SocialError.CANNOT_FOLLOW_SELF)
    if is_blocked_between(follower.pk, target.pk):
        raise DomainError(SocialError.BLOCKED)
    try:
        with transaction.atomic():
            Follow.objects.create(follower=follower, target=target)
    except IntegrityError:
        return False
    _bump(User, target.pk, "followers_count", 1)
    _bump(User, follower.pk, "following_count", 1)
    _notify(recipient_id=target.pk, actor=follower, kind=Notification.Kind.FOLLOW)
    return True


@transaction.atomic
def unfollow(*, follower: User, target: User) -> bool:
    deleted, _ = Follow.objects.filter(follower=follower, target=target).delete()
    if deleted:
        _bump(User, target.pk, "followers_count", -1)
        _bump(User, follower.pk, "following_count", -1)
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
    return True


@transaction.atomic
def unblock(*, blocker: User, target: User) -> bool:
    deleted, _ = Block.objects.filter(blocker=blocker, blocked=target).delete()
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
    return True


@transaction.atomic
def unmute(*, muter: User, target: User) -> bool:
    deleted, _ = Mute.objects.filter(muter=muter, muted=target).delete()
    return bool(deleted)


# Posts ---------------------------------------------------------------------------------


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


@transaction.atomic
def create_post(
    *, author: User, text: str, in_reply_to_id: int | None = None, product_id: int | None = None
) -> Post:
    """A new post, or a comment when ``in_reply_to_id`` is given; a merchant's post may
    carry a card of one of its own products on sale."""
    text = _clean_text(text)
    parent = None
    if in_reply_to_id is not None:
        parent = _original(_get_post(in_reply_to_id))
        if is_blocked_between(author.pk, parent.author_id):
            raise DomainError(SocialError.BLOCKED)
    post = Post.objects.create(author=author, text=text, in_reply_to=parent)
    if parent is None:
        _bump(User, author.pk, "posts_count", 1)
    else:
        _bump(Post, parent.pk, "replies_count", 1)
    _attach_tags_and_mentions(post, author)
    if product_id is not None:
        _attach_product(author=author, post=post, product_id=product_id)
    if parent is not None and not post.mentions.filter(user_id=parent.author_id).exists():
        _notify(
            recipient_id=parent.author_id, actor=author, kind=Notification.Kind.COMMENT, post=post
        )
    return post


@transaction.atomic
def repost(*, user: User, post_id: int, text: str = "") -> Post:
    """Repost a post (a repost of a repost reposts the original); a comment is optional.

    A plain repost is made once: repeating it returns the existing one."""
    text = _clean_text(text, allow_empty=True)
    original = _original(_get_post(post_id))
    if is_blocked_between(user.pk, original.author_id):
        raise DomainError(SocialError.BLOCKED)
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
        shared = Post.objects.create(author=user, repost_of=original, text=text)
        _attach_tags_and_mentions(shared, user)
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
    post = _original(_get_post(post_id))
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
