"""The requisitions API's reads: the list with its filters and pages, one requisition, the
preview of the rules that would fire, and who sees what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.api.tests.conftest import error
from infoconnect.procurement.actions import members
from infoconnect.procurement.models import Budget, Requisition
from infoconnect.procurement.tests.api.helpers import post, rows
from infoconnect.procurement.tests.factories import add
from infoconnect.procurement.tests.requisitions.world import draft, submitted

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[int]:
    response = client.get("/api/v1/requisitions", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()]


def test_the_list_filters_and_pages(world, as_buyer, api_client):
    ordered = submitted(world, (world.sku_b, 1), po_number="PO-1")
    pending = submitted(world, (world.sku_a, 2), po_number="PO-2")
    mine_draft = draft(world, (world.sku_b, 1), po_number="PO-3")
    company = world.company.pk
    assert listed(as_buyer, company_id=company) == [mine_draft.pk, pending.pk, ordered.pk]
    assert listed(as_buyer, company_id=company, state="pending") == [pending.pk]
    assert listed(as_buyer, company_id=company, mine="true", state="ordered") == [ordered.pk]
    as_admin = api_client(world.admin)
    assert listed(as_admin, company_id=company, mine="true") == []
    assert listed(as_admin, company_id=company, awaiting_me="true") == []
    response = as_buyer.get("/api/v1/requisitions", {"company_id": company, "limit": 2})
    assert [row["id"] for row in response.json()] == [mine_draft.pk, pending.pk]
    assert 'rel="next"' in response["Link"] and f"max_id={pending.pk}" in response["Link"]
    assert listed(as_buyer, company_id=company, max_id=pending.pk) == [ordered.pk]
    row = as_buyer.get("/api/v1/requisitions", {"company_id": company, "limit": 1}).json()[0]
    assert (row["state"], row["po_number"], row["department"]["name"]) == (
        "draft",
        "PO-3",
        "Design",
    )
    assert row["requester"]["username"] == "buyer" and row["total_display"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 422, "validation_error"),
        ({"company_id": "ours", "state": "lost"}, 422, "validation_error"),
        ({"company_id": 999_999}, 404, "not_a_member"),
    ],
)
def test_a_bad_list_request(world, as_buyer, params, status, code):
    if params.get("company_id") == "ours":
        params = {**params, "company_id": world.company.pk}
    response = as_buyer.get("/api/v1/requisitions", params)
    assert (response.status_code, error(response)["code"]) == (status, code)


def test_who_sees_which(world, api_client, make_user):
    other_buyer = make_user("other_buyer")
    add(world.company, world.admin, other_buyer, "buyer", department=world.design)
    viewer = make_user("viewer")
    add(world.company, world.admin, viewer, "viewer", department=world.operations)
    requisition = submitted(world, (world.sku_a, 2))
    # Another buyer, a viewer of another department, a stranger: it does not exist for them.
    for person in [other_buyer, viewer, make_user("stranger")]:
        client = api_client(person)
        for path in ["", "/preview"]:
            response = client.get(f"/api/v1/requisitions/{requisition.pk}{path}")
            assert (response.status_code, error(response)["code"]) == (
                404,
                "requisition_not_found",
            ), (person, path)
    assert listed(api_client(other_buyer), company_id=world.company.pk) == []
    assert listed(api_client(viewer), company_id=world.company.pk) == []
    # Finance (company-wide) sees it; the requester no longer does once removed.
    assert (
        api_client(world.finance).get(f"/api/v1/requisitions/{requisition.pk}").status_code == 200
    )
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.buyer.pk
    )
    response = api_client(world.buyer).get(f"/api/v1/requisitions/{requisition.pk}")
    assert (response.status_code, error(response)["code"]) == (404, "requisition_not_found")
    response = api_client(world.buyer).get("/api/v1/requisitions", {"company_id": world.company.pk})
    assert (response.status_code, error(response)["code"]) == (404, "not_a_member")


def test_the_preview_names_the_rules_that_would_fire(world, as_buyer):
    small = draft(world, (world.sku_b, 1))
    body = as_buyer.get(f"/api/v1/requisitions/{small.pk}/preview").json()
    assert (body["total"], body["over_budget"], body["rules"]) == (155_000, False, [])
    before = rows()
    url = f"/api/v1/requisitions/{small.pk}"
    as_buyer.patch(
        url,
        {"lines": [{"sku_id": world.sku_a.pk, "quantity": 2}]},
        content_type="application/json",
    )
    body = as_buyer.get(f"{url}/preview").json()
    assert body["total"] == 620_000 and body["total_display"] == "¥6,200.00"
    [rule] = body["rules"]
    assert rule["name"] == "Over ¥5,000.00" and "¥5,000.00" in rule["explanation"]
    assert [level["mode"] for level in rule["levels"]] == ["any"]
    # Reads only: nothing was written by the previews.
    assert rows()["steps"] == before["steps"] == 0
    assert Requisition.objects.get(pk=small.pk).total == 0


def test_the_preview_says_a_submit_would_be_refused_over_budget(world, as_buyer):
    today = timezone.localdate()
    Budget.objects.create(
        company=world.company,
        department=world.design,
        period=Budget.Period.MONTH,
        starts_on=today,
        ends_on=today + timedelta(days=1),
        amount=100_000,
    )
    requisition = draft(world, (world.sku_b, 1))
    body = as_buyer.get(f"/api/v1/requisitions/{requisition.pk}/preview").json()
    assert (body["over_budget"], body["refused_over_budget"]) == (True, True)
    response = post(as_buyer, f"/api/v1/requisitions/{requisition.pk}/submit", key="s-1")
    assert (response.status_code, error(response)["code"]) == (409, "over_budget")
    assert Requisition.objects.get(pk=requisition.pk).state == "draft"


def test_out_of_stock_at_submit(world, as_buyer):
    requisition = draft(world, (world.sku_a, 21))
    response = post(as_buyer, f"/api/v1/requisitions/{requisition.pk}/submit", key="s-1")
    assert (response.status_code, error(response)["code"]) == (409, "out_of_stock")
    requisition.refresh_from_db()
    assert requisition.state == "draft" and requisition.lines.get().held == 0
