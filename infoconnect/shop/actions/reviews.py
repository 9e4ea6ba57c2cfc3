"""Reviews (评价): a buyer rates a line of a completed order once, with text and up to 6 photos,
and may change it for 30 days; the merchant replies once; an operator hides an abusive one.

Photos are checked and re-encoded without their metadata (core.images) before any row is
locked; a review's photos are counted and numbered under its row lock.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from infoconnect.accounts.models import User
from infoconnect.core.errors import CommonError, DomainError
from infoconnect.core.images import CleanImage, ImageRefused, clean_image
from infoconnect.shop.errors import ReviewError
from infoconnect.shop.lifecycle import orders, refunds
from infoconnect.shop.models import Order, OrderLine, Review, ReviewPhoto

EDIT_WINDOW = timedelta(days=30)
MAX_PHOTOS = 6
MAX_TEXT = 2000
MAX_REPLY = 1000
THUMBNAIL_SIZE = (400, 400)
PHOTO_REFUSALS = {
    ImageRefused.TOO_LARGE: ReviewError.PHOTO_TOO_LARGE,
    ImageRefused.TOO_MANY_PIXELS: ReviewError.INVALID_PHOTO,
    ImageRefused.NOT_IMAGE: ReviewError.INVALID_PHOTO,
}
# A line can be reviewed once its order has arrived where confirming receipt leads.
REVIEWABLE_STATES = orders.targets("complete", "auto_complete")


def _rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(
            ReviewError.INVALID_RATING, fields={"rating": [str(ReviewError.INVALID_RATING.message)]}
        )
    return rating


def _text(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise DomainError(
            ReviewError.TEXT_TOO_LONG, fields={"text": [str(ReviewError.TEXT_TOO_LONG.message)]}
        )
    return text


def _clean_photos(uploads) -> list[CleanImage]:
    """Every upload checked and re-encoded, or the first refusal raised: all or none."""
    uploads = list(uploads or [])
    if len(uploads) > MAX_PHOTOS:
        raise DomainError(ReviewError.TOO_MANY_PHOTOS)
    cleaned = []
    for upload in uploads:
        cleaned.append(clean_image(upload, "review", errors=PHOTO_REFUSALS, field="photos"))
    return cleaned


def _store_photos(review: Review, photos: list[CleanImage], first_position: int) -> None:
    for offset, photo in enumerate(photos):
        row = ReviewPhoto(review=review, position=first_position + offset)
        thumb = photo.thumbnail(THUMBNAIL_SIZE)
        row.image.save(photo.name, photo.file(), save=False)
        row.thumbnail.save(thumb.name, thumb, save=False)
        row.save()


def line_refunded(line: OrderLine, order: Order | None = None) -> bool:
    """Whether the buyer got this line back: the order was refunded in full, or granted
    refunds named every unit of the line (an amount given back names no line)."""
    order = order or line.order
    if order.state in orders.targets("refund") or (
        order.refunded_amount and order.refunded_amount >= order.total
    ):
        return True
    units = sum(
        int(item.get("quantity") or 0)
        for refund in order.refund_requests.all()
        if refunds.refunds_buyer(refund)
        for item in refund.lines or ()
        if item.get("line") == line.pk
    )
    return units >= line.quantity


def check_reviewable(line: OrderLine) -> None:
    """Raise why the line's buyer may not review it now (nothing when they may)."""
    if line_refunded(line):
        raise DomainError(ReviewError.LINE_REFUNDED)
    if line.order.state not in REVIEWABLE_STATES:
        raise DomainError(ReviewError.NOT_COMPLETED)


@transaction.atomic
def review_line(*, buyer: User, line_id: int, rating: int, text: str = "", photos=()) -> Review:
    """The buyer's review of one line of their completed order; once per line."""
    line = (
        OrderLine.objects.select_related("order")
        .prefetch_related("order__refund_requests")
        .filter(pk=line_id, order__buyer_id=buyer.pk)
        .first()
        if buyer.is_authenticated
        else None
    )
    if line is None:
        # Someone else's order line is as absent as one that never was.
        raise DomainError(ReviewError.LINE_NOT_FOUND)
    rating, text = _rating(rating), _text(text)
    check_reviewable(line)
    cleaned = _clean_photos(photos)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                line=line,
                order_id=line.order_id,
                product_id=line.product_id,
                buyer=buyer,
                rating=rating,
                text=text,
            )
    except IntegrityError:
        raise DomainError(ReviewError.REVIEW_EXISTS) from None
    _store_photos(review, cleaned, 0)
    return review


