"""The organisation's API: the tree as a flat list in tree order, create, rename and/or move,
delete, and ship-to addresses; 404 not_a_member, 403 role_required, 422 with fields."""

import pytest

from infoconnect.procurement.models import Department, Role, ShipToAddress
from infoconnect.procurement.tests.organisation.conftest import (
    SHIP_TO,
    make_department,
    make_ship_to,
    remove,
    rows,
)

pytestmark = pytest.mark.django_db
COST_CENTRE = Department.Kind.COST_CENTRE


def departments_url(company, department=None, *rest) -> str:
    url = f"/api/v1/companies/{company.pk}/departments"
    if department is not None:
        url += f"/{department.pk if hasattr(department, 'pk') else department}"
    return "/".join([url, *map(str, rest)])


def ship_to_url(company, department, address=None) -> str:
    url = departments_url(company, department, "ship_to")
    return f"{url}/{address.pk}" if address is not None else url


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()


@pytest.fixture
def tree(company):
    design = make_department(company, "Design", code="DES")
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    operations = make_department(company, "Operations")
    address = make_ship_to(studio)
    return {"design": design, "studio": studio, "operations": operations, "address": address}


def test_every_member_reads_the_tree_as_a_flat_list(company, member, tree, api_client):
    response = api_client(member(role=Role.BUYER)).get(departments_url(company))
    assert response.status_code == 200
    design, studio, operations = tree["design"], tree["studio"], tree["operations"]
    assert response.json() == [
        {
            "id": design.pk,
            "parent_id": None,
            "name": "Design",
            "kind": "department",
            "code": "DES",
            "path": f"/{design.pk}/",
            "depth": 0,
            "children_count": 1,
            "ship_to_count": 0,
        },
        {
            "id": studio.pk,
            "parent_id": design.pk,
            "name": "Studio",
            "kind": "cost_centre",
            "code": "",
            "path": f"/{design.pk}/{studio.pk}/",
            "depth": 1,
            "children_count": 0,
            "ship_to_count": 1,
        },
        {
            "id": operations.pk,
            "parent_id": None,
            "name": "Operations",
            "kind": "department",
            "code": "",
            "path": f"/{operations.pk}/",
            "depth": 0,
            "children_count": 0,
            "ship_to_count": 0,
        },
    ]
    addresses = api_client(member()).get(ship_to_url(company, studio)).json()
    assert addresses == [{"id": tree["address"].pk, "department_id": studio.pk, **SHIP_TO}]


def test_create_rename_move_delete(company, company_admin, tree, api_client):
    client = api_client(company_admin)
    design, operations = tree["design"], tree["operations"]
    response = client.post(
        departments_url(company),
        {"name": "UX", "parent_id": design.pk, "code": "UX1"},
        content_type="application/json",
    )
    assert response.status_code == 201
    ux = response.json()
    assert (ux["path"], ux["depth"], ux["kind"], ux["parent_id"]) == (
        f"/{design.pk}/{ux['id']}/",
        1,
        "department",
        design.pk,
    )
    child = client.post(
        departments_url(company),
        {"name": "Booth", "parent_id": ux["id"], "kind": "cost_centre"},
        content_type="application/json",
    ).json()

    # Rename and move in one PATCH; the child's path follows.
    response = client.patch(
        departments_url(company, ux["id"]),
        {"name": "UX Lab", "parent_id": operations.pk},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("name", "code", "path", "children_count")} == {
        "name": "UX Lab",
        "code": "UX1",
        "path": f"/{operations.pk}/{ux['id']}/",
        "children_count": 1,
    }
    assert (
        Department.objects.get(pk=child["id"]).path == f"/{operations.pk}/{ux['id']}/{child['id']}/"
    )
    # Only the code: the place stays.
    response = client.patch(
        departments_url(company, ux["id"]), {"code": ""}, content_type="application/json"
    )
    assert (response.json()["code"], response.json()["parent_id"]) == ("", operations.pk)
    # "parent_id": null is the top level.
    response = client.patch(
        departments_url(company, ux["id"]), {"parent_id": None}, content_type="application/json"
    )
    assert (response.json()["parent_id"], response.json()["path"]) == (None, f"/{ux['id']}/")

    assert client.delete(departments_url(company, child["id"])).status_code == 204
    assert not Department.objects.filter(pk=child["id"]).exists()
    response = client.delete(departments_url(company, design))
    assert response.status_code == 409
    assert error_of(response) == {
        "error": "Move or delete what is under this department first.",
        "code": "department_not_empty",
    }


