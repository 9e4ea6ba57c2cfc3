"""A company's orders page, /companies/<id>/orders/: the orders its requisitions placed, as far
as the member's roles reach, and receipt confirmed from it."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.idempotency import form_once
from infoconnect.core.pagination import PageParams
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import company_orders, selectors
from infoconnect.procurement.actions import receipts
from infoconnect.shop.lifecycle import orders as order_lifecycle

CONFIRM_SCOPE = "procurement.order_confirm"


@login_required
def orders(request: HttpRequest, company_id: int) -> HttpResponse:
    page = PageParams.clean(
        max_id=request.GET.get("max_id"),
        limit=company_orders.ORDERS_PAGE,
        max_limit=company_orders.ORDERS_PAGE,
    )
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
        scope = company_orders.order_scope(membership)
        links = company_orders.company_orders(membership=membership, scope=scope, page=page)
    except DomainError as refused:
        return render_domain_error(request, refused)
    for link in links:
        link.confirmable = order_lifecycle.allows(link.order, "complete") and scope.may_confirm(
            link
        )
    return render(
        request,
        "procurement/orders.html",
        {
            "company": membership.company,
            "links": links,
            "key": uuid.uuid4(),
            "next_max_id": links[-1].order_id if len(links) == page.limit else None,
        },
    )


@login_required
@require_POST
def order_confirm(request: HttpRequest, company_id: int, order_id: int) -> HttpResponse:
    try:
        receipts.confirmable(user=request.user, company_id=company_id, order_id=order_id)
    except DomainError as refused:
        return render_domain_error(request, refused)

    def confirm() -> dict:
        order = receipts.confirm_company_order(
            user=request.user, company_id=company_id, order_id=order_id
        )
        return {"on_terms": order.on_terms}

    done = form_once(
        request,
        scope=CONFIRM_SCOPE,
        params={"company": company_id, "order": order_id},
        work=confirm,
    )
    if done is not None:
        if done.get("on_terms"):
            # On terms nothing was in escrow: delivery makes the amount due instead.
            said = _("Receipt of order %(id)s confirmed. It is now due on the merchant's terms.")
        else:
            said = _("Receipt of order %(id)s confirmed. The merchant has been paid.")
        messages.success(request, said % {"id": order_id})
    return redirect("procurement:orders", company_id=company_id)
