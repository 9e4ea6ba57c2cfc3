"""Uploaded images: the one path every image upload goes through.

``clean_image(upload, kind)`` checks an upload against its kind's limits and returns it
re-encoded from its pixels alone, under a name InfoConnect makes up:

- the byte limit is checked on ``upload.size`` before anything is read (the whole request is
  capped earlier by ``core.uploads.UploadLimitMiddleware``);
- only the header is read before width × height are checked, so a picture whose pixels would
  cost more than about 100 MB to decode is refused before it is decoded (Pillow's own
  decompression-bomb check is lowered to the same cap);
- the stored file is a new image holding only the decoded pixels (no EXIF and its GPS position,
  no ICC profile, comments or text chunks, nothing after the image's end), saved as JPEG, PNG or
  WebP only, whatever the upload's name or extension said.

Each kind (product, campaign, review, refund evidence, avatar, business licence, media) has its
limits in ``KINDS``; a caller that has error codes of its own for the refusals passes them, the
others answer with ``image_too_large``, ``image_too_many_pixels`` and ``invalid_image``.
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from infoconnect.core.errors import DomainError, ErrorCode

MB = 1024 * 1024
# One decoded picture costs up to 4 bytes a pixel (Pillow keeps RGB in 32 bits too): 24
# megapixels are about 96 MB, the most one upload may cost the process.
MAX_PIXELS = 24_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# PNG and WebP are re-encoded losslessly, and their encoders hold a second copy of the rows as
# they compress (measured: about 190 MB for a 24-megapixel RGBA PNG, 115 MB for a JPEG), so
# they get half the cap to stay within the same bound.
FORMAT_MAX_PIXELS = {"PNG": 12_000_000, "GIF": 12_000_000, "WEBP": 12_000_000}

# What may be uploaded (Pillow format names); what is stored is JPEG, PNG or WebP only.
ACCEPTED = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
# A photo stays a photo, a WebP stays WebP; PNG and GIF (drawings, transparency) become PNG.
OUTPUT_FORMAT = {"JPEG": "JPEG", "WEBP": "WEBP", "PNG": "PNG", "GIF": "PNG"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
QUALITY = {"JPEG": 88, "WEBP": 85}


@dataclass(frozen=True)
class ImageKind:
    name: str
    max_bytes: int
    max_side: int
    formats: frozenset[str] = ACCEPTED
    max_pixels: int = MAX_PIXELS


KINDS: dict[str, ImageKind] = {
    kind.name: kind
    for kind in (
        ImageKind("product", max_bytes=10 * MB, max_side=6000),
        ImageKind("campaign", max_bytes=5 * MB, max_side=6000),
        ImageKind("review", max_bytes=10 * MB, max_side=8000),
        ImageKind("refund_evidence", max_bytes=5 * MB, max_side=6000),
        ImageKind("avatar", max_bytes=5 * MB, max_side=4096),
        ImageKind(
            "licence",
            max_bytes=8 * MB,
            max_side=6000,
            formats=frozenset({"JPEG", "PNG", "WEBP"}),
        ),
        ImageKind("media", max_bytes=10 * MB, max_side=8000),
    )
}


class ImageError(ErrorCode):
    IMAGE_TOO_LARGE = ("image_too_large", 413, _("The image is too large."))
    IMAGE_TOO_MANY_PIXELS = (
        "image_too_many_pixels",
        422,
        _("The image has too many pixels."),
    )
    INVALID_IMAGE = ("invalid_image", 422, _("Upload a JPEG, PNG, GIF or WebP image."))


class ImageRefused(Exception):
    """Why an upload is not accepted: one of the reasons below."""

    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    NOT_IMAGE = "not_image"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


DEFAULT_ERRORS: Mapping[str, ErrorCode] = {
    ImageRefused.TOO_LARGE: ImageError.IMAGE_TOO_LARGE,
    ImageRefused.TOO_MANY_PIXELS: ImageError.IMAGE_TOO_MANY_PIXELS,
    ImageRefused.NOT_IMAGE: ImageError.INVALID_IMAGE,
}


@dataclass(frozen=True)
class CleanImage:
    image: Image.Image  # the pixels only, turned upright by the upload's EXIF orientation
    format: str  # JPEG, PNG or WEBP
    data: bytes  # ``image`` encoded in ``format``
    stem: str  # random hex: the stored names are made of it, never of the upload's name

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def name(self) -> str:
        return f"{self.stem}.{self.extension}"

    def file(self) -> ContentFile:
        return ContentFile(self.data, name=self.name)

    def thumbnail(self, size: tuple[int, int], fmt: str = "JPEG", *, crop: bool = False):
        """A small copy (fitted within ``size``, or cropped to fill it) named like the image.

        ``reducing_gap`` lets Pillow shrink by whole factors (``Image.reduce``) before the
        fine resampling, so a thumbnail of a large picture costs little more than the thumbnail.
        """
        width, height = self.image.size
        box = (0, 0, width, height)
        if crop:
            scale = max(size[0] / width, size[1] / height)
            cut_w, cut_h = size[0] / scale, size[1] / scale
            left, top = (width - cut_w) / 2, (height - cut_h) / 2
            box = (left, top, left + cut_w, top + cut_h)
            target = size
        else:
            scale = min(size[0] / width, size[1] / height, 1)
            target = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = self.image.resize(target, Image.Resampling.LANCZOS, box=box, reducing_gap=2.0)
        return ContentFile(encode(small, fmt), name=f"{self.stem}.{EXTENSIONS[fmt]}")


def clean_image(
    upload,
    kind: str,
    *,
    errors: Mapping[str, ErrorCode] | None = None,
    field: str | None = None,
) -> CleanImage:
    """``upload`` checked against the limits of ``kind`` and re-encoded, or a DomainError
    (``errors`` maps refusals to a caller's own codes, the others keep core's; ``field`` names
    the form field the message belongs to)."""
    try:
        return reencode(upload, KINDS[kind])
    except ImageRefused as refused:
        error = {**DEFAULT_ERRORS, **(errors or {})}[refused.reason]
        message = _message(error, KINDS[kind])
        raise DomainError(error, message, fields={field: [message]} if field else None) from None


def _message(error: ErrorCode, kind: ImageKind) -> str:
    if error is ImageError.IMAGE_TOO_LARGE:
        return gettext("The image must be at most %(mb)d MB.") % {"mb": kind.max_bytes // MB}
    if error is ImageError.IMAGE_TOO_MANY_PIXELS:
        return gettext("The image must be at most %(side)d × %(side)d pixels.") % {
            "side": kind.max_side
        }
    return str(error.message)


def reencode(upload, kind: ImageKind) -> CleanImage:
    """The upload's first frame, upright, as a new image of its pixels alone; ImageRefused
    when it is too large, has too many pixels or is not an accepted image."""
    size = getattr(upload, "size", None)
    if size is None or size > kind.max_bytes:
        raise ImageRefused(ImageRefused.TOO_LARGE)
    try:
        upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in kind.formats:
                    raise ImageRefused(ImageRefused.NOT_IMAGE)
                width, height = image.size
                if not (1 <= width <= kind.max_side and 1 <= height <= kind.max_side):
                    raise ImageRefused(ImageRefused.TOO_MANY_PIXELS)
                if width * height > min(
                    kind.max_pixels, FORMAT_MAX_PIXELS.get(image.format, kind.max_pixels)
                ):
                    raise ImageRefused(ImageRefused.TOO_MANY_PIXELS)
                fmt = OUTPUT_FORMAT[image.format]
                image.load()
                pixels = _pixels_only(image, fmt)
    except ImageRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own check, at open, of the same cap.
        raise ImageRefused(ImageRefused.TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ImageRefused(ImageRefused.NOT_IMAGE) from None
    return CleanImage(
        image=pixels, format=fmt, data=encode(pixels, fmt), stem=secrets.token_hex(12)
    )


def _pixels_only(image: Image.Image, fmt: str) -> Image.Image:
    """A new image holding ``image``'s pixels (upright) and nothing else.

    Pillow carries a file's comment, ICC profile and text chunks in ``info`` onto copies and
    into saves, so the result is a fresh ``Image`` with empty ``info``. It shares the decoded
    pixels instead of pasting them into a second buffer (Pillow's own ``_new``, the way its
    operations make their results), so a picture at the pixel cap is held in memory once.
    """
    ImageOps.exif_transpose(image, in_place=True)
    mode = _mode_for(image, fmt)
    source = image if image.mode == mode else image.convert(mode)
    fresh = source._new(source.im)
    fresh.info = {}
    return fresh


def _mode_for(image: Image.Image, fmt: str) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        return "L" if image.mode in ("1", "L") else "RGB"
    if image.mode in ("1", "L") and not has_alpha:
        return "L"
    return "RGBA" if has_alpha else "RGB"


def encode(image: Image.Image, fmt: str) -> bytes:
    """``image`` saved in ``fmt`` (JPEG, PNG or WEBP) with nothing but its pixels."""
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif fmt in ("WEBP", "PNG") and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": QUALITY[fmt]} if fmt in QUALITY else {}))
    return buffer.getvalue()
