"""Requisition lines at the company's price: added, requantified (tiers), at submit and on
the order; quantity rules refused with the rule named; a quote's locked price kept."""

import pytest

from infoconnect.core.errors import DomainError
from infoconnect.procurement.actions import price_lists, requisitions, submission
from infoconnect.procurement.errors import PricingError
from infoconnect.procurement.models import PriceList, Requisition, RequisitionLine
from infoconnect.procurement.tests.api.helpers import post, rows
from infoconnect.procurement.tests.pricing.world import framework, with_tiers
from infoconnect.procurement.tests.requisitions.world import draft
from infoconnect.shop.models import OrderLine, Sku

pytestmark = pytest.mark.django_db


def test_a_line_takes_the_contract_price_and_its_tier(world):
    plist = framework(world)
    with_tiers(world, plist, world.sku_a, (5, 250_000))
    line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_a.pk, quantity=2
    )
    assert (line.unit_price, line.list_price, line.price_reason) == (
        285_200, 310_000, "Price list 2026 framework, 8% off",
    )  # fmt: skip
    line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_a.pk, quantity=3
    )
    assert (line.quantity, line.unit_price, line.price_reason) == (
        5, 250_000, "Price list 2026 framework, tier ≥ 5",
    )  # fmt: skip
    line = requisitions.set_line_quantity(
        user=world.buyer, requisition_id=line.requisition_id, line_id=line.pk, quantity=4
    )
    line.refresh_from_db()
    assert (line.unit_price, line.price_reason) == (285_200, "Price list 2026 framework, 8% off")


def test_a_quantity_off_the_rule_is_refused_naming_it(world):
    plist = framework(world)
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        min_quantity=10, max_quantity=500, increment=5,
    )  # fmt: skip
    with pytest.raises(DomainError) as caught:
        requisitions.add_to_requisition(
            user=world.buyer, company_id=world.company.pk, sku_id=world.sku_a.pk, quantity=3
        )
    assert caught.value.error is PricingError.QUANTITY_RULE
    assert caught.value.message == "Order Laser printer in multiples of 5 (min 10, max 500)."
    assert not RequisitionLine.objects.exists()
    line = requisitions.add_to_requisition(
        user=world.buyer, company_id=world.company.pk, sku_id=world.sku_a.pk, quantity=10
    )
    with pytest.raises(DomainError) as caught:
        requisitions.set_line_quantity(
            user=world.buyer, requisition_id=line.requisition_id, line_id=line.pk, quantity=12
        )
    assert caught.value.status == 422
    line.refresh_from_db()
    assert line.quantity == 10


def test_the_order_is_placed_at_the_contract_price(world):
    framework(world)
    requisition = draft(world, (world.sku_a, 2))
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"
    assert requisition.total == 570_400
    order_line = OrderLine.objects.get(order__company_id=world.company.pk)
    assert order_line.unit_price == 285_200


def test_a_list_ending_before_submit_reprices_at_retail(world):
    plist = framework(world)
    requisition = draft(world, (world.sku_a, 1))
    PriceList.objects.filter(pk=plist.pk).update(active=False)
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    line = RequisitionLine.objects.get(requisition=requisition)
    assert (line.unit_price, line.list_price, line.price_reason) == (310_000, 310_000, "")


def test_a_locked_line_keeps_its_quoted_price(world):
    framework(world)
    requisition = draft(world, (world.sku_a, 1))
    RequisitionLine.objects.filter(requisition=requisition).update(
        unit_price=200_000, locked=True, price_reason="Quote Q-1"
    )
    line = RequisitionLine.objects.get(requisition=requisition)
    requisitions.set_line_quantity(
        user=world.buyer, requisition_id=requisition.pk, line_id=line.pk, quantity=2
    )
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    line.refresh_from_db()
    assert (line.unit_price, line.price_reason) == (200_000, "Quote Q-1")
    assert OrderLine.objects.get(order__company_id=world.company.pk).unit_price == 200_000


def test_a_quantity_rule_added_after_the_line_is_enforced_at_submit(world):
    plist = framework(world)
    requisition = draft(world, (world.sku_a, 3))
    stock = Sku.objects.get(pk=world.sku_a.pk).stock
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        min_quantity=10, increment=5,
    )  # fmt: skip
    before = rows()
    with pytest.raises(DomainError) as caught:
        submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    assert caught.value.error is PricingError.QUANTITY_RULE
    assert caught.value.message == "Order Laser printer in multiples of 5 (min 10)."
    assert rows() == before
    requisition.refresh_from_db()
    assert (requisition.state, requisition.round) == ("draft", 0)
    assert RequisitionLine.objects.get(requisition=requisition).held == 0
    assert Sku.objects.get(pk=world.sku_a.pk).stock == stock
    # At a quantity the rule allows, the same draft goes through.
    line = RequisitionLine.objects.get(requisition=requisition)
    requisitions.set_line_quantity(
        user=world.buyer, requisition_id=requisition.pk, line_id=line.pk, quantity=10
    )
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"


def test_the_submit_api_answers_422_naming_the_rule(api_client, world):
    plist = framework(world)
    requisition = draft(world, (world.sku_a, 3))
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        max_quantity=2,
    )  # fmt: skip
    response = post(
        api_client(world.buyer), f"/api/v1/requisitions/{requisition.pk}/submit", key="s-1"
    )
    assert response.status_code == 422
    assert response.json() == {"error": "Order Laser printer (max 2).", "code": "quantity_rule"}
    assert Requisition.objects.get(pk=requisition.pk).state == "draft"


def test_a_locked_line_keeps_its_quoted_quantity_at_submit(world):
    plist = framework(world)
    requisition = draft(world, (world.sku_a, 3))
    RequisitionLine.objects.filter(requisition=requisition).update(
        unit_price=200_000, locked=True, price_reason="Quote Q-1"
    )
    price_lists.set_entry(
        merchant=world.merchant_a, price_list_id=plist.pk, sku_id=world.sku_a.pk,
        min_quantity=10,
    )  # fmt: skip
    submission.submit_requisition(user=world.buyer, requisition_id=requisition.pk)
    requisition.refresh_from_db()
    assert requisition.state == "ordered"
