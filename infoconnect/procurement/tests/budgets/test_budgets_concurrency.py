"""True concurrency on PostgreSQL: two admins adding the same department's budget for one
period at once get one budget and one ``budget_exists``; an amount lowered while a
requisition commits more never breaks the budget's invariant."""

import datetime

import pytest
from django.db import connection
from django.db.models import F

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import budgets, departments
from infoconnect.procurement.errors import ProcurementError
from infoconnect.procurement.models import Budget, Role
from infoconnect.procurement.tests.budgets.conftest import join
from infoconnect.procurement.tests.organisation.test_departments_concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def test_two_creates_at_once_leave_one(company, company_admin, design, make_user):
    deputy = make_user("deputy")
    join(company, deputy, role=Role.ADMIN)

    def create(user, day, amount):
        return lambda: budgets.create_budget(
            user=user,
            company_id=company.pk,
            department_id=design.pk,
            period="month",
            starts_on=day,
            amount=amount,
        )

    results = run_together(
        create(company_admin, datetime.date(2026, 8, 3), 100_000),
        create(deputy, datetime.date(2026, 8, 27), 200_000),
    )
    assert sorted(results) == ["budget_exists", "ok"]
    budget = Budget.objects.get()
    assert budget.starts_on == datetime.date(2026, 8, 1)
    assert budget.amount == (100_000 if results[0] == "ok" else 200_000)


def test_lowering_the_amount_races_a_commitment(company, company_admin, design):
    budget = Budget.objects.create(
        company=company,
        department=design,
        period="month",
        starts_on=datetime.date(2026, 8, 1),
        ends_on=datetime.date(2026, 9, 1),
        amount=1_000_000,
    )

    def commit():
        # As the holds commit: a conditional UPDATE that keeps the invariant.
        if not Budget.objects.filter(
            pk=budget.pk, committed__lte=F("amount") + F("over_approved") - F("spent") - 800_000
        ).update(committed=F("committed") + 800_000):
            raise DomainError(ProcurementError.OVER_BUDGET)

    def lower():
        budgets.update_budget(
            user=company_admin, company_id=company.pk, budget_id=budget.pk, amount=500_000
        )

    results = run_together(commit, lower)
    budget.refresh_from_db()
    assert budget.committed <= budget.amount
    # One of them goes first, and the other is refused.
    assert results in (["ok", "budget_below_used"], ["over_budget", "ok"])
    assert (budget.committed, budget.amount) in ((800_000, 1_000_000), (0, 500_000))


def test_a_budget_added_while_its_department_is_deleted(company, company_admin, design):
    results = run_together(
        lambda: budgets.create_budget(
            user=company_admin,
            company_id=company.pk,
            department_id=design.pk,
            period="year",
            starts_on=datetime.date(2026, 8, 3),
            amount=100,
        ),
        lambda: departments.delete_department(
            user=company_admin, company_id=company.pk, department_id=design.pk
        ),
    )
    assert results in (["ok", "department_not_empty"], ["department_not_found", "ok"])
    assert Budget.objects.count() == (1 if results[0] == "ok" else 0)
