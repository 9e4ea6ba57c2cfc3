"""A requisition's way from the cart to its orders: submit, approve, orders per merchant."""

import pytest
from django.utils import translation

from infoconnect.core.errors import DomainError
from infoconnect.messaging.models import Message
from infoconnect.procurement.actions import approvals, submission
from infoconnect.procurement.models import ApprovalDecision, Requisition, RequisitionOrder
from infoconnect.procurement.tests.factories import grant
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.models import AccountKind, LedgerAccount

pytestmark = pytest.mark.django_db


def company_balance(world) -> int:
    return LedgerAccount.objects.get(
        kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk
    ).balance


def test_a_requisition_over_the_threshold_waits_and_holds_its_stock(world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    assert requisition.state == Requisition.State.PENDING
    assert requisition.total == 620_000
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 19
    assert Sku.objects.get(pk=world.sku_b.pk).stock == 18
    step = requisition.steps.get()
    assert "¥5,000.00" in step.explanation
    assert list(step.assignees.values_list("user_id", flat=True)) == [world.approver.pk]
    card = Message.objects.get(
        conversation__participants__user=world.approver, attachment_type="requisition"
    )
    world.company.refresh_from_db()
    assert card.sender_id == world.company.account_id
    assert card.attachment_type == "requisition" and card.attachment_id == requisition.pk


def test_the_approval_places_one_order_per_merchant_paid_by_the_company(world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    before = company_balance(world)
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.ORDERED
    orders = list(Order.objects.filter(requisition_id=requisition.pk).order_by("merchant_id"))
    assert [(o.merchant_id, o.total, o.state) for o in orders] == [
        (world.merchant_a.pk, 310_000, "paid"),
        (world.merchant_b.pk, 310_000, "paid"),
    ]
    assert {o.po_number for o in orders} == {"PO-2026-001"}
    assert {o.company_name for o in orders} == {world.company.legal_name}
    assert company_balance(world) == before - 620_000
    # The stock held is the orders' now: nothing taken twice.
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 19
    assert RequisitionOrder.objects.filter(requisition=requisition).count() == 2
    decision = ApprovalDecision.objects.get(requisition=requisition)
    assert len(decision.digest) == 64 and decision.snapshot["lines"]


def test_under_the_threshold_it_is_ordered_at_once(world):
    requisition = submitted(world, (world.sku_b, 1))
    assert requisition.state == Requisition.State.ORDERED


def test_two_requisitions_under_the_threshold_cannot_both_slip_through(world):
    first = submitted(world, (world.sku_b, 2), po_number="PO-1")  # ¥3,100.00
    assert first.state == Requisition.State.ORDERED
    second = submitted(world, (world.sku_b, 2), po_number="PO-2")
    assert second.state == Requisition.State.PENDING
    assert "30 days" in second.steps.get().explanation


def test_the_requester_never_approves_their_own(world, make_user):
    grant(world.company, world.admin, world.buyer, "approver")
    requisition = submitted(world, (world.sku_a, 2))
    with pytest.raises(DomainError) as caught:
        approvals.approve_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert caught.value.code == "self_approval"


def test_a_price_rise_sends_it_back_a_drop_does_not(world):
    requisition = submitted(world, (world.sku_a, 2))
    Sku.objects.filter(pk=world.sku_a.pk).update(price=320_000)
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    # Not what was submitted: a new round, at the new price, for the approver again.
    assert (requisition.state, requisition.round, requisition.total) == ("pending", 2, 640_000)
    assert not Order.objects.filter(requisition_id=requisition.pk).exists()
    Sku.objects.filter(pk=world.sku_a.pk).update(price=300_000)
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert (requisition.state, requisition.total) == ("ordered", 600_000)
    assert Order.objects.get(requisition_id=requisition.pk).total == 600_000


def test_rejecting_returns_the_stock(world):
    requisition = submitted(world, (world.sku_a, 2))
    approvals.reject_requisition(
        user=world.approver, requisition_id=requisition.pk, reason="Too expensive"
    )
    requisition.refresh_from_db()
    assert requisition.state == Requisition.State.REJECTED
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


def test_submit_needs_a_department_and_address(world):
    requisition = draft(world, (world.sku_a, 1))
    Requisition.objects.filter(pk=requisition.pk).update(ship_to=None)
    with pytest.raises(DomainError) as caught:
        submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert caught.value.code == "ship_to_required"
    assert Sku.objects.get(pk=world.sku_a.pk).stock == 20


def test_company_orders_stay_apart_from_the_persons_own(world, client):
    requisition = submitted(world, (world.sku_b, 1))
    order = Order.objects.get(requisition_id=requisition.pk)
    client.force_login(world.buyer)
    own = client.get("/shop/orders/")
    assert own.status_code == 200
    assert f"/shop/orders/{order.pk}/" not in own.content.decode()
    assert client.get(f"/shop/orders/{order.pk}/").status_code == 200
    listed = client.get(f"/companies/{world.company.pk}/orders/")
    assert f"/shop/orders/{order.pk}/" in listed.content.decode()


def test_without_a_rule_the_trail_names_no_approver(world):
    requisition = submitted(world, (world.sku_b, 1))
    approved = requisition.events.get(kind="approved")
    assert approved.actor_id is None
    assert approved.note == "No approval rule applies to it."
    assert not requisition.decisions.exists()


def test_each_member_reads_the_rule_that_fired_in_their_own_language(world):
    requisition = submitted(world, (world.sku_a, 2))
    step = requisition.steps.get()
    with translation.override("zh-hans"):
        chinese = step.explained()
    with translation.override("en"):
        english = step.explained()
    assert english.startswith("Needs approval by")
    assert "¥5,000.00" in chinese and chinese != english and "Needs" not in chinese
