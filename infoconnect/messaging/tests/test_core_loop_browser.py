"""The core loop in Chromium: a merchant's campaign carries a product card; a follower opens it
in the inbox, buys from the card and pays from the wallet; the merchant ships, the buyer
confirms; the merchant is paid less commission and the campaign shows the order."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from infoconnect.core.money import format_money
from infoconnect.messaging import actions
from infoconnect.shop import actions as shop_actions
from infoconnect.shop.models import Order
from infoconnect.shop.tests.conftest import fund, make_address, make_product, png_bytes
from infoconnect.social.models import Follow


def _fen(text: str) -> int:
    return int(Decimal(text.replace("¥", "").replace(",", "")) * 100)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_campaign_card_to_paid_order_to_merchant_payout(
    browser, live_server, page, login, make_user, fund_balance
):
    merchant = make_user("acme", kind="merchant", verified=True)
    actions.enrol_merchant(merchant=merchant)
    fund_balance(merchant, 1_000)
    product, _sku = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    shop_actions.add_product_image(
        merchant=merchant,
        product_id=product.pk,
        upload=SimpleUploadedFile("scarf.png", png_bytes(), content_type="image/png"),
    )
    fan = make_user("fan")
    Follow.objects.create(follower=fan, target=merchant)
    fund(fan, 20_000)
    make_address(fan)

    shop_context = browser.new_context(base_url=live_server.url, locale="en-US")
    shop = shop_context.new_page()
    login("acme", target=shop)
    shop.goto("/messages/campaigns/new/")
    shop.get_by_label("Title").fill("Scarf week")
    shop.get_by_label("Message").fill("Our silk scarf, this week only.")
    shop.get_by_label("Product card").select_option(label="Silk scarf")
    shop.get_by_role("button", name="Save draft").click()
    expect(shop.get_by_test_id("product-card")).to_contain_text("Silk scarf")
    expect(shop.get_by_test_id("estimate")).to_contain_text("Estimated recipients: 1")
    shop.get_by_role("button", name="Send now").click()
    shop.get_by_role("button", name="Yes, start sending").click()
    expect(shop.get_by_test_id("campaign-state")).to_have_text("Sent")
    campaign_url = shop.url
    shop.goto("/wallet/merchant/")
    balance_before = _fen(shop.locator("#merchant-balance").inner_text())

    login("fan")
    page.goto("/messages/")
    page.get_by_test_id("conversation-acme").click()
    card = page.get_by_test_id("product-card")
    expect(card.locator(".product-title")).to_have_text("Silk scarf")
    expect(card.locator(".product-price")).to_have_text("¥129.00")
    expect(card.locator("img")).to_have_attribute("alt", "Silk scarf")
    card.get_by_test_id("product-buy").click()
    page.wait_for_url(f"**/shop/p/{product.pk}/?campaign=*")
    page.get_by_role("button", name="Buy now").click()
    expect(page.locator("#checkout-total")).to_have_text("¥129.00")
    page.get_by_role("button", name="Place order").click()
    page.get_by_role("button", name="Pay from wallet").click()
    expect(page.locator("#order-state")).to_have_text("Paid")
    order = Order.objects.get()
    assert (order.campaign_id, order.total) == (
        int(campaign_url.rstrip("/").split("/")[-1]),
        12_900,
    )

    shop.goto("/shop/manage/orders/")
    shop.get_by_label("Carrier").fill("SF Express")
    shop.get_by_label("Tracking number").fill("SF1234567")
    shop.get_by_role("button", name="Mark as shipped").click()
    expect(shop.locator(".flash-success")).to_have_text("Marked as shipped.")

    page.reload()
    expect(page.locator("#tracking")).to_have_text("SF1234567")
    page.get_by_role("button", name="Confirm receipt").click()
    page.get_by_role("button", name="Yes, I have the goods").click()
    expect(page.locator("#order-state")).to_have_text("Completed")

    # ¥129.00 less the 2% commission (¥2.58) is ¥126.42 more than before the sale.
    shop.goto("/wallet/merchant/")
    expect(shop.locator("#merchant-balance")).to_have_text(format_money(balance_before + 12_642))
    expect(shop.get_by_test_id("statement")).to_contain_text("+¥126.42")
    shop.goto(campaign_url)
    expect(shop.get_by_test_id("stat-clicked")).to_have_text("1")
    expect(shop.get_by_test_id("stat-orders")).to_have_text("1")
    expect(shop.get_by_test_id("stat-revenue")).to_have_text("¥129.00")
    shop_context.close()
