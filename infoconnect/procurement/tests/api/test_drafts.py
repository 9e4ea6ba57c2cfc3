"""The requisitions API's draft: creating it with its lines and details, one per member and
company, changing it, and who may not; a bad request writes nothing."""

import pytest

from infoconnect.api.tests.conftest import error
from infoconnect.procurement.actions import members
from infoconnect.procurement.models import Requisition
from infoconnect.procurement.tests.api.helpers import new_body, patch, post, rows
from infoconnect.procurement.tests.factories import VALID_2, add, make_company
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.shop.models import Sku

pytestmark = pytest.mark.django_db


def test_creating_a_draft_with_lines_and_details(world, as_buyer):
    response = post(
        as_buyer, "/api/v1/requisitions", new_body(world, (world.sku_a, 1), (world.sku_b, 2))
    )
    assert response.status_code == 201, response.content
    body = response.json()
    requisition = Requisition.objects.get()
    assert body["id"] == requisition.pk and body["reference"] == f"R-{requisition.pk}"
    assert (body["state"], body["company_id"], body["po_number"], body["note"]) == (
        "draft",
        world.company.pk,
        "PO-API-1",
        "Studio fit-out",
    )
    assert body["requester"] == {"id": world.buyer.pk, "username": "buyer", "display_name": "Buyer"}
    assert body["department"] == {"id": world.design.pk, "name": "Design"}
    assert body["ship_to"]["id"] == world.ship_to.pk and body["ship_to"]["city"] == "Beijing"
    assert [(line["sku_id"], line["quantity"], line["unit_price"]) for line in body["lines"]] == [
        (world.sku_a.pk, 1, 310_000),
        (world.sku_b.pk, 2, 155_000),
    ]
    line = body["lines"][0]
    assert line["merchant_id"] == world.merchant_a.pk and line["title"] == "Laser printer"
    assert line["held"] == 0 and line["unit_price_display"] == "¥3,100.00"
    assert len(body["digest"]) == 64
    assert body["steps"] == body["approvals"] == body["orders"] == []


def test_a_second_draft_is_refused_naming_the_first(world, as_buyer):
    existing = draft(world, (world.sku_a, 1))
    before = rows()
    response = post(as_buyer, "/api/v1/requisitions", new_body(world, (world.sku_b, 1)))
    assert response.status_code == 409
    body = error(response)
    assert body["code"] == "draft_exists"
    assert body["details"] == {"requisition_id": existing.pk}
    assert rows() == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"lines": []}, 422, "requisition_empty"),
        ({"lines": [{"sku_id": 999_999, "quantity": 1}]}, 409, "product_unavailable"),
        ({"quantity": 0}, 422, "quantity_invalid"),
        ({"quantity": 10_000}, 422, "quantity_invalid"),
        ({"quantity": "many"}, 422, "validation_error"),
        ({"po_number": "no spaces allowed"}, 422, "po_number_invalid"),
        ({"note": "x" * 1001}, 422, "note_too_long"),
        ({"department_id": 999_999}, 404, "department_not_found"),
        ({"ship_to_id": 999_999}, 404, "ship_to_not_found"),
        ({"surprise": True}, 422, "validation_error"),
        ({"company_id": 999_999}, 404, "not_a_member"),
        ({"duplicate": True}, 422, "lines_repeated"),
    ],
)
def test_a_bad_create_writes_nothing(world, as_buyer, change, status, code):
    body = new_body(world, (world.sku_a, 1), (world.sku_b, 1))
    if "quantity" in change:
        body["lines"][1]["quantity"] = change.pop("quantity")
    if change.pop("duplicate", False):
        body["lines"].append({"sku_id": world.sku_a.pk, "quantity": 2})
    body.update(change)
    response = post(as_buyer, "/api/v1/requisitions", body)
    assert (response.status_code, error(response)["code"]) == (status, code)
    assert rows() == {key: 0 for key in rows()}


def test_a_department_the_buyer_does_not_buy_for_is_refused(world, as_buyer):
    body = new_body(world, (world.sku_a, 1), department_id=world.operations.pk, ship_to_id=None)
    response = post(as_buyer, "/api/v1/requisitions", body)
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    assert Requisition.objects.count() == 0


