"""The company page's member forms: add and remove members, grant and revoke roles, leave.

Each form posts here and comes back to the company page; a refusal is shown on the page with
the error's status, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import members as actions
from infoconnect.procurement.views.companies import render_company


def _done(
    request: HttpRequest, company_id: int, work: Callable[[], object], success: str
) -> HttpResponse:
    try:
        work()
    except DomainError as error:
        return render_company(request, company_id, error=error)
    messages.success(request, success)
    return redirect("procurement:company", company_id)


@login_required
@require_POST
def add(request: HttpRequest, company_id: int) -> HttpResponse:
    username = request.POST.get("username", "")
    return _done(
        request,
        company_id,
        lambda: actions.add_member(
            admin_user=request.user, company_id=company_id, username=username
        ),
        _("%(username)s is now a member.") % {"username": username.strip().removeprefix("@")},
    )


@login_required
@require_POST
def remove(request: HttpRequest, company_id: int, user_id: int) -> HttpResponse:
    return _done(
        request,
        company_id,
        lambda: actions.remove_member(
            admin_user=request.user, company_id=company_id, member_user_id=user_id
        ),
        _("Member removed."),
    )


@login_required
@require_POST
def leave(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        actions.leave_company(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_company(request, company_id, error=error)
    messages.success(request, _("You have left the company."))
    return redirect("procurement:companies")


@login_required
@require_POST
def grant_role(request: HttpRequest, company_id: int, user_id: int) -> HttpResponse:
    return _done(
        request,
        company_id,
        lambda: actions.grant_role(
            admin_user=request.user,
            company_id=company_id,
            member_user_id=user_id,
            role=request.POST.get("role", ""),
            department_id=request.POST.get("department") or None,
        ),
        _("Role granted."),
    )


@login_required
@require_POST
def revoke_role(request: HttpRequest, company_id: int, user_id: int) -> HttpResponse:
    return _done(
        request,
        company_id,
        lambda: actions.revoke_role(
            admin_user=request.user,
            company_id=company_id,
            member_user_id=user_id,
            role=request.POST.get("role", ""),
            department_id=request.POST.get("department") or None,
        ),
        _("Role revoked."),
    )
