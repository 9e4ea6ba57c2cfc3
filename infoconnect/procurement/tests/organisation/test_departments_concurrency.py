"""True concurrency on PostgreSQL: the unique constraints decide a name taken by two at once,
and a move racing with creates under the moved subtree leaves every path right."""

import pytest
from django.db import connection

from infoconnect.core.testing import run_together
from infoconnect.procurement.actions import departments
from infoconnect.procurement.models import Department, ShipToAddress
from infoconnect.procurement.tests.organisation.conftest import SHIP_TO, make_department

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent writers")


def assert_paths_right(company) -> None:
    by_id = {d.pk: d for d in Department.objects.filter(company=company)}
    for department in by_id.values():
        parent = by_id.get(department.parent_id)
        expected = f"{parent.path if parent else '/'}{department.pk}/"
        assert department.path == expected, (department.name, department.path, expected)


def test_two_renames_to_one_name_at_once_leave_one(company, company_admin):
    ux = make_department(company, "UX")
    lab = make_department(company, "Lab")

    def rename(department):
        return lambda: departments.rename_department(
            user=company_admin, company_id=company.pk, department_id=department.pk, name="Design"
        )

    assert sorted(run_together(rename(ux), rename(lab))) == ["department_name_taken", "ok"]
    assert Department.objects.filter(name="Design").count() == 1


def test_two_creates_of_one_name_at_once_leave_one(company, company_admin):
    design = make_department(company, "Design")

    def create():
        departments.create_department(
            user=company_admin, company_id=company.pk, name="Studio", parent_id=design.pk
        )

    assert sorted(run_together(create, create, create)) == [
        "department_name_taken",
        "department_name_taken",
        "ok",
    ]
    assert Department.objects.filter(name="Studio").count() == 1
    assert_paths_right(company)


def test_creates_racing_a_move_of_their_subtree_get_the_new_paths(company, company_admin):
    design = make_department(company, "Design")
    ux = make_department(company, "UX", parent=design)
    operations = make_department(company, "Operations")

    def create(name):
        return lambda: departments.create_department(
            user=company_admin, company_id=company.pk, name=name, parent_id=ux.pk
        )

    def move():
        departments.move_department(
            user=company_admin,
            company_id=company.pk,
            department_id=design.pk,
            new_parent_id=operations.pk,
        )

    assert run_together(move, *(create(f"Team {n}") for n in range(4))) == ["ok"] * 5
    assert Department.objects.filter(parent=ux).count() == 4
    assert_paths_right(company)


def test_an_address_added_while_its_department_is_deleted_is_never_lost(company, company_admin):
    studio = make_department(company, "Studio")

    def delete():
        departments.delete_department(
            user=company_admin, company_id=company.pk, department_id=studio.pk
        )

    def add():
        departments.add_ship_to(
            user=company_admin, company_id=company.pk, department_id=studio.pk, **SHIP_TO
        )

    outcome = run_together(delete, add)
    # Either the address came first and the department stays, or the department went first.
    assert outcome in (["department_not_empty", "ok"], ["ok", "department_not_found"])
    assert Department.objects.filter(pk=studio.pk).exists() == ShipToAddress.objects.exists()
