"""Refund steps: the buyer's request, return, photos and withdrawal, the merchant's answers
(its refunds page, views.merchant_refunds, shows the same forms). Views validate input and call actions/refunds.py; the forms that move money
(accept, receive the returned goods) carry a hidden key and run once per key."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core import ratelimits
from infoconnect.shop import actions
from infoconnect.shop.actions import refunds
from infoconnect.shop.forms import ShipForm
from infoconnect.shop.refund_forms import RefundRequestForm, asked_lines, typed_address
from infoconnect.shop.views import _attempt, _form_errors, _post_once, _safe_next


def _back(request: HttpRequest, order_id: int) -> HttpResponse:
    """To the form's "next" page when it is on this site, else to the order."""
    return redirect(_safe_next(request) or reverse("shop:order", args=[order_id]))


def _run(request: HttpRequest, order_id: int, work, done: str) -> HttpResponse:
    """A refund step that moves no money: done, or its error shown (a 404 as a page)."""
    return _attempt(request, work, done) or _back(request, order_id)


def _once(request: HttpRequest, order_id: int, scope: str, params: dict, work, done: str):
    """A refund step that moves money, once per the form's key."""
    _post_once(request, scope, {"order": order_id, **params}, work, done)
    return _back(request, order_id)


@login_required
@require_POST
def order_refund_request(request: HttpRequest, order_id: int) -> HttpResponse:
    form = RefundRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, order_id)
    return _run(
        request,
        order_id,
        lambda: actions.request_refund(
            buyer=request.user,
            order_id=order_id,
            reason=form.cleaned_data["reason"],
            kind=form.cleaned_data["kind"],
            amount=form.cleaned_data["amount"],
            lines=asked_lines(request.POST),
            photos=request.FILES.getlist("photos"),
        ),
        _("Refund requested. The merchant will answer."),
    )


@login_required
@require_POST
def order_refund_answer(request: HttpRequest, order_id: int) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    note = request.POST.get("note", "")[:1000]
    if not accept:
        return _run(
            request,
            order_id,
            lambda: actions.answer_refund(
                merchant=request.user,
                order_id=order_id,
                accept=False,
                note=note,
                photos=request.FILES.getlist("photos"),
            ),
            _("Refund declined."),
        )
    return _once(
        request,
        order_id,
        "shop.refund_answer",
        {"accept": True, "note": note},
        lambda: actions.answer_refund(
            merchant=request.user, order_id=order_id, accept=True, note=note
        ),
        _("Refund accepted; the buyer has been paid back."),
    )


@login_required
@require_POST
def order_refund_accept_return(request: HttpRequest, order_id: int) -> HttpResponse:
    address_id = request.POST.get("address_id", "")
    return _run(
        request,
        order_id,
        lambda: refunds.accept_return(
            merchant=request.user,
            order_id=order_id,
            address_id=int(address_id) if address_id.isdigit() else None,
            address=typed_address(request.POST),
            note=request.POST.get("note", "")[:1000],
        ),
        _("Return accepted. The buyer will send the goods to your address."),
    )


@login_required
@require_POST
def order_refund_ship_return(request: HttpRequest, order_id: int) -> HttpResponse:
    form = ShipForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, order_id)
    return _run(
        request,
        order_id,
        lambda: refunds.ship_return(buyer=request.user, order_id=order_id, **form.cleaned_data),
        _("Return sent. You are refunded once the merchant receives the goods."),
    )


@login_required
@require_POST
def order_refund_receive(request: HttpRequest, order_id: int) -> HttpResponse:
    return _once(
        request,
        order_id,
        "shop.refund_receive",
        {},
        lambda: refunds.receive_return(merchant=request.user, order_id=order_id),
        _("Goods received; the buyer has been paid back."),
    )


@login_required
@require_POST
def order_refund_withdraw(request: HttpRequest, order_id: int) -> HttpResponse:
    return _run(
        request,
        order_id,
        lambda: refunds.withdraw_refund(buyer=request.user, order_id=order_id),
        _("Refund request withdrawn."),
    )


@login_required
@require_POST
def order_refund_dispute(request: HttpRequest, order_id: int) -> HttpResponse:
    return _run(
        request,
        order_id,
        lambda: actions.dispute_refund(
            buyer=request.user, order_id=order_id, note=request.POST.get("note", "")[:500]
        ),
        _("Sent to the platform to decide."),
    )


@login_required
@require_POST
@ratelimits.limit("upload")
def order_refund_evidence(request: HttpRequest, order_id: int) -> HttpResponse:
    return _run(
        request,
        order_id,
        lambda: refunds.add_refund_evidence(
            person=request.user, order_id=order_id, photos=request.FILES.getlist("photos")
        ),
        _("Photos added."),
    )
