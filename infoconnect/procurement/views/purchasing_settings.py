"""The company's purchasing settings page: how long a requisition awaiting approval holds its
stock, and whether PO numbers are required and unique. Every member reads them; a
company-wide admin changes them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import selectors
from infoconnect.procurement.actions import purchasing_settings
from infoconnect.procurement.models import Membership


def _render(request: HttpRequest, membership: Membership, *, status: int = 200) -> HttpResponse:
    company = membership.company
    if request.method == "POST":
        values = {
            "hold_days": request.POST.get("hold_days", ""),
            "po_required": request.POST.get("po_required") == "on",
            "po_unique": request.POST.get("po_unique") == "on",
        }
    else:
        values = {
            "hold_days": str(company.hold_days),
            "po_required": company.po_required,
            "po_unique": company.po_unique,
        }
    return render(
        request,
        "procurement/purchasing_settings.html",
        {
            "company": company,
            "is_admin": selectors.is_company_admin(membership),
            "values": values,
        },
        status=status,
    )


@login_required
def settings_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    if request.method != "POST":
        return _render(request, membership)
    try:
        purchasing_settings.update_purchasing_settings(
            user=request.user,
            company_id=company_id,
            # A number the form cannot hold (0, "x") is refused by the action.
            hold_days=parse_id(request.POST.get("hold_days")) or 0,
            po_required=request.POST.get("po_required") == "on",
            po_unique=request.POST.get("po_unique") == "on",
        )
    except DomainError as error:
        if error.status in (403, 404):
            return render_domain_error(request, error)
        messages.error(request, error.message)
        return _render(request, membership, status=error.status)
    messages.success(request, _("Purchasing settings saved."))
    return redirect("procurement:purchasing_settings", company_id)
