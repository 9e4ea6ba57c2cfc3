"""Approve and Reject, posted from a requisition's card (in the inbox or on its page): each
calls its action, then goes back where it came from with what happened, or why not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import approvals
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.inbox_cards import requisition_path
from infoconnect.procurement.models import Requisition
from infoconnect.procurement.requisition_reads import member_requisition

State = Requisition.State


def _back(request: HttpRequest, company_id: int, requisition_id: int) -> str:
    """The page the form came from, if it is this site's; else the requisition's page."""
    next_url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return requisition_path(company_id, requisition_id)


def _requisition(request: HttpRequest, company_id: int, requisition_id: int) -> Requisition:
    """The requisition in this company, as the user may see it; else the page is not found
    (a redirect back would tell a stranger nothing but lead them to a 404 anyway)."""
    try:
        requisition, _membership = member_requisition(
            user=request.user, requisition_id=requisition_id
        )
    except DomainError as error:
        raise Http404(error.message) from error
    if requisition.company_id != company_id:
        raise Http404(ProcurementError.REQUISITION_NOT_FOUND.message)
    return requisition


def _approved(before: Requisition, after: Requisition) -> str:
    ref = after.reference
    if after.state == State.ORDERED:
        return _("Requisition %(ref)s is approved and its orders are placed.") % {"ref": ref}
    if after.state == State.APPROVED:
        return _("Requisition %(ref)s is approved, but the company wallet cannot pay it yet.") % {
            "ref": ref
        }
    if after.round != before.round:
        return _("What was approved has changed: requisition %(ref)s went back to approval.") % {
            "ref": ref
        }
    return _("Your approval of requisition %(ref)s is recorded; it waits for the next one.") % {
        "ref": ref
    }


@login_required
@require_POST
def approve(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    back = _back(request, company_id, requisition_id)
    before = _requisition(request, company_id, requisition_id)
    try:
        approvals.approve_requisition(
            user=request.user,
            requisition_id=requisition_id,
            seen_digest=request.POST.get("digest") or None,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    after = Requisition.objects.get(pk=requisition_id)
    messages.success(request, _approved(before, after))
    return redirect(back)


@login_required
@require_POST
def reject(request: HttpRequest, company_id: int, requisition_id: int) -> HttpResponse:
    back = _back(request, company_id, requisition_id)
    line_ids = request.POST.getlist("line_ids")
    _requisition(request, company_id, requisition_id)
    try:
        requisition = approvals.reject_requisition(
            user=request.user,
            requisition_id=requisition_id,
            reason=request.POST.get("reason", ""),
            line_ids=line_ids or None,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(back)
    if line_ids:
        text = _("Requisition %(ref)s is sent back to its requester for changes.")
    else:
        text = _("Requisition %(ref)s is rejected.")
    messages.success(request, text % {"ref": requisition.reference})
    return redirect(back)