def test_who_may_not_create_one(world, api_client, make_user):
    # The approver holds no buyer role; a removed buyer and a stranger are not members.
    response = post(
        api_client(world.approver), "/api/v1/requisitions", new_body(world, (world.sku_a, 1))
    )
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.buyer.pk
    )
    response = post(
        api_client(world.buyer), "/api/v1/requisitions", new_body(world, (world.sku_a, 1))
    )
    assert (response.status_code, error(response)["code"]) == (404, "not_a_member")
    stranger = make_user("stranger")
    make_company(stranger, name="Other Co", code=VALID_2)
    response = post(api_client(stranger), "/api/v1/requisitions", new_body(world, (world.sku_a, 1)))
    assert (response.status_code, error(response)["code"]) == (404, "not_a_member")
    response = post(api_client(), "/api/v1/requisitions", new_body(world, (world.sku_a, 1)))
    assert (response.status_code, error(response)["code"]) == (401, "not_authenticated")
    assert Requisition.objects.count() == 0


def test_changing_the_details_and_replacing_the_lines(world, as_buyer):
    requisition = draft(world, (world.sku_a, 1))
    url = f"/api/v1/requisitions/{requisition.pk}"
    response = patch(as_buyer, url, {"note": "Chairs instead", "po_number": "PO-9"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["note"], body["po_number"]) == ("Chairs instead", "PO-9")
    # What was not sent stays.
    assert body["department"]["id"] == world.design.pk
    assert body["ship_to"]["id"] == world.ship_to.pk
    first_line = body["lines"][0]["id"]
    response = patch(
        as_buyer,
        url,
        {
            "lines": [
                {"sku_id": world.sku_b.pk, "quantity": 3},
                {"sku_id": world.sku_a.pk, "quantity": 2},
            ]
        },
    )
    assert response.status_code == 200, response.content
    lines = response.json()["lines"]
    assert [(line["id"] == first_line, line["sku_id"], line["quantity"]) for line in lines] == [
        (True, world.sku_a.pk, 2),
        (False, world.sku_b.pk, 3),
    ]
    response = patch(as_buyer, url, {"lines": [{"sku_id": world.sku_b.pk, "quantity": 3}]})
    assert [line["sku_id"] for line in response.json()["lines"]] == [world.sku_b.pk]
    assert Requisition.objects.get().lines.count() == 1


def test_a_bad_change_writes_nothing(world, as_buyer):
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 1))
    url = f"/api/v1/requisitions/{requisition.pk}"
    before = list(requisition.lines.values_list("sku_id", "quantity"))
    # The first line would change and the note too, but the new line is off sale.
    response = patch(
        as_buyer,
        url,
        {
            "note": "Changed",
            "lines": [
                {"sku_id": world.sku_a.pk, "quantity": 5},
                {"sku_id": 999_999, "quantity": 1},
            ],
        },
    )
    assert (response.status_code, error(response)["code"]) == (409, "product_unavailable")
    requisition.refresh_from_db()
    assert requisition.note == "For the new studio"
    assert list(requisition.lines.values_list("sku_id", "quantity")) == before
    for body, status, code in [
        ({"lines": [{"sku_id": world.sku_a.pk, "quantity": 0}]}, 422, "quantity_invalid"),
        ({"ship_to_id": 999_999}, 404, "ship_to_not_found"),
        ({"po_number": "bad po!"}, 422, "po_number_invalid"),
        ({"lines": "all"}, 422, "validation_error"),
    ]:
        response = patch(as_buyer, url, body)
        assert (response.status_code, error(response)["code"]) == (status, code), body
    assert list(requisition.lines.values_list("sku_id", "quantity")) == before


def test_only_the_requester_changes_only_a_draft(world, api_client, as_buyer, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    url = f"/api/v1/requisitions/{requisition.pk}"
    response = patch(as_buyer, url, {"note": "Late change"})
    assert (response.status_code, error(response)["code"]) == (409, "requisition_invalid_state")
    # The approver sees it but may not change it; another buyer does not see it.
    response = patch(api_client(world.approver), url, {"note": "Mine now"})
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    other_buyer = make_user("other_buyer")
    add(world.company, world.admin, other_buyer, "buyer", department=world.design)
    response = patch(api_client(other_buyer), url, {"note": "Mine now"})
    assert (response.status_code, error(response)["code"]) == (404, "requisition_not_found")
    response = patch(as_buyer, "/api/v1/requisitions/999999", {"note": "x"})
    assert (response.status_code, error(response)["code"]) == (404, "requisition_not_found")
    requisition.refresh_from_db()
    assert requisition.note == "For the new studio"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 18
