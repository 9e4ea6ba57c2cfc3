"""What review templates draw: stars, a buyer's masked name, and an order's lines with what
the viewer may do about their reviews."""

from dataclasses import dataclass

from django import template

from infoconnect.shop import selectors
from infoconnect.shop.actions.reviews import REVIEWABLE_STATES, editable, line_refunded
from infoconnect.shop.models import Order, OrderLine, Review

register = template.Library()


@register.filter
def stars(rating) -> str:
    """4 -> ★★★★☆"""
    rating = max(0, min(int(rating or 0), 5))
    return "★" * rating + "☆" * (5 - rating)


@register.filter
def masked_name(user) -> str:
    return selectors.reviewer_name(user)


@dataclass
class LineReview:
    line: OrderLine
    review: Review | None
    can_review: bool
    can_edit: bool
    can_reply: bool


@register.simple_tag
def order_review_rows(order: Order, user) -> list[LineReview]:
    """Each line of the order with its review and what ``user`` (its buyer or merchant) may
    do: write one, change it, or reply to it. Empty when there is nothing to show."""
    is_buyer, is_merchant = user.pk == order.buyer_id, user.pk == order.merchant_id
    completed = order.state in REVIEWABLE_STATES
    reviews = selectors.order_line_reviews(order=order)
    rows = []
    for line in order.lines.all():
        review = reviews.get(line.pk)
        rows.append(
            LineReview(
                line=line,
                review=review,
                can_review=is_buyer
                and review is None
                and completed
                and not line_refunded(line, order),
                can_edit=is_buyer and review is not None and editable(review),
                can_reply=is_merchant
                and review is not None
                and review.replied_at is None
                and not review.hidden,
            )
        )
    if not any(row.review or row.can_review for row in rows):
        return []
    return rows
