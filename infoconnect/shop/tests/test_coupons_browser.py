"""Coupons in Chromium: a merchant creates a coupon and sends it with a campaign; a follower
claims it from the message in the inbox, buys from the card, and checkout shows the saving
and the lower total, as does the order."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from infoconnect.messaging import actions as messaging_actions
from infoconnect.shop.models import CouponClaim, Order
from infoconnect.shop.tests.conftest import make_address, make_product
from infoconnect.social.models import Follow
from infoconnect.wallet import actions as wallet_actions
from infoconnect.wallet.models import AccountKind


def _local(delta: timedelta) -> str:
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_buyer_claims_a_campaigns_coupon_in_the_inbox_and_checkout_applies_it(
    browser, live_server, page, login, make_user
):
    merchant = make_user("acme", kind="merchant", verified=True)
    messaging_actions.enrol_merchant(merchant=merchant)
    # Sending holds each message's price from the merchant balance.
    payment = wallet_actions.start_topup(
        user_id=merchant.pk, amount=1_000, destination=AccountKind.MERCHANT
    )
    wallet_actions.complete_topup(payment_id=payment.pk)
    make_product(merchant, title="Silk scarf", price=15_000, stock=5)
    fan = make_user("fan")
    Follow.objects.create(follower=fan, target=merchant)
    make_address(fan)

    shop_context = browser.new_context(base_url=live_server.url, locale="en-US")
    shop = shop_context.new_page()
    login("acme", target=shop)
    shop.goto("/shop/manage/products/")
    shop.locator("#merchant-coupons-link").click()
    shop.get_by_label("Title").fill("¥20 off ¥100")
    shop.get_by_label("Kind").select_option(label="Amount off")
    shop.get_by_label("Amount off (¥)").fill("20")
    shop.get_by_label("Minimum spend (¥)").fill("100")
    shop.get_by_label("Valid from").fill(_local(timedelta(minutes=-5)))
    shop.get_by_label("Valid until").fill(_local(timedelta(days=7)))
    shop.get_by_label("How many").fill("50")
    shop.get_by_role("button", name="Create coupon").click()
    expect(shop.get_by_test_id("coupon-row")).to_contain_text("¥20.00 off · on orders of ¥100.00")

    shop.goto("/messages/campaigns/new/")
    shop.get_by_label("Title").fill("Scarf week")
    shop.get_by_label("Message").fill("A coupon for our silk scarf.")
    shop.get_by_label("Product card").select_option(label="Silk scarf")
    shop.get_by_label("Coupon").select_option(label="¥20 off ¥100")
    shop.get_by_role("button", name="Save draft").click()
    expect(shop.get_by_test_id("campaign-coupon-title")).to_have_text("Coupon: ¥20 off ¥100")
    shop.get_by_role("button", name="Send now").click()
    shop.get_by_role("button", name="Yes, start sending").click()
    expect(shop.get_by_test_id("campaign-state")).to_have_text("Sent")

    login("fan")
    page.goto("/messages/")
    page.get_by_test_id("conversation-acme").click()
    coupon_card = page.get_by_test_id("campaign-coupon")
    expect(coupon_card).to_contain_text("¥20 off ¥100")
    coupon_card.get_by_test_id("claim-coupon").click()
    expect(page.get_by_test_id("coupon-claimed")).to_contain_text("Claimed")
    assert CouponClaim.objects.get(person=fan).campaign_id is not None

    page.get_by_test_id("product-card").get_by_test_id("product-buy").click()
    page.get_by_role("button", name="Buy now").click()
    expect(page.get_by_test_id("coupon-applied")).to_have_text(
        "Coupon “¥20 off ¥100” saves you ¥20.00."
    )
    expect(page.locator("#checkout-subtotal")).to_have_text("¥150.00")
    expect(page.locator("#checkout-discount")).to_have_text("−¥20.00")
    expect(page.locator("#checkout-total")).to_have_text("¥130.00")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#order-discount")).to_have_text("−¥20.00")
    expect(page.locator("#order-total")).to_have_text("¥130.00")
    order = Order.objects.get()
    assert (order.discount, order.total) == (2_000, 13_000)

    # The merchant's campaign page counts the claim and its redemption.
    shop.reload()
    expect(shop.get_by_test_id("coupon-claimed-count")).to_have_text("1")
    expect(shop.get_by_test_id("coupon-redeemed-count")).to_have_text("1")
    shop_context.close()
