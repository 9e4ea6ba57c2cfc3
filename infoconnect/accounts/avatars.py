"""Avatar images: checked and re-encoded without metadata (core.images), and a square thumbnail."""

from dataclasses import dataclass

from django.core.files.base import ContentFile

from infoconnect.accounts.errors import AccountsError
from infoconnect.core.images import KINDS, ImageRefused, clean_image

LIMITS = KINDS["avatar"]
MAX_BYTES = LIMITS.max_bytes
MAX_SIDE = LIMITS.max_side
THUMB_SIDE = 256
REFUSALS = {
    ImageRefused.TOO_LARGE: AccountsError.AVATAR_TOO_LARGE,
    ImageRefused.TOO_MANY_PIXELS: AccountsError.AVATAR_TOO_MANY_PIXELS,
    ImageRefused.NOT_IMAGE: AccountsError.AVATAR_NOT_IMAGE,
}


@dataclass(frozen=True)
class ProcessedAvatar:
    original: ContentFile
    thumb: ContentFile


def process_avatar(upload) -> ProcessedAvatar:
    """Check an uploaded file is a real, bounded image; return the files to store.

    The original is re-encoded so EXIF (and any GPS position in it) is not published;
    an animated GIF keeps its first frame.
    """
    clean = clean_image(upload, "avatar", errors=REFUSALS, field="avatar")
    return ProcessedAvatar(
        original=clean.file(),
        thumb=clean.thumbnail((THUMB_SIDE, THUMB_SIDE), "WEBP", crop=True),
    )