def editable(review: Review, now=None) -> bool:
    """Whether the buyer may still change the review: within 30 days, and not hidden."""
    return not review.hidden and (now or timezone.now()) - review.created_at <= EDIT_WINDOW


def _own_review_locked(buyer: User, review_id: int) -> Review:
    review = (
        Review.objects.select_for_update().filter(pk=review_id, buyer_id=buyer.pk).first()
        if buyer.is_authenticated
        else None
    )
    if review is None:
        raise DomainError(ReviewError.REVIEW_NOT_FOUND)
    return review


@transaction.atomic
def edit_review(
    *,
    buyer: User,
    review_id: int,
    rating: int | None = None,
    text: str | None = None,
    add_photos=(),
    remove_photo_ids=(),
) -> Review:
    """Change one's own review within 30 days of writing it: the rating, the text, photos
    added or removed (at most 6 in all). What is not given stays as it is."""
    # Decoded before the row is locked: a slow picture holds no lock.
    cleaned = _clean_photos(add_photos)
    review = _own_review_locked(buyer, review_id)
    if review.hidden:
        raise DomainError(ReviewError.REVIEW_HIDDEN)
    now = timezone.now()
    if not editable(review, now):
        raise DomainError(ReviewError.EDIT_CLOSED)
    if rating is not None:
        review.rating = _rating(rating)
    if text is not None:
        review.text = _text(text)
    removing = {int(pk) for pk in remove_photo_ids or ()}
    kept = [photo for photo in review.photos.all() if photo.pk not in removing]
    if len(kept) + len(cleaned) > MAX_PHOTOS:
        raise DomainError(ReviewError.TOO_MANY_PHOTOS)
    review.edited_at = now
    review.save(update_fields=["rating", "text", "edited_at"])
    if removing:
        gone = list(ReviewPhoto.objects.filter(review_id=review.pk, pk__in=removing))
        ReviewPhoto.objects.filter(pk__in=[photo.pk for photo in gone]).delete()
        names = [f.name for photo in gone for f in (photo.image, photo.thumbnail) if f.name]
        if gone:
            storage = gone[0].image.storage
            # The files go once the rows' deletion has committed (robust: a failure is logged).
            transaction.on_commit(lambda: [storage.delete(name) for name in names], robust=True)
        # Positions stay 0, 1, 2, … in the order the photos had.
        for position, photo in enumerate(kept):
            if photo.position != position:
                ReviewPhoto.objects.filter(pk=photo.pk).update(position=position)
    _store_photos(review, cleaned, len(kept))
    return review


@transaction.atomic
def reply_to_review(*, merchant: User, review_id: int, text: str) -> Review:
    """The merchant's one public answer to a review of something it sold."""
    text = (text or "").strip()
    if not text:
        raise DomainError(
            ReviewError.REPLY_EMPTY, fields={"text": [str(ReviewError.REPLY_EMPTY.message)]}
        )
    if len(text) > MAX_REPLY:
        raise DomainError(
            ReviewError.REPLY_TOO_LONG, fields={"text": [str(ReviewError.REPLY_TOO_LONG.message)]}
        )
    review = (
        Review.objects.filter(pk=review_id, order__merchant_id=merchant.pk).first()
        if merchant.is_authenticated
        else None
    )
    if review is None:
        raise DomainError(ReviewError.REVIEW_NOT_FOUND)
    now = timezone.now()
    # Conditional on no reply yet: of two replies sent at once, one is kept.
    answered = Review.objects.filter(pk=review.pk, replied_at__isnull=True).update(
        reply=text, replied_at=now
    )
    if not answered:
        raise DomainError(ReviewError.ALREADY_REPLIED)
    review.reply, review.replied_at = text, now
    return review


@transaction.atomic
def set_reviews_hidden(*, operator: User, review_ids, hidden: bool) -> int:
    """An operator hides abusive reviews (or shows them again); returns how many changed."""
    if not (operator.is_authenticated and operator.is_active and operator.is_staff):
        raise DomainError(CommonError.FORBIDDEN)
    changing = Review.objects.filter(pk__in=list(review_ids)).filter(~Q(hidden=hidden))
    return changing.update(hidden=hidden, hidden_by=operator if hidden else None)