def test_bad_input_is_a_422_with_fields_and_writes_nothing(
    company, company_admin, tree, api_client
):
    client = api_client(company_admin)
    before = rows()
    cases = [
        ("post", departments_url(company), {"name": ""}, {"name": ["This field cannot be blank."]}),
        (
            "post",
            departments_url(company),
            {"name": "x" * 101},
            {"name": ["Ensure this value has at most 100 characters (it has 101)."]},
        ),
        ("post", departments_url(company), {"name": "Team", "kind": "team"}, None),
        ("post", departments_url(company), {"name": "Team", "parent": tree["design"].pk}, None),
        (
            "post",
            departments_url(company),
            {"name": "Booth", "parent_id": tree["studio"].pk},
            {"parent_id": ["A cost centre holds nothing; choose a department."]},
        ),
        (
            "patch",
            departments_url(company, tree["design"]),
            {"parent_id": tree["studio"].pk},
            {"parent_id": ["A department cannot move under itself or into its own subtree."]},
        ),
        (
            "patch",
            departments_url(company, tree["design"]),
            {"name": " "},
            {"name": ["This field cannot be blank."]},
        ),
        (
            "post",
            ship_to_url(company, tree["design"]),
            {**SHIP_TO, "mobile": "12"},
            {"mobile": ["Enter an 11-digit mobile number."]},
        ),
        ("post", ship_to_url(company, tree["design"]), {"recipient_name": "Wang"}, None),
        (
            "patch",
            ship_to_url(company, tree["studio"], tree["address"]),
            {"province": "ZZ"},
            {"province": ["Value 'ZZ' is not a valid choice."]},
        ),
        ("patch", ship_to_url(company, tree["studio"], tree["address"]), {"town": "x"}, None),
    ]
    for method, path, body, fields in cases:
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 422, (path, body, response.content)
        body = error_of(response)
        assert body["code"] == "validation_error"
        if fields is not None:
            assert body["fields"] == fields
        else:
            assert body["fields"]
    assert rows() == before
    response = client.post(
        departments_url(company), {"name": "Design"}, content_type="application/json"
    )
    assert (response.status_code, error_of(response)["code"]) == (409, "department_name_taken")
    assert rows() == before


def test_who_may_not(company, member, tree, other_company, other_member, api_client, make_user):
    design, studio, address = tree["design"], tree["studio"], tree["address"]
    writes = [
        ("post", departments_url(company), {"name": "New", "parent_id": design.pk}),
        ("patch", departments_url(company, studio), {"name": "Booth"}),
        ("patch", departments_url(company, studio), {}),
        ("delete", departments_url(company, studio), None),
        ("post", ship_to_url(company, design), SHIP_TO),
        ("patch", ship_to_url(company, studio, address), {"city": "Suzhou"}),
        ("delete", ship_to_url(company, studio, address), None),
    ]
    reads = [departments_url(company), ship_to_url(company, studio)]
    removed = member(role=Role.ADMIN)
    remove(removed.company_memberships.get())
    strangers = [api_client(other_member), api_client(make_user("stranger")), api_client(removed)]
    members = [
        api_client(member(role=Role.VIEWER)),
        api_client(member(role=Role.BUYER, department=design)),
        api_client(member(role=Role.ADMIN, department=tree["operations"])),
    ]
    before = rows()
    for method, path, body in writes:
        kwargs = {"content_type": "application/json"} if body is not None else {}
        args = (path, body) if body is not None else (path,)
        for client in strangers:
            response = getattr(client, method)(*args, **kwargs)
            assert (response.status_code, error_of(response)["code"]) == (404, "not_a_member"), path
        for client in members:
            response = getattr(client, method)(*args, **kwargs)
            assert (response.status_code, error_of(response)["code"]) == (403, "role_required"), (
                path
            )
    for path in reads:
        for client in strangers:
            assert error_of(client.get(path)) == {
                "error": "You are not a member of that company.",
                "code": "not_a_member",
            }
    # Another company's admin cannot reach these departments through their own company.
    theirs = api_client(other_member)
    for path in (
        f"/api/v1/companies/{other_company.pk}/departments/{studio.pk}",
        f"/api/v1/companies/{other_company.pk}/departments/{studio.pk}/ship_to",
    ):
        response = theirs.get(path) if path.endswith("ship_to") else theirs.delete(path)
        assert (response.status_code, error_of(response)["code"]) == (404, "department_not_found")
    assert api_client().get(departments_url(company)).status_code == 401
    assert rows() == before


def test_ship_to_addresses(company, company_admin, tree, api_client):
    client = api_client(company_admin)
    design = tree["design"]
    response = client.post(
        ship_to_url(company, design), {**SHIP_TO, "province": "bj"}, content_type="application/json"
    )
    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "department_id": design.pk, **SHIP_TO, "province": "BJ"}
    address = ShipToAddress.objects.get(pk=created["id"])
    response = client.patch(
        ship_to_url(company, design, address),
        {"street": "2 Chang'an Avenue"},
        content_type="application/json",
    )
    assert response.json() == {**created, "street": "2 Chang'an Avenue"}
    response = client.patch(
        ship_to_url(company, tree["operations"], address),
        {"city": "X"},
        content_type="application/json",
    )
    assert (response.status_code, error_of(response)["code"]) == (404, "ship_to_not_found")
    assert client.delete(ship_to_url(company, design, address)).status_code == 204
    assert not ShipToAddress.objects.filter(pk=address.pk).exists()
    response = client.delete(ship_to_url(company, design, address))
    assert (response.status_code, error_of(response)["code"]) == (404, "ship_to_not_found")


def test_openapi_lists_the_organisation_paths(api_client, company_admin):
    paths = api_client(company_admin).get("/api/v1/openapi.json").json()["paths"]
    base = "/api/v1/companies/{company_id}/departments"
    assert set(paths[base]) == {"get", "post"}
    assert set(paths[base + "/{department_id}"]) == {"patch", "delete"}
    assert set(paths[base + "/{department_id}/ship_to"]) == {"get", "post"}
    assert set(paths[base + "/{department_id}/ship_to/{address_id}"]) == {"patch", "delete"}
