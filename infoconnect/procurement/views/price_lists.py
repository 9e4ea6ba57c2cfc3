"""A merchant's price lists for companies: the list of them with a form for a new one, and one
list's page (its fields, its SKUs with fixed prices, quantity rules and tiers). Only the
merchant who owns a list sees it; a refused change shows the page again with the error."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.money import parse_money
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import price_list_reads
from infoconnect.procurement.actions import price_lists as actions
from infoconnect.procurement.actions.price_lists import TierSpec
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.pricing import percent_words
from infoconnect.shop.models import Sku

TIER_ROWS = 5


def _day(text: str | None) -> datetime.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise DomainError(PricingError.WINDOW_INVALID) from None


def _basis_points(text: str | None) -> int:
    """ "8" or "12.5" (percent) as basis points."""
    text = (text or "").strip().rstrip("%") or "0"
    whole, _sep, frac = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(frac) > 2 or (frac and not frac.isdigit()):
        raise DomainError(PricingError.PERCENT_INVALID)
    return int(whole) * 100 + int(frac.ljust(2, "0") or "0")


def _fen(text: str | None, error: PricingError) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_money(text)
    except ValueError:
        raise DomainError(error) from None


def _whole(text: str | None, error: PricingError) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise DomainError(error)
    return int(text)


def _list_fields(request: HttpRequest) -> dict:
    return {
        "name": request.POST.get("name", ""),
        "percent_off": _basis_points(request.POST.get("percent_off")),
        "starts_on": _day(request.POST.get("starts_on")),
        "ends_on": _day(request.POST.get("ends_on")),
        "active": request.POST.get("active") == "on",
    }


def _tiers(request: HttpRequest) -> list[TierSpec]:
    quantities = request.POST.getlist("tier_quantity")
    prices = request.POST.getlist("tier_price")
    tiers = []
    for quantity, price in zip(quantities, prices, strict=False):
        if not quantity.strip() and not price.strip():
            continue
        from_quantity = _whole(quantity, PricingError.TIERS_INVALID)
        amount = _fen(price, PricingError.TIERS_INVALID)
        if from_quantity is None or amount is None:
            raise DomainError(PricingError.TIERS_INVALID)
        tiers.append(TierSpec(min_quantity=from_quantity, price=amount))
    return tiers


LIST_FORM = ("company", "name", "percent_off", "starts_on", "ends_on")
ENTRY_FORM = ("sku", "fixed_price", "min_quantity", "max_quantity", "increment")


def _typed(request: HttpRequest, names: tuple[str, ...]) -> dict:
    return {name: request.POST.get(name, "") for name in names}


def _list_form(price_list) -> dict:
    return {
        "name": price_list.name,
        "percent_off": percent_words(price_list.percent_off),
        "starts_on": price_list.starts_on.isoformat() if price_list.starts_on else "",
        "ends_on": price_list.ends_on.isoformat() if price_list.ends_on else "",
        "active": price_list.active,
    }


def _list_url(price_list_id: int) -> str:
    return reverse("procurement:price_list", args=[price_list_id])


@login_required
def price_lists_page(request: HttpRequest) -> HttpResponse:
    """The merchant's lists by company, and a new list (POST)."""
    typed = {**dict.fromkeys(LIST_FORM, ""), "percent_off": "0", "active": True}
    status = 200
    if request.method == "POST":
        typed = {**_typed(request, LIST_FORM), "active": request.POST.get("active") == "on"}
        try:
            made = actions.create_price_list(
                merchant=request.user, company=request.POST.get("company"), **_list_fields(request)
            )
        except DomainError as error:
            messages.error(request, error.message)
            status = error.status
        else:
            messages.success(request, _("Price list %(name)s created.") % {"name": made.name})
            return redirect(_list_url(made.pk))
    try:
        rows = list(price_list_reads.merchant_lists(merchant=request.user))
    except DomainError as error:
        return render_domain_error(request, error)
    for row in rows:
        row.percent_words = percent_words(row.percent_off)
    return render(
        request,
        "procurement/price_lists/index.html",
        {"price_lists": rows, "form": typed},
        status=status,
    )


def _render_list(
    request: HttpRequest, price_list_id: int, *, status: int = 200, typed=None, form=None
):
    try:
        price_list = price_list_reads.list_with_entries(
            merchant=request.user, price_list_id=price_list_id
        )
    except DomainError as error:
        return render_domain_error(request, error)
    entries = list(price_list.entries.all())
    priced = {entry.sku_id for entry in entries}
    skus = (
        Sku.objects.select_related("product")
        .filter(product__merchant_id=request.user.pk, is_active=True)
        .exclude(pk__in=priced)
        .order_by("product__title", "pk")
    )
    return render(
        request,
        "procurement/price_lists/detail.html",
        {
            "price_list": price_list,
            "percent": percent_words(price_list.percent_off),
            "entries": entries,
            "skus": skus,
            "tier_rows": range(TIER_ROWS),
            "form": form or _list_form(price_list),
            "typed": typed or {**dict.fromkeys(ENTRY_FORM, ""), "increment": "1"},
        },
        status=status,
    )


@login_required
def price_list(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """One list; POST changes its fields."""
    if request.method != "POST":
        return _render_list(request, price_list_id)
    try:
        actions.update_price_list(
            merchant=request.user, price_list_id=price_list_id, **_list_fields(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
        form = {**_typed(request, LIST_FORM), "active": request.POST.get("active") == "on"}
        return _render_list(request, price_list_id, status=error.status, form=form)
    messages.success(request, _("Price list saved."))
    return redirect(_list_url(price_list_id))


@login_required
@require_POST
def price_list_delete(request: HttpRequest, price_list_id: int) -> HttpResponse:
    try:
        actions.delete_price_list(merchant=request.user, price_list_id=price_list_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("Price list deleted."))
    return redirect("procurement:price_lists")


@login_required
@require_POST
def entry_save(request: HttpRequest, price_list_id: int) -> HttpResponse:
    """A SKU's fixed price, quantity rule and tiers in the list (made or replaced)."""
    try:
        actions.save_entry(
            merchant=request.user,
            price_list_id=price_list_id,
            sku_id=request.POST.get("sku"),
            fixed_price=_fen(request.POST.get("fixed_price"), PricingError.PRICE_INVALID),
            min_quantity=_whole(request.POST.get("min_quantity"), PricingError.RULE_INVALID),
            max_quantity=_whole(request.POST.get("max_quantity"), PricingError.RULE_INVALID),
            increment=_whole(request.POST.get("increment"), PricingError.RULE_INVALID) or 1,
            tiers=_tiers(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
        typed = _typed(request, ENTRY_FORM)
        return _render_list(request, price_list_id, status=error.status, typed=typed)
    messages.success(request, _("Entry saved."))
    return redirect(_list_url(price_list_id))


@login_required
@require_POST
def entry_remove(request: HttpRequest, price_list_id: int, sku_id: int) -> HttpResponse:
    try:
        actions.remove_entry(merchant=request.user, price_list_id=price_list_id, sku_id=sku_id)
    except DomainError as error:
        return render_domain_error(request, error)
    messages.success(request, _("Entry removed."))
    return redirect(_list_url(price_list_id))
