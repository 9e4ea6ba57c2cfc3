"""The API of budgets, delegations and purchasing settings: the bodies as sent, the error codes
and statuses, and that a refused write leaves every row as it was."""

import datetime

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Budget, Delegation, Membership, Role
from infoconnect.procurement.tests.budgets.conftest import charge, make_budget, remove, snapshot

pytestmark = pytest.mark.django_db


def _url(company, *rest):
    return "/".join([f"/api/v1/companies/{company.pk}", *map(str, rest)])


def _json(client, method, url, body):
    return getattr(client, method)(url, body, content_type="application/json")


def _refused(response, status, code):
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


def test_create_read_list_update_delete(api_client, company, company_admin, design):
    client = api_client(company_admin)
    body = {
        "department_id": design.pk,
        "period": "quarter",
        "starts_on": "2026-08-19",
        "amount": 2_000_000,
    }
    response = _json(client, "post", _url(company, "budgets"), body)
    assert response.status_code == 201, response.content
    budget = Budget.objects.get()
    expected = {
        "id": budget.pk,
        "department_id": design.pk,
        "department_name": "Design",
        "period": "quarter",
        "starts_on": "2026-07-01",
        "ends_on": "2026-10-01",
        "amount": 2_000_000,
        "currency": "CNY",
        "committed": 0,
        "spent": 0,
        "over_approved": 0,
        "remaining": 2_000_000,
    }
    assert response.json() == expected
    assert client.get(_url(company, "budgets", budget.pk)).json() == expected
    listed = client.get(_url(company, "budgets") + "?on=2026-09-30&period=quarter")
    assert listed.json() == [expected]
    assert client.get(_url(company, "budgets") + "?on=2026-10-01").json() == []

    response = _json(client, "patch", _url(company, "budgets", budget.pk), {"amount": 3_000_000})
    assert response.status_code == 200
    assert (response.json()["amount"], response.json()["remaining"]) == (3_000_000, 3_000_000)

    response = client.delete(_url(company, "budgets", budget.pk))
    assert response.status_code == 204
    assert not Budget.objects.exists()


def test_budget_refusals_write_nothing(
    api_client, company, company_admin, member, other_member, design
):
    budget = make_budget(design, amount=1_000_000)
    charge(budget, member(role=Role.BUYER), committed=600_000)
    admin = api_client(company_admin)
    good = {"department_id": design.pk, "period": "month", "starts_on": "2026-08-19", "amount": 100}
    before = snapshot()
    cases = [
        (admin, "post", {**good, "amount": 0}, 422, "budget_invalid"),
        (admin, "post", {**good, "period": "week"}, 422, "validation_error"),
        (admin, "post", {**good, "colour": "red"}, 422, "validation_error"),
        (admin, "post", {**good, "department_id": 999_999}, 404, "department_not_found"),
        (api_client(member(role=Role.VIEWER)), "post", good, 403, "role_required"),
        (api_client(member(role=Role.BUYER)), "post", good, 403, "role_required"),
        (api_client(other_member), "post", good, 404, "not_a_member"),
        (api_client(), "post", good, 401, "not_authenticated"),
    ]
    for client, method, body, status, code in cases:
        _refused(_json(client, method, _url(company, "budgets"), body), status, code)
    url = _url(company, "budgets", budget.pk)
    _refused(_json(admin, "patch", url, {"amount": 599_999}), 409, "budget_below_used")
    _refused(_json(admin, "patch", url, {"amount": -1}), 422, "budget_invalid")
    _refused(admin.delete(url), 409, "budget_in_use")
    _refused(api_client(other_member).get(url), 404, "not_a_member")
    _refused(admin.get(_url(company, "budgets", 999_999)), 404, "budget_not_found")
    assert snapshot() == before


def test_a_budget_twice_is_a_conflict(api_client, company, company_admin, design):
    client = api_client(company_admin)
    body = {"department_id": design.pk, "period": "month", "starts_on": "2026-08-01", "amount": 100}
    assert _json(client, "post", _url(company, "budgets"), body).status_code == 201
    body["starts_on"] = "2026-08-31"
    _refused(_json(client, "post", _url(company, "budgets"), body), 409, "budget_exists")
    assert Budget.objects.count() == 1


def test_a_department_admin_outside_their_subtree(api_client, company, member, design, sales):
    client = api_client(member(role=Role.ADMIN, department=design))
    theirs = make_budget(sales)
    body = {"department_id": sales.pk, "period": "month", "starts_on": "2026-08-01", "amount": 100}
    _refused(_json(client, "post", _url(company, "budgets"), body), 403, "role_required")
    # Out of their sight: Sales' budget is not found for them.
    _refused(
        _json(client, "patch", _url(company, "budgets", theirs.pk), {"amount": 5}),
        404,
        "budget_not_found",
    )
    body["department_id"] = design.pk
    assert _json(client, "post", _url(company, "budgets"), body).status_code == 201


