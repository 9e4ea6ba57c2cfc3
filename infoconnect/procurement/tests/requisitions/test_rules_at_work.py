"""What the approval steps do: levels in order, all-of-them levels, delegation, escalation,
four eyes the rule allows, budgets, holds that expire, withdrawals and PO numbers."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.core import sweeps
from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import approvals, members, requisitions, rules, submission
from infoconnect.procurement.actions.rules import ApproverSpec, LevelSpec
from infoconnect.procurement.lifecycle import requisitions as requisition_lifecycle
from infoconnect.procurement.models import (
    ApprovalRule,
    ApprovalStep,
    Budget,
    BudgetCharge,
    Company,
    Delegation,
    Requisition,
    RequisitionEvent,
)
from infoconnect.procurement.tests.factories import add, grant
from infoconnect.procurement.tests.requisitions.world import draft, submitted
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.models import Order, Sku
from infoconnect.wallet.models import AccountKind, LedgerAccount

pytestmark = pytest.mark.django_db


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def stock(sku) -> int:
    return Sku.objects.get(pk=sku.pk).stock


def budget(world, department, amount):
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return Budget.objects.create(
        company=world.company,
        department=department,
        period="month",
        starts_on=start,
        ends_on=end,
        amount=amount,
    )


def second_level(world, person, mode="any"):
    rule = ApprovalRule.objects.get(company=world.company)
    rules.add_level(
        user=world.admin,
        company_id=world.company.pk,
        rule_id=rule.pk,
        mode=mode,
        approvers=[ApproverSpec(user_id=person.pk)],
    )


def test_levels_run_in_order(world, make_user):
    cfo = make_user("cfo")
    add(world.company, world.admin, cfo, "viewer")
    second_level(world, cfo)
    requisition = submitted(world, (world.sku_a, 2))
    first, second = requisition.steps.order_by("position")
    assert (first.state, second.state) == ("waiting", "queued")
    assert code_of(approvals.approve_requisition, user=cfo, requisition_id=requisition.pk) == (
        "not_an_approver"
    )
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    second.refresh_from_db()
    assert second.state == "waiting"
    approvals.approve_requisition(user=cfo, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"


def test_an_all_of_them_level_waits_for_each(world, make_user):
    other = make_user("approver2")
    add(world.company, world.admin, other, "approver")
    level = ApprovalRule.objects.get(company=world.company).levels.get()
    rules.update_level(user=world.admin, company_id=world.company.pk, level_id=level.pk, mode="all")
    requisition = submitted(world, (world.sku_a, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "pending"
    assert (
        code_of(approvals.approve_requisition, user=world.approver, requisition_id=requisition.pk)
        == "step_not_waiting"
    )
    approvals.approve_requisition(user=other, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"


def test_a_delegate_approves_for_the_approver(world, make_user):
    stand_in = make_user("stand_in")
    add(world.company, world.admin, stand_in, "viewer")
    now = timezone.now()
    Delegation.objects.create(
        company=world.company,
        delegator=world.approver,
        delegate=stand_in,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=3),
    )
    requisition = submitted(world, (world.sku_a, 2))
    approvals.approve_requisition(user=stand_in, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"
    decision = requisition.decisions.get()
    assert decision.on_behalf_of_id == world.approver.pk


def test_a_delegation_that_begins_while_the_step_waits(world, make_user):
    requisition = submitted(world, (world.sku_a, 2))
    stand_in = make_user("stand_in")
    add(world.company, world.admin, stand_in, "viewer")
    assert (
        code_of(approvals.approve_requisition, user=stand_in, requisition_id=requisition.pk)
        == "not_an_approver"
    )
    now = timezone.now()
    Delegation.objects.create(
        company=world.company, delegator=world.approver, delegate=stand_in,
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=1),
    )  # fmt: skip
    approvals.approve_requisition(user=stand_in, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"
    assert requisition.decisions.get().on_behalf_of_id == world.approver.pk


def test_a_late_step_escalates_to_the_company_approvers_never_the_requester(world, make_user):
    members.revoke_role(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk,
        role="approver", department_id=None,
    )  # fmt: skip
    local = make_user("local")
    add(world.company, world.admin, local, "approver", department=world.studio)
    rule = ApprovalRule.objects.get(company=world.company)
    level = rule.levels.get()
    approver_row = level.approvers.get()
    approver_row.department = world.studio
    approver_row.save()
    grant(world.company, world.admin, world.buyer, "buyer", department=world.studio)
    requisition = draft(world, (world.sku_a, 2))
    requisitions.update_details(
        user=world.buyer, requisition_id=requisition.pk, department_id=world.studio.pk,
        ship_to_id=world.ship_to.pk, po_number="PO-9",
    )  # fmt: skip
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    step = ApprovalStep.objects.get(requisition=requisition)
    assert set(step.assignees.values_list("user_id", flat=True)) == {local.pk}
    assert not approvals.escalate_step(approvalstep_id=step.pk)  # not due yet
    later = timezone.now() + timedelta(hours=49)
    assert approvals.escalate_step(approvalstep_id=step.pk, now=later)
    step.refresh_from_db()
    assert step.state == "escalated"
    assignees = set(step.assignees.values_list("user_id", flat=True))
    # No approver over Design, the parent: the company's administrators.
    assert world.admin.pk in assignees and world.buyer.pk not in assignees
    approvals.approve_requisition(user=world.admin, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"


def test_self_approval_only_when_the_rule_allows_it_and_recorded(world):
    grant(world.company, world.admin, world.buyer, "approver")
    ApprovalRule.objects.filter(company=world.company).update(allow_self_approval=True)
    requisition = submitted(world, (world.sku_a, 2))
    approvals.approve_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert requisition.decisions.get().self_approved


def test_no_one_to_approve_is_refused_and_nothing_held(world):
    rule = ApprovalRule.objects.get(company=world.company)
    level = rule.levels.get()
    level.approvers.all().delete()
    rules.add_approver(
        user=world.admin, company_id=world.company.pk, level_id=level.pk,
        user_id=world.buyer.pk,
    )  # fmt: skip
    requisition = draft(world, (world.sku_a, 2))
    assert (
        code_of(submission.submit_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "no_approver"
    )
    requisition.refresh_from_db()
    assert requisition.state == "draft" and stock(world.sku_a) == 20


def test_the_budget_is_committed_then_spent(world):
    design = budget(world, world.design, 1_000_000)
    requisition = submitted(world, (world.sku_a, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    design.refresh_from_db()
    assert (design.committed, design.spent) == (0, 620_000)
    assert BudgetCharge.objects.get(budget=design).spent == 620_000


def test_over_budget_without_an_over_budget_level_is_refused(world):
    budget(world, world.design, 100_000)
    requisition = draft(world, (world.sku_a, 1))
    assert (
        code_of(submission.submit_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "over_budget"
    )
    assert stock(world.sku_a) == 20


def test_over_budget_needs_the_over_budget_level(world, make_user):
    cfo = make_user("cfo")
    add(world.company, world.admin, cfo, "viewer")
    rule = ApprovalRule.objects.get(company=world.company)
    rules.add_level(
        user=world.admin, company_id=world.company.pk, rule_id=rule.pk,
        is_over_budget=True, approvers=[ApproverSpec(user_id=cfo.pk)],
    )  # fmt: skip
    design = budget(world, world.design, 400_000)
    requisition = submitted(world, (world.sku_a, 2))
    assert requisition.over_budget
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    approvals.approve_requisition(user=cfo, requisition_id=requisition.pk)
    design.refresh_from_db()
    assert (design.spent, design.over_approved) == (620_000, 220_000)


def test_the_hold_expires_and_gives_the_stock_back(world):
    requisition = submitted(world, (world.sku_a, 2))
    assert stock(world.sku_a) == 18
    assert not submission.expire_requisition(requisition_id=requisition.pk)
    later = timezone.now() + timedelta(days=8)
    assert submission.expire_requisition(requisition_id=requisition.pk, now=later)
    requisition.refresh_from_db()
    assert requisition.state == "expired" and stock(world.sku_a) == 20
    assert requisition.steps.get().state == "superseded"


def test_the_sweep_expires_holds(world):
    requisition = submitted(world, (world.sku_a, 2))
    counts = sweeps.run(now=timezone.now() + timedelta(days=8), app_label="procurement")
    assert counts["requisition.expire"] == 1
    requisition.refresh_from_db()
    assert requisition.state == "expired"


def test_withdraw_and_cancel_give_the_stock_back(world):
    requisition = submitted(world, (world.sku_a, 2))
    submission.withdraw_requisition(user=world.buyer, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "draft" and stock(world.sku_a) == 20
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert stock(world.sku_a) == 18
    assert (
        code_of(submission.cancel_requisition, user=world.approver, requisition_id=requisition.pk)
        == "role_required"
    )
    submission.cancel_requisition(user=world.admin, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "cancelled" and stock(world.sku_a) == 20
    kinds = list(
        RequisitionEvent.objects.filter(requisition=requisition).values_list("kind", flat=True)
    )
    assert kinds == ["submitted", "withdrawn", "submitted", "cancelled"]


def test_returned_lines_come_back_as_a_draft(world):
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    line = requisition.lines.get(sku=world.sku_b)
    approvals.reject_requisition(
        user=world.approver, requisition_id=requisition.pk, reason="One chair is enough",
        line_ids=[line.pk],
    )  # fmt: skip
    requisition.refresh_from_db()
    line.refresh_from_db()
    assert requisition.state == "draft" and line.returned_reason == "One chair is enough"
    assert stock(world.sku_b) == 20


def test_rejecting_needs_a_reason(world):
    requisition = submitted(world, (world.sku_a, 2))
    assert (
        code_of(
            approvals.reject_requisition,
            user=world.approver,
            requisition_id=requisition.pk,
            reason=" ",
        )
        == "reason_required"
    )
    requisition.refresh_from_db()
    assert requisition.state == "pending"


def test_unique_po_numbers_when_the_company_asks(world):
    Company.objects.filter(pk=world.company.pk).update(po_unique=True, po_required=True)
    submitted(world, (world.sku_b, 1), po_number="PO-7")
    requisition = draft(world, (world.sku_b, 1), po_number="PO-7")
    assert (
        code_of(submission.submit_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "po_number_taken"
    )
    requisitions.update_details(
        user=world.buyer, requisition_id=requisition.pk, department_id=world.design.pk,
        ship_to_id=world.ship_to.pk, po_number="",
    )  # fmt: skip
    assert (
        code_of(submission.submit_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "po_number_required"
    )


def test_bad_po_numbers_and_quantities(world):
    requisition = draft(world, (world.sku_b, 1))
    assert code_of(
        requisitions.update_details, user=world.buyer, requisition_id=requisition.pk,
        po_number="x" * 31,
    ) == "po_number_invalid"  # fmt: skip
    line = requisition.lines.get()
    assert code_of(
        requisitions.set_line_quantity, user=world.buyer, requisition_id=requisition.pk,
        line_id=line.pk, quantity=0,
    ) == "quantity_invalid"  # fmt: skip


def test_who_may_not_build_or_decide(world, make_user):
    outsider = make_user("outsider")
    assert code_of(
        requisitions.add_to_requisition, user=outsider, company_id=world.company.pk,
        sku_id=world.sku_a.pk,
    ) == "not_a_member"  # fmt: skip
    assert code_of(
        requisitions.add_to_requisition, user=world.approver, company_id=world.company.pk,
        sku_id=world.sku_a.pk,
    ) == "role_required"  # fmt: skip
    requisition = submitted(world, (world.sku_a, 2))
    assert (
        code_of(approvals.approve_requisition, user=outsider, requisition_id=requisition.pk)
        == "requisition_not_found"
    )
    members.remove_member(
        admin_user=world.admin, company_id=world.company.pk, member_user_id=world.approver.pk
    )
    assert (
        code_of(approvals.approve_requisition, user=world.approver, requisition_id=requisition.pk)
        == "requisition_not_found"
    )


def test_a_stale_digest_is_refused(world):
    requisition = submitted(world, (world.sku_a, 2))
    assert code_of(
        approvals.approve_requisition, user=world.approver, requisition_id=requisition.pk,
        seen_digest="0" * 64,
    ) == "requisition_changed"  # fmt: skip
    assert not requisition.decisions.exists()


def test_an_address_change_sends_it_back(world):
    requisition = submitted(world, (world.sku_a, 2))
    world.ship_to.street = "2 Another Road"
    world.ship_to.save()
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert (requisition.state, requisition.round) == ("pending", 2)
    assert not Order.objects.filter(requisition_id=requisition.pk).exists()


def test_a_short_company_wallet_leaves_it_approved_until_placed_again(world):
    account = LedgerAccount.objects.get(kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk)
    requisition = submitted(world, (world.sku_a, 17))  # ¥52,700.00 > ¥50,000.00
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "approved"
    assert requisition.placing_error == "insufficient_company_funds"
    assert LedgerAccount.objects.get(pk=account.pk).balance == account.balance
    assert requisition_lifecycle.allows(requisition, "place")
    assert (
        code_of(submission.place_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "insufficient_company_funds"
    )
    assert Requisition.objects.get(pk=requisition.pk).state == "approved"


def test_a_refund_releases_what_the_budget_spent(world):
    design = budget(world, world.design, 1_000_000)
    requisition = submitted(world, (world.sku_a, 1), (world.sku_b, 2))
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    order = Order.objects.get(requisition_id=requisition.pk, merchant_id=world.merchant_b.pk)
    shop_actions.cancel_order(person=world.merchant_b, order_id=order.pk)
    design.refresh_from_db()
    assert (design.committed, design.spent) == (0, 310_000)
    assert BudgetCharge.objects.get(budget=design).spent == 310_000
    assert (
        LedgerAccount.objects.get(
            kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk
        ).balance
        == 5_000_000 - 310_000
    )


def test_a_line_short_of_stock_holds_nothing(world):
    requisition = draft(world, (world.sku_a, 2), (world.sku_b, 3))
    Sku.objects.filter(pk=world.sku_b.pk).update(stock=2)
    with pytest.raises(DomainError) as caught:
        submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert caught.value.code == "out_of_stock"
    assert caught.value.message == "Not enough stock is left for Office chair (2 left)."
    assert (stock(world.sku_a), stock(world.sku_b)) == (20, 2)
    requisition.refresh_from_db()
    assert requisition.state == "draft" and not requisition.lines.filter(held__gt=0).exists()


def test_a_merchant_rule_counts_the_requisitions_from_that_merchant_over_30_days(world):
    ApprovalRule.objects.filter(company=world.company).update(active=False)
    level_rule = rules.create_rule(
        user=world.admin, company_id=world.company.pk, name="Chairs over ¥5,000.00",
        min_total=500_000, merchant_id=world.merchant_b.pk,
        levels=[LevelSpec(approvers=[ApproverSpec(role="approver")])],
    )  # fmt: skip
    printer = submitted(world, (world.sku_a, 1), po_number="PO-1")
    assert printer.state == "ordered"  # not from the merchant: not in the rule's scope
    chairs = submitted(world, (world.sku_b, 2), po_number="PO-2")
    assert chairs.state == "ordered"  # ¥3,100.00 of chairs, the printer not counted
    more = submitted(world, (world.sku_b, 2), po_number="PO-3")
    assert more.state == "pending"  # ¥6,200.00 of chairs in 30 days
    assert more.steps.get().rule_id == level_rule.pk


def test_an_old_requisition_no_longer_counts(world):
    first = submitted(world, (world.sku_b, 2), po_number="PO-1")
    Requisition.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=31))
    second = submitted(world, (world.sku_b, 2), po_number="PO-2")
    assert second.state == "ordered"


def test_a_po_number_used_before_the_setting_was_on_stays_taken(world):
    submitted(world, (world.sku_b, 1), po_number="PO-7")
    Company.objects.filter(pk=world.company.pk).update(po_unique=True)
    requisition = draft(world, (world.sku_b, 1), po_number="PO-7")
    assert (
        code_of(submission.submit_requisition, user=world.buyer, requisition_id=requisition.pk)
        == "po_number_taken"
    )
    assert Requisition.objects.get(pk=requisition.pk).state == "draft"
