"""Reviews (评价) under /v1/: a product's reviews (anyone, newest first, Link-header pages), a
buyer's review of a completed order line (multipart, with up to 6 photos), its change within
30 days, and the merchant's one reply.

Someone else's order line or review is a 404; a line not completed or refunded, a second
review or a second reply a 409; bad input a 422 with a code.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from infoconnect.api.auth import optional_auth
from infoconnect.api.mastodon import set_link_header
from infoconnect.api.schemas import ErrorOut, ImageOut, StrictSchema
from infoconnect.core import ratelimits
from infoconnect.core.errors import DomainError
from infoconnect.core.pagination import PageParams
from infoconnect.shop import selectors
from infoconnect.shop.actions import reviews as actions
from infoconnect.shop.errors import ShopError
from infoconnect.shop.models import Review

router = Router(tags=["reviews"])

ERRORS = dict.fromkeys((401, 403, 404, 409, 422), ErrorOut)


class ReviewOut(Schema):
    id: int
    product_id: int | None
    order_line_id: int
    rating: int = Field(..., description="1 to 5 stars")
    text: str
    variant: str = Field(..., description="the variant bought, e.g. colour: red")
    reviewer: str = Field(..., description="the buyer's name, masked (a***e)")
    photos: list[ImageOut]
    reply: str = Field(..., description='the merchant\'s reply, "" when none')
    replied_at: datetime | None
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_order_line_id(obj: Review) -> int:
        return obj.line_id

    @staticmethod
    def resolve_variant(obj: Review) -> str:
        return obj.line.label

    @staticmethod
    def resolve_reviewer(obj: Review) -> str:
        return selectors.reviewer_name(obj.buyer)

    @staticmethod
    def resolve_photos(obj: Review) -> list:
        return list(obj.photos.all())


class ReviewIn(Schema):
    rating: int
    text: str = ""


class ReviewUpdateIn(StrictSchema):
    rating: int | None = None
    text: str | None = None


class ReplyIn(StrictSchema):
    text: str


def _fresh(review_id: int) -> Review:
    return (
        Review.objects.select_related("buyer", "line").prefetch_related("photos").get(pk=review_id)
    )


@router.get(
    "/v1/products/{product_id}/reviews",
    response={200: list[ReviewOut], 404: ErrorOut},
    auth=optional_auth,
)
def list_reviews(
    request: HttpRequest,
    response: HttpResponse,
    product_id: int,
    with_photos: bool = False,
    max_id: str | None = None,
    limit: str | None = None,
):
    """The product's reviews, newest first (those an operator hid left out); with_photos:
    only those with photos. Paged with max_id and a Link header."""
    if selectors.product_for_viewer(product_id=product_id, viewer=request.auth) is None:
        raise DomainError(ShopError.PRODUCT_NOT_FOUND)
    reviews = selectors.product_reviews(
        product_id=product_id,
        params=PageParams.clean(max_id=max_id, limit=limit),
        with_photos=with_photos,
    )
    set_link_header(request, response, [review.pk for review in reviews])
    return reviews


@router.post("/v1/order_lines/{line_id}/review", response={201: ReviewOut, **ERRORS})
def create_review(
    request: HttpRequest,
    line_id: int,
    payload: Form[ReviewIn],
    photos: File[list[UploadedFile]] = None,
):
    """Review a line of your completed order (multipart: rating, text, up to 6 photos)."""
    if photos:
        ratelimits.check(request, "upload")
    review = actions.review_line(
        buyer=request.auth,
        line_id=line_id,
        rating=payload.rating,
        text=payload.text,
        photos=photos or [],
    )
    return Status(201, _fresh(review.pk))


@router.patch("/v1/reviews/{review_id}", response={200: ReviewOut, **ERRORS})
def update_review(request: HttpRequest, review_id: int, payload: ReviewUpdateIn):
    """Change your review's rating or text, within 30 days of writing it."""
    actions.edit_review(
        buyer=request.auth, review_id=review_id, rating=payload.rating, text=payload.text
    )
    return _fresh(review_id)


@router.post("/v1/reviews/{review_id}/reply", response={200: ReviewOut, **ERRORS})
def reply_to_review(request: HttpRequest, review_id: int, payload: ReplyIn):
    """The merchant's one reply to a review of something it sold."""
    actions.reply_to_review(merchant=request.auth, review_id=review_id, text=payload.text)
    return _fresh(review_id)
