"""Avatar images: checked and re-encoded without metadata (core.images), and a square thumbnail."""

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import ImageOps

from infoconnect.accounts.errors import AccountsError
from infoconnect.core.errors import DomainError
from infoconnect.core.images import ImageLimits, ImageRefused, encode, reencode

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
THUMB_SIDE = 256
# Pillow format name -> file extension; anything else is refused.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
LIMITS = ImageLimits(formats=FORMATS, max_bytes=MAX_BYTES, max_side=MAX_SIDE)
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
    try:
        clean = reencode(upload, LIMITS)
    except ImageRefused as refused:
        error = REFUSALS[refused.reason]
        raise DomainError(error, fields={"avatar": [str(error.message)]}) from None
    thumb = encode(ImageOps.fit(clean.image, (THUMB_SIDE, THUMB_SIDE)), "WEBP")
    name = secrets.token_hex(12)
    return ProcessedAvatar(
        original=ContentFile(clean.data, name=f"{name}.{clean.extension}"),
        thumb=ContentFile(thumb, name=f"{name}.webp"),
    )
