"""The requisition test world with budgets: Design and its Studio cost centre each have a
month's budget, a rule's over-budget level lets an approver allow more, and each department
has its own ship-to address."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from infoconnect.procurement.actions import requisitions, rules
from infoconnect.procurement.actions.rules import ApproverSpec, LevelSpec
from infoconnect.procurement.models import Budget, Department, Requisition
from infoconnect.procurement.tests.requisitions.world import World, make_world, ship_to
from infoconnect.shop.models import Sku


def month_budget(world: World, department: Department, amount: int) -> Budget:
    today = timezone.localdate()
    starts = date(today.year, today.month, 1)
    ends = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return Budget.objects.create(
        company=world.company,
        department=department,
        period=Budget.Period.MONTH,
        starts_on=starts,
        ends_on=ends,
        amount=amount,
    )


def budget_world(make_user, *, threshold: int | None = 500_000) -> World:
    world = make_world(make_user, threshold=threshold)
    rules.create_rule(
        user=world.admin,
        company_id=world.company.pk,
        name="Beyond the budget",
        levels=[
            LevelSpec(mode="any", is_over_budget=True, approvers=[ApproverSpec(role="approver")])
        ],
    )
    world.studio_ship_to = ship_to(world.studio)
    return world


def draft_for(
    world: World, department: Department, *items: tuple[Sku, int], po_number: str = "PO-1"
) -> Requisition:
    """The buyer's draft with ``items`` for ``department``, shipping to its address."""
    line = None
    for sku, quantity in items:
        line = requisitions.add_to_requisition(
            user=world.buyer, company_id=world.company.pk, sku_id=sku.pk, quantity=quantity
        )
    address = world.ship_to if department.pk == world.design.pk else world.studio_ship_to
    return requisitions.update_details(
        user=world.buyer,
        requisition_id=line.requisition_id,
        department_id=department.pk,
        ship_to_id=address.pk,
        po_number=po_number,
        note="",
    )
