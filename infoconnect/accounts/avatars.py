"""Avatar images: checked with Pillow, re-encoded without metadata, and a square thumbnail."""

import io
import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from infoconnect.accounts.errors import AccountsError
from infoconnect.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 4096
THUMB_SIDE = 256
# Pillow format name -> file extension; anything else is refused.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


@dataclass(frozen=True)
class ProcessedAvatar:
    original: ContentFile
    thumb: ContentFile


def process_avatar(upload) -> ProcessedAvatar:
    """Check an uploaded file is a real, bounded image; return the files to store.

    The original is re-encoded so EXIF (and any GPS position in it) is not published;
    an animated GIF keeps its first frame.
    """
    size = getattr(upload, "size", None)
    if size is None or size > MAX_BYTES:
        raise DomainError(
            AccountsError.AVATAR_TOO_LARGE,
            fields={"avatar": [str(AccountsError.AVATAR_TOO_LARGE.message)]},
        )
    try:
        upload.seek(0)
        # Reading the header only: dimensions are checked before any pixels are decoded.
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise _not_image()
            width, height = image.size
            if width > MAX_SIDE or height > MAX_SIDE or width < 1 or height < 1:
                raise DomainError(
                    AccountsError.AVATAR_TOO_MANY_PIXELS,
                    fields={"avatar": [str(AccountsError.AVATAR_TOO_MANY_PIXELS.message)]},
                )
            fmt = image.format
            image.load()
            still = ImageOps.exif_transpose(image)
            original = _encode(still, fmt)
            thumb = _encode(ImageOps.fit(still, (THUMB_SIDE, THUMB_SIDE)), "WEBP")
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _not_image() from None
    name = secrets.token_hex(12)
    return ProcessedAvatar(
        original=ContentFile(original, name=f"{name}.{FORMATS[fmt]}"),
        thumb=ContentFile(thumb, name=f"{name}.webp"),
    )


def _not_image() -> DomainError:
    return DomainError(
        AccountsError.AVATAR_NOT_IMAGE,
        fields={"avatar": [str(AccountsError.AVATAR_NOT_IMAGE.message)]},
    )


def _encode(image: Image.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt in ("WEBP", "PNG") and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    elif fmt == "GIF" and image.mode not in ("P", "L"):
        image = image.convert("P", palette=Image.Palette.ADAPTIVE)
    buffer = io.BytesIO()
    options = {"quality": 88} if fmt in ("JPEG", "WEBP") else {}
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()
