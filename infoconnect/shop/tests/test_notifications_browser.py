"""In Chromium: the merchant ships, and the buyer's header badge shows it live, without a
reload; the notification tells the tracking number and leads to the order."""

import pytest

from infoconnect.shop import actions
from infoconnect.shop.tests.order_steps import open_shop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_buyers_badge_shows_the_shipment_live(browser, live_server, page, login, make_user):
    from playwright.sync_api import expect

    merchant, buyer, sku, address = open_shop(make_user, merchant="Acme", buyer="Alice")
    order = actions.buy_now(
        buyer=buyer, sku_id=sku.pk, quantity=1, address_id=address.pk, key="k", pay=True
    )

    login("alice")
    page.goto("/")
    badge = page.get_by_test_id("notifications-badge")
    expect(badge).to_have_count(0)

    shop_context = browser.new_context(base_url=live_server.url, locale="en-US")
    shop_page = shop_context.new_page()
    login("acme", target=shop_page)
    shop_page.goto("/shop/manage/orders/")
    shop_page.get_by_label("Carrier").fill("SF Express")
    shop_page.get_by_label("Tracking number").fill("SF1234567")
    shop_page.get_by_role("button", name="Mark as shipped").click()
    expect(shop_page.locator(".flash-success")).to_have_text("Marked as shipped.")
    # The merchant's own badge has the paid order, not the buyer's shipment.
    expect(shop_page.get_by_test_id("notifications-badge")).to_have_text("1")
    shop_context.close()

    # No reload: the header polls every 5 seconds.
    expect(badge).to_have_text("1", timeout=15_000)
    page.locator("#nav-notifications").click()
    notice = page.locator(".notification").first
    expect(notice.locator(".notification-sentence")).to_have_text(
        "📦 Acme @acme Verified shipped your order"
    )
    expect(notice.get_by_test_id("notification-order")).to_have_text(
        f"Order {order.pk} · ¥129.00 · SF Express, tracking number SF1234567"
    )
    notice.get_by_role("link", name=f"Order {order.pk}").click()
    expect(page.locator("#tracking")).to_have_text("SF1234567")

    page.goto("/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_test_id("notifications-badge")).to_have_count(0)
