"""Budget rows for the dashboard's tests, made with the ORM for the current Shanghai month."""

from __future__ import annotations

from infoconnect.procurement.dashboard_reads import today
from infoconnect.procurement.demo_purchasing import month_bounds
from infoconnect.procurement.models import Budget, Department


def month_budget(department: Department, amount: int) -> Budget:
    starts_on, ends_on = month_bounds(today())
    return Budget.objects.create(
        company_id=department.company_id,
        department=department,
        period=Budget.Period.MONTH,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=amount,
    )
