"""The company's budgets page: for a month, a quarter or a year (``?period=``, the one holding
``?on=``, by default today), one row per department the member sees, with what is used of its
budget. An admin over a department adds, changes and deletes its budget there; a refused
change shows the page again with the error, at the error's status."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infoconnect.core.errors import DomainError
from infoconnect.core.money import parse_money
from infoconnect.core.views import render_domain_error
from infoconnect.procurement import budget_reads, selectors
from infoconnect.procurement.actions import budgets as budget_actions
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Budget, Membership

ONE_DAY = datetime.timedelta(days=1)


def _day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def _period(text: str | None) -> str:
    return text if text in Budget.Period.values else Budget.Period.MONTH


def _page_url(company_id: int, period: str, on: datetime.date) -> str:
    url = reverse("procurement:budgets", args=[company_id])
    return f"{url}?{urlencode({'period': period, 'on': on.isoformat()})}"


def _fen(text: str | None) -> int:
    """A form's amount in yuan ("20000", "¥20,000.00") as fen."""
    try:
        return parse_money(text or "")
    except ValueError:
        raise DomainError(ProcurementError.BUDGET_INVALID) from None


def _used_percent(budget: Budget) -> int:
    return min(100, budget.used * 100 // budget.amount)


def _render(
    request: HttpRequest,
    membership: Membership,
    *,
    period: str,
    on: datetime.date,
    status: int = 200,
) -> HttpResponse:
    board = budget_reads.budget_board(membership=membership, on=on, period=period)
    for row in board.rows:
        if row.budget is not None:
            row.budget.used_percent = _used_percent(row.budget)
            # A bar's value stays within its range; the text says how far beyond it went.
            row.budget.bar_value = min(row.budget.used, row.budget.amount)
    return render(
        request,
        "procurement/budgets.html",
        {
            "company": membership.company,
            "board": board,
            "period_label": Budget.Period(period).label,
            "last_day": board.ends_on - ONE_DAY,
            "previous_url": _page_url(membership.company_id, period, board.starts_on - ONE_DAY),
            "next_url": _page_url(membership.company_id, period, board.ends_on),
            "periods": Budget.Period.choices,
            "on": on,
            "posted_department": request.POST.get("department", ""),
            "posted_amount": request.POST.get("amount", ""),
        },
        status=status,
    )


@login_required
def budgets_page(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    on = _day(request.GET.get("on")) or timezone.localdate()
    return _render(request, membership, period=_period(request.GET.get("period")), on=on)


def _write(request: HttpRequest, company_id: int, work, done: str) -> HttpResponse:
    """Run ``work()`` (it returns the period and day the page shows next); back to the page,
    or the page again with why it was refused."""
    try:
        membership = selectors.require_member(user=request.user, company_id=company_id)
    except DomainError as error:
        return render_domain_error(request, error)
    period = _period(request.POST.get("period"))
    on = _day(request.POST.get("on")) or timezone.localdate()
    try:
        period, on = work()
    except DomainError as error:
        messages.error(request, error.message)
        return _render(request, membership, period=period, on=on, status=error.status)
    messages.success(request, done)
    return redirect(_page_url(company_id, period, on))


@login_required
@require_POST
def budget_create(request: HttpRequest, company_id: int) -> HttpResponse:
    def work():
        starts_on = _day(request.POST.get("on"))
        if starts_on is None:
            raise DomainError(ProcurementError.BUDGET_INVALID)
        budget = budget_actions.create_budget(
            user=request.user,
            company_id=company_id,
            department_id=request.POST.get("department"),
            period=request.POST.get("period", ""),
            starts_on=starts_on,
            amount=_fen(request.POST.get("amount")),
        )
        return budget.period, budget.starts_on

    return _write(request, company_id, work, _("Budget added."))


@login_required
@require_POST
def budget_update(request: HttpRequest, company_id: int, budget_id: int) -> HttpResponse:
    def work():
        budget = budget_actions.update_budget(
            user=request.user,
            company_id=company_id,
            budget_id=budget_id,
            amount=_fen(request.POST.get("amount")),
        )
        return budget.period, budget.starts_on

    return _write(request, company_id, work, _("Budget saved."))


@login_required
@require_POST
def budget_delete(request: HttpRequest, company_id: int, budget_id: int) -> HttpResponse:
    def work():
        budget_actions.delete_budget(user=request.user, company_id=company_id, budget_id=budget_id)
        return _period(request.POST.get("period")), (
            _day(request.POST.get("on")) or timezone.localdate()
        )

    return _write(request, company_id, work, _("Budget deleted."))
