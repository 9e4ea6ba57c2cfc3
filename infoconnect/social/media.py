"""Pictures on posts: Weibo's nine-picture grid, Mastodon's media attachments.

An upload is checked and re-encoded without its metadata (core.images, kind "media") and
stored with a thumbnail of at most 400 px and a blurhash. It belongs to its uploader until a
post takes it: ``attach`` gives a post up to ``MEDIA_PER_POST`` pictures, in the order given,
in the post's own transaction, with one conditional UPDATE (a picture is on one post only).

An account keeps at most ``MAX_PENDING`` pictures that no post has taken, and the sweep removes
those no post took within a day; uploads per hour are limited by the ``media`` rate limit
(core.ratelimits) where the request arrives.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial

import blurhash
from django.db import transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from PIL import Image

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.images import KINDS, CleanImage, clean_image
from infoconnect.social.errors import MediaError
from infoconnect.social.models import MEDIA_PER_POST, MediaAttachment, Post

logger = logging.getLogger(__name__)

LIMITS = KINDS["media"]
THUMBNAIL_SIDE = 400
# Mastodon's own blurhash detail; computed from a small copy, since the encoder reads every
# pixel in Python.
BLURHASH_COMPONENTS = (4, 3)
BLURHASH_SIDE = 64
DESCRIPTION_MAX_LENGTH = 1500
# Pictures uploaded and not yet on a post: enough for ten posts of nine.
MAX_PENDING = 10 * MEDIA_PER_POST
# A picture no post takes within a day is removed (the sweep), as Mastodon does.
STALE_AFTER = timedelta(days=1)
STALE_BATCH = 500
# Announced to clients (the instance's configuration): what every accepted format fits in.
SUPPORTED_MIME_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
IMAGE_MATRIX_LIMIT = 12_000_000


# Reading -------------------------------------------------------------------------------


def own_media(*, owner: User, media_id: int) -> MediaAttachment:
    """One of ``owner``'s pictures; anyone else's is not found, as if it did not exist."""
    media = MediaAttachment.objects.filter(pk=media_id, owner_id=owner.pk).first()
    if media is None:
        raise DomainError(MediaError.MEDIA_NOT_FOUND)
    return media


def media_for_posts(post_ids: Iterable[int]) -> dict[int, list[MediaAttachment]]:
    """Each post's pictures in their order, in one query."""
    ids = set(post_ids)
    found: dict[int, list[MediaAttachment]] = {}
    if not ids:
        return found
    for media in MediaAttachment.objects.filter(post_id__in=ids).order_by("post_id", "position"):
        found.setdefault(media.post_id, []).append(media)
    return found


def small_size(width: int, height: int) -> tuple[int, int]:
    """The thumbnail's size: the picture fitted within THUMBNAIL_SIDE, never enlarged (the
    sum core.images.CleanImage.thumbnail makes)."""
    if not width or not height:
        return (0, 0)
    scale = min(THUMBNAIL_SIDE / width, THUMBNAIL_SIDE / height, 1)
    return (max(1, round(width * scale)), max(1, round(height * scale)))


# Input ---------------------------------------------------------------------------------


def clean_description(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(MediaError.DESCRIPTION_TOO_LONG)
    return text


def parse_focus(value: str | None) -> tuple[float, float] | None:
    """Mastodon's focal point "x,y" (each from -1.0 to 1.0); None when not given."""
    if value is None or not str(value).strip():
        return None
    parts = str(value).split(",")
    try:
        x, y = (float(part) for part in parts)
    except ValueError:
        raise DomainError(MediaError.INVALID_FOCUS) from None
    if not all(math.isfinite(v) and -1.0 <= v <= 1.0 for v in (x, y)):
        raise DomainError(MediaError.INVALID_FOCUS)
    return (x, y)


# Writing -------------------------------------------------------------------------------


@transaction.atomic
def upload_media(
    *, owner: User, upload, description: str | None = "", focus: str | None = None
) -> MediaAttachment:
    """A picture for a later post (``focus`` as Mastodon's "x,y")."""
    if upload is None:
        raise DomainError(MediaError.MEDIA_MISSING)
    text = clean_description(description)
    focus_x, focus_y = parse_focus(focus) or (0.0, 0.0)
    clean = clean_image(upload, "media", field="file")
    # One account's uploads queue on its row, so two at once cannot both pass the count.
    list(User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True))
    if MediaAttachment.objects.filter(owner_id=owner.pk, post__isnull=True).count() >= MAX_PENDING:
        raise DomainError(MediaError.TOO_MANY_PENDING)
    width, height = clean.image.size
    media = MediaAttachment(
        owner=owner,
        width=width,
        height=height,
        blurhash=_blurhash(clean),
        description=text,
        focus_x=focus_x,
        focus_y=focus_y,
    )
    # Photos keep JPEG thumbnails; drawings and transparent pictures keep their alpha in WebP.
    thumb = clean.thumbnail(
        (THUMBNAIL_SIDE, THUMBNAIL_SIDE), "JPEG" if clean.format == "JPEG" else "WEBP"
    )
    media.image.save(clean.name, clean.file(), save=False)
    media.thumbnail.save(thumb.name, thumb, save=False)
    media.save()
    return media


