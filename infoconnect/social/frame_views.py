"""The page frame's own pages: the right column (fetched when it comes into view, so a phone,
which does not show it, never asks) and the Me page, the phone's way to everything the side
navigation holds."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from infoconnect.shop import selectors as shop_selectors
from infoconnect.social import discovery, selectors
from infoconnect.social.views import login_required

RAIL_SUGGESTIONS = 5
RAIL_TRENDS = 8


@require_GET
def rail(request: HttpRequest) -> HttpResponse:
    context: dict = {"trends": selectors.trending_tags(limit=RAIL_TRENDS)}
    if request.user.is_authenticated:
        lines = shop_selectors.cart_lines(person=request.user)
        context.update(
            suggestions=discovery.suggested_accounts(viewer=request.user, limit=RAIL_SUGGESTIONS),
            cart_lines=lines,
            cart_quantity=sum(line.quantity for line in lines),
            cart_total=shop_selectors.cart_total(lines),
        )
    return render(request, "social/_rail.html", context)


@require_GET
@login_required
def me(request: HttpRequest) -> HttpResponse:
    # The page lists the header's forms (whom the person acts for) itself, once.
    return render(request, "social/me.html", {"hide_header_templates": True})
