"""What requisitions hold of their department's budgets: committed at approval, spent when
the orders are placed, released by a cancel, an expiry or a refund.

The budgets that apply to a requisition are its department's whose period includes the day it
is approved (a month's and a year's may both apply). Each movement locks those budget rows in
id order, writes the budget and the requisition's BudgetCharge in the same transaction, and
the database's check (procurement_budget_within) refuses anything beyond the budget that an
over-budget approval did not allow: a budget's committed and spent are always the sums of its
charges.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connection
from django.db.models import F
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Budget, BudgetCharge, Requisition, RequisitionOrder


def local_day(now: datetime) -> date:
    return timezone.localdate(now)


_BUDGETS_SQL = (
    "SELECT id, department_id, amount, committed, spent, over_approved FROM procurement_budget"
    " WHERE department_id = %s AND starts_on <= %s AND ends_on > %s ORDER BY id"
)
_BUDGET_FIELDS = ["id", "department_id", "amount", "committed", "spent", "over_approved"]


def applicable_budgets(*, department_id: int | None, on: date, lock: bool = False) -> list[Budget]:
    """The department's budgets whose period holds ``on``, in id order (locked with
    ``lock``), with what ``remaining`` reads (every submit and approval asks)."""
    if department_id is None:
        return []
    sql = _BUDGETS_SQL
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    day = connection.ops.adapt_datefield_value(on)
    with connection.cursor() as cursor:
        cursor.execute(sql, [department_id, day, day])
        rows = cursor.fetchall()
    return [Budget.from_db(connection.alias, _BUDGET_FIELDS, row) for row in rows]


def would_exceed(*, department_id: int | None, amount: int, now: datetime) -> bool:
    """Whether ``amount`` is more than what some applicable budget has left."""
    return any(
        budget.remaining < amount
        for budget in applicable_budgets(department_id=department_id, on=local_day(now))
    )


# Commits to the requisition's charge of a budget, made on its first commitment (one statement
# either way: a commit runs on every last approval).
_CHARGE_SQL = """
INSERT INTO procurement_budgetcharge (budget_id, requisition_id, committed, spent, over)
VALUES (%s, %s, %s, 0, %s)
ON CONFLICT (budget_id, requisition_id) DO UPDATE
SET committed = procurement_budgetcharge.committed + excluded.committed,
    over = procurement_budgetcharge.over + excluded.over
RETURNING id, committed
"""


def commit(*, requisition: Requisition, now: datetime, over_allowed: bool) -> list[BudgetCharge]:
    """Commit the requisition's total to each applicable budget. Beyond what a budget has
    left, only with ``over_allowed`` (an over-budget level approved it): the excess is
    recorded on the budget and the charge. Otherwise ``over_budget``, and nothing moved."""
    amount = requisition.total
    budgets = applicable_budgets(
        department_id=requisition.department_id, on=local_day(now), lock=True
    )
    excess = {budget.pk: max(0, amount - budget.remaining) for budget in budgets}
    # Every budget is asked before any is written, so a refusal leaves nothing to undo.
    if not over_allowed and any(excess.values()):
        raise DomainError(ProcurementError.OVER_BUDGET)
    charges = []
    with connection.cursor() as cursor:
        for budget in budgets:
            over = excess[budget.pk]
            Budget.objects.filter(pk=budget.pk).update(
                committed=F("committed") + amount, over_approved=F("over_approved") + over
            )
            cursor.execute(_CHARGE_SQL, [budget.pk, requisition.pk, amount, over])
            charge_id, committed = cursor.fetchone()
            charges.append(
                BudgetCharge(
                    pk=charge_id, budget=budget, requisition=requisition, committed=committed
                )
            )
    return charges


def _locked_charges(requisition_id: int) -> list[BudgetCharge]:
    # Each charge with its budget, locked in budget id order as every movement takes them.
    return list(
        BudgetCharge.objects.select_related("budget")
        .select_for_update()
        .filter(requisition_id=requisition_id)
        .order_by("budget_id")
    )


def spend(*, requisition_id: int, amount: int, charges: list[BudgetCharge] | None = None) -> None:
    """The orders are placed for ``amount`` (at most what was committed: a price that
    dropped releases the difference): committed becomes spent. ``charges``: what ``commit``
    returned in this same transaction (its budgets still locked), else they are read."""
    if charges is None:
        charges = _locked_charges(requisition_id)
    for charge in charges:
        spent = min(amount, charge.committed)
        Budget.objects.filter(pk=charge.budget_id).update(
            committed=F("committed") - charge.committed, spent=F("spent") + spent
        )
        BudgetCharge.objects.filter(pk=charge.pk).update(committed=0, spent=F("spent") + spent)


def release_commitment(*, requisition_id: int) -> None:
    """An approved requisition that will not be ordered (cancelled, expired) gives its
    commitment back."""
    for charge in _locked_charges(requisition_id):
        if charge.committed:
            Budget.objects.filter(pk=charge.budget_id).update(
                committed=F("committed") - charge.committed
            )
            BudgetCharge.objects.filter(pk=charge.pk).update(committed=0)


def release_spent(*, requisition_id: int, amount: int) -> None:
    """Money came back from an order (a cancel or a refund): its share of spent is released."""
    for charge in _locked_charges(requisition_id):
        back = min(amount, charge.spent)
        if back:
            Budget.objects.filter(pk=charge.budget_id).update(spent=F("spent") - back)
            BudgetCharge.objects.filter(pk=charge.pk).update(spent=F("spent") - back)


def release_for_order(*, order_id: int, amount: int) -> int:
    """An order a requisition placed gave ``amount`` back (a cancel or a refund): that much
    of what it spent is released, at most once over the order's total. Returns the fen
    released."""
    link = RequisitionOrder.objects.select_for_update().filter(order_id=order_id).first()
    if link is None:
        return 0
    back = min(amount, link.total - link.released)
    if back <= 0:
        return 0
    RequisitionOrder.objects.filter(pk=link.pk).update(released=F("released") + back)
    release_spent(requisition_id=link.requisition_id, amount=back)
    return back
