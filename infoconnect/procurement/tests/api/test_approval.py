"""The requisitions API from submit to orders: approving what was seen, idempotent money moves,
rejecting, withdrawing, cancelling, placing again, and who may not."""

import pytest

from infoconnect.api.tests.conftest import error
from infoconnect.procurement.actions import members
from infoconnect.procurement.models import ApprovalDecision, Requisition, RequisitionOrder
from infoconnect.procurement.tests.api.helpers import new_body, post, rows
from infoconnect.procurement.tests.factories import add, grant
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.models import AccountKind, LedgerAccount

pytestmark = pytest.mark.django_db


def url(requisition, verb=""):
    pk = requisition if isinstance(requisition, int) else requisition.pk
    return f"/api/v1/requisitions/{pk}/{verb}".rstrip("/")


def company_balance(world) -> int:
    return LedgerAccount.objects.get(
        kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk
    ).balance


def test_create_submit_approve_and_the_orders_it_placed(world, as_buyer, as_approver):
    created = post(
        as_buyer, "/api/v1/requisitions", new_body(world, (world.sku_a, 1), (world.sku_b, 2))
    ).json()
    response = post(as_buyer, url(created["id"], "submit"), key="submit-1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["round"], body["total"]) == ("pending", 1, 620_000)
    assert body["submitted_at"] and body["hold_expires_at"]
    assert [line["held"] for line in body["lines"]] == [1, 2]
    [step] = body["steps"]
    assert (step["round"], step["position"], step["rule_name"], step["state"]) == (
        1,
        1,
        "Over ¥5,000.00",
        "waiting",
    )
    assert "¥5,000.00" in step["explanation"] and step["due_at"]
    assert step["assignees"] == [
        {
            "user_id": world.approver.pk,
            "username": "approver",
            "via": "role",
            "on_behalf_of_id": None,
        }
    ]
    # The approver finds it waiting for them, and approves what they were shown.
    listed = as_approver.get(
        "/api/v1/requisitions", {"company_id": world.company.pk, "awaiting_me": "true"}
    ).json()
    assert [row["id"] for row in listed] == [created["id"]]
    shown = as_approver.get(url(created["id"])).json()
    before = company_balance(world)
    response = post(
        as_approver, url(created["id"], "approve"), {"digest": shown["digest"]}, key="approve-1"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "ordered"
    orders = sorted(body["orders"], key=lambda order: order["merchant_id"])
    assert [(o["merchant_id"], o["total"], o["state"], o["po_number"]) for o in orders] == [
        (world.merchant_a.pk, 310_000, "paid", "PO-API-1"),
        (world.merchant_b.pk, 310_000, "paid", "PO-API-1"),
    ]
    assert {o["id"] for o in orders} == set(
        Order.objects.filter(requisition_id=created["id"]).values_list("pk", flat=True)
    )
    [approval] = body["approvals"]
    assert (approval["approver_id"], approval["approver_username"], approval["decision"]) == (
        world.approver.pk,
        "approver",
        "approve",
    )
    assert approval["digest"] == shown["digest"] and approval["self_approved"] is False
    assert [event["kind"] for event in body["events"]][-1] == "ordered"
    assert company_balance(world) == before - 620_000
    listed = as_approver.get(
        "/api/v1/requisitions", {"company_id": world.company.pk, "awaiting_me": "true"}
    ).json()
    assert listed == []


def test_a_replayed_submit_and_approve_place_one_set_of_orders(world, as_buyer, as_approver):
    requisition = draft(world, (world.sku_a, 1), (world.sku_b, 2))
    first = post(as_buyer, url(requisition, "submit"), key="s-1")
    again = post(as_buyer, url(requisition, "submit"), key="s-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 19
    # Another key is another submit: the requisition is no longer a draft.
    other = post(as_buyer, url(requisition, "submit"), key="s-2")
    assert (other.status_code, error(other)["code"]) == (409, "requisition_invalid_state")
    first = post(as_approver, url(requisition, "approve"), key="a-1")
    again = post(as_approver, url(requisition, "approve"), key="a-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Order.objects.filter(requisition_id=requisition.pk).count() == 2
    assert ApprovalDecision.objects.count() == 1
    # The same key with another body is refused.
    response = post(as_approver, url(requisition, "approve"), {"digest": "0" * 64}, key="a-1")
    assert (response.status_code, error(response)["code"]) == (409, "idempotency_key_reused")


def test_money_moves_need_a_key(world, as_buyer, as_approver):
    requisition = draft(world, (world.sku_a, 2))
    before = rows()
    response = post(as_buyer, url(requisition, "submit"))
    assert (response.status_code, error(response)["code"]) == (400, "idempotency_key_missing")
    assert rows() == before
    requisition = Requisition.objects.get(pk=requisition.pk)
    assert requisition.state == "draft"
    post(as_buyer, url(requisition, "submit"), key="s-1")
    response = post(as_approver, url(requisition, "approve"))
    assert (response.status_code, error(response)["code"]) == (400, "idempotency_key_missing")
    response = post(as_buyer, url(requisition, "place"))
    assert (response.status_code, error(response)["code"]) == (400, "idempotency_key_missing")
    assert ApprovalDecision.objects.count() == 0


def test_a_stale_digest_is_refused(world, as_approver):
    requisition = submitted(world, (world.sku_a, 2))
    shown = as_approver.get(url(requisition)).json()["digest"]
    Sku.objects.filter(pk=world.sku_a.pk).update(price=320_000)
    response = post(as_approver, url(requisition, "approve"), {"digest": shown}, key="a-1")
    assert (response.status_code, error(response)["code"]) == (409, "requisition_changed")
    assert ApprovalDecision.objects.count() == 0 and Order.objects.count() == 0
    fresh = as_approver.get(url(requisition)).json()["digest"]
    assert fresh != shown
    response = post(as_approver, url(requisition, "approve"), {"digest": fresh}, key="a-2")
    # The price rose since the submit: a new round at the new price.
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["round"]) == ("pending", 2)


def test_who_may_not_approve(world, api_client, make_user):
    viewer = make_user("viewer")
    add(world.company, world.admin, viewer, "viewer")
    grant(world.company, world.admin, world.buyer, "approver")
    requisition = submitted(world, (world.sku_a, 2))
    for person, status, code in [
        (viewer, 403, "not_an_approver"),
        (world.buyer, 403, "self_approval"),
        (world.finance, 403, "not_an_approver"),
        (make_user("stranger"), 404, "requisition_not_found"),
    ]:
        response = post(api_client(person), url(requisition, "approve"), key=f"a-{person.pk}")
        assert (response.status_code, error(response)["code"]) == (status, code), person
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    response = post(api_client(world.approver), url(requisition, "approve"), key="a-removed")
    assert (response.status_code, error(response)["code"]) == (404, "requisition_not_found")
    assert ApprovalDecision.objects.count() == 0
    assert Requisition.objects.get(pk=requisition.pk).state == "pending"


def test_no_approver_is_refused_at_submit(world, as_buyer):
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    requisition = draft(world, (world.sku_a, 2))
    response = post(as_buyer, url(requisition, "submit"), key="s-1")
    assert (response.status_code, error(response)["code"]) == (409, "no_approver")
    assert Requisition.objects.get(pk=requisition.pk).state == "draft"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "validation_error"),
        ({"reason": "  "}, "reason_required"),
        ({"reason": "No", "line_ids": [999_999]}, "line_not_found"),
    ],
)
def test_a_bad_reject_changes_nothing(world, as_approver, body, code):
    requisition = submitted(world, (world.sku_a, 2))
    response = post(as_approver, url(requisition, "reject"), body)
    assert response.status_code == 422 if code != "line_not_found" else 404
    assert error(response)["code"] == code
    assert Requisition.objects.get(pk=requisition.pk).state == "pending"
    assert ApprovalDecision.objects.count() == 0


