"""Reads of a post's edits: its versions, oldest first."""

from dataclasses import dataclass
from datetime import datetime

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.social.errors import SocialError
from infoconnect.social.models import Mention, Post, PostEdit, Visibility


@dataclass(frozen=True)
class PostVersion:
    text: str
    spoiler_text: str
    sensitive: bool
    language: str
    created_at: datetime


def post_versions(post: Post) -> list[PostVersion]:
    """Every version of the post, the original first and the post as it is now last (just
    the one when it was never edited)."""
    earlier = [
        PostVersion(e.text, e.spoiler_text, e.sensitive, e.language, e.created_at)
        for e in PostEdit.objects.filter(post=post).order_by("id")
    ]
    current = PostVersion(
        post.text,
        post.spoiler_text,
        post.sensitive,
        post.language,
        post.edited_at or post.created_at,
    )
    return [*earlier, current]


def require_direct_reader(post: Post, viewer: User | None) -> None:
    """A direct post is the author's and the mentioned accounts' only: 404 to anyone else
    (the edit endpoints ask it beside the selectors' visibility rule)."""
    if post.visibility != Visibility.DIRECT:
        return
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else None
    if viewer_id == post.author_id:
        return
    if viewer_id is None or not Mention.objects.filter(post=post, user_id=viewer_id).exists():
        raise DomainError(SocialError.POST_NOT_FOUND)
