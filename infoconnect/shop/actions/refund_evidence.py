"""Evidence photos on a refund request: up to 3 from each side (the buyer, the merchant).

Each upload is checked and re-encoded without its metadata by core/images.py (a photo of a
parcel on a doorstep should not carry the doorstep's GPS position), and stored with a JPEG
thumbnail as product images are. Every upload of a batch is checked before any is stored, so
a bad fourth file leaves the first three unsaved too.
"""

from __future__ import annotations

from collections.abc import Sequence

from infoconnect.accounts.models import User
from infoconnect.core.errors import DomainError
from infoconnect.core.images import CleanImage, ImageRefused, clean_image
from infoconnect.shop.actions.images import THUMBNAIL_SIZE
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import RefundEvidence, RefundRequest

MAX_PHOTOS = 3
REFUSALS = {
    ImageRefused.TOO_LARGE: ShopError.PHOTO_TOO_LARGE,
    ImageRefused.TOO_MANY_PIXELS: ShopError.PHOTO_TOO_LARGE,
    ImageRefused.NOT_IMAGE: ShopError.INVALID_IMAGE,
}


def check_photos(uploads: Sequence, *, already: int = 0) -> list[CleanImage]:
    """Every upload re-encoded, or the error that refuses the batch (a 422 with its code)."""
    if already + len(uploads) > MAX_PHOTOS:
        raise DomainError(ShopError.TOO_MANY_PHOTOS)
    return [clean_image(upload, "refund_evidence", errors=REFUSALS) for upload in uploads]


def store_photos(refund: RefundRequest, person: User, photos: list[CleanImage]) -> None:
    """Save checked photos after the ones ``person`` attached before (the caller holds the
    request's row lock, so two uploads at once cannot both take the third place)."""
    position = photos_of(refund, person.pk)
    for offset, photo in enumerate(photos):
        evidence = RefundEvidence(
            refund=refund, uploaded_by_id=person.pk, position=position + offset
        )
        thumb = photo.thumbnail(THUMBNAIL_SIZE)
        evidence.image.save(photo.name, photo.file(), save=False)
        evidence.thumbnail.save(thumb.name, thumb, save=False)
        evidence.save()


def photos_of(refund: RefundRequest, person_id: int) -> int:
    return RefundEvidence.objects.filter(refund=refund, uploaded_by_id=person_id).count()
