"""The companies API: registering, reading (members only), the licence, members and roles,
with the common error format."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infoconnect.api.tests.conftest import error
from infoconnect.procurement.actions import companies as company_actions
from infoconnect.procurement.models import Company, Membership, RoleAssignment
from infoconnect.procurement.tests.factories import (
    VALID,
    VALID_2,
    WRONG_CHECK,
    add,
    image_bytes,
    make_company,
    make_department,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_admin(api_client, admin):
    return api_client(admin)


def post_json(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_registering_a_company(api_client, make_user):
    alice = make_user("alice")
    response = post_json(
        api_client(alice), "/api/v1/companies", {"name": "华夏设计", "uscc": VALID}
    )
    assert response.status_code == 201
    body = response.json()
    company = Company.objects.get()
    assert body == {
        "id": company.pk,
        "name": "华夏设计",
        "uscc": VALID,
        "status": "pending",
        "status_display": "Pending review",
        "suspension_reason": None,
        "uscc_check_waived": False,
        "licence_url": None,
        "created_at": body["created_at"],
        "verified_at": None,
        "url": f"/companies/{company.pk}/",
    }
    assert Membership.objects.get().user == alice
    assert RoleAssignment.objects.get().role == "admin"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": "Huaxia", "uscc": WRONG_CHECK}, 422, "invalid_uscc"),
        ({"name": "Huaxia", "uscc": "91350100M000100S43"}, 422, "invalid_uscc"),
        ({"name": "H", "uscc": VALID}, 422, "legal_name_invalid"),
        ({"name": "Huaxia"}, 422, "validation_error"),
        ({"name": "Huaxia", "uscc": 42}, 422, "validation_error"),
    ],
)
def test_a_bad_registration_is_a_clear_error(api_client, make_user, body, status, code):
    response = post_json(api_client(make_user("alice")), "/api/v1/companies", body)
    assert response.status_code == status
    assert error(response)["code"] == code
    assert Company.objects.count() == Membership.objects.count() == 0


def test_a_taken_code_and_no_token(api_client, company, make_user):
    response = post_json(
        api_client(make_user("alice")), "/api/v1/companies", {"name": "Copy", "uscc": VALID}
    )
    assert (response.status_code, error(response)["code"]) == (409, "uscc_taken")
    response = post_json(api_client(), "/api/v1/companies", {"name": "Copy", "uscc": VALID_2})
    assert (response.status_code, error(response)["code"]) == (401, "not_authenticated")
    assert Company.objects.count() == 1


def test_a_company_is_seen_by_its_members_only(api_client, as_admin, company, admin, make_user):
    make_company(make_user("other"), name="Other", code=VALID_2)
    assert [c["name"] for c in as_admin.get("/api/v1/companies").json()] == ["Huaxia Design"]
    assert as_admin.get(f"/api/v1/companies/{company.pk}").json()["name"] == "Huaxia Design"
    stranger = api_client(make_user("stranger"))
    assert stranger.get("/api/v1/companies").json() == []
    for url in (
        f"/api/v1/companies/{company.pk}",
        f"/api/v1/companies/{company.pk}/members",
        f"/api/v1/companies/{company.pk}/members/{admin.pk}/roles",
        "/api/v1/companies/987654",
    ):
        response = stranger.get(url)
        assert (response.status_code, error(response)["code"]) == (404, "not_a_member"), url


def test_a_suspended_company_says_why(as_admin, company, make_user):
    operator = make_user("op", is_staff=True)
    company_actions.suspend_company(operator=operator, company_id=company.pk, reason="Expired.")
    body = as_admin.get(f"/api/v1/companies/{company.pk}").json()
    assert (body["status"], body["suspension_reason"]) == ("suspended", "Expired.")


def test_uploading_the_licence(api_client, as_admin, company, admin, make_user):
    url = f"/api/v1/companies/{company.pk}/licence"
    response = as_admin.post(url, {"licence": SimpleUploadedFile("l.png", image_bytes())})
    assert response.status_code == 200
    assert response.json()["licence_url"] == Company.objects.get().licence.url
    response = as_admin.post(url, {"licence": SimpleUploadedFile("l.txt", b"hello")})
    assert (response.status_code, error(response)["code"]) == (422, "licence_not_image")
    assert error(response)["fields"] == {
        "licence": ["Upload the business licence as a JPEG, PNG or WebP image."]
    }
    viewer = make_user("viewer")
    add(company, admin, viewer, "viewer")
    response = api_client(viewer).post(url, {"licence": SimpleUploadedFile("l.png", image_bytes())})
    assert (response.status_code, error(response)["code"]) == (403, "role_required")


def test_members_are_listed_added_and_removed(api_client, as_admin, company, admin, make_user):
    bob = make_user("bob", display_name="Bob")
    url = f"/api/v1/companies/{company.pk}/members"
    response = post_json(as_admin, url, {"username": "bob"})
    assert response.status_code == 201
    assert response.json()["user"] == {"id": bob.pk, "username": "bob", "display_name": "Bob"}
    assert response.json()["roles"] == []
    listed = api_client(bob).get(url).json()
    assert [(m["user"]["username"], [r["role"] for r in m["roles"]]) for m in listed] == [
        ("bob", []),
        ("boss", ["admin"]),
    ]
    response = post_json(as_admin, url, {"username": "bob"})
    assert (response.status_code, error(response)["code"]) == (409, "already_a_member")
    response = post_json(api_client(bob), url, {"username": "boss"})
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    response = as_admin.delete(f"{url}/{bob.pk}")
    assert response.status_code == 204
    response = as_admin.delete(f"{url}/{bob.pk}")
    assert (response.status_code, error(response)["code"]) == (404, "member_not_found")
    response = api_client(bob).get(url)
    assert (response.status_code, error(response)["code"]) == (404, "not_a_member")


def test_leaving(api_client, as_admin, company, admin, make_user):
    bob = make_user("bob")
    add(company, admin, bob)
    url = f"/api/v1/companies/{company.pk}/leave"
    assert api_client(bob).post(url).status_code == 204
    response = as_admin.post(url)
    assert (response.status_code, error(response)["code"]) == (409, "last_admin")
    response = api_client(bob).post(url)
    assert (response.status_code, error(response)["code"]) == (404, "not_a_member")


def test_roles_are_listed_granted_and_revoked(api_client, as_admin, company, admin, make_user):
    bob = make_user("bob")
    add(company, admin, bob)
    sales = make_department(company, "Sales")
    url = f"/api/v1/companies/{company.pk}/members/{bob.pk}/roles"
    response = post_json(as_admin, url, {"role": "buyer"})
    assert response.status_code == 201
    assert response.json() == {
        "role": "buyer",
        "department_id": None,
        "department_name": None,
        "granted_at": response.json()["granted_at"],
    }
    response = post_json(as_admin, url, {"role": "approver", "department_id": sales.pk})
    assert (response.status_code, response.json()["department_name"]) == (201, "Sales")
    listed = api_client(bob).get(url).json()
    assert [(r["role"], r["department_id"]) for r in listed] == [
        ("approver", sales.pk),
        ("buyer", None),
    ]
    for body, status, code in (
        ({"role": "buyer"}, 409, "role_already_held"),
        ({"role": "chief"}, 422, "invalid_role"),
        ({"role": "buyer", "department_id": 99999}, 404, "department_not_found"),
    ):
        response = post_json(as_admin, url, body)
        assert (response.status_code, error(response)["code"]) == (status, code)
    response = post_json(api_client(bob), url, {"role": "admin"})
    assert (response.status_code, error(response)["code"]) == (403, "role_required")

    assert as_admin.delete(f"{url}/approver").status_code == 404
    assert as_admin.delete(f"{url}/approver?department_id={sales.pk}").status_code == 204
    assert as_admin.delete(f"{url}/buyer").status_code == 204
    assert api_client(bob).get(url).json() == []
    response = as_admin.delete(f"/api/v1/companies/{company.pk}/members/{admin.pk}/roles/admin")
    assert (response.status_code, error(response)["code"]) == (409, "last_admin")
    response = as_admin.get(f"/api/v1/companies/{company.pk}/members/{2**70}/roles")
    assert (response.status_code, error(response)["code"]) == (404, "member_not_found")