def test_delegations(api_client, company, company_admin, member):
    sun = member(role=Role.APPROVER, username="sun")
    li = member(role=Role.BUYER, username="chen")
    client = api_client(sun)
    starts = timezone.localtime().replace(microsecond=0) + datetime.timedelta(days=1)
    ends = starts + datetime.timedelta(days=7)
    body = {
        "delegate_username": "chen",
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
    }
    response = _json(client, "post", _url(company, "delegations"), body)
    assert response.status_code == 201, response.content
    delegation = Delegation.objects.get()
    created = response.json()
    assert created == {
        "id": delegation.pk,
        "delegator_id": sun.pk,
        "delegator_username": "sun",
        "delegate_id": li.pk,
        "delegate_username": "chen",
        "starts_at": created["starts_at"],
        "ends_at": created["ends_at"],
        "created_at": created["created_at"],
        "revoked_at": None,
        "status": "scheduled",
    }
    assert datetime.datetime.fromisoformat(created["starts_at"]) == starts
    assert [d["id"] for d in api_client(li).get(_url(company, "delegations")).json()] == [
        delegation.pk
    ]
    admin = api_client(company_admin)
    assert admin.get(_url(company, "delegations")).json() == []
    assert [d["id"] for d in admin.get(_url(company, "delegations") + "?all=true").json()] == [
        delegation.pk
    ]
    _refused(client.get(_url(company, "delegations") + "?all=true"), 403, "role_required")

    _refused(
        client.post(_url(company, "delegations", 999_999, "revoke")), 404, "delegation_not_found"
    )
    _refused(
        api_client(li).post(_url(company, "delegations", delegation.pk, "revoke")),
        403,
        "role_required",
    )
    response = client.post(_url(company, "delegations", delegation.pk, "revoke"))
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"


def test_delegation_refusals_write_nothing(
    api_client, company, company_admin, member, other_member
):
    sun = member(role=Role.APPROVER, username="sun")
    buyer = member(role=Role.BUYER, username="chen")
    starts = timezone.now() + datetime.timedelta(hours=1)
    good = {
        "delegate_user_id": buyer.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(days=1)).isoformat(),
    }
    too_long = {**good, "ends_at": (starts + datetime.timedelta(days=91)).isoformat()}
    before = snapshot()
    cases = [
        (sun, {**good, "delegate_user_id": sun.pk}, 422, "delegation_invalid"),
        (sun, {**good, "ends_at": good["starts_at"]}, 422, "delegation_invalid"),
        (sun, too_long, 422, "delegation_too_long"),
        (sun, {**good, "starts_at": "2020-01-01T00:00:00+08:00"}, 422, "delegation_in_past"),
        (sun, {**good, "starts_at": "soon"}, 422, "validation_error"),
        (buyer, {**good, "delegate_user_id": sun.pk}, 403, "role_required"),
        (company_admin, {**good, "delegator_user_id": buyer.pk}, 422, "delegator_not_approver"),
        (other_member, good, 404, "not_a_member"),
    ]
    for user, body, status, code in cases:
        _refused(_json(api_client(user), "post", _url(company, "delegations"), body), status, code)
    remove(Membership.objects.get(user=sun))
    _refused(
        _json(api_client(sun), "post", _url(company, "delegations"), good), 404, "not_a_member"
    )
    assert snapshot() == before


def test_an_admin_delegates_for_an_approver(api_client, company, company_admin, member):
    sun = member(role=Role.APPROVER)
    li = member(role=Role.BUYER)
    starts = timezone.now() + datetime.timedelta(hours=1)
    body = {
        "delegator_user_id": sun.pk,
        "delegate_user_id": li.pk,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + datetime.timedelta(days=1)).isoformat(),
    }
    response = _json(api_client(company_admin), "post", _url(company, "delegations"), body)
    assert response.status_code == 201, response.content
    assert (response.json()["delegator_id"], response.json()["delegate_id"]) == (sun.pk, li.pk)


def test_purchasing_settings(api_client, company, company_admin, member, other_member, design):
    url = _url(company, "purchasing_settings")
    viewer = api_client(member(role=Role.VIEWER))
    assert viewer.get(url).json() == {"hold_days": 7, "po_required": False, "po_unique": False}
    admin = api_client(company_admin)
    response = _json(admin, "patch", url, {"hold_days": 3, "po_required": True})
    assert response.json() == {"hold_days": 3, "po_required": True, "po_unique": False}
    assert _json(admin, "patch", url, {"po_unique": True}).json() == {
        "hold_days": 3,
        "po_required": True,
        "po_unique": True,
    }
    before = snapshot()
    _refused(_json(admin, "patch", url, {"hold_days": 31}), 422, "settings_invalid")
    _refused(_json(admin, "patch", url, {"hold_days": None}), 422, "settings_invalid")
    _refused(_json(admin, "patch", url, {"hold": 3}), 422, "validation_error")
    _refused(_json(viewer, "patch", url, {"hold_days": 2}), 403, "role_required")
    design_admin = api_client(member(role=Role.ADMIN, department=design))
    _refused(_json(design_admin, "patch", url, {"hold_days": 2}), 403, "role_required")
    _refused(_json(api_client(other_member), "patch", url, {"hold_days": 2}), 404, "not_a_member")
    _refused(api_client(other_member).get(url), 404, "not_a_member")
    assert snapshot() == before
