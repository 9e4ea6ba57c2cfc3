"""In Chromium: a merchant gives the company a price list from its products page, with a
product's tier and quantity rule; the company's buyer sees the contract price on the product
page, is refused a quantity off the rule with the rule named, and the cart shows the tier's
price beside the struck-through retail price, with why and the VAT."""

import pytest

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
def test_a_merchants_price_list_reaches_the_buyers_cart(browser, live_server, login, make_user):
    from playwright.sync_api import expect

    world = make_world(make_user, threshold=None)
    company = world.company

    shop = new_page(browser, live_server, login, world.merchant_a.username)
    shop.goto("/shop/manage/products/")
    shop.get_by_role("link", name="Price lists for companies").click()
    form = shop.get_by_test_id("new-price-list")
    form.get_by_label("Company (unified social credit code or id)").fill(company.uscc)
    form.get_by_label("Name").fill("2026 framework")
    form.get_by_label("Percentage off every product (%)").fill("8")
    form.get_by_role("button", name="Create price list").click()
    expect(shop.locator(".flash-success")).to_have_text("Price list 2026 framework created.")
    entry = shop.get_by_test_id("price-entry-form")
    entry.get_by_label("Product option").select_option(str(world.sku_a.pk))
    entry.get_by_label("Minimum").fill("2")
    entry.get_by_label("In multiples of").fill("2")
    entry.locator("#tier-quantity-0").fill("4")
    entry.locator("#tier-price-0").fill("2500.00")
    entry.get_by_role("button", name="Save product price").click()
    expect(shop.locator(".flash-success")).to_have_text("Entry saved.")
    expect(shop.get_by_test_id("price-tier")).to_have_text("from 4: ¥2,500.00")

    buyer = new_page(browser, live_server, login, world.buyer.username)
    buyer.goto(f"/shop/p/{world.sku_a.product_id}/")
    with buyer.expect_navigation():
        buyer.get_by_label("Acting for").select_option(label=company.legal_name)
    offer = buyer.get_by_test_id("company-price")
    expect(offer.get_by_test_id("retail-price")).to_have_text("¥3,100.00")
    expect(offer.get_by_test_id("unit-price")).to_have_text("¥2,852.00")
    expect(offer.get_by_test_id("price-reason")).to_have_text("Price list 2026 framework, 8% off")
    expect(offer.get_by_test_id("quantity-rule")).to_have_text(
        "Order Laser printer in multiples of 2 (min 2)."
    )
    add_form = buyer.get_by_test_id("requisition-add")
    add_form.get_by_label("Quantity for the company").fill("3")
    add_form.get_by_role("button", name=f"Add to requisition for {company.legal_name}").click()
    expect(buyer.locator(".flash-error")).to_have_text(
        "Order Laser printer in multiples of 2 (min 2)."
    )
    add_form = buyer.get_by_test_id("requisition-add")
    add_form.get_by_label("Quantity for the company").fill("4")
    add_form.get_by_role("button", name=f"Add to requisition for {company.legal_name}").click()
    expect(buyer.locator("#nav-requisition-cart .badge")).to_have_text("1")

    buyer.locator("#nav-requisition-cart").click()
    line = buyer.get_by_test_id("cart-line")
    expect(line.get_by_test_id("retail-price")).to_have_text("¥3,100.00")
    expect(line.get_by_test_id("unit-price")).to_have_text("¥2,500.00")
    expect(line.get_by_test_id("price-reason")).to_have_text("Price list 2026 framework, tier ≥ 4")
    expect(line.get_by_test_id("line-vat")).to_have_text("incl. VAT 13% · net ¥2,212.39")
    expect(buyer.get_by_test_id("cart-total")).to_have_text("¥10,000.00")
