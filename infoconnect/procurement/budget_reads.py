"""Reads of departments' budgets: the period a day falls in, and the budgets a member sees.

A member sees the budget of a department they hold any role over (a role given on the whole
company covers every department, one given on a department covers its subtree); only an
admin over the department changes it (``actions/budgets.py``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.core.ids import parse_id
from infoconnect.procurement import selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Budget, Department, Membership, RoleAssignment

PERIOD_ORDER = {value: index for index, value in enumerate(Budget.Period.values)}


def period_bounds(period: str, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first day of the ``period`` (month, quarter or year) ``on`` falls in, and the first
    day of the next one."""
    if period == Budget.Period.MONTH:
        starts = on.replace(day=1)
        months = 1
    elif period == Budget.Period.QUARTER:
        starts = on.replace(month=(on.month - 1) // 3 * 3 + 1, day=1)
        months = 3
    elif period == Budget.Period.YEAR:
        starts = on.replace(month=1, day=1)
        months = 12
    else:
        raise ValueError(period)
    month_index = starts.month - 1 + months
    ends = starts.replace(year=starts.year + month_index // 12, month=month_index % 12 + 1)
    return starts, ends


def reading_scope(membership: Membership) -> selectors.AdminScope:
    """Where the member reads budgets: the departments any of their roles covers."""
    given_on = set(
        RoleAssignment.objects.filter(membership=membership).values_list("department_id", flat=True)
    )
    return selectors.AdminScope(
        company_wide=None in given_on,
        department_ids=frozenset(pk for pk in given_on if pk is not None),
    )


def _in_order(budgets: list[Budget]) -> list[Budget]:
    return sorted(
        budgets,
        key=lambda budget: (
            selectors.ancestor_ids(budget.department),
            PERIOD_ORDER[budget.period],
            budget.starts_on,
        ),
    )


def budgets_for(
    *, membership: Membership, on: datetime.date | None = None, period: str | None = None
) -> list[Budget]:
    """The budgets the member sees whose period holds ``on`` (default: today), of ``period``
    only if given, in the tree's order. Each has ``used`` and ``remaining``."""
    on = on or timezone.localdate()
    rows = Budget.objects.filter(
        company_id=membership.company_id, starts_on__lte=on, ends_on__gt=on
    ).select_related("department")
    if period is not None:
        rows = rows.filter(period=period)
    scope = reading_scope(membership)
    return _in_order([budget for budget in rows if scope.covers(budget.department)])


def budget_for(*, membership: Membership, budget_id: object, lock: bool = False) -> Budget:
    """One of the company's budgets the member sees (locked for update with ``lock``);
    another company's, or one out of the member's sight, is "budget not found"."""
    found = parse_id(budget_id)
    budget = None
    if found is not None:
        rows = Budget.objects.filter(pk=found, company_id=membership.company_id)
        if lock:
            rows = rows.select_for_update(of=("self",))
        budget = rows.select_related("department").first()
    if budget is None or not reading_scope(membership).covers(budget.department):
        raise DomainError(ProcurementError.BUDGET_NOT_FOUND)
    return budget


@dataclass
class BudgetRow:
    department: Department
    budget: Budget | None
    manageable: bool


@dataclass
class BudgetBoard:
    """The budgets page's reads: one row per department the member sees, with its budget of
    ``period`` starting ``starts_on`` (or none), and whether the member may change it."""

    period: str
    starts_on: datetime.date
    ends_on: datetime.date
    rows: list[BudgetRow]
    can_manage: bool


def budget_board(*, membership: Membership, on: datetime.date, period: str) -> BudgetBoard:
    starts_on, ends_on = period_bounds(period, on)
    scope = reading_scope(membership)
    admin = selectors.admin_scope(membership)
    tree = selectors.department_tree(membership=membership)
    names = {department.pk: department.name for department in tree}
    budgets = {
        budget.department_id: budget
        for budget in Budget.objects.filter(
            company_id=membership.company_id, period=period, starts_on=starts_on
        )
    }
    rows = []
    for department in tree:
        if not scope.covers(department):
            continue
        department.trail = " › ".join(
            names[pk] for pk in selectors.ancestor_ids(department) if pk in names
        )
        rows.append(
            BudgetRow(
                department=department,
                budget=budgets.get(department.pk),
                manageable=admin.covers(department),
            )
        )
    return BudgetBoard(
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        rows=rows,
        can_manage=any(row.manageable for row in rows),
    )
