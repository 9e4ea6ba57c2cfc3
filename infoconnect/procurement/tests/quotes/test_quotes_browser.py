"""In Chromium: a buyer acting for the company asks for a quote from a product page; the
merchant answers it from the card in their inbox; the buyer accepts it from the card in
theirs, and a requisition at the quoted price waits for the company's approval."""

from datetime import timedelta

import pytest
from django.utils import timezone

from infoconnect.procurement.models import Quote, Requisition
from infoconnect.procurement.tests.requisitions.world import make_world


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
def test_a_quote_asked_answered_and_accepted_in_the_inbox(browser, live_server, login, make_user):
    from playwright.sync_api import expect

    world = make_world(make_user)
    company = world.company

    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/shop/p/{world.sku_a.product_id}/")
    with buyer.expect_navigation():
        buyer.get_by_label("Acting for").select_option(label=company.legal_name)
    buyer.get_by_test_id("quote-ask").get_by_role("button", name="Ask for a quote").click()
    request = buyer.get_by_test_id("quote-request")
    request.get_by_label("Quantity, line 1").fill("10")
    request.get_by_label("Item, line 2").fill("Installation on site")
    request.get_by_label("Quantity, line 2").fill("1")
    request.get_by_label("Note").fill("For the new studio")
    request.get_by_role("button", name="Send the request").click()
    quote = Quote.objects.get()
    expect(buyer.locator(".flash-success")).to_have_text(
        f"Quote Q-{quote.pk} is asked for: shop_a answers in the inbox."
    )
    expect(buyer.get_by_test_id("quote-page-state")).to_have_text("Requested")

    merchant = new_page(browser, live_server, login, world.merchant_a.username)
    merchant.goto("/messages/")
    merchant.get_by_test_id(f"conversation-company-{company.pk}").click()
    card = merchant.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-state")).to_have_text("Requested")
    card.get_by_text("Quote", exact=True).click()
    card.get_by_label("Unit price for Laser printer colour: red (¥)").fill("2800.00")
    card.get_by_label("Unit price for Installation on site (¥)").fill("500.00")
    valid = (timezone.localdate() + timedelta(days=7)).isoformat()
    card.get_by_label("Valid until").fill(valid)
    card.get_by_role("button", name="Send quote").click()
    card = merchant.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-done")).to_have_text("Your quote is sent.")
    expect(card.get_by_test_id("quote-state")).to_have_text("Quoted")
    expect(card.get_by_test_id("quote-total")).to_have_text("¥28,500.00")
    expect(card.get_by_role("button", name="Send quote")).to_have_count(0)

    buyer.goto("/messages/")
    buyer.get_by_test_id(f"conversation-company-{company.pk}").click()
    card = buyer.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-valid-until")).to_have_text(valid)
    expect(card.get_by_test_id("quote-unit-price")).to_have_text(["¥2,800.00", "¥500.00"])
    card.get_by_text("Accept", exact=True).click()
    expect(card.get_by_test_id("quote-free-text-note")).to_have_text(
        "Free-text items are not bought with the requisition: only catalogue products can be "
        "ordered."
    )
    card.get_by_label("Department and ship-to address").select_option(
        f"{world.design.pk}:{world.ship_to.pk}"
    )
    card.get_by_label("PO number").fill("PO-2026-Q1")
    card.get_by_role("button", name="Accept and submit for approval").click()
    requisition_done = buyer.get_by_test_id("quote-done")
    expect(requisition_done).to_contain_text("is awaiting approval.")
    card = buyer.get_by_test_id("quote-card").last
    expect(card.get_by_test_id("quote-state")).to_have_text("Accepted")
    requisition = Requisition.objects.get(quote=quote)
    expect(requisition_done).to_have_text(
        f"Accepted: requisition R-{requisition.pk} is awaiting approval."
    )

    card.get_by_role("link", name=f"R-{requisition.pk}").click()
    expect(buyer.get_by_test_id("requisition-state")).to_have_text("Awaiting approval")
    expect(buyer.get_by_test_id("requisition-total")).to_have_text("¥28,000.00")
    for context in (buyer.context, merchant.context):
        context.close()
