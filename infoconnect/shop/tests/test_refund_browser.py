"""Refunds in Chromium: a completed order refunded after the merchant paid out everything, and
a return and refund walked through by both sides."""

import pytest

from infoconnect.shop.tests.conftest import make_address, make_product, png_bytes
from infoconnect.shop.tests.test_refunds import bought
from infoconnect.wallet.models import AccountKind, LedgerTransaction, TransactionKind
from infoconnect.wallet.selectors import balance_of
from infoconnect.wallet.tests.helpers import age_release


def merchant_context(browser, live_server, login, username="acme"):
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(username, target=page)
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refund_after_the_merchant_paid_out_everything_reaches_the_buyer(
    browser, live_server, page, login, make_user
):
    from playwright.sync_api import expect

    from infoconnect.wallet.actions import request_payout

    merchant = make_user("acme", kind="merchant", verified=True)
    scarf = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    buyer = make_user("alice")
    order = bought(buyer, merchant, scarf, to="completed")

    login("alice")
    page.goto(f"/shop/orders/{order.pk}/")
    page.get_by_label("Reason").fill("The scarf is torn")
    page.get_by_role("button", name="Ask for a refund").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Refund requested. The merchant will answer."
    )
    expect(page.locator("#refund-state")).to_have_text("Requested")
    # The merchant lets the request wait past the refund window, then pays out everything.
    age_release(
        LedgerTransaction.objects.get(kind=TransactionKind.ESCROW_RELEASE, reference=str(order.pk))
    )
    request_payout(merchant_id=merchant.pk, amount=12_900 - 258)

    context, shop = merchant_context(browser, live_server, login)
    shop.goto("/shop/manage/refunds/")
    row = shop.get_by_test_id("refund-row")
    expect(row).to_contain_text("The scarf is torn")
    row.get_by_role("button", name="Accept and refund ¥129.00").click()
    expect(shop.locator(".flash-success")).to_have_text(
        "Refund accepted; the buyer has been paid back."
    )
    shop.goto("/wallet/merchant/")
    expect(shop.locator("#merchant-balance")).to_have_text("¥0.00")
    # Nothing was left to take it from: the merchant owes its share.
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT_DEBT) == -12_642

    page.reload()
    expect(page.locator("#order-state")).to_have_text("Refunded")
    expect(page.locator("#refund-state")).to_have_text("Refunded")
    page.goto("/wallet/")
    expect(page.locator("#wallet-balance")).to_have_text("¥129.00")

    # The merchant's next sale settles the debt first; what is left reaches its balance.
    vase = make_product(merchant, title="Vase", price=20_000, stock=2)
    bought(make_user("carol"), merchant, vase, to="completed", key="v")
    shop.reload()
    expect(shop.locator("#merchant-balance")).to_have_text("¥69.58")  # 196.00 less 126.42
    assert balance_of(user_id=merchant.pk, kind=AccountKind.MERCHANT_DEBT) == 0
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_return_and_refund_walked_through_both_sides(
    browser, live_server, page, login, make_user, tmp_path
):
    from playwright.sync_api import expect

    merchant = make_user("acme", kind="merchant", verified=True)
    scarf = make_product(merchant, title="Silk scarf", price=12_900, stock=5)
    make_address(merchant, recipient_name="Acme returns", street="1 Dock Road")
    buyer = make_user("alice")
    order = bought(buyer, merchant, scarf, to="completed")
    picture = tmp_path / "torn.png"
    picture.write_bytes(png_bytes())

    login("alice")
    page.goto(f"/shop/orders/{order.pk}/")
    page.get_by_label("Return and refund").check()
    page.get_by_label("Reason").fill("Wrong colour")
    page.get_by_label("Photos (up to 3)").set_input_files(str(picture))
    page.get_by_role("button", name="Ask for a refund").click()
    expect(page.locator("#refund-state")).to_have_text("Requested")
    expect(page.locator('[data-side="buyer"] img')).to_have_count(1)

    context, shop = merchant_context(browser, live_server, login)
    shop.goto(f"/shop/orders/{order.pk}/")
    expect(shop.locator('[data-side="buyer"] img')).to_have_count(1)
    expect(shop.get_by_label("Return address")).to_contain_text("Acme returns")
    shop.get_by_role("button", name="Accept the return").click()
    expect(shop.locator(".flash-success")).to_have_text(
        "Return accepted. The buyer will send the goods to your address."
    )
    expect(shop.locator("#refund-state")).to_have_text("Waiting for the return")

    page.reload()
    expect(page.locator(".return-address")).to_contain_text("Acme returns")
    page.get_by_label("Carrier").fill("SF Express")
    page.get_by_label("Tracking number").fill("SF7654321")
    page.get_by_role("button", name="I have sent them").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Return sent. You are refunded once the merchant receives the goods."
    )
    expect(page.locator("#refund-state")).to_have_text("Return on its way")

    shop.goto("/shop/manage/refunds/")
    row = shop.get_by_test_id("refund-row")
    expect(row.locator(".return-tracking")).to_have_text("SF7654321")
    row.get_by_role("button", name="Goods received: refund ¥129.00").click()
    expect(shop.locator(".flash-success")).to_have_text(
        "Goods received; the buyer has been paid back."
    )
    context.close()

    page.reload()
    expect(page.locator("#order-state")).to_have_text("Refunded")
    expect(page.locator("#refund-state")).to_have_text("Refunded")
    expect(page.locator("#order-history")).to_contain_text("Returned goods received, refunded")
    page.goto("/wallet/")
    expect(page.locator("#wallet-balance")).to_have_text("¥129.00")
