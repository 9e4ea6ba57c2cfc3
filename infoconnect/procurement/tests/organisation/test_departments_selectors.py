"""Reading the organisation: the tree in order with its counts, a department of this company
only, and where an admin may change it (the same answer as ``holds_role``)."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement import selectors
from infoconnect.procurement.models import Department, Role
from infoconnect.procurement.tests.organisation.conftest import make_department, make_ship_to

pytestmark = pytest.mark.django_db
COST_CENTRE = Department.Kind.COST_CENTRE


def membership_of(user, company):
    return selectors.require_member(user=user, company_id=company.pk)


@pytest.fixture
def tree(company):
    design = make_department(company, "Design")
    ux = make_department(company, "UX", parent=design)
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    research = make_department(company, "Research", parent=ux)
    operations = make_department(company, "Operations")
    make_ship_to(design)
    make_ship_to(design, label="Loading bay")
    make_ship_to(studio)
    return {d.name: d for d in (design, ux, studio, research, operations)}


def test_the_tree_is_depth_first_with_depth_and_counts(company, company_admin, tree):
    rows = selectors.department_tree(
        membership=membership_of(company_admin, company), with_addresses=True
    )
    assert [
        (
            d.name,
            d.depth,
            d.children_count,
            d.ship_to_count,
            [a.label for a in d.ship_to_addresses.all()],
        )
        for d in rows
    ] == [
        ("Design", 0, 2, 2, ["Front desk", "Loading bay"]),
        ("UX", 1, 1, 0, []),
        ("Research", 2, 0, 0, []),
        ("Studio", 1, 0, 1, ["Front desk"]),
        ("Operations", 0, 0, 0, []),
    ]


def test_siblings_keep_the_order_they_were_made_in_past_ten(company, company_admin):
    # Paths compared as strings would put "/10/" before "/2/".
    names = [f"Team {n}" for n in range(1, 13)]
    for name in names:
        make_department(company, name)
    rows = selectors.department_tree(membership=membership_of(company_admin, company))
    assert [d.name for d in rows] == names


def test_a_member_reads_only_their_companys_departments(company, member, tree, other_company):
    theirs = make_department(other_company, "Sales")
    viewer = membership_of(member(role=Role.VIEWER), company)
    assert [d.name for d in selectors.department_tree(membership=viewer)] == [
        "Design",
        "UX",
        "Research",
        "Studio",
        "Operations",
    ]
    assert selectors.department_for(membership=viewer, department_id=tree["UX"].pk) == tree["UX"]
    for department_id in (theirs.pk, str(theirs.pk), 0, None, "UX", 2**64):
        with pytest.raises(DomainError) as caught:
            selectors.department_for(membership=viewer, department_id=department_id)
        assert caught.value.code == "department_not_found"


def test_the_admin_scope_answers_as_holds_role_does(company, company_admin, member, tree):
    people = [
        company_admin,
        member(role=Role.ADMIN, department=tree["UX"]),
        member(role=Role.ADMIN, department=tree["Studio"]),
        member(role=Role.VIEWER),
        member(role=Role.BUYER, department=tree["Design"]),
    ]
    for person in people:
        membership = membership_of(person, company)
        scope = selectors.admin_scope(membership)
        for department in [None, *Department.objects.all()]:
            assert scope.covers(department) == selectors.holds_role(
                membership, Role.ADMIN, department
            ), (person.username, department)


def test_where_a_department_may_move(company, company_admin, member, tree):
    admin = selectors.organisation(membership=membership_of(company_admin, company))
    targets = {d.name: [t.name for t in d.move_targets] for d in admin.departments}
    assert targets == {
        "Design": ["Operations"],
        "UX": ["Operations"],
        "Research": ["Design", "Operations"],
        "Studio": ["UX", "Research", "Operations"],
        "Operations": ["Design", "UX", "Research"],
    }
    assert admin.can_add_top_level
    assert [d.can_move_to_top_level for d in admin.departments] == [False, True, True, True, False]

    ux_admin = selectors.organisation(
        membership=membership_of(member(role=Role.ADMIN, department=tree["UX"]), company)
    )
    assert not ux_admin.can_add_top_level
    assert {
        d.name: (d.manageable, [t.name for t in d.move_targets]) for d in ux_admin.departments
    } == {
        "Design": (False, []),
        "UX": (True, []),
        "Research": (True, []),
        "Studio": (False, []),
        "Operations": (False, []),
    }
    viewer = selectors.organisation(membership=membership_of(member(), company))
    assert not viewer.can_manage
    assert not any(d.manageable for d in viewer.departments)
