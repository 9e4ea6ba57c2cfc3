"""Product images: an upload is checked to be a real image and given a JPEG thumbnail.

Positions run 0, 1, 2, … with no gap, written under the product's row lock. Files leave
storage only once the row's deletion has committed.
"""

from __future__ import annotations

import io
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from PIL import Image, UnidentifiedImageError

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.shop.actions.rules import lock_product, own_product
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import ProductImage

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (400, 400)
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}


def _thumbnail(data: bytes) -> tuple[str, bytes]:
    """Check the upload is a real image Pillow can read and return (format, JPEG thumbnail)."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in IMAGE_FORMATS:
                raise DomainError(ShopError.INVALID_IMAGE)
            width, height = probe.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DomainError(ShopError.INVALID_IMAGE)
            image_format = probe.format
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail(THUMBNAIL_SIZE)
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DomainError(ShopError.INVALID_IMAGE) from None
    return image_format, out.getvalue()


@transaction.atomic
def add_product_image(*, merchant: User, product_id: int, upload) -> ProductImage:
    product = own_product(merchant, product_id)
    data = upload.read()
    image_format, thumb = _thumbnail(data)
    lock_product(product.pk)
    # Positions run 0, 1, 2, … with no gap (deletion closes it): the next one is the count.
    position = product.images.count()
    image = ProductImage(product=product, position=position)
    image.image.save(f"p{product.pk}.{EXTENSIONS[image_format]}", ContentFile(data), save=False)
    image.thumbnail.save(f"p{product.pk}.jpg", ContentFile(thumb), save=False)
    image.save()
    return image


@transaction.atomic
def delete_product_image(*, merchant: User, product_id: int, image_id: int) -> None:
    """Remove one image of the merchant's product; those after it move up one place, so the
    positions stay 0, 1, 2, … in the same order.

    The files go only once the row's deletion has committed: a rollback leaves the image
    whole, and a failed file removal leaves an orphan file, never a row without its file.
    """
    product = own_product(merchant, product_id)
    lock_product(product.pk)
    image = ProductImage.objects.filter(pk=image_id, product_id=product.pk).first()
    if image is None:
        raise DomainError(ShopError.IMAGE_NOT_FOUND)
    names = [name for name in (image.image.name, image.thumbnail.name) if name]
    storage = image.image.storage
    # Conditional on the row still being there: of two concurrent deletes, one removes it.
    deleted, _rows = ProductImage.objects.filter(pk=image.pk).delete()
    if not deleted:
        raise DomainError(ShopError.IMAGE_NOT_FOUND)
    ProductImage.objects.filter(product_id=product.pk, position__gt=image.position).update(
        position=F("position") - 1
    )
    transaction.on_commit(lambda: _delete_files(storage, names), robust=True)


def _delete_files(storage, names: list[str]) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s from storage", name)
