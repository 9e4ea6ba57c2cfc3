"""The company pages: My companies with its registration form, a company's page and its
member forms, and the header's "Acting for" switcher."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client

from infoconnect.procurement.actions import companies as company_actions
from infoconnect.procurement.actions import members as member_actions
from infoconnect.procurement.models import Company, Membership, RoleAssignment
from infoconnect.procurement.tests.factories import (
    VALID,
    VALID_2,
    WRONG_CHECK,
    add,
    grant,
    image_upload,
    make_company,
    make_department,
)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def error_code(response) -> str | None:
    found = re.search(r'data-error-code="([a-z_]+)"', response.content.decode())
    return found.group(1) if found else None


# --- My companies and registering ----------------------------------------------------------------


def test_pages_need_a_login(company):
    for url in ("/companies/", f"/companies/{company.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_my_companies_lists_only_mine(admin, company, make_user):
    other_admin = make_user("other")
    make_company(other_admin, name="Other Co.", code=VALID_2)
    page = text(client_for(admin).get("/companies/"))
    assert "Huaxia Design" in page and "Other Co." not in page
    assert 'data-testid="company-status">Pending review<' in page
    assert "You are not a member of any company yet." in text(
        client_for(make_user("carol")).get("/companies/")
    )


def test_registering_a_company_on_the_web(make_user):
    person = make_user("alice")
    client = client_for(person)
    response = client.post("/companies/", {"legal_name": "华夏设计有限公司", "uscc": VALID.lower()})
    company = Company.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/companies/{company.pk}/"
    page = text(client.get(response["Location"]))
    assert "Company registered. An operator will review it shortly." in page
    assert '<p id="company-status"><strong>Pending review</strong></p>' in page
    assert (
        "An operator is checking the company's legal name, its unified social credit code "
        "and its business licence." in page.replace("&#x27;", "'")
    )
    assert f'<td id="company-uscc">{VALID}</td>' in page


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"legal_name": "Huaxia", "uscc": WRONG_CHECK},
            422,
            "Enter a valid 18-character unified social credit code.",
        ),
        ({"legal_name": "Huaxia", "uscc": ""}, 422, "This field is required."),
        (
            {"legal_name": "H", "uscc": VALID},
            422,
            "Enter the company&#x27;s legal name (2 to 200 characters).",
        ),
    ],
)
def test_a_bad_registration_shows_why_and_writes_nothing(make_user, data, status, message):
    response = client_for(make_user("alice")).post("/companies/", data)
    assert response.status_code == status
    assert message in text(response)
    assert Company.objects.count() == Membership.objects.count() == 0


def test_a_taken_code_is_a_conflict(company, make_user):
    response = client_for(make_user("alice")).post(
        "/companies/", {"legal_name": "Copy", "uscc": VALID}
    )
    assert response.status_code == 409
    assert "A company with this unified social credit code is already registered." in text(response)
    assert Company.objects.count() == 1


# --- the company page ---------------------------------------------------------------------------


def test_a_company_is_not_shown_to_someone_outside_it(company, admin, make_user):
    former = make_user("former")
    add(company, admin, former)
    member_actions.remove_member(admin_user=admin, company_id=company.pk, member_user_id=former.pk)
    for person in (make_user("stranger"), former):
        response = client_for(person).get(f"/companies/{company.pk}/")
        assert response.status_code == 404 and error_code(response) == "not_a_member"
        assert "Huaxia Design" not in text(response)
    response = client_for(admin).get("/companies/99999999999999999999/")
    assert response.status_code == 404


def test_the_page_shows_members_and_roles_and_admin_forms_only_to_admins(company, admin, make_user):
    bob = make_user("bob", display_name="Bob")
    sales = make_department(company, "Sales")
    add(company, admin, bob, "buyer")
    grant(company, admin, bob, "approver", department=sales)
    page = text(client_for(admin).get(f"/companies/{company.pk}/"))
    roles = re.findall(r'data-testid="role">([^<]+)<', page)
    # By username: bob, then boss.
    assert roles == ["Approver · Sales", "Buyer", "Administrator"]
    assert 'id="add-member"' in page and "Upload licence" in page and "Grant role" in page
    member_page = text(client_for(bob).get(f"/companies/{company.pk}/"))
    assert re.findall(r'data-testid="role">([^<]+)<', member_page) == roles
    assert 'id="add-member"' not in member_page and "Upload licence" not in member_page
    assert "Grant role" not in member_page and "Leave this company" in member_page


def test_the_status_says_what_it_means(company, admin, operator):
    url = f"/companies/{company.pk}/"
    company_actions.verify_company(operator=operator, company_id=company.pk)
    # 17:00 UTC is already the next day in Shanghai: the page tells the site's date.
    Company.objects.update(verified_at=datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    page = text(client_for(admin).get(url))
    assert "<strong>Verified</strong>" in page
    assert "The platform checked this company's registration on 2026-12-02." in page.replace(
        "&#x27;", "'"
    )
    company_actions.suspend_company(
        operator=operator, company_id=company.pk, reason="The licence has expired."
    )
    page = text(client_for(admin).get(url))
    assert "<strong>Suspended</strong>" in page
    assert "The platform has suspended this company." in page
    assert '<span id="suspension-reason">Reason: The licence has expired.</span>' in page


def test_uploading_the_licence_on_the_page(company, admin, make_user):
    client = client_for(admin)
    response = client.post(f"/companies/{company.pk}/licence/", {"licence": image_upload()})
    assert response.status_code == 302
    stored = Company.objects.get()
    assert stored.licence.name.endswith(".png")
    page = text(client.get(f"/companies/{company.pk}/"))
    assert "Business licence uploaded." in page and stored.licence.url in page

    bad = client.post(
        f"/companies/{company.pk}/licence/",
        {"licence": image_upload(fmt="GIF", name="x.gif")},
    )
    assert bad.status_code == 422 and error_code(bad) == "licence_not_image"
    missing = client.post(f"/companies/{company.pk}/licence/", {})
    assert missing.status_code == 422
    viewer = make_user("viewer")
    add(company, admin, viewer, "viewer")
    refused = client_for(viewer).post(
        f"/companies/{company.pk}/licence/", {"licence": image_upload()}
    )
    assert refused.status_code == 403 and error_code(refused) == "role_required"
    assert Company.objects.get().licence.name == stored.licence.name


# --- the member forms --------------------------------------------------------------------------


def test_the_admin_adds_a_member_and_grants_a_role(company, admin, make_user):
    bob = make_user("bob")
    client = client_for(admin)
    response = client.post(f"/companies/{company.pk}/members/", {"username": "bob"})
    assert response.status_code == 302
    assert "bob is now a member." in text(client.get(response["Location"]))
    response = client.post(
        f"/companies/{company.pk}/members/{bob.pk}/roles/", {"role": "buyer", "department": ""}
    )
    assert response.status_code == 302
    assert list(
        RoleAssignment.objects.filter(membership__user=bob).values_list("role", "department")
    ) == [("buyer", None)]
    sales = make_department(company, "Sales")
    client.post(
        f"/companies/{company.pk}/members/{bob.pk}/roles/",
        {"role": "approver", "department": str(sales.pk)},
    )
    response = client.post(
        f"/companies/{company.pk}/members/{bob.pk}/roles/revoke/",
        {"role": "buyer", "department": ""},
    )
    assert response.status_code == 302
    assert list(
        RoleAssignment.objects.filter(membership__user=bob).values_list("role", "department")
    ) == [("approver", sales.pk)]


@pytest.mark.parametrize(
    ("path", "data", "status", "code"),
    [
        ("members/", {"username": "nobody"}, 404, "account_not_found"),
        ("members/", {"username": "boss"}, 409, "already_a_member"),
        ("members/{bob}/roles/", {"role": "owner"}, 422, "invalid_role"),
        (
            "members/{bob}/roles/",
            {"role": "buyer", "department": "12345"},
            404,
            "department_not_found",
        ),
        ("members/{bob}/roles/revoke/", {"role": "viewer"}, 404, "role_not_held"),
        ("members/{boss}/roles/revoke/", {"role": "admin"}, 409, "last_admin"),
        ("members/{boss}/remove/", {}, 409, "last_admin"),
        ("members/{carol}/remove/", {}, 404, "member_not_found"),
        ("leave/", {}, 409, "last_admin"),
    ],
)
def test_a_refused_member_change_is_shown_on_the_page(
    company, admin, make_user, path, data, status, code
):
    bob = make_user("bob")
    carol = make_user("carol")
    add(company, admin, bob, "buyer")
    before = (
        sorted(Membership.objects.values_list("pk", "ended_at")),
        sorted(RoleAssignment.objects.values_list("pk", flat=True)),
    )
    url = f"/companies/{company.pk}/" + path.format(bob=bob.pk, boss=admin.pk, carol=carol.pk)
    response = client_for(admin).post(url, data)
    assert response.status_code == status
    assert error_code(response) == code
    assert "Huaxia Design" in text(response)
    after = (
        sorted(Membership.objects.values_list("pk", "ended_at")),
        sorted(RoleAssignment.objects.values_list("pk", flat=True)),
    )
    assert after == before


def test_a_viewer_and_a_stranger_cannot_manage_members(company, admin, make_user):
    viewer, stranger, bob = make_user("viewer"), make_user("stranger"), make_user("bob")
    add(company, admin, viewer, "viewer")
    add(company, admin, bob)
    for person, status, code in ((viewer, 403, "role_required"), (stranger, 404, "not_a_member")):
        client = client_for(person)
        for path, data in (
            ("members/", {"username": "stranger"}),
            (f"members/{bob.pk}/remove/", {}),
            (f"members/{bob.pk}/roles/", {"role": "admin"}),
            (f"members/{admin.pk}/roles/revoke/", {"role": "admin"}),
        ):
            response = client.post(f"/companies/{company.pk}/{path}", data)
            assert (response.status_code, error_code(response)) == (status, code), path
    assert sorted(
        Membership.objects.filter(ended_at__isnull=True).values_list("user__username", flat=True)
    ) == ["bob", "boss", "viewer"]
    assert RoleAssignment.objects.filter(membership__user=bob).count() == 0


def test_removing_and_leaving_on_the_web(company, admin, make_user):
    bob, carol = make_user("bob"), make_user("carol")
    add(company, admin, bob, "buyer")
    add(company, admin, carol)
    response = client_for(admin).post(f"/companies/{company.pk}/members/{bob.pk}/remove/")
    assert response.status_code == 302
    response = client_for(carol).post(f"/companies/{company.pk}/leave/")
    assert response.status_code == 302 and response["Location"] == "/companies/"
    ended = Membership.objects.filter(ended_at__isnull=False)
    assert sorted(ended.values_list("user__username", "ended_by__username")) == [
        ("bob", "boss"),
        ("carol", "carol"),
    ]


def test_forms_only_take_posts(company, admin):
    client = client_for(admin)
    for path in ("members/", "leave/", "licence/", f"members/{admin.pk}/remove/"):
        assert client.get(f"/companies/{company.pk}/{path}").status_code == 405


# --- acting for a company ------------------------------------------------------------------------


def header(response) -> str:
    page = response.content.decode()
    return page[page.index("<header") : page.index("</header>")]


def test_the_header_switches_whom_the_person_acts_for(company, admin, make_user):
    other = make_company(admin, name="Second Co.", code=VALID_2)
    client = client_for(admin)
    nav = header(client.get("/"))
    assert re.search(
        r'href="/companies/" id="nav-companies"><svg[\s\S]*?</svg><span class="nav-label">Companies</span>',
        nav,
    )
    assert re.findall(r"<option value=\"(\d*)\"( selected)?>", nav) == [
        ("", ""),
        (str(company.pk), ""),
        (str(other.pk), ""),
    ]
    response = client.post("/companies/acting-for/", {"company": str(other.pk), "next": "/shop/"})
    assert response.status_code == 302 and response["Location"] == "/shop/"
    nav = header(client.get("/"))
    assert f'<option value="{other.pk}" selected>Second Co.</option>' in nav
    assert "You are acting for this company." in text(client.get(f"/companies/{other.pk}/"))
    assert "You are acting for this company." not in text(client.get(f"/companies/{company.pk}/"))
    client.post("/companies/acting-for/", {"company": "", "next": "https://evil.example/"})
    assert " selected" not in header(client.get("/"))


def test_switching_to_a_company_you_are_not_in_is_refused(company, make_user):
    client = client_for(make_user("alice"))
    for choice in (str(company.pk), "x", "99999999999999999999"):
        response = client.post("/companies/acting-for/", {"company": choice})
        assert response.status_code == 404 and error_code(response) == "not_a_member"
    assert "procurement_acting_for" not in client.session


def test_someone_removed_acts_for_themselves_again(company, admin, make_user):
    bob = make_user("bob")
    add(company, admin, bob, "buyer")
    client = client_for(bob)
    client.post("/companies/acting-for/", {"company": str(company.pk)})
    assert client.session["procurement_acting_for"] == company.pk
    second = make_company(make_user("carol"), name="Carol Co.", code=VALID_2)
    add(second, second.registered_by, bob)
    member_actions.remove_member(admin_user=admin, company_id=company.pk, member_user_id=bob.pk)
    nav = header(client.get("/"))
    assert " selected" not in nav and "Huaxia Design" not in nav and "Carol Co." in nav
    assert "procurement_acting_for" not in client.session


def test_no_switcher_for_someone_without_a_company(make_user):
    nav = header(client_for(make_user("alice")).get("/"))
    assert "nav-companies" in nav and 'id="acting-for"' not in nav


def test_personal_pages_stay_personal_while_acting_for_a_company(company, admin):
    client = client_for(admin)
    before = [client.get(url).status_code for url in ("/wallet/", "/shop/orders/")]
    client.post("/companies/acting-for/", {"company": str(company.pk)})
    personal = client.get("/wallet/")
    assert before == [200, 200] and personal.status_code == 200
    assert "Huaxia Design" in header(personal)
    assert "Huaxia Design" not in personal.content.decode().split("</header>", 1)[1]


def test_the_pages_speak_chinese(company, admin):
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.force_login(admin)
    page = text(client.get(f"/companies/{company.pk}/"))
    assert "<strong>待审核</strong>" in page
    assert "运营人员正在核查企业名称、统一社会信用代码和营业执照。" in page
    assert '<label for="acting-for-company">当前身份</label>' in page
    assert "按用户名添加成员" in page and "管理员" in page
    refused = client.post("/companies/", {"legal_name": "华夏", "uscc": WRONG_CHECK})
    assert "请输入有效的 18 位统一社会信用代码。" in text(refused)
