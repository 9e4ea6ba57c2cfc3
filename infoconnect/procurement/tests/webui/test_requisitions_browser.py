"""In Chromium: a company admin sets the ¥5,000.00 rule, a buyer acting for the company fills
a requisition from two merchants' product pages, sees the rule that fires and submits; the
approver approves it from the card in their inbox, the two orders appear with the PO number
and the department's budget bar moves. And a rejection's reason reaches the buyer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Budget, Requisition
from infoconnect.procurement.tests.requisitions.world import make_world, submitted


def new_page(browser, live_server, login, username):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, target=page)
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_requisition_from_two_merchants_is_approved_and_ordered(
    browser, live_server, login, make_user
):
    from playwright.sync_api import expect

    world = make_world(make_user, threshold=None)
    company = world.company
    today = timezone.localdate()
    month = today.replace(day=1)
    Budget.objects.create(
        company=company, department=world.design, period="month", starts_on=month,
        ends_on=(month + timedelta(days=32)).replace(day=1), amount=2_000_000,
    )  # fmt: skip

    admin = new_page(browser, live_server, login, world.admin.username)
    admin.goto(f"/companies/{company.pk}/rules/")
    admin.get_by_text("Add a rule").click()
    form = admin.get_by_test_id("create-rule")
    form.get_by_label("Name", exact=True).fill("Over ¥5,000.00")
    form.get_by_label("Total at least (¥)").fill("5000.00")
    form.get_by_role("button", name="Add rule").click()
    expect(admin.locator(".flash-success")).to_have_text("Rule added.")
    admin.get_by_role("button", name="Add level").click()
    expect(admin.locator(".flash-success")).to_have_text("Level added.")
    admin.get_by_text("Add an approver").click()
    admin.get_by_label("Approver", exact=True).select_option(label="Approver")
    admin.get_by_role("button", name="Add approver").click()
    expect(admin.locator(".flash-success")).to_have_text("Approver added.")

    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/shop/p/{world.sku_a.product_id}/")
    with buyer.expect_navigation():
        buyer.get_by_label("Acting for").select_option(label=company.legal_name)
    add_form = buyer.get_by_test_id("requisition-add")
    add_form.get_by_label("Quantity for the company").fill("1")
    add_form.get_by_role("button", name=f"Add to requisition for {company.legal_name}").click()
    expect(buyer.locator(".flash-success")).to_have_text(
        f"Added Laser printer to the requisition for {company.legal_name}."
    )
    expect(buyer.locator("#nav-requisition-cart .badge")).to_have_text("1")
    buyer.goto(f"/shop/p/{world.sku_b.product_id}/")
    add_form = buyer.get_by_test_id("requisition-add")
    add_form.get_by_label("Quantity for the company").fill("2")
    add_form.get_by_role("button", name=f"Add to requisition for {company.legal_name}").click()
    expect(buyer.locator("#nav-requisition-cart .badge")).to_have_text("2")

    buyer.locator("#nav-requisition-cart").click()
    expect(buyer.get_by_test_id("merchant-group")).to_have_count(2)
    expect(buyer.get_by_test_id("cart-total")).to_have_text("¥6,200.00")
    details = buyer.get_by_test_id("cart-details")
    expect(details.get_by_label("Department")).to_have_value(str(world.design.pk))
    details.get_by_label("Ship to").select_option(str(world.ship_to.pk))
    details.get_by_label("PO number").fill("PO-2026-042")
    details.get_by_label("Note").fill("For the new studio")
    details.get_by_role("button", name="Save details").click()
    expect(buyer.locator(".flash-success")).to_have_text("Details saved.")
    expect(buyer.get_by_test_id("preview-rule")).to_have_text(
        "Over ¥5,000.00: Needs approval by Approver (any one) because the total is at least "
        "¥5,000.00"
    )
    buyer.get_by_role("button", name="Submit requisition").click()
    expect(buyer.locator(".flash-success")).to_have_text("Submitted: it waits for approval.")
    expect(buyer.get_by_test_id("requisition-state")).to_have_text("Awaiting approval")
    requisition = Requisition.objects.get()

    admin.goto(f"/companies/{company.pk}/dashboard/")
    expect(admin.get_by_test_id("budget-used").first).to_have_text("¥0.00 of ¥20,000.00 used")

    # The approval request is in the approver's inbox, with the requisition's card.
    approver = new_page(browser, live_server, login, world.approver.username)
    approver.goto("/messages/")
    approver.get_by_role("link", name=company.legal_name).first.click()
    card = approver.get_by_test_id("requisition-card")
    expect(card.get_by_test_id("requisition-total")).to_have_text("¥6,200.00")
    card.get_by_role("button", name="Approve").click()
    expect(approver.locator(".flash-success")).to_contain_text(
        "is approved and its orders are placed"
    )
    expect(card.get_by_test_id("requisition-state")).to_have_text("Ordered")
    approver.goto(f"/companies/{company.pk}/requisitions/{requisition.pk}/")
    expect(approver.get_by_test_id("requisition-state")).to_have_text("Ordered")
    orders = approver.get_by_test_id("requisition-order")
    expect(orders).to_have_count(2)
    expect(approver.get_by_test_id("order-merchant")).to_have_text(["shop_a shop", "shop_b shop"])
    expect(approver.get_by_test_id("order-po")).to_have_text(["PO-2026-042", "PO-2026-042"])

    buyer.reload()
    expect(buyer.get_by_test_id("requisition-order")).to_have_count(2)
    expect(buyer.get_by_test_id("decision")).to_contain_text("Approver")
    # The budget bar moved by what was ordered.
    admin.reload()
    expect(admin.get_by_test_id("budget-used").first).to_have_text("¥6,200.00 of ¥20,000.00 used")
    for context in (admin.context, buyer.context, approver.context):
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_rejection_and_its_reason_reach_the_buyer(browser, live_server, login, make_user):
    from playwright.sync_api import expect

    world = make_world(make_user)
    requisition = submitted(world, (world.sku_a, 2))
    approver = new_page(browser, live_server, login, world.approver.username)
    approver.goto(f"/companies/{world.company.pk}/requisitions/{requisition.pk}/")
    reject = approver.get_by_test_id("reject-form")
    reject.get_by_label("Reason").fill("Buy one printer, not two")
    reject.get_by_role("button", name="Reject").click()
    expect(approver.locator(".flash-success")).to_contain_text("is rejected")
    expect(approver.get_by_test_id("decide")).to_have_count(0)

    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/companies/{world.company.pk}/requisitions/")
    buyer.get_by_role("link", name=requisition.reference).click()
    expect(buyer.get_by_test_id("requisition-state")).to_have_text("Rejected")
    expect(buyer.get_by_test_id("decision-reason")).to_contain_text("Buy one printer, not two")
    expect(buyer.get_by_test_id("decision")).to_contain_text("Rejected")
    for context in (approver.context, buyer.context):
        context.close()
