"""What happens when the last approval finds the budget used up since the submit, and when
the company wallet cannot pay: the requisition goes to the over-budget level, or stays
approved for finance to place again after a top-up (ordering.py)."""

import pytest

from infoconnect.procurement.actions import approvals, submission
from infoconnect.procurement.models import Requisition
from infoconnect.procurement.tests.invariants.world import budget_world, draft_for, month_budget
from infoconnect.procurement.tests.requisitions.world import submitted
from infoconnect.wallet.models import AccountKind, LedgerAccount

State = Requisition.State


@pytest.mark.django_db
def test_a_budget_used_up_since_the_submit_sends_it_to_the_over_budget_level(make_user):
    world = budget_world(make_user)
    month_budget(world, world.design, 700_000)
    first = submitted(world, (world.sku_a, 2), po_number="PO-1")
    second = draft_for(world, world.design, (world.sku_a, 2), po_number="PO-2")
    second = submission.submit_requisition(user=world.buyer, requisition_id=second.pk)
    approvals.approve_requisition(user=world.approver, requisition_id=first.pk)
    approvals.approve_requisition(user=world.approver, requisition_id=second.pk)
    second.refresh_from_db()
    assert (second.state, second.over_budget, second.round) == (State.PENDING, True, 2)


@pytest.mark.django_db
def test_a_short_company_wallet_leaves_it_approved_for_placing_again(make_user):
    world = budget_world(make_user)
    requisition = submitted(world, (world.sku_a, 2))
    LedgerAccount.objects.filter(kind=AccountKind.COMPANY_WALLET, owner_id=world.company.pk).update(
        balance=0
    )
    approvals.approve_requisition(user=world.approver, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert (requisition.state, requisition.placing_error) == (
        State.APPROVED,
        "insufficient_company_funds",
    )