def test_rejecting_and_sending_lines_back(world, as_buyer, as_approver):
    requisition = submitted(world, (world.sku_a, 2), (world.sku_b, 1))
    line = requisition.lines.get(sku=world.sku_b)
    response = post(
        as_approver, url(requisition, "reject"), {"reason": "Cheaper chair", "line_ids": [line.pk]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "draft" and body["decision_reason"] == "Cheaper chair"
    returned = {row["id"]: row["returned_reason"] for row in body["lines"]}
    assert returned[line.pk] == "Cheaper chair"
    assert body["approvals"][0]["decision"] == "return"
    post(as_buyer, url(requisition, "submit"), key="s-2")
    response = post(as_approver, url(requisition, "reject"), {"reason": "Not this quarter"})
    assert response.json()["state"] == "rejected"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


def test_withdraw_and_cancel(world, api_client, as_buyer, as_approver):
    requisition = submitted(world, (world.sku_a, 2))
    response = post(as_approver, url(requisition, "withdraw"))
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    response = post(as_buyer, url(requisition, "withdraw"))
    assert response.status_code == 200 and response.json()["state"] == "draft"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20
    response = post(as_buyer, url(requisition, "withdraw"))
    assert (response.status_code, error(response)["code"]) == (409, "requisition_invalid_state")
    response = post(as_approver, url(requisition, "cancel"))
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    response = post(api_client(world.admin), url(requisition, "cancel"), key="c-1")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    response = post(as_buyer, url(requisition, "cancel"))
    assert (response.status_code, error(response)["code"]) == (409, "requisition_invalid_state")


def test_placing_needs_an_approved_requisition_and_its_requester_or_finance(
    world, api_client, as_buyer, as_approver
):
    requisition = submitted(world, (world.sku_a, 2))
    response = post(as_approver, url(requisition, "place"), key="p-1")
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    for client, key in [(as_buyer, "p-2"), (api_client(world.finance), "p-3")]:
        response = post(client, url(requisition, "place"), key=key)
        assert (response.status_code, error(response)["code"]) == (409, "requisition_invalid_state")
    assert Order.objects.count() == 0


def test_placing_again_after_the_wallet_was_short(world, api_client, as_buyer, as_approver):
    requisition = submitted(world, (world.sku_a, 2))
    account = LedgerAccount.objects.get(kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk)
    LedgerAccount.objects.filter(pk=account.pk).update(balance=0)
    response = post(as_approver, url(requisition, "approve"), key="a-1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["placing_error"], body["orders"]) == (
        "approved",
        "insufficient_company_funds",
        [],
    )
    response = post(as_buyer, url(requisition, "place"), key="p-1")
    assert (response.status_code, error(response)["code"]) == (409, "insufficient_company_funds")
    response = post(as_approver, url(requisition, "place"), key="p-2")
    assert (response.status_code, error(response)["code"]) == (403, "role_required")
    LedgerAccount.objects.filter(pk=account.pk).update(balance=account.balance)
    response = post(api_client(world.finance), url(requisition, "place"), key="p-3")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "ordered"
    again = post(api_client(world.finance), url(requisition, "place"), key="p-3")
    assert again.json() == response.json()
    assert RequisitionOrder.objects.filter(requisition=requisition).count() == 1


def test_approving_without_a_body(world, as_approver):
    requisition = submitted(world, (world.sku_a, 2))
    response = as_approver.post(
        url(requisition, "approve"),
        content_type="application/json",
        headers={"Idempotency-Key": "a-1"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "ordered"


def test_the_endpoints_are_in_the_openapi_document(api_client, world):
    paths = api_client(world.buyer).get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/requisitions",
        "/api/v1/requisitions/{requisition_id}",
        "/api/v1/requisitions/{requisition_id}/preview",
        "/api/v1/requisitions/{requisition_id}/submit",
        "/api/v1/requisitions/{requisition_id}/approve",
        "/api/v1/requisitions/{requisition_id}/reject",
        "/api/v1/requisitions/{requisition_id}/withdraw",
        "/api/v1/requisitions/{requisition_id}/cancel",
        "/api/v1/requisitions/{requisition_id}/place",
    ]:
        assert path in paths, path


@pytest.mark.parametrize("verb", ["submit", "approve", "reject", "withdraw", "cancel", "place"])
def test_an_unknown_requisition(world, as_buyer, verb):
    body = {"reason": "No"} if verb == "reject" else {}
    response = post(as_buyer, url(999_999, verb), body, key=f"k-{verb}")
    assert (response.status_code, error(response)["code"]) == (404, "requisition_not_found")
    response = post(as_buyer, f"/api/v1/requisitions/abc/{verb}", body, key=f"k2-{verb}")
    assert (response.status_code, error(response)["code"]) == (422, "validation_error")
    assert rows() == {key: 0 for key in rows()}
