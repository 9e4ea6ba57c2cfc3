"""The organisation's writes: departments and cost centres as a tree with materialized paths,
and their ship-to addresses; who may change what, and nothing half-written on a refusal."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import departments
from infoconnect.procurement.models import Company, Department, Role, ShipToAddress
from infoconnect.procurement.tests.organisation.conftest import (
    SHIP_TO,
    make_department,
    make_ship_to,
    remove,
    rows,
)

pytestmark = pytest.mark.django_db
COST_CENTRE = Department.Kind.COST_CENTRE


def refused(expected: str, write, /, **kwargs) -> DomainError:
    before = rows()
    with pytest.raises(DomainError) as caught:
        write(**kwargs)
    assert caught.value.code == expected, caught.value.as_dict()
    assert rows() == before
    return caught.value


def create(user, company, name, parent=None, **kwargs) -> Department:
    return departments.create_department(
        user=user,
        company_id=company.pk,
        name=name,
        parent_id=parent.pk if parent else None,
        **kwargs,
    )


@pytest.fixture
def design(company):
    return make_department(company, "Design", code="DES")


@pytest.fixture
def operations(company):
    return make_department(company, "Operations")


# --- create ---------------------------------------------------------------------------------


def test_a_company_admin_builds_the_tree_with_paths(company, company_admin):
    design = create(company_admin, company, "  Design  ", code=" DES ")
    studio = create(company_admin, company, "Studio", design, kind=COST_CENTRE)
    ux = create(company_admin, company, "UX", design)
    research = create(company_admin, company, "Research", ux)

    assert (design.name, design.code, design.path, design.parent_id) == (
        "Design",
        "DES",
        f"/{design.pk}/",
        None,
    )
    stored = {d.name: (d.path, d.parent_id, d.kind) for d in Department.objects.all()}
    assert stored == {
        "Design": (f"/{design.pk}/", None, "department"),
        "Studio": (f"/{design.pk}/{studio.pk}/", design.pk, "cost_centre"),
        "UX": (f"/{design.pk}/{ux.pk}/", design.pk, "department"),
        "Research": (f"/{design.pk}/{ux.pk}/{research.pk}/", ux.pk, "department"),
    }
    assert research.depth == 2


def test_a_name_is_unique_among_siblings_only(company, company_admin, design, other_company):
    error = refused(
        "department_name_taken",
        departments.create_department,
        user=company_admin,
        company_id=company.pk,
        name=" Design ",
    )
    assert (error.status, error.message) == (
        409,
        "A department with this name already exists there.",
    )
    ops = create(company_admin, company, "Operations")
    create(company_admin, company, "Studio", design)
    refused(
        "department_name_taken",
        departments.create_department,
        user=company_admin,
        company_id=company.pk,
        name="Studio",
        parent_id=design.pk,
    )
    # The same name under another parent, or in another company, is another department.
    create(company_admin, company, "Studio", ops)
    make_department(other_company, "Design")
    assert Department.objects.filter(name="Studio").count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"name": "x" * 101}, "name", "Ensure this value has at most 100 characters (it has 101)."),
        ({"name": "Design", "kind": "team"}, "kind", "Value 'team' is not a valid choice."),
        (
            {"name": "Design", "code": "C" * 31},
            "code",
            "Ensure this value has at most 30 characters (it has 31).",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(company, company_admin, fields, field, message):
    error = refused(
        "validation_error",
        departments.create_department,
        user=company_admin,
        company_id=company.pk,
        **fields,
    )
    assert error.status == 422
    assert error.fields[field] == [message]


def test_a_cost_centre_holds_nothing(company, company_admin, design):
    studio = create(company_admin, company, "Studio", design, kind=COST_CENTRE)
    error = refused(
        "validation_error",
        departments.create_department,
        user=company_admin,
        company_id=company.pk,
        name="Booth",
        parent_id=studio.pk,
        kind=COST_CENTRE,
    )
    assert error.fields == {"parent_id": ["A cost centre holds nothing; choose a department."]}


def test_the_parent_must_be_this_companys(company, company_admin, other_company):
    theirs = make_department(other_company, "Sales")
    for parent_id in (theirs.pk, 10**9, 0, "x"):
        refused(
            "department_not_found",
            departments.create_department,
            user=company_admin,
            company_id=company.pk,
            name="Sales",
            parent_id=parent_id,
        )


def test_a_path_that_would_not_fit_is_refused(company, company_admin, design):
    deep = make_department(company, "Deep", parent=design)
    Department.objects.filter(pk=deep.pk).update(path="/" + "9/" * 127)
    error = refused(
        "validation_error",
        departments.create_department,
        user=company_admin,
        company_id=company.pk,
        name="Too deep",
        parent_id=deep.pk,
    )
    assert error.fields == {"parent_id": ["The tree is too deep there."]}


def test_a_department_admin_organises_only_their_subtree(company, member, design, operations):
    ux = make_department(company, "UX", parent=design)
    admin = member(role=Role.ADMIN, department=design)
    research = create(admin, company, "Research", ux)
    assert research.path == f"{ux.path}{research.pk}/"
    for parent_id in (operations.pk, None):
        refused(
            "role_required",
            departments.create_department,
            user=admin,
            company_id=company.pk,
            name="Elsewhere",
            parent_id=parent_id,
        )


def test_a_suspended_companys_admin_still_organises(company, company_admin):
    Company.objects.filter(pk=company.pk).update(status=Company.Status.SUSPENDED)
    assert create(company_admin, company, "Design").path.startswith("/")


# --- who may not, for every write -------------------------------------------------------------


@pytest.fixture
def tree(company, design, operations):
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    address = make_ship_to(design)
    return {"design": design, "operations": operations, "studio": studio, "address": address}


WRITES = {
    "create": lambda t: (
        departments.create_department,
        {"name": "New", "parent_id": t["design"].pk},
    ),
    "rename": lambda t: (
        departments.rename_department,
        {"department_id": t["studio"].pk, "name": "Booth"},
    ),
    "move": lambda t: (
        departments.move_department,
        {"department_id": t["studio"].pk, "new_parent_id": t["operations"].pk},
    ),
    "update": lambda t: (
        departments.update_department,
        {"department_id": t["studio"].pk, "name": "Booth"},
    ),
    "delete": lambda t: (departments.delete_department, {"department_id": t["studio"].pk}),
    "add_ship_to": lambda t: (
        departments.add_ship_to,
        {"department_id": t["design"].pk, **SHIP_TO},
    ),
    "update_ship_to": lambda t: (
        departments.update_ship_to,
        {"department_id": t["design"].pk, "address_id": t["address"].pk, "city": "Suzhou"},
    ),
    "delete_ship_to": lambda t: (
        departments.delete_ship_to,
        {"department_id": t["design"].pk, "address_id": t["address"].pk},
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_who_may_not_change_the_organisation(
    write, company, tree, member, company_admin, other_company, other_member, make_user
):
    action, kwargs = WRITES[write](tree)
    removed_admin = member(role=Role.ADMIN)
    remove(removed_admin.company_memberships.get())
    who = {
        "not_a_member": [other_member, make_user("stranger"), removed_admin],
        "role_required": [
            member(role=Role.VIEWER),
            member(role=Role.BUYER),
            member(role=Role.FINANCE),
            member(role=Role.APPROVER, department=tree["design"]),
            member(role=Role.ADMIN, department=tree["operations"]),
        ],
    }
    for code, users in who.items():
        for user in users:
            refused(code, action, user=user, company_id=company.pk, **kwargs)
    # Another company's admin cannot reach these rows through their own company either.
    refused(
        "department_not_found", action, user=other_member, company_id=other_company.pk, **kwargs
    )
    # ... and the company's own admin may.
    action(user=company_admin, company_id=company.pk, **kwargs)


# --- rename ---------------------------------------------------------------------------------


def test_rename_and_recode(company, company_admin, design):
    renamed = departments.rename_department(
        user=company_admin,
        company_id=company.pk,
        department_id=design.pk,
        name=" Studio Design ",
        code="SD",
    )
    design.refresh_from_db()
    assert (renamed.name, design.name, design.code, design.path) == (
        "Studio Design",
        "Studio Design",
        "SD",
        f"/{design.pk}/",
    )
    # No code given: the code stays.
    departments.rename_department(
        user=company_admin, company_id=company.pk, department_id=design.pk, name="Design"
    )
    design.refresh_from_db()
    assert (design.name, design.code) == ("Design", "SD")


def test_rename_refuses_a_taken_or_blank_name(company, company_admin, design, operations):
    kwargs = {"user": company_admin, "company_id": company.pk, "department_id": operations.pk}
    refused("department_name_taken", departments.rename_department, name="Design", **kwargs)
    error = refused("validation_error", departments.rename_department, name="", **kwargs)
    assert error.fields == {"name": ["This field cannot be blank."]}


def test_a_department_admin_renames_inside_their_subtree(company, member, design, operations):
    ux = make_department(company, "UX", parent=design)
    admin = member(role=Role.ADMIN, department=design)
    departments.rename_department(
        user=admin, company_id=company.pk, department_id=ux.pk, name="UX Lab"
    )
    assert Department.objects.get(pk=ux.pk).name == "UX Lab"
    refused(
        "role_required",
        departments.rename_department,
        user=admin,
        company_id=company.pk,
        department_id=operations.pk,
        name="Ops",
    )


# --- move -----------------------------------------------------------------------------------


def test_moving_a_subtree_rewrites_every_descendants_path(
    company, company_admin, design, operations
):
    ux = make_department(company, "UX", parent=design)
    research = make_department(company, "Research", parent=ux)
    lab = make_department(company, "Lab", parent=research, kind=COST_CENTRE)
    booth = make_department(company, "Booth", parent=ux, kind=COST_CENTRE)
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    # A sibling whose id starts with the moved one's digits is not in its subtree.
    untouched = {d.pk: d.path for d in (design, operations, studio)}

    moved = departments.move_department(
        user=company_admin, company_id=company.pk, department_id=ux.pk, new_parent_id=operations.pk
    )

    o, u, r = operations.pk, ux.pk, research.pk
    assert moved.path == f"/{o}/{u}/"
    assert {
        d.pk: (d.path, d.parent_id) for d in Department.objects.filter(path__startswith=f"/{o}/")
    } == {
        operations.pk: (f"/{o}/", None),
        ux.pk: (f"/{o}/{u}/", operations.pk),
        research.pk: (f"/{o}/{u}/{r}/", ux.pk),
        lab.pk: (f"/{o}/{u}/{r}/{lab.pk}/", research.pk),
        booth.pk: (f"/{o}/{u}/{booth.pk}/", ux.pk),
    }
    assert {d.pk: d.path for d in Department.objects.filter(pk__in=untouched)} == untouched

    # And back to the top level.
    departments.move_department(
        user=company_admin, company_id=company.pk, department_id=ux.pk, new_parent_id=None
    )
    assert Department.objects.get(pk=lab.pk).path == f"/{u}/{r}/{lab.pk}/"
    assert Department.objects.get(pk=ux.pk).parent_id is None


def test_a_move_into_its_own_subtree_is_refused(company, company_admin, design):
    ux = make_department(company, "UX", parent=design)
    research = make_department(company, "Research", parent=ux)
    for target in (design, ux, research):
        error = refused(
            "validation_error",
            departments.move_department,
            user=company_admin,
            company_id=company.pk,
            department_id=design.pk,
            new_parent_id=target.pk,
        )
        assert error.fields == {
            "parent_id": ["A department cannot move under itself or into its own subtree."]
        }


def test_a_move_under_a_cost_centre_or_onto_a_taken_name_is_refused(
    company, company_admin, design, operations
):
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    make_department(company, "Studio", parent=operations)
    kwargs = {"user": company_admin, "company_id": company.pk}
    refused(
        "validation_error",
        departments.move_department,
        department_id=operations.pk,
        new_parent_id=studio.pk,
        **kwargs,
    )
    refused(
        "department_name_taken",
        departments.move_department,
        department_id=studio.pk,
        new_parent_id=operations.pk,
        **kwargs,
    )
    # A move to where it already is changes nothing.
    before = rows()
    departments.move_department(department_id=studio.pk, new_parent_id=design.pk, **kwargs)
    assert rows() == before


def test_a_move_that_would_not_fit_is_refused(company, company_admin, design, operations):
    make_department(company, "UX", parent=design)
    deep = make_department(company, "Deep", parent=operations)
    # Under Deep, Design's own path would be exactly 255 characters; its child's would not fit.
    filler = 255 - len(f"/{operations.pk}/{design.pk}/")
    deep_path = (
        f"/{operations.pk}/" + ("99/" if filler % 2 else "") + "9/" * (filler // 2 - filler % 2)
    )
    Department.objects.filter(pk=deep.pk).update(path=deep_path)
    assert len(deep_path + f"{design.pk}/") == 255
    refused(
        "validation_error",
        departments.move_department,
        user=company_admin,
        company_id=company.pk,
        department_id=design.pk,
        new_parent_id=deep.pk,
    )


def test_a_department_admin_moves_only_inside_their_subtree(company, member, design, operations):
    ux = make_department(company, "UX", parent=design)
    lab = make_department(company, "Lab", parent=design)
    admin = member(role=Role.ADMIN, department=design)
    kwargs = {"user": admin, "company_id": company.pk}
    departments.move_department(department_id=lab.pk, new_parent_id=ux.pk, **kwargs)
    assert Department.objects.get(pk=lab.pk).path == f"{ux.path}{lab.pk}/"
    for target in (operations.pk, None):
        refused(
            "role_required",
            departments.move_department,
            department_id=lab.pk,
            new_parent_id=target,
            **kwargs,
        )


def test_update_renames_and_moves_all_or_nothing(company, company_admin, design, operations):
    ux = make_department(company, "UX", parent=design)
    make_department(company, "Research", parent=operations)
    kwargs = {"user": company_admin, "company_id": company.pk, "department_id": ux.pk}
    # The move would succeed, the name is taken where it goes: neither happens.
    refused(
        "department_name_taken",
        departments.update_department,
        name="Research",
        new_parent_id=operations.pk,
        **kwargs,
    )
    updated = departments.update_department(
        name="Research Lab", new_parent_id=operations.pk, **kwargs
    )
    assert (updated.name, updated.path, updated.parent_id) == (
        "Research Lab",
        f"{operations.path}{ux.pk}/",
        operations.pk,
    )
    same = departments.update_department(**kwargs)
    assert (same.name, same.path) == ("Research Lab", updated.path)


# --- delete ---------------------------------------------------------------------------------


def test_delete_an_empty_department(company, company_admin, design):
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    departments.delete_department(
        user=company_admin, company_id=company.pk, department_id=studio.pk
    )
    assert list(Department.objects.values_list("name", flat=True)) == ["Design"]


def test_a_department_that_holds_anything_is_not_deleted(
    company, company_admin, member, design, operations
):
    make_department(company, "Studio", parent=design)
    make_ship_to(operations)
    legal = make_department(company, "Legal")
    member(role=Role.APPROVER, department=legal)
    for department in (design, operations, legal):
        error = refused(
            "department_not_empty",
            departments.delete_department,
            user=company_admin,
            company_id=company.pk,
            department_id=department.pk,
        )
        assert (error.status, error.message) == (
            409,
            "Move or delete what is under this department first.",
        )


# --- ship-to addresses ----------------------------------------------------------------------


def test_add_update_and_delete_a_ship_to_address(company, company_admin, design):
    address = departments.add_ship_to(
        user=company_admin,
        company_id=company.pk,
        department_id=design.pk,
        **{**SHIP_TO, "province": " sh ", "street": "  1200 Caoxi North Road "},
    )
    stored = ShipToAddress.objects.get()
    assert (stored.department_id, stored.province, stored.street, stored.label) == (
        design.pk,
        "SH",
        "1200 Caoxi North Road",
        "Front desk",
    )
    assert address.one_line == "Shanghai Shanghai Xuhui 1200 Caoxi North Road"

    departments.update_ship_to(
        user=company_admin,
        company_id=company.pk,
        department_id=design.pk,
        address_id=address.pk,
        city="Suzhou",
        province="js",
        label="",
    )
    stored.refresh_from_db()
    assert (stored.city, stored.province, stored.label, stored.recipient_name) == (
        "Suzhou",
        "JS",
        "",
        "Wang Fang",
    )
    departments.delete_ship_to(
        user=company_admin, company_id=company.pk, department_id=design.pk, address_id=address.pk
    )
    assert not ShipToAddress.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile": "1391234"}, "mobile", "Enter an 11-digit mobile number."),
        ({"province": "XX"}, "province", "Value 'XX' is not a valid choice."),
        ({"recipient_name": " "}, "recipient_name", "This field cannot be blank."),
        (
            {"street": "x" * 201},
            "street",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
        ({"label": "x" * 61}, "label", "Ensure this value has at most 60 characters (it has 61)."),
    ],
)
def test_a_bad_ship_to_address_is_a_422(company, company_admin, design, changes, field, message):
    kwargs = {"user": company_admin, "company_id": company.pk, "department_id": design.pk}
    error = refused("validation_error", departments.add_ship_to, **kwargs, **{**SHIP_TO, **changes})
    assert error.fields[field] == [message]
    address = make_ship_to(design)
    error = refused(
        "validation_error", departments.update_ship_to, address_id=address.pk, **kwargs, **changes
    )
    assert error.fields[field] == [message]


def test_a_ship_to_address_is_found_only_under_its_department(
    company, company_admin, design, operations, other_company
):
    address = make_ship_to(design)
    theirs = make_ship_to(make_department(other_company, "Design"))
    kwargs = {"user": company_admin, "company_id": company.pk}
    for department, address_id in ((operations, address.pk), (design, theirs.pk), (design, 10**9)):
        for write in (departments.update_ship_to, departments.delete_ship_to):
            refused(
                "ship_to_not_found",
                write,
                department_id=department.pk,
                address_id=address_id,
                **kwargs,
            )


def test_a_department_admin_keeps_the_addresses_of_their_subtree(
    company, member, design, operations
):
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    admin = member(role=Role.ADMIN, department=design)
    address = departments.add_ship_to(
        user=admin, company_id=company.pk, department_id=studio.pk, **SHIP_TO
    )
    assert address.department_id == studio.pk
    refused(
        "role_required",
        departments.add_ship_to,
        user=admin,
        company_id=company.pk,
        department_id=operations.pk,
        **SHIP_TO,
    )
