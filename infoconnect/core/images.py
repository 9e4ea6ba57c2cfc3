"""Uploaded images: checked with Pillow, bounded, and re-encoded without their metadata.

Re-encoding drops EXIF (and any GPS position in it) and other embedded chunks, so what is
published is only the picture. Each caller names its limits and turns a refusal into its own
error code (an avatar and a business licence say different things to the person).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError


class ImageRefused(Exception):
    """Why an upload is not accepted: one of the reasons below."""

    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    NOT_IMAGE = "not_image"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ImageLimits:
    # Pillow format name -> file extension; anything else is refused.
    formats: Mapping[str, str]
    max_bytes: int
    max_side: int


@dataclass(frozen=True)
class CleanImage:
    image: Image.Image  # the first frame, turned upright by its EXIF orientation
    format: str
    extension: str
    data: bytes  # re-encoded in its own format, without metadata


def reencode(upload, limits: ImageLimits) -> CleanImage:
    """Check an uploaded file is a real image within ``limits``; return it re-encoded.

    Only the header is read before the dimensions are checked, so a huge picture is refused
    before its pixels are decoded; an animated GIF keeps its first frame.
    """
    size = getattr(upload, "size", None)
    if size is None or size > limits.max_bytes:
        raise ImageRefused(ImageRefused.TOO_LARGE)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in limits.formats:
                raise ImageRefused(ImageRefused.NOT_IMAGE)
            width, height = image.size
            if not (1 <= width <= limits.max_side and 1 <= height <= limits.max_side):
                raise ImageRefused(ImageRefused.TOO_MANY_PIXELS)
            fmt = image.format
            image.load()
            still = ImageOps.exif_transpose(image)
            data = encode(still, fmt)
    except ImageRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ImageRefused(ImageRefused.NOT_IMAGE) from None
    return CleanImage(image=still, format=fmt, extension=limits.formats[fmt], data=data)


def encode(image: Image.Image, fmt: str) -> bytes:
    """``image`` saved in ``fmt`` with nothing but its pixels."""
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
