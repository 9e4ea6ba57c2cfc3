"""The organisation page: every member reads the tree and its ship-to addresses; an admin
changes the part they may, and a refused change shows the page again saying why."""

import re

import pytest
from django.test import Client
from django.urls import reverse

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


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def flash(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def url(name, *args) -> str:
    return reverse(f"procurement:{name}", args=args)


@pytest.fixture
def tree(company):
    design = make_department(company, "Design", code="DES")
    studio = make_department(company, "Studio", parent=design, kind=COST_CENTRE)
    operations = make_department(company, "Operations")
    address = make_ship_to(studio)
    return {"design": design, "studio": studio, "operations": operations, "address": address}


def test_a_viewer_reads_the_tree_without_controls(company, member, tree):
    response = client_for(member(role=Role.VIEWER)).get(url("departments", company.pk))
    assert response.status_code == 200
    page = text(response)
    assert re.findall(r'data-testid="department-name">([^<]+)<', page) == [
        "Design",
        "Studio",
        "Operations",
    ]
    assert re.findall(r'data-depth="(\d)"', page) == ["0", "1", "0"]
    assert "<strong>Front desk</strong> · Wang Fang, 13912345678" in page
    assert "Shanghai Shanghai Xuhui 1200 Caoxi North Road" in page
    for control in ("manage-department", "add-top-level"):
        assert control not in page
    # No form on the page writes to the organisation (the header's own forms aside).
    assert f'action="/companies/{company.pk}/departments' not in page


def test_a_company_admin_sees_every_control(company, company_admin, tree):
    page = text(client_for(company_admin).get(url("departments", company.pk)))
    assert page.count('data-testid="manage-department"') == 3
    assert 'data-testid="add-top-level"' in page
    # A cost centre holds nothing: no "add under" for Studio.
    assert page.count("Add under") == 2
    edit = url("ship_to_edit", company.pk, tree["studio"].pk, tree["address"].pk)
    assert f'href="{edit}"' in page


def test_a_department_admin_sees_controls_for_their_subtree_only(company, member, tree):
    page = text(
        client_for(member(role=Role.ADMIN, department=tree["design"])).get(
            url("departments", company.pk)
        )
    )
    assert page.count('data-testid="manage-department"') == 2
    assert 'data-testid="add-top-level"' not in page
    assert "Change Operations" not in page


def test_who_may_not_open_the_page(company, member, tree, other_member, make_user):
    removed = member(role=Role.ADMIN)
    remove(removed.company_memberships.get())
    for user in (other_member, make_user("stranger"), removed):
        response = client_for(user).get(url("departments", company.pk))
        assert response.status_code == 404
        assert 'data-error-code="not_a_member"' in response.content.decode()
        assert "Design" not in text(response)
    response = client_for().get(url("departments", company.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- departments ----------------------------------------------------------------------------


def test_create_under_a_department(company, company_admin, tree):
    client = client_for(company_admin)
    response = client.post(
        url("department_create", company.pk),
        {"name": " UX ", "parent": tree["design"].pk, "kind": "department", "code": "UX1"},
    )
    ux = Department.objects.get(name="UX")
    assert response.status_code == 302
    assert response["Location"] == f"{url('departments', company.pk)}#department-{ux.pk}"
    assert (ux.path, ux.code, ux.kind) == (f"{tree['design'].path}{ux.pk}/", "UX1", "department")
    assert flash(client.get(response["Location"])) == ["Department “UX” added."]


def test_create_a_top_level_cost_centre(company, company_admin):
    client_for(company_admin).post(
        url("department_create", company.pk),
        {"name": "Travel", "parent": "", "kind": "cost_centre"},
    )
    travel = Department.objects.get()
    assert (travel.parent_id, travel.kind, travel.path) == (None, "cost_centre", f"/{travel.pk}/")


def test_a_refused_create_shows_the_form_again(company, company_admin, tree):
    before = rows()
    response = client_for(company_admin).post(
        url("department_create", company.pk),
        {"name": "Studio", "parent": tree["design"].pk, "kind": "cost_centre", "code": "S2"},
    )
    assert response.status_code == 409
    assert flash(response) == ["A department with this name already exists there."]
    page = text(response)
    # The form under Design is open again with what was typed.
    design = page[
        page.index(f'id="department-{tree["design"].pk}"') : page.index(
            f'id="department-{tree["studio"].pk}"'
        )
    ]
    assert "<details open> <summary>Add under Design</summary>" in design
    assert 'name="code" maxlength="30" value="S2"' in design
    assert '<option value="cost_centre" selected>' in design
    response = client_for(company_admin).post(
        url("department_create", company.pk), {"name": " ", "parent": ""}
    )
    assert response.status_code == 422
    assert flash(response) == ["This field cannot be blank."]
    assert '<ul class="errorlist"><li>This field cannot be blank.</li></ul>' in text(response)
    assert rows() == before


def test_rename_move_and_delete(company, company_admin, tree):
    client = client_for(company_admin)
    design, studio, operations = tree["design"], tree["studio"], tree["operations"]
    response = client.post(
        url("department_rename", company.pk, design.pk), {"name": "Design Lab", "code": ""}
    )
    assert response.status_code == 302
    design.refresh_from_db()
    assert (design.name, design.code) == ("Design Lab", "")

    response = client.post(url("department_move", company.pk, studio.pk), {"parent": operations.pk})
    assert response.status_code == 302
    studio.refresh_from_db()
    assert studio.path == f"/{operations.pk}/{studio.pk}/"
    response = client.post(url("department_move", company.pk, design.pk), {"parent": studio.pk})
    assert response.status_code == 422
    assert flash(response) == [
        "Saved “Design Lab”.",
        "Moved “Studio”.",
        "A cost centre holds nothing; choose a department.",
    ]

    confirm = client.get(url("department_delete", company.pk, design.pk))
    assert confirm.status_code == 200
    assert "Delete “Design Lab”?" in text(confirm)
    assert Department.objects.filter(pk=design.pk).exists()
    response = client.post(url("department_delete", company.pk, design.pk))
    assert response["Location"] == url("departments", company.pk)
    assert not Department.objects.filter(pk=design.pk).exists()
    response = client.post(url("department_delete", company.pk, operations.pk))
    assert response.status_code == 409
    assert flash(response) == [
        "Department deleted.",
        "Move or delete what is under this department first.",
    ]


def test_the_move_form_offers_only_allowed_places(company, company_admin, tree):
    page = text(client_for(company_admin).get(url("departments", company.pk)))
    studio = page[page.index(f'id="department-{tree["studio"].pk}"') :]
    options = re.findall(
        r'<option value="(\w*)"[^>]*>([^<]+)</option>', studio[: studio.index("</select>")]
    )
    assert options == [
        ("", "Choose where it goes"),
        ("top", "Directly under the company"),
        (str(tree["operations"].pk), "Operations"),
    ]
    ux = make_department(company, "UX", parent=tree["design"])
    client = client_for(company_admin)
    response = client.post(url("department_move", company.pk, ux.pk), {"parent": ""})
    assert response.status_code == 422
    assert flash(response) == ["Choose where it goes."]
    client.post(url("department_move", company.pk, ux.pk), {"parent": "top"})
    ux.refresh_from_db()
    assert (ux.parent_id, ux.path) == (None, f"/{ux.pk}/")


def test_who_may_not_change_departments(company, member, tree, other_member):
    design, studio = tree["design"], tree["studio"]
    posts = [
        (url("department_create", company.pk), {"name": "New", "parent": design.pk}),
        (url("department_rename", company.pk, studio.pk), {"name": "Booth"}),
        (url("department_move", company.pk, studio.pk), {"parent": tree["operations"].pk}),
        (url("department_delete", company.pk, studio.pk), {}),
        (url("ship_to_add", company.pk, design.pk), SHIP_TO),
        (url("ship_to_edit", company.pk, studio.pk, tree["address"].pk), SHIP_TO),
        (url("ship_to_delete", company.pk, studio.pk, tree["address"].pk), {}),
    ]
    viewer = client_for(member(role=Role.VIEWER))
    elsewhere = client_for(member(role=Role.ADMIN, department=tree["operations"]))
    outsider = client_for(other_member)
    before = rows()
    for path, data in posts:
        for client, status in ((viewer, 403), (elsewhere, 403), (outsider, 404)):
            response = client.post(path, data)
            assert response.status_code == status, (path, response.status_code)
    for path in (
        url("department_delete", company.pk, studio.pk),
        url("ship_to_edit", company.pk, studio.pk, tree["address"].pk),
        url("ship_to_delete", company.pk, studio.pk, tree["address"].pk),
    ):
        assert viewer.get(path).status_code == 403
        assert outsider.get(path).status_code == 404
    assert rows() == before


# --- ship-to addresses ----------------------------------------------------------------------


def test_add_edit_and_delete_a_ship_to_address(company, company_admin, tree):
    client = client_for(company_admin)
    design = tree["design"]
    response = client.post(
        url("ship_to_add", company.pk, design.pk), {**SHIP_TO, "label": "Reception"}
    )
    assert response["Location"] == f"{url('departments', company.pk)}#department-{design.pk}"
    address = ShipToAddress.objects.get(department=design)
    assert address.label == "Reception"

    edit = url("ship_to_edit", company.pk, design.pk, address.pk)
    form = text(client.get(edit))
    assert 'name="street" maxlength="200" required value="1200 Caoxi North Road"' in form
    assert '<option value="SH" selected>Shanghai</option>' in form
    response = client.post(edit, {**SHIP_TO, "mobile": "123"})
    assert response.status_code == 422
    assert '<ul class="errorlist"><li>Enter an 11-digit mobile number.</li></ul>' in text(response)
    assert (
        'name="mobile" maxlength="11" inputmode="numeric" autocomplete="tel" required value="123"'
        in text(response)
    )
    response = client.post(
        edit, {**SHIP_TO, "label": "Reception", "city": "Suzhou", "province": "JS"}
    )
    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.province) == ("Suzhou", "JS")

    delete = url("ship_to_delete", company.pk, design.pk, address.pk)
    assert "Wang Fang, 13912345678, Jiangsu Suzhou Xuhui 1200 Caoxi North Road" in text(
        client.get(delete)
    )
    client.post(delete)
    assert not ShipToAddress.objects.filter(pk=address.pk).exists()


def test_a_refused_ship_to_address_shows_the_form_again(company, company_admin, tree):
    before = rows()
    design = tree["design"]
    response = client_for(company_admin).post(
        url("ship_to_add", company.pk, design.pk), {**SHIP_TO, "province": "XX", "city": "Hangzhou"}
    )
    assert response.status_code == 422
    page = text(response)
    assert flash(response) == ["Value 'XX' is not a valid choice."]
    assert (
        f'id="ship-to-city-{design.pk}" name="city" maxlength="40" required value="Hangzhou"'
        in page
    )
    assert rows() == before
    # An address of another department is not found under this one.
    response = client_for(company_admin).get(
        url("ship_to_edit", company.pk, design.pk, tree["address"].pk)
    )
    assert response.status_code == 404


def test_the_page_speaks_simplified_chinese(company, company_admin, tree):
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(company_admin)
    page = text(client.get(url("departments", company.pk)))
    for chinese in (
        "组织架构",
        "添加部门",
        "修改Design",
        "在Design下添加",
        "成本中心",
        "重命名",
        "移动",
        "直属企业",
        "添加收货地址",
        "收货人",
        "详细地址",
        "删除…",
    ):
        assert chinese in page, chinese
    for english in ("Organisation", "Add a department", "Cost centre", "Rename", "Recipient"):
        assert english not in page, english
    response = client.post(url("department_create", company.pk), {"name": "Design"})
    assert flash(response) == ["该位置已有同名部门。"]
