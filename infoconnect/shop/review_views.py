"""Review pages' forms: a buyer reviews a line of a completed order (or changes the review),
the merchant replies. Each validates, calls shop.actions.reviews and returns to the page
the form was on (the order, or the product)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core import ratelimits
from infoconnect.core.ids import parse_id
from infoconnect.shop.actions import reviews as actions
from infoconnect.shop.views import _attempt, _safe_next


def _rating(request: HttpRequest) -> int:
    # Anything but a whole number is refused by the action as an invalid rating.
    try:
        return int(request.POST.get("rating", ""))
    except ValueError:
        return 0


def _run(request: HttpRequest, work, done: str, fallback: str) -> HttpResponse:
    """Done or refused, back to the form's "next" page on this site, else to ``fallback``."""
    return _attempt(request, work, done) or redirect(_safe_next(request) or fallback)


def _order_page(request: HttpRequest) -> str:
    order_id = parse_id(request.POST.get("order"))
    return reverse("shop:order", args=[order_id]) if order_id else reverse("shop:orders")


@login_required
@require_POST
@ratelimits.limit("upload", files_only=True)
def review_create(request: HttpRequest, line_id: int) -> HttpResponse:
    return _run(
        request,
        lambda: actions.review_line(
            buyer=request.user,
            line_id=line_id,
            rating=_rating(request),
            text=request.POST.get("text", ""),
            photos=request.FILES.getlist("photos"),
        ),
        _("Thank you: your review is posted."),
        _order_page(request),
    )


@login_required
@require_POST
@ratelimits.limit("upload", files_only=True)
def review_edit(request: HttpRequest, review_id: int) -> HttpResponse:
    return _run(
        request,
        lambda: actions.edit_review(
            buyer=request.user,
            review_id=review_id,
            rating=_rating(request),
            text=request.POST.get("text", ""),
            add_photos=request.FILES.getlist("photos"),
            remove_photo_ids=[
                pk for pk in map(parse_id, request.POST.getlist("remove_photo")) if pk
            ],
        ),
        _("Your review is changed."),
        _order_page(request),
    )


@login_required
@require_POST
def review_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    return _run(
        request,
        lambda: actions.reply_to_review(
            merchant=request.user, review_id=review_id, text=request.POST.get("text", "")
        ),
        _("Your reply is posted."),
        _order_page(request),
    )
