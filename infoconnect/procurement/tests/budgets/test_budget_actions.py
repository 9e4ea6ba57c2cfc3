"""Budgets as the company admin sets them: the period's first day and the day after its last,
the amount checked against what is used, deletion only while nothing charged it, and who may
write (an admin over the department) and read (any role over it)."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.core.errors import DomainError
from infoconnect.procurement import budget_reads
from infoconnect.procurement.actions import budgets, departments
from infoconnect.procurement.models import Budget, Membership, Role
from infoconnect.procurement.tests.budgets.conftest import (
    charge,
    make_budget,
    make_department,
    remove,
    snapshot,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 8, 19)


def _create(user, company, department, *, period="month", starts_on=DAY, amount=2_000_000):
    return budgets.create_budget(
        user=user,
        company_id=company.pk,
        department_id=department.pk,
        period=period,
        starts_on=starts_on,
        amount=amount,
    )


def _refused(code: str, work) -> None:
    before = snapshot()
    with pytest.raises(DomainError) as refused:
        work()
    assert refused.value.code == code
    assert snapshot() == before


@pytest.mark.parametrize(
    ("period", "on", "starts", "ends"),
    [
        ("month", datetime.date(2026, 8, 19), datetime.date(2026, 8, 1), datetime.date(2026, 9, 1)),
        (
            "month",
            datetime.date(2026, 12, 31),
            datetime.date(2026, 12, 1),
            datetime.date(2027, 1, 1),
        ),
        (
            "quarter",
            datetime.date(2026, 8, 19),
            datetime.date(2026, 7, 1),
            datetime.date(2026, 10, 1),
        ),
        (
            "quarter",
            datetime.date(2026, 11, 2),
            datetime.date(2026, 10, 1),
            datetime.date(2027, 1, 1),
        ),
        (
            "quarter",
            datetime.date(2026, 1, 1),
            datetime.date(2026, 1, 1),
            datetime.date(2026, 4, 1),
        ),
        ("year", datetime.date(2026, 8, 19), datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)),
    ],
)
def test_a_budget_starts_on_its_periods_first_day(
    company, company_admin, design, period, on, starts, ends
):
    budget = _create(company_admin, company, design, period=period, starts_on=on)
    budget.refresh_from_db()
    assert (budget.starts_on, budget.ends_on) == (starts, ends)
    assert (budget.amount, budget.committed, budget.spent, budget.currency) == (
        2_000_000,
        0,
        0,
        "CNY",
    )


def test_an_admin_of_design_sets_budgets_in_its_subtree_only(company, member, design, ux, sales):
    design_admin = member(role=Role.ADMIN, department=design)
    assert _create(design_admin, company, ux).department == ux
    assert _create(design_admin, company, design).department == design
    _refused("role_required", lambda: _create(design_admin, company, sales))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.BUYER, Role.FINANCE, Role.APPROVER])
def test_only_an_admin_writes(company, company_admin, member, design, role):
    someone = member(role=role)
    budget = make_budget(design)
    _refused("role_required", lambda: _create(someone, company, design, starts_on=DAY))
    _refused(
        "role_required",
        lambda: budgets.update_budget(
            user=someone, company_id=company.pk, budget_id=budget.pk, amount=1
        ),
    )
    _refused(
        "role_required",
        lambda: budgets.delete_budget(user=someone, company_id=company.pk, budget_id=budget.pk),
    )


def test_another_company_or_a_removed_member_is_not_a_member(
    company, company_admin, other_member, member, design
):
    budget = make_budget(design)
    former = member(role=Role.ADMIN)
    remove(Membership.objects.get(user=former))
    for outsider in (other_member, former):
        _refused("not_a_member", lambda: _create(outsider, company, design))  # noqa: B023
        _refused(
            "not_a_member",
            lambda: budgets.update_budget(
                user=outsider,  # noqa: B023
                company_id=company.pk,
                budget_id=budget.pk,
                amount=5,
            ),
        )
        _refused(
            "not_a_member",
            lambda: budgets.delete_budget(
                user=outsider,  # noqa: B023
                company_id=company.pk,
                budget_id=budget.pk,
            ),
        )


def test_another_companys_department_or_budget_is_not_found(
    company, company_admin, other_company, other_member, design
):
    theirs = make_department(other_company, "Their design")
    their_budget = make_budget(theirs)
    _refused("department_not_found", lambda: _create(company_admin, company, theirs))
    _refused(
        "budget_not_found",
        lambda: budgets.update_budget(
            user=company_admin, company_id=company.pk, budget_id=their_budget.pk, amount=1
        ),
    )
    _refused(
        "budget_not_found",
        lambda: budgets.delete_budget(user=company_admin, company_id=company.pk, budget_id="x"),
    )


@pytest.mark.parametrize(
    ("period", "starts_on", "amount"),
    [
        ("week", DAY, 100),
        ("", DAY, 100),
        ("month", "2026-08-01", 100),
        ("month", None, 100),
        ("month", DAY, 0),
        ("month", DAY, -5),
        ("month", DAY, True),
        ("month", DAY, 12.5),
        ("month", DAY, "100"),
        ("month", DAY, 10**14 + 1),
    ],
)
def test_bad_input_writes_nothing(company, company_admin, design, period, starts_on, amount):
    _refused(
        "budget_invalid",
        lambda: _create(
            company_admin, company, design, period=period, starts_on=starts_on, amount=amount
        ),
    )


def test_one_budget_per_department_period_and_start(company, company_admin, design):
    _create(company_admin, company, design, starts_on=datetime.date(2026, 8, 1))
    # Any day of August is August.
    _refused("budget_exists", lambda: _create(company_admin, company, design, starts_on=DAY))
    # Another period of the same department is another budget.
    assert _create(company_admin, company, design, period="quarter").period == "quarter"
    assert Budget.objects.count() == 2


def test_the_amount_changes_down_to_what_is_used(company, company_admin, member, design):
    budget = make_budget(design, amount=1_000_000)
    charge(budget, member(role=Role.BUYER), committed=300_000, spent=200_000)

    def update(amount):
        return budgets.update_budget(
            user=company_admin, company_id=company.pk, budget_id=budget.pk, amount=amount
        )

    assert update(500_000).amount == 500_000
    assert update(500_000).remaining == 0
    _refused("budget_below_used", lambda: update(499_999))
    _refused("budget_invalid", lambda: update(0))
    # What an over-budget approval allowed counts as room beyond the amount.
    Budget.objects.filter(pk=budget.pk).update(over_approved=100_000)
    assert update(400_000).amount == 400_000
    _refused("budget_below_used", lambda: update(399_999))


def test_a_charged_budget_is_not_deleted(company, company_admin, member, design):
    budget = make_budget(design)
    charge(budget, member(role=Role.BUYER))
    _refused(
        "budget_in_use",
        lambda: budgets.delete_budget(
            user=company_admin, company_id=company.pk, budget_id=budget.pk
        ),
    )


def test_an_uncharged_budget_is_deleted(company, company_admin, design):
    budget = make_budget(design)
    budgets.delete_budget(user=company_admin, company_id=company.pk, budget_id=budget.pk)
    assert not Budget.objects.exists()


def test_members_read_the_budgets_their_roles_cover(
    company, company_admin, member, design, ux, sales
):
    design_budget = make_budget(design, amount=2_000_000, starts_on=DAY)
    ux_budget = make_budget(ux, amount=500_000, period="year", starts_on=DAY)
    sales_budget = make_budget(sales, starts_on=DAY)
    july = make_budget(design, starts_on=datetime.date(2026, 7, 1))
    everyone = [design_budget, ux_budget, sales_budget]

    def seen(user, on=DAY, **kwargs):
        membership = Membership.objects.get(company=company, user=user, ended_at=None)
        return budget_reads.budgets_for(membership=membership, on=on, **kwargs)

    assert seen(company_admin) == everyone
    assert seen(member(role=Role.FINANCE)) == everyone
    assert seen(member(role=Role.VIEWER)) == everyone
    assert seen(member(role=Role.BUYER, department=design)) == [design_budget, ux_budget]
    assert seen(member(role=Role.APPROVER, department=ux)) == [ux_budget]
    assert seen(member(role=None)) == []
    assert seen(company_admin, period="year") == [ux_budget]
    assert seen(company_admin, on=datetime.date(2026, 7, 31)) == [july, ux_budget]
    assert seen(company_admin, on=datetime.date(2027, 1, 1)) == []
    assert (design_budget.used, design_budget.remaining) == (0, 2_000_000)


def test_the_current_period_by_default(company, company_admin, design):
    current = make_budget(design)
    make_budget(design, starts_on=datetime.date(2020, 1, 1))
    membership = Membership.objects.get(company=company, user=company_admin)
    assert budget_reads.budgets_for(membership=membership) == [current]
    assert current.starts_on == timezone.localdate().replace(day=1)


def test_a_department_with_a_budget_is_not_deleted(company, company_admin, design):
    make_budget(design)
    _refused(
        "department_not_empty",
        lambda: departments.delete_department(
            user=company_admin, company_id=company.pk, department_id=design.pk
        ),
    )
