"""Departments' budgets, as the company admin sets them: a department's amount for a month, a
quarter or a year. Only an admin over the department (or over the whole company) writes.

What requisitions commit and spend of a budget is written by the approval and ordering code;
here the amount changes only where the database's invariant (committed never beyond amount +
over-approved − spent) still holds, checked in the same UPDATE, and a budget is deleted only
while nothing has charged it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError

from infoconnect.core.errors import DomainError
from infoconnect.procurement import budget_reads, selectors
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Budget, Department, Membership, Role

if TYPE_CHECKING:
    from infoconnect.accounts.models import User

# ¥1,000,000,000,000.00: far above any department's budget, far below the 64-bit sums the
# database's checks add up.
MAX_AMOUNT = 10**14


def _amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise DomainError(ProcurementError.BUDGET_INVALID)
    return amount


def _require_admin(membership: Membership, department: Department) -> None:
    if not selectors.holds_role(membership, Role.ADMIN, department):
        raise DomainError(ProcurementError.ROLE_REQUIRED)


def _admin_budget(user: User, company_id: int, budget_id: object, *, lock: bool) -> Budget:
    membership = selectors.require_member(user=user, company_id=company_id)
    budget = budget_reads.budget_for(membership=membership, budget_id=budget_id, lock=lock)
    _require_admin(membership, budget.department)
    return budget


@transaction.atomic
def create_budget(
    *,
    user: User,
    company_id: int,
    department_id: object,
    period: str,
    starts_on: datetime.date,
    amount: int,
) -> Budget:
    """The department's budget for the period holding ``starts_on`` (moved to its first day)."""
    membership = selectors.require_member(user=user, company_id=company_id)
    # The department's lock: a deletion of it (which looks for budgets) waits, or this does
    # and finds it gone.
    department = selectors.department_for(
        membership=membership, department_id=department_id, lock=True
    )
    _require_admin(membership, department)
    if period not in Budget.Period.values or not isinstance(starts_on, datetime.date):
        raise DomainError(ProcurementError.BUDGET_INVALID)
    if isinstance(starts_on, datetime.datetime):
        starts_on = starts_on.date()
    first, after = budget_reads.period_bounds(period, starts_on)
    budget = Budget(
        company_id=membership.company_id,
        department=department,
        period=period,
        starts_on=first,
        ends_on=after,
        amount=_amount(amount),
    )
    # The unique constraint decides between two admins adding the same budget at once.
    try:
        with transaction.atomic():
            budget.save()
    except IntegrityError:
        raise DomainError(ProcurementError.BUDGET_EXISTS) from None
    return budget


@transaction.atomic
def update_budget(*, user: User, company_id: int, budget_id: object, amount: int) -> Budget:
    """A new amount, refused (``budget_below_used``) below what is committed and spent."""
    budget = _admin_budget(user, company_id, budget_id, lock=False)
    amount = _amount(amount)
    changed = Budget.objects.filter(
        pk=budget.pk, committed__lte=amount + F("over_approved") - F("spent")
    ).update(amount=amount)
    if not changed:
        raise DomainError(ProcurementError.BUDGET_BELOW_USED)
    budget.refresh_from_db()
    return budget


@transaction.atomic
def delete_budget(*, user: User, company_id: int, budget_id: object) -> None:
    """Delete a budget nothing has charged (``budget_in_use`` otherwise).

    The row's lock makes a requisition charging it at the same moment wait, then fail on the
    missing budget, or makes this wait and find the charge."""
    budget = _admin_budget(user, company_id, budget_id, lock=True)
    if budget.charges.exists():
        raise DomainError(ProcurementError.BUDGET_IN_USE)
    try:
        with transaction.atomic():
            budget.delete()
    except (IntegrityError, ProtectedError):
        raise DomainError(ProcurementError.BUDGET_IN_USE) from None
