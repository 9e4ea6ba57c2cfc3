"""Editing a post, as Mastodon's status edit: the author changes its text, content warning,
sensitivity or language; the version it replaces is kept (``PostEdit``), the post's
``edited_at`` says when, and its tags and mentions follow the new text."""

import re

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social import streams
from infoconnect.social import text as post_text
from infoconnect.social.actions.common import _notify, is_blocked_between
from infoconnect.social.errors import SocialError
from infoconnect.social.models import (
    POST_MAX_LENGTH,
    Mention,
    Notification,
    Post,
    PostEdit,
    PostTag,
    Tag,
    Visibility,
)

SPOILER_MAX_LENGTH = 500
# ISO 639-1 (two letters) or 639-3 (three), as Mastodon takes a status's language.
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}$")


def clean_language(language: str) -> str:
    language = (language or "").strip().lower()
    if language and not LANGUAGE_RE.match(language):
        raise DomainError(
            SocialError.INVALID_EDIT,
            _("The language must be an ISO 639 code such as en or zh."),
        )
    return language


def _mentioned(*, author: User, text: str) -> list[User]:
    names = post_text.parse(text).mentions
    if not names:
        return []
    return list(
        User.objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=names, is_active=True)
        .exclude(pk=author.pk)
        .order_by("pk")
    )


def _rederive(post: Post, author: User, *, old_mentions: set[int]) -> None:
    """The post's tags and mentions as its new text has them; only accounts newly mentioned
    are notified."""
    tags = post_text.parse(post.text).tags
    PostTag.objects.filter(post=post).exclude(tag__name__in=tags).delete()
    if tags:
        Tag.objects.bulk_create([Tag(name=name) for name in tags], ignore_conflicts=True)
        PostTag.objects.bulk_create(
            [PostTag(tag_id=pk, post=post) for pk in Tag.objects.filter(name__in=tags).values_list("pk", flat=True)],
            ignore_conflicts=True,
        )  # fmt: skip
    mentioned = [
        user
        for user in _mentioned(author=author, text=post.text)
        if not is_blocked_between(user.pk, author.pk)
    ]
    Mention.objects.filter(post=post).exclude(user_id__in=[u.pk for u in mentioned]).delete()
    for user in mentioned:
        if user.pk in old_mentions:
            continue
        Mention.objects.create(post=post, user=user)
        _notify(recipient_id=user.pk, actor=author, kind=Notification.Kind.MENTION, post=post)


@transaction.atomic
def edit_post(
    *,
    user: User,
    post_id: int,
    text: str | None = None,
    spoiler_text: str | None = None,
    sensitive: bool | None = None,
    language: str | None = None,
) -> Post:
    """Edit one's own post; what is None stays as it is. An edit that changes nothing
    writes nothing. A direct post's recipients cannot change: it was delivered to them."""
    # Locked, so two edits at once each keep the version they replaced.
    post = Post.objects.select_for_update().select_related("author").filter(pk=post_id).first()
    if post is None:
        raise DomainError(SocialError.POST_NOT_FOUND)
    if post.author_id != user.pk:
        raise DomainError(SocialError.NOT_YOUR_POST_TO_EDIT)
    if post.is_plain_repost:
        raise DomainError(SocialError.CANNOT_EDIT_REPOST)
    new_text = post.text if text is None else post_text.clean(text)
    if len(new_text) > POST_MAX_LENGTH:
        raise DomainError(SocialError.POST_TOO_LONG)
    if not new_text and not post.media.exists():
        raise DomainError(SocialError.POST_EMPTY)
    new_spoiler = post.spoiler_text if spoiler_text is None else spoiler_text.strip()
    if len(new_spoiler) > SPOILER_MAX_LENGTH:
        raise DomainError(
            SocialError.INVALID_EDIT, _("A content warning can have at most 500 characters.")
        )
    changes = {
        "text": new_text,
        "spoiler_text": new_spoiler,
        "sensitive": post.sensitive if sensitive is None else sensitive,
        "language": post.language if language is None else clean_language(language),
    }
    if all(getattr(post, field) == value for field, value in changes.items()):
        return post
    old_mentions = set(post.mentions.values_list("user_id", flat=True))
    text_changed = new_text != post.text
    if post.visibility == Visibility.DIRECT and text_changed:
        before = {u.pk for u in _mentioned(author=user, text=post.text)}
        if {u.pk for u in _mentioned(author=user, text=new_text)} != before:
            raise DomainError(SocialError.DIRECT_RECIPIENTS_FIXED)
    PostEdit.objects.create(
        post=post,
        text=post.text,
        spoiler_text=post.spoiler_text,
        sensitive=post.sensitive,
        language=post.language,
        created_at=post.edited_at or post.created_at,
    )
    for field, value in changes.items():
        setattr(post, field, value)
    post.edited_at = timezone.now()
    post.save(update_fields=[*changes, "edited_at"])
    if text_changed:
        _rederive(post, user, old_mentions=old_mentions)
    # Told after its tags follow the new text: a tag stream hears the edit of a post it has.
    streams.status_updated(post)
    return post
