"""The delegations page: the member's delegations (given and received), the form with which an
approver names a stand-in for a period, and, for a company-wide admin, every delegation of
the company and the choice of delegating on an approver's behalf."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import delegation_reads, selectors
from infoconnect.procurement.actions import delegations as delegation_actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Membership

FORM_FORMAT = "%Y-%m-%dT%H:%M"


def _moment(text: str | None) -> datetime.datetime:
    """A datetime-local input's value, in the current time zone."""
    try:
        return timezone.make_aware(datetime.datetime.fromisoformat((text or "").strip()))
    except ValueError:
        raise DomainError(ProcurementError.DELEGATION_INVALID) from None


def _render(request: HttpRequest, membership: Membership, *, status: int = 200) -> HttpResponse:
    is_admin = selectors.is_company_admin(membership)
    now = timezone.localtime()
    typed = request.POST if request.method == "POST" else {}
    return render(
        request,
        "procurement/delegations.html",
        {
            "company": membership.company,
            "mine": delegation_reads.delegations_of(membership=membership),
            "all": delegation_reads.company_delegations(membership=membership)
            if is_admin
            else None,
            "is_admin": is_admin,
            "may_delegate": is_admin or delegation_reads.is_approver(membership),
            "i_approve": delegation_reads.is_approver(membership),
            "approver_ids": delegation_reads.approver_ids(company_id=membership.company_id),
            "members": selectors.current_members(company=membership.company),
            "values": {
                "delegate": typed.get("delegate", ""),
                "delegator": typed.get("delegator", ""),
                "starts_at": typed.get("starts_at") or now.strftime(FORM_FORMAT),
                "ends_at": typed.get("ends_at")
                or (now + datetime.timedelta(days=7)).strftime(FORM_FORMAT),
            },
        },
        status=status,
    )


@login_required
def delegations_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    return _render(request, membership)


def _write(request: HttpRequest, company_id: int, work, done: str) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    try:
        work()
    except DomainError as error:
        messages.error(request, error.message)
        return _render(request, membership, status=error.status)
    messages.success(request, done)
    return redirect("procurement:delegations", company_id)


@login_required
@require_POST
def delegation_create(request: HttpRequest, company_id: int) -> HttpResponse:
    def work():
        delegation_actions.create_delegation(
            user=request.user,
            company_id=company_id,
            delegate_username=request.POST.get("delegate", ""),
            delegator_user_id=request.POST.get("delegator") or None,
            starts_at=_moment(request.POST.get("starts_at")),
            ends_at=_moment(request.POST.get("ends_at")),
        )

    return _write(request, company_id, work, _("Delegation set."))


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, company_id: int, delegation_id: int) -> HttpResponse:
    def work():
        delegation_actions.revoke_delegation(
            user=request.user, company_id=company_id, delegation_id=delegation_id
        )

    return _write(request, company_id, work, _("Delegation revoked."))
