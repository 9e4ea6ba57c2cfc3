"""In Chromium: the approver opens their inbox, opens the conversation with the company's
account, sees the requisition's card with its total and approves it there; the card then
shows it ordered."""

import pytest

from infoconnect.procurement.models import Requisition
from infoconnect.procurement.tests.requisitions.world import make_world, submitted


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_approver_approves_from_the_inbox(page, login, make_user):
    from playwright.sync_api import expect

    world = make_world(make_user)
    requisition = submitted(world, (world.sku_a, 2))

    login("approver")
    page.goto("/messages/")
    page.get_by_role("link", name=world.company.legal_name).first.click()
    card = page.get_by_test_id("requisition-card")
    expect(card.get_by_test_id("requisition-reference")).to_have_text(f"R-{requisition.pk}")
    expect(card.get_by_test_id("requisition-total")).to_have_text("¥6,200.00")
    expect(card.get_by_test_id("requisition-state")).to_have_text("Awaiting approval")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator(".flash-success")).to_have_text(
        f"Requisition R-{requisition.pk} is approved and its orders are placed."
    )
    card = page.get_by_test_id("requisition-card")
    expect(card.get_by_test_id("requisition-state")).to_have_text("Ordered")
    expect(card.get_by_role("button", name="Approve")).to_have_count(0)
    assert Requisition.objects.get(pk=requisition.pk).state == Requisition.State.ORDERED
