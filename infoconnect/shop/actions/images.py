"""Product images: each upload is checked and re-encoded without its metadata (core.images)
and stored under a name of its own with a JPEG thumbnail.

Positions run 0, 1, 2, … with no gap, written under the product's row lock. Files leave
storage only once the row's deletion has committed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.images import clean_image
from infoconnect.shop.actions.rules import lock_product, own_product
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import ProductImage

logger = logging.getLogger(__name__)

THUMBNAIL_SIZE = (400, 400)


@transaction.atomic
def add_product_image(*, merchant: User, product_id: int, upload) -> ProductImage:
    product = own_product(merchant, product_id)
    clean = clean_image(upload, "product", field="image")
    lock_product(product.pk)
    # Positions run 0, 1, 2, … with no gap (deletion closes it): the next one is the count.
    position = product.images.count()
    image = ProductImage(product=product, position=position)
    image.image.save(clean.name, clean.file(), save=False)
    thumb = clean.thumbnail(THUMBNAIL_SIZE)
    image.thumbnail.save(thumb.name, thumb, save=False)
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
