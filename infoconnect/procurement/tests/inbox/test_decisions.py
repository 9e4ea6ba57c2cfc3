"""Approve and Reject posted from the inbox card: what they decide, where they go back to,
and who may not."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from infoconnect.procurement.actions import members
from infoconnect.procurement.actions.notices import company_account
from infoconnect.procurement.inbox_cards import requisition_card
from infoconnect.procurement.models import ApprovalDecision, Requisition, RequisitionOrder
from infoconnect.procurement.tests.factories import VALID_2, add, make_company
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.shop.models import Order, Sku

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def inbox_url(world) -> str:
    return f"/messages/@{company_account(world.company).username}/"


def decide(client, requisition, verb: str, **data):
    return client.post(
        f"/companies/{requisition.company_id}/requisitions/{requisition.pk}/{verb}/", data
    )


def flashes(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def card_digest(client, world) -> str:
    page = client.get(inbox_url(world)).content.decode()
    return re.search(r'name="digest" value="([0-9a-f]+)"', page).group(1)


def test_approve_from_the_inbox_places_the_orders(world):
    requisition = submitted(world, (world.sku_a, 2))
    client = client_for(world.approver)
    response = decide(
        client, requisition, "approve", digest=card_digest(client, world), next=inbox_url(world)
    )
    assert response.status_code == 302
    assert response.url == inbox_url(world)
    assert flashes(response) == [
        ("success", f"Requisition R-{requisition.pk} is approved and its orders are placed.")
    ]
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.ORDERED
    order = Order.objects.get(requisition_id=requisition.pk)
    assert order.total == 620_000
    assert RequisitionOrder.objects.filter(requisition=requisition).count() == 1
    page = client.get(inbox_url(world)).content.decode()
    assert '<strong data-testid="requisition-state">Ordered</strong>' in page
    assert 'data-testid="requisition-approve"' not in page


def test_reject_with_a_reason_rejects_it_whole(world):
    requisition = submitted(world, (world.sku_a, 2))
    response = decide(
        client_for(world.approver), requisition, "reject", reason="Not this quarter",
        next=inbox_url(world),
    )  # fmt: skip
    assert response.url == inbox_url(world)
    assert flashes(response) == [("success", f"Requisition R-{requisition.pk} is rejected.")]
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.REJECTED
    assert requisition.decision_reason == "Not this quarter"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


def test_reject_naming_lines_sends_them_back_for_changes(world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    chair = requisition.lines.get(sku=world.sku_b)
    response = decide(
        client_for(world.approver), requisition, "reject", reason="One chair is enough",
        line_ids=[chair.pk],
    )  # fmt: skip
    assert flashes(response) == [
        ("success", f"Requisition R-{requisition.pk} is sent back to its requester for changes.")
    ]
    # No ``next``: back to the requisition's page.
    assert response.url == f"/companies/{world.company.pk}/requisitions/{requisition.pk}/"
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.DRAFT
    assert dict(requisition.lines.values_list("sku_id", "returned_reason")) == {
        world.sku_a.pk: "",
        world.sku_b.pk: "One chair is enough",
    }


def test_reject_without_a_reason_decides_nothing(world):
    requisition = submitted(world, (world.sku_a, 2))
    response = decide(client_for(world.approver), requisition, "reject", reason="  ")
    assert flashes(response) == [("error", "Write the reason (up to 500 characters).")]
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    assert not ApprovalDecision.objects.exists()


def test_reject_naming_another_requisitions_line_decides_nothing(world):
    requisition = submitted(world, (world.sku_a, 2))
    response = decide(
        client_for(world.approver), requisition, "reject", reason="No", line_ids=["999999"]
    )
    assert flashes(response) == [("error", "That line is not in the requisition.")]
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING
    assert not ApprovalDecision.objects.exists()


def test_a_stale_digest_is_refused_and_the_card_shows_it_anew(world):
    requisition = submitted(world, (world.sku_a, 2))
    client = client_for(world.approver)
    seen = card_digest(client, world)
    Sku.objects.filter(pk=world.sku_a.pk).update(price=320_000)
    response = decide(client, requisition, "approve", digest=seen, next=inbox_url(world))
    assert response.url == inbox_url(world)
    assert flashes(response) == [
        (
            "error",
            "The requisition changed since you opened it: look at it again before deciding.",
        )
    ]
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.PENDING
    assert not ApprovalDecision.objects.exists()
    assert not Order.objects.exists()
    fresh = card_digest(client, world)
    assert fresh != seen
    assert fresh == requisition_card(world.approver, requisition.pk).digest


def test_a_removed_member_cannot_decide(world):
    requisition = submitted(world, (world.sku_a, 2))
    client = client_for(world.approver)
    seen = card_digest(client, world)
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    assert decide(client, requisition, "approve", digest=seen).status_code == 404
    assert decide(client, requisition, "reject", reason="No").status_code == 404
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING
    assert not ApprovalDecision.objects.exists()


def test_the_requester_and_a_viewer_cannot_decide(world, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    response = decide(client_for(world.buyer), requisition, "approve")
    assert flashes(response) == [("error", "You cannot approve your own requisition.")]
    viewer = make_user("viewer")
    add(world.company, world.admin, viewer, "viewer")
    response = decide(client_for(viewer), requisition, "approve")
    assert flashes(response) == [("error", "You are not an approver of this requisition.")]
    response = decide(client_for(viewer), requisition, "reject", reason="No")
    assert flashes(response) == [("error", "You are not an approver of this requisition.")]
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING
    assert not ApprovalDecision.objects.exists()


def test_another_companys_member_is_told_it_does_not_exist(world, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    stranger = make_user("other_boss")
    make_company(stranger, name="Other Co., Ltd.", code=VALID_2)
    assert decide(client_for(stranger), requisition, "approve").status_code == 404
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING


def test_the_wrong_company_in_the_path_is_not_found(world, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    other = make_company(make_user("other_boss"), name="Other Co., Ltd.", code=VALID_2)
    response = client_for(world.approver).post(
        f"/companies/{other.pk}/requisitions/{requisition.pk}/approve/"
    )
    assert response.status_code == 404
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING


def test_a_foreign_next_goes_to_the_requisition_page(world):
    requisition = submitted(world, (world.sku_a, 2))
    response = decide(
        client_for(world.approver), requisition, "reject", reason="No",
        next="https://evil.example/steal",
    )  # fmt: skip
    assert response.url == f"/companies/{world.company.pk}/requisitions/{requisition.pk}/"


def test_only_a_signed_in_post_decides(world):
    requisition = submitted(world, (world.sku_a, 2))
    path = f"/companies/{world.company.pk}/requisitions/{requisition.pk}/approve/"
    anonymous = Client().post(path)
    assert anonymous.status_code == 302 and anonymous.url.startswith("/accounts/login/")
    assert client_for(world.approver).get(path).status_code == 405
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.PENDING
