"""An approver's approve and reject of a requisition's waiting step, from its page: bound to
the digest of what the page showed; back to ``next`` (or the requisition) with the outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.procurement.actions import approvals
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.requisition_reads import member_requisition


def _back(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("procurement:requisition", args=[company_id, requisition_id])
    return redirect(next_url)


def _decide(request: HttpRequest, company_id: int, requisition_id: int, work, done: str):
    try:
        requisition, _membership = member_requisition(
            user=request.user, requisition_id=requisition_id
        )
        if requisition.company_id != company_id:
            raise DomainError(ProcurementError.REQUISITION_NOT_FOUND)
    except DomainError as error:
        return render_domain_error(request, error)
    try:
        work()
    except DomainError as error:
        messages.error(request, error.message)
    except IntegrityError:
        # Sent back while the requester already has a new cart of the company.
        messages.error(request, DomainError(ProcurementError.REQUISITION_INVALID_STATE).message)
    else:
        messages.success(request, done)
    return _back(request, company_id, requisition_id)


@login_required
@require_POST
def approve(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    def work():
        approvals.approve_requisition(
            user=request.user,
            requisition_id=requisition_id,
            seen_digest=request.POST.get("digest") or None,
        )

    return _decide(request, company_id, requisition_id, work, _("Approved."))


@login_required
@require_POST
def reject(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    line_ids = request.POST.getlist("line")

    def work():
        approvals.reject_requisition(
            user=request.user,
            requisition_id=requisition_id,
            reason=request.POST.get("reason", ""),
            line_ids=line_ids or None,
        )

    done = _("Sent back to the requester.") if line_ids else _("Rejected.")
    return _decide(request, company_id, requisition_id, work, done)
