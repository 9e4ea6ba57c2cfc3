"""The demo company's organisation: two departments, a cost centre under Design, a ship-to
address each, made by the actions and not added again by a second seed."""

import pytest

from infoconnect.procurement.demo_organisation import seed_organisation
from infoconnect.procurement.models import Department, ShipToAddress
from infoconnect.procurement.selectors import tree_order

pytestmark = pytest.mark.django_db


def test_seed_twice_adds_nothing(company, company_admin):
    seed_organisation(company)
    first = (list(Department.objects.values()), list(ShipToAddress.objects.values()))
    seed_organisation(company)
    assert (list(Department.objects.values()), list(ShipToAddress.objects.values())) == first

    design = Department.objects.get(name="Design")
    studio = Department.objects.get(name="Studio")
    operations = Department.objects.get(name="Operations")
    assert [(d.name, d.kind, d.code, d.path) for d in tree_order(Department.objects.all())] == [
        ("Design", "department", "DES", f"/{design.pk}/"),
        ("Studio", "cost_centre", "DES-STU", f"/{design.pk}/{studio.pk}/"),
        ("Operations", "department", "OPS", f"/{operations.pk}/"),
    ]
    assert [(a.department.name, a.recipient_name) for a in ShipToAddress.objects.all()] == [
        ("Design", "Chen Jing"),
        ("Operations", "Zhao Lei"),
    ]


def test_seeding_needs_a_company_wide_admin(company):
    with pytest.raises(ValueError, match="needs a company-wide admin"):
        seed_organisation(company)
    assert not Department.objects.exists()
