"""Budget, delegation and settings fixtures: the organisation's company fixtures, a Design
department with UX under it and Sales beside it, and ``snapshot()`` of every row these
writes can touch."""

import pytest
from django.utils import timezone

from infoconnect.procurement.budget_reads import period_bounds
from infoconnect.procurement.models import Budget, BudgetCharge, Company, Delegation, Requisition
from infoconnect.procurement.tests.organisation.conftest import (  # noqa: F401
    company,
    company_admin,
    join,
    make_department,
    member,
    other_company,
    other_member,
    remove,
)


def snapshot() -> list:
    return [
        list(Budget.objects.order_by("pk").values()),
        list(Delegation.objects.order_by("pk").values()),
        list(Company.objects.order_by("pk").values("pk", "hold_days", "po_required", "po_unique")),
    ]


def make_budget(department, *, amount=2_000_000, period="month", starts_on=None, **fields):
    first, after = period_bounds(period, starts_on or timezone.localdate())
    return Budget.objects.create(
        company=department.company,
        department=department,
        period=period,
        starts_on=first,
        ends_on=after,
        amount=amount,
        **fields,
    )


def charge(budget, requester, *, committed=0, spent=0):
    """A requisition's charge on ``budget`` (the budget's sums updated as the holds do)."""
    membership = join(budget.company, requester)
    requisition = Requisition.objects.create(
        company=budget.company, requester=requester, membership=membership
    )
    Budget.objects.filter(pk=budget.pk).update(committed=committed, spent=spent)
    return BudgetCharge.objects.create(
        budget=budget, requisition=requisition, committed=committed, spent=spent
    )


@pytest.fixture
def design(company):  # noqa: F811
    return make_department(company, "Design")


@pytest.fixture
def ux(design):
    return make_department(design.company, "UX", parent=design)


@pytest.fixture
def sales(company):  # noqa: F811
    return make_department(company, "Sales")
