"""Coupon pages: the merchant creates, lists and deactivates its coupons; a person sees the
coupons they claimed (claiming happens from a campaign's message, in the messaging app)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.shop import coupon_selectors
from infoconnect.shop.actions import coupons as coupon_actions
from infoconnect.shop.actions.rules import require_merchant
from infoconnect.shop.coupon_forms import CouponForm

# Which form field a refused coupon's message belongs to.
_ERROR_FIELDS = {
    "invalid_coupon_title": "title",
    "invalid_discount": "amount_off",
    "invalid_min_spend": "min_spend",
    "invalid_coupon_dates": "ends_at",
    "invalid_coupon_count": "total_count",
}


@login_required
def merchant_coupons(request: HttpRequest) -> HttpResponse:
    try:
        require_merchant(request.user)
    except DomainError as error:
        return render_domain_error(request, error)
    form = CouponForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            coupon_actions.create_coupon(merchant=request.user, **data)
        except DomainError as error:
            form.add_error(_ERROR_FIELDS.get(error.code), error.message)
        else:
            messages.success(request, _("Coupon created."))
            return redirect("shop:merchant_coupons")
    return render(
        request,
        "shop/coupons.html",
        {
            "form": form,
            "coupons": coupon_selectors.merchant_coupons(merchant=request.user),
            "now": timezone.now(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def coupon_deactivate(request: HttpRequest, coupon_id: int) -> HttpResponse:
    try:
        coupon_actions.deactivate_coupon(merchant=request.user, coupon_id=coupon_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("Coupon deactivated: nobody can claim or use it any more."))
    return redirect("shop:merchant_coupons")


@login_required
def my_coupons(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "shop/coupons_mine.html",
        {"claims": coupon_selectors.claims_for(person=request.user), "now": timezone.now()},
    )