def _blurhash(clean: CleanImage) -> str:
    width, height = clean.image.size
    scale = min(BLURHASH_SIDE / width, BLURHASH_SIDE / height, 1)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = clean.image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return blurhash.encode(small, *BLURHASH_COMPONENTS)


@transaction.atomic
def update_media(
    *,
    owner: User,
    media_id: int,
    description: str | None = None,
    focus: str | None = None,
) -> MediaAttachment:
    """Change a picture's description or focus (what is None stays) while no post has it."""
    media = own_media(owner=owner, media_id=media_id)
    changes: dict = {}
    if description is not None:
        changes["description"] = clean_description(description)
    point = parse_focus(focus)
    if point is not None:
        changes["focus_x"], changes["focus_y"] = point
    if changes:
        updated = MediaAttachment.objects.filter(pk=media.pk, post__isnull=True).update(**changes)
        if not updated:
            raise DomainError(MediaError.MEDIA_ALREADY_ATTACHED)
        for field, value in changes.items():
            setattr(media, field, value)
    elif media.post_id is not None:
        raise DomainError(MediaError.MEDIA_ALREADY_ATTACHED)
    return media


@transaction.atomic
def delete_media(*, owner: User, media_id: int) -> MediaAttachment:
    """Remove a picture no post has taken; its files go once that has committed."""
    media = own_media(owner=owner, media_id=media_id)
    deleted, _rows = MediaAttachment.objects.filter(pk=media.pk, post__isnull=True).delete()
    if not deleted:
        raise DomainError(MediaError.MEDIA_ALREADY_ATTACHED)
    storage = media.image.storage
    names = [name for name in (media.image.name, media.thumbnail.name) if name]
    transaction.on_commit(lambda: _delete_files(storage, names), robust=True)
    return media


def remove_files_with(post: Post) -> None:
    """Before ``post`` is deleted: remove, once that has committed, the files of the pictures
    that go with it (its own, and those of its reposts and comments)."""
    rows = MediaAttachment.objects.filter(
        Q(post_id=post.pk) | Q(post__repost_of_id=post.pk) | Q(post__in_reply_to_id=post.pk)
    ).values_list("image", "thumbnail")
    names = [name for pair in rows for name in pair if name]
    if names:
        storage = MediaAttachment._meta.get_field("image").storage
        transaction.on_commit(partial(_delete_files, storage, names), robust=True)


def sweep_stale_media(*, now: datetime | None = None, batch: int = STALE_BATCH) -> int:
    """The sweep: remove the pictures no post took within STALE_AFTER of their upload, a
    batch at a time (conditional on still being unposted, so a post taking one meanwhile keeps
    it); returns how many went."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    storage = MediaAttachment._meta.get_field("image").storage
    done = 0
    while True:
        with transaction.atomic():
            stale = list(
                MediaAttachment.objects.filter(
                    post__isnull=True, scheduled__isnull=True, created_at__lt=cutoff
                )
                .order_by("pk")
                .only("pk", "image", "thumbnail")[:batch]
            )
            if not stale:
                return done
            MediaAttachment.objects.filter(
                pk__in=[m.pk for m in stale], post__isnull=True, scheduled__isnull=True
            ).delete()
            names = [n for m in stale for n in (m.image.name, m.thumbnail.name) if n]
            transaction.on_commit(partial(_delete_files, storage, names), robust=True)
        done += len(stale)
        if len(stale) < batch:
            return done


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s from storage", name)


def check_media_ids(media_ids: Sequence[int], *, more: int = 0) -> list[int]:
    """The ids a post is to carry, in order: with ``more`` pictures uploaded with the post, at
    most MEDIA_PER_POST, each once."""
    ids = list(media_ids)
    if len(ids) + more > MEDIA_PER_POST:
        raise DomainError(MediaError.TOO_MANY_MEDIA)
    if len(set(ids)) != len(ids):
        raise DomainError(MediaError.DUPLICATE_MEDIA)
    return ids


@transaction.atomic(savepoint=False)
def attach(*, post: Post, owner: User, media_ids: Sequence[int]) -> None:
    """Give ``post`` the owner's pictures ``media_ids`` in that order. Run inside the post's
    transaction: a refusal leaves neither the post nor any picture taken."""
    ids = check_media_ids(media_ids)
    if not ids:
        return
    # Conditional on each picture being the owner's and on no post: of two posts racing for a
    # picture, one takes it and the other is refused. A picture a scheduled status holds is
    # taken by that status alone, once it lets it go (actions/scheduled.py).
    free = MediaAttachment.objects.filter(pk__in=ids, owner_id=owner.pk, post__isnull=True)
    taken = free.filter(scheduled__isnull=True).update(
        post=post,
        position=Case(
            *(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)),
            output_field=IntegerField(),
        ),
    )
    if taken == len(ids):
        return
    owned = MediaAttachment.objects.filter(pk__in=ids, owner_id=owner.pk).count()
    if owned < len(ids):
        raise DomainError(MediaError.MEDIA_NOT_FOUND)
    raise DomainError(MediaError.MEDIA_ALREADY_ATTACHED)
